#pragma once
// Shared plumbing of the Eigen / sparse models: keeps the training positives (binary user x item
// matrix) and item popularity, answers users without training positives with popularity
// scores, and saves/loads the common state around each model's own sections.
// Thread rules as Recommender: fit() on one thread; const calls from many after it.

#include <cstdint>
#include <string>
#include <vector>

#include "core/models/ModelFile.h"
#include "core/models/Recommender.h"
#include "core/models/TrainData.h"

namespace recscope {

class ClassicModel : public Recommender {
public:
    int32_t numItems() const override { return m_numItems; }
    bool usesValidation() const override { return false; }  // closed form / fixed iterations
    Status fit(const TrainData& data, const FitContext& context) final;
    // Rows of users with training positives come from scoreKnownUsers(); other users (and ids
    // out of range) get the popularity row.
    void scoreUsers(const int32_t* users, int64_t n, float* out) const final;
    Status save(const std::string& path) const final;
    Status load(const std::string& path) final;

    // Every classic model folds in: the history's positive items become a training row and
    // scoreItems() scores it; no positive gives the popularity row (as for an unknown user).
    bool canFoldIn() const override { return true; }
    Status scoreHistory(const std::vector<HistoryEntry>& history, float* out) const final;

protected:
    // m_numUsers, m_numItems, m_popularity and m_userItems are set before fitModel() runs.
    virtual Status fitModel(const TrainData& data, const FitContext& context) = 0;
    // users: all with at least one training positive; out: n x numItems(), row-major.
    virtual void scoreKnownUsers(const int32_t* users, int64_t n, float* out) const = 0;
    // Scores of a user whose training positives are items[0..n) (ascending, unique, n >= 1):
    // numItems() floats. For a training user's row it gives what scoreKnownUsers() gives.
    virtual void scoreItems(const int32_t* items, int64_t n, float* out) const = 0;
    virtual Status writeState(ModelFile& file) const = 0;
    virtual Status readState(ModelFile& file) = 0;

    bool hasTrainingData(int32_t user) const {
        return user >= 0 && user < m_numUsers && m_userItems.rowSize(user) > 0;
    }

    int32_t m_numUsers = 0;
    int32_t m_numItems = 0;
    std::vector<float> m_popularity;  // training-positive count per item
    CsrMatrix m_userItems;            // training positives, values 1
};

// Checks a CsrMatrix read from a file (offsets monotone, indices in range).
bool validCsr(const CsrMatrix& m);

}  // namespace recscope
