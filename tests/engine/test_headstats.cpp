// Head statistics against hand-computed values: entropy, JSD, Pearson, rollout, positions.
#include "attnscope/headstats.h"

#include <QtTest>

using namespace attnscope;

class TestHeadStats : public QObject {
    Q_OBJECT
private slots:
    void entropy()
    {
        const float uniform4[] = {0.25f, 0.25f, 0.25f, 0.25f}, peaked[] = {1, 0, 0, 0};
        QVERIFY(qFuzzyCompare(rowEntropy(uniform4, 4), 2.0));
        QVERIFY(qFuzzyIsNull(rowEntropy(peaked, 4)));
        const float m[] = {0.25f, 0.25f, 0.25f, 0.25f, 1, 0, 0, 0};
        QVERIFY(qFuzzyCompare(meanEntropy(m, 2, 4), 1.0));
    }
    void jensenShannon()
    {
        const float p[] = {1, 0, 0.5f, 0.5f, 0.3f, 0.7f}, q[] = {0, 1, 1, 0, 0.3f, 0.7f};
        const auto js = jsDivergenceRows(p, q, 3, 2);
        QVERIFY(std::abs(js[0] - 1.0) < 1e-9);        // disjoint: 1 bit
        QVERIFY(std::abs(js[1] - 0.311278) < 1e-5);   // ½KL(P‖M)+½KL(Q‖M), M = [.75,.25]
        QVERIFY(std::abs(js[2]) < 1e-9);              // identical
        QVERIFY(std::abs(jsDivergence(p, q, 3, 2) - (1.0 + 0.311278) / 3) < 1e-5);
    }
    void pearsonKnownPairs()
    {
        const float a[] = {1, 2, 3}, b[] = {2, 4, 6}, c[] = {3, 2, 1}, k[] = {5, 5, 5};
        QVERIFY(std::abs(pearson(a, b, 3) - 1.0) < 1e-9);
        QVERIFY(std::abs(pearson(a, c, 3) + 1.0) < 1e-9);
        QCOMPARE(pearson(a, k, 3), 0.0);
    }
    void rolloutThreeLayers()
    {
        // Ã1 = [[1,0],[.5,.5]], Ã2 = [[.5,.5],[0,1]], Ã3 = [[.75,.25],[.25,.75]]
        // R = Ã3·Ã2·Ã1 = [[.6875,.3125],[.5625,.4375]]
        const float a1[] = {1, 0, 1, 0}, a2[] = {0, 1, 0, 1}, a3[] = {0.5f, 0.5f, 0.5f, 0.5f};
        const auto r = rollout({a1, a2, a3}, 2);
        const float want[] = {0.6875f, 0.3125f, 0.5625f, 0.4375f};
        for (int i = 0; i < 4; ++i) QVERIFY(std::abs(r[size_t(i)] - want[i]) < 1e-6);
    }
    void aggregations()
    {
        // 3 layers × 2 heads × 2 × 2; each layer's two heads average to the rollout example's A_l.
        TraceTensor t;
        t.name = "enc";
        t.shape = {3, 2, 2, 2};
        t.axes = {"layer", "head", "query", "key"};
        t.values = {1, 0, 1, 0, /**/ 1, 0, 1, 0,           // layer 1: A1 = [[1,0],[1,0]]
                    0, 1, 0, 1, /**/ 0, 1, 0, 1,           // layer 2: A2 = [[0,1],[0,1]]
                    1, 0, 0, 1, /**/ 0, 1, 1, 0};          // layer 3: mean = [[.5,.5],[.5,.5]]
        TraceTensor m;
        QVERIFY(meanOverHeads(t, m).ok);
        QCOMPARE(m.shape, (std::vector<int64_t>{3, 1, 2, 2}));
        QCOMPARE(m.values[8], 0.5f);
        QVERIFY(meanOverLayers(t, m).ok);
        QCOMPARE(m.shape, (std::vector<int64_t>{1, 2, 2, 2}));
        QVERIFY(std::abs(m.values[0] - 2.0f / 3.0f) < 1e-6);
        QVERIFY(rolloutTensor(t, m).ok);
        QCOMPARE(m.shape, (std::vector<int64_t>{3, 1, 2, 2}));
        const float want[] = {0.6875f, 0.3125f, 0.5625f, 0.4375f};  // R_3, as in rolloutThreeLayers
        for (int i = 0; i < 4; ++i) QVERIFY(std::abs(m.values[size_t(8 + i)] - want[i]) < 1e-6);
        t.shape = {3, 2, 2, 2};
        TraceTensor cross = t;
        cross.shape = {3, 2, 1, 4};
        QVERIFY(!rolloutTensor(cross, m).ok);
        cross.shape = {24};
        QVERIFY(!meanOverHeads(cross, m).ok);
    }
    void clarkPositionStats()
    {
        // 3 queries × 4 keys; key 2 is punctuation, key 3 is </s>.
        const float m[] = {0.5f, 0.5f, 0, 0, /**/ 0.2f, 0.2f, 0.2f, 0.4f, /**/ 0, 0, 1, 0};
        const auto s = positionStats(m, 3, 4, {false, false, true, false}, 3);
        QVERIFY(std::abs(s.same - (0.5 + 0.2 + 1.0) / 3) < 1e-6);
        QVERIFY(std::abs(s.previous - (0.2 + 0.0) / 3) < 1e-6);
        QVERIFY(std::abs(s.next - (0.5 + 0.2 + 0.0) / 3) < 1e-6);
        QVERIFY(std::abs(s.punctuation - (0 + 0.2 + 1.0) / 3) < 1e-6);
        QVERIFY(std::abs(s.eos - 0.4 / 3) < 1e-6);
    }
};

QTEST_GUILESS_MAIN(TestHeadStats)
#include "test_headstats.moc"
