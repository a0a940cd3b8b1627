#include "core/eval/MetricCatalogue.h"

#include <algorithm>
#include <cctype>

namespace recscope {

const std::vector<MetricFamily>& metricFamilies() {
    using K = MetricKind;
    static const std::vector<MetricFamily> all = {
        {"hit", "HR", "Hit rate: share of users with at least one relevant item in the top K.",
         K::Accuracy, true, true, false, 4, true},
        {"recall", "Recall",
         "Recall: relevant items found in the top K / relevant items of the user.", K::Accuracy,
         true, true, false, 4, true},
        {"recall_capped", "RecallCap",
         "Recall with the denominator capped at K: relevant items found / min(K, relevant).",
         K::Accuracy, true, true, false, 4, false},
        {"precision", "Precision", "Precision: relevant items found in the top K / K.", K::Accuracy,
         true, true, false, 4, false},
        {"ndcg", "NDCG",
         "Normalised discounted cumulative gain: rewards relevant items near the top.", K::Accuracy,
         true, true, false, 4, true},
        {"mrr", "MRR",
         "Mean reciprocal rank of the first relevant item (without K: over the whole sampled "
         "list).",
         K::Accuracy, true, true, true, 4, true},
        {"map", "MAP", "Mean average precision over the hit ranks.", K::Accuracy, true, true, false,
         4, false},
        {"coverage", "Coverage", "Catalogue coverage: distinct items recommended / catalogue size.",
         K::Beyond, true, true, false, 4, true},
        {"avgpop", "AvgPop", "Mean training popularity of the recommended items (popularity bias).",
         K::Beyond, false, true, false, 1, false},
        {"novelty", "Novelty", "Mean self-information (bits) of the recommended items.", K::Beyond,
         true, true, false, 3, false},
        {"gini", "Gini", "Gini coefficient of how often items are recommended (0 = even).",
         K::Beyond, false, true, false, 4, false},
        {"diversity", "Diversity", "Mean pairwise genre distance within a list.", K::Beyond, true,
         true, false, 4, false},
        {"rmse", "RMSE", "Root mean squared rating error.", K::Rating, false, false, true, 4, true},
        {"mae", "MAE", "Mean absolute rating error.", K::Rating, false, false, true, 4, true},
    };
    return all;
}

const MetricFamily* findMetricFamily(const std::string& familyKey) {
    const auto& all = metricFamilies();
    const auto it = std::find_if(all.begin(), all.end(),
                                 [&](const MetricFamily& f) { return f.key == familyKey; });
    return it == all.end() ? nullptr : &*it;
}

bool parseMetricKey(const std::string& metricKey, std::string* familyKey, int* k) {
    const size_t at = metricKey.find('@');
    const std::string name = metricKey.substr(0, at);
    int cutoff = 0;
    if (at != std::string::npos) {
        const std::string digits = metricKey.substr(at + 1);
        if (digits.empty() || digits.size() > 9 ||
            !std::all_of(digits.begin(), digits.end(),
                         [](unsigned char c) { return std::isdigit(c) != 0; }))
            return false;
        cutoff = std::stoi(digits);
        if (cutoff <= 0)
            return false;
    }
    if (name.empty())
        return false;
    if (familyKey)
        *familyKey = name;
    if (k)
        *k = cutoff;
    return true;
}

bool isKnownMetricKey(const std::string& metricKey) {
    std::string name;
    int k = 0;
    if (!parseMetricKey(metricKey, &name, &k))
        return false;
    const MetricFamily* f = findMetricFamily(name);
    return f && (k > 0 ? f->atK : f->alone);
}

bool higherIsBetter(const std::string& metricKey) {
    const MetricFamily* f = findMetricFamily(metricKey.substr(0, metricKey.find('@')));
    return !f || f->higherIsBetter;
}

std::string metricLabel(const std::string& metricKey) {
    std::string name;
    int k = 0;
    if (!parseMetricKey(metricKey, &name, &k))
        return metricKey;
    std::string label;
    if (const MetricFamily* f = findMetricFamily(name)) {
        label = f->label;
    } else {
        label = name;
        std::transform(label.begin(), label.end(), label.begin(),
                       [](unsigned char c) { return char(std::toupper(c)); });
    }
    return k > 0 ? label + "@" + std::to_string(k) : label;
}

int metricDecimals(const std::string& metricKey) {
    const MetricFamily* f = findMetricFamily(metricKey.substr(0, metricKey.find('@')));
    return f ? f->decimals : 4;
}

}  // namespace recscope
