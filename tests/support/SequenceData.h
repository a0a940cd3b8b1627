#pragma once
// Test support for the sequence-aware models (header-only, used by tst_sasrec and
// tst_attentiontower): random walks with a strong "i is followed by i + 1" signal, fitting a
// model, its test recall, and the comparisons of scores that their fold-in tests make.

#include <QtGlobal>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/eval/Evaluator.h"
#include "core/models/Recommender.h"
#include "core/models/TrainData.h"
#include "core/split/Split.h"

namespace recscope::testing {

// Users walk the catalogue: after item i comes i + 1 (mod items) with probability `follow`,
// else an item drawn uniformly; no item twice in a walk. Each walk's last item is the test
// part, the one before the validation part, the rest the training part, all rated 5.
inline Split walks(int users, int items, double follow, uint64_t seed) {
    Split s;
    s.threshold = 4.0;
    s.numUsers = users;
    s.numItems = items;
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> anyItem(0, items - 1);
    std::uniform_int_distribution<int> length(std::min(12, items / 2), std::min(30, items / 2));
    std::bernoulli_distribution follows(follow);
    for (int u = 0; u < users; ++u) {
        std::vector<int32_t> walk{anyItem(rng)};
        const int n = length(rng);
        while (int(walk.size()) < n) {
            int32_t next = (walk.back() + 1) % items;
            while (!follows(rng) || std::count(walk.begin(), walk.end(), next)) {
                next = anyItem(rng);
                if (!std::count(walk.begin(), walk.end(), next))
                    break;
            }
            walk.push_back(next);
        }
        for (int k = 0; k < n; ++k) {
            Interactions& part = k == n - 1 ? s.test : k == n - 2 ? s.validation : s.train;
            part.append(u, walk[size_t(k)], 5.0f, 1000 * u + k);
        }
    }
    return s;
}

// Users [first, last) of a hand-made split, each with `trainLen` training ratings of items
// (5u + k) mod s.numItems at times 100u + k (rating 5), then one validation and one test rating
// continuing the pattern.
inline void appendCyclicUsers(Split& s, int32_t first, int32_t last, int trainLen) {
    const auto item = [&](int32_t u, int k) { return int32_t((u * 5 + k) % s.numItems); };
    for (int32_t u = first; u < last; ++u) {
        for (int k = 0; k < trainLen; ++k)
            s.train.append(u, item(u, k), 5, 100 * u + k);
        s.validation.append(u, item(u, trainLen), 5, 100 * u + trainLen);
        s.test.append(u, item(u, trainLen + 1), 5, 100 * u + trainLen + 1);
    }
}

inline std::vector<float> userScores(const Recommender& m, int32_t user) {
    std::vector<float> out(size_t(m.numItems()));
    m.scoreUsers(&user, 1, out.data());
    return out;
}

inline std::vector<float> historyScores(const Recommender& m, const std::vector<int32_t>& items) {
    std::vector<HistoryEntry> history;
    for (int32_t i : items)
        history.push_back({i, 5.0f, true});
    std::vector<float> out(size_t(m.numItems()), std::nanf(""));
    const Status s = m.scoreHistory(history, out.data());
    if (!s)
        qWarning("%s", s.error().message.c_str());
    return out;
}

inline double maxDifference(const std::vector<float>& a, const std::vector<float>& b) {
    double worst = 0.0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i)
        worst = std::max(worst, std::fabs(double(a[i]) - double(b[i])));
    return a.size() == b.size() ? worst : INFINITY;
}

// Equal up to float rounding of the batched products (scale-relative).
inline bool sameScores(const std::vector<float>& a, const std::vector<float>& b) {
    double scale = 1.0;
    for (float x : a)
        scale = std::max(scale, double(std::fabs(x)));
    return maxDifference(a, b) <= 1e-5 * scale;
}

// Recall@k on the test part (full ranking); -1 when the evaluation fails.
inline double testRecall(const Recommender& m, const TrainData& data, int k) {
    EvalConfig config;
    config.ks = {k};
    config.keepPerUser = false;
    config.beyondAccuracy = false;
    const auto r = evaluate(m, data, EvalPart::Test, config);
    return r ? r->metrics.at("recall@" + std::to_string(k)) : -1.0;
}

// A model of type M configured with `params` and fitted on `data` with `seed`; a configuration
// or training error ends the test program with its message.
template <class M>
std::unique_ptr<M> fitOrDie(const TrainData& data, const std::map<std::string, std::string>& params,
                            FitContext context, uint64_t seed) {
    auto m = std::make_unique<M>();
    const Status configured = m->configure(params);
    if (!configured)
        qFatal("%s", configured.error().message.c_str());
    context.seed = seed;
    const Status fitted = m->fit(data, context);
    if (!fitted)
        qFatal("%s", fitted.error().message.c_str());
    return m;
}

}  // namespace recscope::testing
