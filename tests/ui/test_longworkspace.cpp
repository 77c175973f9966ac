// The Long attention workspace and its matrix view, as a user drives them: the overview first,
// tiles as they arrive, labels when zoomed, a bounded cache, a query's row and a key's column,
// the sink readout, Q/K overviews, dump import, routing by size, save and restore, a whole book.
#include "attnscope/longattention.h"
#include "attnscope/qk.h"
#include "mainwindow.h"
#include "views/messagebanner.h"
#include "views/attentionstripview.h"
#include "views/largematrixview.h"
#include "workspaces/long/headthumbgrid.h"
#include "workspaces/long/longworkspace.h"
#include "workspaces/text/textworkspace.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include <cmath>
#include <random>

using namespace attnscope;
using namespace attnscope::ui;

namespace {
/// n × n causal attention: a sink on key `sink`, the diagonal, a noisy background; rows sum to 1.
std::vector<float> attention(int64_t n, int64_t sink, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.5f, 1.5f);
    std::vector<float> v(size_t(n * n), 0.f);
    for (int64_t r = 0; r < n; ++r) {
        double sum = 0;
        for (int64_t c = 0; c <= r; ++c) sum += v[size_t(r * n + c)] = u(rng);
        for (int64_t c = 0; c <= r; ++c) v[size_t(r * n + c)] = float(0.4 * v[size_t(r * n + c)] / sum);
        v[size_t(r * n + std::min(sink, r))] += 0.35f;
        v[size_t(r * n + r)] += 0.25f;
    }
    return v;
}

/// A long trace file: [1, 2, n, n] (two heads), tiled float32, labels "w0" … .
QString writeLongTrace(const QTemporaryDir& dir, int64_t n, const QString& name = "long.attn")
{
    AttentionTrace t;
    t.model = "test";
    TraceTensor x;
    x.name = "attention";
    x.axes = {"layer", "head", "query", "key"};
    x.shape = {1, 2, n, n};
    auto a = attention(n, 3, 1), b = attention(n, 0, 2);
    x.values = a;
    x.values.insert(x.values.end(), b.begin(), b.end());
    std::vector<std::string> labels;
    for (int64_t i = 0; i < n; ++i) labels.push_back("w" + std::to_string(i));
    x.labels = {{}, {}, labels, labels};
    t.tensors.push_back(x);
    SaveOptions o;
    o.storage = StorageType::Float32;
    o.tiledFromCells = 0;
    const QString path = dir.filePath(name);
    const Status st = saveTrace(t, path.toStdString(), o);
    if (!st) qWarning() << st.message.c_str();
    return path;
}

/// A procedural matrix of any size (no file): cell (r, c) = 1 / (1 + |r − c|) / n.
class Procedural final : public AttentionMatrix {
public:
    explicit Procedural(int64_t n) : n_(n) {}
    int64_t rows() const override { return n_; }
    int64_t cols() const override { return n_; }
    std::string kind() const override { return "procedural"; }
    std::vector<int64_t> storedBlocks() const override { return {1, 4, 16, 64, 256}; }

protected:
    Status readStored(int64_t b, BlockReduce, int64_t r0, int64_t c0, int64_t nr, int64_t nc, float* out, const ProgressFn&) const override
    {
        for (int64_t i = 0; i < nr; ++i)
            for (int64_t j = 0; j < nc; ++j)
                out[i * nc + j] = float(1.0 / (1.0 + std::abs(double((r0 + i) * b - (c0 + j) * b))) / double(n_));
        return Status::success();
    }

private:
    int64_t n_;
};

/// A causal n × n matrix with one-key column spikes (weight 1 on each spike key, for every row
/// that can see it) over a 1e-6 background, read at any power-of-two block without a file.
class Spikes final : public AttentionMatrix {
public:
    Spikes(int64_t n, std::vector<int64_t> keys) : n_(n), keys_(std::move(keys)) {}
    int64_t rows() const override { return n_; }
    int64_t cols() const override { return n_; }
    std::string kind() const override { return "procedural"; }
    std::vector<int64_t> storedBlocks() const override
    {
        std::vector<int64_t> b;
        for (int64_t k = 1; k <= n_; k *= 2) b.push_back(k);
        return b;
    }

protected:
    Status readStored(int64_t b, BlockReduce reduce, int64_t r0, int64_t c0, int64_t nr, int64_t nc, float* out,
                      const ProgressFn&) const override
    {
        for (int64_t i = 0; i < nr; ++i)
            for (int64_t j = 0; j < nc; ++j) {
                const int64_t rlo = (r0 + i) * b, rhi = std::min(n_, rlo + b) - 1, clo = (c0 + j) * b, chi = std::min(n_, clo + b) - 1;
                float v = rhi >= clo ? 1e-6f : 0.f;  // causal: a block wholly above the diagonal is 0
                for (int64_t k : keys_)
                    if (k >= clo && k <= chi && rhi >= k) v = reduce == BlockReduce::Max ? 1.f : std::max(v, 1.f / float(chi - clo + 1));
                out[i * nc + j] = v;
            }
        return Status::success();
    }

private:
    int64_t n_;
    std::vector<int64_t> keys_;
};

/// n × n, the same in every row: columns left of n/2 alternate 1, 0, 1, 0 …, the rest are ½.
/// The mean of any even run of columns is ½ on both sides; the max is 1 on the left.
class Stripes final : public AttentionMatrix {
public:
    explicit Stripes(int64_t n) : n_(n) {}
    int64_t rows() const override { return n_; }
    int64_t cols() const override { return n_; }
    std::string kind() const override { return "procedural"; }

protected:
    Status readStored(int64_t, BlockReduce, int64_t r0, int64_t c0, int64_t nr, int64_t nc, float* out, const ProgressFn&) const override
    {
        for (int64_t i = 0; i < nr; ++i)
            for (int64_t j = 0; j < nc; ++j) {
                const int64_t c = c0 + j;
                out[i * nc + j] = c < n_ / 2 ? float((c + 1) % 2) : 0.5f;
            }
        (void)r0;
        return Status::success();
    }

private:
    int64_t n_;
};
template <typename Pred> bool waitUntil(Pred p, int ms = 60000)
{
    QElapsedTimer t;
    t.start();
    while (!p() && t.elapsed() < ms) QTest::qWait(5);
    return p();
}
} // namespace

class TestLongWorkspace : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void viewDrawsTheOverviewThenTilesAndLabels()
    {
        const QString path = writeLongTrace(dir_, 3000);
        auto trace = std::make_shared<AttentionTrace>();
        QVERIFY(loadTrace(path.toStdString(), *trace).ok);
        MatrixPtr m;
        QVERIFY(matrixOf(trace, "attention", 0, 0, m).ok);
        const TraceTensor& x = trace->tensors[0];
        QStringList labels;
        for (const auto& l : x.labels[2]) labels << QString::fromStdString(l);
        LargeMatrixView view;
        view.resize(1000, 800);
        view.show();
        view.setMatrix(m, labels, labels, "test");
        QCOMPARE(view.overviewBlock(), int64_t(4));  // 3000 / 4 ≤ 1024
        QVERIFY(waitUntil([&] { return view.overviewReady(); }));
        QVERIFY(view.overviewExact());
        QVERIFY(!view.stats().empty());  // tiled: stored with the file
        QVERIFY(view.stats().causal);
        QVERIFY(!view.labelsShown());
        // The overview is drawn: the sink column (key 3) is brighter than the background.
        const QImage frame = view.grabFrame();
        const QRect a = view.plotRect();
        const auto lum = [&](double row, double col) {
            const QPoint p(int(a.left() + (col - view.x0()) / view.cellsPerPixel()), int(a.top() + (row - view.y0()) / view.cellsPerPixel()));
            return qGray(frame.pixel(p));
        };
        QVERIFY2(lum(2000, 3) > lum(2000, 1000) + 40, qPrintable(QString("%1 vs %2").arg(lum(2000, 3)).arg(lum(2000, 1000))));
        // Zoomed in to cells: tiles of level 1 arrive, the tooltip says the exact weight, labels show.
        view.centerOn(1500, 1490, 1.0 / 24);
        QCOMPARE(view.level(), int64_t(1));
        QVERIFY(waitUntil([&] { return view.pendingTiles() == 0 && view.cellText(1500, 1500).startsWith("query "); }));
        QVERIFY(view.labelsShown());
        std::vector<float> row(3000);
        QVERIFY(m->readRow(1500, row.data()).ok);
        const QString text = view.cellText(1500, 1500);
        QVERIFY2(text.startsWith(QStringLiteral("query %1 “w1500” → key %1 “w1500”: ").arg(countText(1500))), qPrintable(text));
        QCOMPARE(countText(1500), QString("1") + QChar(0x2009) + "500");
        QVERIFY2(text.endsWith(weightText(row[1500])), qPrintable(text));
        // Clicks pick rows (and Shift+click columns).
        QSignalSpy rows(&view, &LargeMatrixView::rowSelected), cols(&view, &LargeMatrixView::columnSelected);
        const QPoint centre = view.plotRect().center();
        QTest::mouseClick(&view, Qt::LeftButton, Qt::NoModifier, centre);
        QTest::mouseClick(&view, Qt::LeftButton, Qt::ShiftModifier, centre);
        QCOMPARE(rows.count(), 1);
        QCOMPARE(cols.count(), 1);
        int64_t r, c;
        QVERIFY(view.cellAt(centre, &r, &c));
        QCOMPARE(view.selectedRow(), r);
        QCOMPARE(view.selectedColumn(), c);
        // Home shows the whole matrix again.
        QTest::keyClick(&view, Qt::Key_Home);
        QVERIFY(view.visibleCells().width() >= 2999);
    }

    void everyPixelKeepsEveryPeakAtEveryZoom()
    {
        // Issue 28, item 2: seven one-key spikes of a causal 32768² matrix are all on screen in the
        // overview and after every zoom step — a pixel is the max of all the cells under it, never
        // one pyramid block of several.
        const std::vector<int64_t> keys{1000, 5001, 9999, 15003, 20011, 26000, 31999};
        auto m = std::make_shared<Spikes>(32768, keys);
        LargeMatrixView view;
        view.resize(900, 700);
        view.show();
        view.setMatrix(m, {}, {}, "spikes");
        QVERIFY(waitUntil([&] { return view.overviewReady(); }));
        QString where;  // the keys under the bright runs, for the failure message
        const auto spikesOnScreen = [&](double row) {
            const QImage frame = view.grabFrame();
            const QRect a = view.plotRect();
            const int y = int(a.top() + (row - view.y0()) / view.cellsPerPixel());
            int runs = 0;
            bool inRun = false;
            where.clear();
            for (int x = a.left(); x <= a.right(); ++x) {
                const double cell = view.x0() + (x - a.left() + 0.5) * view.cellsPerPixel();
                const bool bright = cell >= 0 && cell < 32768 && qGray(frame.pixel(x, y)) > 150;  // outside the matrix: the page
                if (bright && !inRun) where += QString::number(int(view.x0() + (x - a.left()) * view.cellsPerPixel())) + " ";
                runs += bright && !inRun ? 1 : 0;
                inRun = bright;
            }
            return runs;
        };
        const auto visibleKeys = [&] {
            int n = 0;
            for (int64_t k : keys) n += view.visibleCells().left() <= double(k) && double(k) < view.visibleCells().right() ? 1 : 0;
            return n;
        };
        QVERIFY2(spikesOnScreen(32700) == 7, qPrintable(where));
        // Zoom steps about the middle (as wheel clicks do), each at its own level of blocks.
        for (double factor : {0.8, 0.8, 0.6, 0.5, 0.7}) {
            view.centerOn(32000, 16000, view.cellsPerPixel() * factor);
            QVERIFY(waitUntil([&] { return view.pendingTiles() == 0; }));
            const int seen = spikesOnScreen(std::min(32700.0, view.visibleCells().bottom() - 10));
            QVERIFY2(seen == visibleKeys(), qPrintable(QString("%1 of %2: %3").arg(seen).arg(visibleKeys()).arg(where)));
        }
    }

    void meanAndMaxPixelsReduceEveryBlockUnderThem()
    {
        // The compositor's mean and max (and the row mode) on a matrix whose left half alternates
        // 1, 0 by column and whose right half is ½: zoomed out, mean pixels are ½ on both sides
        // (one colour), max pixels are 1 on the left and ½ on the right (two colours).
        LargeMatrixView view;
        view.resize(700, 520);
        view.show();
        view.setMatrix(std::make_shared<Stripes>(4096), {}, {}, "stripes");
        QVERIFY(waitUntil([&] { return view.overviewReady(); }));
        const auto colours = [&] {
            QTest::qWait(20);  // a change of reduction reads the overview and the tiles again
            waitUntil([&] { return view.overviewExact() && view.pendingTiles() == 0; });
            const QImage frame = view.grabFrame();
            const QRect a = view.plotRect();
            const auto at = [&](double col) {
                return frame.pixel(int(a.left() + (col - view.x0()) / view.cellsPerPixel()), a.top() + a.height() / 2);
            };
            return std::make_pair(at(1748), at(2348));  // on screen at every zoom below
        };
        view.setScale(ScaleMode::Linear);
        for (double cpp : {0.0, 5.0, 3.0}) {  // the overview, then the finer levels' tiles
            if (cpp > 0) view.centerOn(2048, 2048, cpp);
            view.setReduce(BlockReduce::Max);
            auto [left, right] = colours();
            QVERIFY2(left != right, qPrintable(QString::number(cpp)));
            view.setReduce(BlockReduce::Mean);
            std::tie(left, right) = colours();
            QVERIFY2(left == right, qPrintable(QString::number(cpp)));
        }
    }

    void colourScalesChangeTheTop()
    {
        const QString path = writeLongTrace(dir_, 2200, "scales.attn");
        auto trace = std::make_shared<AttentionTrace>();
        QVERIFY(loadTrace(path.toStdString(), *trace).ok);
        MatrixPtr m;
        QVERIFY(matrixOf(trace, "attention", 0, 0, m).ok);
        LargeMatrixView view;
        view.resize(900, 700);
        view.show();
        view.setMatrix(m, {}, {}, "scales");
        QVERIFY(waitUntil([&] { return view.overviewReady(); }));
        const double linearTop = view.scale().top;
        view.setScale(ScaleMode::Percentile, 90);
        QVERIFY(view.scale().top < linearTop / 4);  // sinks and the diagonal clipped
        view.setScale(ScaleMode::PerRow);
        QCOMPARE(view.scale().top, 1.0);
        view.setScale(ScaleMode::Log);
        QVERIFY(view.scale().position(linearTop * 1e-5) == 0.0);
        QVERIFY(view.scale().position(linearTop * 0.01) > 0.4);
    }

    void tileCacheStaysWithinItsBudget()
    {
        // 65,536² (a 16 GiB float32 matrix if it were dense), panned across at full zoom.
        LargeMatrixView view;
        view.resize(1400, 1000);
        view.show();
        view.setMatrix(std::make_shared<Procedural>(65536), {}, {}, "procedural");
        QVERIFY(waitUntil([&] { return view.overviewReady(); }));
        uint64_t peak = 0;
        for (int i = 0; i < 40; ++i) {
            view.centerOn(1500 * i, 1500 * i + 300 * (i % 3), 1.0);
            QVERIFY(waitUntil([&] { return view.pendingTiles() == 0; }));
            view.repaint();
            peak = std::max(peak, view.cacheBytes());
        }
        qInfo() << "view cache peak" << peak / (1 << 20) << "MiB";
        QVERIFY(peak > LargeMatrixView::kCacheBudget / 2);  // the budget was reached…
        QVERIFY(peak <= LargeMatrixView::kCacheBudget + (uint64_t(24) << 20));  // …and held
    }

    void qkMatricesShowASampledThenTheExactOverview()
    {
        QkArrays a;
        a.tokens = 3000;
        a.headDim = 16;
        a.causal = true;
        std::mt19937 rng(3);
        std::normal_distribution<float> g(0.f, 1.f);
        a.q.resize(3000 * 16);
        a.k.resize(3000 * 16);
        for (auto& x : a.q) x = g(rng);
        for (auto& x : a.k) x = g(rng);
        // Key 0 a sink: a large first component, which every query's (positive) first component meets.
        a.k[0] = 40.f;
        for (int i = 0; i < 3000; ++i) a.q[size_t(i * 16)] = std::abs(a.q[size_t(i * 16)]) + 1.5f;
        TraceTensor t;
        QVERIFY(makeQkTensor(a, "attention", {}, t).ok);
        MatrixPtr m = t.store->matrix(0, 0);
        LargeMatrixView view;
        view.resize(900, 700);
        view.show();
        QSignalSpy ready(&view, &LargeMatrixView::overviewArrived);
        view.setMatrix(m, {}, {}, "qk");
        QVERIFY(waitUntil([&] { return view.overviewExact(); }));
        QVERIFY(ready.count() >= 2);  // sampled first, then exact
        QVERIFY(!view.stats().empty());
        QVERIFY(view.stats().causal);
        const auto sinks = findSinks(view.stats(), 0.2f);
        QVERIFY(!sinks.empty());
        QCOMPARE(sinks[0].key, int64_t(0));
    }

    void workspaceShowsRowsColumnsAndSinks()
    {
        const QString path = writeLongTrace(dir_, 2500, "ws.attn");
        LongWorkspace w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(w.acceptsFile(path));
        QSignalSpy opened(&w, &LongWorkspace::traceOpened);
        QVERIFY(w.openFile(path));
        QVERIFY(opened.wait(30000));
        QCOMPARE(w.matrixView()->matrix()->rows(), int64_t(2500));
        QCOMPARE(w.headGrid()->heads(), 2);
        QVERIFY(waitUntil([&] { return w.headGrid()->thumbnails() == 2; }));
        QVERIFY(waitUntil([&] { return w.matrixView()->overviewReady(); }));
        // Hovering a thumbnail names the head and its numbers (issue 28, item 9): head 1 puts
        // 0.35 of every row on key 3, so the most attended keys are the block holding it.
        const QString tip = w.headGrid()->headSummary(0, 0);
        QVERIFY2(tip.startsWith("layer 1, head 1") && tip.contains("peak weight") && tip.contains("row entropy ≥") &&
                     tip.contains("most attended keys 0–"),
                 qPrintable(tip));
        // Idle at the overview's zoom after a pan: no tile is being read, and the status says so
        // (issue 28, item 14: "reading 1 tile(s)" used to stay).
        w.matrixView()->centerOn(1000, 1000, w.matrixView()->cellsPerPixel());
        QTest::qWait(100);
        QVERIFY(waitUntil([&] { return w.matrixView()->pendingTiles() == 0; }));
        auto* status = w.findChild<QLabel*>("longStatus");
        QVERIFY2(!status->text().contains("reading"), qPrintable(status->text()));
        // Sinks: head 1 puts 0.35 of every row on key 3.
        QVERIFY2(w.sinksLabel()->text().contains("key 3"), qPrintable(w.sinksLabel()->text()));
        w.setSinkShare(0.5);
        QVERIFY(!w.sinksLabel()->text().contains("key 3"));
        // What query 2,000 looks at: the row, its top keys (the sink, then itself).
        QSignalSpy rowShown(&w, &LongWorkspace::rowShown);
        w.matrixView()->selectRow(2000);
        QVERIFY(rowShown.wait(10000));
        QCOMPARE(int64_t(w.rowView()->values().size()), int64_t(2500));
        QCOMPARE(w.topKeys()->topLevelItem(0)->data(0, Qt::UserRole).toLongLong(), 3LL);
        QCOMPARE(w.topKeys()->topLevelItem(1)->data(0, Qt::UserRole).toLongLong(), 2000LL);
        QCOMPARE(w.topKeys()->topLevelItem(0)->text(1), QString("w3"));
        // Who looks at key 3: every query from 3 on.
        QSignalSpy colShown(&w, &LongWorkspace::columnShown);
        w.matrixView()->selectColumn(3);
        QVERIFY(colShown.wait(10000));
        QCOMPARE(w.columnView()->values()[2], 0.f);  // causal: query 2 cannot see key 3
        QVERIFY(w.columnView()->values()[2400] > 0.3f);
        // The other head via the grid.
        w.setSinkShare(0.3);
        emit w.headGrid()->headClicked(0, 1);
        QVERIFY(waitUntil([&] { return w.matrixView()->overviewReady(); }));
        QVERIFY(waitUntil([&] { return w.sinksLabel()->text().contains("key 0"); }));
        // Go to a token by its text or its index (issue 28, item 9).
        QVERIFY(w.goToToken("w1500"));
        QCOMPARE(w.matrixView()->selectedRow(), int64_t(1500));
        QVERIFY(w.matrixView()->visibleCells().contains(QPointF(1500, 1500)));
        QVERIFY(w.goToToken("17"));
        QCOMPARE(w.matrixView()->selectedRow(), int64_t(17));
        QVERIFY(!w.goToToken("99999"));
        QVERIFY(w.banner()->text().contains("0 to 2499"));
        QVERIFY(!w.goToToken("nosuchword"));
        // Export view and data.
        QString error;
        QVERIFY2(w.exportCurrentView(dir_.filePath("long-view.png"), 96, &error), qPrintable(error));
        QVERIFY(!QImage(dir_.filePath("long-view.png")).isNull());
        const ViewData d = w.currentData();
        QVERIFY(d.error.isEmpty());
        QVERIFY(d.table.rows() > 100 && d.table.columns() > 100);
        // Save and restore: the same file, head, view and picks.
        w.matrixView()->centerOn(1200, 1100, 0.5);
        w.matrixView()->selectRow(1234);
        const WorkspaceSection s = w.saveState();
        QVERIFY(s.traces.empty());  // the long trace stays in its file
        LongWorkspace back;
        back.resize(1400, 900);
        back.show();
        QSignalSpy backOpened(&back, &LongWorkspace::traceOpened);
        QVERIFY(back.restoreState(s, &error));
        QVERIFY(backOpened.wait(30000));
        QCOMPARE(back.file(), path);
        QVERIFY(waitUntil([&] { return back.matrixView()->selectedRow() == 1234; }));
        QCOMPARE(back.matrixView()->cellsPerPixel(), 0.5);
        QCOMPARE(back.headGrid()->heads(), 2);
    }

    void aRestoredViewIsFittedToItsWindow()
    {
        // Issue 28 item 14: a view saved fitted in one window came back as the old window's
        // pixels in another (a corner of the matrix, or a small matrix in a corner); a zoomed
        // view must come back as the same cells.
        const QString path = writeLongTrace(dir_, 1500, "fit.attn");
        QString error;
        WorkspaceSection fitted, zoomed;
        {
            LongWorkspace w;
            w.resize(900, 600);
            w.show();
            QSignalSpy opened(&w, &LongWorkspace::traceOpened);
            QVERIFY(w.openFile(path));
            QVERIFY(opened.wait(30000));
            QVERIFY(waitUntil([&] { return w.matrixView()->overviewReady(); }));
            QVERIFY(w.matrixView()->isFitted());
            fitted = w.saveState();
            w.matrixView()->centerOn(700, 600, 0.25);
            QVERIFY(!w.matrixView()->isFitted());
            zoomed = w.saveState();
        }
        const QRectF saved(zoomed.state["view"].toObject()["cells"].toArray()[0].toDouble(),
                           zoomed.state["view"].toObject()["cells"].toArray()[1].toDouble(),
                           zoomed.state["view"].toObject()["cells"].toArray()[2].toDouble(),
                           zoomed.state["view"].toObject()["cells"].toArray()[3].toDouble());
        for (const QSize size : {QSize(1600, 1000), QSize(700, 500)}) {
            LongWorkspace back;
            back.resize(size);
            back.show();
            QSignalSpy opened(&back, &LongWorkspace::traceOpened);
            QVERIFY(back.restoreState(fitted, &error));
            QVERIFY(opened.wait(30000));
            LargeMatrixView* v = back.matrixView();
            QVERIFY(waitUntil([&] { return v->overviewReady() && v->isFitted(); }));
            const auto wholeMatrixShown = [&] {
                const QRectF c = v->visibleCells();
                const double fitCpp = std::max(1500.0 / v->plotRect().width(), 1500.0 / v->plotRect().height());
                return c == QRectF(0, 0, 1500, 1500) && std::abs(v->cellsPerPixel() - fitCpp) < 1e-9;
            };
            QVERIFY(wholeMatrixShown());
            // … and stays fitted when the window changes size.
            back.resize(size.width() - 200, size.height() + 100);
            QVERIFY(waitUntil([&] { return wholeMatrixShown(); }, 5000));
            // The zoomed view: the same cells, centred, whatever the window.
            QSignalSpy again(&back, &LongWorkspace::traceOpened);
            QVERIFY(back.restoreState(zoomed, &error));
            QVERIFY(again.wait(30000));
            QVERIFY(waitUntil([&] { return !v->isFitted() && v->overviewReady(); }));
            const QRectF c = v->visibleCells();
            QVERIFY2(c.contains(saved.adjusted(1, 1, -1, -1)) && std::abs(c.center().x() - saved.center().x()) < 2 &&
                         std::abs(c.center().y() - saved.center().y()) < 2,
                     qPrintable(QStringLiteral("saved %1,%2 %3×%4; shown %5,%6 %7×%8")
                                    .arg(saved.x()).arg(saved.y()).arg(saved.width()).arg(saved.height())
                                    .arg(c.x()).arg(c.y()).arg(c.width()).arg(c.height())));
        }
        // Restored while hidden (a tab not in front): the view waits for its real size, and the
        // workspace saves the view it will show meanwhile.
        LongWorkspace hidden;
        hidden.resize(1200, 800);
        QSignalSpy opened(&hidden, &LongWorkspace::traceOpened);
        QVERIFY(hidden.restoreState(zoomed, &error));
        QVERIFY(opened.wait(30000));
        QVERIFY(waitUntil([&] { return hidden.matrixView()->overviewReady(); }));
        QTest::qWait(50);
        QCOMPARE(hidden.saveState().state["view"].toObject()["cells"], zoomed.state["view"].toObject()["cells"]);
        hidden.show();
        QVERIFY(waitUntil([&] { return !hidden.matrixView()->isFitted(); }, 5000));
        const QRectF c = hidden.matrixView()->visibleCells();
        QVERIFY(c.contains(saved.adjusted(1, 1, -1, -1)) && std::abs(c.center().x() - saved.center().x()) < 2);
    }

    void groupedQueryHeadsSitTogether()
    {
        // Q/K with 4 query heads over 2 KV heads: the grid groups heads 1–2 and 3–4 under "KV 0" / "KV 1".
        QkArrays a;
        a.heads = 4;
        a.kvHeads = 2;
        a.tokens = 300;
        a.headDim = 8;
        std::mt19937 rng(5);
        std::normal_distribution<float> g(0.f, 1.f);
        a.q.resize(4 * 300 * 8);
        a.k.resize(2 * 300 * 8);
        for (auto& x : a.q) x = g(rng);
        for (auto& x : a.k) x = g(rng);
        AttentionTrace t;
        t.model = "gqa";
        TraceTensor x;
        QVERIFY(makeQkTensor(a, "self", {}, x).ok);
        t.tensors.push_back(x);
        const QString path = dir_.filePath("gqa.attn");
        QVERIFY(saveTrace(t, path.toStdString()).ok);
        QVERIFY(isLongAttentionFile(path.toStdString()));  // Q/K: long whatever its length
        LongWorkspace w;
        w.resize(1200, 800);
        w.show();
        QSignalSpy opened(&w, &LongWorkspace::traceOpened);
        QVERIFY(w.openFile(path));
        QVERIFY(opened.wait(30000));
        HeadThumbGrid* grid = w.headGrid();
        QCOMPARE(grid->heads(), 4);
        const int within = grid->cellRect(0, 1).left() - grid->cellRect(0, 0).right();
        const int between = grid->cellRect(0, 2).left() - grid->cellRect(0, 1).right();
        QVERIFY2(between > within, qPrintable(QString("%1 vs %2").arg(between).arg(within)));
        QVERIFY(waitUntil([&] { return grid->thumbnails() == 4; }));  // short Q/K: computed at once
        emit grid->headClicked(0, 3);
        QVERIFY(w.matrixView()->title().contains("(KV head 1)"));
    }
    void dumpsImportIntoTilesAndFilesGoWhereTheyFit()
    {
        // A 2,100-token .npy: long, so the Long workspace takes it and imports it into tiles.
        const int64_t n = 2100;
        const auto v = attention(n, 5, 9);
        const QString npy = dir_.filePath("dump.npy");
        QVERIFY(writeNpy(npy.toStdString(), {n, n}, v).ok);
        QVERIFY(isLongAttentionFile(npy.toStdString()));
        QStandardPaths::setTestModeEnabled(true);
        MainWindow win(false);
        win.show();
        auto* lw = win.workspace<LongWorkspace>();
        auto* tw = win.workspace<TextWorkspace>();
        QVERIFY(lw && tw);
        QVERIFY(!tw->acceptsFile(npy));
        QSignalSpy opened(lw, &LongWorkspace::traceOpened);
        QVERIFY(win.openFile(npy));
        QVERIFY(opened.wait(60000));
        QCOMPARE(win.frontWorkspace(), static_cast<Workspace*>(lw));
        QCOMPARE(lw->currentTrace()->tensors[0].store->layout(), std::string("tiled"));
        std::vector<float> row(static_cast<size_t>(n));
        QVERIFY(lw->matrixView()->matrix()->readRow(1000, row.data()).ok);
        QVERIFY(std::abs(row[5] - v[size_t(1000 * n + 5)]) < 1e-3f);
        // A short trace still goes to the Text workspace.
        AttentionTrace small;
        TraceTensor x;
        x.name = "cross";
        x.axes = {"target", "source"};
        x.shape = {2, 2};
        x.values = {0.5f, 0.5f, 1.f, 0.f};
        small.tensors.push_back(x);
        QVERIFY(saveTrace(small, dir_.filePath("small.attn").toStdString()).ok);
        QVERIFY(!lw->acceptsFile(dir_.filePath("small.attn")));
        QVERIFY(win.openFile(dir_.filePath("small.attn")));
        QCOMPARE(win.frontWorkspace(), static_cast<Workspace*>(tw));
        // A corrupt dump says so in the banner.
        QFile bad(dir_.filePath("bad.npy"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("\x93NUMPY\x01\x00\x10\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3000, 3000), }");
        bad.close();
        QSignalSpy errors(lw, &Workspace::errorShown);
        QVERIFY(lw->openFile(dir_.filePath("bad.npy")));
        QVERIFY(errors.wait(30000));
    }

    void aWholeBookThroughTheEncoder()
    {
        LongWorkspace w;
        w.resize(1400, 900);
        w.show();
        QSignalSpy opened(&w, &LongWorkspace::traceOpened);
        w.encodeBook("Ruth");
        QVERIFY(opened.wait(300000));
        const TraceTensor* t = w.currentTrace()->find("encoder_self");
        QVERIFY(t);
        QCOMPARE(t->store->layout(), std::string("qk"));
        QCOMPARE(t->shape[0], int64_t(3));
        QVERIFY(t->shape[2] > 2000);
        QCOMPARE(t->labels[2].back(), std::string("</s>"));
        QVERIFY(QString::fromStdString(w.currentTrace()->meta("input")).contains("Ruth, whole book"));
        QVERIFY(waitUntil([&] { return w.matrixView()->overviewExact(); }, 120000));
        // Q/K: every head's overview on request, in the background.
        w.computeAllHeads();
        QVERIFY(waitUntil([&] { return w.headGrid()->thumbnails() == 12; }, 300000));
        // A second encoding of the same book opens the cached file.
        QSignalSpy again(&w, &LongWorkspace::traceOpened);
        QElapsedTimer timer;
        timer.start();
        w.encodeBook("Ruth");
        QVERIFY(again.wait(30000));
        QVERIFY(timer.elapsed() < 10000);
    }
};

QTEST_MAIN(TestLongWorkspace)
#include "test_longworkspace.moc"
