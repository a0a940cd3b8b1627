#include "ui/inspector/InspectorView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QShowEvent>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

#include "core/data/Dataset.h"
#include "core/models/ModelRegistry.h"
#include "core/workspace/Workspace.h"
#include "ui/inspector/InspectorItemText.h"
#include "ui/inspector/RecommendationListModel.h"
#include "ui/inspector/RecommendationListPanel.h"
#include "ui/inspector/UserHistoryModel.h"
#include "ui/inspector/WhatIfEditor.h"
#include "ui/inspector/WhatIfHistoryModel.h"
#include "ui/session/LoadedRunCache.h"
#include "ui/session/WorkspaceSession.h"

namespace recscope::ui {

namespace {

// A staged run offers its retriever and its final lists.
bool isStaged(const RunRecord& r) {
    return ModelRegistry::global().capabilities(r.config.model).staged;
}

bool inspectable(const RunRecord& r, const std::string& fingerprint) {
    return r.status == RunStatus::Finished && !r.checkpoint.empty() &&
           r.dataset.fingerprint == fingerprint;
}

QString choiceLabel(const RunRecord& r, const QString& stage) {
    QString label = QStringLiteral("#%1 %2").arg(r.id).arg(QString::fromStdString(r.name));
    if (!stage.isEmpty())
        label += QStringLiteral(" — ") + stage;
    return label;
}

QPushButton* pickButton(const QString& text, const QString& name, const QString& tip) {
    auto* b = new QPushButton(text);
    b->setObjectName(name);
    b->setToolTip(tip);
    return b;
}

}  // namespace

InspectorView::InspectorView(DatasetSession* datasets, WorkspaceSession* workspace,
                             LoadedRunCache* runs, QWidget* parent)
    : QWidget(parent),
      m_datasets(datasets),
      m_workspace(workspace),
      m_runs(runs),
      m_userSpin(new QSpinBox),
      m_topK(new QSpinBox),
      m_whatIfToggle(new QCheckBox(tr("&What-if user"))),
      m_userInfo(new QLabel),
      m_historyTitle(new QLabel),
      m_historyStack(new QStackedWidget),
      m_historyTable(new QTableView),
      m_history(new UserHistoryModel(this)),
      m_whatIf(new WhatIfEditor) {
    setObjectName(QStringLiteral("inspectorView"));
    m_userSpin->setObjectName(QStringLiteral("userSpin"));
    m_userSpin->setToolTip(tr("MovieLens user id"));
    m_userSpin->setKeyboardTracking(false);
    m_userSpin->setMinimumWidth(90);
    m_topK->setObjectName(QStringLiteral("topKSpin"));
    m_topK->setRange(1, 100);
    m_topK->setValue(10);
    m_topK->setPrefix(tr("Top "));
    m_topK->setToolTip(tr("Length of each list; the metrics are computed at this cut-off"));
    m_whatIfToggle->setObjectName(QStringLiteral("whatIfToggle"));
    m_whatIfToggle->setToolTip(
        tr("Replace the picked user by a user you build: rate movies and watch both lists "
           "change"));
    m_userInfo->setObjectName(QStringLiteral("userInfo"));
    m_historyTitle->setObjectName(QStringLiteral("historyTitle"));
    m_historyTitle->setWordWrap(true);

    auto* random =
        pickButton(tr("&Random"), QStringLiteral("randomUser"), tr("Any user with a test part"));
    auto* few = pickButton(tr("Few"), QStringLiteral("fewRatingsUser"),
                           tr("A user from the third with the fewest training ratings"));
    auto* median = pickButton(tr("Median"), QStringLiteral("medianRatingsUser"),
                              tr("A user from the middle third by training ratings"));
    auto* many = pickButton(tr("Many"), QStringLiteral("manyRatingsUser"),
                            tr("A user from the third with the most training ratings"));
    auto* shift = pickButton(tr("Shift"), QStringLiteral("genreShiftUser"),
                             tr("The user whose last 10 training films differ most in genre "
                                "from their earlier ones: does order matter?"));
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("User")));
    top->addWidget(m_userSpin);
    top->addWidget(random);
    top->addWidget(few);
    top->addWidget(median);
    top->addWidget(many);
    top->addWidget(shift);
    top->addSpacing(12);
    top->addWidget(m_userInfo, 1);
    top->addWidget(m_topK);
    top->addWidget(m_whatIfToggle);

    m_historyTable->setObjectName(QStringLiteral("historyTable"));
    m_historyTable->setModel(m_history);
    m_historyTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_historyTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_historyTable->verticalHeader()->hide();
    m_historyTable->verticalHeader()->setDefaultSectionSize(m_historyTable->fontMetrics().height() +
                                                            8);
    // What a narrow side panel must show first: title, rating and part; MovieLens titles carry
    // their year, so the year column stays in the model (and its exports) but not on screen.
    QHeaderView* hh = m_historyTable->horizontalHeader();
    hh->moveSection(hh->visualIndex(UserHistoryModel::RatingColumn), 1);
    hh->moveSection(hh->visualIndex(UserHistoryModel::PartColumn), 2);
    hh->moveSection(hh->visualIndex(UserHistoryModel::DateColumn), 3);
    hh->setSectionHidden(UserHistoryModel::YearColumn, true);
    hh->setStretchLastSection(true);  // genres take what is left
    hh->resizeSection(UserHistoryModel::TitleColumn, 170);
    hh->resizeSection(UserHistoryModel::RatingColumn, 46);
    hh->resizeSection(UserHistoryModel::PartColumn, 70);
    hh->resizeSection(UserHistoryModel::DateColumn, 82);
    m_historyStack->addWidget(m_historyTable);
    m_historyStack->addWidget(m_whatIf);
    auto* historyBox = new QWidget;
    auto* historyLayout = new QVBoxLayout(historyBox);
    historyLayout->setContentsMargins(0, 0, 0, 0);
    historyLayout->addWidget(m_historyTitle);
    historyLayout->addWidget(m_historyStack, 1);

    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->setObjectName(QStringLiteral("inspectorSplitter"));
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(historyBox);
    const QString names[2] = {QStringLiteral("left"), QStringLiteral("right")};
    for (int side = 0; side < 2; ++side) {
        auto* panel = new RecommendationListPanel(names[side]);
        m_sides[size_t(side)].panel = panel;
        splitter->addWidget(panel);
        connect(panel, &RecommendationListPanel::choiceChanged, this,
                [this, side] { onChoiceChanged(side); });
        connect(panel->chooser(), qOverload<int>(&QComboBox::activated), this,
                [this] { m_defaultChoices = false; });
        connect(panel, &RecommendationListPanel::itemSelected, this,
                [this, side](int32_t item) { showEvidence(side, item); });
    }
    splitter->setStretchFactor(0, 5);
    splitter->setStretchFactor(1, 6);
    splitter->setStretchFactor(2, 6);
    splitter->setSizes({440, 380, 380});  // proportions until the first layout

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);

    connect(m_userSpin, qOverload<int>(&QSpinBox::valueChanged), this, &InspectorView::onUserSpin);
    connect(m_topK, qOverload<int>(&QSpinBox::valueChanged), this, &InspectorView::recompute);
    connect(m_whatIfToggle, &QCheckBox::toggled, this, [this](bool on) {
        m_historyStack->setCurrentWidget(on ? static_cast<QWidget*>(m_whatIf) : m_historyTable);
        showHistory();
        recompute();
    });
    connect(random, &QPushButton::clicked, this, &InspectorView::pickRandom);
    connect(few, &QPushButton::clicked, this, [this] { pickBucket(ActivityBucket::Few); });
    connect(median, &QPushButton::clicked, this, [this] { pickBucket(ActivityBucket::Median); });
    connect(many, &QPushButton::clicked, this, [this] { pickBucket(ActivityBucket::Many); });
    connect(shift, &QPushButton::clicked, this, [this] { pickGenreShift(); });
    connect(m_whatIf, &WhatIfEditor::copyUserRequested, this, &InspectorView::copyUserToWhatIf);
    connect(m_whatIf->model(), &WhatIfHistoryModel::historyChanged, this, [this] {
        if (m_whatIf->model()->rowCount() == 0)
            m_whatIfSource = -1;
        if (isWhatIf()) {
            showHistory();
            recompute();
        }
    });

    connect(m_datasets, &DatasetSession::changed, this, &InspectorView::onDatasetChanged);
    connect(m_workspace, &WorkspaceSession::workspaceOpened, this, &InspectorView::rebuildChoices);
    connect(m_workspace, &WorkspaceSession::runAdded, this, &InspectorView::rebuildChoices);
    connect(m_workspace, &WorkspaceSession::runChanged, this, &InspectorView::rebuildChoices);
    connect(m_workspace, &WorkspaceSession::runRemoved, this, &InspectorView::rebuildChoices);
    connect(m_runs, &LoadedRunCache::loaded, this, &InspectorView::onRunLoaded);
    connect(m_runs, &LoadedRunCache::failed, this, &InspectorView::onRunFailed);

    onDatasetChanged(DatasetSession::Change::DatasetReplaced);
}

InspectorView::~InspectorView() = default;

std::shared_ptr<const LoadedRun> InspectorView::loadedRun(int side) const {
    return m_sides[size_t(side)].run;
}

bool InspectorView::isWhatIf() const {
    return m_whatIfToggle->isChecked();
}

void InspectorView::setWhatIf(bool on) {
    m_whatIfToggle->setChecked(on);
}

bool InspectorView::addWhatIfRating(const QString& title, double rating) {
    const int32_t item = m_whatIf->itemForText(title);
    if (item < 0)
        return false;
    setWhatIf(true);
    return m_whatIf->model()->addRating(item, static_cast<float>(rating));
}

void InspectorView::setTopK(int k) {
    m_topK->setValue(k);
}

int InspectorView::topK() const {
    return m_topK->value();
}

void InspectorView::onDatasetChanged(DatasetSession::Change change) {
    if (change != DatasetSession::Change::DatasetReplaced)
        return;
    m_dataset = m_datasets->dataset();
    m_fingerprint = m_dataset ? datasetIdentity(*m_dataset, std::string()).fingerprint : "";
    for (Side& s : m_sides) {
        s.run.reset();
        s.inspection.reset();
        s.error.clear();
    }
    m_user = -1;
    m_whatIfSource = -1;
    {
        const QSignalBlocker block(m_userSpin);
        if (m_dataset && m_dataset->numUsers() > 0)
            m_userSpin->setRange(int(m_dataset->originalUserId(0)),
                                 int(m_dataset->originalUserId(m_dataset->numUsers() - 1)));
        else
            m_userSpin->setRange(0, 0);
    }
    m_whatIf->setDataset(m_dataset);
    m_defaultChoices = true;
    rebuildChoices();
    // A side whose run did not change re-requests it for the new dataset.
    for (int side = 0; side < 2; ++side)
        onChoiceChanged(side);
}

void InspectorView::rebuildChoices() {
    QVector<RecommendationListPanel::Choice> choices;
    if (m_dataset) {
        const QVector<RunRecord>& runs = m_workspace->runs();
        for (auto it = runs.crbegin(); it != runs.crend(); ++it) {  // latest first
            if (!inspectable(*it, m_fingerprint))
                continue;
            if (isStaged(*it)) {
                choices.push_back({it->id, RunStage::Final, choiceLabel(*it, tr("ranker"))});
                choices.push_back({it->id, RunStage::Retriever, choiceLabel(*it, tr("retriever"))});
            } else {
                choices.push_back({it->id, RunStage::Final, choiceLabel(*it, QString())});
            }
        }
    }
    for (Side& s : m_sides)
        s.panel->setChoices(choices);
    if (m_defaultChoices)
        applyDefaultChoices();
    if (choices.isEmpty())
        recompute();
}

void InspectorView::applyDefaultChoices() {
    const QVector<RunRecord>& runs = m_workspace->runs();
    std::vector<const RunRecord*> latest;  // latest first
    for (auto it = runs.crbegin(); it != runs.crend(); ++it)
        if (m_dataset && inspectable(*it, m_fingerprint))
            latest.push_back(&*it);
    if (latest.empty())
        return;
    for (const RunRecord* r : latest)
        if (isStaged(*r)) {
            m_sides[0].panel->choose(r->id, RunStage::Retriever);
            m_sides[1].panel->choose(r->id, RunStage::Final);
            return;
        }
    m_sides[1].panel->choose(latest[0]->id, RunStage::Final);
    m_sides[0].panel->choose(latest.size() > 1 ? latest[1]->id : latest[0]->id, RunStage::Final);
}

void InspectorView::showRun(qint64 runId) {
    const RunRecord* run = m_workspace->run(runId);
    if (!run)
        return;
    m_defaultChoices = false;
    if (isStaged(*run)) {
        m_sides[0].panel->choose(runId, RunStage::Retriever);
        m_sides[1].panel->choose(runId, RunStage::Final);
        return;
    }
    m_sides[1].panel->choose(runId, RunStage::Final);
    if (m_sides[0].panel->runId() == runId || m_sides[0].panel->runId() == 0) {
        const QVector<RunRecord>& runs = m_workspace->runs();
        for (auto it = runs.crbegin(); it != runs.crend(); ++it)
            if (it->id != runId && inspectable(*it, m_fingerprint) &&
                m_sides[0].panel->choose(it->id, RunStage::Final))
                break;
    }
}

void InspectorView::onChoiceChanged(int side) {
    Side& s = m_sides[size_t(side)];
    const qint64 runId = s.panel->runId();
    s.error.clear();
    if (s.run && s.run->runId == runId) {
        // Same run, other stage: no reload.
        recompute();
        return;
    }
    s.run.reset();
    s.inspection.reset();
    if (runId != 0) {
        if (std::shared_ptr<const LoadedRun> cached = m_runs->cached(runId)) {
            s.run = cached;
            s.inspection = std::make_unique<UserInspection>(cached);
        }
        // Loading re-splits the data: wait until someone looks (see showEvent).
        if (isVisible())
            m_runs->request(runId);
    }
    showHistory();
    recompute();
}

void InspectorView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    for (const Side& s : m_sides)
        if (s.panel->runId() != 0 && !s.run)
            m_runs->request(s.panel->runId());  // no-op while it is loading
}

void InspectorView::onRunLoaded(qint64 runId, const std::shared_ptr<const LoadedRun>& run) {
    bool changed = false;
    for (Side& s : m_sides) {
        if (s.panel->runId() != runId || s.run == run)
            continue;
        s.run = run;
        s.inspection = std::make_unique<UserInspection>(run);
        s.error.clear();
        changed = true;
    }
    if (!changed)
        return;
    if (m_genreShiftPending && m_sides[1].inspection && pickGenreShift())
        return;
    if (m_user < 0)
        if (const UserInspection* inspection = anyInspection()) {
            // A first look: a typical user rather than user 1.
            const int32_t user = inspection->pickUser(ActivityBucket::Median, m_nextSeed);
            if (user >= 0) {
                setUser(user);
                return;
            }
        }
    showHistory();
    recompute();
}

void InspectorView::onRunFailed(qint64 runId, const QString& message) {
    for (Side& s : m_sides)
        if (s.panel->runId() == runId && !s.run)
            s.error = message;
    recompute();
}

const UserInspection* InspectorView::anyInspection() const {
    for (const Side& s : m_sides)
        if (s.inspection)
            return s.inspection.get();
    return nullptr;
}

bool InspectorView::showUser(int user) {
    if (!m_dataset)
        return false;
    const std::optional<int32_t> dense = m_dataset->userIndex(user);
    if (!dense)
        return false;
    setUser(*dense);
    return true;
}

void InspectorView::onUserSpin(int originalId) {
    if (!m_dataset)
        return;
    const std::optional<int32_t> dense = m_dataset->userIndex(originalId);
    if (!dense) {
        m_userInfo->setText(tr("No user %1 in this dataset.").arg(originalId));
        return;
    }
    setUser(*dense);
}

void InspectorView::setUser(int32_t user) {
    m_user = user;
    if (m_dataset && user >= 0 && user < m_dataset->numUsers()) {
        const QSignalBlocker block(m_userSpin);
        m_userSpin->setValue(int(m_dataset->originalUserId(user)));
    }
    showHistory();
    recompute();
}

void InspectorView::pickBucket(ActivityBucket bucket) {
    if (const UserInspection* inspection = anyInspection()) {
        const int32_t user = inspection->pickUser(bucket, m_nextSeed++);
        if (user >= 0)
            setUser(user);
    }
}

void InspectorView::pickRandom() {
    if (const UserInspection* inspection = anyInspection()) {
        const int32_t user = inspection->pickRandomUser(m_nextSeed++);
        if (user >= 0)
            setUser(user);
    }
}

bool InspectorView::pickGenreShift() {
    // The right side's run (the one showRun() brought) first: its split decides the history.
    const UserInspection* inspection =
        m_sides[1].inspection ? m_sides[1].inspection.get() : anyInspection();
    if (!inspection)
        return false;
    m_genreShiftPending = false;
    const int32_t user = inspection->genreShiftUser();
    if (user < 0)
        return false;
    setUser(user);
    return true;
}

bool InspectorView::showGenreShiftUser() {
    if (m_sides[1].inspection)
        return pickGenreShift();
    m_genreShiftPending = true;
    return false;
}

void InspectorView::copyUserToWhatIf() {
    const UserInspection* inspection = anyInspection();
    if (!inspection || m_user < 0)
        return;
    std::vector<WhatIfHistoryModel::Rating> ratings;
    // What the model saw of the user: training (and validation when it trained on it).
    const Split& fitted = *inspection->run().train->split;
    for (const HistoryRow& r : inspection->history(m_user)) {
        const bool seen = r.part == HistoryPart::Train ||
                          (r.part == HistoryPart::Validation && fitted.validation.empty());
        if (seen)
            ratings.push_back({r.item, r.rating});
    }
    const int32_t source = m_user;
    m_whatIf->model()->setRatings(ratings);
    m_whatIfSource = ratings.empty() ? -1 : source;
    if (isWhatIf())
        recompute();
}

std::vector<HistoryEntry> InspectorView::whatIfEntries(const UserInspection& inspection) const {
    std::vector<HistoryEntry> entries;
    for (const WhatIfHistoryModel::Rating& r : m_whatIf->model()->ratings())
        entries.push_back(inspection.entry(r.item, r.rating));
    return entries;
}

void InspectorView::showHistory() {
    const UserInspection* inspection = anyInspection();
    if (isWhatIf()) {
        m_historyTitle->setText(m_whatIfSource >= 0 && m_dataset
                                    ? tr("<b>What-if user</b>, started from user %1")
                                          .arg(m_dataset->originalUserId(m_whatIfSource))
                                    : tr("<b>What-if user</b>: rate movies to build a user"));
        return;
    }
    if (!inspection || m_user < 0) {
        m_history->setHistory(nullptr, {});
        m_historyTitle->setText(tr("<b>History</b>"));
        m_userInfo->clear();
        return;
    }
    std::vector<HistoryRow> rows = inspection->history(m_user);
    int test = 0;
    int positives = 0;
    for (const HistoryRow& r : rows)
        if (r.part == HistoryPart::Test) {
            ++test;
            positives += r.positive ? 1 : 0;
        }
    const auto count = static_cast<int>(rows.size());
    m_history->setHistory(inspection->run().dataset, std::move(rows));
    // The held-out ratings come last in time: what the lists are judged on stays in view.
    m_historyTable->scrollToBottom();
    const LoadedRun& run = inspection->run();
    m_historyTitle->setText(
        tr("<b>History</b>: %1 ratings, split as run #%2 split them (%3)")
            .arg(count)
            .arg(run.runId)
            .arg(QString::fromStdString(protocolName(run.config.split.protocol))));
    m_userInfo->setText(tr("%1 training ratings · %2 test ratings, %3 positive")
                            .arg(inspection->trainCount(m_user))
                            .arg(test)
                            .arg(positives));
}

QString InspectorView::metricsText(const Side& side, int32_t user) const {
    const QString stage =
        QStringLiteral("<b>%1</b>")
            .arg(QString::fromStdString(side.run->stageName(side.panel->stage())).toHtmlEscaped());
    if (user < 0)
        return tr("%1 · what-if user (no test part to score against)").arg(stage);
    const std::vector<int32_t> positives = side.inspection->testPositives(user);
    if (positives.empty())
        return tr("%1 · this user has no test positives").arg(stage);
    const int k = m_topK->value();
    const ListMetrics m = side.inspection->metrics(side.list, user, k);
    int hits = 0;
    for (const RecommendedItem& r : side.list)
        hits += r.hit ? 1 : 0;
    QString text = tr("%1 · Recall@%2 %3 · NDCG@%2 %4 · %5 of %6 test positives hit")
                       .arg(stage)
                       .arg(k)
                       .arg(m.recall, 0, 'f', 3)
                       .arg(m.ndcg, 0, 'f', 3)
                       .arg(hits)
                       .arg(positives.size());
    // The lists rank every item; a run scored on sampled negatives has other per-user values.
    const RunConfig& c = side.run->config;
    if (c.negatives > 0 || (c.negatives < 0 && c.split.protocol == Protocol::Loo))
        text += tr(" (full ranking; the run was scored on sampled negatives)");
    return text;
}

void InspectorView::recompute() {
    const int k = m_topK->value();
    const bool whatIf = isWhatIf();
    for (Side& s : m_sides) {
        s.list.clear();
        s.hasList = false;
        if (s.panel->runId() == 0) {
            s.panel->showMessage(
                m_dataset ? tr("No finished run of this dataset yet: train one in the Train tab.")
                          : tr("Open a dataset first."));
            continue;
        }
        if (!s.inspection) {
            s.panel->showMessage(s.error.isEmpty() ? tr("Loading run #%1…").arg(s.panel->runId())
                                                   : s.error);
            continue;
        }
        Result<std::vector<RecommendedItem>> list = makeError("no user");
        if (whatIf) {
            list = s.inspection->topKForHistory(s.panel->stage(), whatIfEntries(*s.inspection), k,
                                                m_whatIfSource);
        } else if (m_user >= 0) {
            list = s.inspection->topK(s.panel->stage(), m_user, k);
        } else {
            s.panel->showMessage(tr("Pick a user."));
            continue;
        }
        if (!list) {
            QString text = QString::fromStdString(list.error().message);
            if (!text.isEmpty())
                text[0] = text[0].toUpper();
            s.panel->showMessage(text);
            continue;
        }
        s.list = std::move(list).value();
        s.hasList = true;
    }
    const int32_t user = whatIf ? m_whatIfSource : m_user;
    for (size_t i = 0; i < m_sides.size(); ++i) {
        Side& s = m_sides[i];
        if (!s.hasList)
            continue;
        const Side& other = m_sides[1 - i];
        std::vector<int> ranks =
            other.hasList ? UserInspection::ranksIn(s.list, other.list) : std::vector<int>{};
        s.panel->showList(s.run->dataset, s.list, std::move(ranks), metricsText(s, user));
    }
    emit listsUpdated();
}

void InspectorView::showEvidence(int side, int32_t item) {
    Side& s = m_sides[size_t(side)];
    if (!s.inspection || item < 0) {
        s.panel->showEvidence(nullptr, QString(), {});
        return;
    }
    std::vector<int32_t> liked;
    if (isWhatIf()) {
        for (const HistoryEntry& e : whatIfEntries(*s.inspection))
            if (e.positive)
                liked.push_back(e.item);
    } else {
        liked = s.inspection->likedItems(m_user);
    }
    s.panel->showEvidence(s.run->dataset, InspectorItemText::title(*s.run->dataset, item),
                          s.inspection->becauseYouLiked(s.panel->stage(), item, liked, 5));
}

}  // namespace recscope::ui
