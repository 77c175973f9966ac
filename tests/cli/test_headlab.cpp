// The head lab from the command line: head ablation in `run` (--ablate, --ablation), head
// importance (`heads --importance`) and pruning curves (`prune`) on the shipped Transformer,
// with their messages for bad specs and models without heads.
#include "clirun.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

class TestHeadLab : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

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

};

QTEST_GUILESS_MAIN(TestHeadLab)
#include "test_headlab.moc"
