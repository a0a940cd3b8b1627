// One list rule for every model (docs/protocols.md, "What a list may contain"): every
// registered model -- the loop runs over ModelRegistry::global(), so a new model is tested the
// day it is registered -- is trained with tiny parameters and evaluated with lists as long as
// the catalogue. Each list must hold exactly the catalogue minus the rule's items, computed
// here from the split itself: no excluded item, no allowed item missing (a model that sets its
// own scores to -inf for items it thinks "seen" fails), under --exclude positives and rated.
// The watch list of the epoch models is held to the same reference, and under "positives" a
// non-positive training item must be able to reach a top-10 (a staged model may not skip
// more than the rule when it picks candidates).
#include <QtTest>

#include <algorithm>
#include <set>

#include "core/data/SyntheticGenerator.h"
#include "core/eval/Evaluator.h"
#include "core/eval/Exclusion.h"
#include "core/models/ModelRegistry.h"
#include "core/models/Recommender.h"
#include "core/models/TrainData.h"
#include "core/split/Split.h"

using namespace recscope;

namespace {

const Dataset& smallData() {
    static const Dataset d = [] {
        SyntheticConfig config;
        config.seed = 5;
        config.users = 60;
        config.items = 200;
        config.ratings = 2400;
        return generateSynthetic(config).value();
    }();
    return d;
}

// The smallest settings a model's own specs allow for the sizes, epochs and candidate counts.
std::map<std::string, std::string> tinyParams(const Recommender& model) {
    std::map<std::string, std::string> out;
    for (const ParamSpec& p : model.paramSpecs()) {
        const std::string base = p.name.substr(p.name.rfind('.') + 1);
        const auto clamp = [&p](double v) {
            return std::to_string(static_cast<long long>(std::max(p.min, std::min(p.max, v))));
        };
        if (base == "epochs")
            out[p.name] = clamp(1);
        else if (base == "iterations")
            out[p.name] = clamp(2);
        else if (base == "patience")
            out[p.name] = "0";
        else if (base == "factors" || base == "rank" || base == "dim" || base == "embedding")
            out[p.name] = clamp(8);
        else if (base == "width" || base == "hidden")
            out[p.name] = clamp(16);
        else if (base == "candidates")
            out[p.name] = clamp(30);
        else if (base == "pretrain")
            out[p.name] = "false";
    }
    return out;
}

// The rule's items of `user` for the test part, straight from the split's parts.
std::set<int32_t> referenceExcluded(const Split& s, int32_t user) {
    std::set<int32_t> out;
    for (size_t r = 0; r < s.train.size(); ++r)
        if (s.train.users[r] == user &&
            (s.config.exclude == ExcludeRule::Rated || s.isPositive(s.train.ratings[r])))
            out.insert(s.train.items[r]);
    for (size_t r = 0; r < s.validation.size(); ++r)
        if (s.validation.users[r] == user)
            out.insert(s.validation.items[r]);
    return out;
}

std::set<int32_t> catalogue(const Split& s) {
    return {s.train.items.begin(), s.train.items.end()};
}

// Records the watch lists of the last epoch.
class WatchLog : public TrainObserver {
public:
    void onEpoch(const EpochReport& r) override {
        if (!r.watchTopK.empty())
            last = r.watchTopK;
    }
    std::map<int32_t, std::vector<int32_t>> last;
};

}  // namespace

class TestExclusion : public QObject {
    Q_OBJECT

private slots:
    void everyModelUnderBothRules_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("rule");
        for (const auto& entry : ModelRegistry::global().entries())
            for (const char* rule : {"positives", "rated"})
                QTest::newRow((entry.name + "/" + rule).c_str())
                    << QString::fromStdString(entry.name) << QString(rule);
    }

    void everyModelUnderBothRules() {
        QFETCH(QString, model);
        QFETCH(QString, rule);
        SplitConfig config = defaultSplitConfig(Protocol::Temporal);
        config.nTest = 3;
        config.minTrain = 3;
        config.exclude = parseExcludeRule(rule.toStdString()).value();
        const Split split = makeSplit(smallData(), config).value();
        const TrainData train = TrainData::build(split, &smallData());
        // Non-positive training ratings exist, so the two rules differ.
        QVERIFY(train.allRatings.nnz() > train.positives.nnz());

        std::unique_ptr<Recommender> m = ModelRegistry::global().create(model.toStdString());
        QVERIFY(m);
        const Status configured = m->configure(tinyParams(*m));
        QVERIFY2(configured.ok(), configured.ok() ? "" : configured.error().message.c_str());
        WatchLog log;
        FitContext context;
        context.seed = 3;
        context.observer = &log;
        context.watchUsers = {0, 1, 2, 3, 4, 5};
        context.watchK = smallData().numItems();
        const Status fitted = m->fit(train, context);
        QVERIFY2(fitted.ok(), fitted.ok() ? "" : fitted.error().message.c_str());

        EvalConfig eval;
        eval.ks = {smallData().numItems()};
        eval.keepLists = true;
        eval.beyondAccuracy = false;
        eval.keepPerUser = false;
        const auto r = evaluate(*m, train, EvalPart::Test, eval);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QVERIFY(r->usersEvaluated > 10);
        const std::set<int32_t> all = catalogue(split);
        const auto check = [&](int32_t user, const int32_t* list, size_t n) {
            std::set<int32_t> expected = all;
            for (int32_t i : referenceExcluded(split, user))
                expected.erase(i);
            std::vector<int32_t> got;
            for (size_t k = 0; k < n && list[k] >= 0; ++k)
                got.push_back(list[k]);
            const std::set<int32_t> gotSet(got.begin(), got.end());
            QCOMPARE(gotSet.size(), got.size());  // no item twice
            for (int32_t i : got)
                QVERIFY2(expected.count(i), ("user " + std::to_string(user) +
                                             " got excluded item " + std::to_string(i))
                                                .c_str());
            for (int32_t i : expected)
                QVERIFY2(
                    gotSet.count(i),
                    ("user " + std::to_string(user) + " misses item " + std::to_string(i)).c_str());
        };
        const auto width = static_cast<size_t>(r->listWidth);
        for (size_t e = 0; e < r->users.size(); ++e)
            check(r->users[e], r->lists.data() + e * width, width);
        for (const auto& [user, list] : log.last)
            check(user, list.data(), list.size());
        // Under "positives" an item the user rated below the threshold may be recommended:
        // somewhere in the top-10 lists one is. A model that skips every rated item when it
        // picks candidates (a bigger set than the rule's) never shows one and fails here.
        if (config.exclude == ExcludeRule::Positives) {
            int64_t shown = 0;
            for (size_t e = 0; e < r->users.size(); ++e) {
                const int32_t u = r->users[e];
                // Only users with room: a user who rated nearly the whole catalogue leaves a
                // staged model fewer candidates than K, and any order fills the rest.
                if (static_cast<int64_t>(all.size()) - train.allRatings.rowSize(u) < 60)
                    continue;
                for (size_t k = 0; k < 10; ++k) {
                    const int32_t item = r->lists[e * width + k];
                    for (size_t t = 0; t < split.train.size(); ++t)
                        shown += split.train.users[t] == u && split.train.items[t] == item &&
                                 !split.isPositive(split.train.ratings[t]);
                }
            }
            QVERIFY2(shown > 0, "no top-10 list holds a non-positive training item");
        }
    }

    // The function itself on a hand split: training positives or every rating, validation
    // items for the test part only, rows merged by --fit-on still removed.
    void excludedItemsByHand() {
        Split s;
        s.threshold = 4.0;
        s.numUsers = 2;
        s.numItems = 6;
        s.train.append(0, 0, 5, 1);
        s.train.append(0, 1, 2, 2);
        s.validation.append(0, 2, 1, 3);
        s.test.append(0, 3, 5, 4);
        s.train.append(1, 4, 5, 1);
        std::vector<int32_t> out;
        const TrainData p = TrainData::build(s, nullptr);
        excludedItems(p, EvalPart::Validation, 0, out);
        QCOMPARE(out, (std::vector<int32_t>{0}));
        excludedItems(p, EvalPart::Test, 0, out);
        QCOMPARE(out, (std::vector<int32_t>{0, 2}));
        excludedItems(p, EvalPart::Test, 7, out);  // outside the split
        QVERIFY(out.empty());
        s.config.exclude = ExcludeRule::Rated;
        const TrainData rated = TrainData::build(s, nullptr);
        excludedItems(rated, EvalPart::Test, 0, out);
        QCOMPARE(out, (std::vector<int32_t>{0, 1, 2}));
        QCOMPARE(rated.listExclusion().nnz(), int64_t{3});
        const Split merged = withValidationInTrain(s);
        const TrainData m = TrainData::build(merged, nullptr);
        excludedItems(m, EvalPart::Test, 0, out);
        QCOMPARE(out, (std::vector<int32_t>{0, 1, 2}));
        const std::vector<HistoryEntry> history{{5, 5.0f, true}, {1, 2.0f, false}, {9, 5.0f, true}};
        QCOMPARE(excludedHistoryItems(history, ExcludeRule::Positives, 6),
                 (std::vector<int32_t>{5}));
        QCOMPARE(excludedHistoryItems(history, ExcludeRule::Rated, 6),
                 (std::vector<int32_t>{1, 5}));
    }
};

QTEST_APPLESS_MAIN(TestExclusion)
#include "tst_exclusion.moc"
