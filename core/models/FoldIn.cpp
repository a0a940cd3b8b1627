#include "core/models/FoldIn.h"

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

namespace recscope {

std::vector<int32_t> historyItems(const std::vector<HistoryEntry>& history, int32_t numItems,
                                  bool positivesOnly) {
    std::vector<int32_t> items;
    items.reserve(history.size());
    for (const HistoryEntry& e : history)
        if (e.item >= 0 && e.item < numItems && (e.positive || !positivesOnly))
            items.push_back(e.item);
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    return items;
}

Error notTrainedForFoldIn(const std::string& modelName) {
    return makeError(modelName + " cannot fold in a new user: the model is not trained yet");
}

void embeddingCosines(const float* table, int32_t rows, int32_t dim, int32_t item,
                      const int32_t* items, int64_t n, float* out) {
    std::fill(out, out + n, 0.0f);
    if (!table || item < 0 || item >= rows || dim <= 0)
        return;
    using Vec = Eigen::Map<const Eigen::VectorXf>;
    const Vec a(table + static_cast<int64_t>(item) * dim, dim);
    const double na = a.norm();
    if (na == 0.0)
        return;
    for (int64_t k = 0; k < n; ++k) {
        if (items[k] < 0 || items[k] >= rows)
            continue;
        const Vec b(table + static_cast<int64_t>(items[k]) * dim, dim);
        const double nb = b.norm();
        if (nb > 0.0)
            out[k] = static_cast<float>(a.dot(b) / (na * nb));
    }
}

std::vector<float> solveUserVector(const float* factors, int32_t dim, const float* gram,
                                   const std::vector<int32_t>& rows,
                                   const std::vector<float>& weights,
                                   const std::vector<float>& targets) {
    // Double precision: the system is tiny and a fold-in should not depend on rounding.
    Eigen::MatrixXd a =
        Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            gram, dim, dim)
            .cast<double>();
    Eigen::VectorXd b = Eigen::VectorXd::Zero(dim);
    for (size_t k = 0; k < rows.size(); ++k) {
        const Eigen::VectorXd f =
            Eigen::Map<const Eigen::VectorXf>(factors + static_cast<int64_t>(rows[k]) * dim, dim)
                .cast<double>();
        a.noalias() += static_cast<double>(weights[k]) * (f * f.transpose());
        b += static_cast<double>(targets[k]) * f;
    }
    Eigen::LDLT<Eigen::MatrixXd> ldlt(a);
    const Eigen::VectorXd x = ldlt.solve(b);
    std::vector<float> out(static_cast<size_t>(dim));
    for (int32_t k = 0; k < dim; ++k)
        out[static_cast<size_t>(k)] = std::isfinite(x[k]) ? static_cast<float>(x[k]) : 0.0f;
    return out;
}

}  // namespace recscope
