#include "ui/leaderboard/MetricColumns.h"

#include <QCoreApplication>

#include "core/eval/MetricCatalogue.h"

namespace recscope::ui {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("recscope::ui::MetricColumns", text);
}

}  // namespace

const QList<MetricColumns::Family>& MetricColumns::families() {
    static const QList<Family> all = [] {
        QList<Family> out;
        for (const MetricFamily& f : metricFamilies())
            out.push_back({QString::fromStdString(f.key), QString::fromStdString(f.label),
                           tr(f.description.c_str()), f.decimals});
        return out;
    }();
    return all;
}

int MetricColumns::familyRank(const QString& familyKey) {
    const QList<Family>& all = families();
    for (int i = 0; i < all.size(); ++i)
        if (all[i].key == familyKey)
            return i;
    return int(all.size());
}

MetricColumns::Family MetricColumns::family(const QString& familyKey) {
    const int rank = familyRank(familyKey);
    if (rank < families().size())
        return families()[rank];
    return {familyKey, familyKey.toUpper(), QString(), 4};
}

bool MetricColumns::parse(const QString& metricKey, QString* familyKey, int* k) {
    const int at = int(metricKey.indexOf(QLatin1Char('@')));
    QString name = at < 0 ? metricKey : metricKey.left(at);
    int cutoff = 0;
    if (at >= 0) {
        bool ok = false;
        cutoff = metricKey.mid(at + 1).toInt(&ok);
        if (!ok || cutoff <= 0)
            return false;
    }
    if (name.isEmpty())
        return false;
    if (familyKey)
        *familyKey = name;
    if (k)
        *k = cutoff;
    return true;
}

QString MetricColumns::label(const QString& metricKey) {
    QString name;
    int k = 0;
    if (!parse(metricKey, &name, &k))
        return metricKey;
    const QString base = family(name).label;
    return k > 0 ? QStringLiteral("%1@%2").arg(base).arg(k) : base;
}

QString MetricColumns::tooltip(const QString& metricKey) {
    QString name;
    int k = 0;
    if (!parse(metricKey, &name, &k))
        return metricKey;
    const Family f = family(name);
    QString text = f.description.isEmpty() ? label(metricKey) : f.description;
    const bool lower = lowerIsBetter(metricKey);
    if (k > 0)
        text += QLatin1Char(' ') + tr("K = %1.").arg(k);
    text += QLatin1Char('\n') + (lower ? tr("Lower is better.") : tr("Higher is better."));
    return text;
}

bool MetricColumns::lowerIsBetter(const QString& metricKey) {
    return !higherIsBetter(metricKey.toStdString());
}

QString MetricColumns::format(const QString& metricKey, double value) {
    QString name;
    const int decimals = parse(metricKey, &name, nullptr) ? family(name).decimals : 4;
    return QString::number(value, 'f', decimals);
}

bool MetricColumns::lessInDisplayOrder(const QString& a, const QString& b) {
    QString fa;
    QString fb;
    int ka = 0;
    int kb = 0;
    if (!parse(a, &fa, &ka) || !parse(b, &fb, &kb))
        return a < b;
    const int ra = familyRank(fa);
    const int rb = familyRank(fb);
    if (ra != rb)
        return ra < rb;
    if (fa != fb)
        return fa < fb;
    return ka < kb;
}

}  // namespace recscope::ui
