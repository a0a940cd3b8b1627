// ParamForm: editors generated from ParamSpecs (types, ranges, tooltips), values and overrides
// as canonical text, ranges that cannot be left, reset to defaults, and every registered
// model's form resolving to the same values as the core's own defaults.

#include <QtTest>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QSpinBox>
#include <memory>

#include "core/models/ModelRegistry.h"
#include "core/models/Recommender.h"
#include "ui/training/ParamForm.h"

using namespace recscope;
using namespace recscope::ui;

namespace {

std::vector<ParamSpec> handSpecs() {
    return {
        {"factors", ParamType::Int, "64", 1, 1024, {}, "Latent factors per user and item"},
        {"lr", ParamType::Float, "0.05", 0.0, 10.0, {}, "Learning rate of the optimizer"},
        {"item_bias", ParamType::Bool, "true", 0, 0, {}, "Learn a per-item bias"},
        {"sampler", ParamType::Choice, "uniform", 0, 0, {"uniform", "popularity"}, "Negatives"},
    };
}

}  // namespace

class TestParamForm : public QObject {
    Q_OBJECT

private slots:
    void editorsFollowSpecs();
    void overridesAreOnlyChanges();
    void rangesCannotBeLeft();
    void typedNumbers();
    void setValuesChecksEachValue();
    void resetButtonRestoresDefaults();
    void everyModelFormResolvesToDefaults();
};

void TestParamForm::editorsFollowSpecs() {
    ParamForm form;
    form.setSpecs(handSpecs());
    auto* factors = qobject_cast<QSpinBox*>(form.editor("factors"));
    auto* lr = qobject_cast<QDoubleSpinBox*>(form.editor("lr"));
    auto* bias = qobject_cast<QCheckBox*>(form.editor("item_bias"));
    auto* sampler = qobject_cast<QComboBox*>(form.editor("sampler"));
    QVERIFY(factors && lr && bias && sampler);
    QCOMPARE(factors->objectName(), QStringLiteral("param_factors"));
    QCOMPARE(factors->minimum(), 1);
    QCOMPARE(factors->maximum(), 1024);
    QCOMPARE(factors->value(), 64);
    QCOMPARE(lr->minimum(), 0.0);
    QCOMPARE(lr->maximum(), 10.0);
    QCOMPARE(lr->value(), 0.05);
    QCOMPARE(lr->text(), QLocale().toString(0.05, 'g', 6));  // not "0.050000000000"
    QVERIFY(bias->isChecked());
    QCOMPARE(sampler->count(), 2);
    QCOMPARE(sampler->currentText(), QStringLiteral("uniform"));
    QVERIFY(factors->toolTip().contains("Latent factors per user and item"));
    QVERIFY(factors->toolTip().contains("1024"));
    QVERIFY(lr->toolTip().contains("Learning rate"));
    QVERIFY(sampler->toolTip().contains("popularity"));

    // A second model replaces the editors.
    form.setSpecs({{"k", ParamType::Int, "3", 1, 10, {}, "Neighbours"}});
    QVERIFY(!form.editor("factors"));
    QVERIFY(form.findChild<QSpinBox*>("param_k"));
    QVERIFY(!form.findChild<QSpinBox*>("param_factors"));
}

void TestParamForm::overridesAreOnlyChanges() {
    ParamForm form;
    form.setSpecs(handSpecs());
    QVERIFY(form.overrides().empty());
    const std::map<std::string, std::string> defaults{
        {"factors", "64"}, {"lr", "0.05"}, {"item_bias", "true"}, {"sampler", "uniform"}};
    QCOMPARE(form.values(), defaults);

    QSignalSpy changed(&form, &ParamForm::changed);
    qobject_cast<QSpinBox*>(form.editor("factors"))->setValue(32);
    qobject_cast<QDoubleSpinBox*>(form.editor("lr"))->setValue(0.1);
    qobject_cast<QCheckBox*>(form.editor("item_bias"))->setChecked(false);
    qobject_cast<QComboBox*>(form.editor("sampler"))->setCurrentText("popularity");
    QCOMPARE(changed.count(), 4);
    const std::map<std::string, std::string> expected{
        {"factors", "32"}, {"lr", "0.1"}, {"item_bias", "false"}, {"sampler", "popularity"}};
    QCOMPARE(form.overrides(), expected);
    QVERIFY(form.validate());

    // Back to a default value: no longer an override.
    qobject_cast<QSpinBox*>(form.editor("factors"))->setValue(64);
    QCOMPARE(form.overrides().count("factors"), size_t(0));
}

void TestParamForm::rangesCannotBeLeft() {
    ParamForm form;
    form.setSpecs(handSpecs());
    auto* factors = qobject_cast<QSpinBox*>(form.editor("factors"));
    auto* lr = qobject_cast<QDoubleSpinBox*>(form.editor("lr"));
    factors->setValue(5000);
    QCOMPARE(factors->value(), 1024);
    factors->setValue(-3);
    QCOMPARE(factors->value(), 1);
    lr->setValue(11.0);
    QCOMPARE(lr->value(), 10.0);
    lr->setValue(-1.0);
    QCOMPARE(lr->value(), 0.0);
    QVERIFY(form.validate());

    // Typing past the maximum does not get through either.
    form.show();
    QVERIFY(QTest::qWaitForWindowExposed(&form));
    factors->setValue(64);
    factors->selectAll();
    QTest::keyClicks(factors, "99999");
    QTest::keyClick(factors, Qt::Key_Enter);
    QVERIFY(factors->value() <= 1024);
    QVERIFY(factors->value() >= 1);
}

void TestParamForm::typedNumbers() {
    ParamForm form;
    form.setSpecs(handSpecs());
    form.show();
    QVERIFY(QTest::qWaitForWindowExposed(&form));
    auto* lr = qobject_cast<QDoubleSpinBox*>(form.editor("lr"));
    lr->setFocus();
    lr->selectAll();
    QTest::keyClicks(lr, QLocale().toString(0.003, 'g', 6));
    QTest::keyClick(lr, Qt::Key_Enter);
    QCOMPARE(lr->value(), 0.003);
    QCOMPARE(form.overrides().at("lr"), std::string("0.003"));

    // Letters are refused outright; "nan" cannot be typed.
    lr->selectAll();
    QTest::keyClicks(lr, "nan");
    QTest::keyClick(lr, Qt::Key_Enter);
    QCOMPARE(lr->value(), 0.003);

    // Small values keep their precision (no fixed number of decimals).
    lr->setValue(1e-5);
    QCOMPARE(form.values().at("lr"), std::string("1e-05"));
    QVERIFY(form.validate());
}

void TestParamForm::setValuesChecksEachValue() {
    ParamForm form;
    form.setSpecs(handSpecs());
    QString error;
    QVERIFY(form.setValues({{"factors", "16"}, {"lr", "0.5"}}, &error));
    QVERIFY(error.isEmpty());
    QCOMPARE(form.values().at("factors"), std::string("16"));
    QCOMPARE(form.values().at("lr"), std::string("0.5"));

    // Out of range, ill-typed and unknown values are skipped and named; the rest applies.
    QVERIFY(!form.setValues(
        {{"factors", "5000"}, {"lr", "fast"}, {"depth", "3"}, {"sampler", "popularity"}}, &error));
    QVERIFY2(error.contains("factors"), qPrintable(error));
    QVERIFY2(error.contains("lr"), qPrintable(error));
    QVERIFY2(error.contains("depth"), qPrintable(error));
    QCOMPARE(form.values().at("factors"), std::string("16"));
    QCOMPARE(form.values().at("lr"), std::string("0.5"));
    QCOMPARE(form.values().at("sampler"), std::string("popularity"));
}

void TestParamForm::resetButtonRestoresDefaults() {
    ParamForm form;
    form.setSpecs(handSpecs());
    QVERIFY(form.setValues({{"factors", "8"}, {"item_bias", "false"}}));
    QCOMPARE(form.overrides().size(), size_t(2));
    auto* reset = form.findChild<QPushButton*>("resetParams");
    QVERIFY(reset);
    QVERIFY(reset->isEnabled());
    QTest::mouseClick(reset, Qt::LeftButton);
    QVERIFY(form.overrides().empty());
    QCOMPARE(qobject_cast<QSpinBox*>(form.editor("factors"))->value(), 64);

    form.setSpecs({});
    QVERIFY(!reset->isEnabled());
    QVERIFY(form.values().empty());
}

void TestParamForm::everyModelFormResolvesToDefaults() {
    const auto& entries = ModelRegistry::global().entries();
    QVERIFY(entries.size() >= 10);
    for (const ModelRegistry::Entry& e : entries) {
        std::unique_ptr<Recommender> model = e.factory();
        QVERIFY(model);
        const std::vector<ParamSpec> specs = model->paramSpecs();
        ParamForm form;
        form.setSpecs(specs);
        QVERIFY2(form.overrides().empty(), e.name.c_str());
        QString error;
        QVERIFY2(form.validate(&error), qPrintable(QString::fromStdString(e.name) + ": " + error));
        // The form's values resolve exactly as the core resolves the declared defaults.
        Result<ParamValues> defaults = ParamValues::resolve(specs, {});
        Result<ParamValues> shown = ParamValues::resolve(specs, form.values());
        QVERIFY(defaults.ok() && shown.ok());
        QCOMPARE(shown.value().values(), defaults.value().values());
        for (const ParamSpec& spec : specs) {
            QWidget* editor = form.editor(QString::fromStdString(spec.name));
            QVERIFY2(editor, spec.name.c_str());
            QVERIFY(editor->toolTip().contains(QString::fromStdString(spec.help).toHtmlEscaped()));
        }
    }
}

QTEST_MAIN(TestParamForm)
#include "tst_paramform.moc"
