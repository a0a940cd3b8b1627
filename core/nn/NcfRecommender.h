#pragma once
// Common base of the LibTorch NCF models (NeuralMF, NeuMF): binary cross-entropy on each
// training positive and `negatives` uniformly sampled non-positives, Adam, EpochTrainer with
// early stopping on validation NDCG@10. A subclass declares its parameters and how they map to
// the network's shape (NcfShape in NcfNet.h).

#include <memory>

#include "core/models/Recommender.h"

namespace recscope {

struct NcfShape;

class NcfRecommender : public Recommender {
public:
    NcfRecommender();
    ~NcfRecommender() override;

    Status fit(const TrainData& data, const FitContext& context) override;
    int32_t numItems() const override;
    void scoreUsers(const int32_t* users, int64_t n, float* out) const override;
    Status save(const std::string& path) const override;
    Status load(const std::string& path) override;

    struct State;  // opaque: the LibTorch network, defined in the .cpp

protected:
    // Parameters every NCF model has (factors, epochs, batch_size, lr, weight_decay, patience,
    // negatives, dropout) with the given defaults.
    static std::vector<ParamSpec> commonSpecs(int factors, int epochs, int batchSize, double lr,
                                              double weightDecay, int patience);
    // The network's shape for the current params() and the data's dimensions.
    virtual NcfShape shapeFor(int64_t users, int64_t items) const = 0;

private:
    std::unique_ptr<State> m_state;
};

}  // namespace recscope
