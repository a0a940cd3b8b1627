#include "app/cli/SplitOptions.h"

#include <cmath>
#include <initializer_list>
#include <utility>

namespace recscope::cli {

void addSplitOptions(ArgParser& parser) {
    parser.addOption("protocol", "NAME", "Split protocol: temporal, loo, ratio or strong",
                     "temporal");
    parser.addOption("n-test", "N", "temporal: last N ratings of a user -> test", "5");
    parser.addOption("n-val", "N", "temporal: the N ratings before them -> validation", "1");
    parser.addOption("min-train", "N",
                     "temporal/loo: users need >= min-train + n-val + n-test ratings to be split",
                     "temporal 5, loo 1");
    parser.addOption("threshold", "X", "Ratings >= X are positives; 0 = every rating",
                     "temporal 4, loo/ratio 0");
    parser.addOption("test-fraction", "F",
                     "ratio: share of each user's ratings -> test; strong: each held-out "
                     "user's target share",
                     "0.2");
    parser.addOption("val-fraction", "F", "ratio: share of each user's ratings -> validation", "0");
    parser.addOption("seed", "S", "Random seed of the split (ratio, strong) and the tie order",
                     "42");
    parser.addOption("exclude", "RULE",
                     "What every list leaves out: positives (the user's training positives, as "
                     "P1 is published) or rated (every item rated in training)",
                     "positives");
    parser.addOption("min-rating", "X", "Drop ratings below X before splitting; 0 = keep all",
                     "strong 4, else 0");
    parser.addOption("kcore", "N",
                     "Drop users and items with fewer than N ratings, repeatedly; 0 = off", "0");
    parser.addOption("stratify", "BY",
                     "ratio: sample each user's ratings (user) or each item's (item)", "user");
    parser.addOption("heldout-users", "N", "strong: held-out users (fold-in 80% / target 20%)",
                     "10% of the users, at most 10000");
}

Result<SplitConfig> splitConfigFromArgs(const ArgParser& parser) {
    const std::string name = parser.value("protocol", "temporal");
    const std::optional<Protocol> protocol = parseProtocol(name);
    if (!protocol)
        return makeError("unknown protocol '" + name +
                         "' (expected temporal, loo, ratio or strong)");
    SplitConfig c = defaultSplitConfig(*protocol);
    const std::string rule = parser.value("exclude", "positives");
    const std::optional<ExcludeRule> exclude = parseExcludeRule(rule);
    if (!exclude)
        return makeError("option '--exclude' must be positives or rated, got '" + rule + "'");
    c.exclude = *exclude;
    if (parser.has("stratify") && *protocol != Protocol::Ratio)
        return makeError("option '--stratify' applies to the ratio protocol only");
    if (parser.has("heldout-users") && *protocol != Protocol::Strong)
        return makeError("option '--heldout-users' applies to the strong protocol only");
    const std::string by = parser.value("stratify", "user");
    const std::optional<Stratify> stratify = parseStratify(by);
    if (!stratify)
        return makeError("option '--stratify' must be user or item, got '" + by + "'");
    c.stratify = *stratify;
    const Result<double> minRating = parser.doubleValue("min-rating", c.minRating);
    const Result<int64_t> kcore = parser.intValue("kcore", c.kcore);
    const Result<int64_t> heldout = parser.intValue("heldout-users", c.heldoutUsers);
    for (const Status& s : {minRating.status(), kcore.status(), heldout.status()})
        if (!s)
            return s;
    if (!std::isfinite(minRating.value()) || minRating.value() < 0.0 || minRating.value() > 1000.0)
        return makeError("option '--min-rating' must be between 0 and 1000, got " +
                         parser.value("min-rating"));
    if (kcore.value() < 0 || kcore.value() > 1000000)
        return makeError("option '--kcore' must be between 0 and 1000000, got " +
                         std::to_string(kcore.value()));
    if (parser.has("heldout-users") && (heldout.value() < 1 || heldout.value() > 100000000))
        return makeError("option '--heldout-users' must be between 1 and 1e8, got " +
                         std::to_string(heldout.value()));
    c.minRating = minRating.value();
    c.kcore = static_cast<int>(kcore.value());
    c.heldoutUsers = static_cast<int>(heldout.value());

    const Result<int64_t> nTest = parser.intValue("n-test", c.nTest);
    const Result<int64_t> nVal = parser.intValue("n-val", c.nVal);
    const Result<int64_t> minTrain = parser.intValue("min-train", c.minTrain);
    const Result<double> threshold = parser.doubleValue("threshold", c.threshold);
    const Result<double> testFraction = parser.doubleValue("test-fraction", c.testFraction);
    const Result<double> valFraction = parser.doubleValue("val-fraction", c.valFraction);
    const Result<uint64_t> seed = parser.uint64Value("seed", c.seed);
    for (const Status& s : {nTest.status(), nVal.status(), minTrain.status(), threshold.status(),
                            testFraction.status(), valFraction.status(), seed.status()})
        if (!s)
            return s;
    const std::initializer_list<std::pair<const char*, int64_t>> counts = {
        {"n-test", nTest.value()}, {"n-val", nVal.value()}, {"min-train", minTrain.value()}};
    for (const auto& [label, v] : counts)
        if (v < 0 || v > 1000000000)
            return makeError(std::string("option '--") + label +
                             "' must be between 0 and 1e9, got " + std::to_string(v));
    c.nTest = static_cast<int>(nTest.value());
    c.nVal = static_cast<int>(nVal.value());
    c.minTrain = static_cast<int>(minTrain.value());
    c.threshold = threshold.value();
    c.testFraction = testFraction.value();
    c.valFraction = valFraction.value();
    c.seed = seed.value();
    if (Status s = validateSplitConfig(c); !s)
        return s;
    return c;
}

}  // namespace recscope::cli
