#pragma once
// How every recscope-cli command opens its dataset argument: a MovieLens folder or .zip
// through loadDataset, or "demo" for the built-in synthetic dataset.

#include <string>

#include "core/common/Status.h"
#include "core/data/Dataset.h"

namespace recscope::cli {

// useCache = false bypasses the binary cache (--no-cache). Errors name the path.
Result<Dataset> openDataset(const std::string& path, bool useCache = true);

// "1997-09-20" for Unix seconds (UTC, proleptic Gregorian).
std::string isoDate(int64_t unixSeconds);

}  // namespace recscope::cli
