#pragma once
// A hyper-parameter sweep: one model on one protocol, some of its parameters varied, each
// configuration trained on the training part and scored on the validation part, the best one
// then evaluated once on the test part (SweepRunner.h). This file holds the definition and its
// expansion into trial configurations; both are pure functions of the spec, so a resumed sweep
// finds the same trials in the same order.
//
// Dimensions:
//   List       given values                         --grid factors=16,32,64
//   Linear     count points from low to high        --linear reg=0:0.1:5
//   Log        count points, equal ratios           --log lr=1e-3:1e-1:3  -> 0.001, 0.01, 0.1
//   Uniform    a seeded draw in [low, high]         --uniform dropout=0:0.5
//   LogUniform a seeded draw, uniform in log space  --log-uniform lr=1e-4:1e-1
// Expansion: without a drawn dimension the trials are the grid (the cartesian product, first
// dimension varying slowest); a budget below the grid size keeps a seeded subset of the grid in
// grid order. With a drawn dimension every trial draws every dimension (a grid dimension picks
// one of its points uniformly), `budget` trials, as scikit-learn's ParameterSampler does.
// Integer parameters are rounded (duplicates after rounding dropped); values are written with
// six significant digits ("0.001", "0.0316228").

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/common/Status.h"
#include "core/run/Experiment.h"

namespace recscope {

struct SweepDimension {
    enum class Kind { List, Linear, Log, Uniform, LogUniform };
    std::string param;
    Kind kind = Kind::List;
    std::vector<std::string> values;  // List
    double low = 0.0;                 // ranges and draws
    double high = 0.0;
    int count = 0;  // Linear, Log: points including both ends (>= 2; 1 = low only)

    bool drawn() const { return kind == Kind::Uniform || kind == Kind::LogUniform; }
};

// "list", "linear", "log", "uniform", "log-uniform" (the CLI option names, "list" = --grid).
std::string sweepKindName(SweepDimension::Kind kind);
bool parseSweepKind(const std::string& name, SweepDimension::Kind* kind);

// Parses the text after "NAME=": a comma list for List, "LOW:HIGH:COUNT" for Linear and Log,
// "LOW:HIGH" for the draws. Errors say what was expected ("--log lr: expected LOW:HIGH:COUNT").
Result<SweepDimension> parseSweepDimension(SweepDimension::Kind kind, const std::string& param,
                                           const std::string& text);
// The same text back ("16,32,64", "0.001:0.1:3").
std::string sweepDimensionText(const SweepDimension& dimension);

struct SweepSpec {
    RunConfig base;  // dataset, split, model, fixed params, seed, ks ...; evaluateOn is ignored
    std::vector<SweepDimension> dimensions;  // distinct parameters
    int budget = 0;                  // trials at most; 0 = the whole grid (required with a draw)
    uint64_t drawSeed = 1;           // subsets and draws
    std::string metric = "ndcg@10";  // chosen on validation; rmse / mae are minimised

    bool hasDraws() const;
};

struct SweepTrial {
    int index = 0;                              // 0-based, in expansion order
    std::map<std::string, std::string> params;  // the swept values only
};

// Checks the spec against the model's ParamSpecs (known names, types, ranges, each parameter
// swept once, Bool / Choice parameters as lists only), the budget (needed with a draw, at most
// 10,000 trials), the metric (its K among base.ks) and the split (it must have a validation
// part); then expands. Every trial's full configuration passes validateRunConfig.
Result<std::vector<SweepTrial>> expandSweep(const SweepSpec& spec);

// The trial's run configuration: base + swept params, evaluated on validation, trained on the
// training part only.
RunConfig trialRunConfig(const SweepSpec& spec, const SweepTrial& trial);

// Lossless JSON (stored with the sweep in the workspace); fromJson names the bad field.
nlohmann::json sweepSpecToJson(const SweepSpec& spec);
Result<SweepSpec> sweepSpecFromJson(const nlohmann::json& json);

// "factors=32, lr=0.01" (names in order).
std::string sweepParamsText(const std::map<std::string, std::string>& params);

}  // namespace recscope
