// recscope-cli run DATA --model NAME --protocol ...: train one model on a split and evaluate it
// on the test part (full ranking, or sampled negatives for leave-one-out).

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "app/cli/ArgParser.h"
#include "app/cli/Commands.h"
#include "app/cli/DistOptions.h"
#include "app/cli/OpenDataset.h"
#include "app/cli/RunRecorder.h"
#include "app/cli/SplitOptions.h"
#include "core/dist/DataParallel.h"
#include "core/eval/Evaluator.h"
#include "core/eval/MetricCatalogue.h"
#include "core/models/Compute.h"
#include "core/models/ModelRegistry.h"
#include "core/models/Recommender.h"
#include "core/run/Experiment.h"
#include "core/split/Split.h"
#include "core/workspace/Workspace.h"

namespace recscope::cli {

namespace {

std::string joinNames(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names)
        s += (s.empty() ? "" : ", ") + n;
    return s;
}

// ArgParser keeps the last value of an option; --param may repeat, so it is taken out first.
Status extractParams(const Args& args, Args& rest, std::map<std::string, std::string>& params) {
    for (size_t i = 0; i < args.size(); ++i) {
        std::string text;
        if (args[i] == "--param") {
            if (i + 1 >= args.size())
                return Status(makeError("run: option '--param' needs a value key=value"));
            text = args[++i];
        } else if (args[i].rfind("--param=", 0) == 0) {
            text = args[i].substr(8);
        } else {
            rest.push_back(args[i]);
            continue;
        }
        const size_t eq = text.find('=');
        if (eq == std::string::npos || eq == 0)
            return Status(makeError("run: --param expects key=value, got '" + text + "'"));
        params[text.substr(0, eq)] = text.substr(eq + 1);
    }
    return {};
}

Result<std::vector<int>> parseKs(const std::string& text) {
    std::vector<int> ks;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ',')) {
        char* end = nullptr;
        const long k = std::strtol(part.c_str(), &end, 10);
        if (part.empty() || *end != '\0' || k < 1 || k > 100000)
            return makeError("run: --k expects positive integers separated by commas, got '" +
                             text + "'");
        ks.push_back(static_cast<int>(k));
    }
    if (ks.empty())
        return makeError("run: --k needs at least one cut-off");
    return ks;
}

// Training events on stderr: one line per epoch, stage changes of coarse progress.
class StderrObserver : public TrainObserver {
public:
    void onEpoch(const EpochReport& r) override {
        std::ostringstream line;
        line << std::fixed << std::setprecision(4) << "  epoch " << r.epoch << ": loss "
             << r.trainLoss;
        for (const auto& [k, v] : r.validation)
            line << "  val " << k << " " << v;
        line << std::setprecision(1) << "  (" << r.seconds << " s)";
        std::cerr << line.str() << "\n";
    }
    void onMessage(const std::string& text) override { std::cerr << "  " << text << "\n"; }
};

nlohmann::json splitJson(const SplitConfig& c) {
    nlohmann::json j = {{"protocol", protocolName(c.protocol)},
                        {"threshold", c.threshold},
                        {"exclude", excludeRuleName(c.exclude)}};
    if (c.protocol == Protocol::Temporal) {
        j["n_test"] = c.nTest;
        j["n_val"] = c.nVal;
    }
    if (c.protocol != Protocol::Ratio) {
        j["min_train"] = c.minTrain;
    }
    if (c.protocol == Protocol::Ratio || c.protocol == Protocol::Strong) {
        j["test_fraction"] = c.testFraction;
        j["seed"] = c.seed;
    }
    if (c.protocol == Protocol::Ratio) {
        j["val_fraction"] = c.valFraction;
        j["stratify"] = stratifyName(c.stratify);
    }
    if (c.protocol == Protocol::Strong)
        j["heldout_users"] = c.heldoutUsers;
    if (c.minRating > 0.0)
        j["min_rating"] = c.minRating;
    if (c.kcore > 0)
        j["kcore"] = c.kcore;
    return j;
}

void printTable(const EvalResult& r, const std::vector<int>& ks, bool cappedRecall) {
    // The catalogue's families that take a cut-off, in its display order.
    std::vector<const MetricFamily*> columns;
    for (const MetricFamily& f : metricFamilies())
        if (f.atK)
            columns.push_back(&f);
    std::ostringstream out;
    out << std::setw(6) << "K";
    int probe = ks.front();  // a cut-off the evaluation reported
    for (int k : ks)
        if (r.metrics.count("hit@" + std::to_string(k))) {
            probe = k;
            break;
        }
    std::vector<const MetricFamily*> shown;
    for (const MetricFamily* c : columns)
        if (r.metrics.count(c->key + "@" + std::to_string(probe)) &&
            (cappedRecall || c->key != "recall_capped")) {
            shown.push_back(c);
            out << std::setw(11) << c->label;
        }
    out << "\n";
    for (int k : ks) {
        if (!r.metrics.count("hit@" + std::to_string(k)))
            continue;  // sampled evaluation leaves out K >= negatives + 1
        out << std::setw(6) << k;
        for (const MetricFamily* c : shown) {
            const double v = r.metrics.at(c->key + "@" + std::to_string(k));
            out << std::setw(11) << std::fixed << std::setprecision(c->decimals) << v;
        }
        out << "\n";
    }
    std::cout << out.str();
    // Families that also stand without K: MRR over a whole sampled list, the rating errors.
    for (const MetricFamily& f : metricFamilies()) {
        const auto it = f.alone ? r.metrics.find(f.key) : r.metrics.end();
        if (it != r.metrics.end())
            std::cout << f.label << (f.atK ? " (global, sampled)" : "") << ": " << std::fixed
                      << std::setprecision(f.decimals) << it->second << "\n";
    }
}

}  // namespace

namespace {

// `run --help` lists every model's declared parameters, so a user can see names, ranges and
// defaults without reading the source.
void printModelParameters() {
    static const char* kTypes[] = {"int", "float", "bool", "choice"};
    std::cout << "\nModel parameters (--param KEY=VALUE):\n";
    for (const auto& entry : ModelRegistry::global().entries()) {
        std::cout << "\n" << entry.name << ": " << entry.description << "\n";
        const std::unique_ptr<Recommender> model = entry.factory();
        for (const ParamSpec& p : model->paramSpecs()) {
            std::ostringstream range;
            if (p.type == ParamType::Choice) {
                for (size_t c = 0; c < p.choices.size(); ++c)
                    range << (c ? "|" : "") << p.choices[c];
            } else if (p.type != ParamType::Bool) {
                range << p.min << ".." << p.max;
            }
            std::cout << "  " << std::left << std::setw(28) << p.name << " "
                      << kTypes[static_cast<int>(p.type)] << ", default " << p.defaultValue
                      << (range.str().empty() ? "" : ", " + range.str()) << "\n"
                      << "      " << p.help << "\n";
        }
    }
}

}  // namespace

int cmdRun(const Args& args) {
    ArgParser parser("run",
                     "Train a model on the training part of a split (the validation part drives\n"
                     "early stopping) and evaluate it on the test part. Full ranking over the\n"
                     "catalogue minus what --exclude names; protocol loo ranks the test item\n"
                     "among 99 never-seen sampled items unless --negatives 0. The rules are in\n"
                     "docs/protocols.md.");
    parser.addPositional("DATA", "Dataset folder, .zip, or demo");
    parser.addOption("model", "NAME", "Model: " + joinNames(modelNames()));
    addSplitOptions(parser);
    parser.addOption("negatives", "N",
                     "Sampled evaluation with N never-seen items; 0 = full ranking",
                     "loo 99, else 0");
    parser.addOption("fit-on", "PART",
                     "auto (early-stopping models: train, refit on train+val where they refit; "
                     "others: train+val), train (never a refit) or train+val",
                     "auto");
    parser.addOption("sampler", "NAME", "Negatives drawn uniform or by popularity", "uniform");
    parser.addOption("param", "KEY=VALUE", "Model parameter (repeatable)");
    parser.addOption("k", "LIST", "Cut-offs", "10,20,50,100");
    parser.addOption("device", "DEV", "cpu, cuda or cuda:N (LibTorch models)", "cpu");
    parser.addOption("threads", "N", "Compute threads", "all cores");
    parser.addFlag("json", "Print one JSON object instead of a table");
    parser.addFlag("quiet", "No progress on stderr");
    parser.addFlag("no-cache", "Parse the dataset files even when a cached copy exists");
    parser.addOption("out", "DIR",
                     "Also write the run to a folder: run.json, per_user.csv, model.bin");
    parser.addOption("workspace", "DIR",
                     "Record the run (status, epochs, metrics, checkpoint) in a workspace folder");
    addDistOptions(parser);

    const auto usage = [](const std::string& message) {
        std::cerr << "recscope-cli " << message << "\n"
                  << "Try 'recscope-cli run --help'.\n";
        return 2;
    };
    Args rest;
    std::map<std::string, std::string> overrides;
    if (Status s = extractParams(args, rest, overrides); !s)
        return usage(s.error().message);
    if (Status s = parser.parse(rest); !s)
        return usage(s.error().message);
    if (parser.helpRequested()) {
        std::cout << parser.helpText();
        printModelParameters();
        return 0;
    }
    // Data-parallel (torchrun-style environment): ranks other than 0 train only; rank 0
    // evaluates, records and prints.
    const Result<std::optional<DistConfig>> dist = distConfigFromArgs(parser);
    if (!dist)
        return usage("run: " + dist.error().message);
    const std::optional<DistConfig>& group = dist.value();
    const bool follower = group && !group->leader();
    if (!parser.has("model"))
        return usage("run: --model is required (one of: " + joinNames(modelNames()) + ")");
    const std::string modelName = parser.value("model");
    std::unique_ptr<Recommender> model = createModel(modelName);
    if (!model)
        return usage("run: unknown model '" + modelName + "' (valid: " + joinNames(modelNames()) +
                     ")");
    if (Status s = model->configure(overrides); !s)
        return usage("run: " + s.error().message);
    const Result<SplitConfig> splitConfig = splitConfigFromArgs(parser);
    if (!splitConfig)
        return usage("run: " + splitConfig.error().message);
    const Result<std::vector<int>> ks = parseKs(parser.value("k", "10,20,50,100"));
    if (!ks)
        return usage(ks.error().message);
    const bool loo = splitConfig->protocol == Protocol::Loo;
    const Result<int64_t> negatives = parser.intValue("negatives", loo ? 99 : 0);
    const Result<int64_t> threads = parser.intValue("threads", 0);
    const Result<uint64_t> seed = parser.uint64Value("seed", 42);
    for (const Status& s : {negatives.status(), threads.status(), seed.status()})
        if (!s)
            return usage("run: " + s.error().message);
    if (negatives.value() < 0 || negatives.value() > 1000000)
        return usage("run: --negatives must be between 0 and 1000000");
    if (threads.value() < 0 || threads.value() > 1024)
        return usage("run: --threads must be between 0 and 1024");
    const std::string sampler = parser.value("sampler", "uniform");
    if (sampler != "uniform" && sampler != "popularity")
        return usage("run: --sampler must be uniform or popularity, got '" + sampler + "'");
    const std::string device = group ? deviceForRank(parser.value("device", "cpu"), *group)
                                     : parser.value("device", "cpu");
    if (!isValidDeviceName(device))
        return usage("run: --device must be cpu, cuda or cuda:N, got '" + device + "'");
    const std::string fitOn = parser.value("fit-on", "auto");
    if (fitOn != "auto" && fitOn != "train" && fitOn != "train+val")
        return usage("run: --fit-on must be auto, train or train+val, got '" + fitOn + "'");
    const bool quiet = parser.flag("quiet") || follower;
    const bool json = parser.flag("json") && !follower;

    RunConfig config;
    config.dataset = parser.positional(0);
    config.split = splitConfig.value();
    config.model = modelName;
    config.params = overrides;
    config.fitOn = fitOn;
    config.device = device;
    config.seed = seed.value();
    config.ks = ks.value();
    config.negatives = static_cast<int>(negatives.value());
    config.sampler =
        sampler == "popularity" ? NegativeSampler::Popularity : NegativeSampler::Uniform;
    config.keepPerUser = parser.has("out") || parser.has("workspace");
    config.worldSize = group ? group->worldSize : 1;
    if (Status s = validateRunConfig(config); !s)
        return usage("run: " + s.error().message);
    if (parser.has("out") && parser.value("out").empty())
        return usage("run: --out needs a folder name");

    // Ranks on one node share its cores unless --threads says otherwise.
    setComputeThreads(group && !parser.has("threads")
                          ? threadsForRank(*group, int(std::thread::hardware_concurrency()))
                          : static_cast<int>(threads.value()));
    const auto say = [quiet](const std::string& text) {
        if (!quiet)
            std::cerr << text << "\n";
    };

    StderrObserver printer;
    RunRecorder recorder(quiet ? nullptr : &printer);
    if (parser.has("workspace") && !follower)
        if (Status s = recorder.openWorkspace(parser.value("workspace")); !s) {
            std::cerr << "recscope-cli run: " << s.error().toString() << "\n";
            return 1;
        }
    if (parser.has("out") && !follower)
        recorder.setOutDirectory(parser.value("out"));

    std::unique_ptr<DataParallel> parallel;
    if (group) {
        say("Joining rank " + std::to_string(group->rank) + " of " +
            std::to_string(group->worldSize) + " at " + group->masterAddr + ":" +
            std::to_string(group->masterPort));
        Result<std::unique_ptr<DataParallel>> joined = DataParallel::connect(*group, device);
        if (!joined) {
            std::cerr << "recscope-cli run: " << joined.error().toString() << "\n";
            return 1;
        }
        parallel = std::move(joined).value();
        config.distBackend = parallel->backend();
    }
    // After the rendezvous a failing rank leaves its reason for the others.
    const auto failed = [&parallel](const std::string& text) {
        std::cerr << "recscope-cli run: " << text << "\n";
        if (parallel)
            parallel->reportFailure(text);
        return 1;
    };

    say("Loading " + parser.positional(0));
    Result<Dataset> loaded = openDataset(parser.positional(0), !parser.flag("no-cache"));
    if (!loaded)
        return failed(loaded.error().toString());
    if (Status s = recorder.begin(
            config, datasetIdentity(loaded.value(), datasetDisplayName(parser.positional(0))),
            model->params().values());
        !s)
        return failed("cannot record the run: " + s.error().toString());

    RunHooks hooks;
    hooks.observer = &recorder;
    hooks.cancel = RunRecorder::installSignalCancel();
    std::string lastStage;
    if (!quiet)
        hooks.progress = [&lastStage](const Progress& p) {
            if (p.stage != lastStage) {
                lastStage = p.stage;
                std::cerr << "  " << p.stage << "\n";
            }
        };
    hooks.parallel = parallel.get();
    const Result<RunOutcome> outcome = runExperiment(loaded.value(), config, hooks);
    if (follower)
        return outcome ? 0 : failed(modelName + " failed: " + outcome.error().toString());
    const Status recorded = recorder.finish(outcome);
    if (!outcome) {
        std::cerr << "recscope-cli run: " << modelName << " "
                  << (outcome.error().cancelled() ? "cancelled" : "failed: ")
                  << (outcome.error().cancelled() ? "" : outcome.error().toString()) << "\n";
        if (parallel)
            parallel->reportFailure(outcome.error().toString());
        return 1;
    }
    if (!recorded) {
        std::cerr << "recscope-cli run: cannot save the run: " << recorded.error().toString()
                  << "\n";
        return 1;
    }
    if (recorder.runId())
        say("Recorded as run " + std::to_string(recorder.runId()) + " in " +
            parser.value("workspace"));
    if (parser.has("out"))
        say("Run folder written: " + parser.value("out"));
    const RunOutcome& o = outcome.value();
    const EvalResult& r = o.test;
    const bool mergeValidation = o.fitOnTrainAndValidation;
    const bool strong = config.split.protocol == Protocol::Strong;
    const double trainSeconds = o.trainSeconds;
    const double evalSeconds = o.evalSeconds;
    EvalConfig eval;
    eval.ks = config.ks;
    eval.mode = o.evaluatedNegatives > 0 ? EvalMode::Sampled : EvalMode::Full;
    eval.negatives = o.evaluatedNegatives;
    const std::optional<StageMetrics>& stages = o.stages;

    if (json) {
        nlohmann::json metrics = nlohmann::json::object();
        for (const auto& [k, v] : r.metrics)
            metrics[k] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
        nlohmann::json params = nlohmann::json::object();
        for (const auto& [k, v] : o.params)
            params[k] = v;
        nlohmann::json out = {{"model", modelName},
                              {"params", params},
                              {"protocol", protocolName(splitConfig->protocol)},
                              {"split", splitJson(config.split)},
                              {"evaluation", eval.mode == EvalMode::Full ? "full" : "sampled"},
                              {"exclude", excludeRuleName(config.split.exclude)},
                              {"fit_on", mergeValidation ? "train+val" : "train"},
                              {"train_ratings", o.trainRatings},
                              {"negatives", eval.mode == EvalMode::Full ? 0 : eval.negatives},
                              {"sampler", sampler},
                              {"ks", eval.ks},
                              {"users_evaluated", r.usersEvaluated},
                              {"train_seconds", trainSeconds},
                              {"eval_seconds", evalSeconds},
                              {"train_samples_per_second", o.trainSamplesPerSecond},
                              {"epoch_seconds", o.epochSeconds},
                              {"device", o.device},
                              {"seed", seed.value()},
                              {"threads", computeThreads()},
                              {"metrics", metrics}};
        if (parallel) {
            out["world_size"] = parallel->worldSize();
            out["dist_backend"] = parallel->backend();
        }
        if (stages) {
            nlohmann::json retriever = nlohmann::json::object();
            for (const auto& [k, v] : stages->retriever)
                retriever[k] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
            const auto finite = [](double v) {
                return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
            };
            out["stages"] = {{"retriever", retriever},
                             {"candidates",
                              {{"n", stages->candidates},
                               {"recall", finite(stages->candidateRecall)},
                               {"hit", finite(stages->candidateHit)},
                               {"index", stages->index}}}};
        }
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::string paramText;
    for (const auto& [k, v] : o.params)
        paramText += (paramText.empty() ? "" : ", ") + k + "=" + v;
    std::cout << "Model:      " << modelName << (paramText.empty() ? "" : " (" + paramText + ")")
              << "\n"
              << "Protocol:   " << protocolName(splitConfig->protocol) << ", "
              << (eval.mode == EvalMode::Full
                      ? std::string("full ranking")
                      : std::to_string(eval.negatives) + " " + sampler + " negatives")
              << ", excluding " << excludeRuleName(config.split.exclude) << ", " << r.usersEvaluated
              << " users evaluated\n"
              << "Fitted on:  " << (mergeValidation ? "train + validation" : "train") << ", "
              << o.trainRatings << " ratings\n"
              << std::fixed << std::setprecision(2) << "Time:       train " << trainSeconds
              << " s, evaluation " << evalSeconds << " s (" << o.device << ", " << computeThreads()
              << " threads)\n";
    if (parallel)
        std::cout << "Parallel:   " << parallel->worldSize() << " ranks, " << parallel->backend()
                  << "\n";
    if (o.trainSamplesPerSecond > 0.0)
        std::cout << std::setprecision(0) << "Throughput: " << o.trainSamplesPerSecond
                  << " training samples/s, " << std::setprecision(2) << o.epochSeconds
                  << " s per epoch\n";
    std::cout << "\n";
    printTable(r, eval.ks, strong);
    if (stages) {
        std::cout << "\nRetriever alone (same users):\n";
        EvalResult retriever;
        retriever.metrics = stages->retriever;
        printTable(retriever, eval.ks, strong);
        std::cout << std::setprecision(4) << "\nCandidates: " << stages->candidates << " from "
                  << stages->index << " index";
        if (std::isfinite(stages->candidateRecall))
            std::cout << ", recall " << stages->candidateRecall << ", hit rate "
                      << stages->candidateHit << " (the ranker's ceiling)\n";
        else
            std::cout << " (their recall is not measured in sampled evaluation)\n";
    }
    return 0;
}

}  // namespace recscope::cli
