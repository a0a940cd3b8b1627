#include "app/cli/OpenDataset.h"

#include <cstdio>

#include "core/common/CivilDate.h"
#include "core/data/DatasetLoader.h"
#include "core/data/SyntheticGenerator.h"

namespace recscope::cli {

Result<Dataset> openDataset(const std::string& path, bool useCache) {
    if (path == "demo")
        return demoDataset();
    LoadOptions options;
    options.useCache = useCache;
    return loadDataset(path, options);
}

std::string isoDate(int64_t seconds) {
    const CivilDate d = civilDate(seconds);
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d", static_cast<long long>(d.year), d.month,
                  d.day);
    return buf;
}

}  // namespace recscope::cli
