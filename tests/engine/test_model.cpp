// The shipped translator: beats the diagonal baseline on dev, handles bad input with
// messages; training runs a few steps with falling loss, checkpoints and resumes.
#include "attnscope/alignment.h"
#include "attnscope/corpus.h"
#include "attnscope/train.h"
#include "attnscope/translator.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace attnscope;

class TestModel : public QObject {
    Q_OBJECT
    Translator t_;
    Corpus dev_;

private slots:
    void initTestCase()
    {
        const auto st = t_.load("gru-bahdanau");
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(loadBibleCorpus(dev_, {Split::Dev}).ok);
    }
    void beatsDiagonalOnDevSubset()
    {
        auto verses = dev_.split(Split::Dev);
        verses.resize(std::min<size_t>(verses.size(), 80));
        EvalResult r;
        QVERIFY(evaluate(t_, verses, r, false).ok);
        QCOMPARE(r.verses, int(verses.size()));
        QVERIFY(r.model.gold > 100);
        qInfo("dev subset: model AER %.1f%%, diagonal AER %.1f%%", 100 * r.model.aer(), 100 * r.diagonal.aer());
        QVERIFY2(r.model.aer() < r.diagonal.aer() - 0.05, "the shipped model must beat the diagonal baseline clearly");
    }
    void translateShape()
    {
        AttentionTrace tr;
        QVERIFY(t_.translate("En el principio crió Dios los cielos y la tierra.", tr).ok);
        const TraceTensor* x = tr.find("cross");
        QVERIFY(x);
        QCOMPARE(x->shape[1], int64_t(12));  // 11 tokens + </s>
        QCOMPARE(x->labels[1].back(), std::string("</s>"));
        QCOMPARE(x->labels[0].back(), std::string("</s>"));
        for (int64_t r = 0; r < x->shape[0]; ++r) {
            double sum = 0;
            for (int64_t c = 0; c < x->shape[1]; ++c) sum += x->at(r, c);
            QVERIFY(std::abs(sum - 1.0) < 1e-4);  // each attention row is a distribution
        }
        const auto& words = x->labels[0];
        QVERIFY(std::find(words.begin(), words.end(), "god") != words.end());
    }
    void forcedDecodingRows()
    {
        AttentionTrace tr;
        QVERIFY(t_.forceDecode("Dios es amor.", "God is love.", tr).ok);
        const TraceTensor* x = tr.find("cross");
        QCOMPARE(x->labels[0], (std::vector<std::string>{"God", "is", "love", ".", "</s>"}));
        QCOMPARE(tr.meta("mode"), std::string("forced"));
    }
    void verseCarriesGold()
    {
        const Verse* v = dev_.findRef("Colossians 1:2");
        QVERIFY(v);
        AttentionTrace tr;
        QVERIFY(t_.decodeVerse(*v, true, tr).ok);
        QVERIFY(tr.hasGold());
        QCOMPARE(tr.sourceEvaluated.size(), v->source.size() + 1);
        QVERIFY(!tr.goldLinks.empty());
    }
    void badInput()
    {
        AttentionTrace tr;
        auto st = t_.translate("", tr);
        QVERIFY(!st.ok && st.message.find("empty") != std::string::npos);
        st = t_.translate("¡¿... !?", tr);
        QVERIFY(!st.ok && st.message.find("punctuation") != std::string::npos);
        st = t_.forceDecode("Dios es amor", "", tr);
        QVERIFY(!st.ok && st.message.find("reference") != std::string::npos);
        QVERIFY(t_.translate("Dios xqzwvk blorptastico", tr).ok);  // unknown words: <unk>, reported
        QVERIFY(tr.meta("unknown_words").find("xqzwvk") != std::string::npos);
        std::string paste;
        for (int i = 0; i < 500; ++i) paste += "palabra ";
        QVERIFY(t_.translate(paste, tr).ok);  // a 500-word paste works
        QCOMPARE(tr.find("cross")->shape[1], int64_t(501));
        for (int i = 0; i < 600; ++i) paste += "palabra ";
        st = t_.translate(paste, tr);
        QVERIFY(!st.ok && st.message.find("at most") != std::string::npos);
    }
    void cancellation()
    {
        AttentionTrace tr;
        const auto st = t_.translate("Y dijo Dios: Sea la luz.", tr, [](int64_t, int64_t) { return false; });
        QVERIFY(!st.ok);
        QCOMPARE(st.message, std::string("cancelled"));
    }
    void corruptAndMissingWeights()
    {
        QTemporaryDir dir;
        const QString bad = dir.filePath("bad.pt");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a model");
        f.close();
        Translator t;
        auto st = t.load(bad.toStdString());
        QVERIFY(!st.ok);
        QVERIFY2(st.message.find("corrupt") != std::string::npos, st.message.c_str());
        st = t.load(dir.filePath("nothing.pt").toStdString());
        QVERIFY(!st.ok && st.message.find("missing") != std::string::npos);
        AttentionTrace tr;
        QVERIFY(!t.translate("Dios", tr).ok);
    }
    void trainFewStepsLossFallsAndResumes()
    {
        QTemporaryDir dir;
        TrainConfig c;
        c.out = dir.filePath("tiny.pt").toStdString();
        c.maxTrainVerses = 256;
        c.embedding = 32;
        c.hidden = 32;
        c.vocabSize = 400;
        c.batchSize = 16;
        c.maxSteps = 12;
        c.learningRate = 5e-3;
        c.epochs = 2;
        c.checkpointEvery = 0;
        c.guidedAlignment = 1.0;  // exercise the guided-alignment path too
        c.guidedFromStep = 4;
        TrainReport r;
        auto st = train(c, r);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(r.stepsRun, 12);
        QVERIFY2(r.lastLoss < r.firstLoss - 0.5, qPrintable(QString("loss %1 → %2").arg(r.firstLoss).arg(r.lastLoss)));
        QVERIFY(QFile::exists(QString::fromStdString(c.out + ".ckpt")));
        // Resume: finishes the remaining batches of the 2 epochs (16 per epoch) and writes weights.
        c.maxSteps = 0;
        TrainReport r2;
        st = train(c, r2);
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(r2.stepsRun > 0 && r2.stepsRun <= 2 * 16 - 12);  // ≤ 16 batches per epoch
        QVERIFY(r2.finished);
        Translator tiny;
        QVERIFY(tiny.load(c.out).ok);
    }
};

QTEST_GUILESS_MAIN(TestModel)
#include "test_model.moc"
