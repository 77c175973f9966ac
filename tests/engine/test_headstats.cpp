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
    void headSummaryAndTableOverSentences()
    {
        // [1 layer, 2 heads, 2 queries, 3 keys]; keys "a" "," "</s>".
        TraceTensor t;
        t.name = "cross_attention";
        t.axes = {"layer", "head", "query", "key"};
        t.shape = {1, 2, 2, 3};
        t.labels = {{}, {}, {"x", "</s>"}, {"a", ",", "</s>"}};
        t.values = {1, 0, 0, /**/ 0, 0, 1,        // head 1: one-hot rows (0 bits)
                    0.5f, 0.5f, 0, /**/ 0, 0.5f, 0.5f};  // head 2: 1 bit per row
        HeadSummary s;
        QVERIFY(summarizeHead(t, 0, 1, nullptr, s).ok);
        QVERIFY(std::abs(s.entropy - 1.0) < 1e-9);
        QVERIFY(std::abs(s.punctuation - 0.5) < 1e-9);  // key "," gets .5 in both rows
        QVERIFY(s.hasEos && std::abs(s.eos - 0.25) < 1e-9);
        QVERIFY(!s.scored);
        QVERIFY(!summarizeHead(t, 0, 2, nullptr, s).ok);  // no head 3
        // Gold over the same tokens: target "x" ↔ source "a" (both evaluated).
        AttentionTrace gold;
        gold.sourceEvaluated = {1, 0, 0};
        gold.targetEvaluated = {1, 0};
        gold.goldLinks = {{0, 0}};
        QVERIFY(summarizeHead(t, 0, 0, &gold, s).ok);
        QVERIFY(s.scored);
        QCOMPARE(s.score.hits, 1LL);
        QCOMPARE(s.score.aer(), 0.0);
        // Two sentences: means of the numbers, summed alignment counts.
        HeadTableAccumulator acc;
        QVERIFY(acc.add(t, &gold).ok);
        TraceTensor u = t;
        u.values = {0.5f, 0.5f, 0, /**/ 0, 0.5f, 0.5f, /**/ 1, 0, 0, /**/ 0, 0, 1};  // heads swapped
        QVERIFY(acc.add(u, &gold).ok);
        QCOMPARE(acc.sentences(), 2);
        QVERIFY(std::abs(acc.mean(0, 0).entropy - 0.5) < 1e-9);
        QCOMPARE(acc.mean(0, 0).score.gold, 2LL);
        TraceTensor wrong = t;
        wrong.shape = {2, 1, 2, 3};
        QVERIFY(!acc.add(wrong, nullptr).ok);  // another layout is refused
    }
    void selectHeadOrMean()
    {
        AttentionTrace tr;
        TraceTensor t;
        t.name = "cross_attention";
        t.axes = {"layer", "head", "query", "key"};
        t.shape = {1, 2, 1, 2};
        t.values = {1, 0, /**/ 0, 1};
        tr.tensors.push_back(t);
        TraceTensor out;
        QVERIFY(selectHead(tr, "", 0, 1, out).ok);  // no "cross": the first 4-D tensor
        QCOMPARE(out.values, (std::vector<float>{0, 1}));
        QVERIFY(selectHead(tr, "cross_attention", 0, -1, out).ok);  // mean over heads
        QCOMPARE(out.values, (std::vector<float>{0.5f, 0.5f}));
        QCOMPARE(out.name, std::string("cross"));
        auto st = selectHead(tr, "cross_attention", 1, 0, out);
        QVERIFY(!st.ok && st.message.find("1 layers × 2 heads") != std::string::npos);
        st = selectHead(tr, "nope", 0, 0, out);
        QVERIFY(!st.ok && st.message.find("cross_attention") != std::string::npos);  // names what exists
    }
};

QTEST_GUILESS_MAIN(TestHeadStats)
#include "test_headstats.moc"
