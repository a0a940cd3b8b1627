#pragma once
// The metric catalogue (core/eval/MetricCatalogue.h) in Qt terms: a key's family and cutoff K,
// the label shown in headers ("NDCG@10"), decimals, a one-line explanation and which direction
// is better, exactly as `recscope-cli run` and `export` print them. Unknown families show with
// four decimals, so a metric added to the evaluator still shows up.

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

    // The catalogue's families in its display order.
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
