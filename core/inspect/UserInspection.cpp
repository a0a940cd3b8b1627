#include "core/inspect/UserInspection.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <utility>

#include "core/data/Dataset.h"
#include "core/data/DeterministicRng.h"
#include "core/eval/Exclusion.h"
#include "core/models/Recommender.h"
#include "core/models/StagedRecommender.h"
#include "core/split/Split.h"

namespace recscope {

namespace {

// Rows [begin, end) of `user` in a split part (rows are grouped by user, ascending).
std::pair<size_t, size_t> userRows(const Interactions& part, int32_t user) {
    const auto lo = std::lower_bound(part.users.begin(), part.users.end(), user);
    const auto hi = std::upper_bound(lo, part.users.end(), user);
    return {static_cast<size_t>(lo - part.users.begin()),
            static_cast<size_t>(hi - part.users.begin())};
}

bool better(const Evidence& a, const Evidence& b) {
    return a.similarity > b.similarity || (a.similarity == b.similarity && a.item < b.item);
}

}  // namespace

std::string historyPartName(HistoryPart part) {
    switch (part) {
        case HistoryPart::Train:
            return "train";
        case HistoryPart::Validation:
            return "validation";
        case HistoryPart::Test:
            return "test";
    }
    return {};
}

UserInspection::UserInspection(std::shared_ptr<const LoadedRun> run) : m_run(std::move(run)) {
    const TrainData& train = *m_run->train;
    m_candidate = rankableItems(train);
    m_itemUsers = transposed(train.positives);

    std::vector<char> hasTest(static_cast<size_t>(train.numUsers), 0);
    const Interactions& test = m_run->split->test;
    for (size_t i = 0; i < test.size(); ++i)
        if (m_run->split->isPositive(test.ratings[i]) && test.users[i] >= 0 &&
            test.users[i] < train.numUsers)
            hasTest[static_cast<size_t>(test.users[i])] = 1;
    for (int32_t u = 0; u < train.numUsers; ++u)
        if (hasTest[static_cast<size_t>(u)])
            m_byActivity.push_back(u);
    std::stable_sort(m_byActivity.begin(), m_byActivity.end(), [&](int32_t a, int32_t b) {
        return train.allRatings.rowSize(a) < train.allRatings.rowSize(b);
    });
}

int32_t UserInspection::numUsers() const {
    return m_run->train->numUsers;
}

std::vector<HistoryRow> UserInspection::history(int32_t user) const {
    std::vector<HistoryRow> rows;
    const Split& split = *m_run->split;
    const std::pair<const Interactions*, HistoryPart> parts[] = {
        {&split.train, HistoryPart::Train},
        {&split.validation, HistoryPart::Validation},
        {&split.test, HistoryPart::Test}};
    for (const auto& [part, kind] : parts) {
        const auto [begin, end] = userRows(*part, user);
        for (size_t i = begin; i < end; ++i)
            rows.push_back({part->items[i], part->ratings[i], part->timestamps[i], kind,
                            split.isPositive(part->ratings[i])});
    }
    std::stable_sort(rows.begin(), rows.end(), [](const HistoryRow& a, const HistoryRow& b) {
        return a.timestamp < b.timestamp || (a.timestamp == b.timestamp && a.part < b.part);
    });
    return rows;
}

std::vector<int32_t> UserInspection::testPositives(int32_t user) const {
    std::vector<int32_t> items;
    const Split& split = *m_run->split;
    const auto [begin, end] = userRows(split.test, user);
    for (size_t i = begin; i < end; ++i)
        if (split.isPositive(split.test.ratings[i]))
            items.push_back(split.test.items[i]);
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    return items;
}

std::vector<int32_t> UserInspection::excludedItems(int32_t user) const {
    std::vector<int32_t> items;
    recscope::excludedItems(*m_run->train, EvalPart::Test, user, items);
    return items;
}

std::vector<int32_t> UserInspection::likedItems(int32_t user) const {
    const CsrMatrix& pos = m_run->train->positives;
    if (user < 0 || user >= pos.rows)
        return {};
    return {pos.indices.begin() + pos.offsets[user], pos.indices.begin() + pos.offsets[user + 1]};
}

int64_t UserInspection::trainCount(int32_t user) const {
    const CsrMatrix& all = m_run->train->allRatings;
    return user >= 0 && user < all.rows ? all.rowSize(user) : 0;
}

HistoryEntry UserInspection::entry(int32_t item, float rating) const {
    return {item, rating, m_run->split->isPositive(rating)};
}

std::vector<RecommendedItem> UserInspection::rank(std::vector<float>& scores,
                                                  const std::vector<int32_t>& excluded, int k,
                                                  int32_t tieUser, int32_t hitsOf) const {
    const auto numItems = static_cast<int32_t>(scores.size());
    for (int32_t i = 0; i < numItems; ++i)
        if (std::isnan(scores[static_cast<size_t>(i)]) || !m_candidate[static_cast<size_t>(i)])
            scores[static_cast<size_t>(i)] = -std::numeric_limits<float>::infinity();
    for (int32_t i : excluded)
        if (i >= 0 && i < numItems)
            scores[static_cast<size_t>(i)] = -std::numeric_limits<float>::infinity();
    std::vector<int32_t> top;
    recscope::topK(scores.data(), numItems, k, TieOrder(m_run->config.seed, tieUser), top);
    const std::vector<int32_t> relevant =
        hitsOf >= 0 ? testPositives(hitsOf) : std::vector<int32_t>{};
    std::vector<RecommendedItem> list;
    list.reserve(top.size());
    for (int32_t item : top)
        list.push_back({item, scores[static_cast<size_t>(item)],
                        std::binary_search(relevant.begin(), relevant.end(), item)});
    return list;
}

void UserInspection::useRankerScores(RunStage stage, int32_t user,
                                     std::vector<RecommendedItem>& list) const {
    if (stage != RunStage::Final)
        return;
    const StagedRecommender* stages = m_run->model->staged();
    if (!stages || stages->candidates() <= 0)
        return;
    // scoreUsers() encodes the final order (L - rank); the ranker's own scores say more.
    const auto n = static_cast<size_t>(stages->candidates());
    std::vector<int32_t> items(n, -1);
    std::vector<float> scores(n, 0.0f);
    stages->recommendLists(&user, 1, items.data(), scores.data());
    std::unordered_map<int32_t, float> byItem;
    for (size_t i = 0; i < n; ++i)
        if (items[i] >= 0)
            byItem[items[i]] = scores[i];
    for (RecommendedItem& r : list)
        if (const auto it = byItem.find(r.item); it != byItem.end())
            r.score = it->second;
}

Result<std::vector<RecommendedItem>> UserInspection::topK(RunStage stage, int32_t user,
                                                          int k) const {
    if (user < 0 || user >= numUsers())
        return makeError("user " + std::to_string(user) + " is outside the run's users (0.." +
                         std::to_string(numUsers() - 1) + ")");
    if (k < 1)
        return makeError("the list length must be at least 1, got " + std::to_string(k));
    try {
        const Recommender& model = m_run->stageModel(stage);
        std::vector<float> scores(static_cast<size_t>(model.numItems()), 0.0f);
        // A strong split's held-out user exists for the model only through the fold-in rows,
        // as in the evaluator.
        const std::vector<HistoryEntry> foldIn = foldInHistory(*m_run->split, user);
        if (!foldIn.empty()) {
            if (Status s = model.scoreHistory(foldIn, scores.data()); !s)
                return s.error();
        } else {
            model.scoreUsers(&user, 1, scores.data());
        }
        std::vector<RecommendedItem> list = rank(scores, excludedItems(user), k, user, user);
        useRankerScores(stage, user, list);
        return list;
    } catch (const std::exception& e) {
        return makeError(m_run->stageName(stage) + ": scoring failed: " + e.what());
    }
}

Result<std::vector<RecommendedItem>> UserInspection::topKForHistory(
    RunStage stage, const std::vector<HistoryEntry>& history, int k, int32_t hitsOf) const {
    if (k < 1)
        return makeError("the list length must be at least 1, got " + std::to_string(k));
    try {
        const Recommender& model = m_run->stageModel(stage);
        std::vector<float> scores(static_cast<size_t>(model.numItems()), 0.0f);
        if (Status s = model.scoreHistory(history, scores.data()); !s)
            return s.error();
        const std::vector<int32_t> excluded = excludedHistoryItems(
            history, m_run->split->config.exclude, static_cast<int32_t>(scores.size()));
        const int32_t user = hitsOf < numUsers() ? hitsOf : -1;
        return rank(scores, excluded, k, user, user);
    } catch (const std::exception& e) {
        return makeError(m_run->stageName(stage) + ": scoring failed: " + e.what());
    }
}

ListMetrics UserInspection::metrics(const std::vector<RecommendedItem>& list, int32_t user,
                                    int k) const {
    std::vector<int32_t> ranked;
    ranked.reserve(list.size());
    for (const RecommendedItem& r : list)
        ranked.push_back(r.item);
    return listMetrics(ranked.data(), static_cast<int64_t>(ranked.size()), testPositives(user), k);
}

std::vector<int> UserInspection::ranksIn(const std::vector<RecommendedItem>& list,
                                         const std::vector<RecommendedItem>& other) {
    std::unordered_map<int32_t, int> rankOf;
    for (size_t i = 0; i < other.size(); ++i)
        rankOf.emplace(other[i].item, static_cast<int>(i) + 1);
    std::vector<int> ranks;
    ranks.reserve(list.size());
    for (const RecommendedItem& r : list) {
        const auto it = rankOf.find(r.item);
        ranks.push_back(it == rankOf.end() ? 0 : it->second);
    }
    return ranks;
}

std::vector<int32_t> UserInspection::bucketUsers(ActivityBucket bucket) const {
    const size_t n = m_byActivity.size();
    const size_t third = bucket == ActivityBucket::Few      ? 0
                         : bucket == ActivityBucket::Median ? 1
                                                            : 2;
    std::vector<int32_t> users(
        m_byActivity.begin() + static_cast<std::ptrdiff_t>(n * third / 3),
        m_byActivity.begin() + static_cast<std::ptrdiff_t>(n * (third + 1) / 3));
    std::sort(users.begin(), users.end());
    return users;
}

int32_t UserInspection::pickUser(ActivityBucket bucket, uint64_t seed) const {
    const std::vector<int32_t> users = bucketUsers(bucket);
    if (users.empty())
        return -1;
    uint64_t state = seed;
    return users[static_cast<size_t>(splitMix64(state) % users.size())];
}

int32_t UserInspection::pickRandomUser(uint64_t seed) const {
    if (m_byActivity.empty())
        return -1;
    std::vector<int32_t> users = m_byActivity;
    std::sort(users.begin(), users.end());
    uint64_t state = seed;
    return users[static_cast<size_t>(splitMix64(state) % users.size())];
}

double UserInspection::genreShift(int32_t user, int recent) const {
    if (!m_run->dataset || recent < 1)
        return 0.0;
    const ItemMetadata& meta = m_run->dataset->itemMetadata();
    if (meta.genreNames.empty())
        return 0.0;
    std::vector<int32_t> train;
    for (const HistoryRow& row : history(user))
        if (row.part == HistoryPart::Train)
            train.push_back(row.item);
    const size_t n = train.size();
    if (n < 2 * static_cast<size_t>(recent))
        return 0.0;
    const size_t genres = meta.genreNames.size();
    // Genre shares of train[begin, end): each film spreads one unit over its genres.
    const auto shares = [&](size_t begin, size_t end) {
        std::vector<double> out(genres, 0.0);
        double total = 0.0;
        for (size_t k = begin; k < end; ++k) {
            const int32_t item = train[k];
            const uint32_t mask = item >= 0 && static_cast<size_t>(item) < meta.genreMasks.size()
                                      ? meta.genreMasks[static_cast<size_t>(item)]
                                      : 0u;
            const int count = __builtin_popcount(mask);
            for (size_t g = 0; g < genres && count > 0; ++g)
                if (mask & (1u << g))
                    out[g] += 1.0 / count;
            total += count > 0 ? 1.0 : 0.0;
        }
        for (double& x : out)
            x = total > 0.0 ? x / total : 0.0;
        return out;
    };
    const std::vector<double> older = shares(0, n - static_cast<size_t>(recent));
    const std::vector<double> newer = shares(n - static_cast<size_t>(recent), n);
    double distance = 0.0;
    for (size_t g = 0; g < genres; ++g)
        distance += std::fabs(older[g] - newer[g]);
    return distance / 2.0;
}

int32_t UserInspection::genreShiftUser(int recent) const {
    std::vector<int32_t> users = m_byActivity;
    std::sort(users.begin(), users.end());
    int32_t best = -1;
    double bestShift = 0.0;
    for (int32_t user : users) {
        const double shift = genreShift(user, recent);
        if (shift > bestShift) {
            bestShift = shift;
            best = user;
        }
    }
    return best;
}

float UserInspection::cooccurrenceCosine(int32_t a, int32_t b) const {
    const CsrMatrix& m = m_itemUsers;
    if (a < 0 || b < 0 || a >= m.rows || b >= m.rows)
        return 0.0f;
    const int64_t na = m.rowSize(a);
    const int64_t nb = m.rowSize(b);
    if (na == 0 || nb == 0)
        return 0.0f;
    const int32_t* pa = m.indices.data() + m.offsets[a];
    const int32_t* pb = m.indices.data() + m.offsets[b];
    const int32_t* ea = pa + na;
    const int32_t* eb = pb + nb;
    int64_t common = 0;
    while (pa != ea && pb != eb) {
        if (*pa < *pb)
            ++pa;
        else if (*pb < *pa)
            ++pb;
        else {
            ++common;
            ++pa;
            ++pb;
        }
    }
    return static_cast<float>(static_cast<double>(common) /
                              std::sqrt(static_cast<double>(na) * static_cast<double>(nb)));
}

BecauseYouLiked UserInspection::becauseYouLiked(RunStage stage, int32_t item,
                                                const std::vector<int32_t>& likedItems,
                                                int n) const {
    BecauseYouLiked result;
    std::vector<int32_t> items;
    for (int32_t i : likedItems)
        if (i != item && i >= 0 && i < m_run->train->numItems)
            items.push_back(i);
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    if (items.empty() || n < 1)
        return result;
    std::vector<float> sims(items.size(), 0.0f);
    bool fromModel = false;
    try {
        fromModel = m_run->stageModel(stage).itemSimilarities(
            item, items.data(), static_cast<int64_t>(items.size()), sims.data());
    } catch (const std::exception&) {
        fromModel = false;
    }
    if (!fromModel)
        for (size_t i = 0; i < items.size(); ++i)
            sims[i] = cooccurrenceCosine(item, items[i]);
    result.fromModel = fromModel;
    for (size_t i = 0; i < items.size(); ++i) {
        if (!std::isfinite(sims[i]) || (!fromModel && sims[i] <= 0.0f))
            continue;
        result.items.push_back({items[i], sims[i]});
    }
    const size_t keep = std::min(result.items.size(), static_cast<size_t>(n));
    std::partial_sort(result.items.begin(),
                      result.items.begin() + static_cast<std::ptrdiff_t>(keep), result.items.end(),
                      better);
    result.items.resize(keep);
    return result;
}

}  // namespace recscope
