#include "core/nn/PipelineReport.h"

#include <limits>

#include "core/index/VectorIndex.h"
#include "core/nn/PipelineModel.h"

namespace recscope {

namespace {

// The retriever's candidate lists as a Recommender, so that the evaluator measures their
// recall with exactly the users and relevance rules it uses for the other stages.
class CandidateStage : public Recommender {
public:
    explicit CandidateStage(const PipelineModel& model) : m_model(model) {}
    std::string name() const override { return "pipeline-candidates"; }
    std::vector<ParamSpec> paramSpecs() const override { return {}; }
    Status fit(const TrainData&, const FitContext&) override {
        return makeError("candidate stage is evaluation-only");
    }
    int32_t numItems() const override { return m_model.numItems(); }
    void scoreUsers(const int32_t* users, int64_t n, float* out) const override {
        m_model.scoreCandidates(users, n, out);
    }
    Status save(const std::string&) const override { return makeError("not saveable"); }
    Status load(const std::string&) override { return makeError("not loadable"); }

private:
    const PipelineModel& m_model;
};

}  // namespace

Result<PipelineReport> evaluatePipelineStages(const PipelineModel& model, const TrainData& train,
                                              EvalPart part, const EvalConfig& config,
                                              const CancelToken* cancel) {
    if (!model.index())
        return makeError("pipeline: evaluate after fit() or load()");
    PipelineReport report;
    report.candidates = model.candidates();
    report.index = model.index()->description();
    auto retriever = evaluate(model.retriever(), train, part, config, cancel);
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
    CandidateStage stage(model);
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

Result<PipelineReport> evaluatePipelineStages(const Recommender& model, const TrainData& train,
                                              EvalPart part, const EvalConfig& config,
                                              const CancelToken* cancel) {
    const auto* pipeline = dynamic_cast<const PipelineModel*>(&model);
    if (!pipeline)
        return makeError("stage report needs a pipeline model, got '" + model.name() + "'");
    return evaluatePipelineStages(*pipeline, train, part, config, cancel);
}

}  // namespace recscope
