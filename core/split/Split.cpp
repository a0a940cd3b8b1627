#include "core/split/Split.h"

#include <algorithm>
#include <cmath>

#include "core/data/Dataset.h"
#include "core/data/DeterministicRng.h"

namespace recscope {

void Interactions::reserve(size_t n) {
    users.reserve(n);
    items.reserve(n);
    ratings.reserve(n);
    timestamps.reserve(n);
}

void Interactions::append(int32_t user, int32_t item, float rating, int64_t timestamp) {
    users.push_back(user);
    items.push_back(item);
    ratings.push_back(rating);
    timestamps.push_back(timestamp);
}

int32_t Interactions::distinctUsers() const {
    if (users.empty())
        return 0;
    if (std::is_sorted(users.begin(), users.end())) {
        int32_t count = 1;
        for (size_t i = 1; i < users.size(); ++i)
            if (users[i] != users[i - 1])
                ++count;
        return count;
    }
    std::vector<int32_t> sorted = users;
    std::sort(sorted.begin(), sorted.end());
    return static_cast<int32_t>(std::unique(sorted.begin(), sorted.end()) - sorted.begin());
}

std::string protocolName(Protocol protocol) {
    switch (protocol) {
        case Protocol::Temporal:
            return "temporal";
        case Protocol::Loo:
            return "loo";
        case Protocol::Ratio:
            return "ratio";
    }
    return "temporal";
}

std::optional<Protocol> parseProtocol(const std::string& name) {
    for (Protocol p : {Protocol::Temporal, Protocol::Loo, Protocol::Ratio})
        if (protocolName(p) == name)
            return p;
    return std::nullopt;
}

SplitConfig defaultSplitConfig(Protocol protocol) {
    SplitConfig c;
    c.protocol = protocol;
    switch (protocol) {
        case Protocol::Temporal:
            c.nTest = 5;
            c.nVal = 1;
            c.minTrain = 5;
            c.threshold = 4.0;
            break;
        case Protocol::Loo:
            c.nTest = 1;
            c.nVal = 1;
            c.minTrain = 1;
            c.threshold = 0.0;
            break;
        case Protocol::Ratio:
            c.testFraction = 0.2;
            c.valFraction = 0.0;
            c.threshold = 0.0;
            c.seed = 42;
            break;
    }
    return c;
}

Status validateSplitConfig(const SplitConfig& c) {
    if (c.nTest < 0)
        return makeError("split: n-test must be >= 0, got " + std::to_string(c.nTest));
    if (c.nVal < 0)
        return makeError("split: n-val must be >= 0, got " + std::to_string(c.nVal));
    if (c.minTrain < 0)
        return makeError("split: min-train must be >= 0, got " + std::to_string(c.minTrain));
    if (!std::isfinite(c.threshold))
        return makeError("split: threshold must be a finite number");
    if (!(c.testFraction >= 0.0 && c.testFraction < 1.0))
        return makeError("split: test fraction must be in [0, 1), got " +
                         std::to_string(c.testFraction));
    if (!(c.valFraction >= 0.0 && c.valFraction < 1.0))
        return makeError("split: validation fraction must be in [0, 1), got " +
                         std::to_string(c.valFraction));
    if (c.testFraction + c.valFraction >= 1.0)
        return makeError("split: test + validation fractions must be below 1, got " +
                         std::to_string(c.testFraction + c.valFraction));
    return {};
}

namespace {

// Appends ratings [begin, end) of the dataset (one user's, in time order) to `part`.
void appendRange(const Dataset& d, int32_t user, int64_t begin, int64_t end, Interactions& part) {
    for (int64_t r = begin; r < end; ++r) {
        const size_t s = static_cast<size_t>(r);
        part.append(user, d.items()[s], d.rating(r), d.timestamps()[s]);
    }
}

}  // namespace

Result<Split> makeSplit(const Dataset& dataset, const SplitConfig& config) {
    if (Status s = validateSplitConfig(config); !s)
        return s;
    Split split;
    split.config = config;
    split.threshold = config.threshold;
    split.numUsers = dataset.numUsers();
    split.numItems = dataset.numItems();
    const auto& offsets = dataset.userOffsets();
    split.train.reserve(static_cast<size_t>(dataset.numRatings()));

    // Ratio: per-user sampling marks; kept outside the loop to reuse the buffers.
    std::vector<uint32_t> order;
    std::vector<uint8_t> part;  // 0 train, 1 validation, 2 test

    for (int32_t u = 0; u < dataset.numUsers(); ++u) {
        const int64_t b = offsets[static_cast<size_t>(u)];
        const int64_t e = offsets[static_cast<size_t>(u) + 1];
        const int64_t n = e - b;
        switch (config.protocol) {
            case Protocol::Temporal:
            case Protocol::Loo: {
                const int64_t nTest = config.protocol == Protocol::Loo ? 1 : config.nTest;
                const int64_t nVal = config.protocol == Protocol::Loo ? 1 : config.nVal;
                if (n < static_cast<int64_t>(config.minTrain) + nVal + nTest) {
                    appendRange(dataset, u, b, e, split.train);
                    break;
                }
                appendRange(dataset, u, b, e - nVal - nTest, split.train);
                appendRange(dataset, u, e - nVal - nTest, e - nTest, split.validation);
                appendRange(dataset, u, e - nTest, e, split.test);
                break;
            }
            case Protocol::Ratio: {
                int64_t nTest = std::llround(static_cast<double>(n) * config.testFraction);
                int64_t nVal = std::llround(static_cast<double>(n) * config.valFraction);
                // Keep at least one training rating: shrink validation first, then test.
                while (n > 0 && nTest + nVal > n - 1) {
                    if (nVal > 0)
                        --nVal;
                    else
                        --nTest;
                }
                if (n == 0)
                    break;
                // One stream per user (by original id): the split does not depend on user
                // order, thread count or the other users.
                DeterministicRng rng(
                    mixSeed(config.seed, static_cast<uint64_t>(dataset.originalUserId(u))));
                order.resize(static_cast<size_t>(n));
                for (size_t i = 0; i < order.size(); ++i)
                    order[i] = static_cast<uint32_t>(i);
                // Partial Fisher-Yates: the first nTest + nVal positions are a uniform sample.
                const int64_t held = nTest + nVal;
                for (int64_t i = 0; i < held; ++i) {
                    const uint64_t j =
                        static_cast<uint64_t>(i) + rng.below(static_cast<uint64_t>(n - i));
                    std::swap(order[static_cast<size_t>(i)], order[j]);
                }
                part.assign(static_cast<size_t>(n), 0);
                for (int64_t i = 0; i < held; ++i)
                    part[order[static_cast<size_t>(i)]] = i < nTest ? 2 : 1;
                for (int64_t i = 0; i < n; ++i) {
                    const int64_t r = b + i;
                    Interactions& target = part[static_cast<size_t>(i)] == 2   ? split.test
                                           : part[static_cast<size_t>(i)] == 1 ? split.validation
                                                                               : split.train;
                    target.append(u, dataset.items()[static_cast<size_t>(r)], dataset.rating(r),
                                  dataset.timestamps()[static_cast<size_t>(r)]);
                }
                break;
            }
        }
    }
    return split;
}


Split withValidationInTrain(const Split& split) {
    Split merged;
    merged.config = split.config;
    merged.threshold = split.threshold;
    merged.numUsers = split.numUsers;
    merged.numItems = split.numItems;
    merged.test = split.test;
    const Interactions& a = split.train;
    const Interactions& b = split.validation;
    Interactions& out = merged.train;
    out.reserve(a.size() + b.size());
    // Both parts are grouped by ascending user and time-ordered within a user: a two-way merge
    // keeps that invariant. Equal (user, time) keeps the training row first.
    size_t i = 0, j = 0;
    auto takeA = [&] { out.append(a.users[i], a.items[i], a.ratings[i], a.timestamps[i]); ++i; };
    auto takeB = [&] { out.append(b.users[j], b.items[j], b.ratings[j], b.timestamps[j]); ++j; };
    while (i < a.size() && j < b.size()) {
        if (a.users[i] != b.users[j])
            a.users[i] < b.users[j] ? takeA() : takeB();
        else
            b.timestamps[j] < a.timestamps[i] ? takeB() : takeA();
    }
    while (i < a.size())
        takeA();
    while (j < b.size())
        takeB();
    return merged;
}

}  // namespace recscope
