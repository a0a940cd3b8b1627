#pragma once
// The one entry point for opening a dataset: a folder or an official .zip of any MovieLens
// release; the format is detected from the file names. Parsed datasets are cached in a binary
// file keyed by the source path and invalidated when the source's size or mtime change.

#include <optional>
#include <string>

#include "core/common/Progress.h"
#include "core/common/Status.h"
#include "core/data/Dataset.h"

namespace recscope {

struct LoadOptions {
    bool useCache = true;
    std::string cacheDir;  // empty: $RECSCOPE_CACHE_DIR, else $XDG_CACHE_HOME/recscope,
                           // else ~/.cache/recscope
    int threads = 0;       // <= 0: hardware concurrency
};

// Errors name the file (or "archive.zip:entry") and the line, and what was expected.
// Cancellation returns an error with message "cancelled".
Result<Dataset> loadDataset(const std::string& path, const LoadOptions& options = {},
                            const ProgressFn& progress = {}, const CancelToken* cancel = nullptr);

// The release family found at path (folder or zip), or an error explaining what is missing.
Result<DatasetFormat> detectFormat(const std::string& path);

}  // namespace recscope
