// The one mixSeed of the tree (core/data/DeterministicRng.h) and the tie order built on it,
// checked directly against values computed by an independent Python implementation:
//
//   M = 2**64 - 1
//   def sm(s): s = (s + 0x9E3779B97F4A7C15) & M; z = s
//              z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
//              z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M; return s, z ^ (z >> 31)
//   def mix(seed, stream): s = seed ^ ((stream * 0xD1B54A32D192ED03 + 0x8CB92BA72F3D8DD7) & M)
//                          s, _ = sm(s); s, z = sm(s); return z
//   key(seed, user, item) = mix(mix(mix(seed, 0x71E5B0A4D5EED001), user), item)
//
// A Debug and a Release build run the same function (there is no second definition for the
// linker to pick), so splits, demo data, sampled negatives and ties agree between them; the
// split and demo-data fingerprints stay pinned in tst_split and tst_syntheticgenerator.
#include <QtTest>

#include "core/data/DeterministicRng.h"
#include "core/eval/Metrics.h"
#include "core/eval/NegativeItemSampler.h"

using namespace recscope;

class TestDeterminism : public QObject {
    Q_OBJECT

private slots:
    void splitMix64KnownSequence() {
        uint64_t state = 0;  // the published first outputs of SplitMix64 seeded with 0
        QCOMPARE(splitMix64(state), 0xe220a8397b1dcdafULL);
        QCOMPARE(splitMix64(state), 0x6e789e6aa1b965f4ULL);
        QCOMPARE(splitMix64(state), 0x06c45d188009454fULL);
    }

    void mixSeedByHand() {
        QCOMPARE(mixSeed(0, 0), 0x9ff9a75b320b9098ULL);
        QCOMPARE(mixSeed(42, 1), 0xcf939a78eef2c94aULL);
        QCOMPARE(mixSeed(42, 943), 0x662ecbc9830e7550ULL);
        QCOMPARE(mixSeed(~0ULL, 12345), 0x9a72d165398a31baULL);
    }

    // The evaluator's sampled negatives use the same function (NegativeItemSampler.h includes
    // DeterministicRng.h; it declares no mixSeed of its own).
    void samplerUsesTheOneMixSeed() {
        uint64_t (*fromSampler)(uint64_t, uint64_t) = &mixSeed;
        QCOMPARE(fromSampler(42, 1), 0xcf939a78eef2c94aULL);
    }

    void tieKeysByHand() {
        QCOMPARE(TieOrder(42, 2).key(3), 0x5e5475b655edcb8eULL);
        QCOMPARE(TieOrder(7, 0).key(5), 0x435e9e48419b7342ULL);
        // Equal scores: lower key first; different scores: higher score first.
        const TieOrder t(42, 2);
        QVERIFY(t.before(1.0f, 4, 1.0f, 3));  // key(4) < key(3) for seed 42, user 2
        QVERIFY(!t.before(1.0f, 3, 1.0f, 4));
        QVERIFY(t.before(2.0f, 3, 1.0f, 4));
    }
};

QTEST_APPLESS_MAIN(TestDeterminism)
#include "tst_determinism.moc"
