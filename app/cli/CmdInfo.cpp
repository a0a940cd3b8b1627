// recscope-cli info PATH [--json] [--no-cache]: what a dataset holds.

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/ArgParser.h"
#include "app/cli/Commands.h"
#include "app/cli/OpenDataset.h"
#include "core/common/BuildInfo.h"

namespace recscope::cli {

namespace {

std::string number(double v, const char* format) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

// What the program was built with and loaded (see core/common/BuildInfo.h).
nlohmann::json buildJson() {
    const BuildInfo& info = buildInfo();
    const BlasInfo& blas = info.blas;
    return {{"version", info.version},
            {"torch", info.torchVersion},
            {"faiss", info.faissVersion},
            {"blas",
             {{"kind", blasKindName(blas.kind)},
              {"name", blas.name},
              {"threading", blas.threading},
              {"config", blas.config},
              {"kernels", blas.kernels},
              {"library", blas.library},
              {"lapack", blas.lapack}}},
            {"cuda_devices", info.cudaDevices}};
}

}  // namespace

int cmdInfo(const Args& args) {
    ArgParser parser(
        "info",
        "Summarise a dataset: a MovieLens folder or official .zip, or \"demo\" for the\n"
        "built-in synthetic dataset. Users and items are counted over the ratings;\n"
        "metadata counts are shown beside them.");
    parser.addPositional("PATH", "Dataset folder, .zip, or demo");
    parser.addFlag("json", "Print one JSON object instead of text");
    parser.addFlag("no-cache", "Parse the files even when a cached copy exists");
    if (Status s = parser.parse(args); !s) {
        std::cerr << "recscope-cli " << s.error().message << "\n"
                  << "Try 'recscope-cli info --help'.\n";
        return 2;
    }
    if (parser.helpRequested()) {
        std::cout << parser.helpText();
        return 0;
    }
    const std::string path = parser.positional(0);
    Result<Dataset> loaded = openDataset(path, !parser.flag("no-cache"));
    if (!loaded) {
        std::cerr << "recscope-cli info: " << loaded.error().toString() << "\n";
        return 1;
    }
    const Dataset& d = loaded.value();
    const RatingScale scale = d.ratingScale();
    int64_t itemsWithTitles = 0;
    for (const std::string& t : d.itemMetadata().titles)
        if (!t.empty())
            ++itemsWithTitles;
    const int64_t usersWithMetadata = d.userMetadata().present ? d.numUsers() : 0;
    const bool anyRatings = d.numRatings() > 0;

    if (parser.flag("json")) {
        nlohmann::json j;
        j["source"] = d.source();
        j["format"] = formatName(d.format());
        j["users"] = d.numRatedUsers();
        j["items"] = d.numRatedItems();
        j["ratings"] = d.numRatings();
        j["userIds"] = d.numUsers();
        j["itemIds"] = d.numItems();
        j["usersInMetadata"] = usersWithMetadata;
        j["itemsInMetadata"] = itemsWithTitles;
        j["ratingScale"] = {{"min", scale.min}, {"max", scale.max}, {"step", scale.step}};
        j["density"] = d.density();
        if (anyRatings) {
            j["firstTimestamp"] = d.minTimestamp();
            j["lastTimestamp"] = d.maxTimestamp();
            j["firstDate"] = isoDate(d.minTimestamp());
            j["lastDate"] = isoDate(d.maxTimestamp());
        }
        j["genres"] = d.itemMetadata().genreNames;
        j["build"] = buildJson();
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    std::cout << "Source:        " << d.source() << "\n"
              << "Format:        " << formatName(d.format()) << "\n"
              << "Users:         " << d.numRatedUsers() << " with ratings, " << usersWithMetadata
              << " in metadata\n"
              << "Items:         " << d.numRatedItems() << " with ratings, " << itemsWithTitles
              << " in metadata\n"
              << "Ratings:       " << d.numRatings() << "\n"
              << "Rating scale:  " << number(scale.min, "%g") << " to " << number(scale.max, "%g")
              << ", step " << number(scale.step, "%g") << "\n";
    if (anyRatings)
        std::cout << "Time span:     " << isoDate(d.minTimestamp()) << " to "
                  << isoDate(d.maxTimestamp()) << "\n";
    std::cout << "Density:       " << number(100.0 * d.density(), "%.3f") << "%\n"
              << "Genres:        " << d.itemMetadata().genreNames.size() << "\n";
    return 0;
}

}  // namespace recscope::cli
