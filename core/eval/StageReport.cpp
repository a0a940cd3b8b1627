#include "core/eval/StageReport.h"

#include <limits>

#include "core/models/Recommender.h"
#include "core/models/StagedRecommender.h"

namespace recscope {

namespace {

// The retriever's candidate lists as a Recommender, so that the evaluator measures their
// recall with exactly the users and relevance rules it uses for the other stages.
class CandidateStage : public Recommender {
public:
    CandidateStage(const Recommender& model, const StagedRecommender& stages)
        : m_model(model), m_stages(stages) {}
    std::string name() const override { return m_model.name() + "-candidates"; }
    std::vector<ParamSpec> paramSpecs() const override { return {}; }
    Status fit(const TrainData&, const FitContext&) override {
        return makeError("candidate stage is evaluation-only");
    }
    int32_t numItems() const override { return m_model.numItems(); }
    void scoreUsers(const int32_t* users, int64_t n, float* out) const override {
        m_stages.scoreCandidates(users, n, out);
    }
    Status save(const std::string&) const override { return makeError("not saveable"); }
    Status load(const std::string&) override { return makeError("not loadable"); }

private:
    const Recommender& m_model;
    const StagedRecommender& m_stages;
};

}  // namespace

Result<StageReport> evaluateStages(const Recommender& model, const StagedRecommender& stages,
                                   const TrainData& train, EvalPart part, const EvalConfig& config,
                                   const CancelToken* cancel) {
    StageReport report;
    report.index = stages.candidateIndex();
    if (report.index.empty())
        return makeError(model.name() + ": evaluate after fit() or load()");
    report.candidates = stages.candidates();
    auto retriever = evaluate(stages.retriever(), train, part, config, cancel);
    if (!retriever)
        return retriever.error();
    report.retriever = std::move(retriever.value());
    auto final = evaluate(model, train, part, config, cancel);
    if (!final)
        return final.error();
    report.final = std::move(final.value());
    if (config.mode == EvalMode::Sampled) {
        // A sampled list holds negatives + 1 items, fewer than N: candidate recall would be a
        // constant, so it is not measured (docs/protocols.md, "Sampled evaluation").
        report.candidateRecall = std::numeric_limits<double>::quiet_NaN();
        report.candidateHit = std::numeric_limits<double>::quiet_NaN();
        return report;
    }
    CandidateStage stage(model, stages);
    EvalConfig cc = config;
    cc.ks = {report.candidates};
    cc.keepPerUser = false;
    auto cands = evaluate(stage, train, part, cc, cancel);
    if (!cands)
        return cands.error();
    const std::string n = std::to_string(report.candidates);
    report.candidateRecall =
        cands->metrics.count("recall@" + n) ? cands->metrics.at("recall@" + n) : 0.0;
    report.candidateHit = cands->metrics.count("hit@" + n) ? cands->metrics.at("hit@" + n) : 0.0;
    return report;
}

Result<StageReport> evaluateStages(const Recommender& model, const TrainData& train, EvalPart part,
                                   const EvalConfig& config, const CancelToken* cancel) {
    const StagedRecommender* stages = model.staged();
    if (!stages)
        return makeError(ErrorCode::Unsupported,
                         "stage report needs a staged model, got '" + model.name() + "'");
    return evaluateStages(model, *stages, train, part, config, cancel);
}

}  // namespace recscope
