#include "app/cli/OpenDataset.h"

#include <cstdio>

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

std::string isoDate(int64_t unixSeconds) {
    // Days to civil date (H. Hinnant's algorithm): no gmtime, so no locale or thread issues.
    int64_t days = unixSeconds / 86400;
    if (unixSeconds % 86400 < 0)
        --days;
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const int64_t doe = days - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t day = doy - (153 * mp + 2) / 5 + 1;
    const int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(year),
                  static_cast<long long>(month), static_cast<long long>(day));
    return buf;
}

}  // namespace recscope::cli
