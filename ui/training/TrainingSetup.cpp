#include "ui/training/TrainingSetup.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>
#include <climits>
#include <cstdlib>
#include <memory>

#include "core/models/ModelRegistry.h"
#include "core/models/Recommender.h"
#include "ui/shell/BuildInfo.h"
#include "ui/training/ParamForm.h"

namespace recscope::ui {

namespace {

QSpinBox* intBox(const char* name, int min, int max, const QString& tip) {
    auto* box = new QSpinBox;
    box->setObjectName(QLatin1String(name));
    box->setRange(min, max);
    box->setToolTip(tip);
    return box;
}

QDoubleSpinBox* numberBox(const char* name, double min, double max, double step, int decimals,
                          const QString& tip) {
    auto* box = new QDoubleSpinBox;
    box->setObjectName(QLatin1String(name));
    box->setRange(min, max);
    box->setSingleStep(step);
    box->setDecimals(decimals);
    box->setToolTip(tip);
    return box;
}

}  // namespace

TrainingSetup::TrainingSetup(QWidget* parent)
    : QWidget(parent),
      m_dataset(new QLabel),
      m_protocol(new QComboBox),
      m_splitForm(new QFormLayout),
      m_nTest(intBox("splitNTest", 1, 1000,
                     tr("Temporal: each eligible user's last n ratings "
                        "form the test part"))),
      m_nVal(intBox("splitNVal", 0, 1000,
                    tr("The n ratings before the test ones form the "
                       "validation part (early stopping)"))),
      m_minTrain(intBox("splitMinTrain", 0, 10000,
                        tr("Users need at least this many training ratings besides the held-out "
                           "ones to be evaluated"))),
      m_threshold(numberBox("splitThreshold", 0, 10, 0.5, 1,
                            tr("A rating at or above this is a positive (0 = every rating)"))),
      m_testFraction(numberBox("splitTestFraction", 0.01, 0.9, 0.05, 2,
                               tr("Ratio: share of each user's ratings drawn for the test part"))),
      m_valFraction(numberBox("splitValFraction", 0, 0.5, 0.05, 2,
                              tr("Ratio: share drawn for the validation part"))),
      m_stratify(new QComboBox),
      m_heldoutUsers(intBox("splitHeldoutUsers", 0, 100000000,
                            tr("Strong: users held out of training, each folded in from 80% of "
                               "their items and scored on the other 20% (auto: 10% of the "
                               "users, at most 10,000)"))),
      m_minRating(numberBox("splitMinRating", 0, 10, 0.5, 1,
                            tr("Ratings below this are dropped before splitting (0 = keep all)"))),
      m_kcore(intBox("splitKcore", 0, 1000000,
                     tr("Users and items with fewer ratings are dropped, repeatedly (0 = off)"))),
      m_exclude(new QComboBox),
      m_model(new QComboBox),
      m_modelHelp(new QLabel),
      m_params(new ParamForm),
      m_device(new QComboBox),
      m_seed(new QSpinBox),
      m_threads(new QSpinBox) {
    m_dataset->setObjectName(QStringLiteral("trainDatasetLabel"));
    m_dataset->setWordWrap(true);
    m_protocol->setObjectName(QStringLiteral("protocolCombo"));
    m_protocol->addItem(tr("Temporal (last ratings per user)"), QStringLiteral("temporal"));
    m_protocol->addItem(tr("Leave one out (sampled negatives)"), QStringLiteral("loo"));
    m_protocol->addItem(tr("Random ratio (rating prediction)"), QStringLiteral("ratio"));
    m_protocol->addItem(tr("Strong generalisation (held-out users, fold-in)"),
                        QStringLiteral("strong"));
    m_stratify->setObjectName(QStringLiteral("splitStratify"));
    m_stratify->addItem(tr("Per user"), QStringLiteral("user"));
    m_stratify->addItem(tr("Per item"), QStringLiteral("item"));
    m_stratify->setToolTip(
        tr("Ratio: draw the test share from each user's ratings, or from "
           "each item's (Microsoft Recommenders' split)"));
    m_heldoutUsers->setSpecialValueText(tr("auto"));
    m_exclude->setObjectName(QStringLiteral("excludeCombo"));
    m_exclude->addItem(tr("Training positives"), QStringLiteral("positives"));
    m_exclude->addItem(tr("Every rated item"), QStringLiteral("rated"));
    m_exclude->setToolTip(
        tr("What every list leaves out, for every model: the user's training positives (as "
           "the temporal protocol is published) or every item the user rated in training (as "
           "a deployed recommender does). Numbers under different rules do not compare."));
    for (QComboBox* combo : {m_protocol, m_model, m_device, m_exclude, m_stratify}) {
        // Long entries must not widen the form past its scroll area.
        combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        combo->setMinimumContentsLength(10);
    }
    m_protocol->setToolTip(tr("How ratings are split into train, validation and test parts"));

    auto* data = new QGroupBox(tr("Data"));
    m_splitForm->addRow(tr("Dataset"), m_dataset);
    m_splitForm->addRow(tr("Protocol"), m_protocol);
    m_splitForm->addRow(tr("Test ratings"), m_nTest);
    m_splitForm->addRow(tr("Validation ratings"), m_nVal);
    m_splitForm->addRow(tr("Minimum training"), m_minTrain);
    m_splitForm->addRow(tr("Test fraction"), m_testFraction);
    m_splitForm->addRow(tr("Validation fraction"), m_valFraction);
    m_splitForm->addRow(tr("Stratify"), m_stratify);
    m_splitForm->addRow(tr("Held-out users"), m_heldoutUsers);
    m_splitForm->addRow(tr("Positive threshold"), m_threshold);
    m_splitForm->addRow(tr("Minimum rating"), m_minRating);
    m_splitForm->addRow(tr("K-core"), m_kcore);
    m_splitForm->addRow(tr("Lists exclude"), m_exclude);
    data->setLayout(m_splitForm);

    m_model->setObjectName(QStringLiteral("modelCombo"));
    for (const ModelRegistry::Entry& e : ModelRegistry::global().entries()) {
        m_model->addItem(QString::fromStdString(e.name), QString::fromStdString(e.name));
        m_model->setItemData(m_model->count() - 1, QString::fromStdString(e.description),
                             Qt::ToolTipRole);
    }
    m_modelHelp->setObjectName(QStringLiteral("modelDescription"));
    m_modelHelp->setWordWrap(true);
    QPalette muted = m_modelHelp->palette();
    muted.setColor(QPalette::WindowText, muted.color(QPalette::PlaceholderText));
    m_modelHelp->setPalette(muted);
    m_params->setObjectName(QStringLiteral("paramForm"));
    auto* model = new QGroupBox(tr("Model"));
    auto* modelLayout = new QVBoxLayout(model);
    auto* modelForm = new QFormLayout;
    modelForm->addRow(tr("Model"), m_model);
    modelLayout->addLayout(modelForm);
    modelLayout->addWidget(m_modelHelp);
    modelLayout->addWidget(m_params);

    m_device->setObjectName(QStringLiteral("deviceCombo"));
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    for (int i = 0; i < BuildInfo::cudaDeviceCount(); ++i)
        m_device->addItem(tr("CUDA %1").arg(i), QStringLiteral("cuda:%1").arg(i));
    m_device->setToolTip(tr("Where LibTorch models train (the others always run on the CPU)"));
    m_seed->setObjectName(QStringLiteral("seedSpin"));
    m_seed->setRange(0, INT_MAX);
    m_seed->setValue(42);
    m_seed->setToolTip(
        tr("Seeds initialisation, sampling and shuffling: the same seed gives the "
           "same run"));
    m_threads->setObjectName(QStringLiteral("threadsSpin"));
    m_threads->setRange(0, 256);
    m_threads->setSpecialValueText(tr("all cores"));
    m_threads->setToolTip(
        tr("Threads for training and evaluation. On a computer that is busy with other "
           "work, fewer threads than cores leave room for it."));
    auto* run = new QGroupBox(tr("Run"));
    auto* runForm = new QFormLayout(run);
    runForm->addRow(tr("Device"), m_device);
    runForm->addRow(tr("Seed"), m_seed);
    runForm->addRow(tr("Threads"), m_threads);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(data);
    layout->addWidget(model);
    layout->addWidget(run);
    layout->addStretch(1);

    connect(m_model, &QComboBox::currentIndexChanged, this, &TrainingSetup::onModelChanged);
    connect(m_protocol, &QComboBox::currentIndexChanged, this, &TrainingSetup::onProtocolChanged);
    restoreSettings();
}

void TrainingSetup::setDatasetLabel(const QString& text) {
    m_dataset->setText(text);
}

QString TrainingSetup::model() const {
    return m_model->currentData().toString();
}

void TrainingSetup::setModel(const QString& name) {
    const int index = m_model->findData(name);
    if (index >= 0)
        m_model->setCurrentIndex(index);
}

void TrainingSetup::onModelChanged() {
    const std::string name = model().toStdString();
    const ModelRegistry::Entry* entry = ModelRegistry::global().find(name);
    m_modelHelp->setText(entry ? QString::fromStdString(entry->description) : QString());
    std::unique_ptr<Recommender> instance = ModelRegistry::global().create(name);
    m_params->setSpecs(instance ? instance->paramSpecs() : std::vector<ParamSpec>{});
}

void TrainingSetup::onProtocolChanged() {
    const auto protocol = parseProtocol(m_protocol->currentData().toString().toStdString());
    // The list rule is the user's choice, not the protocol's: it survives a protocol change.
    SplitConfig split = defaultSplitConfig(protocol.value_or(Protocol::Temporal));
    split.exclude = m_exclude->currentIndex() == 1 ? ExcludeRule::Rated : ExcludeRule::Positives;
    setSplitFields(split);
}

void TrainingSetup::setSplitFields(const SplitConfig& split) {
    m_nTest->setValue(split.nTest);
    m_nVal->setValue(split.nVal);
    m_minTrain->setValue(split.minTrain);
    m_threshold->setValue(split.threshold);
    m_testFraction->setValue(split.testFraction);
    m_valFraction->setValue(split.valFraction);
    m_stratify->setCurrentIndex(split.stratify == Stratify::Item ? 1 : 0);
    m_heldoutUsers->setValue(std::max(0, split.heldoutUsers));
    m_minRating->setValue(split.minRating);
    m_kcore->setValue(split.kcore);
    m_exclude->setCurrentIndex(split.exclude == ExcludeRule::Rated ? 1 : 0);
    const bool temporal = split.protocol == Protocol::Temporal;
    const bool ratio = split.protocol == Protocol::Ratio;
    const bool strong = split.protocol == Protocol::Strong;
    m_splitForm->setRowVisible(m_nTest, temporal);
    m_splitForm->setRowVisible(m_nVal, temporal);
    m_splitForm->setRowVisible(m_minTrain, !ratio);
    m_splitForm->setRowVisible(m_testFraction, ratio || strong);
    m_splitForm->setRowVisible(m_valFraction, ratio);
    m_splitForm->setRowVisible(m_stratify, ratio);
    m_splitForm->setRowVisible(m_heldoutUsers, strong);
}

int TrainingSetup::plannedEpochs() const {
    const auto values = m_params->values();
    auto it = values.find("epochs");
    return it == values.end() ? 0 : std::atoi(it->second.c_str());
}

RunConfig TrainingSetup::config(const QString& dataset) const {
    RunConfig c;
    c.dataset = dataset.toStdString();
    const auto protocol = parseProtocol(m_protocol->currentData().toString().toStdString());
    c.split = defaultSplitConfig(protocol.value_or(Protocol::Temporal));
    c.split.nTest = m_nTest->value();
    c.split.nVal = m_nVal->value();
    c.split.minTrain = m_minTrain->value();
    c.split.threshold = m_threshold->value();
    c.split.testFraction = m_testFraction->value();
    c.split.valFraction = m_valFraction->value();
    c.split.seed = uint64_t(m_seed->value());
    c.split.stratify = m_stratify->currentIndex() == 1 ? Stratify::Item : Stratify::User;
    c.split.heldoutUsers = m_heldoutUsers->value() > 0 ? m_heldoutUsers->value() : -1;
    c.split.minRating = m_minRating->value();
    c.split.kcore = m_kcore->value();
    c.split.exclude = m_exclude->currentIndex() == 1 ? ExcludeRule::Rated : ExcludeRule::Positives;
    c.model = model().toStdString();
    c.params = m_params->overrides();
    c.device = m_device->currentData().toString().toStdString();
    c.seed = uint64_t(m_seed->value());
    return c;
}

void TrainingSetup::applyConfig(const RunConfig& config) {
    m_protocol->setCurrentIndex(std::max(
        0, m_protocol->findData(QString::fromStdString(protocolName(config.split.protocol)))));
    setSplitFields(config.split);
    setModel(QString::fromStdString(config.model));
    m_params->resetToDefaults();
    m_params->setValues(config.params);
    const int device = m_device->findData(QString::fromStdString(config.device));
    if (device >= 0)
        m_device->setCurrentIndex(device);
    m_seed->setValue(int(std::min<uint64_t>(config.seed, INT_MAX)));
}

void TrainingSetup::restoreSettings() {
    QSettings settings;
    const int protocol = m_protocol->findData(settings.value("training/protocol").toString());
    m_protocol->setCurrentIndex(protocol >= 0 ? protocol : 0);
    m_exclude->setCurrentIndex(
        std::max(0, m_exclude->findData(settings.value("training/exclude").toString())));
    onProtocolChanged();
    const QString preferred = settings.value("training/model", QStringLiteral("bpr")).toString();
    const int model = m_model->findData(preferred);
    m_model->setCurrentIndex(model >= 0 ? model : 0);
    onModelChanged();
    m_seed->setValue(settings.value("training/seed", 42).toInt());
    m_threads->setValue(settings.value("training/threads", 0).toInt());
}

int TrainingSetup::threads() const {
    return m_threads->value();
}

void TrainingSetup::saveSettings() const {
    QSettings settings;
    settings.setValue("training/protocol", m_protocol->currentData());
    settings.setValue("training/exclude", m_exclude->currentData());
    settings.setValue("training/model", model());
    settings.setValue("training/seed", m_seed->value());
    settings.setValue("training/threads", m_threads->value());
}

}  // namespace recscope::ui
