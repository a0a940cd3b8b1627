#pragma once
// Item side-features shared by the two-tower item tower and the ranker: release-year buckets
// and genre masks taken from a Dataset's metadata, with safe fallbacks when a dataset has none.

#include <cstdint>
#include <vector>

namespace recscope {

class Dataset;

// Bucket 0 = unknown year; 1..kYearBuckets-1 = five-year spans from 1920 (earlier years go to
// bucket 1, later than 2020 to the last one).
constexpr int kYearBuckets = 23;
inline int64_t yearBucket(int16_t year) {
    if (year <= 0)
        return 0;
    const int b = 1 + (year - 1920) / 5;
    return b < 1 ? 1 : (b >= kYearBuckets ? kYearBuckets - 1 : b);
}

struct ItemFeatures {
    int numGenres = 0;                 // 0 when the dataset has no genres
    std::vector<uint32_t> genreMasks;  // numItems (zeros when absent)
    std::vector<int64_t> yearBuckets;  // numItems (zeros when absent)
    bool hasYears = false;

    // dataset may be null; metadata shorter than numItems is padded with "unknown".
    static ItemFeatures fromDataset(const Dataset* dataset, int32_t numItems);
};

}  // namespace recscope
