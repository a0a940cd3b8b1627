// recscope-cli split PATH --protocol ...: sizes of the train / validation / test parts.

#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/ArgParser.h"
#include "app/cli/Commands.h"
#include "app/cli/OpenDataset.h"
#include "app/cli/SplitOptions.h"

namespace recscope::cli {

namespace {

struct PartSummary {
    int64_t ratings = 0;
    int32_t users = 0;
    int64_t positives = 0;
    int32_t usersWithPositives = 0;
};

PartSummary summarise(const Interactions& part, const Split& split) {
    PartSummary s;
    s.ratings = static_cast<int64_t>(part.size());
    s.users = part.distinctUsers();
    int32_t lastUser = -1;
    for (size_t i = 0; i < part.size(); ++i) {
        if (!split.isPositive(part.ratings[i]))
            continue;
        ++s.positives;
        // Rows are grouped by user, so a change of user is a new user with positives.
        if (part.users[i] != lastUser) {
            ++s.usersWithPositives;
            lastUser = part.users[i];
        }
    }
    return s;
}

nlohmann::json toJson(const PartSummary& s) {
    return {{"ratings", s.ratings},
            {"users", s.users},
            {"positives", s.positives},
            {"usersWithPositives", s.usersWithPositives}};
}

}  // namespace

int cmdSplit(const Args& args) {
    ArgParser parser("split",
                     "Split a dataset with a protocol of docs/protocols.md and report the size\n"
                     "of the train, validation and test parts (and fold-in, for strong) and the\n"
                     "users in each. Positives are ratings >= threshold; users with a positive\n"
                     "test rating are the ones a ranking evaluation scores.");
    parser.addPositional("PATH", "Dataset folder, .zip, or demo");
    addSplitOptions(parser);
    parser.addFlag("json", "Print one JSON object instead of text");
    parser.addFlag("no-cache", "Parse the files even when a cached copy exists");
    if (Status s = parser.parse(args); !s) {
        std::cerr << "recscope-cli " << s.error().message << "\n"
                  << "Try 'recscope-cli split --help'.\n";
        return 2;
    }
    if (parser.helpRequested()) {
        std::cout << parser.helpText();
        return 0;
    }
    const Result<SplitConfig> config = splitConfigFromArgs(parser);
    if (!config) {
        std::cerr << "recscope-cli split: " << config.error().message << "\n";
        return 2;
    }
    Result<Dataset> loaded = openDataset(parser.positional(0), !parser.flag("no-cache"));
    if (!loaded) {
        std::cerr << "recscope-cli split: " << loaded.error().toString() << "\n";
        return 1;
    }
    const Result<Split> split = makeSplit(loaded.value(), config.value());
    if (!split) {
        std::cerr << "recscope-cli split: " << split.error().toString() << "\n";
        return 1;
    }
    const Split& sp = split.value();
    const SplitConfig& c = sp.config;
    const PartSummary train = summarise(sp.train, sp);
    const PartSummary val = summarise(sp.validation, sp);
    const PartSummary test = summarise(sp.test, sp);

    if (parser.flag("json")) {
        nlohmann::json cfg = {{"protocol", protocolName(c.protocol)}, {"threshold", c.threshold}};
        if (c.protocol == Protocol::Temporal) {
            cfg["nTest"] = c.nTest;
            cfg["nVal"] = c.nVal;
        }
        if (c.protocol != Protocol::Ratio) {
            cfg["minTrain"] = c.minTrain;
        } else {
            cfg["testFraction"] = c.testFraction;
            cfg["valFraction"] = c.valFraction;
            cfg["seed"] = c.seed;
            cfg["stratify"] = stratifyName(c.stratify);
        }
        if (c.protocol == Protocol::Strong) {
            cfg["testFraction"] = c.testFraction;
            cfg["seed"] = c.seed;
            cfg["heldoutUsers"] = c.heldoutUsers;
        }
        cfg["exclude"] = excludeRuleName(c.exclude);
        cfg["minRating"] = c.minRating;
        cfg["kcore"] = c.kcore;
        nlohmann::json j = {{"source", loaded.value().source()},
                            {"config", cfg},
                            {"train", toJson(train)},
                            {"validation", toJson(val)},
                            {"test", toJson(test)}};
        if (c.protocol == Protocol::Strong)
            j["fold_in"] = toJson(summarise(sp.foldIn, sp));
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    std::cout << "Protocol:    " << protocolName(c.protocol) << " (threshold " << c.threshold
              << ", lists exclude " << excludeRuleName(c.exclude) << ")\n";
    const auto line = [](const char* label, const PartSummary& s) {
        std::cout << label << s.ratings << " ratings, " << s.users << " users, " << s.positives
                  << " positives (" << s.usersWithPositives << " users with positives)\n";
    };
    line("Train:       ", train);
    line("Validation:  ", val);
    line("Test:        ", test);
    if (c.protocol == Protocol::Strong)
        line("Fold-in:     ", summarise(sp.foldIn, sp));
    return 0;
}

}  // namespace recscope::cli
