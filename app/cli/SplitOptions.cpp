#include "app/cli/SplitOptions.h"

#include <initializer_list>
#include <utility>

namespace recscope::cli {

void addSplitOptions(ArgParser& parser) {
    parser.addOption("protocol", "NAME", "Split protocol: temporal, loo or ratio", "temporal");
    parser.addOption("n-test", "N", "temporal: last N ratings of a user -> test", "5");
    parser.addOption("n-val", "N", "temporal: the N ratings before them -> validation", "1");
    parser.addOption("min-train", "N",
                     "temporal/loo: users need >= min-train + n-val + n-test ratings to be split",
                     "temporal 5, loo 1");
    parser.addOption("threshold", "X", "Ratings >= X are positives; 0 = every rating",
                     "temporal 4, loo/ratio 0");
    parser.addOption("test-fraction", "F", "ratio: share of each user's ratings -> test", "0.2");
    parser.addOption("val-fraction", "F", "ratio: share of each user's ratings -> validation", "0");
    parser.addOption("seed", "S", "ratio: random seed", "42");
}

Result<SplitConfig> splitConfigFromArgs(const ArgParser& parser) {
    const std::string name = parser.value("protocol", "temporal");
    const std::optional<Protocol> protocol = parseProtocol(name);
    if (!protocol)
        return makeError("unknown protocol '" + name + "' (expected temporal, loo or ratio)");
    SplitConfig c = defaultSplitConfig(*protocol);

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
