// A release as a .zip: arbitrary bytes are written as an archive and opened the way a user's
// download would be (libzip, entry detection, CRC, size limits, then the readers).

#include <cstddef>
#include <cstdint>

#include "core/data/DatasetLoader.h"
#include "fuzz/FuzzSupport.h"

using namespace recscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::clearScratch();
    const auto path = fuzz::scratchDir() / "release.zip";
    fuzz::writeFile(path, data, size);
    LoadOptions options;
    options.useCache = false;
    options.threads = 1;
    const Result<Dataset> loaded = loadDataset(path.string(), options);
    if (!loaded && loaded.error().message.empty())
        __builtin_trap();
    return 0;
}
