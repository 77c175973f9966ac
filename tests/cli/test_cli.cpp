// The CLI as a user runs it: exit codes, messages, files written.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QProcess>
#include <QFont>
#include <QTemporaryDir>
#include <QRegularExpression>
#include <QtTest>

#include "clirun.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/resource.h>

namespace {
/// Writes a float32 .npy [rows, cols] whose rows sum to 1, with a sink on key 0 and the diagonal.
void writeAttentionNpy(const QString& path, int rows, int cols)
{
    QByteArray header = QStringLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (%1, %2), }").arg(rows).arg(cols).toLatin1();
    while ((10 + header.size() + 1) % 64) header += ' ';
    header += '\n';
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("\x93NUMPY\x01\x00", 8);
    const quint16 len = quint16(header.size());
    f.write(reinterpret_cast<const char*>(&len), 2);
    f.write(header);
    std::vector<float> row(static_cast<size_t>(cols));
    for (int r = 0; r < rows; ++r) {
        std::fill(row.begin(), row.end(), 0.2f / float(cols));
        row[0] += 0.4f;
        row[size_t(r % cols)] += 0.4f;
        f.write(reinterpret_cast<const char*>(row.data()), qint64(row.size() * 4));
    }
}
} // namespace

class TestCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void versionAndHelpNeverNeedADisplay()
    {
        // --version prints the version (no display, no GUI); every verb answers --help; no flag
        // starts the GUI.
        Run r = attnscope({"--version"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith("attnscope 0."), qPrintable(r.out));
        for (const char* verb : {"run", "eval", "align", "heads", "render", "import", "inspect", "train", "models", "scenes", "clips"}) {
            r = attnscope({verb, "--help"});
            QVERIFY2(r.code == 0, qPrintable(QString(verb) + ": " + r.err));
            QVERIFY2(r.out.contains(QString("attnscope ") + verb), qPrintable(QString(verb) + ": " + r.out));
        }
        r = attnscope({"align", "--help"});
        QVERIFY(!r.out.contains("Unknown option") && !r.err.contains("Unknown option"));
        r = attnscope({"--bogus-flag"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("unknown option"));
    }
    void models()
    {
        const Run r = attnscope({"models"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("gru-bahdanau"));
        QVERIFY(r.out.contains("ready"));
    }
    void runWritesPngOfRequestedSize()
    {
        const QString png = dir_.filePath("a.png");
        const Run r = attnscope({"run", "gru-bahdanau", "En el principio crió Dios los cielos y la tierra.", "--out", png,
                                 "--width", "900", "--height", "700"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QImage img(png);
        QCOMPARE(img.size(), QSize(900, 700));
    }
    void runVerseWritesTraceAndSvg()
    {
        const QString attn = dir_.filePath("ruth.json");
        Run r = attnscope({"run", "gru-bahdanau", "Ruth 1:16", "--out", attn});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(attn);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(o["metadata"].toObject()["verse"].toString(), QString("Ruth 1:16"));
        QVERIFY(!o["gold_links"].toArray().isEmpty());
        // A saved trace renders again without the model.
        const QString pdf = dir_.filePath("ruth.pdf");
        r = attnscope({"render", attn, "--out", pdf});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile pdfFile(pdf);
        QVERIFY(pdfFile.open(QIODevice::ReadOnly));
        QVERIFY(pdfFile.read(5) == "%PDF-");
        r = attnscope({"render", dir_.filePath("missing.attn"), "--out", pdf});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("not found"));
        const QString svg = dir_.filePath("ruth.svg");
        r = attnscope({"run", "gru-bahdanau", "Ruth 1:16", "--out", svg});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile s(svg);
        QVERIFY(s.open(QIODevice::ReadOnly));
        QVERIFY(s.readAll().contains("pueblo"));
    }
    void badInputFailsWithMessage()
    {
        Run r = attnscope({"run", "gru-bahdanau", "", "--out", dir_.filePath("x.png")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("empty"));
        r = attnscope({"run", "gru-bahdanau", "Dios es amor", "--out", "/proc/nope/x.png"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("cannot write"));
        r = attnscope({"run", "no-such-model", "Dios", "--out", dir_.filePath("x.png")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("unknown model"));
        r = attnscope({"run", "gru-bahdanau", "Dios", "--out", dir_.filePath("x.bmpx")});
        QCOMPARE(r.code, 2);
        r = attnscope({"frobnicate"});  // never falls through to the GUI
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("unknown command"));
        r = attnscope({"eval", "gru-bahdanau", "--split", "train"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("never on train"));
    }
    void aFullDiskFailsTheWriteAndKeepsThePreviousFile()
    {
        const QString npy = dir_.filePath("full.npy");
        writeAttentionNpy(npy, 64, 64);
        const QString attn = dir_.filePath("full-input.attn");
        QCOMPARE(attnscope({"import", npy, "--out", attn}).code, 0);
        QTemporaryDir out;
        const QString full = QString::fromLocal8Bit(std::strerror(EFBIG));
        for (const char* name : {"fig.png", "fig.svg", "fig.pdf", "trace.attn", "trace.json"}) {
            const QString path = out.filePath(name);
            {
                QFile f(path);
                QVERIFY(f.open(QIODevice::WriteOnly));
                f.write("previous");
            }
            const bool figure = !QString(name).startsWith("trace");
            const Run r = figure ? attnscope({"render", attn, "--out", path}, 512) : attnscope({"import", npy, "--out", path}, 512);
            QVERIFY2(r.code != 0, name);
            QVERIFY2(r.err.contains(full) && !r.err.contains("wrote") && !r.err.contains("Unknown error"), qPrintable(r.err));
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QCOMPARE(f.readAll(), QByteArray("previous"));
            QCOMPARE(QDir(out.path()).entryList(QDir::Files | QDir::Hidden), QStringList{name});  // no temporary left
            QFile::remove(path);
        }
    }
    void nonFiniteTracesRenderWithAWarning()
    {
        // A trace file holding NaN renders (NaN drawn as no value) and says where the NaN is.
        const QString json = dir_.filePath("nan-trace.json");
        QFile f(json);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"format\": \"attnscope-trace\", \"version\": 1, \"model\": \"m\", \"tensors\": [{\"name\": \"cross\", "
                "\"axes\": [\"target\", \"source\"], \"shape\": [2, 2], \"labels\": [[\"a\", \"b\"], [\"c\", \"d\"]], "
                "\"dtype\": \"float32\", \"values\": [[0.5, null], [0.25, 0.75]]}]}");
        f.close();
        const Run r = attnscope({"render", json, "--out", dir_.filePath("nan.png")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("warning: cross: 1 non-finite value (NaN or ±Inf), the first at [0, 1]"), qPrintable(r.err));
    }
    void importDumps()
    {
        const QString json = dir_.filePath("dump.json");
        QFile f(json);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"tokens": ["God", "is", "love"], "attention": [[[0.8, 0.1, 0.1], [0.2, 0.6, 0.2], [0, 0, 1]],
                                                                  [[0.3, 0.3, 0.4], [0.1, 0.1, 0.8], [0.5, 0.5, 0]]]})");
        f.close();
        const QString attn = dir_.filePath("dump.attn");
        Run r = attnscope({"import", json, "--out", attn});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.err.contains("1 layers × 2 heads × 3 × 3"));
        const QString png = dir_.filePath("dump.png");
        r = attnscope({"import", json, "--out", png});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(!QImage(png).isNull());
        // Every view of the saved trace as a figure: grid (PNG), token flow (SVG with labels), one head (PDF).
        const QString grid = dir_.filePath("grid.png");
        r = attnscope({"render", attn, "--view", "grid", "--dpi", "192", "--out", grid});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        // 2 heads × 1 layer and the title row above them (28 px), 2× pixels at 192 dpi.
        QCOMPARE(QImage(grid).size(), QSize(2 * (40 + 2 * 100), 2 * (40 + 1 * 100 + 28)));
        const QString flow = dir_.filePath("flow.svg");
        r = attnscope({"render", attn, "--view", "flow", "--out", flow});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile flowFile(flow);
        QVERIFY(flowFile.open(QIODevice::ReadOnly));
        QVERIFY(flowFile.readAll().contains("love"));
        r = attnscope({"render", attn, "--view", "matrix", "--head", "2", "--out", dir_.filePath("h2.pdf")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = attnscope({"render", attn, "--view", "matrix", "--head", "7", "--out", dir_.filePath("h7.pdf")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("no layer 1, head 7"));
        r = attnscope({"render", attn, "--view", "pie", "--out", dir_.filePath("x.png")});
        QCOMPARE(r.code, 1);
        // SentencePiece pieces drawn as words (--words): "▁lo ve" → "love", "▁a mor" → "amor".
        const QString pieces = dir_.filePath("pieces.json");
        QFile pf(pieces);
        QVERIFY(pf.open(QIODevice::WriteOnly));
        pf.write(QString(R"({"tokens": ["▁lo", "ve", "▁a", "mor"], "attention": [[[0.5, 0.3, 0.1, 0.1], [0.1, 0.7, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25], [0, 0, 0.5, 0.5]]]})").toUtf8());
        pf.close();
        const QString piecesAttn = dir_.filePath("pieces.attn");
        r = attnscope({"import", pieces, "--out", piecesAttn});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString wordsSvg = dir_.filePath("words.svg");
        r = attnscope({"render", piecesAttn, "--view", "flow", "--words", "--out", wordsSvg});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile wf(wordsSvg);
        QVERIFY(wf.open(QIODevice::ReadOnly));
        const QByteArray svgWords = wf.readAll();
        QVERIFY2(svgWords.contains("love") && svgWords.contains("amor"), "pieces joined into their words");
        QFile bad(dir_.filePath("bad.npy"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("\x93NUMPY garbage");
        bad.close();
        r = attnscope({"import", bad.fileName(), "--out", attn});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("bad.npy"));
    }
    void longMatricesRenderAndImport()
    {
        // 2,100 tokens: past the ordinary figure, drawn one pixel per block by the front end
        // (no LibTorch), imported into float16 tiles, rendered again from the pyramid.
        const QString npy = dir_.filePath("long.npy");
        writeAttentionNpy(npy, 2100, 2100);
        const QString png = dir_.filePath("long.png");
        Run r = attnscope({"import", npy, "--out", png});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("each pixel the max of 3 × 3"), qPrintable(r.err));
        QImage img(png);
        QVERIFY(img.width() > 700 && img.height() > 700);
        const QString attn = dir_.filePath("long.attn");
        r = attnscope({"import", npy, "--out", attn, "--dtype", "bfloat16"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("bfloat16 tiles with a level-of-detail pyramid"), qPrintable(r.err));
        QVERIFY(QFileInfo(attn).size() < 2100LL * 2100 * 4 * 8 / 10);  // 2 bytes a weight, plus the pyramid and tile padding
        const QString svg = dir_.filePath("long-log.svg");
        r = attnscope({"render", attn, "--out", svg, "--scale", "log"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile s(svg);
        QVERIFY(s.open(QIODevice::ReadOnly));
        QVERIFY(s.readAll().contains("log scale"));
        r = attnscope({"render", attn, "--out", png, "--scale", "sideways"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("--scale takes"));
        r = attnscope({"render", attn, "--out", png, "--head", "mean"});
        QCOMPARE(r.code, 2);
        // A truncated tiled file is refused with a message.
        QFile::copy(attn, dir_.filePath("cut.attn"));
        QFile cut(dir_.filePath("cut.attn"));
        QVERIFY(cut.resize(cut.size() / 2));
        r = attnscope({"render", dir_.filePath("cut.attn"), "--out", png});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("truncated"), qPrintable(r.err));
    }
    void bookThroughTheEncoder()
    {
        // A whole book as one sequence: Ruth, ~2,400 tokens, weights in tiles.
        const QString attn = dir_.filePath("ruth-book.attn");
        Run r = attnscope({"run", "transformer", "--book", "Ruth", "--encoder-only", "--out", attn});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("Ruth, whole book: 85 verses"), qPrintable(r.err));
        QVERIFY2(r.err.contains("float16 tiles"), qPrintable(r.err));
        r = attnscope({"render", attn, "--out", dir_.filePath("ruth-book.png"), "--layer", "3", "--head", "2"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(QImage(dir_.filePath("ruth-book.png")).width() > 600);
        // Queries and keys instead: O(n·d).
        const QString qk = dir_.filePath("ruth-qk.attn");
        r = attnscope({"run", "transformer", "--book", "Ruth", "--encoder-only", "--qk", "--out", qk});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(QFileInfo(qk).size() < QFileInfo(attn).size() / 4);
        r = attnscope({"render", qk, "--out", dir_.filePath("ruth-qk.png"), "--scale", "row"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = attnscope({"run", "transformer", "--book", "Narnia", "--encoder-only", "--out", attn});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("no book 'Narnia'"));
        r = attnscope({"run", "transformer", "--book", "Ruth", "--out", attn});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("--encoder-only"));
    }
    void evalAndAlign()
    {
        Run r = attnscope({"eval", "gru-bahdanau", "--split", "dev", "--limit", "30", "--no-bleu"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("AER"));
        // Progress says how many of how many and the time left, not only a percentage.
        QVERIFY2(r.err.contains(QRegularExpression("eval: \\d+/30 \\(\\d+%\\), about .* left")), qPrintable(r.err));
        QVERIFY2(r.err.contains("eval: 30/30 (100%), done in"), qPrintable(r.err));
        QVERIFY(r.out.contains("diagonal"));
        const QString jsonl = dir_.filePath("dev.jsonl");
        r = attnscope({"align", "gru-bahdanau", "--split", "dev", "--out", jsonl});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(jsonl);
        QVERIFY(f.open(QIODevice::ReadOnly));
        int lines = 0;
        while (!f.atEnd()) {
            const QJsonObject o = QJsonDocument::fromJson(f.readLine()).object();
            QVERIFY(o.contains("ref"));
            const int ns = o["source"].toArray().size(), nt = o["target"].toArray().size();
            QCOMPARE(o["links"].toArray().size(), nt);  // one link per target word
            for (const auto& l : o["links"].toArray()) {
                QVERIFY(l.toArray()[0].toInt() < ns);
                QVERIFY(l.toArray()[1].toInt() < nt);
            }
            ++lines;
        }
        QVERIFY(lines > 150);
    }
    void ownGoldAndExtractionMethods()
    {
        // Your own corpus: two tokenised sentence pairs with Pharaoh gold (sure and possible).
        auto write = [&](const QString& name, const QByteArray& text) {
            QFile f(dir_.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text);
        };
        write("own.es", "dios creó los cielos y la tierra\ny dijo dios : sea la luz\n");
        write("own.en", "god created the heavens and the earth\nand god said : let there be light\n");
        write("own.gold", "0-0 1-1 2?2 3-3 4-4 5-5 6-6\n0-0 1-2 2-1 3-3 4?4 4?5 4?6 5p6 6-7\n");
        const QStringList corpus{"--source", dir_.filePath("own.es"), "--target", dir_.filePath("own.en"),
                                 "--gold", dir_.filePath("own.gold")};
        QMap<QString, QString> aer;
        for (const QString& m : {"argmax", "gdfa", "shift", "threshold"}) {
            Run r = attnscope(QStringList{"eval", "transformer", "--no-bleu", "--method", m} + corpus);
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QVERIFY(r.out.contains("corpus " + dir_.filePath("own.es")));
            QVERIFY(r.out.contains("2 verses"));
            QVERIFY(r.out.contains("method     " + m));
            const auto match = QRegularExpression("AER\\s+([0-9.]+)%").match(r.out);
            QVERIFY(match.hasMatch());
            aer[m] = match.captured(1);
        }
        QVERIFY2(aer["argmax"] != aer["shift"], "the method changes the links");
        // align writes Pharaoh links; gdfa reads both row and column argmax, so it has at
        // least one link per target word of argmax plus any grown ones.
        const QString jsonl = dir_.filePath("own.jsonl");
        Run r = attnscope(QStringList{"align", "transformer", "--method", "gdfa", "--out", jsonl} + corpus);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(jsonl);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject first = QJsonDocument::fromJson(f.readLine()).object();
        QCOMPARE(first["ref"].toString(), QString("own 1"));
        QVERIFY(first["pharaoh"].toString().contains('-'));
        // heads: the per-head table on your own gold.
        r = attnscope(QStringList{"heads", "transformer", "--out", dir_.filePath("own.csv")} + corpus);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("best AER"));
        // A reverse model symmetrises (here the same model stands in for an English→Spanish one).
        r = attnscope(QStringList{"eval", "transformer", "--no-bleu", "--reverse-model", "transformer"} + corpus);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("symmetrised with transformer"));
        // Bad input: an index past the sentence, a missing part of the corpus, an unknown method.
        write("bad.gold", "0-0 1-9\n");
        r = attnscope({"eval", "transformer", "--source", dir_.filePath("own.es"), "--target", dir_.filePath("own.en"),
                       "--gold", dir_.filePath("bad.gold")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("target index 9") && r.err.contains("7 words"), qPrintable(r.err));
        r = attnscope({"eval", "transformer", "--source", dir_.filePath("own.es"), "--gold", dir_.filePath("own.gold")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("--target"));
        // A folder or an empty file as the gold: an error, not "AER 100 %".
        for (const QString& gold : {dir_.path(), dir_.filePath("empty.gold")}) {
            write("empty.gold", "\n\n");
            r = attnscope({"eval", "transformer", "--no-bleu", "--source", dir_.filePath("own.es"), "--target",
                           dir_.filePath("own.en"), "--gold", gold});
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.contains("not a regular file (a folder)") || r.err.contains("no alignment links on any line"),
                     qPrintable(r.err));
            QVERIFY(!r.out.contains("AER"));
        }
        r = attnscope(QStringList{"eval", "transformer", "--method", "intersect"} + corpus);
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("argmax, threshold, gdfa or shift"));
    }
    void batchExportAndDpi()
    {
        const QString dir = dir_.filePath("batch");
        Run r = attnscope({"run", "gru-bahdanau", "--split", "dev", "--limit", "3", "--format", "svg", "--out", dir});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QRegularExpression("export: (\\d+)/\\1 \\(100%\\), done in")), qPrintable(r.err));
        const QStringList files = QDir(dir).entryList({"*.svg"});
        QCOMPARE(files.size(), 3);
        QVERIFY2(files.contains("Obadiah_1-1.svg"), qPrintable(files.join(' ')));  // dev starts with Obadiah
        QFile svg(QDir(dir).filePath("Obadiah_1-1.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().contains("Abdías"));  // the source tokens are in the figure
        r = attnscope({"run", "gru-bahdanau", "--split", "dev", "--out", dir, "Obadiah 1:1"});
        QCOMPARE(r.code, 2);  // a batch takes no INPUT
        // PNG resolution: 192 dpi doubles the pixels of a 96-dpi figure of the same size.
        const QString a = dir_.filePath("96.png"), b = dir_.filePath("192.png");
        QCOMPARE(attnscope({"run", "gru-bahdanau", "Dios es amor.", "--width", "400", "--height", "300", "--out", a}).code, 0);
        QCOMPARE(attnscope({"run", "gru-bahdanau", "Dios es amor.", "--width", "400", "--height", "300", "--dpi", "192", "--out", b}).code, 0);
        QCOMPARE(QImage(a).size(), QSize(400, 300));
        QCOMPARE(QImage(b).size(), QSize(800, 600));
        QVERIFY(std::abs(QImage(b).dotsPerMeterX() - 192 / 0.0254) < 100);
        QCOMPARE(attnscope({"run", "gru-bahdanau", "Dios", "--dpi", "0", "--out", a}).code, 2);
    }
    void transformerHeadsAlignAndViews()
    {
        // The head table over a split, as CSV: 3 kinds × 12 heads + their 3 layer means and the
        // mean of all 12 heads each, the same for each kind's norm lens and for cross-attention's
        // rollout, norm-based rollout and ALTI; the self-attention rollouts and the encoder's ALTI
        // have one map per layer (3 + 3 means + 1).
        const QString csv = dir_.filePath("heads.csv");
        Run r = attnscope({"heads", "transformer", "--split", "dev", "--limit", "12", "--out", csv});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("diagonal baseline AER"));
        QVERIFY(r.out.contains("cross_attention "));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
        QVERIFY(lines[0].startsWith("kind,layer,head,entropy_bits,same,previous,next,punctuation,eos,aer"));
        QCOMPARE(lines.size(), 1 + (2 * 3 + 3) * (12 + 3 + 1) + 5 * (3 + 3 + 1));
        int scored = 0;
        for (const QString& line : lines.mid(1)) {
            const QStringList cells = line.split(',');
            QCOMPARE(cells.size(), 15);
            if (cells[0].startsWith("cross_attention")) {
                const double aer = cells[9].toDouble();
                QVERIFY(!cells[9].isEmpty() && aer >= 0 && aer <= 1);
                ++scored;
            } else {
                QVERIFY(cells[9].isEmpty());  // self-attention has no gold
            }
        }
        QCOMPARE(scored, 5 * (12 + 3 + 1));  // cross_attention and its norm, rollout, norm_rollout and alti lenses
        QVERIFY(r.out.contains("cross_attention · mean of all heads"));
        for (const char* lens : {"norm", "rollout", "norm_rollout", "alti"})
            QVERIFY2(r.out.contains(QString("cross_attention.%1 · mean of all heads").arg(lens)), lens);
        // Alignments from one chosen head or a layer's mean.
        const QString jsonl = dir_.filePath("mean.jsonl");
        r = attnscope({"align", "transformer", "--split", "dev", "--kind", "cross_attention", "--layer", "2", "--head",
                       "mean", "--out", jsonl});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile j(jsonl);
        QVERIFY(j.open(QIODevice::ReadOnly));
        const QJsonObject first = QJsonDocument::fromJson(j.readLine()).object();
        QCOMPARE(first["links"].toArray().size(), first["target"].toArray().size());
        QVERIFY(first.contains("aer"));
        r = attnscope({"align", "transformer", "--split", "dev", "--layer", "9", "--kind", "cross_attention", "--out", jsonl});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("3 layers × 4 heads"), qPrintable(r.err));
        r = attnscope({"align", "transformer", "--split", "dev", "--head", "first", "--out", jsonl});
        QCOMPARE(r.code, 2);
        // The views of `run`: grid, flow, one head, and two heads of two models compared.
        for (const QStringList& view : {QStringList{"--view", "grid", "--kind", "encoder_self"},
                                        QStringList{"--view", "flow", "--kind", "cross_attention", "--layer", "3"},
                                        QStringList{"--view", "matrix", "--kind", "decoder_self", "--layer", "1", "--head", "4"},
                                        QStringList{"--view", "compare", "--kind", "cross_attention", "--layer", "2", "--head",
                                                    "1", "--compare-model", "gru-bahdanau"}}) {
            const QString png = dir_.filePath("view.png");
            QFile::remove(png);
            r = attnscope(QStringList{"run", "transformer", "Ruth 1:16", "--out", png} + view);
            QVERIFY2(r.code == 0, qPrintable(view.join(' ') + ": " + r.err));
            QVERIFY(!QImage(png).isNull());
        }
        r = attnscope({"run", "transformer", "Dios es amor.", "--view", "matrix", "--kind", "encoder_self", "--head", "5",
                       "--out", dir_.filePath("x.png")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no layer 1, head 5"), qPrintable(r.err));
        r = attnscope({"run", "gru-bahdanau", "Dios es amor.", "--compare-model", "transformer", "--out", dir_.filePath("x.png")});
        QCOMPARE(r.code, 2);  // --compare-model goes with --view compare
    }
    void lensesOnTheCommandLine()
    {
        // run --lens: the view reads the heads through the lens; grad is computed on request.
        const QString png = dir_.filePath("lens.png"), attn = dir_.filePath("lens.attn");
        Run r0;
        for (const char* lens : {"norm", "rollout", "norm_rollout", "alti"}) {
            QFile::remove(png);
            const Run r = attnscope({"run", "transformer", "Dios es amor .", "--target", "God is love .", "--lens", lens,
                                     "--view", "grid", "--out", png});
            QVERIFY2(r.code == 0, qPrintable(QString(lens) + ": " + r.err));
            QVERIFY(!QImage(png).isNull());
        }
        // Grid figures say what they show (issue 28, item 14): model · tensor (the lens) · heads.
        const QString svg = dir_.filePath("lens.svg");
        r0 = attnscope({"run", "transformer", "Dios es amor .", "--target", "God is love .", "--lens", "alti", "--view", "grid",
                        "--out", svg});
        QVERIFY2(r0.code == 0, qPrintable(r0.err));
        QFile svgFile(svg);
        QVERIFY(svgFile.open(QIODevice::ReadOnly));
        QVERIFY(QString::fromUtf8(svgFile.readAll()).contains("transformer · cross_attention.alti · every head (3 layers × 4 heads)"));
        const QString json = dir_.filePath("lens.json");
        Run r = attnscope({"run", "transformer", "Dios es amor .", "--target", "God is love .", "--lens", "grad", "--out", json});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile saved(json);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        const QByteArray text = saved.readAll();
        for (const char* name : {"cross_attention.grad", "encoder_self.alti", "cross_attention.alti", "encoder_self.rollout"})
            QVERIFY2(text.contains(QByteArray("\"") + name + "\""), name);
        r = attnscope({"run", "transformer", "Dios es amor .", "--lens", "grad", "--out", png});
        QCOMPARE(r.code, 2);  // free decoding has no reference to differentiate
        QVERIFY2(r.err.contains("--target"), qPrintable(r.err));
        r = attnscope({"run", "transformer", "Dios es amor .", "--lens", "glow", "--out", png});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("raw, norm, grad, rollout, norm_rollout or alti"), qPrintable(r.err));
        // render --lens on a GRU trace: its norm lens is there, ALTI is not (no self-attention).
        r = attnscope({"run", "gru-bahdanau", "Dios es amor .", "--target", "God is love .", "--out", attn});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile::remove(png);
        r = attnscope({"render", attn, "--lens", "norm", "--out", png});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(!QImage(png).isNull());
        r = attnscope({"render", attn, "--lens", "alti", "--out", png});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no cross.alti"), qPrintable(r.err));
        // eval --lens: one head through a lens as the aligner, scored over the split (no BLEU).
        r = attnscope({"eval", "transformer", "--split", "dev", "--limit", "3", "--lens", "alti", "--layer", "3", "--head", "mean"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("cross_attention.alti layer 3 mean over heads") && r.out.contains("AER") && !r.out.contains("BLEU"),
                 qPrintable(r.out));
        // align --lens: links read off a lens, scored against gold.
        const QString jsonl = dir_.filePath("alti.jsonl");
        r = attnscope({"align", "transformer", "--split", "dev", "--limit", "3", "--lens", "alti", "--layer", "3", "--head", "mean",
                       "--out", jsonl});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile j(jsonl);
        QVERIFY(j.open(QIODevice::ReadOnly));
        QVERIFY(QJsonDocument::fromJson(j.readLine()).object().contains("aer"));
    }
    void imageModels()
    {
        const QString channels = dir_.filePath("channels.png");
        Run r = attnscope({"run", "fmnist-se", "test:0", "--view", "channels", "--sort", "--out", channels});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("Ankle boot"));
        QVERIFY(QImage(channels).width() > 800);
        const QString spatial = dir_.filePath("spatial.png");
        r = attnscope({"run", "fmnist-cbam", "test:0", "--view", "spatial", "--block", "1", "--out", spatial});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(!QImage(spatial).isNull());
        r = attnscope({"run", "fmnist-se", "test:0", "--view", "spatial", "--out", spatial});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no spatial attention"), qPrintable(r.err));
        const QString trace = dir_.filePath("boot.json");
        r = attnscope({"run", "fmnist-eca", "test:0", "--out", trace});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(trace);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("block3.excitation"));
        r = attnscope({"eval", "fmnist-cnn", "--limit", "500"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("accuracy"));
        // Bad input: a clear message and a non-zero exit.
        r = attnscope({"run", "fmnist-se", dir_.filePath("missing.png"), "--out", channels});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("no such file"));
        QFile empty(dir_.filePath("empty.png"));
        QVERIFY(empty.open(QIODevice::WriteOnly));
        empty.close();
        r = attnscope({"run", "fmnist-se", empty.fileName(), "--out", channels});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("0 bytes"));
        r = attnscope({"run", "fmnist-se", "test:0", "--view", "grid", "--out", channels});
        QCOMPARE(r.code, 2);
        r = attnscope({"run", "fmnist-se", "test:0", "--block", "4", "--out", channels});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("no block 4"));
    }
    void onnxVisionModels()
    {
        // PaddleOCR PP-OCRv4 (scripts/install-deps caches it): inspect, run to a trace and a
        // figure, the detector's map; bad input exits non-zero with a message.
        QImage line(400, 60, QImage::Format_RGB32);
        line.fill(Qt::white);
        {
            QPainter p(&line);
            QFont f("DejaVu Sans");
            f.setPixelSize(36);
            p.setFont(f);
            p.setPen(Qt::black);
            p.drawText(10, 45, "Hello World 2026");
        }
        const QString png = dir_.filePath("line.png");
        QVERIFY(line.save(png));
        const QString cache = QDir::homePath() + "/.cache/attnscope/ocr-models-1.4.2";
        const QString rec = qEnvironmentVariable("ATTNSCOPE_OCR_MODELS", cache) + "/ch_PP-OCRv4_rec_infer.onnx";
        Run r = attnscope({"inspect", rec});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("opset      9"));
        QVERIFY(r.out.contains("every operator maps onto ATen"));
        QVERIFY(r.out.contains("attention  layer 2: p2o.Softmax.1"));
        QVERIFY(r.out.contains("channel    gate 2: p2o.HardSigmoid.1"));
        const QString trace = dir_.filePath("line.attn");
        r = attnscope({"run", rec, png, "--out", trace});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("text       Hello World 2026"), qPrintable(r.out));
        QVERIFY(r.out.contains("attention: 2 layers × 8 heads × 40 queries × 40 keys"));
        QVERIFY(QFileInfo(trace).size() > 40 * 40 * 16 * 4);
        const QString fig = dir_.filePath("strip.png");
        r = attnscope({"run", "ppocr-rec", png, "--patch", "5", "--head", "3", "--out", fig});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(QImage(fig).width() >= 640);
        r = attnscope({"run", "ppocr-det", png, "--view", "map:text probability", "--out", dir_.filePath("map.png")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("10 gates"));
        // Bad input.
        r = attnscope({"run", "ppocr-rec", png, "--view", "cls", "--out", fig});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no CLS token"), qPrintable(r.err));
        r = attnscope({"run", "ppocr-rec", dir_.filePath("nope.png"), "--out", fig});
        QCOMPARE(r.code, 1);
        QFile junk(dir_.filePath("junk.onnx"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("\x08\x07garbage");
        junk.close();
        r = attnscope({"run", junk.fileName(), png, "--out", fig});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("not an ONNX model") || r.err.contains("checker"), qPrintable(r.err));
        r = attnscope({"inspect", junk.fileName()});
        QCOMPARE(r.code, 1);
    }
    void spatialTransformer()
    {
        const QString png = dir_.filePath("stn.png");
        Run r = attnscope({"run", "fmnist-stn-rts", "test:3", "--view", "stn", "--grid", "6", "--out", png});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("θ = ["));
        QVERIFY(r.out.contains("rotation"));
        QVERIFY(!QImage(png).isNull());
        const QString json = dir_.filePath("stn.json");
        r = attnscope({"run", "fmnist-stn-rts", "test:3", "--theta", "0.5,0,0,0,0.5,0", "--distort", "30,0.9,2,2", "--out", json});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(text.contains("\"theta_source\": \"manual\"") || text.contains("\"theta_source\":\"manual\""));
        r = attnscope({"eval", "fmnist-cnn-rts", "--limit", "200"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("error"));
        QVERIFY(r.out.contains("plain CNN"));
        r = attnscope({"run", "fmnist-cnn-rts", "test:3", "--view", "stn", "--out", png});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("no spatial transformer"));
        r = attnscope({"run", "fmnist-stn-rts", "test:3", "--theta", "1,0,0", "--out", png});
        QCOMPARE(r.code, 2);
    }

    void sceneCaptioner()
    {
        // A shipped scene PNG → the word-by-word figure.
        const QString png = dir_.filePath("caption.png");
        Run r = attnscope({"run", "scene-captioner", QStringLiteral(ATTNSCOPE_RESOURCE_DIR "/scenes/scene-000.png"), "--view", "caption",
                           "--out", png});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("→ \""));
        QVERIFY(!QImage(png).isNull());
        // A generated scene with forced decoding → the trace.
        const QString json = dir_.filePath("caption.json");
        r = attnscope({"run", "scene-captioner", "scene:0", "--target", "a bag centre left", "--attention", "hard", "--out", json});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(text.contains("soft_attention"));
        QVERIFY(text.contains("hard-argmax"));
        // The gold caption is scored against the items' boxes.
        r = attnscope({"run", "scene-captioner", "scene:1", "--beam", "3", "--out", json});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("gold caption"));
        // Unknown words, empty captions, bad files, wrong view: a message and a non-zero exit.
        r = attnscope({"run", "scene-captioner", "scene:0", "--target", "a hat top left", "--out", json});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("unknown word 'hat'"));
        r = attnscope({"run", "scene-captioner", "scene:0", "--target", "  ", "--out", json});
        QCOMPARE(r.code, 1);
        r = attnscope({"run", "scene-captioner", dir_.filePath("missing.png"), "--out", json});
        QCOMPARE(r.code, 1);
        r = attnscope({"run", "scene-captioner", "scene:0", "--view", "grid", "--out", json});
        QCOMPARE(r.code, 2);
        // eval prints the metrics; scenes writes PNG files.
        r = attnscope({"eval", "scene-captioner", "--scenes", "20"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("peak in the item's box"));
        QVERIFY(r.out.contains("exact match"));
        r = attnscope({"scenes", "--out", dir_.filePath("scenes"), "--count", "3"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(QFile::exists(dir_.filePath("scenes/scene-002.png")));
        QVERIFY(QFile::exists(dir_.filePath("scenes/scenes.tsv")));
    }
};

QTEST_MAIN(TestCli)
#include "test_cli.moc"
