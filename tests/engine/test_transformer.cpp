// The shipped Transformer translator: every head of every layer in the trace, a causal
// decoder, alignments from its best cross-attention layer beating the diagonal baseline
// on a dev subset, and a few training steps with falling loss, checkpoint and resume.
#include "attnscope/alignment.h"
#include "attnscope/corpus.h"
#include "attnscope/headstats.h"
#include "attnscope/train.h"
#include "attnscope/ablation.h"
#include "attnscope/translator.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace attnscope;

namespace {
void checkRowsSumToOne(const TraceTensor& t)
{
    const int64_t K = t.shape.back();
    for (size_t r = 0; r * size_t(K) < t.values.size(); ++r) {
        double sum = 0;
        for (int64_t k = 0; k < K; ++k) sum += t.values[r * size_t(K) + size_t(k)];
        QVERIFY2(std::abs(sum - 1.0) < 1e-4, qPrintable(QString("%1 row %2 sums to %3").arg(QString::fromStdString(t.name)).arg(r).arg(sum)));
    }
}
} // namespace

class TestTransformer : public QObject {
    Q_OBJECT
    Translator t_;
    Corpus dev_;

private slots:
    void initTestCase()
    {
        const auto st = t_.load("transformer");
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(t_.scoreFunction(), std::string("scaled-dot"));
        QVERIFY(loadBibleCorpus(dev_, {Split::Dev}).ok);
    }
    void traceHoldsEveryHead()
    {
        AttentionTrace tr;
        QVERIFY(t_.forceDecode("Dios es amor.", "God is love.", tr).ok);
        const TraceTensor* enc = tr.find("encoder_self");
        const TraceTensor* dec = tr.find("decoder_self");
        const TraceTensor* cross = tr.find("cross_attention");
        const TraceTensor* align = tr.find("cross");
        QVERIFY(enc && dec && cross && align);
        // 4 source tokens + </s>; 4 target tokens + </s> (decoder inputs: <s> + 4 tokens).
        QCOMPARE(enc->shape, (std::vector<int64_t>{3, 4, 5, 5}));
        QCOMPARE(dec->shape, (std::vector<int64_t>{3, 4, 5, 5}));
        QCOMPARE(cross->shape, (std::vector<int64_t>{3, 4, 5, 5}));
        QCOMPARE(enc->axes, (std::vector<std::string>{"layer", "head", "query", "key"}));
        QCOMPARE(dec->labels[2].front(), std::string("<s>"));
        QCOMPARE(cross->labels[2], (std::vector<std::string>{"God", "is", "love", ".", "</s>"}));
        QCOMPARE(cross->labels[3].back(), std::string("</s>"));
        for (const TraceTensor* t : {enc, dec, cross, align}) checkRowsSumToOne(*t);
        // The decoder's self-attention is causal: no weight above the diagonal, in every head.
        for (int64_t lh = 0; lh < 3 * 4; ++lh)
            for (int64_t q = 0; q < 5; ++q)
                for (int64_t k = q + 1; k < 5; ++k) QCOMPARE(dec->values[size_t((lh * 5 + q) * 5 + k)], 0.0f);
        // "cross" is the guided-alignment head, layer 2 head 1 of cross_attention.
        TraceTensor head;
        QVERIFY(sliceHead(*cross, 1, 0, "cross", head).ok);
        QCOMPARE(head.values, align->values);
        QVERIFY(tr.meta("cross_from").find("layer 2 head 1") != std::string::npos);
        // The norm lens of each: same axes and labels, α times the keys' value norms — non-negative,
        // zero where α is (the causal mask), and over a row in α's proportions only when the
        // norms are equal, so its argmax can differ from α's.
        for (const char* kind : {"encoder_self", "decoder_self", "cross_attention"}) {
            const TraceTensor* raw = tr.find(kind);
            const TraceTensor* norm = tr.find(std::string(kind) + ".norm");
            QVERIFY2(norm, kind);
            QCOMPARE(norm->shape, raw->shape);
            QCOMPARE(norm->labels, raw->labels);
            for (size_t i = 0; i < raw->values.size(); ++i) {
                QVERIFY(norm->values[i] >= 0);
                if (raw->values[i] == 0) QCOMPARE(norm->values[i], 0.0f);
            }
        }
        QCOMPARE(attentionShapes(tr).size(), size_t(3));  // a lens is not a kind to ablate
        // The derived lenses: rollout of each self-attention, ALTI of the encoder (one map per
        // layer, rows summing to 1), and cross-attention read through the encoder — every head,
        // rows summing to 1.
        for (const char* name : {"encoder_self.rollout", "encoder_self.norm_rollout", "encoder_self.alti", "decoder_self.rollout",
                                 "cross_attention.rollout", "cross_attention.norm_rollout", "cross_attention.alti"}) {
            const TraceTensor* x = tr.find(name);
            QVERIFY2(x, name);
            const bool cross = std::string(name).rfind("cross", 0) == 0;
            QCOMPARE(x->shape, (std::vector<int64_t>{3, cross ? 4 : 1, 5, 5}));
            checkRowsSumToOne(*x);
            for (float v : x->values) QVERIFY(v >= 0);
        }
        // ALTI composes layers: layer 1's row is that block's own contributions, whose diagonal
        // holds at least the residual's share; cross_attention.alti is the normalised norm lens
        // times the encoder's top-layer ALTI.
        const TraceTensor* alti = tr.find("encoder_self.alti");
        const TraceTensor* crossAlti = tr.find("cross_attention.alti");
        const TraceTensor normRows = rowNormalised(*tr.find("cross_attention.norm"));
        for (int64_t j = 0; j < 5; ++j) {
            double want = 0;
            for (int64_t k = 0; k < 5; ++k) want += normRows.values[size_t(k)] * alti->values[size_t(2 * 25 + k * 5 + j)];
            QVERIFY(std::abs(crossAlti->values[size_t(j)] - want) < 1e-5);
        }
        QCOMPARE(attentionShapes(tr).size(), size_t(3));  // nor is a derived lens
        // Per key: lens / α is one norm for every query of a head.
        const TraceTensor* norm = tr.find("cross_attention.norm");
        for (int64_t k = 0; k < 5; ++k) {
            const double r0 = norm->values[size_t(k)] / cross->values[size_t(k)];
            for (int64_t q = 1; q < 5; ++q)
                QVERIFY(std::abs(norm->values[size_t(q * 5 + k)] / cross->values[size_t(q * 5 + k)] - r0) < 1e-3 * r0);
        }
    }
    void freeDecodingTranslates()
    {
        AttentionTrace tr;
        QVERIFY(t_.translate("En el principio crió Dios los cielos y la tierra.", tr).ok);
        const TraceTensor* x = tr.find("cross");
        QVERIFY(x);
        const auto& words = x->labels[0];
        QVERIFY(std::find(words.begin(), words.end(), "god") != words.end());
        QCOMPARE(tr.find("cross_attention")->shape[2], x->shape[0]);
        // Cancellation reaches the decoding loop.
        const auto st = t_.translate("Y dijo Dios: Sea la luz.", tr, [](int64_t, int64_t) { return false; });
        QCOMPARE(st.message, std::string("cancelled"));
    }
    void bestLayerBeatsDiagonalOnDevSubset()
    {
        auto verses = dev_.split(Split::Dev);
        verses.resize(std::min<size_t>(verses.size(), 60));
        HeadTableResult r;
        QVERIFY(headTable(t_, verses, r).ok);
        QCOMPARE(r.verses, int(verses.size()));
        const HeadTableAccumulator* layers = r.find("cross_attention · mean over heads");
        const HeadTableAccumulator* heads = r.find("cross_attention");
        QVERIFY(layers && heads);
        QCOMPARE(layers->layers(), 3);
        QCOMPARE(heads->heads(), 4);
        double bestLayer = 1, bestHead = 1;
        for (int l = 0; l < 3; ++l) {
            const HeadSummary m = layers->mean(l, 0);
            QVERIFY(m.scored && m.score.gold > 100);
            bestLayer = std::min(bestLayer, m.score.aer());
            for (int h = 0; h < 4; ++h) bestHead = std::min(bestHead, heads->mean(l, h).score.aer());
        }
        qInfo("dev subset: best cross layer AER %.1f%%, best head %.1f%%, diagonal %.1f%%", 100 * bestLayer,
              100 * bestHead, 100 * r.diagonal.aer());
        QVERIFY2(bestLayer < r.diagonal.aer(), "the best cross-attention layer must beat the diagonal baseline");
        QVERIFY(bestHead <= bestLayer + 0.05);
        // Self-attention has no gold: it is described, not scored.
        QVERIFY(!r.find("encoder_self")->mean(0, 0).scored);
        QVERIFY(r.find("encoder_self")->mean(0, 0).hasEos);
    }
    void sameTokensAsTheGruModel()
    {
        // Cross-model comparison needs both models' maps over the same tokens.
        Translator gru;
        QVERIFY(gru.load("gru-bahdanau").ok);
        const Verse* v = dev_.findRef("Colossians 1:2");
        QVERIFY(v);
        AttentionTrace a, b;
        QVERIFY(gru.decodeVerse(*v, true, a).ok);
        QVERIFY(t_.decodeVerse(*v, true, b).ok);
        QCOMPARE(a.find("cross")->shape, b.find("cross")->shape);
        QCOMPARE(a.find("cross")->labels, b.find("cross")->labels);
        TraceTensor head;
        QVERIFY(selectHead(b, "cross_attention", 2, -1, head).ok);
        QCOMPARE(head.shape, a.find("cross")->shape);
    }
    void trainFewStepsLossFallsAndResumes()
    {
        QTemporaryDir dir;
        TrainConfig c;
        c.model = "transformer";
        c.out = dir.filePath("tiny-tf.pt").toStdString();
        c.maxTrainVerses = 256;
        c.embedding = 32;
        c.heads = 2;
        c.layers = 2;
        c.feedForward = 64;
        c.vocabSize = 400;
        c.batchSize = 16;
        c.maxSteps = 12;
        c.learningRate = 3e-3;
        c.warmupSteps = 2;
        c.labelSmoothing = 0.1;
        c.dropout = 0.1;
        c.epochs = 2;
        c.checkpointEvery = 0;
        c.guidedAlignment = 1.0;
        TrainReport r;
        auto st = train(c, r);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(r.stepsRun, 12);
        QVERIFY2(r.lastLoss < r.firstLoss - 0.5, qPrintable(QString("loss %1 → %2").arg(r.firstLoss).arg(r.lastLoss)));
        QVERIFY(QFile::exists(QString::fromStdString(c.out + ".ckpt")));
        // A checkpoint of another architecture is refused, not silently mixed.
        TrainConfig gru = c;
        gru.model = "gru-bahdanau";
        TrainReport rg;
        st = train(gru, rg);
        QVERIFY(!st.ok && st.message.find("another") != std::string::npos);
        // Resume finishes the 2 epochs (16 batches each) and writes loadable weights.
        c.maxSteps = 0;
        TrainReport r2;
        st = train(c, r2);
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(r2.stepsRun > 0 && r2.stepsRun <= 2 * 16 - 12);
        QVERIFY(r2.finished);
        Translator tiny;
        QVERIFY(tiny.load(c.out).ok);
        AttentionTrace tr;
        QVERIFY(tiny.forceDecode("Dios es amor", "God is love", tr).ok);
        QCOMPARE(tr.find("encoder_self")->shape, (std::vector<int64_t>{2, 2, 4, 4}));
        // d_model must split into the heads.
        c.heads = 3;
        c.out = dir.filePath("bad.pt").toStdString();
        QVERIFY(!train(c, r2).ok);
    }
};

QTEST_GUILESS_MAIN(TestTransformer)
#include "test_transformer.moc"
