#pragma once
// Defines a sweep (core/sweep/SweepSpec.h) from a model's declared parameters: for each
// parameter a "vary" box, how (list, linear or log points, uniform or log-uniform draws) and
// the values; the budget, the draw seed, the validation metric and a name. Everything else
// (protocol, split, fixed parameter values, seed, device) comes from the base configuration the
// Train tab describes. The preview line shows the number of trials or why the definition is
// refused (the core's expandSweep decides); OK is enabled only for a valid sweep.
//
// Editors are named "sweepVary_<param>", "sweepKind_<param>", "sweepValues_<param>",
// "sweepBudget", "sweepDrawSeed", "sweepMetric", "sweepName", "sweepPreview". GUI thread only.

#include <QDialog>
#include <vector>

#include "core/sweep/SweepSpec.h"

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace recscope::ui {

class SweepDialog : public QDialog {
    Q_OBJECT
public:
    // base: the configuration the sweep varies (model, split, fixed params, seed ...).
    explicit SweepDialog(const RunConfig& base, QWidget* parent = nullptr);

    // Varies `param` with `kind` over `values` (text as the CLI takes it: "16,32,64",
    // "0.001:0.1:3"); an empty text stops varying it. For tests and the screenshot runner.
    void setDimension(const QString& param, SweepDimension::Kind kind, const QString& values);
    void setBudget(int budget);
    void setMetric(const QString& metric);

    // The definition as the form stands, or why not.
    Result<SweepSpec> spec() const;
    QString name() const;
    int trialCount() const { return m_trials; }  // 0 when invalid

private:
    struct Row {
        ParamSpec spec;
        QCheckBox* vary = nullptr;
        QComboBox* kind = nullptr;
        QLineEdit* values = nullptr;
    };
    void updatePreview();

    RunConfig m_base;
    std::vector<Row> m_rows;
    QSpinBox* m_budget;
    QSpinBox* m_drawSeed;
    QComboBox* m_metric;
    QLineEdit* m_name;
    QLabel* m_preview;
    QDialogButtonBox* m_buttons;
    int m_trials = 0;
};

}  // namespace recscope::ui
