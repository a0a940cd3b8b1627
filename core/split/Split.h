#pragma once
// Train / validation / test splits exactly as ../shared/docs/protocols.md defines them.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/Status.h"

namespace recscope {

class Dataset;

// Column-oriented interactions with dense ids of the source Dataset. Within a split part,
// rows are grouped by user (ascending) and in time order within a user.
struct Interactions {
    std::vector<int32_t> users;
    std::vector<int32_t> items;
    std::vector<float> ratings;
    std::vector<int64_t> timestamps;

    size_t size() const { return users.size(); }
    bool empty() const { return users.empty(); }
    void reserve(size_t n);
    void append(int32_t user, int32_t item, float rating, int64_t timestamp);
    int32_t distinctUsers() const;
};

enum class Protocol { Temporal, Loo, Ratio };

std::string protocolName(Protocol protocol);  // "temporal", "loo", "ratio"
std::optional<Protocol> parseProtocol(const std::string& name);

struct SplitConfig {
    Protocol protocol = Protocol::Temporal;
    int nTest = 5;              // temporal: last n_test ratings of an eligible user -> test
    int nVal = 1;               // temporal: the n_val before them -> validation
    int minTrain = 5;           // temporal/loo: eligible users have >= minTrain + nVal + nTest
    double threshold = 4.0;     // rating >= threshold is a positive; 0 = every rating positive
    double testFraction = 0.2;  // ratio
    double valFraction = 0.0;   // ratio
    uint64_t seed = 42;         // ratio
};

// The defaults of a protocol: temporal (5, 1, 5, threshold 4); loo (1 test, 1 val, min-train 1,
// every rating positive); ratio (0.2 test, 0 val, every rating positive, seed 42).
SplitConfig defaultSplitConfig(Protocol protocol);

struct Split {
    SplitConfig config;
    double threshold = 0.0;  // positive threshold used (copied from config)
    int32_t numUsers = 0;    // of the source dataset (dense id space)
    int32_t numItems = 0;
    Interactions train;
    Interactions validation;
    Interactions test;

    bool isPositive(float rating) const { return rating >= threshold; }
};

// Ok, or an error naming the first bad field (negative counts, fractions outside [0,1),
// test + validation fractions >= 1, non-finite threshold).
Status validateSplitConfig(const SplitConfig& config);

// The split with each user's validation rows merged into their training rows (time order kept,
// validation left empty). Used for models that do not stop early: the validation part exists to
// choose an epoch, so a model that has none trains on it, as the NCF protocol does.
Split withValidationInTrain(const Split& split);

// Invalid configuration (negative counts, fractions outside [0,1), test+val >= 1) is an error.
Result<Split> makeSplit(const Dataset& dataset, const SplitConfig& config);

}  // namespace recscope
