#pragma once
// Dense (user, item) context inputs of the ranker, from the time stamps of the ratings a stage
// was trained on. Two-tower scores carry no time, yet under a temporal split the next items a
// user rates are those that existed, and were being rated, when the user was last active:
//   0  user activity: log(1 + ratings of the user) / 10
//   1  "not yet": 1 when nobody had rated the item by the user's last rating (or never)
//   2  item age at the user's last rating: log(1 + days since the item's first rating) / 10
//   3  item trend: log(1 + the item's ratings in the time bucket of the user's last rating and
//      the bucket before) / 5; buckets split the ratings by time into kBuckets equal counts,
//      so the window adapts to the dataset's rate (about 3% of its ratings)
// Users without ratings (or out of range) get zeros; items out of range count as "not yet".
// Plain data: built once, const and thread-safe afterwards; tables are public for save/load.

#include <cstdint>
#include <vector>

namespace recscope {

struct Interactions;

class ContextFeatures {
public:
    static constexpr int kCount = 4;
    static constexpr int kBuckets = 64;

    // part: ratings in any order with Unix-second time stamps; ids outside
    // [0, numUsers) x [0, numItems) are skipped.
    static ContextFeatures fromInteractions(const Interactions& part, int32_t numUsers,
                                            int32_t numItems);

    // out: n x kCount floats, row-major, caller-owned.
    void fill(const int32_t* users, const int32_t* items, int64_t n, float* out) const;

    bool empty() const { return userLast.empty(); }

    std::vector<int64_t> userLast;      // numUsers: latest time stamp (INT64_MIN: no rating)
    std::vector<int32_t> userCount;     // numUsers
    std::vector<int64_t> itemFirst;     // numItems: earliest time stamp (INT64_MAX: none)
    std::vector<int64_t> bucketStarts;  // kBuckets: first time stamp of each bucket, ascending
    std::vector<int32_t> bucketCounts;  // numItems x kBuckets, row-major
};

}  // namespace recscope
