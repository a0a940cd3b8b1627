#include "core/eval/Exclusion.h"

#include <algorithm>

#include "core/models/Recommender.h"
#include "core/models/TrainData.h"

namespace recscope {

namespace {

// Appends the items of `user`'s rows in a split part (rows grouped by ascending user) that
// pass `keep`.
template <typename Keep>
void appendRows(const Interactions& part, int32_t user, Keep keep, std::vector<int32_t>& out) {
    const auto lo = std::lower_bound(part.users.begin(), part.users.end(), user);
    const auto hi = std::upper_bound(lo, part.users.end(), user);
    for (auto it = lo; it != hi; ++it) {
        const auto r = static_cast<size_t>(it - part.users.begin());
        if (keep(part.ratings[r]))
            out.push_back(part.items[r]);
    }
}

}  // namespace

void excludedItems(const TrainData& train, EvalPart part, int32_t user, std::vector<int32_t>& out) {
    out.clear();
    if (user < 0 || user >= train.numUsers)
        return;
    const CsrMatrix& base = train.listExclusion();
    if (user < base.rows)
        out.assign(base.indices.begin() + base.offsets[user],
                   base.indices.begin() + base.offsets[user + 1]);
    if (train.split) {
        const Split& s = *train.split;
        const auto any = [](float) { return true; };
        if (part == EvalPart::Test) {
            appendRows(s.validation, user, any, out);
            appendRows(s.validationInTrain, user, any, out);
        }
        if (s.config.exclude == ExcludeRule::Rated)
            appendRows(s.foldIn, user, any, out);
        else
            appendRows(
                s.foldIn, user, [&s](float r) { return s.isPositive(r); }, out);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
}

std::vector<HistoryEntry> foldInHistory(const Split& split, int32_t user) {
    const Interactions& f = split.foldIn;
    const auto lo = std::lower_bound(f.users.begin(), f.users.end(), user);
    const auto hi = std::upper_bound(lo, f.users.end(), user);
    std::vector<HistoryEntry> history;
    for (auto it = lo; it != hi; ++it) {
        const auto r = static_cast<size_t>(it - f.users.begin());
        history.push_back({f.items[r], f.ratings[r], split.isPositive(f.ratings[r])});
    }
    return history;
}

std::vector<char> rankableItems(const TrainData& train) {
    std::vector<char> rankable(static_cast<size_t>(std::max(0, train.numItems)), 0);
    for (int32_t item : train.allRatings.indices)
        rankable[static_cast<size_t>(item)] = 1;
    return rankable;
}

std::vector<int32_t> excludedHistoryItems(const std::vector<HistoryEntry>& history,
                                          ExcludeRule rule, int32_t numItems) {
    std::vector<int32_t> out;
    for (const HistoryEntry& e : history)
        if (e.item >= 0 && e.item < numItems && (rule == ExcludeRule::Rated || e.positive))
            out.push_back(e.item);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace recscope
