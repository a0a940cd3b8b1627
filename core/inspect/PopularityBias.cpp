#include "core/inspect/PopularityBias.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <numeric>
#include <string>

#include "core/eval/Exclusion.h"
#include "core/eval/Metrics.h"
#include "core/models/Recommender.h"
#include "core/models/TrainData.h"
#include "core/split/Split.h"

namespace recscope {

Result<PopularityBias> measurePopularityBias(const Recommender& model, const TrainData& train,
                                             const PopularityBiasConfig& config,
                                             const ProgressFn& progress,
                                             const CancelToken* cancel) {
    if (config.k < 1)
        return makeError("popularity bias: K must be at least 1, got " + std::to_string(config.k));
    const int32_t numUsers = train.numUsers;
    const int32_t numItems = train.numItems;
    if (model.numItems() != numItems)
        return makeError("popularity bias: model '" + model.name() + "' scores " +
                         std::to_string(model.numItems()) + " items, the data has " +
                         std::to_string(numItems));
    if (config.users == PopularityBiasUsers::Evaluated && !train.split)
        return makeError("popularity bias: the training data has no split to find test users");
    try {
        PopularityBias out;
        out.k = config.k;
        out.recommendationCounts.assign(static_cast<size_t>(numItems), 0);
        out.trainingPopularity = train.itemPopularity;
        out.trainingPopularity.resize(static_cast<size_t>(numItems), 0);
        out.inCatalogue.assign(static_cast<size_t>(numItems), 0);
        out.inHead.assign(static_cast<size_t>(numItems), 0);
        for (int32_t item : train.allRatings.indices)
            out.inCatalogue[static_cast<size_t>(item)] = 1;
        std::vector<int32_t> catalogue;
        std::vector<int32_t> outside;
        for (int32_t i = 0; i < numItems; ++i)
            (out.inCatalogue[static_cast<size_t>(i)] ? catalogue : outside).push_back(i);
        out.catalogueSize = static_cast<int32_t>(catalogue.size());

        // The head: the most popular share of the catalogue, ties broken by the lower id so
        // that the split is a pure function of the data.
        std::vector<int32_t> byPopularity = catalogue;
        std::stable_sort(byPopularity.begin(), byPopularity.end(), [&](int32_t a, int32_t b) {
            return out.trainingPopularity[static_cast<size_t>(a)] >
                   out.trainingPopularity[static_cast<size_t>(b)];
        });
        out.headSize = static_cast<int32_t>(
            std::ceil(std::clamp(config.headFraction, 0.0, 1.0) * out.catalogueSize - 1e-9));
        for (int32_t h = 0; h < out.headSize; ++h)
            out.inHead[static_cast<size_t>(byPopularity[static_cast<size_t>(h)])] = 1;

        // Who gets a list, and what is removed from it besides the training positives.
        std::vector<int32_t> users;
        EvalPart part = EvalPart::Validation;  // All: the training part of the rule only
        if (config.users == PopularityBiasUsers::All) {
            for (int32_t u = 0; u < numUsers; ++u)
                if (train.allRatings.rowSize(u) > 0)
                    users.push_back(u);
        } else {
            part = EvalPart::Test;
            const Split& split = *train.split;
            std::vector<char> tested(static_cast<size_t>(numUsers), 0);
            for (size_t i = 0; i < split.test.size(); ++i) {
                const int32_t u = split.test.users[i];
                if (u >= 0 && u < numUsers && split.isPositive(split.test.ratings[i]))
                    tested[static_cast<size_t>(u)] = 1;
            }
            for (int32_t u = 0; u < numUsers; ++u)
                if (tested[static_cast<size_t>(u)])
                    users.push_back(u);
        }
        out.usersScored = static_cast<int32_t>(users.size());

        const int64_t total = static_cast<int64_t>(users.size());
        const int64_t batch =
            std::max<int64_t>(std::max(1, config.batchUsers), model.preferredScoreBatch());
        std::vector<float> scores;
        std::vector<int32_t> list;
        double popSum = 0.0;
        int64_t tailSlots = 0;
        for (int64_t start = 0; start < total; start += batch) {
            if (isCancelled(cancel))
                return cancelledError();
            report(progress, "Scoring users",
                   total > 0 ? static_cast<double>(start) / static_cast<double>(total) : 0.0);
            const int64_t n = std::min(batch, total - start);
            scores.assign(static_cast<size_t>(n * numItems), 0.0f);
            model.scoreUsers(users.data() + start, n, scores.data());
            for (int64_t row = 0; row < n; ++row) {
                const int32_t u = users[static_cast<size_t>(start + row)];
                float* s = scores.data() + row * numItems;
                for (int32_t i = 0; i < numItems; ++i)
                    if (std::isnan(s[i]))
                        s[i] = -INFINITY;
                for (int32_t i : outside)
                    s[i] = -INFINITY;
                excludedItems(train, part, u, list);
                for (int32_t i : list)
                    s[i] = -INFINITY;
                const int64_t got = topK(s, numItems, config.k, TieOrder(config.seed, u), list);
                for (int64_t r = 0; r < got; ++r) {
                    const auto item = static_cast<size_t>(list[static_cast<size_t>(r)]);
                    ++out.recommendationCounts[item];
                    popSum += static_cast<double>(out.trainingPopularity[item]);
                    tailSlots += out.inHead[item] ? 0 : 1;
                }
                out.entries += got;
            }
        }
        report(progress, "Scoring users", 1.0);

        std::vector<int64_t> catalogueCounts;
        catalogueCounts.reserve(catalogue.size());
        for (int32_t i : catalogue)
            catalogueCounts.push_back(out.recommendationCounts[static_cast<size_t>(i)]);
        for (int64_t c : out.recommendationCounts)
            out.recommendedItems += c > 0 ? 1 : 0;
        out.coverage = catalogue.empty() ? 0.0
                                         : static_cast<double>(out.recommendedItems) /
                                               static_cast<double>(catalogue.size());
        out.gini = giniCoefficient(std::move(catalogueCounts));
        const double denom = static_cast<double>(std::max<int64_t>(1, out.entries));
        out.avgPopularity = popSum / denom;
        out.tailShare = static_cast<double>(tailSlots) / denom;
        return out;
    } catch (const std::exception& e) {
        return makeError(std::string("popularity bias: ") + e.what());
    }
}

}  // namespace recscope
