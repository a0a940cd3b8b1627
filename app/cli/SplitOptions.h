#pragma once
// The split options shared by `split` and `run`: declare them on a parser, then read a
// validated SplitConfig back. Defaults are the protocol's (defaultSplitConfig), so
// "--protocol loo" alone gives the NCF leave-one-out split.

#include "app/cli/ArgParser.h"
#include "core/common/Status.h"
#include "core/split/Split.h"

namespace recscope::cli {

// --protocol, --n-test, --n-val, --min-train, --threshold, --test-fraction, --val-fraction,
// --seed, --exclude, --min-rating, --kcore, --stratify, --heldout-users.
void addSplitOptions(ArgParser& parser);

// A malformed number, an unknown protocol or rule, an option of another protocol (--stratify
// outside ratio, --heldout-users outside strong) or an invalid combination is an error (a
// usage error for the caller: exit code 2).
Result<SplitConfig> splitConfigFromArgs(const ArgParser& parser);

}  // namespace recscope::cli
