#include "ui/training/ParamForm.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <climits>
#include <cmath>

namespace recscope::ui {

namespace {

// Shows numbers with up to 6 significant digits (0.05, 1e-05, 250) instead of a fixed number
// of decimals, and accepts what it shows. The range is enforced by QDoubleSpinBox itself.
class NumberSpinBox : public QDoubleSpinBox {
public:
    explicit NumberSpinBox(QWidget* parent = nullptr) : QDoubleSpinBox(parent) {
        setDecimals(12);
        setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
        setKeyboardTracking(false);
    }

    QString textFromValue(double value) const override { return locale().toString(value, 'g', 6); }

    double valueFromText(const QString& text) const override {
        bool ok = false;
        const double v = parse(text, &ok);
        return ok ? v : value();
    }

    QValidator::State validate(QString& text, int&) const override {
        const QString t = text.trimmed();
        if (t.isEmpty())
            return QValidator::Intermediate;
        for (QChar c : t) {
            if (!c.isDigit() && !QStringLiteral("+-eE").contains(c) &&
                c != locale().decimalPoint().front() && c != QLatin1Char('.'))
                return QValidator::Invalid;
        }
        bool ok = false;
        const double v = parse(t, &ok);
        if (!ok)
            return QValidator::Intermediate;
        return v >= minimum() && v <= maximum() ? QValidator::Acceptable : QValidator::Intermediate;
    }

private:
    double parse(const QString& text, bool* ok) const {
        double v = locale().toDouble(text.trimmed(), ok);
        if (!*ok)
            v = QLocale::c().toDouble(text.trimmed(), ok);
        if (*ok && !std::isfinite(v))
            *ok = false;
        return v;
    }
};

QString typeLabel(const ParamSpec& spec) {
    const QLocale c = QLocale::c();
    switch (spec.type) {
        case ParamType::Int:
        case ParamType::Float:
            return ParamForm::tr("range %1 – %2")
                .arg(c.toString(spec.min, 'g', 10), c.toString(spec.max, 'g', 10));
        case ParamType::Bool:
            return ParamForm::tr("true or false");
        case ParamType::Choice: {
            QStringList names;
            for (const auto& c : spec.choices)
                names << QString::fromStdString(c);
            return ParamForm::tr("one of %1").arg(names.join(QStringLiteral(", ")));
        }
    }
    return {};
}

QString toolTipFor(const ParamSpec& spec) {
    return QStringLiteral("<p><b>%1</b> — %2</p><p>%3; default %4</p>")
        .arg(QString::fromStdString(spec.name).toHtmlEscaped(),
             QString::fromStdString(spec.help).toHtmlEscaped(), typeLabel(spec).toHtmlEscaped(),
             QString::fromStdString(spec.defaultValue).toHtmlEscaped());
}

int clampToInt(double v) {
    return int(std::max<double>(INT_MIN, std::min<double>(INT_MAX, v)));
}

}  // namespace

ParamForm::ParamForm(QWidget* parent)
    : QWidget(parent), m_form(new QFormLayout), m_reset(new QPushButton(tr("Reset to defaults"))) {
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_form->setContentsMargins(0, 0, 0, 0);
    m_reset->setObjectName(QStringLiteral("resetParams"));
    m_reset->setToolTip(tr("Set every parameter back to the model's default"));
    connect(m_reset, &QPushButton::clicked, this, &ParamForm::resetToDefaults);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_form);
    layout->addWidget(m_reset, 0, Qt::AlignRight);
}

void ParamForm::setSpecs(const std::vector<ParamSpec>& specs) {
    while (m_form->rowCount() > 0)
        m_form->removeRow(0);
    m_specs = specs;
    m_editors.clear();
    for (const ParamSpec& spec : m_specs) {
        QWidget* editor = nullptr;
        switch (spec.type) {
            case ParamType::Int: {
                auto* box = new QSpinBox;
                box->setRange(clampToInt(spec.min), clampToInt(spec.max));
                box->setKeyboardTracking(false);
                connect(box, &QSpinBox::valueChanged, this, &ParamForm::changed);
                editor = box;
                break;
            }
            case ParamType::Float: {
                auto* box = new NumberSpinBox;
                box->setRange(spec.min, spec.max);
                connect(box, &QDoubleSpinBox::valueChanged, this, &ParamForm::changed);
                editor = box;
                break;
            }
            case ParamType::Bool: {
                auto* box = new QCheckBox;
                connect(box, &QCheckBox::toggled, this, &ParamForm::changed);
                editor = box;
                break;
            }
            case ParamType::Choice: {
                auto* box = new QComboBox;
                for (const auto& choice : spec.choices)
                    box->addItem(QString::fromStdString(choice));
                connect(box, &QComboBox::currentIndexChanged, this, &ParamForm::changed);
                editor = box;
                break;
            }
        }
        const QString name = QString::fromStdString(spec.name);
        editor->setObjectName(QStringLiteral("param_") + name);
        editor->setToolTip(toolTipFor(spec));
        editor->setAccessibleName(name);
        auto* label = new QLabel(name);
        label->setToolTip(editor->toolTip());
        label->setBuddy(editor);
        m_form->addRow(label, editor);
        m_editors.push_back(editor);
    }
    m_reset->setEnabled(!m_specs.empty());
    resetToDefaults();
}

void ParamForm::resetToDefaults() {
    const QSignalBlocker block(this);
    for (size_t i = 0; i < m_specs.size(); ++i)
        setEditorValue(int(i), m_specs[i].defaultValue);
    emit changed();
}

void ParamForm::setEditorValue(int index, const std::string& canonical) {
    const ParamSpec& spec = m_specs[size_t(index)];
    QWidget* editor = m_editors[size_t(index)];
    const QString text = QString::fromStdString(canonical);
    switch (spec.type) {
        case ParamType::Int:
            static_cast<QSpinBox*>(editor)->setValue(text.toInt());
            break;
        case ParamType::Float:
            static_cast<QDoubleSpinBox*>(editor)->setValue(QLocale::c().toDouble(text));
            break;
        case ParamType::Bool:
            static_cast<QCheckBox*>(editor)->setChecked(text == QLatin1String("true") ||
                                                        text == QLatin1String("1"));
            break;
        case ParamType::Choice:
            static_cast<QComboBox*>(editor)->setCurrentText(text);
            break;
    }
}

std::string ParamForm::editorValue(int index) const {
    const ParamSpec& spec = m_specs[size_t(index)];
    QWidget* editor = m_editors[size_t(index)];
    switch (spec.type) {
        case ParamType::Int:
            return std::to_string(static_cast<QSpinBox*>(editor)->value());
        case ParamType::Float:
            return QLocale::c()
                .toString(static_cast<QDoubleSpinBox*>(editor)->value(), 'g', 10)
                .toStdString();
        case ParamType::Bool:
            return static_cast<QCheckBox*>(editor)->isChecked() ? "true" : "false";
        case ParamType::Choice:
            return static_cast<QComboBox*>(editor)->currentText().toStdString();
    }
    return {};
}

std::map<std::string, std::string> ParamForm::values() const {
    std::map<std::string, std::string> out;
    for (size_t i = 0; i < m_specs.size(); ++i)
        out[m_specs[i].name] = editorValue(int(i));
    return out;
}

std::map<std::string, std::string> ParamForm::overrides() const {
    std::map<std::string, std::string> out;
    // Compare resolved values, so "0.050" and "0.05" count as the same.
    Result<ParamValues> defaults = ParamValues::resolve(m_specs, {});
    for (size_t i = 0; i < m_specs.size(); ++i) {
        const std::string value = editorValue(int(i));
        Result<ParamValues> current = ParamValues::resolve(m_specs, {{m_specs[i].name, value}});
        const bool same = defaults.ok() && current.ok() &&
                          defaults.value().values().at(m_specs[i].name) ==
                              current.value().values().at(m_specs[i].name);
        if (!same)
            out[m_specs[i].name] = value;
    }
    return out;
}

bool ParamForm::setValues(const std::map<std::string, std::string>& values, QString* error) {
    QStringList skipped;
    {
        const QSignalBlocker block(this);
        for (const auto& [name, value] : values) {
            size_t i = 0;
            while (i < m_specs.size() && m_specs[i].name != name)
                ++i;
            Result<ParamValues> checked = ParamValues::resolve(m_specs, {{name, value}});
            if (i == m_specs.size() || !checked.ok()) {
                skipped << (checked.ok()
                                ? tr("unknown parameter %1").arg(QString::fromStdString(name))
                                : QString::fromStdString(checked.error().message));
                continue;
            }
            setEditorValue(int(i), checked.value().values().at(name));
        }
    }
    emit changed();
    if (error)
        *error = skipped.join(QStringLiteral("; "));
    return skipped.isEmpty();
}

bool ParamForm::validate(QString* error) const {
    Result<ParamValues> resolved = ParamValues::resolve(m_specs, values());
    if (!resolved.ok() && error)
        *error = QString::fromStdString(resolved.error().message);
    return resolved.ok();
}

QWidget* ParamForm::editor(const QString& name) const {
    for (size_t i = 0; i < m_specs.size(); ++i)
        if (QString::fromStdString(m_specs[i].name) == name)
            return m_editors[i];
    return nullptr;
}

}  // namespace recscope::ui
