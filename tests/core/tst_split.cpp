// Splits as protocols.md defines them: exact parts on a hand-made example, structural
// properties on generated data, ratio determinism, configuration errors.

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "core/data/DatasetBuilder.h"
#include "core/data/SyntheticGenerator.h"
#include "core/split/Split.h"

using namespace recscope;

namespace {

struct Row {
    int64_t user, item;
    int stars;
    int64_t ts;
};

// Users 10, 20, 30 -> dense 0, 1, 2; items 101..112 -> dense 0..11. File order is not time
// order, and user 10 has two ratings at t=300 (item 105 first in the file).
const std::vector<Row> kRows = {
    {10, 101, 5, 100},  {20, 101, 4, 10},  {10, 102, 3, 50},   {10, 103, 4, 200},
    {30, 110, 3, 1000}, {10, 104, 2, 150}, {20, 103, 2, 5},    {30, 111, 4, 1001},
    {10, 105, 5, 300},  {10, 106, 1, 250}, {30, 101, 5, 1002}, {10, 107, 4, 300},
    {30, 102, 1, 1003}, {20, 109, 5, 20},  {10, 108, 3, 400},  {30, 112, 2, 1004}};

Dataset handMade(const std::vector<Row>& rows = kRows) {
    RawRatings raw;
    for (const Row& r : rows)
        raw.append(r.user, r.item, static_cast<uint8_t>(2 * r.stars), r.ts);
    DatasetBuilder b;
    b.setRatings(std::move(raw));
    return b.build(DatasetFormat::Synthetic, "hand-made", RatingScale{});
}

// (user, item) as original ids, in part order.
using Pairs = std::vector<std::pair<int64_t, int64_t>>;
Pairs pairs(const Dataset& d, const Interactions& part) {
    Pairs out;
    for (size_t i = 0; i < part.size(); ++i)
        out.emplace_back(d.originalUserId(part.users[i]), d.originalItemId(part.items[i]));
    return out;
}

Split splitOk(const Dataset& d, const SplitConfig& c) {
    Result<Split> r = makeSplit(d, c);
    if (!r)
        qFatal("makeSplit failed: %s", r.error().toString().c_str());
    return std::move(r).value();
}

// Every rating lands in exactly one part, with its rating and timestamp; parts are grouped by
// user ascending and in time order within a user.
void checkPartition(const Dataset& d, const Split& s) {
    using Key = std::tuple<int32_t, int32_t, int, int64_t>;
    std::vector<Key> all, parts;
    for (int32_t u = 0; u < d.numUsers(); ++u)
        for (int64_t r = d.userOffsets()[size_t(u)]; r < d.userOffsets()[size_t(u) + 1]; ++r)
            all.emplace_back(u, d.items()[size_t(r)], int(2 * d.rating(r)),
                             d.timestamps()[size_t(r)]);
    for (const Interactions* p : {&s.train, &s.validation, &s.test}) {
        QCOMPARE(p->items.size(), p->size());
        QCOMPARE(p->ratings.size(), p->size());
        QCOMPARE(p->timestamps.size(), p->size());
        for (size_t i = 0; i < p->size(); ++i) {
            parts.emplace_back(p->users[i], p->items[i], int(2 * p->ratings[i]), p->timestamps[i]);
            if (i > 0) {
                QVERIFY(p->users[i - 1] <= p->users[i]);
                if (p->users[i - 1] == p->users[i])
                    QVERIFY(p->timestamps[i - 1] <= p->timestamps[i]);
            }
        }
    }
    std::sort(all.begin(), all.end());
    std::sort(parts.begin(), parts.end());
    QCOMPARE(parts.size(), all.size());
    QVERIFY(parts == all);
    // No (user, item) pair in two parts (the generator makes pairs distinct).
    QVERIFY(std::adjacent_find(parts.begin(), parts.end(), [](const Key& a, const Key& b) {
                return std::get<0>(a) == std::get<0>(b) && std::get<1>(a) == std::get<1>(b);
            }) == parts.end());
}

}  // namespace

class TestSplit : public QObject {
    Q_OBJECT

private slots:
    void names() {
        for (Protocol p : {Protocol::Temporal, Protocol::Loo, Protocol::Ratio})
            QCOMPARE(parseProtocol(protocolName(p)), std::optional<Protocol>(p));
        QCOMPARE(protocolName(Protocol::Loo), std::string("loo"));
        QVERIFY(!parseProtocol("strongish").has_value());
    }

    void defaults() {
        const SplitConfig t = defaultSplitConfig(Protocol::Temporal);
        QCOMPARE(t.nTest, 5);
        QCOMPARE(t.nVal, 1);
        QCOMPARE(t.minTrain, 5);
        QCOMPARE(t.threshold, 4.0);
        const SplitConfig l = defaultSplitConfig(Protocol::Loo);
        QCOMPARE(l.protocol, Protocol::Loo);
        QCOMPARE(l.threshold, 0.0);
        QCOMPARE(l.minTrain, 1);
        const SplitConfig r = defaultSplitConfig(Protocol::Ratio);
        QCOMPARE(r.testFraction, 0.2);
        QCOMPARE(r.valFraction, 0.0);
        QCOMPARE(r.seed, uint64_t(42));
    }

    void newNamesAndDefaults() {
        QCOMPARE(parseProtocol("strong"), std::optional<Protocol>(Protocol::Strong));
        QCOMPARE(parseExcludeRule("rated"), std::optional<ExcludeRule>(ExcludeRule::Rated));
        QCOMPARE(excludeRuleName(ExcludeRule::Positives), std::string("positives"));
        QVERIFY(!parseExcludeRule("seen").has_value());
        QCOMPARE(parseStratify("item"), std::optional<Stratify>(Stratify::Item));
        QVERIFY(!parseStratify("both").has_value());
        for (Protocol p : {Protocol::Temporal, Protocol::Loo, Protocol::Ratio, Protocol::Strong})
            QCOMPARE(defaultSplitConfig(p).exclude, ExcludeRule::Positives);
        const SplitConfig s = defaultSplitConfig(Protocol::Strong);
        QCOMPARE(s.minRating, 4.0);
        QCOMPARE(s.minTrain, 5);
        QCOMPARE(s.testFraction, 0.2);
        QCOMPARE(s.heldoutUsers, -1);
    }

    // --min-rating drops rows before the protocol: user 10 keeps 102 101 103 105 107 108,
    // user 20 keeps 101 109 (too short for loo: all train), user 30 keeps 110 111 101.
    void minRatingBeforeLoo() {
        const Dataset d = handMade();
        SplitConfig c = defaultSplitConfig(Protocol::Loo);
        c.minRating = 3.0;
        const Split s = splitOk(d, c);
        QCOMPARE(pairs(d, s.test), (Pairs{{10, 108}, {30, 101}}));
        QCOMPARE(pairs(d, s.validation), (Pairs{{10, 107}, {30, 111}}));
        QCOMPARE(
            pairs(d, s.train),
            (Pairs{{10, 102}, {10, 101}, {10, 103}, {10, 105}, {20, 101}, {20, 109}, {30, 110}}));
    }

    // --kcore: items 101 (3 users), 102 and 103 (2 each) survive a 2-core, and then every user
    // still has 2; a 3-core keeps only item 101, which leaves every user with one rating, so
    // the repeated filter empties the data.
    void kcoreRepeatsUntilStable() {
        const Dataset d = handMade();
        SplitConfig c = defaultSplitConfig(Protocol::Ratio);
        c.testFraction = 0.0;
        c.kcore = 2;
        const Split s = splitOk(d, c);
        QCOMPARE(
            pairs(d, s.train),
            (Pairs{{10, 102}, {10, 101}, {10, 103}, {20, 103}, {20, 101}, {30, 101}, {30, 102}}));
        c.kcore = 3;
        const Split empty = splitOk(d, c);
        QVERIFY(empty.train.empty() && empty.test.empty());
    }

    // --stratify item: round(n * 0.5) of each item's ratings to test, keeping one in training:
    // 101 (3 ratings) -> 2, 102 and 103 (2 each) -> 1, the single-rating items -> 0.
    void ratioStratifiedByItem() {
        const Dataset d = handMade();
        SplitConfig c = defaultSplitConfig(Protocol::Ratio);
        c.testFraction = 0.5;
        c.stratify = Stratify::Item;
        const Split s = splitOk(d, c);
        checkPartition(d, s);
        std::map<int64_t, int> perItem;
        for (const auto& p : pairs(d, s.test))
            ++perItem[p.second];
        QCOMPARE(perItem, (std::map<int64_t, int>{{101, 2}, {102, 1}, {103, 1}}));
        QCOMPARE(pairs(d, splitOk(d, c).test), pairs(d, s.test));  // seeded
        SyntheticConfig g;
        g.users = 100;
        g.items = 60;
        g.ratings = 3000;
        const Dataset big = std::move(generateSynthetic(g)).value();
        const Split a = splitOk(big, c);
        checkPartition(big, a);
        c.seed = 43;
        QVERIFY(pairs(big, splitOk(big, c).test) != pairs(big, a.test));
    }

    // Strong generalisation on generated data: ratings >= 4 only, users with >= 5 of them,
    // the asked number of held-out users, each with floor(0.2 n) (at least 1) target rows and
    // the rest fold-in, no training row of theirs, no held-out row of an item nobody trains.
    void strongHeldOutUsers() {
        SyntheticConfig g;
        g.users = 200;
        g.items = 150;
        g.ratings = 9000;
        const Dataset d = std::move(generateSynthetic(g)).value();
        SplitConfig c = defaultSplitConfig(Protocol::Strong);
        c.heldoutUsers = 30;
        const Split s = splitOk(d, c);
        QVERIFY(s.validation.empty());
        std::set<int32_t> heldOut(s.foldIn.users.begin(), s.foldIn.users.end());
        heldOut.insert(s.test.users.begin(), s.test.users.end());
        QCOMPARE(int(heldOut.size()), 30);
        const std::set<int32_t> trainUsers(s.train.users.begin(), s.train.users.end());
        const std::set<int32_t> trainItems(s.train.items.begin(), s.train.items.end());
        for (int32_t u : heldOut)
            QVERIFY(!trainUsers.count(u));
        for (const Interactions* p : {&s.train, &s.test, &s.foldIn})
            for (float r : p->ratings)
                QVERIFY(r >= 4.0f);
        for (const Interactions* p : {&s.test, &s.foldIn})
            for (int32_t i : p->items)
                QVERIFY(trainItems.count(i));
        // Per held-out user: kept rows of trained items split floor(0.2 n) / rest.
        for (int32_t u : heldOut) {
            int64_t kept = 0;
            for (int64_t r = d.userOffsets()[size_t(u)]; r < d.userOffsets()[size_t(u) + 1]; ++r)
                kept += d.rating(r) >= 4.0f ? 1 : 0;
            QVERIFY(kept >= 5);
            const auto target = std::count(s.test.users.begin(), s.test.users.end(), u);
            const auto foldIn = std::count(s.foldIn.users.begin(), s.foldIn.users.end(), u);
            QVERIFY(target >= 1);
            QVERIFY(target <= std::max<int64_t>(1, kept / 5));
            QVERIFY(target + foldIn <= kept);
        }
        for (int32_t u : trainUsers) {
            int64_t kept = 0;
            for (int64_t r = d.userOffsets()[size_t(u)]; r < d.userOffsets()[size_t(u) + 1]; ++r)
                kept += d.rating(r) >= 4.0f ? 1 : 0;
            QVERIFY(kept >= 5);
        }
        QCOMPARE(pairs(d, splitOk(d, c).test), pairs(d, s.test));
        c.seed = 7;
        QVERIFY(pairs(d, splitOk(d, c).test) != pairs(d, s.test));
        c.heldoutUsers = 100000;
        QVERIFY(!makeSplit(d, c).ok());
        // Merging validation (there is none) keeps the fold-in rows.
        QCOMPARE(withValidationInTrain(s).foldIn.size(), s.foldIn.size());
    }

    void temporalHandMade() {
        const Dataset d = handMade();
        SplitConfig c = defaultSplitConfig(Protocol::Temporal);
        c.nTest = 2;
        c.nVal = 1;
        c.minTrain = 3;  // eligible: >= 6 ratings -> only user 10
        const Split s = splitOk(d, c);
        QCOMPARE(pairs(d, s.train), (Pairs{{10, 102},
                                           {10, 101},
                                           {10, 104},
                                           {10, 103},
                                           {10, 106},
                                           {20, 103},
                                           {20, 101},
                                           {20, 109},
                                           {30, 110},
                                           {30, 111},
                                           {30, 101},
                                           {30, 102},
                                           {30, 112}}));
        QCOMPARE(pairs(d, s.validation), (Pairs{{10, 105}}));
        QCOMPARE(pairs(d, s.test), (Pairs{{10, 107}, {10, 108}}));
        QCOMPARE(s.test.ratings, (std::vector<float>{4.0f, 3.0f}));
        QCOMPARE(s.test.timestamps, (std::vector<int64_t>{300, 400}));
        QCOMPARE(s.threshold, 4.0);
        QVERIFY(s.isPositive(s.test.ratings[0]));
        QVERIFY(!s.isPositive(s.test.ratings[1]));
        QCOMPARE(s.numUsers, 3);
        QCOMPARE(s.numItems, 12);
        QCOMPARE(s.train.distinctUsers(), 3);
        QCOMPARE(s.test.distinctUsers(), 1);

        // min-train 1: users with >= 4 ratings -> users 10 and 30.
        c.minTrain = 1;
        const Split s2 = splitOk(d, c);
        QCOMPARE(pairs(d, s2.validation), (Pairs{{10, 105}, {30, 101}}));
        QCOMPARE(pairs(d, s2.test), (Pairs{{10, 107}, {10, 108}, {30, 102}, {30, 112}}));
        QCOMPARE(pairs(d, s2.train), (Pairs{{10, 102},
                                            {10, 101},
                                            {10, 104},
                                            {10, 103},
                                            {10, 106},
                                            {20, 103},
                                            {20, 101},
                                            {20, 109},
                                            {30, 110},
                                            {30, 111}}));
    }

    void looHandMade() {
        const Dataset d = handMade();
        const Split s = splitOk(d, defaultSplitConfig(Protocol::Loo));
        QCOMPARE(pairs(d, s.train), (Pairs{{10, 102},
                                           {10, 101},
                                           {10, 104},
                                           {10, 103},
                                           {10, 106},
                                           {10, 105},
                                           {20, 103},
                                           {30, 110},
                                           {30, 111},
                                           {30, 101}}));
        QCOMPARE(pairs(d, s.validation), (Pairs{{10, 107}, {20, 101}, {30, 102}}));
        QCOMPARE(pairs(d, s.test), (Pairs{{10, 108}, {20, 109}, {30, 112}}));
        QCOMPARE(s.threshold, 0.0);
        QVERIFY(s.isPositive(1.0f));  // threshold 0: every rating is a positive

        // Fewer than min-train + 2 ratings: all train (user 20 has 3 < 2 + 2).
        SplitConfig c = defaultSplitConfig(Protocol::Loo);
        c.minTrain = 2;
        const Split s2 = splitOk(d, c);
        QCOMPARE(pairs(d, s2.test), (Pairs{{10, 108}, {30, 112}}));
        QCOMPARE(pairs(d, s2.validation), (Pairs{{10, 107}, {30, 102}}));
        QCOMPARE(s2.train.size(), size_t(12));
        // n-test / n-val do not apply to loo: always one each.
        c.nTest = 4;
        c.nVal = 3;
        QCOMPARE(pairs(d, splitOk(d, c).test), (Pairs{{10, 108}, {30, 112}}));
    }

    void ratioHandMade() {
        const Dataset d = handMade();
        SplitConfig c = defaultSplitConfig(Protocol::Ratio);
        c.testFraction = 0.25;
        c.valFraction = 0.25;
        c.seed = 1;
        const Split s = splitOk(d, c);
        checkPartition(d, s);
        // Per user: round(n * 0.25) to test and to validation: 8 -> 2/2, 3 -> 1/1, 5 -> 1/1.
        auto perUser = [](const Interactions& p) {
            std::map<int32_t, int> m;
            for (int32_t u : p.users)
                ++m[u];
            return m;
        };
        QCOMPARE(perUser(s.test), (std::map<int32_t, int>{{0, 2}, {1, 1}, {2, 1}}));
        QCOMPARE(perUser(s.validation), (std::map<int32_t, int>{{0, 2}, {1, 1}, {2, 1}}));
        QCOMPARE(perUser(s.train), (std::map<int32_t, int>{{0, 4}, {1, 1}, {2, 3}}));

        // At least one training rating stays: validation shrinks first, then test.
        c.testFraction = 0.5;
        c.valFraction = 0.4;
        const Split s2 = splitOk(d, c);
        checkPartition(d, s2);
        // 8 -> test 4, val 3; 3 -> test 2 (1.5 rounds up), val 1 -> 0; 5 -> test 3, val 2 -> 1.
        QCOMPARE(perUser(s2.test), (std::map<int32_t, int>{{0, 4}, {1, 2}, {2, 3}}));
        QCOMPARE(perUser(s2.validation), (std::map<int32_t, int>{{0, 3}, {2, 1}}));
        QCOMPARE(perUser(s2.train), (std::map<int32_t, int>{{0, 1}, {1, 1}, {2, 1}}));
    }

    void ratioIsDeterministicPerSeedAndUser() {
        SyntheticConfig g;
        g.users = 200;
        g.items = 300;
        g.ratings = 12000;
        const Dataset d = std::move(generateSynthetic(g)).value();
        SplitConfig c = defaultSplitConfig(Protocol::Ratio);
        c.valFraction = 0.1;
        const Split a = splitOk(d, c);
        const Split b = splitOk(d, c);
        checkPartition(d, a);
        QCOMPARE(pairs(d, a.test), pairs(d, b.test));
        QCOMPARE(pairs(d, a.validation), pairs(d, b.validation));
        const double share = double(a.test.size()) / double(d.numRatings());
        QVERIFY(std::abs(share - 0.2) < 0.01);
        c.seed = 43;
        QVERIFY(pairs(d, splitOk(d, c).test) != pairs(d, a.test));

        // A user's part depends on the seed and that user only: split user 30 alone.
        const Dataset hm = handMade();
        SplitConfig r = defaultSplitConfig(Protocol::Ratio);
        r.testFraction = 0.4;
        const Split full = splitOk(hm, r);
        std::vector<Row> only30;
        for (const Row& row : kRows)
            if (row.user == 30)
                only30.push_back(row);
        const Dataset single = handMade(only30);
        const Split alone = splitOk(single, r);
        Pairs fullTest30;
        for (const auto& p : pairs(hm, full.test))
            if (p.first == 30)
                fullTest30.push_back(p);
        QCOMPARE(pairs(single, alone.test), fullTest30);
        QCOMPARE(int(fullTest30.size()), 2);
    }

    void temporalOnGeneratedData() {
        SyntheticConfig g;
        g.users = 150;
        g.items = 200;
        g.ratings = 6000;
        const Dataset d = std::move(generateSynthetic(g)).value();
        const SplitConfig c = defaultSplitConfig(Protocol::Temporal);
        const Split s = splitOk(d, c);
        checkPartition(d, s);
        int eligible = 0;
        for (int32_t u = 0; u < d.numUsers(); ++u)
            if (d.userOffsets()[size_t(u) + 1] - d.userOffsets()[size_t(u)] >= 11)
                ++eligible;
        QCOMPARE(s.test.size(), size_t(5 * eligible));
        QCOMPARE(s.validation.size(), size_t(eligible));
        QCOMPARE(s.test.distinctUsers(), eligible);
        // Test ratings are each user's latest.
        std::map<int32_t, int64_t> lastTrain;
        for (size_t i = 0; i < s.train.size(); ++i)
            lastTrain[s.train.users[i]] =
                std::max(lastTrain[s.train.users[i]], s.train.timestamps[i]);
        for (size_t i = 0; i < s.test.size(); ++i)
            QVERIFY(s.test.timestamps[i] >= lastTrain[s.test.users[i]]);

        const Split l = splitOk(d, defaultSplitConfig(Protocol::Loo));
        checkPartition(d, l);
        QCOMPARE(l.test.distinctUsers(), d.numRatedUsers());
        QCOMPARE(int64_t(l.test.size()), int64_t(d.numRatedUsers()));
    }

    void validationMergesIntoTrainInTimeOrder() {
        Split s;
        s.numUsers = 3;
        s.numItems = 9;
        // user 0: train at t=1,5 and validation at t=3 (earlier than a train row on purpose);
        // user 1: validation only; user 2: train only.
        s.train.append(0, 1, 4.f, 1);
        s.train.append(0, 2, 3.f, 5);
        s.train.append(2, 7, 5.f, 2);
        s.validation.append(0, 3, 2.f, 3);
        s.validation.append(1, 4, 1.f, 9);
        s.test.append(0, 8, 5.f, 10);
        const Split m = withValidationInTrain(s);
        QVERIFY(m.validation.empty());
        QCOMPARE(m.test.items, s.test.items);
        const std::vector<int32_t> users{0, 0, 0, 1, 2};
        const std::vector<int32_t> items{1, 3, 2, 4, 7};
        const std::vector<int64_t> times{1, 3, 5, 9, 2};
        QCOMPARE(m.train.users, users);
        QCOMPARE(m.train.items, items);
        QCOMPARE(m.train.timestamps, times);
        QCOMPARE(m.train.ratings[1], 2.f);
        // The merged rows stay known, for the exclusion rule of the test part.
        QCOMPARE(m.validationInTrain.items, s.validation.items);
        QCOMPARE(m.validationInTrain.users, s.validation.users);
    }

    void configErrors_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<double>("value");
        QTest::newRow("negative n-test") << "nTest" << -1.0;
        QTest::newRow("negative n-val") << "nVal" << -2.0;
        QTest::newRow("negative min-train") << "minTrain" << -1.0;
        QTest::newRow("test fraction 1") << "testFraction" << 1.0;
        QTest::newRow("negative test fraction") << "testFraction" << -0.1;
        QTest::newRow("val fraction 1.5") << "valFraction" << 1.5;
        QTest::newRow("test + val = 1") << "sum" << 0.5;
        QTest::newRow("NaN threshold") << "threshold" << std::nan("");
        QTest::newRow("negative kcore") << "kcore" << -1.0;
        QTest::newRow("held-out users 0") << "heldout" << 0.0;
        QTest::newRow("NaN min-rating") << "minRating" << std::nan("");
        QTest::newRow("negative min-rating") << "minRating" << -1.0;
    }
    void configErrors() {
        QFETCH(QString, field);
        QFETCH(double, value);
        SplitConfig c = defaultSplitConfig(Protocol::Ratio);
        if (field == "nTest")
            c.nTest = int(value);
        else if (field == "nVal")
            c.nVal = int(value);
        else if (field == "minTrain")
            c.minTrain = int(value);
        else if (field == "testFraction")
            c.testFraction = value;
        else if (field == "valFraction")
            c.valFraction = value;
        else if (field == "threshold")
            c.threshold = value;
        else if (field == "kcore")
            c.kcore = int(value);
        else if (field == "heldout")
            c.heldoutUsers = int(value);
        else if (field == "minRating")
            c.minRating = value;
        else
            c.testFraction = c.valFraction = value;
        QVERIFY(!validateSplitConfig(c).ok());
        const Result<Split> r = makeSplit(handMade(), c);
        QVERIFY(!r.ok());
        QVERIFY(!r.error().message.empty());
        // The same config with the field fixed is fine.
        QVERIFY(makeSplit(handMade(), defaultSplitConfig(Protocol::Ratio)).ok());
    }
};

QTEST_GUILESS_MAIN(TestSplit)
#include "tst_split.moc"
