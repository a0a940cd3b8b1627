#pragma once
// Train / validation / test splits exactly as docs/protocols.md defines them (P1 temporal,
// P2 loo, P3 ratio, P4 strong), with the row filters that published set-ups apply first.

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

enum class Protocol { Temporal, Loo, Ratio, Strong };

std::string protocolName(Protocol protocol);  // "temporal", "loo", "ratio", "strong"
std::optional<Protocol> parseProtocol(const std::string& name);

// What every ranked list of a run leaves out (docs/protocols.md, "What a list may contain";
// applied by core/eval/Exclusion.h): the user's training positives, or every item the user
// rated in training.
enum class ExcludeRule { Positives, Rated };
std::string excludeRuleName(ExcludeRule rule);  // "positives", "rated"
std::optional<ExcludeRule> parseExcludeRule(const std::string& name);

// Ratio split: sample each user's ratings (the usual per-user split) or each item's ratings
// (Microsoft Recommenders' split stratified by item).
enum class Stratify { User, Item };
std::string stratifyName(Stratify stratify);  // "user", "item"
std::optional<Stratify> parseStratify(const std::string& name);

struct SplitConfig {
    Protocol protocol = Protocol::Temporal;
    int nTest = 5;              // temporal: last n_test ratings of an eligible user -> test
    int nVal = 1;               // temporal: the n_val before them -> validation
    int minTrain = 5;           // temporal/loo: eligible users have >= minTrain + nVal + nTest
    double threshold = 4.0;     // rating >= threshold is a positive; 0 = every rating positive
    double testFraction = 0.2;  // ratio; strong: each held-out user's target share
    double valFraction = 0.0;   // ratio
    uint64_t seed = 42;         // ratio and strong
    ExcludeRule exclude = ExcludeRule::Positives;  // every protocol
    // Row filters, applied before any protocol: ratings below minRating are dropped (0 = keep
    // all); then users and items with fewer than kcore ratings are dropped, repeatedly, until
    // every remaining user and item has kcore (0 = off). Dropped rows are in no part.
    double minRating = 0.0;
    int kcore = 0;
    Stratify stratify = Stratify::User;  // ratio
    // strong: number of held-out users (a seeded permutation of the users with >= minTrain
    // ratings after the filters); -1 = 10% of them, at most 10,000.
    int heldoutUsers = -1;
};

// The defaults of a protocol: temporal (5, 1, 5, threshold 4); loo (1 test, 1 val, min-train 1,
// every rating positive); ratio (0.2 test, 0 val, every rating positive, seed 42); strong
// (ratings >= 4 kept and all positive, users with >= 5 of them, 20% of each held-out user's
// items as target, seed 42). Every protocol excludes the training positives.
SplitConfig defaultSplitConfig(Protocol protocol);

struct Split {
    SplitConfig config;
    double threshold = 0.0;  // positive threshold used (copied from config)
    int32_t numUsers = 0;    // of the source dataset (dense id space)
    int32_t numItems = 0;
    Interactions train;
    Interactions validation;
    Interactions test;
    // strong: the held-out users' fold-in rows (their other 80%). These users have no training
    // row; a model sees them only through scoreHistory() of these rows.
    Interactions foldIn;
    // Validation rows that withValidationInTrain() moved into `train`. The exclusion rule
    // still removes them from test lists, so a list's rule does not depend on --fit-on.
    Interactions validationInTrain;

    bool isPositive(float rating) const { return rating >= threshold; }
};

// Ok, or an error naming the first bad field (negative counts, fractions outside [0,1),
// test + validation fractions >= 1, non-finite threshold or min-rating, kcore < 0,
// held-out users < -1 or 0, a strong target share of 0).
Status validateSplitConfig(const SplitConfig& config);

// The split with each user's validation rows merged into their training rows (time order kept,
// validation left empty, its rows kept in validationInTrain). Used for models that do not stop
// early: the validation part exists to choose an epoch, so a model that has none trains on it,
// as the NCF protocol does (docs/protocols.md, "What a model is fitted on").
Split withValidationInTrain(const Split& split);

// Invalid configuration (see validateSplitConfig) is an error, and so is a strong split whose
// filters leave fewer than two eligible users.
Result<Split> makeSplit(const Dataset& dataset, const SplitConfig& config);

}  // namespace recscope
