#pragma once
// The one list of the metrics RecScope computes: key, label, explanation, direction, whether it
// takes a cut-off K, decimals. The evaluator writes these keys; the leaderboard, the metric
// menus, the sweep's target list, `recscope-cli run` / `export` and the table exporters read
// this list instead of keeping their own. A new metric is one entry here plus its computation
// in the evaluator.

#include <string>
#include <vector>

namespace recscope {

enum class MetricKind {
    Accuracy,  // relevance of the top K: a sweep may optimise it
    Beyond,    // beyond accuracy: coverage, popularity, novelty, concentration, diversity
    Rating,    // error of predicted ratings (rating models only)
};

struct MetricFamily {
    std::string key;          // "ndcg": the key's part before '@'
    std::string label;        // "NDCG": headers and menus
    std::string description;  // one line for tooltips and help texts
    MetricKind kind = MetricKind::Accuracy;
    bool higherIsBetter = true;
    bool atK = true;     // written "key@K"
    bool alone = false;  // also (or only) written without K: "mrr" (sampled), "rmse"
    int decimals = 4;
    bool leaderboardDefault = false;  // a column the leaderboard shows before any choice
};

// Display order: HR, Recall, RecallCap, Precision, NDCG, MRR, MAP, Coverage, AvgPop, Novelty,
// Gini, Diversity, RMSE, MAE.
const std::vector<MetricFamily>& metricFamilies();
// Null when `familyKey` is not in the catalogue.
const MetricFamily* findMetricFamily(const std::string& familyKey);

// "ndcg@10" -> ("ndcg", 10); "rmse" -> ("rmse", 0). False for an empty family or a malformed
// cut-off ("ndcg@", "ndcg@x", "ndcg@0"); the family need not be known.
bool parseMetricKey(const std::string& metricKey, std::string* familyKey, int* k);
// A key the evaluator can write: a known family, with a cut-off when it takes one, without one
// when it may stand alone.
bool isKnownMetricKey(const std::string& metricKey);
// Direction of `metricKey`'s family; unknown families count as higher-is-better.
bool higherIsBetter(const std::string& metricKey);
// "NDCG@10", "RMSE"; an unknown family in capitals.
std::string metricLabel(const std::string& metricKey);
// Decimals to print; 4 for unknown families.
int metricDecimals(const std::string& metricKey);

}  // namespace recscope
