// A run folder from someone else (issue 18): the input is split at "\n####\n" into run.json
// and per_user.csv, written to a scratch folder beside a one-byte model.bin, and read with
// readRunDirectory, the code behind File > Import Run Folder and `recscope-cli import`.
// Whatever it accepts must name a checkpoint inside the folder.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/workspace/RunDirectory.h"
#include "fuzz/FuzzSupport.h"

using namespace recscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::clearScratch();
    const std::filesystem::path dir = fuzz::scratchDir() / "run";
    std::filesystem::create_directories(dir);
    std::string_view text(reinterpret_cast<const char*>(data), size);
    static constexpr std::string_view kSep = "\n####\n";
    const size_t at = text.find(kSep);
    const std::string_view json = text.substr(0, at);
    fuzz::writeFile(dir / "run.json", reinterpret_cast<const uint8_t*>(json.data()), json.size());
    if (at != std::string_view::npos) {
        const std::string_view csv = text.substr(at + kSep.size());
        fuzz::writeFile(dir / "per_user.csv", reinterpret_cast<const uint8_t*>(csv.data()),
                        csv.size());
    }
    const uint8_t model = 0;
    fuzz::writeFile(dir / "model.bin", &model, 1);
    fuzz::writeFile(fuzz::scratchDir() / "outside.bin", &model, 1);
    const Result<RunDirectoryContents> read = readRunDirectory(dir.string());
    if (read.ok() && !read->checkpoint.empty()) {
        const std::string inside = std::filesystem::absolute(dir).lexically_normal().string();
        if (read->checkpoint.rfind(inside + "/", 0) != 0)
            std::abort();  // a checkpoint outside the run folder was accepted
    }
    return 0;
}
