#pragma once
// The options that make a RunConfig from a command line: the model and its fixed parameters,
// the split, cut-offs, sampled negatives, device, fit rule and seed. Used by `sweep` (which
// varies some parameters on top of them); the names and meanings are those of `run`.

#include <string>

#include "app/cli/ArgParser.h"
#include "core/common/Status.h"
#include "core/run/Experiment.h"

namespace recscope::cli {

// --model, --param KEY=VALUE (repeatable), the split options, --k, --negatives, --sampler,
// --device, --fit-on, --threads.
void addRunOptions(ArgParser& parser);

// A validated configuration for `dataset`; errors are usage errors (exit code 2) naming the
// option. Also applies --threads to the compute pool.
Result<RunConfig> runConfigFromArgs(const ArgParser& parser, const std::string& dataset);

// "a, b, c".
std::string joinNames(const std::vector<std::string>& names);

}  // namespace recscope::cli
