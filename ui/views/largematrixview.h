#pragma once
// LargeMatrixView: one attention matrix of any size (a 32,768² trace is 2 GiB in float16) that
// zooms from the whole matrix down to labelled cells without ever holding it.
//   • The overview (blocks of B₀ cells, B₀ the power of two that fits the longer side in 1,024
//     pixels) is read on a worker when the matrix is set and drawn as soon as it arrives —
//     for a tiled trace straight from its pyramid; for a Q/K matrix first a row-sampled
//     approximation, then the exact overview computed in the background (progress, cancel).
//   • Zoomed in, the view draws tiles of 256 × 256 blocks at the level that matches the zoom
//     (blocks of b cells, b the power of two ≤ cells per pixel), read latest-wins on a worker and
//     drawn as they arrive over the overview; an LRU cache keeps at most 256 MiB of tiles.
//   • Labels appear when a cell is tall enough to hold one; otherwise token indices.
//   • Colour scales (views/colorscale.h): linear, log, per-row normalised, clipped at a
//     percentile; the colour bar shows the scale.
// Mouse: wheel zooms at the cursor, drag pans, click picks a query row, Shift+click (or the
// right button) a key column. Keys: + / − zoom, arrows pan, Home shows the whole matrix, Esc
// clears the picks. The GUI thread only paints cached images: reads never run on it.
#include "attnscope/longattention.h"
#include "views/colorscale.h"

#include <QImage>
#include <QStringList>
#include <QWidget>

#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

namespace attnscope::ui {

class JobTracker;

class LargeMatrixView : public QWidget {
    Q_OBJECT
public:
    explicit LargeMatrixView(QWidget* parent = nullptr);
    ~LargeMatrixView() override;

    /// Shows a matrix (null clears); labels are the row (query) and column (key) tokens, empty
    /// or one per row / column. The view fits the whole matrix.
    void setMatrix(MatrixPtr matrix, QStringList rowLabels, QStringList colLabels, const QString& title);
    MatrixPtr matrix() const { return m_; }
    QString title() const { return title_; }
    const QStringList& rowLabels() const { return rowLabels_; }
    const QStringList& columnLabels() const { return colLabels_; }

    void setColorMap(const QString& name);
    QString colorMapName() const { return colorMap_; }
    /// Mode and percentile; the top is fitted to the overview.
    void setScale(ScaleMode mode, double percentile = 99.0);
    const ColorScale& scale() const { return scale_; }
    /// What a pixel of several weights shows: their max (peaks stay visible) or mean.
    void setReduce(BlockReduce reduce);
    BlockReduce reduce() const { return reduce_; }

    // --- The view: cells (x0, y0) at the plot's top-left, `cellsPerPixel` cells per screen pixel.
    void fit();
    /// True while the view is the fitted whole matrix (not zoomed or panned since): it is
    /// fitted again when the widget is resized.
    bool isFitted() const { return fitted_; }
    void setView(double x0, double y0, double cellsPerPixel);
    /// Shows at least the cells `cells` (x = column, y = row), centred, whatever the widget's
    /// size: how a saved view comes back in a window of another size.
    void showCells(const QRectF& cells);
    void zoomBy(double factor, QPointF anchor);
    void zoomBy(double factor);  ///< about the plot's centre
    void panBy(double dxPixels, double dyPixels);
    /// Centres cell (row, col); cellsPerPixel > 0 also sets the zoom.
    void centerOn(int64_t row, int64_t col, double cellsPerPixel = -1);
    double cellsPerPixel() const { return cpp_; }
    double x0() const { return x0_; }
    double y0() const { return y0_; }
    /// The cells on screen: x = first column, y = first row (clipped to the matrix).
    QRectF visibleCells() const;
    /// The block size drawn now (1 = cells).
    int64_t level() const;
    /// Stops the exact overview pass of a Q/K matrix (the sampled overview stays on screen).
    void cancelOverview();
    /// True while the overview is being read or computed.
    bool overviewRunning() const;
    /// The overview's block size B₀.
    int64_t overviewBlock() const { return b0_; }
    QRect plotRect() const;
    /// True when token labels are drawn (a cell is tall enough for a line of text).
    bool labelsShown() const;

    // --- Picks
    int64_t selectedRow() const { return row_; }
    int64_t selectedColumn() const { return col_; }
    void selectRow(int64_t row);     ///< −1 clears
    void selectColumn(int64_t col);  ///< −1 clears
    /// Cell under a widget position, false outside the plot.
    bool cellAt(const QPoint& pos, int64_t* row, int64_t* col) const;
    /// "query 1,234 “tok” → key 56 “tok”: 0.0123" (cells) or "queries 1,232–1,239 × keys 48–55: max 0.031" (blocks);
    /// empty until the value is loaded.
    QString cellText(int64_t row, int64_t col) const;

    // --- Loading state (status line, tests, benchmarks)
    bool overviewReady() const { return !overviewSize_.isEmpty(); }
    bool overviewExact() const { return overviewExact_; }
    /// The overview's values (blocks of B₀, max or mean as reduce()), row-major.
    const std::vector<float>& overviewValues() const { return overviewValues_; }
    int overviewRows() const { return overviewSize_.height(); }
    int overviewColumns() const { return overviewSize_.width(); }
    /// Row maxima and column summaries once known (tiled: at once; Q/K and dense: after the overview pass).
    const MatrixStats& stats() const { return stats_; }
    /// Tiles of the current view still being read.
    int pendingTiles() const { return int(pending_) + (tilesScheduled_ ? 1 : 0); }
    /// Bytes of tiles (values and images) and the overview held by the view.
    uint64_t cacheBytes() const;
    static constexpr uint64_t kCacheBudget = uint64_t(256) << 20;
    /// Milliseconds the last paintEvent took.
    double lastPaintMs() const { return paintMs_; }
    /// The view's frame as an image (what is on screen).
    QImage grabFrame();

signals:
    void viewChanged();
    void rowSelected(qint64 row);
    void columnSelected(qint64 col);
    /// The overview arrived (exact or sampled) or the stats became known.
    void overviewArrived();
    /// A Q/K overview pass: done of total query rows.
    void overviewProgress(int done, int total);
    /// Tiles arrived or were asked for.
    void loadingChanged();

protected:
    void paintEvent(QPaintEvent*) override;
    void resizeEvent(QResizeEvent*) override;
    void wheelEvent(QWheelEvent*) override;
    void mousePressEvent(QMouseEvent*) override;
    void mouseMoveEvent(QMouseEvent*) override;
    void mouseReleaseEvent(QMouseEvent*) override;
    void keyPressEvent(QKeyEvent*) override;
    void leaveEvent(QEvent*) override;

private:
    static constexpr int64_t kTile = 256;  ///< blocks per tile side
    /// Margins around the plot (pixels): labels and axes on the left and bottom, the colour bar right.
    static constexpr int kLeft = 92, kRight = 74, kTop = 24, kBottom = 66;

    struct TileKey {
        int64_t block, ti, tj;
        bool operator==(const TileKey& o) const { return block == o.block && ti == o.ti && tj == o.tj; }
    };
    struct TileKeyHash {
        size_t operator()(const TileKey& k) const { return size_t(k.block * 1000003 ^ k.ti * 7919 ^ k.tj); }
    };
    struct Tile {
        TileKey key;
        int rows = 0, cols = 0;
        std::vector<float> values;  ///< the block reductions; coloured per paint, screen pixel by pixel
    };
    using TileList = std::list<Tile>;

    void startOverview();
    void setOverview(std::vector<float> values, int rows, int cols, bool exact, MatrixStats stats);
    void requestTiles();
    void scheduleTiles();
    void insertTile(Tile tile);
    const Tile* findTile(const TileKey& k) const;
    void recolour();
    void clampView();
    /// Row normalisers for the per-row scale: rows [r0, r0 + n) of level b.
    std::vector<float> rowNorms(int64_t b, int64_t r0, int n) const;
    void paintAxes(QPainter& p, const QRect& area);

    MatrixPtr m_;
    QStringList rowLabels_, colLabels_;
    QString title_, colorMap_ = "viridis";
    QVector<QRgb> table_;
    ColorScale scale_;
    BlockReduce reduce_ = BlockReduce::Max;
    int64_t b0_ = 1;
    double x0_ = 0, y0_ = 0, cpp_ = 1;
    bool fitted_ = false;
    int64_t row_ = -1, col_ = -1;

    // Overview
    std::vector<float> overviewValues_;
    QSize overviewSize_;  ///< overview blocks: columns × rows
    bool overviewExact_ = false;
    MatrixStats stats_;
    JobTracker* overviewJobs_;
    // Tiles: LRU (front = most recent)
    mutable TileList tiles_;
    std::unordered_map<TileKey, TileList::iterator, TileKeyHash> index_;
    uint64_t tileBytes_ = 0;
    JobTracker* tileJobs_;
    size_t pending_ = 0;
    bool tilesScheduled_ = false;
    quint64 matrixGeneration_ = 0;
    quint64 tileRequest_ = 0;  ///< which tile request is the latest (its end may reset pending_)

    // Interaction
    QPoint pressPos_, lastPos_;
    bool dragging_ = false;
    double paintMs_ = 0;
    // Paint buffers kept between frames (W × H each): fresh ones every frame cost more in page
    // faults than the drawing itself.
    std::vector<float> paintPx_;
    std::vector<uint16_t> paintCount_;
    std::vector<uint8_t> paintFine_;
    QImage paintImage_;
    /// Allocates and touches the paint buffers for the plot's size on a worker, so the first
    /// frame after a matrix or a resize does not take the page faults on the GUI thread (in this
    /// virtual machine ≈ 40 ms for 1400 × 1000).
    void prewarmPaintBuffers();
    QSize prewarmSize_;
};

} // namespace attnscope::ui
