#include "core/train/EpochTrainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include "core/dist/DataParallel.h"
#include "core/eval/Evaluator.h"
#include "core/eval/Exclusion.h"
#include "core/eval/Metrics.h"
#include "core/models/TrainData.h"
#include "core/split/Split.h"
#include "core/train/CounterRandom.h"

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

bool EpochTrainer::shareValidation(DataParallel& parallel,
                                   Result<std::map<std::string, double>>& metrics) const {
    // {failed, has the metric, its value}: enough for every rank to take rank 0's decision.
    std::vector<double> verdict{0.0, 0.0, 0.0};
    if (!metrics) {
        verdict[0] = 1.0;
    } else {
        const auto it = metrics.value().find(m_config.metric);
        if (it != metrics.value().end() && std::isfinite(it->second))
            verdict = {0.0, 1.0, it->second};
    }
    verdict = parallel.broadcastValues(verdict);
    if (parallel.leader())
        return metrics.ok();
    if (verdict[0] != 0.0) {
        metrics = makeError("validation failed on rank 0");
        return false;
    }
    metrics = std::map<std::string, double>();
    if (verdict[1] != 0.0)
        metrics.value()[m_config.metric] = verdict[2];
    return true;
}

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
    // Data-parallel: a cancel travels with the next gradient sync, so that every rank stops
    // after the same batch; rank 0 alone validates and scores the watch list.
    DataParallel* parallel = context.parallel;
    if (parallel)
        parallel->setCancel(context.cancel);
    const bool leader = !parallel || parallel->leader();
    const auto stopNow = [&] {
        return parallel ? parallel->stopRequested() : isCancelled(context.cancel);
    };

    for (int epoch = 1; epoch <= epochs; ++epoch) {
        if (stopNow())
            return cancelledError();
        const auto start = std::chrono::steady_clock::now();
        const int64_t batches = model.beginEpoch(epoch);
        double lossSum = 0.0;
        for (int64_t b = 0; b < batches; ++b) {
            // Checked before every batch, so a cancel lands within the batch in flight.
            if (stopNow())
                return cancelledError();
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
        epochReport.samples = model.epochSamples();
        epochReport.trainSeconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        epochReport.trainLoss = batches > 0 ? lossSum / double(batches) : 0.0;

        const Recommender* watchModel = m_watchModel ? m_watchModel : context.watchModel;
        const TrainData* watchData = m_watchModel ? m_watchData : context.watchData;
        const bool watching =
            leader && watchModel && watchData && !context.watchUsers.empty() && context.watchK > 0;
        if ((m_validate && leader) || watching)
            model.prepareScoring();

        bool improved = false;
        bool validated = false;
        if (m_validate) {
            Result<std::map<std::string, double>> metrics = std::map<std::string, double>();
            if (leader)
                metrics = m_validate();
            if (parallel && !shareValidation(*parallel, metrics))
                return metrics.error();
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
    if (m_validate && m_finalValidate) {
        if (isCancelled(context.cancel))
            return cancelledError();
        model.prepareScoring();
        auto metrics = m_finalValidate();
        if (!metrics)
            return metrics.error();
        summary.finalValidation = metrics.value();
        const auto it = summary.finalValidation.find(m_config.metric);
        if (observer && it != summary.finalValidation.end())
            observer->onMessage("validation of the kept weights on every validation user: " +
                                m_config.metric + " " + formatNumber(it->second));
    }
    return summary;
}

ValidateFn EpochTrainer::evaluatorValidation(const Recommender& model, const TrainData& data,
                                             const CancelToken* cancel,
                                             std::vector<int32_t> users) {
    if (!data.split || data.split->validation.empty())
        return {};
    return [&model, &data, cancel,
            users = std::move(users)]() -> Result<std::map<std::string, double>> {
        EvalConfig config;
        config.ks = {10};
        config.keepPerUser = false;
        config.users = users;
        auto result = evaluate(model, data, EvalPart::Validation, config, cancel);
        if (!result)
            return result.error();
        return result.value().metrics;
    };
}

}  // namespace recscope

namespace recscope {

std::vector<int32_t> EpochTrainer::validationUsers(const TrainData& data, int64_t maxUsers,
                                                   uint64_t seed) {
    if (!data.split || maxUsers <= 0)
        return {};
    const Split& split = *data.split;
    std::vector<char> has(static_cast<size_t>(std::max(0, data.numUsers)), 0);
    for (size_t r = 0; r < split.validation.size(); ++r) {
        const int32_t u = split.validation.users[r];
        if (u >= 0 && u < data.numUsers && split.isPositive(split.validation.ratings[r]))
            has[static_cast<size_t>(u)] = 1;
    }
    std::vector<int32_t> users;
    for (int32_t u = 0; u < data.numUsers; ++u)
        if (has[static_cast<size_t>(u)])
            users.push_back(u);
    if (static_cast<int64_t>(users.size()) <= maxUsers)
        return {};
    // Partial Fisher-Yates with counter-based draws: the sample depends on the seed only.
    for (int64_t k = 0; k < maxUsers; ++k) {
        const auto left = static_cast<uint64_t>(users.size()) - static_cast<uint64_t>(k);
        const uint64_t pick =
            static_cast<uint64_t>(k) +
            CounterRandom::below(CounterRandom::at(seed ^ 0x76616c75ULL, static_cast<uint64_t>(k)),
                                 left);
        std::swap(users[static_cast<size_t>(k)], users[static_cast<size_t>(pick)]);
    }
    users.resize(static_cast<size_t>(maxUsers));
    std::sort(users.begin(), users.end());
    return users;
}

void EpochTrainer::setSampledValidation(const std::function<ValidateFn(std::vector<int32_t>)>& make,
                                        std::vector<int32_t> users) {
    const bool sampled = !users.empty();
    m_validate = make(std::move(users));
    m_finalValidate = sampled ? make({}) : ValidateFn();
}

}  // namespace recscope
