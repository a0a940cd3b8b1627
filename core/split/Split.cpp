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
        case Protocol::Strong:
            return "strong";
    }
    return "temporal";
}

std::optional<Protocol> parseProtocol(const std::string& name) {
    for (Protocol p : {Protocol::Temporal, Protocol::Loo, Protocol::Ratio, Protocol::Strong})
        if (protocolName(p) == name)
            return p;
    return std::nullopt;
}

std::string excludeRuleName(ExcludeRule rule) {
    return rule == ExcludeRule::Rated ? "rated" : "positives";
}

std::optional<ExcludeRule> parseExcludeRule(const std::string& name) {
    for (ExcludeRule r : {ExcludeRule::Positives, ExcludeRule::Rated})
        if (excludeRuleName(r) == name)
            return r;
    return std::nullopt;
}

std::string stratifyName(Stratify stratify) {
    return stratify == Stratify::Item ? "item" : "user";
}

std::optional<Stratify> parseStratify(const std::string& name) {
    for (Stratify s : {Stratify::User, Stratify::Item})
        if (stratifyName(s) == name)
            return s;
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
        case Protocol::Strong:
            c.minRating = 4.0;
            c.threshold = 0.0;
            c.minTrain = 5;
            c.testFraction = 0.2;
            c.valFraction = 0.0;
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
    if (!std::isfinite(c.minRating) || c.minRating < 0.0)
        return makeError("split: min-rating must be a finite number >= 0");
    if (c.kcore < 0)
        return makeError("split: kcore must be >= 0, got " + std::to_string(c.kcore));
    if (c.heldoutUsers < -1 || c.heldoutUsers == 0)
        return makeError(
            "split: heldout-users must be at least 1 (or -1 for 10% of the users), got " +
            std::to_string(c.heldoutUsers));
    if (c.protocol == Protocol::Strong && c.testFraction <= 0.0)
        return makeError("split: strong needs a target share (test fraction) above 0");
    return {};
}

namespace {

// Where a dataset row goes.
enum Part : uint8_t { kTrain, kValidation, kTest, kFoldIn, kDropped };

// The row filters of SplitConfig: kDropped for rows below minRating, then the k-core.
std::vector<uint8_t> filteredRows(const Dataset& d, const SplitConfig& config) {
    std::vector<uint8_t> part(static_cast<size_t>(d.numRatings()), kTrain);
    if (config.minRating > 0.0)
        for (int64_t r = 0; r < d.numRatings(); ++r)
            if (d.rating(r) < config.minRating)
                part[static_cast<size_t>(r)] = kDropped;
    if (config.kcore <= 0)
        return part;
    const auto& offsets = d.userOffsets();
    const auto& items = d.items();
    std::vector<int64_t> userCount(static_cast<size_t>(d.numUsers()));
    std::vector<int64_t> itemCount(static_cast<size_t>(d.numItems()));
    for (bool changed = true; changed;) {
        changed = false;
        std::fill(userCount.begin(), userCount.end(), 0);
        std::fill(itemCount.begin(), itemCount.end(), 0);
        for (int32_t u = 0; u < d.numUsers(); ++u)
            for (int64_t r = offsets[static_cast<size_t>(u)]; r < offsets[u + 1]; ++r)
                if (part[static_cast<size_t>(r)] != kDropped) {
                    ++userCount[static_cast<size_t>(u)];
                    ++itemCount[static_cast<size_t>(items[static_cast<size_t>(r)])];
                }
        for (int32_t u = 0; u < d.numUsers(); ++u)
            for (int64_t r = offsets[static_cast<size_t>(u)]; r < offsets[u + 1]; ++r) {
                uint8_t& p = part[static_cast<size_t>(r)];
                if (p != kDropped &&
                    (userCount[static_cast<size_t>(u)] < config.kcore ||
                     itemCount[static_cast<size_t>(items[static_cast<size_t>(r)])] <
                         config.kcore)) {
                    p = kDropped;
                    changed = true;
                }
            }
    }
    return part;
}

// Marks a uniform sample of `rows` (positions into `part`) drawn by a partial Fisher-Yates with
// one stream: the first nTest draws -> kTest, the next nVal -> kValidation.
void markSample(const std::vector<int64_t>& rows, int64_t nTest, int64_t nVal, uint64_t seed,
                std::vector<uint8_t>& part, std::vector<uint32_t>& order) {
    DeterministicRng rng(seed);
    const auto n = static_cast<int64_t>(rows.size());
    order.resize(rows.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = static_cast<uint32_t>(i);
    const int64_t held = nTest + nVal;
    for (int64_t i = 0; i < held; ++i) {
        const uint64_t j = static_cast<uint64_t>(i) + rng.below(static_cast<uint64_t>(n - i));
        std::swap(order[static_cast<size_t>(i)], order[j]);
    }
    for (int64_t i = 0; i < held; ++i)
        part[static_cast<size_t>(rows[order[static_cast<size_t>(i)]])] =
            i < nTest ? kTest : kValidation;
}

// Ratio counts of n ratings: rounded shares, keeping at least one training rating (validation
// shrinks first, then test).
std::pair<int64_t, int64_t> ratioCounts(int64_t n, const SplitConfig& config) {
    int64_t nTest = std::llround(static_cast<double>(n) * config.testFraction);
    int64_t nVal = std::llround(static_cast<double>(n) * config.valFraction);
    while (n > 0 && nTest + nVal > n - 1) {
        if (nVal > 0)
            --nVal;
        else
            --nTest;
    }
    return {std::max<int64_t>(0, nTest), std::max<int64_t>(0, nVal)};
}

// Streams apart from the per-user streams of the ratio split (which use the seed directly).
constexpr uint64_t kItemStreams = 0x5157A71F1EDB17E5ULL;
constexpr uint64_t kStrongUsers = 0x57A04E6C0FFEE001ULL;

// Item-stratified ratio split: each item's kept ratings are sampled with the item's own stream.
void markRatioByItem(const Dataset& d, const SplitConfig& config, std::vector<uint8_t>& part) {
    std::vector<std::vector<int64_t>> rowsOfItem(static_cast<size_t>(d.numItems()));
    for (int64_t r = 0; r < d.numRatings(); ++r)
        if (part[static_cast<size_t>(r)] != kDropped)
            rowsOfItem[static_cast<size_t>(d.items()[static_cast<size_t>(r)])].push_back(r);
    std::vector<uint32_t> order;
    const uint64_t streams = mixSeed(config.seed, kItemStreams);
    for (int32_t i = 0; i < d.numItems(); ++i) {
        const auto& rows = rowsOfItem[static_cast<size_t>(i)];
        const auto [nTest, nVal] = ratioCounts(static_cast<int64_t>(rows.size()), config);
        if (nTest + nVal > 0)
            markSample(rows, nTest, nVal,
                       mixSeed(streams, static_cast<uint64_t>(d.originalItemId(i))), part, order);
    }
}

// Strong generalisation: a seeded choice of held-out users; each has floor(testFraction * n)
// (at least one) target rows, the rest fold-in. Everyone else trains; users with fewer than
// minTrain kept ratings are dropped. Held-out rows of items nobody trains on are dropped too
// (they cannot be ranked), as in the Mult-VAE preprocessing.
Status markStrong(const Dataset& d, const SplitConfig& config, std::vector<uint8_t>& part) {
    const auto& offsets = d.userOffsets();
    std::vector<std::vector<int64_t>> rowsOf(static_cast<size_t>(d.numUsers()));
    std::vector<int32_t> eligible;
    for (int32_t u = 0; u < d.numUsers(); ++u) {
        auto& rows = rowsOf[static_cast<size_t>(u)];
        for (int64_t r = offsets[static_cast<size_t>(u)]; r < offsets[u + 1]; ++r)
            if (part[static_cast<size_t>(r)] != kDropped)
                rows.push_back(r);
        if (rows.size() >= 2 && static_cast<int64_t>(rows.size()) >= config.minTrain)
            eligible.push_back(u);
        else
            for (int64_t r : rows)
                part[static_cast<size_t>(r)] = kDropped;
    }
    if (eligible.size() < 2)
        return makeError("split: strong needs at least two users with >= " +
                         std::to_string(std::max(2, config.minTrain)) +
                         " ratings after the filters, found " + std::to_string(eligible.size()));
    const auto wanted = config.heldoutUsers > 0
                            ? static_cast<size_t>(config.heldoutUsers)
                            : std::min<size_t>(10000, std::max<size_t>(1, eligible.size() / 10));
    if (wanted >= eligible.size())
        return makeError("split: heldout-users (" + std::to_string(wanted) +
                         ") must leave at least one training user of the " +
                         std::to_string(eligible.size()) + " eligible");
    // Partial Fisher-Yates over the eligible users (ascending dense id = ascending original id).
    DeterministicRng rng(mixSeed(config.seed, kStrongUsers));
    for (size_t i = 0; i < wanted; ++i)
        std::swap(eligible[i], eligible[i + rng.below(eligible.size() - i)]);
    std::vector<uint32_t> order;
    for (size_t k = 0; k < wanted; ++k) {
        const int32_t u = eligible[k];
        const auto& rows = rowsOf[static_cast<size_t>(u)];
        for (int64_t r : rows)
            part[static_cast<size_t>(r)] = kFoldIn;
        const auto n = static_cast<int64_t>(rows.size());
        const int64_t nTarget = std::clamp<int64_t>(
            static_cast<int64_t>(std::floor(static_cast<double>(n) * config.testFraction)), 1,
            n - 1);
        markSample(rows, nTarget, 0,
                   mixSeed(config.seed, static_cast<uint64_t>(d.originalUserId(u))), part, order);
    }
    std::vector<char> trained(static_cast<size_t>(d.numItems()), 0);
    for (int64_t r = 0; r < d.numRatings(); ++r)
        if (part[static_cast<size_t>(r)] == kTrain)
            trained[static_cast<size_t>(d.items()[static_cast<size_t>(r)])] = 1;
    for (int64_t r = 0; r < d.numRatings(); ++r) {
        uint8_t& p = part[static_cast<size_t>(r)];
        if ((p == kTest || p == kFoldIn) &&
            !trained[static_cast<size_t>(d.items()[static_cast<size_t>(r)])])
            p = kDropped;
    }
    return {};
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

    // Decide every row's part, then emit the parts user by user in time order.
    std::vector<uint8_t> part = filteredRows(dataset, config);
    if (config.protocol == Protocol::Strong) {
        if (Status s = markStrong(dataset, config, part); !s)
            return s.error();
    } else if (config.protocol == Protocol::Ratio && config.stratify == Stratify::Item) {
        markRatioByItem(dataset, config, part);
    } else {
        std::vector<int64_t> rows;  // one user's kept rows, in time order
        std::vector<uint32_t> order;
        for (int32_t u = 0; u < dataset.numUsers(); ++u) {
            rows.clear();
            for (int64_t r = offsets[static_cast<size_t>(u)]; r < offsets[u + 1]; ++r)
                if (part[static_cast<size_t>(r)] != kDropped)
                    rows.push_back(r);
            const auto n = static_cast<int64_t>(rows.size());
            if (config.protocol == Protocol::Ratio) {
                const auto [nTest, nVal] = ratioCounts(n, config);
                // One stream per user (by original id): the split does not depend on user
                // order, thread count or the other users.
                if (nTest + nVal > 0)
                    markSample(
                        rows, nTest, nVal,
                        mixSeed(config.seed, static_cast<uint64_t>(dataset.originalUserId(u))),
                        part, order);
                continue;
            }
            // Temporal and loo: the user's last ratings, when the user has enough.
            const int64_t nTest = config.protocol == Protocol::Loo ? 1 : config.nTest;
            const int64_t nVal = config.protocol == Protocol::Loo ? 1 : config.nVal;
            if (n < static_cast<int64_t>(config.minTrain) + nVal + nTest)
                continue;
            for (int64_t i = n - nVal - nTest; i < n; ++i)
                part[static_cast<size_t>(rows[static_cast<size_t>(i)])] =
                    i < n - nTest ? kValidation : kTest;
        }
    }

    Interactions* target[] = {&split.train, &split.validation, &split.test, &split.foldIn};
    int64_t counts[4] = {0, 0, 0, 0};
    for (uint8_t p : part)
        if (p != kDropped)
            ++counts[p];
    for (int k = 0; k < 4; ++k)
        target[k]->reserve(static_cast<size_t>(counts[k]));
    for (int32_t u = 0; u < dataset.numUsers(); ++u)
        for (int64_t r = offsets[static_cast<size_t>(u)]; r < offsets[u + 1]; ++r) {
            const uint8_t p = part[static_cast<size_t>(r)];
            if (p != kDropped)
                target[p]->append(u, dataset.items()[static_cast<size_t>(r)], dataset.rating(r),
                                  dataset.timestamps()[static_cast<size_t>(r)]);
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
    merged.foldIn = split.foldIn;
    merged.validationInTrain = split.validationInTrain;
    const Interactions& v = split.validation;
    for (size_t r = 0; r < v.size(); ++r)
        merged.validationInTrain.append(v.users[r], v.items[r], v.ratings[r], v.timestamps[r]);
    const Interactions& a = split.train;
    const Interactions& b = split.validation;
    Interactions& out = merged.train;
    out.reserve(a.size() + b.size());
    // Both parts are grouped by ascending user and time-ordered within a user: a two-way merge
    // keeps that invariant. Equal (user, time) keeps the training row first.
    size_t i = 0, j = 0;
    auto takeA = [&] {
        out.append(a.users[i], a.items[i], a.ratings[i], a.timestamps[i]);
        ++i;
    };
    auto takeB = [&] {
        out.append(b.users[j], b.items[j], b.ratings[j], b.timestamps[j]);
        ++j;
    };
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
