#pragma once
// Metric means by user activity: evaluated users are split into groups of (nearly) equal size
// by their number of training ratings (quartiles by default).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace recscope {

struct EvalResult;
struct TrainData;

struct ActivityGroup {
    int64_t minTrain = 0;  // training ratings of the group's least active user
    int64_t maxTrain = 0;  // ... and of its most active one
    int64_t users = 0;
    std::map<std::string, double> means;  // per-user metric -> mean over the group's users
};

// Users are ordered by training size (ties by user id) and cut into `groups` consecutive
// groups; empty groups are dropped. Uses every per-user vector of the result.
std::vector<ActivityGroup> activityBreakdown(const EvalResult& result, const TrainData& train,
                                             int groups = 4);

// The same groups as positions into result.users (and its per-user vectors).
struct ActivitySlice {
    int64_t minTrain = 0;
    int64_t maxTrain = 0;
    std::vector<size_t> entries;
};
std::vector<ActivitySlice> activitySlices(const EvalResult& result, const TrainData& train,
                                          int groups = 4);

}  // namespace recscope
