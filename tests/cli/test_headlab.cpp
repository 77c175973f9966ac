// The head lab from the command line: head ablation in `run` (--ablate, --ablation), head
// importance (`heads --importance`) and pruning curves (`prune`) on the shipped Transformer,
// an ONNX translator export, PaddleOCR's recogniser and an ONNX image classifier, the
// captioners' attention ablated, with their messages for bad specs and models without heads.
#include "../engine/onnxclassifier.h"
#include "../engine/onnxpairgraph.h"
#include "clirun.h"

#include <QDir>

#include <QFile>
#include <QFont>
#include <QImage>
#include <QPainter>
#include <QTemporaryDir>
#include <QtTest>

class TestHeadLab : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    /// Importance by `method` over 3 dev verses: one run, then shards 0/2 and 1/2 merged —
    /// byte-identical tables (ablation shards split the heads, gradient shards the verses).
    void importanceShardsMergeIntoOneRun(const QString& method)
    {
        const auto read = [](const QString& path) {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        const QString one = dir_.filePath(method + "-one.csv"), merged = dir_.filePath(method + "-merged.csv");
        Run r = attnscope({"heads", "transformer", "--split", "dev", "--limit", "3", "--importance", method, "--out", one});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QStringList parts;
        for (const QString shard : {"0/2", "1/2"}) {
            parts << dir_.filePath(method + "-" + QString(shard).replace('/', '-') + ".json");
            r = attnscope({"heads", "transformer", "--split", "dev", "--limit", "3", "--importance", method, "--shard", shard,
                           "--out", parts.last()});
            QVERIFY2(r.code == 0 && r.err.contains("attnscope merge"), qPrintable(r.err));
        }
        r = attnscope(QStringList{"merge"} + QStringList{parts[1], parts[0]} + QStringList{"--out", merged});  // any order
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(read(one).startsWith(method == "ablation" ? "kind,layer,head,delta_log_likelihood,delta_bleu\n"
                                                           : "kind,layer,head,gradient_importance\n"));
        QCOMPARE(read(merged), read(one));
        // A shard missing, or given twice, is named; nothing is written.
        QFile::remove(merged);
        r = attnscope({"merge", parts[0], "--out", merged});
        QVERIFY2(r.code != 0 && r.err.contains("shard 1/2 missing"), qPrintable(r.err));
        r = attnscope({"merge", parts[0], parts[0], parts[1], "--out", merged});
        QVERIFY2(r.code != 0 && r.err.contains("given twice"), qPrintable(r.err));
        QVERIFY(!QFile::exists(merged));
    }

private slots:
    void ablatedHeads()
    {
        // The shipped Transformer with layer 2's cross-attention heads zeroed, on a verse with gold.
        const QString out = dir_.filePath("ablated.json");
        Run r = attnscope({"run", "transformer", "Ruth 1:16", "--ablate", "cross_attention:2:all", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("ablated cross_attention L2 all heads (zero)"), qPrintable(r.err));
        QVERIFY2(r.err.contains("AER ") && r.err.contains("unablated"), qPrintable(r.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("cross_attention L2 all heads (zero)"));  // the trace says what was ablated
        // Free decoding prints both translations.
        r = attnscope({"run", "transformer", "Ruth 1:16", "--free", "--ablate", "cross_attention:1:all", "--ablate",
                       "cross_attention:3:all", "--ablation", "uniform", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("translation: ") && r.err.contains("unablated:   "), qPrintable(r.err));
        // Bad specs name the valid ranges or the expected form; nothing is written.
        QFile::remove(out);
        r = attnscope({"run", "transformer", "Ruth 1:16", "--ablate", "cross_attention:9:1", "--out", out});
        QVERIFY2(r.code != 0 && r.err.contains("cross_attention has layers 1–3 (asked 9)"), qPrintable(r.err));
        r = attnscope({"run", "transformer", "Ruth 1:16", "--ablate", "cross:1:1", "--out", out});
        QVERIFY2(r.code != 0 && r.err.contains("no attention kind 'cross'"), qPrintable(r.err));
        r = attnscope({"run", "transformer", "hola", "--ablate", "cross_attention:1", "--out", out});
        QVERIFY2(r.code != 0 && r.err.contains("expected KIND:LAYER:HEADS"), qPrintable(r.err));
        r = attnscope({"run", "transformer", "hola", "--ablate", "cross_attention:1:1", "--ablation", "half", "--out", out});
        QVERIFY2(r.code != 0 && r.err.contains("zero"), qPrintable(r.err));
        r = attnscope({"run", "gru-bahdanau", "hola", "--ablate", "cross_attention:1:1", "--out", out});
        QVERIFY2(r.code != 0 && r.err.contains("not heads"), qPrintable(r.err));
        QVERIFY(!QFile::exists(out));
        // Head importance over a few dev verses: one row per head of the three kinds.
        const QString csv = dir_.filePath("importance.csv");
        r = attnscope({"heads", "transformer", "--split", "dev", "--limit", "4", "--importance", "gradient", "--out", csv});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("importance by gradient"));
        QFile imp(csv);
        QVERIFY(imp.open(QIODevice::ReadOnly));
        const QStringList rows = QString::fromUtf8(imp.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(rows.first(), QString("kind,layer,head,gradient_importance"));
        QCOMPARE(rows.size(), 1 + 3 * 12);
        // Pruning curves over a few verses: 11 points, the importance order and one random order.
        const QString curve = dir_.filePath("prune.csv");
        r = attnscope({"prune", "transformer", "--split", "dev", "--limit", "3", "--seeds", "1", "--out", curve});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("prunable within 1 BLEU point"));
        QFile pc(curve);
        QVERIFY(pc.open(QIODevice::ReadOnly));
        const QStringList points = QString::fromUtf8(pc.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(points.first(), QString("fraction,heads_removed,bleu_importance,bleu_random_seed_1"));
        QCOMPARE(points.size(), 12);
        QVERIFY(points.last().startsWith("1.00,36,0.00,0.00"));  // every head zeroed: nothing is translated right
        r = attnscope({"prune", "gru-bahdanau", "--split", "dev", "--limit", "3", "--out", curve});
        QVERIFY2(r.code != 0 && r.err.contains("Transformer"), qPrintable(r.err));
        r = attnscope({"heads", "transformer", "--importance", "taylor", "--out", csv});
        QVERIFY2(r.code != 0 && r.err.contains("ablation or gradient"), qPrintable(r.err));
    }

    void gradientShardsMergeIntoOneRun() { importanceShardsMergeIntoOneRun("gradient"); }
    void ablationShardsMergeIntoOneRun() { importanceShardsMergeIntoOneRun("ablation"); }
    void partsOfDifferentRunsDoNotMerge()
    {
        // Parts of different runs do not merge.
        Run r = attnscope({"merge", dir_.filePath("gradient-0-2.json"), dir_.filePath("ablation-1-2.json"), "--out",
                           dir_.filePath("mixed.csv")});
        QVERIFY2(r.code != 0 && r.err.contains("different runs"), qPrintable(r.err));
    }

    void pruningShardsMergeIntoOneRun()
    {
        const auto read = [](const QString& path) {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        // An importance table written here (as `heads --importance gradient` writes one): the
        // order the heads are zeroed in.
        const QString ranking = dir_.filePath("ranking.csv"), one = dir_.filePath("prune-one.csv");
        {
            QFile f(ranking);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("kind,layer,head,gradient_importance\n");
            int i = 0;
            for (const char* kind : {"encoder_self", "decoder_self", "cross_attention"})
                for (int l = 1; l <= 3; ++l)
                    for (int h = 1; h <= 4; ++h) f.write(QStringLiteral("%1,%2,%3,%4\n").arg(kind).arg(l).arg(h).arg(0.01 * (++i * 7 % 36)).toUtf8());
        }
        // Pruning over 40 verses (two greedy batches of 32 and 8) in that order, no random
        // order: one run against shards 0/2 + 1/2 merged.
        const QStringList common{"prune", "transformer", "--split", "dev", "--limit", "40", "--seeds", "0", "--ranking", ranking};
        Run r = attnscope(common + QStringList{"--out", one});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QStringList parts;
        for (const QString shard : {"0/2", "1/2"}) {
            parts << dir_.filePath("prune-" + QString(shard).replace('/', '-') + ".json");
            r = attnscope(common + QStringList{"--shard", shard, "--out", parts.last()});
            QVERIFY2(r.code == 0, qPrintable(r.err));
        }
        const QString merged = dir_.filePath("prune-merged.csv");
        r = attnscope({"merge", parts[0], parts[1], "--out", merged});
        QVERIFY2(r.code == 0 && r.out.contains("prunable within 1 BLEU point"), qPrintable(r.err));
        const QByteArray curve = read(one);
        QVERIFY(curve.startsWith("fraction,heads_removed,bleu_importance\n"));
        QCOMPARE(read(merged), curve);
        // Each shard alone scores only its own verses: not the whole curve.
        QVERIFY(read(parts[0]) != read(parts[1]));
    }

    void badShardsAreNamed()
    {
        // Bad shards and outputs: the form and the range, a partial's name.
        Run r = attnscope({"heads", "transformer", "--importance", "gradient", "--shard", "2/2", "--out", dir_.filePath("x.json")});
        QVERIFY2(r.code != 0 && r.err.contains("K runs from 0 to N-1"), qPrintable(r.err));
        r = attnscope({"prune", "transformer", "--shard", "a/2", "--out", dir_.filePath("x.json")});
        QVERIFY2(r.code != 0 && r.err.contains("expected K/N"), qPrintable(r.err));
        r = attnscope({"prune", "transformer", "--shard", "0/2", "--out", dir_.filePath("x.csv")});
        QVERIFY2(r.code != 0 && r.err.contains("FILE.json"), qPrintable(r.err));
        const QString notJson = dir_.filePath("not-a-partial.csv");
        QFile f(notJson);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write("kind,layer,head,gradient_importance\n") > 0);
        f.close();
        r = attnscope({"merge", notJson, "--out", dir_.filePath("x.csv")});
        QVERIFY2(r.code != 0 && r.err.contains("not JSON"), qPrintable(r.err));
    }

    void aTextRecognisersHeads()
    {
        // PaddleOCR's recogniser (cached by scripts/install-deps): a rendered line read with the
        // heads of layer 2 zeroed, against the unablated reading; its pruning curves on 2 lines.
        const QString line = dir_.filePath("line.png");
        QImage img(400, 60, QImage::Format_RGB32);
        img.fill(Qt::white);
        QPainter p(&img);
        QFont f("DejaVu Sans");
        f.setPixelSize(36);
        p.setFont(f);
        p.setPen(Qt::black);
        p.drawText(10, 45, "Hello World 2026");
        p.end();
        QVERIFY(img.save(line));
        const QString out = dir_.filePath("ocr.json");
        Run r = attnscope({"run", "ppocr-rec", line, "--ablate", "attention:2:all", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("ablated attention L2 all heads (zero)") && r.err.contains("unablated: Hello World 2026") &&
                     r.err.contains("CTC confidence"),
                 qPrintable(r.err));
        QFile trace(out);
        QVERIFY(trace.open(QIODevice::ReadOnly));
        QVERIFY(trace.readAll().contains("attention L2 all heads (zero)"));
        r = attnscope({"run", "ppocr-rec", line, "--ablate", "attention:3:1", "--out", out});
        QVERIFY2(r.code != 0 && r.err.contains("attention has layers 1–2 (asked 3)"), qPrintable(r.err));
        // Pruning: 11 points, character accuracy in importance order.
        const QString curve = dir_.filePath("ocr-curve.csv");
        r = attnscope({"prune", "ppocr-rec", "--lines", "2", "--seeds", "0", "--out", curve});
        QVERIFY2(r.code == 0 && r.out.contains("prunable within 1 accuracy point"), qPrintable(r.err));
        QFile c(curve);
        QVERIFY(c.open(QIODevice::ReadOnly));
        const QStringList rows = QString::fromUtf8(c.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(rows.first(), QString("fraction,heads_removed,accuracy_importance"));
        QCOMPARE(rows.size(), 12);
        QVERIFY(rows.last().startsWith("1.00,16,"));
        // The detector reads no text: refused with the reason.
        r = attnscope({"prune", "ppocr-det", "--out", curve});
        QVERIFY2(r.code != 0 && r.err.contains("neither reads text nor classifies"), qPrintable(r.err));
    }

    void anImageClassifiersHeads()
    {
        // An ONNX classifier built here: its prediction against the unablated one, and its
        // pruning curve on labelled images (DIR/<class>/<image>).
        const QString model = onnxclassifier::writeClassifier(dir_.path());
        QVERIFY(!model.isEmpty());
        const QString images = dir_.filePath("images");
        for (int c = 0; c < 3; ++c) {
            QVERIFY(QDir().mkpath(images + "/" + onnxclassifier::kLabels[c]));
            for (int i = 0; i < 2; ++i)
                QVERIFY(onnxclassifier::writePicture(images + "/" + onnxclassifier::kLabels[c] + QString("/%1.png").arg(i), c));
        }
        const QString out = dir_.filePath("vit.attn");
        Run r = attnscope({"run", model, images + "/Coat/0.png", "--ablate", "attention:1:1", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("class      ") && r.err.contains("predicts:") && r.err.contains("unablated:") && r.err.contains("Δ"),
                 qPrintable(r.out + r.err));
        const QString curve = dir_.filePath("vit-curve.csv");
        r = attnscope({"prune", model, "--images", images, "--seeds", "1", "--out", curve});
        QVERIFY2(r.code == 0 && r.out.contains("top-1 accuracy"), qPrintable(r.out + r.err));
        QFile c(curve);
        QVERIFY(c.open(QIODevice::ReadOnly));
        const QStringList rows = QString::fromUtf8(c.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(rows.first(), QString("fraction,heads_removed,accuracy_importance,accuracy_random_seed_1"));
        // Every head zeroed: uniform probabilities, "Bag" (the first class) everywhere — 2 of 6.
        QVERIFY2(rows.last().startsWith("1.00,1,33.3"), qPrintable(rows.last()));
        r = attnscope({"prune", model, "--out", curve});
        QVERIFY2(r.code != 0 && r.err.contains("--images DIR"), qPrintable(r.err));
        QVERIFY(QDir().mkpath(images + "/Hat"));
        QVERIFY(onnxclassifier::writePicture(images + "/Hat/0.png", 0));
        r = attnscope({"prune", model, "--images", images, "--out", curve});
        QVERIFY2(r.code != 0 && r.err.contains("the folder 'Hat' is not one of"), qPrintable(r.err));
    }

    void anOnnxTranslatorsHeads()
    {
        // An Optimum-shaped export built here: importance by ablation and by gradient (through
        // the interpreter), and its pruning curve, over a two-sentence corpus of its own words.
        const QString folder = dir_.filePath("opus");
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(onnxpair::writeFolder(folder));
        QVERIFY(onnxgraph::write(dir_.filePath("c.es"), "dios es amor\namor es dios\n"));
        QVERIFY(onnxgraph::write(dir_.filePath("c.en"), "god is love\nlove is god\n"));
        QVERIFY(onnxgraph::write(dir_.filePath("c.gold"), "0-0 1-1 2-2\n0-0 1-1 2-2\n"));
        const QStringList corpus{"--source", dir_.filePath("c.es"), "--target", dir_.filePath("c.en"), "--gold", dir_.filePath("c.gold")};
        for (const QString& method : {QString("ablation"), QString("gradient")}) {
            const QString csv = dir_.filePath("onnx-" + method + ".csv");
            Run r = attnscope(QStringList{"heads", folder, "--importance", method, "--out", csv} + corpus);
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QFile f(csv);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QStringList rows = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
            QCOMPARE(rows.size(), 4);  // header + encoder_self, decoder_self, cross_attention
            QVERIFY2(rows[3].startsWith("cross_attention,1,1,"), qPrintable(rows[3]));
        }
        const QString curve = dir_.filePath("onnx-curve.csv");
        Run r = attnscope(QStringList{"prune", folder, "--importance", "ablation", "--seeds", "1", "--out", curve} + corpus);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(QFile::exists(curve));
    }

    void lensesFromTheCommandLine()
    {
        // The norm lens is in every Transformer trace; the grad lens on request (heads, align).
        const QString csv = dir_.filePath("lenses.csv");
        Run r = attnscope({"heads", "transformer", "--split", "dev", "--limit", "2", "--lens", "grad", "--out", csv});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString table = QString::fromUtf8(f.readAll());
        for (const char* kind : {"\ncross_attention.norm,2,1,", "\ncross_attention.grad,2,1,", "\nencoder_self.grad,1,1,"})
            QVERIFY2(table.contains(kind), kind);
        const QString out = dir_.filePath("norm.jsonl");
        r = attnscope({"align", "transformer", "--split", "dev", "--limit", "2", "--lens", "norm", "--layer", "2", "--head", "mean", "--out", out});
        QVERIFY2(r.code == 0 && QFile::exists(out), qPrintable(r.err));
        r = attnscope({"heads", "gru-bahdanau", "--split", "dev", "--limit", "1", "--lens", "grad", "--out", csv});
        QVERIFY2(r.code != 0 && r.err.contains("built-in Transformer"), qPrintable(r.err));
        r = attnscope({"align", "transformer", "--lens", "glow", "--out", out});
        QVERIFY2(r.code != 0 && r.err.contains("raw, norm, grad, rollout, norm_rollout or alti"), qPrintable(r.err));
    }

    void captionersAttentionAblated()
    {
        const QString out = dir_.filePath("cap.attn");
        Run r = attnscope({"run", "scene-captioner", "scene:3", "--ablate", "attention:1:1", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("ablated attention L1 H1 (zero)") && r.err.contains("unablated:") && r.err.contains("log p"),
                 qPrintable(r.err));
        r = attnscope({"run", "scene-captioner", "scene:3", "--ablate", "attention:2:1", "--out", out});
        QVERIFY2(r.code != 0 && r.err.contains("attention has layers 1–1 (asked 2)"), qPrintable(r.err));
        r = attnscope({"run", "clip-captioner", "clip:3", "--ablate", "attention:1:1", "--ablation", "uniform", "--out", out});
        QVERIFY2(r.code == 0 && r.err.contains("ablated attention L1 H1 (uniform)"), qPrintable(r.err));
    }
};

QTEST_MAIN(TestHeadLab)
#include "test_headlab.moc"
