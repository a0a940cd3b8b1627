// SASRec: the network's shapes; its causal mask against a brute-force loop and a whole forward
// pass written out with plain loops; training on walks with a strong "i is followed by i + 1"
// signal beats popularity; a known user is scored from its fitted history only (hand-made
// sequences, ties as stored, max_len, the refit); fold-in of a user's own sequence equals
// scoreUsers(); save/load round trip; a file for another catalogue is refused; the fused
// catalogue cross-entropy against autograd.

// LibTorch before Qt: Qt's `slots` macro would break LibTorch headers that use the word.
#include "core/nn/CatalogueSoftmax.h"
#include "core/nn/FastDropout.h"
#include "core/nn/SasRecNet.h"
#include "core/nn/SasRecTraining.h"
#include "core/nn/TorchSupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "core/eval/Evaluator.h"
#include "core/models/Compute.h"
#include "core/models/ModelRegistry.h"
#include "core/models/TrainData.h"
#include "core/nn/SasRecModel.h"
#include "core/split/Split.h"
#include "support/SequenceData.h"

using namespace recscope;
using namespace recscope::testing;

namespace {

double recallAt10(const Recommender& m, const TrainData& data) {
    return testRecall(m, data, 10);
}

std::unique_ptr<SasRecModel> fitSasRec(const TrainData& data,
                                       std::map<std::string, std::string> params,
                                       FitContext context = {}) {
    return fitOrDie<SasRecModel>(data, params, context, 5);
}

// Training settings for the small walks: fast and converged enough.
std::map<std::string, std::string> walkParams() {
    return {{"epochs", "40"}, {"patience", "5"},  {"dim", "32"},       {"max_len", "10"},
            {"lr", "0.005"},  {"dropout", "0.1"}, {"batch_size", "64"}};
}

// One user's sequence, oldest first; liked: per item, rated >= the threshold (empty: all).
ItemSequences oneUser(const std::vector<int32_t>& seq, const std::vector<char>& liked = {}) {
    ItemSequences sequences;
    sequences.items = seq;
    sequences.positive = liked;
    sequences.offsets = {0, int64_t(seq.size())};
    return sequences;
}

// The net's logits (double, a row per position, a column per item) over one user's sequence
// without its last item: what each position's softmax sees. Call under NoGradGuard.
torch::Tensor positionLogits(SasRecNet& net, const std::vector<int32_t>& seq) {
    const auto x = torch::tensor(std::vector<int64_t>(seq.begin(), seq.end() - 1)).view({1, -1});
    return torch::matmul(net->forward(x)[0], net->itemTable().t()).to(torch::kDouble);
}

// A net in eval mode (dropout off), its weights drawn from `seed`.
SasRecNet seededNet(uint64_t seed, int32_t items, int maxLen, int dim, int blocks, int heads) {
    torch::manual_seed(seed);
    SasRecNetConfig c;
    c.numItems = items;
    c.maxLen = maxLen;
    c.dim = dim;
    c.blocks = blocks;
    c.heads = heads;
    c.dropout = 0.0;
    SasRecNet net(c);
    net->eval();
    return net;
}

torch::Tensor param(SasRecNet& net, const std::string& name) {
    return net->named_parameters()[name].detach().to(torch::kDouble);
}

// LayerNorm of one row (eps as LibTorch's default), in double.
std::vector<double> layerNorm(const std::vector<double>& x, const torch::Tensor& w,
                              const torch::Tensor& b) {
    double mean = 0, var = 0;
    for (double v : x)
        mean += v;
    mean /= double(x.size());
    for (double v : x)
        var += (v - mean) * (v - mean);
    var /= double(x.size());
    std::vector<double> out(x.size());
    for (size_t k = 0; k < x.size(); ++k)
        out[k] = (x[k] - mean) / std::sqrt(var + 1e-5) * w[int64_t(k)].item<double>() +
                 b[int64_t(k)].item<double>();
    return out;
}

// y = W x + b for an out x in Linear.
std::vector<double> linear(const std::vector<double>& x, const torch::Tensor& w,
                           const torch::Tensor& b) {
    std::vector<double> y(size_t(w.size(0)));
    for (int64_t o = 0; o < w.size(0); ++o) {
        double s = b[o].item<double>();
        for (int64_t k = 0; k < w.size(1); ++k)
            s += w[o][k].item<double>() * x[size_t(k)];
        y[size_t(o)] = s;
    }
    return y;
}

}  // namespace

class TestSasRec : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { setComputeThreads(1); }

    void netShapes() {
        SasRecNet net = seededNet(1, 30, 8, 12, 2, 3);
        const auto x = torch::randint(0, 31, {4, 6}, torch::kLong);
        QCOMPARE(net->forward(x).sizes().vec(), (std::vector<int64_t>{4, 6, 12}));
        QCOMPARE(net->last(x).sizes().vec(), (std::vector<int64_t>{4, 12}));
        QCOMPARE(net->itemTable().sizes().vec(), (std::vector<int64_t>{30, 12}));
        QCOMPARE(net->padding(), int64_t(30));
        // The padding row is zero and stays out of the item table.
        QCOMPARE(net->named_parameters()["item_emb.weight"][30].abs().sum().item<double>(), 0.0);
        // Longer than max_len is refused.
        QVERIFY_EXCEPTION_THROWN(net->forward(torch::zeros({1, 9}, torch::kLong)), c10::Error);
    }

    // The mask against its definition, entry by entry.
    void attentionMaskByLoop() {
        const auto valid = torch::tensor({0, 0, 1, 1, 0, 1, 1, 1, 1, 1}, torch::kBool).view({2, 5});
        const auto mask = SasRecNetImpl::attentionMask(valid);
        QCOMPARE(mask.sizes().vec(), (std::vector<int64_t>{2, 1, 5, 5}));
        for (int64_t b = 0; b < 2; ++b)
            for (int64_t t = 0; t < 5; ++t)
                for (int64_t s = 0; s < 5; ++s) {
                    const bool expected = s <= t && (valid[b][s].item<bool>() || s == t);
                    QCOMPARE(mask[b][0][t][s].item<bool>(), expected);
                }
    }

    // Changing the items after position t never changes the hidden state at t; padding on the
    // left (a wider batch) never changes a real position's state.
    void causalAndPaddingInvariance() {
        SasRecNet net = seededNet(2, 50, 10, 16, 2, 2);
        torch::NoGradGuard noGrad;
        const auto x = torch::randint(0, 50, {1, 7}, torch::kLong);
        const auto h = net->forward(x);
        for (int64_t t = 0; t < 7; ++t) {
            auto changed = x.clone();
            for (int64_t s = t + 1; s < 7; ++s)
                changed[0][s] = (x[0][s].item<int64_t>() + 17 + s) % 50;
            const auto g = net->forward(changed);
            QVERIFY(torch::equal(h.select(1, t), g.select(1, t)) ||
                    (h.select(1, t) - g.select(1, t)).abs().max().item<double>() < 1e-6);
            if (t < 6)  // and a change at t + 1 does change the last state
                QVERIFY((h.select(1, 6) - g.select(1, 6)).abs().max().item<double>() > 1e-4);
        }
        // The same 7 items right-aligned in a batch of width 10 next to a full row.
        auto wide = torch::full({2, 10}, 50, torch::kLong);
        wide[0].narrow(0, 3, 7).copy_(x[0]);
        wide[1].copy_(torch::randint(0, 50, {10}, torch::kLong));
        const auto w = net->forward(wide);
        QVERIFY((w[0].narrow(0, 3, 7) - h[0]).abs().max().item<double>() < 1e-5);
    }

    // One block, one head, on a padded row of four: the whole forward pass by hand in double.
    void handComputedForward() {
        SasRecNet net = seededNet(3, 6, 5, 4, 1, 1);
        const SasRecNetConfig c = net->config();
        {
            torch::NoGradGuard noGrad;
            for (auto& p : net->named_parameters())
                if (p.key() != "item_emb.weight")
                    p.value().normal_(0.0, 0.5);
            net->named_parameters()["item_emb.weight"].narrow(0, 0, 6).normal_(0.0, 0.5);
        }
        const std::vector<int64_t> row{6, 2, 0, 5};  // padding first
        const auto got = net->forward(torch::tensor(row, torch::kLong).view({1, 4}))[0].detach();

        const int d = 4, l = 4;
        const auto emb = param(net, "item_emb.weight");
        const auto pos = param(net, "pos_emb.weight");
        std::vector<std::vector<double>> x(l, std::vector<double>(d));
        for (int j = 0; j < l; ++j)
            for (int k = 0; k < d; ++k)
                x[j][k] = emb[row[j]][k].item<double>() * std::sqrt(double(d)) +
                          pos[c.maxLen - l + j][k].item<double>();
        const std::string b = "blocks.0.";
        std::vector<std::vector<double>> q(l), key(l), v(l);
        for (int j = 0; j < l; ++j) {
            const auto a =
                layerNorm(x[j], param(net, b + "ln1.weight"), param(net, b + "ln1.bias"));
            q[j] = linear(a, param(net, b + "query.weight"), param(net, b + "query.bias"));
            key[j] = linear(a, param(net, b + "key.weight"), param(net, b + "key.bias"));
            v[j] = linear(a, param(net, b + "value.weight"), param(net, b + "value.bias"));
        }
        for (int t = 1; t < l; ++t) {  // the real positions
            std::vector<double> weights;
            double total = 0;
            for (int s = 1; s <= t; ++s) {  // causal, and never the padded key 0
                double dot = 0;
                for (int k = 0; k < d; ++k)
                    dot += q[t][k] * key[s][k];
                weights.push_back(std::exp(dot / std::sqrt(double(d))));
                total += weights.back();
            }
            std::vector<double> context(d, 0.0);
            for (int s = 1; s <= t; ++s)
                for (int k = 0; k < d; ++k)
                    context[k] += weights[size_t(s - 1)] / total * v[s][k];
            auto h = linear(context, param(net, b + "out.weight"), param(net, b + "out.bias"));
            for (int k = 0; k < d; ++k)
                h[k] += x[t][k];
            auto f = linear(layerNorm(h, param(net, b + "ln2.weight"), param(net, b + "ln2.bias")),
                            param(net, b + "ffn1.weight"), param(net, b + "ffn1.bias"));
            for (double& z : f)
                z = std::max(z, 0.0);
            f = linear(f, param(net, b + "ffn2.weight"), param(net, b + "ffn2.bias"));
            for (int k = 0; k < d; ++k)
                h[k] += f[k];
            const auto out =
                layerNorm(h, param(net, "final_ln.weight"), param(net, "final_ln.bias"));
            for (int k = 0; k < d; ++k)
                QVERIFY2(std::fabs(out[k] - got[t][k].item<double>()) < 1e-5,
                         qPrintable(QString("position %1 dim %2: %3 vs %4")
                                        .arg(t)
                                        .arg(k)
                                        .arg(out[k])
                                        .arg(got[t][k].item<double>())));
        }
    }

    // A strong sequential signal: SASRec must find it, popularity cannot. Both objectives.
    void learnsTheSequentialSignal_data() {
        QTest::addColumn<QString>("loss");
        QTest::newRow("full") << QString("full");
        QTest::newRow("sampled") << QString("sampled");
    }
    void learnsTheSequentialSignal() {
        QFETCH(QString, loss);
        const Split split = walks(400, 100, 0.9, 11);
        const TrainData data = TrainData::build(split, nullptr);
        auto params = walkParams();
        params["loss"] = loss.toStdString();
        params["negatives"] = "20";
        // The test item follows the validation item: the refit (the fit rule's "auto") puts
        // that one into the history.
        FitContext context;
        context.refitOnValidation = true;
        const auto sasrec = fitSasRec(data, params, context);
        auto pop = createModel("pop");
        QVERIFY(pop->fit(data, {}).ok());
        const double ours = recallAt10(*sasrec, data);
        const double popularity = recallAt10(*pop, data);
        qInfo("recall@10 sasrec %.3f pop %.3f epochs %d", ours, popularity,
              sasrec->trainedEpochs());
        QVERIFY2(ours >= 0.6 && ours >= popularity + 0.4,
                 qPrintable(QString("sasrec %1, pop %2").arg(ours).arg(popularity)));
    }

    // The multi-step objective written out: with horizon 3, a batch's loss is the mean over
    // every (position, h <= 3) pair inside the sequence of the full-softmax cross-entropy of
    // the item h steps ahead; horizon 1 is the next item alone.
    // With targets=positives, items rated below the threshold stay in the input but are no
    // target. With mask_seen, the items at or before a position leave its softmax, except
    // that position's own targets (the sequence rates item 4 twice, so one target is an item
    // seen before).
    void horizonLossByHand_data() {
        QTest::addColumn<int>("horizon");
        QTest::addColumn<bool>("positiveTargets");
        QTest::addColumn<bool>("maskSeen");
        QTest::addColumn<int>("expectedTerms");
        QTest::newRow("1") << 1 << false << false << 5;
        QTest::newRow("3") << 3 << false << false << 5 + 4 + 3;
        QTest::newRow("1 positives") << 1 << true << false << 3;
        QTest::newRow("3 positives") << 3 << true << false << 3 + 3 + 2;
        QTest::newRow("1 mask_seen") << 1 << false << true << 5;
        QTest::newRow("3 mask_seen") << 3 << false << true << 5 + 4 + 3;
        QTest::newRow("3 positives mask_seen") << 3 << true << true << 3 + 3 + 2;
    }
    void horizonLossByHand() {
        QFETCH(int, horizon);
        QFETCH(bool, positiveTargets);
        QFETCH(bool, maskSeen);
        QFETCH(int, expectedTerms);
        const std::vector<int32_t> seq{4, 9, 2, 7, 4, 5};
        const std::vector<char> liked{1, 0, 1, 1, 0, 1};
        const ItemSequences sequences = oneUser(seq, liked);
        SasRecModel model;
        QVERIFY(model
                    .configure({{"horizon", std::to_string(horizon)},
                                {"targets", positiveTargets ? "positives" : "all"},
                                {"mask_seen", maskSeen ? "true" : "false"}})
                    .ok());
        auto net = seededNet(31, 12, 10, 8, 1, 1);
        // Expected, from the untrained weights (trainBatch returns the loss before its step).
        double sum = 0;
        int64_t terms = 0;
        {
            torch::NoGradGuard noGrad;
            const auto logits = positionLogits(net, seq);
            for (int64_t j = 0; j + 1 < int64_t(seq.size()); ++j)
                for (int h = 1; h <= horizon && j + h < int64_t(seq.size()); ++h) {
                    if (positiveTargets && !liked[size_t(j + h)])
                        continue;
                    std::set<int32_t> masked;
                    if (maskSeen) {
                        masked.insert(seq.begin(), seq.begin() + j + 1);
                        for (int k = 1; k <= horizon && j + k < int64_t(seq.size()); ++k)
                            masked.erase(seq[size_t(j + k)]);
                    }
                    double norm = 0;
                    for (int64_t i = 0; i < 12; ++i)
                        if (!masked.count(int32_t(i)))
                            norm += std::exp(logits[j][i].item<double>());
                    sum += std::log(norm) - logits[j][seq[size_t(j + h)]].item<double>();
                    ++terms;
                }
        }
        QCOMPARE(terms, int64_t(expectedTerms));
        SasRecTraining training(net, sequences, model.params(), SasRecLoss::Full, torch::kCPU, 1,
                                {});
        training.beginEpoch(1);
        net->eval();  // dropout is 0 anyway; eval keeps the forward identical
        const double loss = training.trainBatch(0);
        QVERIFY2(std::fabs(loss - sum / double(terms)) < 1e-5,
                 qPrintable(QString("%1 vs %2").arg(loss).arg(sum / double(terms))));
    }

    // The sampled softmax written out for horizon 1: negatives drawn by target frequency (the
    // same draw, from the same torch seed), logQ-corrected, a drawn copy of the target left
    // out, and with mask_seen every drawn item the user rated at or before the position.
    void sampledLossByHand_data() {
        QTest::addColumn<bool>("maskSeen");
        QTest::newRow("plain") << false;
        QTest::newRow("mask_seen") << true;
    }
    void sampledLossByHand() {
        QFETCH(bool, maskSeen);
        const std::vector<int32_t> seq{4, 9, 2, 7, 4, 5};
        const ItemSequences sequences = oneUser(seq);
        SasRecModel model;
        QVERIFY(
            model.configure({{"negatives", "6"}, {"mask_seen", maskSeen ? "true" : "false"}}).ok());
        auto net = seededNet(32, 12, 10, 8, 1, 1);
        // Targets are seq[1..5]: item 4 once, 9, 2, 7, 5 once each; total 5.
        std::vector<float> counts(12, 0.0f);
        for (size_t k = 1; k < seq.size(); ++k)
            counts[size_t(seq[k])] += 1.0f;
        torch::manual_seed(77);
        const auto negatives = torch::multinomial(torch::tensor(counts), 6, true);
        double sum = 0;
        int masked = 0;
        {
            torch::NoGradGuard noGrad;
            const auto logits = positionLogits(net, seq);
            auto logQ = [&](int64_t i) {
                return std::log(std::max(counts[size_t(i)], 1.0f) / 5.0);
            };
            for (int64_t j = 0; j + 1 < int64_t(seq.size()); ++j) {
                const int64_t t = seq[size_t(j + 1)];
                const double positive = logits[j][t].item<double>() - logQ(t);
                std::vector<double> terms{positive};
                for (int64_t k = 0; k < 6; ++k) {
                    const int64_t n = negatives[k].item<int64_t>();
                    const bool seen =
                        std::find(seq.begin(), seq.begin() + j + 1, n) != seq.begin() + j + 1;
                    if (n == t)
                        continue;
                    if (maskSeen && seen) {
                        ++masked;
                        continue;
                    }
                    terms.push_back(logits[j][n].item<double>() - logQ(n));
                }
                const double top = *std::max_element(terms.begin(), terms.end());
                double norm = 0;
                for (double v : terms)
                    norm += std::exp(v - top);
                sum += top + std::log(norm) - positive;
            }
        }
        if (maskSeen)
            QVERIFY(masked > 0);  // the draw must exercise the mask
        SasRecTraining training(net, sequences, model.params(), SasRecLoss::Sampled, torch::kCPU, 1,
                                {});
        training.beginEpoch(1);
        net->eval();
        torch::manual_seed(77);
        const double loss = training.trainBatch(0);
        QVERIFY2(std::fabs(loss - sum / 5.0) < 1e-5,
                 qPrintable(QString("%1 vs %2").arg(loss).arg(sum / 5.0)));
    }

    // Fold-in of a trained user's own fitted sequence is scoreUsers(); so is the user's whole
    // training history when it is longer than max_len (only the last max_len items count).
    void foldInEqualsScoringOwnHistory() {
        const Split split = walks(120, 60, 0.9, 12);
        const TrainData data = TrainData::build(split, nullptr);
        auto params = walkParams();
        params["epochs"] = "3";
        const auto m = fitSasRec(data, params);
        int longer = 0;
        for (int32_t u = 0; u < 40; ++u) {
            std::vector<int32_t> history;
            for (size_t r = 0; r < split.train.size(); ++r)
                if (split.train.users[r] == u)
                    history.push_back(split.train.items[r]);
            const auto sequence = m->userSequence(u);
            QCOMPARE(int(sequence.size()), std::min(10, int(history.size())));
            QVERIFY(std::equal(sequence.begin(), sequence.end(), history.end() - sequence.size()));
            const auto expected = userScores(*m, u);
            QVERIFY(sameScores(historyScores(*m, sequence), expected));
            QVERIFY(sameScores(historyScores(*m, history), expected));
            longer += history.size() > sequence.size();
        }
        QVERIFY(longer > 10);
    }

    // Hand-made histories: a known user is scored from its training items in time order (ties
    // in the order stored, as the split breaks them), the last max_len of them, never from the
    // validation or test items, unless the fit rule gave it the validation part (merged, or the
    // refit).
    void knownUserIgnoresLaterItems() {
        Split s;
        s.threshold = 4.0;
        s.numUsers = 6;
        s.numItems = 12;
        // User 0: 5 at t=10, then 9 and 3 both at t=20 (stored 9 first), 1 at t=30; 7 then 8.
        s.train.append(0, 5, 5, 10);
        s.train.append(0, 9, 5, 20);
        s.train.append(0, 3, 5, 20);
        s.train.append(0, 1, 2, 30);  // below the threshold: still an interaction by default
        s.validation.append(0, 7, 5, 40);
        s.test.append(0, 8, 5, 50);
        std::mt19937_64 rng(4);
        appendCyclicUsers(s, 1, 6, 9);
        const TrainData data = TrainData::build(s, nullptr);
        const std::map<std::string, std::string> base{
            {"epochs", "3"}, {"patience", "0"}, {"dim", "8"}, {"refit", "false"}};
        const auto m = fitSasRec(data, base);
        QCOMPARE(m->userSequence(0), (std::vector<int32_t>{5, 9, 3, 1}));
        const auto scores = userScores(*m, 0);
        QVERIFY(sameScores(historyScores(*m, {5, 9, 3, 1}), scores));
        // The later items would change the scores, and so would another order.
        QVERIFY(maxDifference(historyScores(*m, {5, 9, 3, 1, 7, 8}), scores) > 1e-4);
        QVERIFY(maxDifference(historyScores(*m, {9, 3, 5, 1}), scores) > 1e-4);

        auto positives = base;
        positives["sequence"] = "positives";
        QCOMPARE(fitSasRec(data, positives)->userSequence(0), (std::vector<int32_t>{5, 9, 3}));

        auto short3 = base;
        short3["max_len"] = "3";
        const auto m3 = fitSasRec(data, short3);
        QCOMPARE(m3->userSequence(0), (std::vector<int32_t>{9, 3, 1}));
        QVERIFY(sameScores(historyScores(*m3, {5, 9, 3, 1}), userScores(*m3, 0)));

        // Fitted on train + validation: the validation item joins the history, the test item
        // never does. Merged by the fit rule ...
        const Split merged = withValidationInTrain(s);
        const TrainData mergedData = TrainData::build(merged, nullptr);
        QCOMPARE(fitSasRec(mergedData, base)->userSequence(0),
                 (std::vector<int32_t>{5, 9, 3, 1, 7}));
        // ... or by the refit after early stopping, which says so in the record.
        auto refit = base;
        refit["refit"] = "true";
        refit["refit_by"] = "retraining";
        FitRecord record;
        FitContext context;
        context.refitOnValidation = true;
        context.record = &record;
        const auto r = fitSasRec(data, refit, context);
        QVERIFY(record.trainAndValidation);
        QCOMPARE(record.ratings, int64_t(merged.train.size()));
        QCOMPARE(r->userSequence(0), (std::vector<int32_t>{5, 9, 3, 1, 7}));

        // refit_by=history: the early-stopped network itself (the same weights as refit=false),
        // now reading train + validation; recorded the same way.
        auto byHistory = refit;
        byHistory["refit_by"] = "history";
        FitRecord historyRecord;
        context.record = &historyRecord;
        const auto h = fitSasRec(data, byHistory, context);
        QVERIFY(historyRecord.trainAndValidation);
        QCOMPARE(historyRecord.ratings, int64_t(merged.train.size()));
        QCOMPARE(h->userSequence(0), (std::vector<int32_t>{5, 9, 3, 1, 7}));
        QVERIFY(sameScores(historyScores(*h, {5, 9, 3, 1, 7}), userScores(*h, 0)));
        QVERIFY(sameScores(historyScores(*h, {5, 9, 3, 1, 7}), historyScores(*m, {5, 9, 3, 1, 7})));
        QVERIFY(maxDifference(historyScores(*r, {5, 9, 3, 1, 7}), userScores(*h, 0)) > 1e-4);
    }

    void saveLoadRoundTrip() {
        const Split split = walks(80, 40, 0.8, 13);
        const TrainData data = TrainData::build(split, nullptr);
        auto params = walkParams();
        params["epochs"] = "2";
        params["heads"] = "2";
        const auto m = fitSasRec(data, params);
        QTemporaryDir dir;
        const std::string path = dir.filePath("sasrec.model").toStdString();
        QVERIFY(m->save(path).ok());
        auto loaded = createModel("sasrec");
        const Status st = loaded->load(path);
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());
        QCOMPARE(loaded->params().values(), m->params().values());
        QCOMPARE(loaded->numItems(), 40);
        std::vector<int32_t> users(size_t(data.numUsers));
        std::iota(users.begin(), users.end(), 0);
        std::vector<float> a(users.size() * 40), b(users.size() * 40);
        m->scoreUsers(users.data(), int64_t(users.size()), a.data());
        loaded->scoreUsers(users.data(), int64_t(users.size()), b.data());
        QCOMPARE(a, b);
        QCOMPARE(historyScores(*loaded, {3, 4, 5}), historyScores(*m, {3, 4, 5}));
        QCOMPARE(loaded->itemEmbeddings().values, m->itemEmbeddings().values);
        QCOMPARE(static_cast<SasRecModel&>(*loaded).userSequence(7), m->userSequence(7));
    }

    // A model for another catalogue: a file whose weights do not match its catalogue size is
    // refused by load(), and a loaded model is refused by the evaluator of a split with
    // another number of items.
    void anotherCatalogueIsRefused() {
        const Split split = walks(60, 40, 0.8, 14);
        const TrainData data = TrainData::build(split, nullptr);
        auto params = walkParams();
        params["epochs"] = "1";
        const auto m = fitSasRec(data, params);
        QTemporaryDir dir;
        const std::string path = dir.filePath("sasrec.model").toStdString();
        QVERIFY(m->save(path).ok());

        auto archive = loadModelArchive(path, "sasrec", {"shape"});
        QVERIFY(archive.ok());
        auto tensors = archive->tensors;
        tensors["shape"] = tensors["shape"].clone();
        tensors["shape"][1].fill_(45);
        tensors["popularity"] = torch::zeros({45});
        const std::string other = dir.filePath("other.model").toStdString();
        QVERIFY(saveModelArchive(other, "sasrec", m->params(), tensors).ok());
        SasRecModel fresh;
        QVERIFY(fresh.configure({}).ok());
        const Status refused = fresh.load(other);
        QVERIFY(!refused.ok());
        QVERIFY2(QString::fromStdString(refused.error().message).contains("another catalogue"),
                 refused.error().message.c_str());
        QCOMPARE(fresh.numItems(), 0);  // nothing half-loaded

        const Split bigger = walks(60, 45, 0.8, 14);
        const TrainData biggerData = TrainData::build(bigger, nullptr);
        EvalConfig config;
        config.ks = {10};
        QVERIFY(!evaluate(*m, biggerData, EvalPart::Test, config).ok());
    }

    // The network's dropout: every element kept (times 1 / (1 - p)) or zeroed, kept with
    // probability 1 - p, the two halves of one 64-bit draw independent, the same mask for the
    // same torch seed whatever the thread count, a new one on the next call, the gradient the
    // mask itself, and nothing dropped outside training. 1,001,001 elements: the odd count
    // leaves the last draw half used.
    void fastDropoutMask() {
        const double p = 0.3;
        const auto keep = static_cast<float>(1.0 / (1.0 - p));
        // The mask drawn with `threads`, and whether the gradient of its sum is the mask.
        auto maskFor = [&](int threads) {
            setComputeThreads(threads);
            torch::manual_seed(7);
            auto x = torch::ones({1001, 1001}, torch::requires_grad());
            auto y = fastDropout(x, p, true);
            y.sum().backward();
            return std::make_pair(y.detach(), torch::equal(x.grad(), y.detach()));
        };
        const auto [y, gradientIsMask] = maskFor(1);
        QVERIFY(gradientIsMask);
        const auto [y2, gradientIsMask2] = maskFor(2);
        setComputeThreads(1);
        QVERIFY(gradientIsMask2);
        QVERIFY(torch::equal(y2, y));
        const auto kept = y.gt(0).flatten();
        QCOMPARE(y.eq(keep).logical_or(y.eq(0)).all().item<bool>(), true);
        const double n = double(kept.numel());
        const double fraction = kept.sum().item<double>() / n;
        QVERIFY2(std::fabs(fraction - (1 - p)) < 4 * std::sqrt(p * (1 - p) / n),
                 qPrintable(QString::number(fraction)));
        // Pairs from one draw (2k, 2k + 1) and across draws (2k + 1, 2k + 2).
        const auto even = kept.slice(0, 0, -1, 2).to(torch::kDouble);
        const auto odd = kept.slice(0, 1, kept.numel(), 2).to(torch::kDouble);
        const auto next = kept.slice(0, 2, kept.numel(), 2).to(torch::kDouble);
        const double pairs = double(odd.numel());
        const double tolerance = 4 * std::sqrt(0.49 * 0.51 / pairs);
        const double within = (even.narrow(0, 0, odd.numel()) * odd).mean().item<double>();
        const double across = (odd.narrow(0, 0, next.numel()) * next).mean().item<double>();
        QVERIFY2(std::fabs(within - 0.49) < tolerance, qPrintable(QString::number(within)));
        QVERIFY2(std::fabs(across - 0.49) < tolerance, qPrintable(QString::number(across)));
        torch::manual_seed(7);
        const auto first = fastDropout(torch::ones({1000}), p, true);
        const auto second = fastDropout(torch::ones({1000}), p, true);
        QVERIFY(!torch::equal(first, second));
        const auto x = torch::randn({50});
        QVERIFY(torch::equal(fastDropout(x, p, false), x));
        QVERIFY(torch::equal(fastDropout(x, 0.0, true), x));
    }

    // The fused catalogue cross-entropy against LibTorch's own log_softmax + gather + sum,
    // differentiated by autograd, in double: loss and both gradients, with and without the
    // mask, horizon 3 with missing targets and one item twice ahead of a position, and an
    // outer scale on the loss (the gradient's scalar is not 1). Then its backward refuses to
    // run twice.
    void catalogueCrossEntropyAgainstAutograd_data() {
        QTest::addColumn<bool>("masked");
        QTest::addColumn<double>("spread");
        QTest::newRow("plain") << false << 1.0;
        QTest::newRow("mask") << true << 1.0;
        // Logits hundreds apart: some targets' probabilities underflow to 0.
        QTest::newRow("underflow") << true << 400.0;
    }
    void catalogueCrossEntropyAgainstAutograd() {
        QFETCH(bool, masked);
        QFETCH(double, spread);
        torch::manual_seed(11);
        const int64_t p = 7, n = 13, d = 5, horizon = 3;
        const auto opts = torch::TensorOptions().dtype(torch::kDouble);
        const auto hidden0 = torch::randn({p, d}, opts) * spread;
        const auto table0 = torch::randn({n, d}, opts);
        auto targets = torch::randint(n, {p, horizon}, torch::kLong);
        auto real = torch::rand({p, horizon}).lt(0.7);
        real.select(1, 0).fill_(true);                  // every row has a target
        targets[2][1] = targets[2][2].item<int64_t>();  // one item twice ahead of position 2
        real[2][1] = true;
        real[2][2] = true;
        torch::Tensor excluded;
        if (masked) {
            excluded = torch::rand({p, n}).lt(0.4);
            for (int64_t r = 0; r < p; ++r)
                for (int64_t h = 0; h < horizon; ++h)
                    if (real[r][h].item<bool>())
                        excluded[r][targets[r][h].item<int64_t>()] = false;
            QVERIFY(excluded.any().item<bool>());
        }
        const double scale = 0.37;
        auto hiddenA = hidden0.clone().requires_grad_();
        auto tableA = table0.clone().requires_grad_();
        auto logits = torch::matmul(hiddenA, tableA.t());
        if (masked)
            logits = logits.masked_fill(excluded, -std::numeric_limits<double>::infinity());
        const auto picked =
            torch::log_softmax(logits, 1).gather(1, targets).masked_fill(real.logical_not(), 0.0);
        const auto reference = -picked.sum() * scale;
        reference.backward();
        if (spread > 1.0)  // the case must exercise the exact path
            QVERIFY(torch::softmax(logits, 1)
                        .gather(1, targets)
                        .masked_fill(real.logical_not(), 1.0)
                        .eq(0.0)
                        .any()
                        .item<bool>());
        auto hiddenB = hidden0.clone().requires_grad_();
        auto tableB = table0.clone().requires_grad_();
        // Cells that do not count may hold any item, even one out of range for gather.
        const auto junk = targets.masked_fill(real.logical_not(), n + 5);
        const auto fused = catalogueCrossEntropy(hiddenB, tableB, junk, real, excluded) * scale;
        fused.backward({}, /*retain_graph=*/true);
        QVERIFY(std::isfinite(reference.item<double>()));
        QVERIFY2(std::fabs(fused.item<double>() - reference.item<double>()) <
                     1e-12 * std::max(1.0, std::fabs(reference.item<double>())),
                 qPrintable(QString("%1 vs %2")
                                .arg(fused.item<double>(), 0, 'g', 17)
                                .arg(reference.item<double>(), 0, 'g', 17)));
        QVERIFY(torch::allclose(hiddenB.grad(), hiddenA.grad(), 1e-10, 1e-12));
        QVERIFY(torch::allclose(tableB.grad(), tableA.grad(), 1e-10, 1e-12));
        QVERIFY(hiddenA.grad().abs().sum().item<double>() > 0.1);
        bool refused = false;
        try {
            fused.backward();
        } catch (const c10::Error&) {
            refused = true;
        }
        QVERIFY(refused);
    }

    void errorsAreValues() {
        const Split split = walks(30, 20, 0.8, 15);
        const TrainData data = TrainData::build(split, nullptr);
        SasRecModel m;
        QVERIFY(m.configure({{"dim", "10"}, {"heads", "3"}}).ok());
        const Status bad = m.fit(data, {});
        QVERIFY(!bad.ok());
        QVERIFY(QString::fromStdString(bad.error().message).contains("multiple of heads"));
        if (!torch::cuda::is_available()) {
            FitContext cuda;
            cuda.device = "cuda";
            QVERIFY(!m.fit(data, cuda).ok());
        }
        std::vector<float> out(20);
        const Status notTrained = SasRecModel().scoreHistory({{1, 5.0f, true}}, out.data());
        QVERIFY(!notTrained.ok());
    }
};

QTEST_GUILESS_MAIN(TestSasRec)
#include "tst_sasrec.moc"
