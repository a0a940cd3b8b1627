// The two-tower's attention user tower (user_tower=attention): its user vectors are causal (a
// position's vector is unchanged by later items, by padding or by the batch's width); on walks
// with a strong "i is followed by i + 1" signal it beats the mean tower, which ignores order; a
// known user is read from its last seq_len training positives in time order, never from the
// validation or test items; fold-in reads the given order; save/load round trip. The profile
// (on by default) adds the mean of every training positive: older items than seq_len then
// count, as a set; its leave-the-target-out training input against a loop.

// LibTorch before Qt: Qt's `slots` macro would break LibTorch headers that use the word.
#include "core/nn/TorchSupport.h"
#include "core/nn/TwoTowerNet.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/eval/Evaluator.h"
#include "core/models/Compute.h"
#include "core/models/TrainData.h"
#include "core/nn/TwoTowerModel.h"
#include "core/split/Split.h"
#include "support/SequenceData.h"

using namespace recscope;
using namespace recscope::testing;

namespace {

std::unique_ptr<TwoTowerModel> fitTwoTower(const TrainData& data,
                                           std::map<std::string, std::string> params) {
    return fitOrDie<TwoTowerModel>(data, params, {}, 3);
}

// rows x cols int64 from row-major values.
torch::Tensor itemRows(const std::vector<int64_t>& values, int64_t rows) {
    return torch::tensor(values, torch::kLong).view({rows, -1});
}

TwoTowerNet attentionNet(int32_t items, int seqLen) {
    torch::manual_seed(9);
    TwoTowerNetConfig c;
    c.numUsers = 4;
    c.numItems = items;
    c.embedding = 16;
    c.dim = 8;
    c.attention = true;
    c.seqLen = seqLen;
    c.blocks = 2;
    c.heads = 2;
    c.seqDropout = 0.0;
    TwoTowerNet net(c);
    net->eval();
    return net;
}

}  // namespace

class TestAttentionTower : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { setComputeThreads(1); }

    // Position t's vector depends on items 0..t only, whatever comes later, and is unit length;
    // a row's last vector is the same however it is padded. (Positions count from the newest
    // item, as in SASRec: column 2 of a 6-wide row is not the 3-item row's last column.)
    void causalUserVectors() {
        torch::NoGradGuard noGrad;
        auto net = attentionNet(30, 8);
        const auto ids = itemRows({1, 2}, 2).view({2});
        const auto keep = torch::tensor({1.0f, 0.0f});
        const auto a = itemRows({3, 7, 11, 2, 9, 4, 5, 6, 7, 8, 9, 10}, 2);
        for (int64_t t = 0; t < 6; ++t) {
            auto b = a.clone();
            b[0][t] = 20;  // another item at position t of row 0
            const auto ua = net->sequenceUsers(ids, keep, a, false);
            const auto ub = net->sequenceUsers(ids, keep, b, false);
            QCOMPARE(ua.sizes(), (torch::IntArrayRef{2, 6, 8}));
            for (int64_t s = 0; s < 6; ++s) {
                const double diff = (ua[0][s] - ub[0][s]).abs().max().item<double>();
                if (s < t)
                    QVERIFY2(diff == 0.0,
                             qPrintable(QString("t %1 s %2: %3").arg(t).arg(s).arg(diff)));
                else
                    QVERIFY2(diff > 1e-6, qPrintable(QString("t %1 s %2").arg(t).arg(s)));
                QVERIFY(std::fabs(ua[1][s].norm().item<double>() - 1.0) < 1e-5);
            }
            // Row 1 never changes.
            QVERIFY((ua[1] - ub[1]).abs().max().item<double>() == 0.0);
        }
        // Row 0's first three items, alone and left-padded to the batch's width.
        const int64_t pad = net->sequencePadding();
        const auto alone = net->sequenceUsers(ids.narrow(0, 0, 1), keep.narrow(0, 0, 1),
                                              a.narrow(0, 0, 1).narrow(1, 0, 3), true);
        const auto padded = net->sequenceUsers(ids.narrow(0, 0, 1), keep.narrow(0, 0, 1),
                                               itemRows({pad, pad, pad, 3, 7, 11}, 1), true);
        const auto full = net->sequenceUsers(ids, keep, a, false);
        QVERIFY((alone - padded).abs().max().item<double>() < 1e-5);
        // The user ID embedding counts when kept: row 1 has keep 0, so another ID is the same.
        const auto other = net->sequenceUsers(itemRows({1, 3}, 2).view({2}), keep, a, false);
        QVERIFY((other[1] - full[1]).abs().max().item<double>() == 0.0);
        QVERIFY((other[0] - full[0]).abs().max().item<double>() == 0.0);
        const auto otherKept = net->sequenceUsers(itemRows({3, 2}, 2).view({2}), keep, a, false);
        QVERIFY((otherKept[0] - full[0]).abs().max().item<double>() > 1e-6);
    }

    // The order of the walks is the whole signal: the attention tower finds it, the mean
    // tower (same settings otherwise) cannot.
    void beatsTheMeanTowerOnOrder() {
        // The validation item joins the training part: the test item follows the last
        // training item.
        const Split split = withValidationInTrain(walks(400, 100, 0.9, 21));
        const TrainData data = TrainData::build(split, nullptr);
        std::map<std::string, std::string> params{
            {"epochs", "30"},   {"patience", "0"},      {"dim", "32"},          {"embedding", "32"},
            {"seq_len", "10"},  {"lr", "0.005"},        {"batch_size", "256"},  {"genres", "false"},
            {"years", "false"}, {"seq_dropout", "0.1"}, {"user_dropout", "0.5"}};
        auto attention = params;
        attention["user_tower"] = "attention";
        const auto a = fitTwoTower(data, attention);
        const auto m = fitTwoTower(data, params);
        const double ra = testRecall(*a, data, 10);
        const double rm = testRecall(*m, data, 10);
        qInfo("recall@10 attention %.3f mean %.3f", ra, rm);
        QVERIFY2(ra >= 0.5 && ra >= rm + 0.3, qPrintable(QString("%1 vs %2").arg(ra).arg(rm)));
        QVERIFY(!a->canDistribute());
        QVERIFY(m->canDistribute());
    }

    // Hand-made histories: the tower reads a known user's training positives in time order
    // (ties in the order stored), the last seq_len of them; never the validation or test items.
    // Fold-in reads the given order.
    void readsPastPositivesInTimeOrder() {
        Split s;
        s.threshold = 4.0;
        s.numUsers = 6;
        s.numItems = 12;
        s.train.append(0, 5, 5, 10);
        s.train.append(0, 9, 5, 20);
        s.train.append(0, 3, 5, 20);
        s.train.append(0, 1, 2, 30);  // below the threshold: not a positive
        s.train.append(0, 6, 4, 35);
        s.validation.append(0, 7, 5, 40);
        s.test.append(0, 8, 5, 50);
        appendCyclicUsers(s, 1, 6, 9);
        const TrainData data = TrainData::build(s, nullptr);
        const std::map<std::string, std::string> base{
            {"epochs", "3"},    {"patience", "0"},           {"dim", "8"},
            {"embedding", "8"}, {"user_tower", "attention"}, {"genres", "false"}};
        const auto m = fitTwoTower(data, base);
        QCOMPARE(m->userHistory(0), (std::vector<int32_t>{5, 9, 3, 6}));
        const auto folded = historyScores(*m, {5, 9, 3, 6});
        QVERIFY(maxDifference(historyScores(*m, {5, 9, 3, 6, 7, 8}), folded) > 1e-5);
        QVERIFY(maxDifference(historyScores(*m, {6, 3, 9, 5}), folded) > 1e-5);
        // A non-positive entry is not read.
        std::vector<HistoryEntry> withNegative{
            {5, 5, true}, {9, 5, true}, {1, 2, false}, {3, 5, true}, {6, 4, true}};
        std::vector<float> out(12);
        QVERIFY(m->scoreHistory(withNegative, out.data()).ok());
        QVERIFY(sameScores(out, folded));

        // seq_len 2: the attention reads the last two. Without the profile nothing older
        // counts; with it, the older items count through the mean.
        auto short2 = base;
        short2["seq_len"] = "2";
        short2["profile"] = "false";
        const auto m2 = fitTwoTower(data, short2);
        QCOMPARE(m2->userHistory(0), (std::vector<int32_t>{3, 6}));
        QVERIFY(sameScores(historyScores(*m2, {5, 9, 3, 6}), historyScores(*m2, {3, 6})));
        short2["profile"] = "true";
        const auto p2 = fitTwoTower(data, short2);
        QCOMPARE(p2->userHistory(0), (std::vector<int32_t>{3, 6}));
        QVERIFY(maxDifference(historyScores(*p2, {5, 9, 3, 6}), historyScores(*p2, {3, 6})) > 1e-5);
        // The profile is a set: a repeat or another order of the older items changes nothing.
        QVERIFY(sameScores(historyScores(*p2, {9, 5, 9, 3, 6}), historyScores(*p2, {5, 9, 3, 6})));

        // Fitted on train + validation, the validation item is the newest; the test item never.
        const Split mergedSplit = withValidationInTrain(s);
        const TrainData merged = TrainData::build(mergedSplit, nullptr);
        QCOMPARE(fitTwoTower(merged, base)->userHistory(0), (std::vector<int32_t>{5, 9, 3, 6, 7}));

        // The mean tower's bag is the sorted positives.
        auto mean = base;
        mean["user_tower"] = "mean";
        QCOMPARE(fitTwoTower(data, mean)->userHistory(0), (std::vector<int32_t>{3, 5, 6, 9}));
    }

    // refit=true under the fit rule's "auto": after early stopping on validation the model is
    // retrained on train + validation, so the validation item becomes the newest it reads (the
    // test item never); the record says so. Under "train", or with refit=false, it is not.
    void refitReadsTheValidationItem() {
        Split s;
        s.threshold = 4.0;
        s.numUsers = 6;
        s.numItems = 12;
        appendCyclicUsers(s, 0, 6, 6);
        const TrainData data = TrainData::build(s, nullptr);
        const std::map<std::string, std::string> base{
            {"epochs", "3"},       {"patience", "2"},   {"dim", "8"},
            {"embedding", "8"},    {"genres", "false"}, {"user_tower", "attention"},
            {"validation_k", "5"}, {"refit", "true"}};
        const std::vector<int32_t> trainOnly{0, 1, 2, 3, 4, 5};
        const std::vector<int32_t> withValidation{0, 1, 2, 3, 4, 5, 6};

        FitRecord record{false, int64_t(s.train.size())};
        FitContext autoRule;
        autoRule.refitOnValidation = true;
        autoRule.record = &record;
        QCOMPARE(fitOrDie<TwoTowerModel>(data, base, autoRule, 3)->userHistory(0), withValidation);
        QVERIFY(record.trainAndValidation);
        QCOMPARE(record.ratings, int64_t(s.train.size() + s.validation.size()));

        FitRecord untouched{false, int64_t(s.train.size())};
        FitContext trainRule;
        trainRule.record = &untouched;
        QCOMPARE(fitOrDie<TwoTowerModel>(data, base, trainRule, 3)->userHistory(0), trainOnly);
        QVERIFY(!untouched.trainAndValidation);

        auto noRefit = base;
        noRefit["refit"] = "false";
        QCOMPARE(fitOrDie<TwoTowerModel>(data, noRefit, autoRule, 3)->userHistory(0), trainOnly);
    }

    // Training's profile input: per position, the mean of the user's bag with that position's
    // target left out (when the bag holds it), against a loop over the table's rows.
    void profileLeavesTheTargetOut() {
        torch::NoGradGuard noGrad;
        torch::manual_seed(4);
        TwoTowerNetConfig c;
        c.numUsers = 3;
        c.numItems = 10;
        c.embedding = 4;
        c.dim = 4;
        c.attention = true;
        c.profile = true;
        c.blocks = 1;
        TwoTowerNet net(c);
        const std::vector<std::vector<int64_t>> bags{{1, 4, 7}, {2}, {}};
        const std::vector<std::vector<int64_t>> targets{{4, 8, 7}, {2, 3, 5}, {6, 0, 1}};
        std::vector<int64_t> flat, offsets;
        std::vector<float> sizes, inBag;
        for (size_t r = 0; r < bags.size(); ++r) {
            offsets.push_back(int64_t(flat.size()));
            flat.insert(flat.end(), bags[r].begin(), bags[r].end());
            sizes.push_back(float(bags[r].size()));
            for (int64_t t : targets[r])
                inBag.push_back(std::count(bags[r].begin(), bags[r].end(), t) ? 1.0f : 0.0f);
        }
        const auto y = itemRows({4, 8, 7, 2, 3, 5, 6, 0, 1}, 3);
        const auto got = leaveTargetOutMeans(net->profileSums(torch::tensor(flat, torch::kLong),
                                                              torch::tensor(offsets, torch::kLong)),
                                             torch::tensor(sizes), net->profileRows(y),
                                             torch::tensor(inBag).view({3, 3}));
        QCOMPARE(got.sizes(), (torch::IntArrayRef{3, 3, 4}));
        const auto table = net->profileRows(torch::arange(10, torch::kLong));
        for (size_t r = 0; r < bags.size(); ++r)
            for (size_t c = 0; c < 3; ++c) {
                auto expected = torch::zeros({4});
                int kept = 0;
                for (int64_t i : bags[r])
                    if (i != targets[r][c]) {
                        expected += table[i];
                        ++kept;
                    }
                if (kept > 0)
                    expected /= double(kept);
                const double diff =
                    (got[int64_t(r)][int64_t(c)] - expected).abs().max().item<double>();
                QVERIFY2(diff < 1e-6,
                         qPrintable(QString("row %1 col %2: %3").arg(r).arg(c).arg(diff)));
            }
    }

    void saveLoadRoundTrip() {
        const Split split = walks(60, 40, 0.9, 5);
        const TrainData data = TrainData::build(split, nullptr);
        for (const std::string profile : {"true", "false"}) {
            const auto m = fitTwoTower(data, {{"epochs", "2"},
                                              {"dim", "16"},
                                              {"embedding", "16"},
                                              {"heads", "2"},
                                              {"seq_len", "7"},
                                              {"user_tower", "attention"},
                                              {"profile", profile}});
            QTemporaryDir dir;
            const std::string path = dir.filePath("tt.bin").toStdString();
            QVERIFY(m->save(path).ok());
            TwoTowerModel loaded;
            const Status s = loaded.load(path);
            QVERIFY2(s.ok(), s ? "" : s.error().message.c_str());
            QCOMPARE(loaded.params().getString("user_tower"), std::string("attention"));
            QCOMPARE(loaded.params().getString("profile"), profile);
            for (int32_t u = 0; u < 60; u += 7) {
                QCOMPARE(loaded.userHistory(u), m->userHistory(u));
                QVERIFY(sameScores(userScores(loaded, u), userScores(*m, u)));
                const auto h = m->userHistory(u);
                QVERIFY(sameScores(historyScores(loaded, h), historyScores(*m, h)));
            }
        }
    }

    void badSettingsAreErrors() {
        const Split split = walks(20, 30, 0.9, 6);
        const TrainData data = TrainData::build(split, nullptr);
        TwoTowerModel m;
        QVERIFY(m.configure({{"user_tower", "attention"}, {"history", "false"}}).ok());
        const Status noHistory = m.fit(data, {});
        QVERIFY(!noHistory.ok());
        QVERIFY(noHistory.error().message.find("history") != std::string::npos);
        QVERIFY(
            m.configure({{"user_tower", "attention"}, {"embedding", "10"}, {"heads", "3"}}).ok());
        QVERIFY(!m.fit(data, {}).ok());
        QVERIFY(!m.configure({{"user_tower", "lstm"}}).ok());
        // One positive per user: no consecutive pair to learn from.
        Split single;
        single.threshold = 4.0;
        single.numUsers = 3;
        single.numItems = 5;
        for (int32_t u = 0; u < 3; ++u)
            single.train.append(u, u, 5, 1);
        const TrainData singleData = TrainData::build(single, nullptr);
        QVERIFY(m.configure({{"user_tower", "attention"}}).ok());
        const Status noPairs = m.fit(singleData, {});
        QVERIFY(!noPairs.ok());
        QVERIFY(noPairs.error().message.find("two training positives") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestAttentionTower)
#include "tst_attentiontower.moc"
