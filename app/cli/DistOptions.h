#pragma once
// The data-parallel options of `run` (--dist, --dist-backend, --dist-timeout) and the torchrun
// environment they combine with (WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT).

#include <optional>

#include "app/cli/ArgParser.h"
#include "core/common/Status.h"
#include "core/dist/DistConfig.h"

namespace recscope::cli {

void addDistOptions(ArgParser& parser);

// nullopt: a plain single-process run. Errors (bad WORLD_SIZE / RANK, a bad option) are usage
// errors for the caller: exit code 2, before anything is loaded.
Result<std::optional<DistConfig>> distConfigFromArgs(const ArgParser& parser);

}  // namespace recscope::cli
