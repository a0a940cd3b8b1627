#pragma once
// What the UI knows about metric keys ("ndcg@10", "rmse", "mrr"): the family and cutoff K, the
// label shown in headers ("NDCG@10"), how many decimals to show, a one-line explanation, and
// which direction is better.
//
// Direction comes from the core (recscope::higherIsBetter, core/export/LeaderboardTable.h), so
// the GUI and `recscope-cli export` mark the same cells: rmse and mae (rating errors), avgpop
// (popularity bias) and gini (concentration of recommendations on few items) are
// lower-is-better, every other metric higher-is-better. Unknown families show with four
// decimals, so a metric added to the evaluator still shows up.

#include <QList>
#include <QString>
#include <QStringList>

namespace recscope::ui {

class MetricColumns {
public:
    struct Family {
        QString key;          // "ndcg"
        QString label;        // "NDCG"
        QString description;  // one line, for tooltips
        int decimals = 4;
    };

    // Known families in display order (HR, Recall, Precision, NDCG, MRR, MAP, Coverage, AvgPop,
    // Novelty, Gini, Diversity, RMSE, MAE).
    static const QList<Family>& families();
    // The family of `key` (known or a generic stand-in named after it).
    static Family family(const QString& familyKey);

    // "ndcg@10" -> ("ndcg", 10); "rmse" -> ("rmse", 0). False for an empty key or a malformed
    // cutoff ("ndcg@", "ndcg@x", "ndcg@0").
    static bool parse(const QString& metricKey, QString* familyKey, int* k);

    static QString label(const QString& metricKey);    // "NDCG@10", "RMSE"
    static QString tooltip(const QString& metricKey);  // description + direction
    static bool lowerIsBetter(const QString& metricKey);
    static QString format(const QString& metricKey, double value);  // C locale, fixed decimals

    // Display order: family order of families() (unknown families after, by name), then K
    // ascending with the K-less key first.
    static bool lessInDisplayOrder(const QString& a, const QString& b);
    static int familyRank(const QString& familyKey);
};

}  // namespace recscope::ui
