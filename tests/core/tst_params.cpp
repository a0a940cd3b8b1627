// Parameter resolution: defaults, overrides, and errors that name the parameter; the registry.
#include <QtTest>

#include "core/models/ModelRegistry.h"
#include "core/models/Params.h"
#include "core/models/Recommender.h"

using namespace recscope;

namespace {
std::vector<ParamSpec> specs() {
    return {
        {"factors", ParamType::Int, "64", 1, 1024, {}, "latent factors"},
        {"lr", ParamType::Float, "0.01", 0.0, 1.0, {}, "learning rate"},
        {"bias", ParamType::Bool, "true", 0, 0, {}, "use biases"},
        {"sampler", ParamType::Choice, "uniform", 0, 0, {"uniform", "popularity"}, "negatives"}};
}
QString message(const Result<ParamValues>& r) {
    return QString::fromStdString(r.error().message);
}
}  // namespace

class TestParams : public QObject {
    Q_OBJECT

private slots:
    void defaults();
    void overrides();
    void unknownNameListsValidOnes();
    void wrongType_data();
    void wrongType();
    void outOfRange();
    void badDefaultIsReported();
    void registryNamesAndDefaults();
};

void TestParams::defaults() {
    auto r = ParamValues::resolve(specs(), {});
    QVERIFY(r.ok());
    QCOMPARE(r->getInt("factors"), int64_t{64});
    QCOMPARE(r->getFloat("lr"), 0.01);
    QCOMPARE(r->getBool("bias"), true);
    QCOMPARE(QString::fromStdString(r->getString("sampler")), QString("uniform"));
    QCOMPARE(r->values().size(), size_t{4});
}

void TestParams::overrides() {
    auto r = ParamValues::resolve(
        specs(), {{"factors", "128"}, {"lr", "1e-3"}, {"bias", "no"}, {"sampler", "popularity"}});
    QVERIFY(r.ok());
    QCOMPARE(r->getInt("factors"), int64_t{128});
    QCOMPARE(r->getFloat("lr"), 0.001);
    QCOMPARE(r->getBool("bias"), false);
    QCOMPARE(QString::fromStdString(r->getString("bias")), QString("false"));  // canonical
    QCOMPARE(QString::fromStdString(r->getString("sampler")), QString("popularity"));
}

void TestParams::unknownNameListsValidOnes() {
    auto r = ParamValues::resolve(specs(), {{"factor", "8"}});
    QVERIFY(!r.ok());
    QVERIFY(message(r).contains("unknown parameter 'factor'"));
    QVERIFY(message(r).contains("factors, lr, bias, sampler"));
}

void TestParams::wrongType_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("int from float") << "factors"
                                    << "1.5"
                                    << "is not an integer";
    QTest::newRow("int from text") << "factors"
                                   << "many"
                                   << "is not an integer";
    QTest::newRow("float trailing") << "lr"
                                    << "0.1x"
                                    << "is not a number";
    QTest::newRow("float nan") << "lr"
                               << "nan"
                               << "is not a number";
    QTest::newRow("float empty") << "lr"
                                 << ""
                                 << "is not a number";
    QTest::newRow("bool") << "bias"
                          << "maybe"
                          << "is not true or false";
    QTest::newRow("choice") << "sampler"
                            << "hard"
                            << "is not one of: uniform, popularity";
}

void TestParams::wrongType() {
    QFETCH(QString, name);
    QFETCH(QString, value);
    QFETCH(QString, expected);
    auto r = ParamValues::resolve(specs(), {{name.toStdString(), value.toStdString()}});
    QVERIFY(!r.ok());
    QVERIFY2(message(r).contains("parameter '" + name + "'"), qPrintable(message(r)));
    QVERIFY2(message(r).contains(expected), qPrintable(message(r)));
}

void TestParams::outOfRange() {
    auto r = ParamValues::resolve(specs(), {{"factors", "0"}});
    QVERIFY(!r.ok());
    QVERIFY(message(r).contains("parameter 'factors'"));
    QVERIFY(message(r).contains("out of range [1, 1024]"));
    QVERIFY(!ParamValues::resolve(specs(), {{"lr", "1.5"}}).ok());
    QVERIFY(ParamValues::resolve(specs(), {{"lr", "1"}}).ok());  // inclusive
}

void TestParams::badDefaultIsReported() {
    std::vector<ParamSpec> bad{{"k", ParamType::Int, "abc", 0, 10, {}, ""}};
    auto r = ParamValues::resolve(bad, {});
    QVERIFY(!r.ok());
    QVERIFY(message(r).contains("default of parameter 'k'"));
}

void TestParams::registryNamesAndDefaults() {
    const auto names = modelNames();
    for (const char* n : {"pop", "itemknn", "userknn", "ease", "puresvd", "ials"})
        QVERIFY2(std::find(names.begin(), names.end(), n) != names.end(), n);
    QVERIFY(createModel("no-such-model") == nullptr);
    for (const auto& entry : ModelRegistry::global().entries()) {
        QVERIFY(!entry.description.empty());
        auto model = createModel(entry.name);
        QVERIFY2(model != nullptr, entry.name.c_str());
        QCOMPARE(QString::fromStdString(model->name()), QString::fromStdString(entry.name));
        // Every declared default resolves, and every spec has a help line.
        QCOMPARE(model->params().values().size(), model->paramSpecs().size());
        for (const auto& spec : model->paramSpecs())
            QVERIFY2(!spec.help.empty(), spec.name.c_str());
    }
    auto ease = createModel("ease");
    const Status s = ease->configure({{"lambda", "-1"}});
    QVERIFY(!s.ok());
    QVERIFY(QString::fromStdString(s.error().message).contains("model 'ease': parameter 'lambda'"));
}

QTEST_APPLESS_MAIN(TestParams)
#include "tst_params.moc"
