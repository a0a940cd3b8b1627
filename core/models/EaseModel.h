#pragma once
// "ease": EASE^R (Steck, WWW 2019), a closed-form item-item model.
// B = I - P diag(1/diag(P)), P = (X^T X + lambda I)^-1 over the items with training positives;
// scores = x_u B. Dense in the active items: memory n^2 floats (the fit gives the inverse back
// as it copies it into the weights), fit about n^3 multiply-adds.

#include <memory>
#include <vector>

#include "core/models/ClassicModel.h"

namespace recscope {

class EaseModel : public ClassicModel {
public:
    // The weights are kept in column tiles of kTile (each tile's rows contiguous), the layout
    // scoring reads.
    static constexpr int64_t kTile = 32;

    std::string name() const override { return "ease"; }
    std::vector<ParamSpec> paramSpecs() const override;
    // B(j, item): what item j in a user's row adds to `item`'s score (0 for inactive items).
    bool itemSimilarities(int32_t item, const int32_t* items, int64_t n, float* out) const override;
    int64_t preferredScoreBatch() const override;

protected:
    Status fitModel(const TrainData& data, const FitContext& context) override;
    void scoreKnownUsers(const int32_t* users, int64_t n, float* out) const override;
    void scoreItems(const int32_t* items, int64_t n, float* out) const override;
    Status writeState(ModelFile& file) const override;
    Status readState(ModelFile& file) override;

private:
    // Scores of n users given by their rows' active indices (CSR: offsets[0..n]).
    void scoreRows(const int64_t* offsets, const int32_t* rows, int64_t n, float* out) const;

    std::vector<int32_t> m_active;  // item id per active index (items with training positives)
    std::vector<int32_t> m_index;   // active index per item id, -1 if inactive
    static int64_t tileCount(int64_t n) { return (n + kTile - 1) / kTile; }
    // Room for the tiles of n active items (uninitialised).
    static std::unique_ptr<float[]> allocateTiles(int64_t n);
    // B(a, c): what active item a in a user's row adds to active item c's score.
    float weight(int64_t a, int64_t c) const;

    // B in tiles: tile t holds B(a, t kTile + j) at ((t n + a) kTile + j), n the active count;
    // the last tile padded with zeros to kTile columns.
    std::unique_ptr<float[]> m_weights;
};

}  // namespace recscope
