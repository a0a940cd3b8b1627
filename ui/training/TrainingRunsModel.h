#pragma once
// The workspace's runs as a list (newest first) for the training view: name, status and the
// headline metric, a colour swatch shared with the charts, and a check box per run that says
// whether the charts overlay it. Mirrors WorkspaceSession (which owns the records); only the
// check state lives here. GUI thread only.

#include <QAbstractListModel>
#include <QColor>
#include <QSet>
#include <QVector>

namespace recscope::ui {

class WorkspaceSession;

class TrainingRunsModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        RunIdRole = Qt::UserRole + 1,  // qint64
        StatusRole,                    // QString: "running", "finished", ...
        ColourRole,                    // QColor, as in the charts
    };

    // Runs checked when a workspace opens: the most recent few.
    static constexpr int kInitiallyShown = 5;

    explicit TrainingRunsModel(WorkspaceSession* session, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QHash<int, QByteArray> roleNames() const override;

    qint64 runId(int row) const;
    int rowOf(qint64 id) const;  // -1 when unknown
    bool isShown(qint64 id) const { return m_shown.contains(id); }
    void setShown(qint64 id, bool shown);

    // A stable colour per run id (a qualitative palette, readable on light and dark bases).
    static QColor colourFor(qint64 id);

signals:
    void shownChanged(qint64 id, bool shown);

private:
    void reset();
    void onRunAdded(qint64 id);
    void onRunChanged(qint64 id);
    void onRunRemoved(qint64 id);

    WorkspaceSession* m_session;
    QVector<qint64> m_ids;  // newest first
    QSet<qint64> m_shown;
};

}  // namespace recscope::ui
