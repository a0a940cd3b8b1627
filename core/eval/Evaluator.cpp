#include "core/eval/Evaluator.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

#include "core/data/Dataset.h"
#include "core/eval/Exclusion.h"
#include "core/eval/Metrics.h"
#include "core/eval/NegativeItemSampler.h"
#include "core/models/Recommender.h"
#include "core/models/TrainData.h"
#include "core/split/Split.h"

namespace recscope {
namespace {

using ItemLists = std::vector<std::vector<int32_t>>;

ItemLists itemsByUser(const Interactions& part, int32_t numUsers, const Split* split,
                      bool positivesOnly) {
    ItemLists lists(static_cast<size_t>(numUsers));
    for (size_t i = 0; i < part.size(); ++i) {
        if (positivesOnly && !split->isPositive(part.ratings[i]))
            continue;
        const int32_t u = part.users[i];
        if (u >= 0 && u < numUsers)
            lists[static_cast<size_t>(u)].push_back(part.items[i]);
    }
    for (auto& l : lists) {
        std::sort(l.begin(), l.end());
        l.erase(std::unique(l.begin(), l.end()), l.end());
    }
    return lists;
}

// Runs fn(row) for rows [0, n) on up to `threads` threads; rows are split into contiguous ranges.
// The threads are OpenMP's: the scoring GEMM before each call runs on OpenMP threads too
// (OpenBLAS's OpenMP build), and a second pool of our own would compete with those threads
// while they spin-wait after the GEMM (12 s against 8 s for iALS at ML-20M size). Under
// ThreadSanitizer, which cannot see libgomp's barriers, plain threads run the same rows.
template <typename Fn>
void parallelRows(int64_t n, int threads, Fn fn) {
    threads = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, n)));
    if (threads == 1) {
        for (int64_t r = 0; r < n; ++r)
            fn(r);
        return;
    }
    std::exception_ptr failure;
    std::mutex failureMutex;
    const auto range = [&](int64_t begin, int64_t end) {
        try {
            for (int64_t r = begin; r < end; ++r)
                fn(r);
        } catch (...) {
            std::lock_guard<std::mutex> lock(failureMutex);
            if (!failure)
                failure = std::current_exception();
        }
    };
#if defined(__SANITIZE_THREAD__)
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back(range, n * t / threads, n * (t + 1) / threads);
    for (auto& th : pool)
        th.join();
#else
#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (int t = 0; t < threads; ++t)
        range(n * t / threads, n * (t + 1) / threads);
#endif
    if (failure)
        std::rethrow_exception(failure);
}

std::string key(const char* metric, int k) {
    return std::string(metric) + "@" + std::to_string(k);
}

}  // namespace

Result<EvalResult> evaluate(const Recommender& model, const TrainData& train, EvalPart part,
                            const EvalConfig& config, const CancelToken* cancel) {
    try {
        if (!train.split)
            return makeError("evaluate: TrainData has no split");
        const Split& split = *train.split;
        const int32_t numUsers = train.numUsers;
        const int32_t numItems = train.numItems;
        if (model.numItems() != numItems)
            return makeError("evaluate: model '" + model.name() + "' scores " +
                             std::to_string(model.numItems()) + " items, the split has " +
                             std::to_string(numItems));
        std::vector<int> ks;
        for (int k : config.ks)
            if (k > 0)
                ks.push_back(k);
        std::sort(ks.begin(), ks.end());
        ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
        if (ks.empty())
            return makeError("evaluate: no positive K in the list of cut-offs");
        const bool sampled = config.mode == EvalMode::Sampled;
        if (sampled) {
            // A sampled list holds negatives + 1 items: at K beyond that every metric is fixed.
            if (config.negatives < 1)
                return makeError("evaluate: sampled evaluation needs at least one negative");
            ks.erase(std::remove_if(ks.begin(), ks.end(),
                                    [&](int k) { return k >= config.negatives + 1; }),
                     ks.end());
            if (ks.empty())
                return makeError("evaluate: sampled evaluation ranks " +
                                 std::to_string(config.negatives + 1) +
                                 " items per test item; every cut-off must be below that");
        }
        const int kMax = ks.back();
        const size_t numK = ks.size();
        const bool strong = split.config.protocol == Protocol::Strong;
        if (strong && !model.canFoldIn())
            return makeError("evaluate: " + model.name() +
                             " cannot fold in a new user, so it cannot be evaluated under the "
                             "strong protocol (held-out users)");

        const Interactions& evalPart = part == EvalPart::Test ? split.test : split.validation;
        const ItemLists relevant = itemsByUser(evalPart, numUsers, &split, true);
        ItemLists seenOutside;  // sampled: validation, test, fold-in (train: allRatings)
        if (sampled) {
            const ItemLists v = itemsByUser(split.validation, numUsers, &split, false);
            const ItemLists t = itemsByUser(split.test, numUsers, &split, false);
            const ItemLists f = itemsByUser(split.foldIn, numUsers, &split, false);
            seenOutside.resize(static_cast<size_t>(numUsers));
            for (size_t u = 0; u < seenOutside.size(); ++u) {
                auto& s = seenOutside[u];
                s = v[u];
                s.insert(s.end(), t[u].begin(), t[u].end());
                s.insert(s.end(), f[u].begin(), f[u].end());
                std::sort(s.begin(), s.end());
                s.erase(std::unique(s.begin(), s.end()), s.end());
            }
        }

        const std::vector<char> isCandidate = rankableItems(train);
        std::vector<int32_t> candidates;
        for (int32_t i = 0; i < numItems; ++i)
            if (isCandidate[static_cast<size_t>(i)])
                candidates.push_back(i);
        const NegativeItemSampler sampler(candidates, config.sampler == NegativeSampler::Popularity
                                                          ? train.itemPopularity
                                                          : std::vector<int64_t>{});

        EvalResult result;
        for (int32_t u = 0; u < numUsers; ++u)
            if (!relevant[static_cast<size_t>(u)].empty() &&
                (config.users.empty() ||
                 std::binary_search(config.users.begin(), config.users.end(), u)))
                result.users.push_back(u);
        const auto numEval = static_cast<int64_t>(result.users.size());
        result.usersEvaluated = static_cast<int32_t>(numEval);

        // Per evaluated user: metrics per K, global sampled MRR, and the top-kMax list.
        std::vector<ListMetrics> perUser(static_cast<size_t>(numEval) * numK);
        std::vector<double> globalMrr(sampled ? static_cast<size_t>(numEval) : 0, 0.0);
        std::vector<int32_t> recs(static_cast<size_t>(numEval) * kMax, -1);
        std::vector<int32_t> recCount(static_cast<size_t>(numEval), 0);

        // Intra-list diversity per user and K, computed beside the lists (catalogue statistics).
        const std::vector<uint32_t>* genres = nullptr;
        if (config.beyondAccuracy && !sampled && train.dataset) {
            const auto& masks = train.dataset->itemMetadata().genreMasks;
            if (static_cast<int32_t>(masks.size()) == numItems)
                genres = &masks;
        }
        std::vector<double> diversity(genres ? static_cast<size_t>(numEval) * numK : 0, 0.0);

        const int threads =
            config.threads > 0
                ? config.threads
                : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        const int64_t batch = std::max<int64_t>(std::max(1, config.batchUsers),
                                                strong ? 0 : model.preferredScoreBatch());
        std::vector<float> scores;
        for (int64_t start = 0; start < numEval; start += batch) {
            if (isCancelled(cancel))
                return cancelledError();
            const int64_t n = std::min(batch, numEval - start);
            // Every model writes its whole rows (Recommender::scoreUsers), so the buffer is
            // sized once and not cleared: clearing 132K x 27K floats was a serial second pass.
            scores.resize(static_cast<size_t>(n) * numItems);
            if (strong) {
                // Held-out users exist only through their fold-in rows.
                for (int64_t row = 0; row < n; ++row) {
                    const int32_t u = result.users[static_cast<size_t>(start + row)];
                    if (Status st = model.scoreHistory(foldInHistory(split, u),
                                                       scores.data() + row * numItems);
                        !st)
                        return makeError("evaluate: " + st.error().message);
                }
            } else {
                model.scoreUsers(result.users.data() + start, n, scores.data());
            }
            parallelRows(n, threads, [&](int64_t row) {
                const int64_t e = start + row;
                const int32_t u = result.users[static_cast<size_t>(e)];
                float* s = scores.data() + row * numItems;
                const auto& rel = relevant[static_cast<size_t>(u)];
                ListMetrics* out = perUser.data() + e * static_cast<int64_t>(numK);
                int32_t* userRecs = recs.data() + e * kMax;
                const TieOrder ties(config.seed, u);
                std::vector<int32_t> list;
                if (!sampled) {
                    // One pass: catalogue mask, the rule's items, NaN, partial top-K.
                    std::vector<int32_t> excluded;
                    excludedItems(train, part, u, excluded);
                    const RankFilter filter{isCandidate.data(), excluded.data(), excluded.size()};
                    const int64_t got = topK(s, numItems, kMax, ties, list, filter);
                    std::copy(list.begin(), list.end(), userRecs);
                    recCount[static_cast<size_t>(e)] = static_cast<int32_t>(got);
                    for (size_t k = 0; k < numK; ++k)
                        out[k] = listMetrics(list.data(), got, rel, ks[k]);
                    if (genres)
                        intraListDiversityPrefixes(list.data(), got, *genres, ks.data(), numK,
                                                   diversity.data() + e * numK);
                    return;
                }
                // Sampled: each relevant item against its own never-seen negatives.
                for (int32_t i = 0; i < numItems; ++i)
                    if (std::isnan(s[i]))
                        s[i] = -INFINITY;
                std::vector<int32_t> seen;
                const CsrMatrix& all = train.allRatings;
                seen.assign(all.indices.begin() + all.offsets[u],
                            all.indices.begin() + all.offsets[u + 1]);
                const auto& outside = seenOutside[static_cast<size_t>(u)];
                seen.insert(seen.end(), outside.begin(), outside.end());
                std::sort(seen.begin(), seen.end());
                seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
                std::vector<int32_t> negatives;
                double mrrSum = 0.0;
                for (size_t t = 0; t < rel.size(); ++t) {
                    const int32_t target = rel[t];
                    sampler.draw(seen, config.negatives, mixSeed(mixSeed(config.seed, u), t),
                                 negatives);
                    const float ts = s[target];
                    int64_t rank = 1;
                    for (int32_t neg : negatives)
                        if (ties.before(s[neg], neg, ts, target))
                            ++rank;
                    mrrSum += 1.0 / static_cast<double>(rank);
                    for (size_t k = 0; k < numK; ++k) {
                        const ListMetrics m = singleItemMetrics(rank, ks[k]);
                        out[k].hit += m.hit;
                        out[k].recall += m.recall;
                        out[k].recallCapped += m.recallCapped;
                        out[k].precision += m.precision;
                        out[k].ndcg += m.ndcg;
                        out[k].mrr += m.mrr;
                        out[k].map += m.map;
                    }
                }
                const auto count = static_cast<double>(rel.size());
                for (size_t k = 0; k < numK; ++k) {
                    out[k].hit /= count;
                    out[k].recall /= count;
                    out[k].recallCapped /= count;
                    out[k].precision /= count;
                    out[k].ndcg /= count;
                    out[k].mrr /= count;
                    out[k].map /= count;
                }
                globalMrr[static_cast<size_t>(e)] = mrrSum / count;
            });
        }

        if (config.keepLists && !sampled) {
            result.listWidth = kMax;
            result.lists = recs;
        }

        // Accuracy: mean over evaluated users; per-user vectors on request.
        constexpr int kNames = 7;
        static const char* names[kNames] = {"hit", "recall", "recall_capped", "precision", "ndcg",
                                            "mrr", "map"};
        for (size_t k = 0; k < numK; ++k) {
            double sums[kNames] = {};
            std::vector<float>* vectors[kNames] = {};
            if (config.keepPerUser)
                for (int m = 0; m < kNames; ++m) {
                    vectors[m] = &result.perUser[key(names[m], ks[k])];
                    vectors[m]->resize(static_cast<size_t>(numEval));
                }
            for (int64_t e = 0; e < numEval; ++e) {
                const ListMetrics& lm =
                    perUser[static_cast<size_t>(e * static_cast<int64_t>(numK) + k)];
                const double values[kNames] = {lm.hit,  lm.recall, lm.recallCapped, lm.precision,
                                               lm.ndcg, lm.mrr,    lm.map};
                for (int m = 0; m < kNames; ++m) {
                    sums[m] += values[m];
                    if (vectors[m])
                        (*vectors[m])[static_cast<size_t>(e)] = static_cast<float>(values[m]);
                }
            }
            for (int m = 0; m < kNames; ++m)
                result.metrics[key(names[m], ks[k])] =
                    numEval > 0 ? sums[m] / static_cast<double>(numEval) : 0.0;
        }
        if (sampled) {
            double sum = 0.0;
            for (double v : globalMrr)
                sum += v;
            result.metrics["mrr"] = numEval > 0 ? sum / static_cast<double>(numEval) : 0.0;
            if (config.keepPerUser)
                result.perUser["mrr"].assign(globalMrr.begin(), globalMrr.end());
        }

        // Catalogue statistics of the recommended lists.
        if (config.beyondAccuracy && !sampled && numEval > 0) {
            int64_t usersWithTrain = 0;
            for (int32_t u = 0; u < numUsers; ++u)
                usersWithTrain += train.allRatings.rowSize(u) > 0 ? 1 : 0;
            const double logUsers =
                std::log2(static_cast<double>(std::max<int64_t>(1, usersWithTrain)));
            std::vector<double> novelty(static_cast<size_t>(numItems));
            for (int32_t i = 0; i < numItems; ++i)
                novelty[static_cast<size_t>(i)] =
                    logUsers - std::log2(static_cast<double>(std::max<int64_t>(
                                   1, train.itemPopularity[static_cast<size_t>(i)])));
            for (size_t kIndex = 0; kIndex < numK; ++kIndex) {
                const int k = ks[kIndex];
                std::vector<int64_t> counts(static_cast<size_t>(numItems), 0);
                double popSum = 0.0;
                double noveltySum = 0.0;
                double diversitySum = 0.0;
                int64_t slots = 0;
                for (int64_t e = 0; e < numEval; ++e) {
                    const int32_t got = std::min(recCount[static_cast<size_t>(e)], k);
                    const int32_t* list = recs.data() + e * kMax;
                    for (int32_t r = 0; r < got; ++r) {
                        const int64_t pop = train.itemPopularity[static_cast<size_t>(list[r])];
                        ++counts[static_cast<size_t>(list[r])];
                        popSum += static_cast<double>(pop);
                        noveltySum += novelty[static_cast<size_t>(list[r])];
                    }
                    slots += got;
                    if (genres)
                        diversitySum += diversity[static_cast<size_t>(e) * numK + kIndex];
                }
                int64_t distinct = 0;
                std::vector<int64_t> catalogueCounts;
                catalogueCounts.reserve(candidates.size());
                for (int32_t i : candidates)
                    catalogueCounts.push_back(counts[static_cast<size_t>(i)]);
                for (int64_t c : counts)
                    distinct += c > 0 ? 1 : 0;
                const double denom = static_cast<double>(std::max<int64_t>(1, slots));
                result.metrics[key("coverage", k)] =
                    candidates.empty()
                        ? 0.0
                        : static_cast<double>(distinct) / static_cast<double>(candidates.size());
                result.metrics[key("avgpop", k)] = popSum / denom;
                result.metrics[key("novelty", k)] = noveltySum / denom;
                result.metrics[key("gini", k)] = giniCoefficient(std::move(catalogueCounts));
                if (genres)
                    result.metrics[key("diversity", k)] =
                        diversitySum / static_cast<double>(numEval);
            }
        }

        // Rating error over every rating of the part (rating models only).
        if (model.predictsRatings() && !strong && !evalPart.empty()) {
            std::vector<float> predicted(evalPart.size());
            const int64_t chunk = 65536;
            for (int64_t start = 0; start < static_cast<int64_t>(evalPart.size()); start += chunk) {
                if (isCancelled(cancel))
                    return cancelledError();
                const int64_t n =
                    std::min<int64_t>(chunk, static_cast<int64_t>(evalPart.size()) - start);
                model.predictRatings(evalPart.users.data() + start, evalPart.items.data() + start,
                                     n, predicted.data() + start);
            }
            double se = 0.0;
            double ae = 0.0;
            for (size_t i = 0; i < evalPart.size(); ++i) {
                const double d = static_cast<double>(predicted[i]) - evalPart.ratings[i];
                se += d * d;
                ae += std::fabs(d);
            }
            const auto n = static_cast<double>(evalPart.size());
            result.metrics["rmse"] = std::sqrt(se / n);
            result.metrics["mae"] = ae / n;
        }
        return result;
    } catch (const std::exception& e) {
        return makeError(std::string("evaluate: ") + e.what());
    }
}

}  // namespace recscope
