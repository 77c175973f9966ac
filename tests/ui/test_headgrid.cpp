// Head grid: shape checks, thumbnails at the right places, hover summary, click → signal.
#include "views/headgridview.h"

#include <QSignalSpy>
#include <QtTest>

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
