#include "core/pipeline/ItemFeatures.h"

#include <algorithm>

#include "core/data/Dataset.h"

namespace recscope {

ItemFeatures ItemFeatures::fromDataset(const Dataset* dataset, int32_t numItems) {
    ItemFeatures f;
    f.genreMasks.assign(static_cast<size_t>(numItems), 0u);
    f.yearBuckets.assign(static_cast<size_t>(numItems), 0);
    if (!dataset)
        return f;
    const auto& meta = dataset->itemMetadata();
    f.numGenres = static_cast<int>(std::min<size_t>(meta.genreNames.size(), 32));
    const size_t ng = std::min(meta.genreMasks.size(), static_cast<size_t>(numItems));
    for (size_t i = 0; i < ng; ++i)
        f.genreMasks[i] = meta.genreMasks[i];
    const size_t ny = std::min(meta.years.size(), static_cast<size_t>(numItems));
    for (size_t i = 0; i < ny; ++i) {
        f.yearBuckets[i] = yearBucket(meta.years[i]);
        f.hasYears = f.hasYears || f.yearBuckets[i] != 0;
    }
    if (f.numGenres == 0)
        std::fill(f.genreMasks.begin(), f.genreMasks.end(), 0u);
    return f;
}

}  // namespace recscope
