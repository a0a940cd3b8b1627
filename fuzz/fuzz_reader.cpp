// Whole-release reading from a folder: the first byte picks the release family, the rest is
// split at "\n####\n" into the ratings file, the item file and the user file of that family.
// loadDataset runs detection, every reader's metadata parsing, the builder and the Latin-1 /
// UTF-8 handling, with the cache off.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/DatasetLoader.h"
#include "fuzz/FuzzSupport.h"

using namespace recscope;

namespace {

struct Family {
    const char* ratings;
    const char* items;
    const char* users;
};
constexpr Family kFamilies[] = {
    {"u.data", "u.item", "u.user"},
    {"ratings.dat", "movies.dat", "users.dat"},
    {"ratings.dat", "movies.dat", "tags.dat"},
    {"ratings.csv", "movies.csv", "links.csv"},
};

std::vector<std::string_view> splitParts(std::string_view text) {
    static constexpr std::string_view kSep = "\n####\n";
    std::vector<std::string_view> parts;
    while (parts.size() < 2) {
        const size_t at = text.find(kSep);
        if (at == std::string_view::npos)
            break;
        parts.push_back(text.substr(0, at));
        text.remove_prefix(at + kSep.size());
    }
    parts.push_back(text);
    return parts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1)
        return 0;
    const Family& family = kFamilies[data[0] % 4];
    const std::vector<std::string_view> parts =
        splitParts(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
    fuzz::clearScratch();
    const char* names[] = {family.ratings, family.items, family.users};
    for (size_t i = 0; i < parts.size(); ++i)
        fuzz::writeFile(fuzz::scratchDir() / names[i],
                        reinterpret_cast<const uint8_t*>(parts[i].data()), parts[i].size());
    LoadOptions options;
    options.useCache = false;
    options.threads = (data[0] & 8) ? 2 : 1;
    const Result<Dataset> loaded = loadDataset(fuzz::scratchDir().string(), options);
    if (!loaded && loaded.error().message.empty())
        __builtin_trap();  // every failure must say what went wrong
    return 0;
}
