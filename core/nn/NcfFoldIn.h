#pragma once
// Fold-in of a new user into a trained NCF net (NeuralMF / NeuMF; see NcfRecommender.h): only
// the user's GMF and MLP embeddings, theta = [gmf ; mlp], are optimised, from zero, on the
// training loss (mean BCE over a batch of items with 0/1 labels) with every item embedding and
// layer frozen. Forward, backward and Adam are written out in Eigen on host copies of the net's
// tables: a call makes ~150 steps of a few hundred rows, where LibTorch's per-operation
// overhead would dominate (autograd made an edit of the what-if user cost several times more).
// lossAndGradient() is the hand-written backward pass; tests check it against autograd.
// core/nn only. Not thread-safe (one call at a time per object); the net must outlive it.

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

namespace recscope {

class NcfNetImpl;

class NcfFoldIn {
public:
    explicit NcfFoldIn(const NcfNetImpl& net);

    int64_t gmfDim() const { return m_g; }
    int64_t mlpDim() const { return m_m; }

    // Mean BCE-with-logits of the user theta (gmfDim() + mlpDim() floats) against items[r]
    // labelled labels[r], r < rows; grad (same size as theta) receives d loss / d theta.
    double lossAndGradient(const Eigen::VectorXf& theta, const int32_t* items, const float* labels,
                           int64_t rows, Eigen::VectorXf& grad);

    // The fold-in: `steps` Adam steps at learning rate `lr`, each on min(batch, positives)
    // positives (a fresh seeded sample when there are more) and `negatives` uniform
    // non-positives per positive. positives: ascending, unique, fewer than the items.
    // Deterministic: the same history always gives the same vectors.
    void fit(const std::vector<int32_t>& positives, int negatives, int steps, int64_t batch,
             float lr, Eigen::VectorXf& gmfUser, Eigen::VectorXf& mlpUser);

private:
    using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

    int64_t m_g = 0;  // GMF embedding size (0: none)
    int64_t m_m = 0;  // MLP embedding size (0: none)
    int32_t m_items = 0;
    float m_outBias = 0.0f;
    RowMatrixF m_gmfRows;         // items x g: q_i * w_gmf (the GMF logit is gu . row)
    std::vector<RowMatrixF> m_w;  // MLP layer weights (out x in)
    std::vector<Eigen::RowVectorXf> m_b;
    RowMatrixF m_itemPart;          // items x h0: the first layer's item half plus its bias
    RowMatrixF m_w0User;            // h0 x m: the first layer's user half
    Eigen::RowVectorXf m_wMlp;      // output weights of the MLP tower
    std::vector<RowMatrixF> m_pre;  // per layer pre-activations of the last forward
};

}  // namespace recscope
