#pragma once
// The "Inspect" tab (issue 6): one user of the open dataset under two recommendation lists.
//
// Top: the user picker (MovieLens user id, Random, Few / Median / Many ratings: thirds of the
// users with test positives by training count, see UserInspection), the list length K and the
// "What-if user" toggle. Left: the user's history as the left run split it (train / validation
// / test tinted), or the what-if editor. Right: two RecommendationListPanels, each showing any
// finished run of the workspace whose dataset matches the open one (two-stage runs offer their
// retriever and their final ranker list); by default the latest pipeline run's retriever and
// ranker, else the two latest runs. Lists and metrics follow the evaluator's full-ranking rules;
// selecting an item shows "because you liked" evidence under its list.
//
// Runs load in the background through LoadedRunCache, once the view is shown (a run finishing
// while another tab is open costs nothing until the tab is opened); lists are computed on the GUI
// thread (one user's scores: milliseconds on ML-100K) after every change, including each what-if
// edit. GUI thread only.

#include <QWidget>
#include <array>
#include <memory>

#include "core/inspect/LoadedRun.h"
#include "core/inspect/UserInspection.h"
#include "ui/session/DatasetSession.h"

class QCheckBox;
class QLabel;
class QSpinBox;
class QStackedWidget;
class QTableView;

namespace recscope::ui {

class LoadedRunCache;
class RecommendationListPanel;
class UserHistoryModel;
class WhatIfEditor;
class WorkspaceSession;

class InspectorView : public QWidget {
    Q_OBJECT
public:
    InspectorView(DatasetSession* datasets, WorkspaceSession* workspace, LoadedRunCache* runs,
                  QWidget* parent = nullptr);
    ~InspectorView() override;

    // Shows a run: a two-stage run fills both sides (retriever left, ranker right); any other
    // run goes to the right side, the left keeping its run (or taking the latest other one).
    void showRun(qint64 runId);
    // Picks a user by MovieLens user id (as in the data files); false when the dataset has none.
    bool showUser(int user);
    // Picks the user whose recent training films differ most in genre from their older ones
    // (UserInspection::genreShiftUser on the right side's run; the "Shift" button). Before that
    // run has loaded, the pick happens when it does. False when no user qualifies (yet).
    bool showGenreShiftUser();
    void setWhatIf(bool on);
    bool isWhatIf() const;
    // Lessons ("we liked Toy Story and Alien"): turns the what-if user on and rates the movie
    // whose title is `title` (exact, or a unique case-insensitive match); false when none is.
    bool addWhatIfRating(const QString& title, double rating);
    void setTopK(int k);
    int topK() const;

    // The picked user as a dense id of the dataset (-1: none).
    int32_t currentUser() const { return m_user; }
    RecommendationListPanel* panel(int side) const { return m_sides[size_t(side)].panel; }
    UserHistoryModel* historyModel() const { return m_history; }
    WhatIfEditor* whatIfEditor() const { return m_whatIf; }
    // The run shown on a side once loaded (null while loading or without a run).
    std::shared_ptr<const LoadedRun> loadedRun(int side) const;

signals:
    // Both lists were recomputed (tests and screenshots wait on it).
    void listsUpdated();

protected:
    void showEvent(QShowEvent* event) override;

private:
    struct Side {
        RecommendationListPanel* panel = nullptr;
        std::shared_ptr<const LoadedRun> run;
        std::unique_ptr<UserInspection> inspection;
        QString error;  // why the run could not be loaded
        std::vector<RecommendedItem> list;
        bool hasList = false;
    };

    void onDatasetChanged(DatasetSession::Change change);
    void rebuildChoices();
    void applyDefaultChoices();
    void onChoiceChanged(int side);
    void onRunLoaded(qint64 runId, const std::shared_ptr<const LoadedRun>& run);
    void onRunFailed(qint64 runId, const QString& message);
    void onUserSpin(int originalId);
    void pickBucket(ActivityBucket bucket);
    void pickRandom();
    bool pickGenreShift();
    void copyUserToWhatIf();
    void setUser(int32_t user);
    void recompute();
    void showHistory();
    void showEvidence(int side, int32_t item);
    QString metricsText(const Side& side, int32_t user) const;
    const UserInspection* anyInspection() const;
    std::vector<HistoryEntry> whatIfEntries(const UserInspection& inspection) const;

    DatasetSession* m_datasets;
    WorkspaceSession* m_workspace;
    LoadedRunCache* m_runs;
    std::shared_ptr<const Dataset> m_dataset;
    std::string m_fingerprint;  // of m_dataset, to find its runs

    QSpinBox* m_userSpin;
    QSpinBox* m_topK;
    QCheckBox* m_whatIfToggle;
    QLabel* m_userInfo;
    QLabel* m_historyTitle;
    QStackedWidget* m_historyStack;
    QTableView* m_historyTable;
    UserHistoryModel* m_history;
    WhatIfEditor* m_whatIf;
    std::array<Side, 2> m_sides;

    int32_t m_user = -1;
    int32_t m_whatIfSource = -1;       // user copied into the what-if history (hits, metrics)
    bool m_genreShiftPending = false;  // showGenreShiftUser() waits for a loaded run
    uint64_t m_nextSeed = 1;           // Random / bucket picks: reproducible from a fresh window
    bool m_defaultChoices = true;      // follow the latest runs until a run is chosen by hand
};

}  // namespace recscope::ui
