#pragma once
// The left-hand form of the training view: which dataset (the open one), protocol and its
// options (with the row filters and the rule for what lists exclude), model (every registry entry,
// described), the model's parameters (ParamForm), device and seed. Produces the RunConfig that
// Start runs, and can be filled from a past run's config. Remembers the last choices in QSettings
// ("training/..."). GUI thread only.

#include <QWidget>

#include "core/run/Experiment.h"

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QSpinBox;

namespace recscope::ui {

class ParamForm;

class TrainingSetup : public QWidget {
    Q_OBJECT
public:
    explicit TrainingSetup(QWidget* parent = nullptr);

    // What the dataset part shows (the view keeps it in step with DatasetSession).
    void setDatasetLabel(const QString& text);

    // The configuration the form describes; `dataset` is RunConfig::dataset.
    RunConfig config(const QString& dataset) const;
    // Fills the form from a run's config (model, parameters, protocol, device, seed).
    void applyConfig(const RunConfig& config);

    QString model() const;
    void setModel(const QString& name);
    ParamForm* paramForm() const { return m_params; }
    QComboBox* deviceCombo() const { return m_device; }
    // Compute threads for the next run; 0: every core.
    int threads() const;
    // The declared value of "epochs" for the current model, or 0 when it has none.
    int plannedEpochs() const;

    void saveSettings() const;

private:
    void onModelChanged();
    void onProtocolChanged();
    void setSplitFields(const SplitConfig& split);
    void restoreSettings();

    QLabel* m_dataset;
    QComboBox* m_protocol;
    QFormLayout* m_splitForm;
    QSpinBox* m_nTest;
    QSpinBox* m_nVal;
    QSpinBox* m_minTrain;
    QDoubleSpinBox* m_threshold;
    QDoubleSpinBox* m_testFraction;
    QDoubleSpinBox* m_valFraction;
    QComboBox* m_stratify;        // ratio: per user or per item
    QSpinBox* m_heldoutUsers;     // strong: 0 shows "auto" (-1 in SplitConfig)
    QDoubleSpinBox* m_minRating;  // row filter, every protocol
    QSpinBox* m_kcore;            // row filter, every protocol
    QComboBox* m_exclude;         // the list rule (docs/protocols.md), every protocol
    QComboBox* m_model;
    QLabel* m_modelHelp;
    ParamForm* m_params;
    QComboBox* m_device;
    QSpinBox* m_seed;
    QSpinBox* m_threads;  // 0 shows "all cores"
};

}  // namespace recscope::ui
