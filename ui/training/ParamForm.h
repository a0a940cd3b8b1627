#pragma once
// A form generated from a model's declared parameters (ParamSpec): a spin box per number with
// the declared range enforced, a check box per flag, a combo box per choice; each parameter's
// help text is its tooltip. Out-of-range or ill-typed values cannot be entered. GUI thread only.
//
// Editors are named "param_<name>" so tests and settings can find them.

#include <QWidget>
#include <map>
#include <string>
#include <vector>

#include "core/models/Params.h"

class QFormLayout;
class QPushButton;

namespace recscope::ui {

class ParamForm : public QWidget {
    Q_OBJECT
public:
    explicit ParamForm(QWidget* parent = nullptr);

    // Rebuilds the form for `specs`, every value at its default.
    void setSpecs(const std::vector<ParamSpec>& specs);
    const std::vector<ParamSpec>& specs() const { return m_specs; }

    // Every parameter's current value as canonical text ("64", "0.05", "true", "uniform").
    std::map<std::string, std::string> values() const;
    // Only the values that differ from their defaults: what RunConfig::params takes.
    std::map<std::string, std::string> overrides() const;

    // Applies the given values (unknown names and values the spec rejects are skipped and
    // named in `error`; the others are applied). Returns false if anything was skipped.
    bool setValues(const std::map<std::string, std::string>& values, QString* error = nullptr);
    void resetToDefaults();

    // The current values checked by the core's own rules (ParamValues::resolve).
    bool validate(QString* error = nullptr) const;

    QWidget* editor(const QString& name) const;

signals:
    void changed();

private:
    void setEditorValue(int index, const std::string& canonical);
    std::string editorValue(int index) const;

    std::vector<ParamSpec> m_specs;
    std::vector<QWidget*> m_editors;  // parallel to m_specs
    QFormLayout* m_form;
    QPushButton* m_reset;
};

}  // namespace recscope::ui
