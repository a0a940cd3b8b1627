#include "ui/sweep/SweepDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include "core/eval/MetricCatalogue.h"
#include "core/models/Recommender.h"

namespace recscope::ui {

namespace {

const SweepDimension::Kind kKinds[] = {SweepDimension::Kind::List, SweepDimension::Kind::Linear,
                                       SweepDimension::Kind::Log, SweepDimension::Kind::Uniform,
                                       SweepDimension::Kind::LogUniform};

QString kindLabel(SweepDimension::Kind kind) {
    switch (kind) {
        case SweepDimension::Kind::List:
            return SweepDialog::tr("list");
        case SweepDimension::Kind::Linear:
            return SweepDialog::tr("linear points");
        case SweepDimension::Kind::Log:
            return SweepDialog::tr("log points");
        case SweepDimension::Kind::Uniform:
            return SweepDialog::tr("uniform draw");
        case SweepDimension::Kind::LogUniform:
            return SweepDialog::tr("log-uniform draw");
    }
    return {};
}

QString placeholder(SweepDimension::Kind kind, const ParamSpec& p) {
    switch (kind) {
        case SweepDimension::Kind::List:
            return p.type == ParamType::Choice
                       ? QString::fromStdString(p.choices.empty() ? p.defaultValue
                                                                  : p.choices.front()) +
                             QStringLiteral(",…")
                       : SweepDialog::tr("values, e.g. %1,…")
                             .arg(QString::fromStdString(p.defaultValue));
        case SweepDimension::Kind::Linear:
        case SweepDimension::Kind::Log:
            return SweepDialog::tr("LOW:HIGH:COUNT");
        case SweepDimension::Kind::Uniform:
        case SweepDimension::Kind::LogUniform:
            return SweepDialog::tr("LOW:HIGH");
    }
    return {};
}

}  // namespace

SweepDialog::SweepDialog(const RunConfig& base, QWidget* parent)
    : QDialog(parent),
      m_base(base),
      m_budget(new QSpinBox),
      m_drawSeed(new QSpinBox),
      m_metric(new QComboBox),
      m_name(new QLineEdit),
      m_preview(new QLabel),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel)) {
    setObjectName(QStringLiteral("sweepDialog"));
    setWindowTitle(tr("New Sweep — %1").arg(QString::fromStdString(base.model)));

    auto* intro = new QLabel(
        tr("Each configuration trains on the training part and is scored on the validation "
           "part; the best one is then trained again and evaluated once on the test part. "
           "Protocol, split, seed and the other parameters are those of the Train tab."));
    intro->setWordWrap(true);

    auto* params = new QWidget;
    auto* grid = new QGridLayout(params);
    grid->addWidget(new QLabel(tr("<b>Vary</b>")), 0, 0);
    grid->addWidget(new QLabel(tr("<b>How</b>")), 0, 1);
    grid->addWidget(new QLabel(tr("<b>Values</b>")), 0, 2);
    const std::unique_ptr<Recommender> model = createModel(base.model);
    const std::vector<ParamSpec> specs = model ? model->paramSpecs() : std::vector<ParamSpec>();
    for (const ParamSpec& p : specs) {
        Row row;
        row.spec = p;
        const QString name = QString::fromStdString(p.name);
        row.vary = new QCheckBox(name);
        row.vary->setObjectName(QStringLiteral("sweepVary_") + name);
        row.vary->setToolTip(QString::fromStdString(p.help));
        row.kind = new QComboBox;
        row.kind->setObjectName(QStringLiteral("sweepKind_") + name);
        const bool numeric = p.type == ParamType::Int || p.type == ParamType::Float;
        for (SweepDimension::Kind k : kKinds)
            if (numeric || k == SweepDimension::Kind::List)
                row.kind->addItem(kindLabel(k), int(k));
        row.values = new QLineEdit;
        row.values->setObjectName(QStringLiteral("sweepValues_") + name);
        row.values->setPlaceholderText(placeholder(SweepDimension::Kind::List, p));
        row.values->setToolTip(numeric
                                   ? tr("Range %1 … %2, default %3")
                                         .arg(p.min)
                                         .arg(p.max)
                                         .arg(QString::fromStdString(p.defaultValue))
                                   : tr("Default %1").arg(QString::fromStdString(p.defaultValue)));
        row.kind->setEnabled(false);
        row.values->setEnabled(false);
        const int r = grid->rowCount();
        grid->addWidget(row.vary, r, 0);
        grid->addWidget(row.kind, r, 1);
        grid->addWidget(row.values, r, 2);
        QCheckBox* vary = row.vary;
        QComboBox* kind = row.kind;
        QLineEdit* values = row.values;
        connect(vary, &QCheckBox::toggled, this, [this, kind, values](bool on) {
            kind->setEnabled(on);
            values->setEnabled(on);
            updatePreview();
        });
        connect(kind, qOverload<int>(&QComboBox::currentIndexChanged), this,
                [this, kind, values, p] {
                    values->setPlaceholderText(
                        placeholder(SweepDimension::Kind(kind->currentData().toInt()), p));
                    updatePreview();
                });
        connect(values, &QLineEdit::textChanged, this, &SweepDialog::updatePreview);
        m_rows.push_back(row);
    }
    grid->setColumnStretch(2, 1);
    auto* scroll = new QScrollArea;
    scroll->setWidget(params);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    m_budget->setObjectName(QStringLiteral("sweepBudget"));
    m_budget->setRange(0, 10000);
    m_budget->setSpecialValueText(tr("whole grid"));
    m_budget->setToolTip(
        tr("At most this many runs: a seeded subset of the grid, or the number "
           "of draws when a value is drawn"));
    m_drawSeed->setObjectName(QStringLiteral("sweepDrawSeed"));
    m_drawSeed->setRange(0, 1000000);
    m_drawSeed->setValue(1);
    m_metric->setObjectName(QStringLiteral("sweepMetric"));
    // The catalogue's accuracy metrics at each evaluated K (NDCG first: the default target),
    // then the rating errors.
    std::vector<const MetricFamily*> targets;
    for (const MetricFamily& f : metricFamilies())
        if (f.kind == MetricKind::Accuracy && f.atK)
            targets.insert(f.key == "ndcg" ? targets.begin() : targets.end(), &f);
    for (const MetricFamily* f : targets)
        for (int k : base.ks)
            m_metric->addItem(QStringLiteral("%1@%2").arg(QString::fromStdString(f->key)).arg(k));
    for (const MetricFamily& f : metricFamilies())
        if (f.kind == MetricKind::Rating && f.alone)
            m_metric->addItem(QString::fromStdString(f.key));
    m_metric->setToolTip(tr("Validation metric to optimise (rating errors: lowest)"));
    m_name->setObjectName(QStringLiteral("sweepName"));
    m_name->setPlaceholderText(tr("sweep #N"));
    auto* form = new QFormLayout;
    form->addRow(tr("Budget:"), m_budget);
    form->addRow(tr("Draw seed:"), m_drawSeed);
    form->addRow(tr("Choose by:"), m_metric);
    form->addRow(tr("Name:"), m_name);

    m_preview->setObjectName(QStringLiteral("sweepPreview"));
    m_preview->setWordWrap(true);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Start Sweep"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QSpinBox* box : {m_budget, m_drawSeed})
        connect(box, qOverload<int>(&QSpinBox::valueChanged), this, &SweepDialog::updatePreview);
    connect(m_metric, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &SweepDialog::updatePreview);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(scroll, 1);
    layout->addLayout(form);
    layout->addWidget(m_preview);
    layout->addWidget(m_buttons);
    resize(620, 520);
    updatePreview();
}

void SweepDialog::setDimension(const QString& param, SweepDimension::Kind kind,
                               const QString& values) {
    for (Row& row : m_rows)
        if (QString::fromStdString(row.spec.name) == param) {
            const int index = row.kind->findData(int(kind));
            if (index >= 0)
                row.kind->setCurrentIndex(index);
            row.values->setText(values);
            row.vary->setChecked(!values.isEmpty());
        }
    updatePreview();
}

void SweepDialog::setBudget(int budget) {
    m_budget->setValue(budget);
}

void SweepDialog::setMetric(const QString& metric) {
    const int index = m_metric->findText(metric);
    if (index >= 0)
        m_metric->setCurrentIndex(index);
}

QString SweepDialog::name() const {
    return m_name->text().trimmed();
}

Result<SweepSpec> SweepDialog::spec() const {
    SweepSpec spec;
    spec.base = m_base;
    spec.budget = m_budget->value();
    spec.drawSeed = uint64_t(m_drawSeed->value());
    spec.metric = m_metric->currentText().toStdString();
    for (const Row& row : m_rows) {
        if (!row.vary->isChecked())
            continue;
        spec.base.params.erase(row.spec.name);  // the swept value replaces the Train tab's
        Result<SweepDimension> d =
            parseSweepDimension(SweepDimension::Kind(row.kind->currentData().toInt()),
                                row.spec.name, row.values->text().trimmed().toStdString());
        if (!d)
            return d.error();
        spec.dimensions.push_back(std::move(d).value());
    }
    if (Result<std::vector<SweepTrial>> t = expandSweep(spec); !t)
        return t.error();
    return spec;
}

void SweepDialog::updatePreview() {
    const Result<SweepSpec> s = spec();
    m_trials = 0;
    if (s) {
        m_trials = int(expandSweep(s.value())->size());
        m_preview->setText(
            tr("%n run(s) on validation, then the best one on test.", nullptr, m_trials));
    } else {
        m_preview->setText(QString::fromStdString(s.error().message));
    }
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(m_trials > 0);
}

}  // namespace recscope::ui
