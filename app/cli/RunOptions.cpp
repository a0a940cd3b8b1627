#include "app/cli/RunOptions.h"

#include <cstdlib>
#include <sstream>

#include "app/cli/SplitOptions.h"
#include "core/models/Compute.h"
#include "core/models/Recommender.h"

namespace recscope::cli {

std::string joinNames(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names)
        s += (s.empty() ? "" : ", ") + n;
    return s;
}

void addRunOptions(ArgParser& parser) {
    parser.addOption("model", "NAME", "Model: " + joinNames(modelNames()));
    parser.addOption("param", "KEY=VALUE", "Fixed model parameter (repeatable)");
    addSplitOptions(parser);
    parser.addOption("k", "LIST", "Cut-offs", "10,20,50,100");
    parser.addOption("negatives", "N",
                     "Sampled evaluation with N never-seen items; 0 = full ranking",
                     "loo 99, else 0");
    parser.addOption("sampler", "NAME", "Negatives drawn uniform or by popularity", "uniform");
    parser.addOption("device", "DEV", "cpu, cuda or cuda:N (LibTorch models)", "cpu");
    parser.addOption("fit-on", "PART",
                     "auto (early-stopping models: train; others: train+val), train or train+val",
                     "auto");
    parser.addOption("threads", "N", "Compute threads", "all cores");
}

Result<RunConfig> runConfigFromArgs(const ArgParser& parser, const std::string& dataset) {
    RunConfig c;
    c.dataset = dataset;
    if (!parser.has("model"))
        return makeError("--model is required (one of: " + joinNames(modelNames()) + ")");
    c.model = parser.value("model");
    for (const std::string& text : parser.values("param")) {
        const size_t eq = text.find('=');
        if (eq == std::string::npos || eq == 0)
            return makeError("--param expects key=value, got '" + text + "'");
        c.params[text.substr(0, eq)] = text.substr(eq + 1);
    }
    Result<SplitConfig> split = splitConfigFromArgs(parser);
    if (!split)
        return split.error();
    c.split = split.value();
    c.ks.clear();
    std::stringstream ks(parser.value("k", "10,20,50,100"));
    for (std::string part; std::getline(ks, part, ',');) {
        char* end = nullptr;
        const long k = std::strtol(part.c_str(), &end, 10);
        if (part.empty() || *end != '\0' || k < 1 || k > 100000)
            return makeError("--k expects positive integers separated by commas");
        c.ks.push_back(static_cast<int>(k));
    }
    const Result<int64_t> negatives = parser.intValue("negatives", -1);
    const Result<int64_t> threads = parser.intValue("threads", 0);
    const Result<uint64_t> seed = parser.uint64Value("seed", 42);
    for (const Status& s : {negatives.status(), threads.status(), seed.status()})
        if (!s)
            return s.error();
    if (threads.value() < 0 || threads.value() > 1024)
        return makeError("--threads must be between 0 and 1024");
    c.negatives = static_cast<int>(negatives.value());
    c.seed = seed.value();
    const std::string sampler = parser.value("sampler", "uniform");
    if (sampler != "uniform" && sampler != "popularity")
        return makeError("--sampler must be uniform or popularity, got '" + sampler + "'");
    c.sampler = sampler == "popularity" ? NegativeSampler::Popularity : NegativeSampler::Uniform;
    c.device = parser.value("device", "cpu");
    c.fitOn = parser.value("fit-on", "auto");
    c.keepPerUser = true;
    if (Status s = validateRunConfig(c); !s)
        return s.error();
    setComputeThreads(static_cast<int>(threads.value()));
    return c;
}

}  // namespace recscope::cli
