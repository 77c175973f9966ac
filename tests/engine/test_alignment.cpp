// AER, precision, recall on hand-made cases; diagonal baseline; Pharaoh format; BLEU.
#include "attnscope/alignment.h"

#include <QtTest>

using namespace attnscope;

class TestAlignment : public QObject {
    Q_OBJECT
private slots:
    void aerHandMade()
    {
        // A = {0-0, 1-1, 2-1}, G = {0-0, 1-1, 1-2}: |A∩G| = 2 → P = R = 2/3, AER = 1 − 4/6.
        const std::vector<AlignmentLink> a{{0, 0}, {1, 1}, {2, 1}}, g{{0, 0}, {1, 1}, {1, 2}};
        const std::vector<uint8_t> se{1, 1, 1}, te{1, 1, 1};
        const auto s = scoreLinks(a, g, se, te);
        QCOMPARE(s.hits, 2LL);
        QCOMPARE(s.predicted, 3LL);
        QCOMPARE(s.gold, 3LL);
        QVERIFY(qFuzzyCompare(s.precision(), 2.0 / 3.0));
        QVERIFY(qFuzzyCompare(s.recall(), 2.0 / 3.0));
        QVERIFY(qFuzzyCompare(s.aer(), 1.0 / 3.0));
    }
    void onlyEvaluatedTokensCount()
    {
        // Source token 2 is a stop word: the link 2-1 is not scored.
        const std::vector<AlignmentLink> a{{0, 0}, {2, 1}}, g{{0, 0}};
        const auto s = scoreLinks(a, g, {1, 1, 0}, {1, 1});
        QCOMPARE(s.predicted, 1LL);
        QVERIFY(qFuzzyIsNull(s.aer()));
        AlignmentScore sum;
        sum.add(s);
        sum.add(scoreLinks({{1, 1}}, {{0, 1}}, {1, 1}, {1, 1}));
        QCOMPARE(sum.hits, 1LL);
        QCOMPARE(sum.predicted, 2LL);
        QVERIFY(qFuzzyCompare(sum.aer(), 0.5));
    }
    void argmaxAndDiagonal()
    {
        const float m[] = {0.1f, 0.8f, 0.1f, /**/ 0.6f, 0.3f, 0.1f};
        const auto links = argmaxLinks(m, 2, 3, 3);
        QCOMPARE(toPharaoh(links), std::string("1-0 0-1"));
        // 4 source, 2 target, all evaluated: target 0 at 0.25 → source 0.375 (i=1), target 1 at .75 → i=2 (0.625)… nearest
        const auto d = diagonalLinks({1, 1, 1, 1}, {1, 1});
        QCOMPARE(toPharaoh(d), std::string("0-0 2-1"));
        const auto d2 = diagonalLinks({0, 1, 1, 0}, {1, 0, 1});
        QCOMPARE(toPharaoh(d2), std::string("1-0 2-2"));
    }
    void traceLinksDropEos()
    {
        AttentionTrace t;
        TraceTensor x;
        x.name = "cross";
        x.axes = {"target", "source"};
        x.shape = {2, 3};
        x.values = {0.1f, 0.2f, 0.7f, 0.0f, 0.0f, 1.0f};  // row 0 peaks on </s>, which is excluded
        x.labels = {{"light", "</s>"}, {"sea", "luz", "</s>"}};
        t.tensors.push_back(x);
        QCOMPARE(toPharaoh(traceLinks(t)), std::string("1-0"));
        // Without </s> labels (e.g. an imported dump) every row and column counts.
        t.tensors[0].labels = {{"a", "b"}, {"x", "y", "z"}};
        QCOMPARE(toPharaoh(traceLinks(t)), std::string("2-0 2-1"));
    }
    void goldFitsOnlyTheTranslationTokens()
    {
        // A 2×2 translation with gold; a self-attention head of the same size but over the
        // source tokens must not be scored against that gold.
        AttentionTrace t;
        TraceTensor x;
        x.name = "cross";
        x.axes = {"target", "source"};
        x.shape = {2, 2};
        x.labels = {{"light", "</s>"}, {"luz", "</s>"}};
        x.values = {1, 0, 0, 1};
        t.tensors.push_back(x);
        t.sourceEvaluated = {1, 0};
        t.targetEvaluated = {1, 0};
        t.goldLinks = {{0, 0}};
        QVERIFY(goldFits(t, x));
        AlignmentScore s;
        QVERIFY(scoreHead(x, t, s));
        QCOMPARE(s.aer(), 0.0);
        TraceTensor self = x;
        self.labels = {{"luz", "</s>"}, {"luz", "</s>"}};
        QVERIFY(!goldFits(t, self));
        QVERIFY(!scoreHead(self, t, s));
        self.labels.clear();  // unlabelled heads of the right size are taken at their word
        QVERIFY(goldFits(t, self));
        self.shape = {1, 2};
        QVERIFY(!goldFits(t, self));
    }
    void bleu()
    {
        const std::vector<std::vector<std::string>> ref{{"the", "cat", "sat", "on", "the", "mat"}};
        QVERIFY(qFuzzyCompare(corpusBleu(ref, ref), 100.0));
        QCOMPARE(corpusBleu({{"dog"}}, ref), 0.0);
        const double partial = corpusBleu({{"the", "cat", "sat", "on", "a", "mat"}}, ref);
        QVERIFY(partial > 20 && partial < 80);
    }
};

QTEST_GUILESS_MAIN(TestAlignment)
#include "test_alignment.moc"
