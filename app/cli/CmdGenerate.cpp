// recscope-cli generate OUT_DIR --format ...: the synthetic dataset written as MovieLens files.

#include <iostream>

#include "app/cli/ArgParser.h"
#include "app/cli/Commands.h"
#include "core/data/MovieLensWriter.h"
#include "core/data/SyntheticGenerator.h"

namespace recscope::cli {

int cmdGenerate(const Args& args) {
    const SyntheticConfig defaults;
    ArgParser parser(
        "generate",
        "Write the deterministic synthetic dataset (users with genre tastes, a long\n"
        "tail of item popularity, timestamps, titles) in a MovieLens layout. The same\n"
        "options always give the same files. 10m and csv use half-star ratings.");
    parser.addPositional("OUT_DIR", "Folder to write (created if needed)");
    parser.addOption("format", "FMT", "Layout: 100k, 1m, 10m or csv", "100k");
    parser.addOption("users", "N", "Number of users", std::to_string(defaults.users));
    parser.addOption("items", "N", "Number of items", std::to_string(defaults.items));
    parser.addOption("ratings", "N", "Number of ratings (at most users x items)",
                     std::to_string(defaults.ratings));
    parser.addOption("seed", "S", "Random seed", std::to_string(defaults.seed));
    parser.addFlag("whole-stars", "Whole-star ratings also for 10m and csv");
    if (Status s = parser.parse(args); !s) {
        std::cerr << "recscope-cli " << s.error().message << "\n"
                  << "Try 'recscope-cli generate --help'.\n";
        return 2;
    }
    if (parser.helpRequested()) {
        std::cout << parser.helpText();
        return 0;
    }
    const std::string formatText = parser.value("format", "100k");
    const std::optional<DatasetFormat> format = parseFormatName(formatText);
    if (!format || *format == DatasetFormat::Synthetic) {
        std::cerr << "recscope-cli generate: unknown format '" << formatText
                  << "' (expected 100k, 1m, 10m or csv)\n";
        return 2;
    }
    const Result<int64_t> users = parser.intValue("users", defaults.users);
    const Result<int64_t> items = parser.intValue("items", defaults.items);
    const Result<int64_t> ratings = parser.intValue("ratings", defaults.ratings);
    const Result<uint64_t> seed = parser.uint64Value("seed", defaults.seed);
    for (const Status& s : {users.status(), items.status(), ratings.status(), seed.status()}) {
        if (!s) {
            std::cerr << "recscope-cli " << s.error().message << "\n";
            return 2;
        }
    }
    constexpr int64_t kMaxIds = 2000000000;
    if (users.value() < 1 || users.value() > kMaxIds || items.value() < 1 ||
        items.value() > kMaxIds || ratings.value() < 0) {
        std::cerr << "recscope-cli generate: users and items must be in 1..2e9, ratings >= 0\n";
        return 2;
    }
    SyntheticConfig config;
    config.users = static_cast<int32_t>(users.value());
    config.items = static_cast<int32_t>(items.value());
    config.ratings = ratings.value();
    config.seed = seed.value();
    config.halfStars = (*format == DatasetFormat::Ml10m || *format == DatasetFormat::MlCsv) &&
                       !parser.flag("whole-stars");
    // 10M and the CSV releases ship no user file.
    config.userMetadata = *format == DatasetFormat::Ml100k || *format == DatasetFormat::Ml1m;

    Result<Dataset> dataset = generateSynthetic(config);
    if (!dataset) {
        std::cerr << "recscope-cli generate: " << dataset.error().toString() << "\n";
        return 2;  // only a config the generator rejects gets here
    }
    const std::string outDir = parser.positional(0);
    if (Status s = writeMovieLens(dataset.value(), *format, outDir); !s) {
        std::cerr << "recscope-cli generate: " << s.error().toString() << "\n";
        return 1;
    }
    std::cout << "Wrote " << dataset.value().numRatings() << " ratings of "
              << dataset.value().numUsers() << " users on " << dataset.value().numItems()
              << " items (" << formatName(*format) << " layout, seed " << config.seed << ") to "
              << outDir << "\n";
    return 0;
}

}  // namespace recscope::cli
