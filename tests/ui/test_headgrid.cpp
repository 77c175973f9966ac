// Head grid: shape checks, thumbnails at the right places, hover summary, click → signal.
#include "views/headgridview.h"
#include "views/colormaps.h"
#include "views/colorscale.h"

#include <qcustomplot.h>

#include <QSignalSpy>
#include <QtTest>

#include <limits>

using namespace attnscope;
using namespace attnscope::ui;

namespace {
/// The numbers analyzeHeads computes once for the views (no gold).
HeadAnalysis analysed(const TraceTensor& t)
{
    HeadAnalysis a;
    analyzeHeads(t, nullptr, {}, a);
    return a;
}

TraceTensor heads(int L, int H, int n)
{
    TraceTensor t;
    t.name = "encoder_self";
    t.axes = {"layer", "head", "query", "key"};
    t.shape = {L, H, n, n};
    t.values.assign(size_t(L * H * n * n), 1.0f / float(n));  // uniform rows: entropy log2(n)
    // Layer 0, head 1 attends to itself only: entropy 0.
    for (int q = 0; q < n; ++q)
        for (int k = 0; k < n; ++k) t.values[size_t(((0 * H + 1) * n + q) * n + k)] = q == k ? 1.0f : 0.0f;
    return t;
}
} // namespace

class TestHeadGrid : public QObject {
    Q_OBJECT
private slots:
    void refusesWrongShape()
    {
        HeadGridView v;
        TraceTensor t;
        t.name = "cross";
        t.shape = {3, 4};
        t.values.assign(12, 0.1f);
        QString error;
        QVERIFY(!v.setTensor(t, {}, &error));
        QVERIFY(error.contains("4-D"));
        // Numbers of another layout are refused too.
        QVERIFY(!v.setTensor(heads(2, 3, 4), analysed(heads(1, 3, 4)), &error));
        QVERIFY(error.contains("another tensor"));
        QCOMPARE(v.layers(), 0);
    }
    void oneMapPerLayerKeepsItsAspect()
    {
        // A rollout or a mean over heads ([L, 1, n, n]) in a wide panel: square maps stay within
        // 3 : 1, never stretched over the whole width.
        HeadGridView v;
        v.resize(1200, 400);
        const TraceTensor t = heads(3, 1, 6);
        QVERIFY(v.setTensor(t, analysed(t)));
        const QRect r = v.cellRect(0, 0);
        QVERIFY2(r.width() <= 3 * r.height() + 1 && r.height() <= 3 * r.width() + 1,
                 qPrintable(QString("%1 × %2").arg(r.width()).arg(r.height())));
        QVERIFY(r.height() > 50);  // and still as large as the height allows
    }
    void gridHoverAndClick()
    {
        HeadGridView v;
        v.resize(800, 600);
        v.show();
        QVERIFY(v.setTensor(heads(2, 3, 8), analysed(heads(2, 3, 8))));
        QCOMPARE(v.layers(), 2);
        QCOMPARE(v.heads(), 3);
        QVERIFY(qFuzzyIsNull(v.meanEntropy(0, 1)));
        QVERIFY(qFuzzyCompare(v.meanEntropy(1, 2), 3.0));  // log2(8)
        QVERIFY(v.headSummary(0, 1).startsWith("layer 1, head 2"));
        int l = -1, h = -1;
        const QPoint centre = v.cellRect(1, 2).center();
        QVERIFY(v.headAt(centre, &l, &h));
        QCOMPARE(l, 1);
        QCOMPARE(h, 2);
        QSignalSpy clicked(&v, &HeadGridView::headClicked);
        QTest::mouseClick(&v, Qt::LeftButton, Qt::NoModifier, centre);
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked[0][0].toInt(), 1);
        QCOMPARE(clicked[0][1].toInt(), 2);
        // The drawn thumbnail of the diagonal head shows a bright diagonal, dark elsewhere.
        const QImage shot = v.grab().toImage();
        const QRect r = v.cellRect(0, 1);
        const QColor onDiagonal = shot.pixelColor(r.left() + 1, r.top() + 1);
        const QColor offDiagonal = shot.pixelColor(r.right() - 1, r.top() + 1);
        QVERIFY(onDiagonal.lightness() > offDiagonal.lightness() + 80);
    }
    void nonFiniteCellsAreNoValue()
    {
        // A NaN and an Inf are drawn as no value (the background shows), never as a colour of
        // the map; a 0 beside them keeps the map's colour for 0.
        TraceTensor t = heads(1, 2, 4);  // head 1 is the diagonal one; head 0 gets the NaN
        t.values[0] = std::numeric_limits<float>::quiet_NaN();
        t.values[1] = std::numeric_limits<float>::infinity();
        t.values[2] = 0.0f;
        HeadGridView v;
        v.resize(400, 400);
        v.show();
        QVERIFY(v.setTensor(t, analysed(t)));
        v.setColorMap("viridis");
        const QImage shot = v.grab().toImage();
        const QRect r = v.cellRect(0, 0);
        const int cw = r.width() / 4;
        const QColor background = shot.pixelColor(1, 1);  // the margin
        const QColor nan = shot.pixelColor(r.left() + cw / 2, r.top() + 2);
        const QColor inf = shot.pixelColor(r.left() + cw + cw / 2, r.top() + 2);
        const QColor zero = shot.pixelColor(r.left() + 2 * cw + cw / 2, r.top() + 2);
        QCOMPARE(nan, background);
        QCOMPARE(inf, background);
        QCOMPARE(zero.rgb(), colorTable("viridis")[0]);
        // The same rule in the shared pieces: the Long view's colouring, the matrix's gradient.
        const float row[3] = {std::numeric_limits<float>::quiet_NaN(), 0.5f, -std::numeric_limits<float>::infinity()};
        const QImage long1 = colorize(row, 3, 1, ColorScale{}, colorTable("viridis"));
        QCOMPARE(qAlpha(long1.pixel(0, 0)), 0);
        QCOMPARE(qAlpha(long1.pixel(2, 0)), 0);
        QCOMPARE(qAlpha(long1.pixel(1, 0)), 255);
        QCOMPARE(tableIndex(std::nan("")), -1);
        QCOMPARE(colorGradient("magma").nanHandling(), QCPColorGradient::nhTransparent);
    }
    void logColoursAreTheScalesPositions()
    {
        // The log scale colours by a search over its 255 steps (no log10 per cell): every weight
        // from 10⁻⁹ to 2× the top gets the colour of its position on the bar, ±1 step only where
        // a weight sits on a step within rounding.
        ColorScale s;
        s.mode = ScaleMode::Log;
        s.decades = 4;
        s.top = 0.37;
        const QVector<QRgb> table = colorTable("viridis");
        std::vector<float> v;
        for (double e = -9; e <= std::log10(0.74); e += 0.0007) v.push_back(float(std::pow(10.0, e)));
        v.push_back(0.f);
        const QImage img = colorize(v.data(), int(v.size()), 1, s, table);
        int off = 0;
        for (size_t i = 0; i < v.size(); ++i) {
            const int want = int(255.0 * s.position(v[i]) + 0.5);
            const QRgb got = img.pixel(int(i), 0);
            if (got == table[want]) continue;
            ++off;
            QVERIFY2((want > 0 && got == table[want - 1]) || (want < 255 && got == table[want + 1]), qPrintable(QString::number(v[i])));
        }
        QVERIFY2(off <= 2, qPrintable(QString::number(off)));
    }
    void keyboardNavigation()
    {
        HeadGridView v;
        v.resize(800, 600);
        v.show();
        QVERIFY(v.setTensor(heads(2, 3, 4), analysed(heads(2, 3, 4))));
        v.setFocus();
        QSignalSpy opened(&v, &HeadGridView::headClicked);
        QSignalSpy picked(&v, &HeadGridView::headCompareRequested);
        QTest::keyClick(&v, Qt::Key_Right);  // the first key lands on layer 1, head 1
        QCOMPARE(v.currentLayer(), 0);
        QCOMPARE(v.currentHead(), 0);
        QTest::keyClick(&v, Qt::Key_Right);
        QTest::keyClick(&v, Qt::Key_Down);
        QTest::keyClick(&v, Qt::Key_Down);  // clamped at the last layer
        QCOMPARE(v.currentLayer(), 1);
        QCOMPARE(v.currentHead(), 1);
        QTest::keyClick(&v, Qt::Key_Return);
        QCOMPARE(opened.count(), 1);
        QCOMPARE(opened[0][0].toInt(), 1);
        QCOMPARE(opened[0][1].toInt(), 1);
        QTest::keyClick(&v, Qt::Key_End);
        QTest::keyClick(&v, Qt::Key_Return, Qt::ShiftModifier);
        QCOMPARE(picked.count(), 1);
        QCOMPARE(picked[0][1].toInt(), 2);
        QVERIFY(v.setTensor(heads(1, 2, 4), analysed(heads(1, 2, 4))));  // a smaller tensor drops a focus that no longer exists
        QCOMPARE(v.currentLayer(), -1);
    }
};

QTEST_MAIN(TestHeadGrid)
#include "test_headgrid.moc"
