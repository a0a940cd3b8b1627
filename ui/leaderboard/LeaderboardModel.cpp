#include "ui/leaderboard/LeaderboardModel.h"

#include <QBrush>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>
#include <QSet>
#include <algorithm>
#include <cmath>
#include <optional>

#include "core/eval/MetricCatalogue.h"
#include "core/split/Split.h"
#include "core/workspace/Workspace.h"
#include "ui/leaderboard/MetricColumns.h"
#include "ui/leaderboard/MetricIntervals.h"
#include "ui/session/WorkspaceSession.h"

namespace recscope::ui {

namespace {

// The catalogue's leaderboard defaults (HR, Recall, NDCG, MRR, Coverage, RMSE, MAE).
const QStringList& defaultFamilies() {
    static const QStringList all = [] {
        QStringList out;
        for (const MetricFamily& f : metricFamilies())
            if (f.leaderboardDefault)
                out << QString::fromStdString(f.key);
        return out;
    }();
    return all;
}
constexpr int kDefaultK = 10;

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

QString runName(const RunRecord& run) {
    if (!run.name.empty())
        return qs(run.name);
    return QStringLiteral("%1 #%2").arg(qs(run.config.model)).arg(run.id);
}

// The evaluation's negatives as the run used them (-1 means the protocol's default).
int negativesOf(const RunConfig& config) {
    if (config.negatives >= 0)
        return config.negatives;
    return config.split.protocol == Protocol::Loo ? 99 : 0;
}

QString protocolText(const RunConfig& config) {
    QString name = qs(protocolName(config.split.protocol));
    const int negatives = negativesOf(config);
    if (negatives > 0)
        name = LeaderboardModel::tr("%1 · %2 neg").arg(name).arg(negatives);
    if (config.evaluateOn == EvalPart::Validation)
        name = LeaderboardModel::tr("%1 · validation").arg(name);
    return name;
}

bool onValidation(const RunRecord& run) {
    return run.config.evaluateOn == EvalPart::Validation;
}

QString statusText(const RunRecord& run) {
    QString name = qs(runStatusName(run.status));
    if (!name.isEmpty())
        name[0] = name[0].toUpper();
    if (run.status == RunStatus::Running && !run.epochs.empty())
        return LeaderboardModel::tr("%1 · epoch %2").arg(name).arg(run.epochs.back().epoch);
    return name;
}

std::optional<double> metricValue(const RunRecord& run, const QString& key) {
    const auto it = run.metrics.find(key.toStdString());
    if (it == run.metrics.end() || !std::isfinite(it->second))
        return std::nullopt;
    return it->second;
}

QString joinMap(const std::map<std::string, std::string>& values) {
    QStringList lines;
    for (const auto& [key, value] : values)
        lines << QStringLiteral("  %1 = %2").arg(qs(key), qs(value));
    return lines.join(QLatin1Char('\n'));
}

}  // namespace

LeaderboardModel::LeaderboardModel(WorkspaceSession* session, QObject* parent)
    : QAbstractTableModel(parent),
      m_session(session),
      m_chosenFamilies(defaultFamilies()),
      m_intervals(new MetricIntervals(session, this)) {
    connect(m_intervals, &MetricIntervals::ready, this, [this](qint64 id) {
        const int row = rowOfRun(id);
        if (row >= 0 && m_showIntervals && !m_columns.isEmpty())
            emit dataChanged(index(row, FirstMetricColumn), index(row, columnCount() - 1),
                             {Qt::DisplayRole, Qt::ToolTipRole, IntervalRole});
    });
    connect(m_session, &WorkspaceSession::workspaceOpened, this, &LeaderboardModel::reload);
    connect(m_session, &WorkspaceSession::runAdded, this, &LeaderboardModel::onRunAdded);
    connect(m_session, &WorkspaceSession::runChanged, this, &LeaderboardModel::onRunChanged);
    connect(m_session, &WorkspaceSession::runRemoved, this, &LeaderboardModel::onRunRemoved);
    reload();
}

int LeaderboardModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_ids.size()) + referenceCount();
}

int LeaderboardModel::referenceCount() const {
    return m_showReferences ? int(m_refs.size()) : 0;
}

void LeaderboardModel::setShowReferences(bool show) {
    if (show == m_showReferences)
        return;
    beginResetModel();
    m_showReferences = show;
    endResetModel();
}

std::vector<ReferenceRow> LeaderboardModel::computeReferences() const {
    std::vector<const RunRecord*> runs;
    for (qint64 id : m_ids)
        if (const RunRecord* r = m_session->run(id))
            runs.push_back(r);
    return referenceRows(runs);
}

bool LeaderboardModel::referencesOutdated() const {
    const std::vector<ReferenceRow> fresh = computeReferences();
    if (fresh.size() != m_refs.size())
        return true;
    for (size_t i = 0; i < fresh.size(); ++i)
        if (fresh[i].name != m_refs[i].name || fresh[i].table != m_refs[i].table ||
            fresh[i].figures != m_refs[i].figures)
            return true;
    return false;
}

int LeaderboardModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : FirstMetricColumn + int(m_columns.size());
}

const RunRecord* LeaderboardModel::record(int row) const {
    if (row < 0 || row >= m_ids.size())
        return nullptr;
    return m_session->run(m_ids[row]);
}

qint64 LeaderboardModel::runId(int row) const {
    return row >= 0 && row < m_ids.size() ? m_ids[row] : 0;
}

int LeaderboardModel::rowOfRun(qint64 id) const {
    return int(m_ids.indexOf(id));
}

QString LeaderboardModel::metricKey(int column) const {
    const int i = column - FirstMetricColumn;
    return i >= 0 && i < m_columns.size() ? m_columns[i] : QString();
}

int LeaderboardModel::columnOfMetric(const QString& metricKey) const {
    const int i = int(m_columns.indexOf(metricKey));
    return i < 0 ? -1 : FirstMetricColumn + i;
}

bool LeaderboardModel::isBest(int row, int column) const {
    const int i = column - FirstMetricColumn;
    if (i < 0 || i >= m_best.size() || row < 0 || row >= m_ids.size())
        return false;
    return m_best[i].contains(m_ids[row]);
}

QList<int> LeaderboardModel::chosenKs() const {
    return effectiveKs(m_availableKs);
}

void LeaderboardModel::setShowIntervals(bool show) {
    if (show == m_showIntervals)
        return;
    m_showIntervals = show;
    if (!m_ids.isEmpty() && !m_columns.isEmpty())
        emit dataChanged(index(0, FirstMetricColumn), index(rowCount() - 1, columnCount() - 1),
                         {Qt::DisplayRole, Qt::ToolTipRole, IntervalRole});
}

void LeaderboardModel::setChosenFamilies(const QStringList& families) {
    m_chosenFamilies = families;
    reload();
}

void LeaderboardModel::setChosenKs(const QList<int>& ks) {
    m_chosenKs = ks;
    std::sort(m_chosenKs.begin(), m_chosenKs.end());
    m_ksChosen = true;
    reload();
}

void LeaderboardModel::computeAvailable(QStringList* families, QList<int>* ks) const {
    QSet<QString> familySet;
    QSet<int> kSet;
    for (const RunRecord& run : m_session->runs())
        for (const auto& entry : run.metrics) {
            QString family;
            int k = 0;
            if (!MetricColumns::parse(qs(entry.first), &family, &k))
                continue;
            familySet.insert(family);
            if (k > 0)
                kSet.insert(k);
        }
    *families = QStringList(familySet.begin(), familySet.end());
    std::sort(families->begin(), families->end(), [](const QString& a, const QString& b) {
        const int ra = MetricColumns::familyRank(a);
        const int rb = MetricColumns::familyRank(b);
        return ra != rb ? ra < rb : a < b;
    });
    *ks = QList<int>(kSet.begin(), kSet.end());
    std::sort(ks->begin(), ks->end());
}

QList<int> LeaderboardModel::effectiveKs(const QList<int>& available) const {
    if (m_ksChosen)
        return m_chosenKs;
    if (available.isEmpty() || available.contains(kDefaultK))
        return {kDefaultK};
    return {available.front()};
}

QStringList LeaderboardModel::computeColumns(const QList<int>& ks) const {
    QSet<QString> keys;
    for (const RunRecord& run : m_session->runs())
        for (const auto& entry : run.metrics) {
            const QString key = qs(entry.first);
            QString family;
            int k = 0;
            if (MetricColumns::parse(key, &family, &k) && m_chosenFamilies.contains(family) &&
                (k == 0 || ks.contains(k)))
                keys.insert(key);
        }
    QStringList columns(keys.begin(), keys.end());
    std::sort(columns.begin(), columns.end(), &MetricColumns::lessInDisplayOrder);
    return columns;
}

bool LeaderboardModel::columnsOutdated() const {
    QStringList families;
    QList<int> ks;
    computeAvailable(&families, &ks);
    return computeColumns(effectiveKs(ks)) != m_columns;
}

bool LeaderboardModel::applyAvailable() {
    QStringList families;
    QList<int> ks;
    computeAvailable(&families, &ks);
    if (families == m_availableFamilies && ks == m_availableKs)
        return false;
    m_availableFamilies = families;
    m_availableKs = ks;
    return true;
}

void LeaderboardModel::reload() {
    beginResetModel();
    m_ids.clear();
    for (const RunRecord& run : m_session->runs())
        m_ids.push_back(run.id);
    const bool availableChanged = applyAvailable();
    m_columns = computeColumns(chosenKs());
    m_refs = computeReferences();
    updateBest();
    endResetModel();
    if (availableChanged)
        emit availableColumnsChanged();
}

void LeaderboardModel::onRunAdded(qint64 id) {
    if (rowOfRun(id) >= 0 || !m_session->run(id))
        return;
    // A run bringing a metric column no other run had (or other published figures) changes the
    // columns or the reference rows: reset instead.
    if (columnsOutdated()) {
        reload();
        return;
    }
    const int row = int(m_ids.size());
    beginInsertRows({}, row, row);
    m_ids.push_back(id);
    endInsertRows();
    if (referencesOutdated()) {
        reload();
        return;
    }
    afterRowChange();
}

void LeaderboardModel::onRunChanged(qint64 id) {
    const int row = rowOfRun(id);
    if (row < 0) {
        onRunAdded(id);
        return;
    }
    if (columnsOutdated() || referencesOutdated()) {
        reload();
        return;
    }
    emit dataChanged(index(row, 0), index(row, columnCount() - 1));
    afterRowChange();
}

void LeaderboardModel::onRunRemoved(qint64 id) {
    const int row = rowOfRun(id);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_ids.removeAt(row);
    endRemoveRows();
    if (columnsOutdated() || referencesOutdated()) {
        reload();
        return;
    }
    afterRowChange();
}

void LeaderboardModel::afterRowChange() {
    emitBestChanged();
    if (applyAvailable())
        emit availableColumnsChanged();
}

void LeaderboardModel::updateBest() {
    m_best.clear();
    m_best.resize(m_columns.size());
    for (int c = 0; c < m_columns.size(); ++c) {
        const QString& key = m_columns[c];
        const bool lower = MetricColumns::lowerIsBetter(key);
        std::vector<std::pair<qint64, double>> values;
        for (qint64 id : m_ids)
            if (const RunRecord* run = m_session->run(id); run && !onValidation(*run))
                if (const auto value = metricValue(*run, key))
                    values.emplace_back(id, *value);
        if (values.size() < 2)
            continue;
        double best = values.front().second;
        for (const auto& v : values)
            best = lower ? std::min(best, v.second) : std::max(best, v.second);
        for (const auto& v : values)
            if (v.second == best)
                m_best[c].insert(v.first);
    }
}

void LeaderboardModel::emitBestChanged() {
    const QVector<QSet<qint64>> before = m_best;
    updateBest();
    if (before == m_best || m_ids.isEmpty() || m_columns.isEmpty())
        return;
    emit dataChanged(index(0, FirstMetricColumn), index(rowCount() - 1, columnCount() - 1),
                     {Qt::FontRole, Qt::BackgroundRole, Qt::ToolTipRole, BestRole});
}

QVariant LeaderboardModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (index.row() >= m_ids.size())
        return referenceData(m_refs[size_t(index.row() - m_ids.size())], index.column(), role);
    const RunRecord* run = record(index.row());
    if (!run)
        return {};
    if (role == ReferenceRole)
        return false;
    if (role == RunIdRole)
        return QVariant::fromValue<qint64>(run->id);
    if (role == ValidationRole)
        return onValidation(*run);
    if (role == Qt::FontRole && onValidation(*run)) {
        QFont font;
        font.setItalic(true);
        font.setBold(isBest(index.row(), index.column()));
        return font;
    }
    if (index.column() >= FirstMetricColumn)
        return metricData(*run, index.column(), role);
    return fixedData(*run, index.column(), role);
}

QVariant LeaderboardModel::fixedData(const RunRecord& run, int column, int role) const {
    const bool numeric = column == TrainSecondsColumn;
    const bool hasTime = run.status == RunStatus::Finished;
    switch (role) {
        case Qt::DisplayRole:
        case Qt::EditRole:
            switch (column) {
                case NameColumn:
                    return runName(run);
                case ModelColumn:
                    return qs(run.config.model);
                case DatasetColumn:
                    return run.dataset.name.empty() ? qs(run.config.dataset) : qs(run.dataset.name);
                case ProtocolColumn:
                    return protocolText(run.config);
                case ExcludeColumn:
                    return qs(excludeRuleName(run.config.split.exclude));
                case FitOnColumn:
                    if (run.status != RunStatus::Finished)
                        return qs(run.config.fitOn);
                    return run.fitOnTrainAndValidation ? QStringLiteral("train+val")
                                                       : QStringLiteral("train");
                case StatusColumn:
                    return statusText(run);
                case TrainSecondsColumn:
                    return hasTime ? QVariant(QString::number(run.trainSeconds, 'f', 1))
                                   : QVariant();
            }
            return {};
        case SortRole:
            if (numeric)
                return hasTime ? QVariant(run.trainSeconds) : QVariant();
            return fixedData(run, column, Qt::DisplayRole).toString().toLower();
        case NumericRole:
            return numeric;
        case Qt::TextAlignmentRole:
            return numeric ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
        case Qt::ToolTipRole:
            if (column == StatusColumn && !run.message.empty())
                return QStringLiteral("%1: %2").arg(statusText(run), qs(run.message));
            return runTooltip(run);
        case Qt::ForegroundRole:
            if (column == StatusColumn && run.status != RunStatus::Finished &&
                run.status != RunStatus::Running)
                return QGuiApplication::palette().brush(QPalette::PlaceholderText);
            return {};
        case Qt::FontRole:
            if (column == StatusColumn && run.status == RunStatus::Running) {
                QFont font;
                font.setItalic(true);
                return font;
            }
            return {};
    }
    return {};
}

QVariant LeaderboardModel::metricData(const RunRecord& run, int column, int role) const {
    const QString key = metricKey(column);
    const std::optional<double> value = metricValue(run, key);
    BootstrapInterval ci;
    bool hasInterval = false;
    if (m_showIntervals && value &&
        (role == Qt::DisplayRole || role == Qt::ToolTipRole || role == IntervalRole)) {
        if (const std::optional<BootstrapInterval> found = m_intervals->interval(run.id, key)) {
            ci = *found;
            hasInterval = true;
        }
    }
    switch (role) {
        case Qt::DisplayRole:
            if (value && hasInterval)
                return QStringLiteral("%1 ± %2").arg(
                    MetricColumns::format(key, *value),
                    MetricColumns::format(key, (ci.high - ci.low) / 2));
            return value ? QVariant(MetricColumns::format(key, *value)) : QVariant();
        case IntervalRole:
            return hasInterval ? QVariant(QPointF(ci.low, ci.high)) : QVariant();
        case SortRole:
        case RawValueRole:
            return value ? QVariant(*value) : QVariant();
        case NumericRole:
            return true;
        case BestRole:
            return isBest(rowOfRun(run.id), column);
        case Qt::TextAlignmentRole:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        case Qt::FontRole:
            if (isBest(rowOfRun(run.id), column)) {
                QFont font;
                font.setBold(true);
                return font;
            }
            return {};
        case Qt::BackgroundRole:
            if (isBest(rowOfRun(run.id), column)) {
                QColor colour = QGuiApplication::palette().color(QPalette::Highlight);
                colour.setAlpha(48);
                return QBrush(colour);
            }
            return {};
        case Qt::ToolTipRole: {
            if (!value)
                return tr("%1: no value for %2").arg(MetricColumns::label(key), runName(run));
            QString text =
                QStringLiteral("%1 = %2").arg(MetricColumns::label(key)).arg(*value, 0, 'g', 10);
            if (hasInterval)
                text += QLatin1Char('\n') +
                        tr("Bootstrap 95% interval over the %1 users: [%2, %3] (%4 resamples)")
                            .arg(run.usersEvaluated)
                            .arg(ci.low, 0, 'f', 4)
                            .arg(ci.high, 0, 'f', 4)
                            .arg(ci.resamples);
            if (onValidation(run))
                text += QLatin1Char('\n') +
                        tr("Measured on the validation part (a sweep trial): not comparable "
                           "with the test runs, never marked best.");
            if (isBest(rowOfRun(run.id), column))
                text += QLatin1Char('\n') + tr("Best of this column (%1).")
                                                .arg(MetricColumns::lowerIsBetter(key)
                                                         ? tr("lower is better")
                                                         : tr("higher is better"));
            return text;
        }
    }
    return {};
}

QVariant LeaderboardModel::referenceData(const ReferenceRow& ref, int column, int role) const {
    const QString key = metricKey(column);
    const auto figure = key.isEmpty() ? ref.figures.end() : ref.figures.find(key.toStdString());
    const bool hasValue = figure != ref.figures.end();
    switch (role) {
        case ReferenceRole:
            return true;
        case RunIdRole:
            return QVariant::fromValue<qint64>(0);
        case ValidationRole:
        case BestRole:
            return false;
        case NumericRole:
            return column >= FirstMetricColumn || column == TrainSecondsColumn;
        case Qt::DisplayRole:
        case Qt::EditRole:
            if (column >= FirstMetricColumn) {
                if (!hasValue)
                    return {};
                const PublishedFigure& f = *figure->second;
                const QString prefix = f.kind == FigureKind::AtLeast  ? QStringLiteral("> ")
                                       : f.kind == FigureKind::AtMost ? QStringLiteral("< ")
                                                                      : QString();
                return prefix + MetricColumns::format(key, f.value);
            }
            switch (column) {
                case NameColumn:
                    return qs(ref.name);
                case ModelColumn:
                    return ref.model.empty() ? QStringLiteral("—") : qs(ref.model);
                case DatasetColumn:
                    return qs(ref.datasetFamily);
                case ProtocolColumn: {
                    const FigureSetup& setup = ref.figures.begin()->second->setup;
                    const QString name = qs(protocolName(setup.split.protocol));
                    return setup.negatives > 0 ? tr("%1 · %2 neg").arg(name).arg(setup.negatives)
                                               : name;
                }
                case StatusColumn:
                    return tr("Published");
            }
            return {};
        case SortRole:
            if (column >= FirstMetricColumn)
                return hasValue ? QVariant(figure->second->value) : QVariant();
            if (column == TrainSecondsColumn)
                return {};
            return referenceData(ref, column, Qt::DisplayRole).toString().toLower();
        case RawValueRole:
            return hasValue ? QVariant(figure->second->value) : QVariant();
        case Qt::TextAlignmentRole:
            return column >= FirstMetricColumn || column == TrainSecondsColumn
                       ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                       : QVariant();
        case Qt::ForegroundRole:
            return QGuiApplication::palette().brush(QPalette::PlaceholderText);
        case Qt::FontRole: {
            QFont font;
            font.setItalic(true);
            return font;
        }
        case Qt::ToolTipRole: {
            QStringList lines;
            lines << tr("Published figure, not a run of this workspace.") << qs(ref.tableTitle);
            if (hasValue) {
                const PublishedFigure& f = *figure->second;
                lines << tr("%1 = %2 (%3)")
                             .arg(MetricColumns::label(key))
                             .arg(f.value)
                             .arg(f.kind == FigureKind::Value ? tr("as published")
                                  : f.kind == FigureKind::AtLeast
                                      ? tr("a floor the source expects")
                                      : tr("a ceiling the source expects"));
                if (!f.note.empty())
                    lines << qs(f.note);
            }
            lines << tr("Shown because a run here has the same protocol, data set and K.");
            return lines.join(QLatin1Char('\n'));
        }
    }
    return {};
}

QString LeaderboardModel::runTooltip(const RunRecord& run) const {
    const RunConfig& c = run.config;
    QStringList lines;
    lines << tr("%1 (run #%2)").arg(runName(run)).arg(run.id);
    lines << tr("Model: %1").arg(qs(c.model));
    const auto& params = run.params.empty() ? c.params : run.params;
    if (!params.empty())
        lines << tr("Parameters:") << joinMap(params);
    lines << tr("Dataset: %1 (%2 users, %3 items, %4 ratings)")
                 .arg(run.dataset.name.empty() ? qs(c.dataset) : qs(run.dataset.name))
                 .arg(run.dataset.users)
                 .arg(run.dataset.items)
                 .arg(run.dataset.ratings);
    const SplitConfig& s = c.split;
    QString split;
    switch (s.protocol) {
        case Protocol::Temporal:
            split =
                tr("test %1, validation %2, min train %3").arg(s.nTest).arg(s.nVal).arg(s.minTrain);
            break;
        case Protocol::Loo:
            split = tr("validation %1, min train %2").arg(s.nVal).arg(s.minTrain);
            break;
        case Protocol::Ratio:
            split = tr("test %1, validation %2, per %3, seed %4")
                        .arg(s.testFraction)
                        .arg(s.valFraction)
                        .arg(qs(stratifyName(s.stratify)))
                        .arg(s.seed);
            break;
        case Protocol::Strong:
            split = tr("held-out users %1, target %2, min ratings %3, seed %4")
                        .arg(s.heldoutUsers > 0 ? QString::number(s.heldoutUsers) : tr("auto"))
                        .arg(s.testFraction)
                        .arg(s.minTrain)
                        .arg(s.seed);
            break;
    }
    if (s.minRating > 0)
        split += tr(", ratings >= %1").arg(s.minRating);
    if (s.kcore > 0)
        split += tr(", %1-core").arg(s.kcore);
    split += tr(", lists exclude %1").arg(qs(excludeRuleName(s.exclude)));
    lines << tr("Protocol: %1 (%2, threshold %3)")
                 .arg(qs(protocolName(s.protocol)), split)
                 .arg(s.threshold);
    QStringList ks;
    for (int k : c.ks)
        ks << QString::number(k);
    const int negatives = negativesOf(c);
    lines << tr("Evaluation: %1; K = %2")
                 .arg(negatives > 0 ? tr("%1 %2 negatives per test item")
                                          .arg(negatives)
                                          .arg(c.sampler == NegativeSampler::Popularity
                                                   ? tr("popularity-sampled")
                                                   : tr("uniform"))
                                    : tr("full ranking"),
                      ks.join(QStringLiteral(", ")));
    lines << tr("Fit on %1, device %2, seed %3").arg(qs(c.fitOn), qs(c.device)).arg(c.seed);
    if (run.status == RunStatus::Finished)
        lines << tr("Fitted on %1: %2 ratings")
                     .arg(run.fitOnTrainAndValidation ? tr("train + validation") : tr("train"))
                     .arg(run.trainRatings);
    lines << tr("Created %1").arg(qs(run.createdAt));
    if (run.status == RunStatus::Finished)
        lines << tr("Training %1 s, evaluation %2 s, %3 users evaluated")
                     .arg(run.trainSeconds, 0, 'f', 1)
                     .arg(run.evalSeconds, 0, 'f', 1)
                     .arg(run.usersEvaluated);
    if (!run.epochs.empty())
        lines << tr("Epochs: %1").arg(run.epochs.size());
    if (!run.message.empty())
        lines << tr("Message: %1").arg(qs(run.message));
    if (!run.checkpoint.empty())
        lines << tr("Checkpoint: %1").arg(qs(run.checkpoint));
    return lines.join(QLatin1Char('\n'));
}

QVariant LeaderboardModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    const QString key = metricKey(section);
    switch (role) {
        case Qt::DisplayRole:
            if (!key.isEmpty())
                return MetricColumns::label(key);
            switch (section) {
                case NameColumn:
                    return tr("Run");
                case ModelColumn:
                    return tr("Model");
                case DatasetColumn:
                    return tr("Dataset");
                case ProtocolColumn:
                    return tr("Protocol");
                case ExcludeColumn:
                    return tr("Excludes");
                case FitOnColumn:
                    return tr("Fit on");
                case StatusColumn:
                    return tr("Status");
                case TrainSecondsColumn:
                    return tr("Train s");
            }
            return {};
        case Qt::ToolTipRole:
            if (!key.isEmpty())
                return MetricColumns::tooltip(key);
            if (section == NameColumn)
                return tr("Run name (double-click to rename).");
            if (section == TrainSecondsColumn)
                return tr("Training time in seconds.");
            if (section == ExcludeColumn)
                return tr(
                    "What every list of the run leaves out: the user's training "
                    "positives, or every item rated in training. Runs under different "
                    "rules do not compare.");
            if (section == FitOnColumn)
                return tr(
                    "What the model's final weights were trained on (train, or train + "
                    "validation), as the run resolved --fit-on.");
            return {};
        case NumericRole:
            return !key.isEmpty() || section == TrainSecondsColumn;
        case MetricKeyRole:
            return key.isEmpty() ? QVariant() : QVariant(key);
    }
    return {};
}

Qt::ItemFlags LeaderboardModel::flags(const QModelIndex& index) const {
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == NameColumn && index.row() < m_ids.size())
        f |= Qt::ItemIsEditable;
    return f;
}

bool LeaderboardModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (role != Qt::EditRole || !index.isValid() || index.column() != NameColumn)
        return false;
    const QString name = value.toString().trimmed();
    const RunRecord* run = record(index.row());
    if (!run || name.isEmpty())
        return false;
    if (name == runName(*run))
        return true;
    // The session reloads the run and emits runChanged, which updates this row.
    return m_session->renameRun(run->id, name);
}

}  // namespace recscope::ui
