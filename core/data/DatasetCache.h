#pragma once
// Binary cache of parsed datasets, one file per source path in a cache folder. A cache file
// holds a header (magic, version, the source fingerprint: path, size and mtime of every file
// read), a checksum, then the raw columns and metadata. It is written to a temporary file and
// renamed into place, so readers never see half a file. A stale, truncated or corrupt file is
// ignored (and overwritten by the next store), never trusted.
//
// Thread rules: distinct instances may be used from distinct threads; concurrent stores for the
// same source are safe (last rename wins).

#include <cstdint>
#include <optional>
#include <string>

#include "core/common/Status.h"
#include "core/data/Dataset.h"

namespace recscope {

class DatasetCache {
public:
    static constexpr uint32_t kVersion = 1;

    explicit DatasetCache(std::string dir) : m_dir(std::move(dir)) {}

    // configured if not empty, else $RECSCOPE_CACHE_DIR, $XDG_CACHE_HOME/recscope,
    // ~/.cache/recscope.
    static std::string resolveDir(const std::string& configured);

    const std::string& dir() const { return m_dir; }
    // The cache file for a (canonical) source path.
    std::string fileFor(const std::string& sourcePath) const;

    // The cached dataset when the file exists, is intact and its fingerprint matches.
    std::optional<Dataset> load(const std::string& sourcePath,
                                const std::string& fingerprint) const;
    // Writes atomically; creates the folder when needed.
    Status store(const Dataset& dataset, const std::string& sourcePath,
                 const std::string& fingerprint) const;

private:
    std::string m_dir;
};

}  // namespace recscope
