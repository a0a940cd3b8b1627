#include "core/train/EpochTrainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include "core/eval/Evaluator.h"
#include "core/eval/Exclusion.h"
#include "core/eval/Metrics.h"
#include "core/models/TrainData.h"
#include "core/split/Split.h"

namespace recscope {

namespace {

std::string formatNumber(double v) {
    std::ostringstream out;
    out << v;
    return out.str();
}

// Each watched user's top-k as `model` scores them now, under the run's list rule for the test
// part (core/eval/Exclusion.h, catalogue and excluded items) and tie order, so the last epoch's row
// is the inspector's list.
std::map<int32_t, std::vector<int32_t>> watchLists(const Recommender& model, const TrainData& data,
                                                   const std::vector<int32_t>& watchUsers, int k,
                                                   uint64_t seed) {
    std::map<int32_t, std::vector<int32_t>> lists;
    std::vector<int32_t> users;
    for (int32_t u : watchUsers)
        if (u >= 0 && u < data.numUsers && lists.count(u) == 0) {
            lists[u];
            users.push_back(u);
        }
    const int64_t items = model.numItems();
    if (users.empty() || k <= 0 || items <= 0)
        return {};
    std::vector<float> scores(users.size() * static_cast<size_t>(items));
    model.scoreUsers(users.data(), static_cast<int64_t>(users.size()), scores.data());
    const std::vector<char> rankable = rankableItems(data);
    std::vector<int32_t> excluded;
    for (size_t r = 0; r < users.size(); ++r) {
        const int32_t u = users[r];
        float* row = scores.data() + r * static_cast<size_t>(items);
        for (int64_t i = 0; i < items && i < static_cast<int64_t>(rankable.size()); ++i)
            if (!rankable[static_cast<size_t>(i)])
                row[i] = -INFINITY;
        excludedItems(data, EvalPart::Test, u, excluded);
        for (int32_t i : excluded)
            if (i < items)
                row[i] = -INFINITY;
        topK(row, static_cast<int32_t>(items), k, TieOrder(seed, u), lists[u]);
    }
    return lists;
}

}  // namespace

EpochTrainer::EpochTrainer(TrainConfig config) : m_config(std::move(config)) {}

Result<TrainSummary> EpochTrainer::run(EpochModel& model, const FitContext& context) {
    const double lr = m_config.learningRate;
    if (!std::isfinite(lr) || lr <= 0.0)
        return makeError("learning rate must be a positive finite number (got " + formatNumber(lr) +
                         ")");
    if (m_config.epochs < 1)
        return makeError("epochs must be at least 1 (got " + std::to_string(m_config.epochs) + ")");

    TrainSummary summary;
    bool haveBest = false;
    int sinceBest = 0;
    TrainObserver* observer = context.observer;
    const int epochs = m_config.epochs;

    for (int epoch = 1; epoch <= epochs; ++epoch) {
        if (isCancelled(context.cancel))
            return makeError("cancelled");
        const auto start = std::chrono::steady_clock::now();
        const int64_t batches = model.beginEpoch(epoch);
        double lossSum = 0.0;
        for (int64_t b = 0; b < batches; ++b) {
            // Checked before every batch, so a cancel lands within the batch in flight.
            if (isCancelled(context.cancel))
                return makeError("cancelled");
            const double loss = model.trainBatch(b);
            if (!std::isfinite(loss)) {
                return makeError(std::string("loss became ") + (std::isnan(loss) ? "NaN" : "Inf") +
                                 " at epoch " + std::to_string(epoch) + ", batch " +
                                 std::to_string(b + 1) + " \u2014 lower the learning rate");
            }
            lossSum += loss;
            if (observer)
                observer->onBatch(epoch, b + 1, batches, loss);
            if (context.progress) {
                const double fraction =
                    (epoch - 1 + double(b + 1) / double(batches)) / double(epochs);
                report(context.progress,
                       "Epoch " + std::to_string(epoch) + "/" + std::to_string(epochs), fraction);
            }
        }

        EpochReport epochReport;
        epochReport.epoch = epoch;
        epochReport.trainLoss = batches > 0 ? lossSum / double(batches) : 0.0;

        const Recommender* watchModel = m_watchModel ? m_watchModel : context.watchModel;
        const TrainData* watchData = m_watchModel ? m_watchData : context.watchData;
        const bool watching =
            watchModel && watchData && !context.watchUsers.empty() && context.watchK > 0;
        if (m_validate || watching)
            model.prepareScoring();

        bool improved = false;
        bool validated = false;
        if (m_validate) {
            auto metrics = m_validate();
            if (!metrics)
                return metrics.error();
            epochReport.validation = metrics.value();
            auto it = epochReport.validation.find(m_config.metric);
            if (it != epochReport.validation.end() && std::isfinite(it->second)) {
                validated = true;
                const double value = it->second;
                improved = !haveBest || (m_config.higherIsBetter ? value > summary.bestMetric
                                                                 : value < summary.bestMetric);
                if (improved) {
                    haveBest = true;
                    summary.bestEpoch = epoch;
                    summary.bestMetric = value;
                    sinceBest = 0;
                    model.snapshot();
                } else {
                    ++sinceBest;
                }
            }
        }
        // This epoch's weights, even when early stopping later restores an earlier epoch's.
        if (watching)
            epochReport.watchTopK = watchLists(*watchModel, *watchData, context.watchUsers,
                                               context.watchK, context.seed);
        epochReport.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        summary.history.push_back(epochReport);
        summary.epochsRun = epoch;
        if (observer)
            observer->onEpoch(epochReport);

        if (validated && !improved && m_config.patience > 0 && sinceBest >= m_config.patience) {
            summary.stoppedEarly = epoch < epochs;
            if (observer) {
                observer->onMessage("early stop after epoch " + std::to_string(epoch) + ": best " +
                                    m_config.metric + " " + formatNumber(summary.bestMetric) +
                                    " at epoch " + std::to_string(summary.bestEpoch));
            }
            break;
        }
    }

    if (haveBest && summary.bestEpoch != summary.epochsRun) {
        model.restoreSnapshot();
        if (observer) {
            observer->onMessage("restored the weights of epoch " +
                                std::to_string(summary.bestEpoch));
        }
    }
    return summary;
}

ValidateFn EpochTrainer::evaluatorValidation(const Recommender& model, const TrainData& data,
                                             const CancelToken* cancel) {
    if (!data.split || data.split->validation.empty())
        return {};
    return [&model, &data, cancel]() -> Result<std::map<std::string, double>> {
        EvalConfig config;
        config.ks = {10};
        config.keepPerUser = false;
        auto result = evaluate(model, data, EvalPart::Validation, config, cancel);
        if (!result)
            return result.error();
        return result.value().metrics;
    };
}

}  // namespace recscope
