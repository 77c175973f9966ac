#pragma once
// Alignment matrix view: the "cross" attention of a trace as a heatmap, target tokens as
// rows (query 0 on top), source tokens as columns, with a colour bar, crosshair + tooltip
// on hover, click-to-pin a target row, argmax links and the gold overlay
// (hits, misses, false links). Exports to PNG, SVG and PDF.
#include "attnscope/alignment.h"
#include "views/colorscale.h"
#include "attnscope/trace.h"
#include "views/datawriter.h"

#include <QImage>
#include <QWidget>

#include <functional>

class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemRect;
class QCPItemText;
class QCPTextElement;
class QCPAxisTickerText;

namespace attnscope::ui {

class AlignmentMatrixView : public QWidget {
    Q_OBJECT
public:
    explicit AlignmentMatrixView(QWidget* parent = nullptr);

    /// Shows the trace's "cross" tensor [target, source] with `links` drawn over it and marked
    /// against the trace's gold (hits, misses, false links); an empty view otherwise. The links
    /// are computed by the caller (traceLinks, attnscope/alignment.h) as `readBy` says; the legend
    /// names the method. A decoder-only trace (metadata "prompt_tokens") gets a dashed line
    /// between the prompt's keys and the generated ones.
    void setTrace(const AttentionTrace& trace, const std::vector<AlignmentLink>& links = {}, const LinkOptions& readBy = {});
    void clear();
    bool isEmpty() const { return rows_ == 0; }

    int rows() const { return rows_; }
    int columns() const { return cols_; }
    QStringList rowLabels() const { return rowLabels_; }
    QStringList columnLabels() const { return colLabels_; }
    double value(int row, int col) const;

    /// "target ← source: 0.83" for a cell.
    QString cellText(int row, int col) const;
    /// Cell under a widget position of the plot, or false outside the matrix.
    bool cellAt(const QPoint& plotPos, int* row, int* col) const;

    int pinnedRow() const { return pinned_; }
    void setPinnedRow(int row);  ///< -1 unpins
    /// Source columns the pinned row attends to with weight ≥ threshold, strongest first.
    QList<QPair<int, double>> attendedColumns(int row, double threshold = 0.1) const;

    struct LinkCounts {
        int argmax = 0, hits = 0, misses = 0, falseLinks = 0;
    };
    LinkCounts linkCounts() const { return counts_; }

    void setColorMap(const QString& name);
    QString colorMapName() const { return colorMap_; }
    /// What the matrix shows, drawn above it (and in exports), e.g. "transformer ·
    /// cross_attention L2 H1 — the alignment head". Empty: no title row.
    void setTitle(const QString& title);
    /// The axis titles ("source" and "target" by default; a vision model's "keys" and "queries").
    void setAxisTitles(const QString& columns, const QString& rows);
    /// What the colour bar measures ("attention weight α" by default; a lens says what it is
    /// and that its rows are normalised).
    void setColorBarLabel(const QString& label);
    QString colorBarLabel() const;
    /// The columns' (Qt::Horizontal) or rows' axis title.
    QString axisTitle(Qt::Orientation o) const;
    QString title() const { return title_; }
    /// Writes the displayed matrix: .csv (header row of source tokens, first column target
    /// tokens) or .npy (float32 [rows, cols]). False with a message on failure.
    bool exportData(const QString& path, QString* error) const;
    /// The displayed matrix with its labels, as Export data writes it.
    DataTable dataTable() const;
    /// A size at which every label is readable.
    QSize figureSize() const;
    /// Writes PNG/SVG/PDF by extension; width/height 0 → figureSize(). False + message on failure.
    /// PNG pixels are (width, height) × dpi / 96 with the DPI recorded in the file; SVG and
    /// PDF are vector and ignore `dpi`.
    bool exportTo(const QString& path, int width, int height, QString* error, int dpi = 96);
    /// The figure exportTo writes as PNG: (width, height) × dpi / 96 pixels, DPI recorded;
    /// null when the view is empty.
    QImage renderImage(int width, int height, int dpi = 96);

    QCustomPlot* plot() const { return plot_; }
    /// Labels drawn on the target (row) and source (column) axes at the current zoom.
    int visibleRowLabels() const;
    int visibleColumnLabels() const;
    /// The crosshair is drawn (the mouse is over a cell).
    bool crosshairShown() const;
    /// The view as it is on screen (for the clipboard).
    QImage image() const;
    /// How weights get colours (colorscale.h: linear 0 … the largest, log, per row, clipped at a
    /// percentile); the colour bar's numbers stay weights. Without a call: a fixed 0 … 1.
    void setColorScale(ScaleMode mode, double percentile = 99.0);
    /// The scale in use, for the figure's note ("linear, 0 – 0.07"; empty: the fixed 0 … 1).
    QString colorScaleText() const;
    /// Shows the whole matrix again after zooming or panning.
    void resetZoom();
    /// Visible axis ranges (source axis x, target axis y), for saving and restoring the zoom.
    QRectF zoomRanges() const;
    void setZoomRanges(const QRectF& r);

signals:
    void rowPinned(int row);
    void cellHovered(int row, int col);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void onMouseMove(QMouseEvent* e);
    void onMousePress(QMouseEvent* e);
    void onMouseRelease(QMouseEvent* e);
    void clearHover();
    /// Recomputes the visible, non-overlapping labels; true when they changed.
    bool updateTicks();
    void updateMarkerSizes();
    void updatePin();
    /// The cells of the colour map from values_, through the colour scale when one is set.
    void fillCells();
    QSize exportSize(int width, int height) const;
    /// Lays the plot out at `size` (labels and markers for that size), runs `draw`, restores.
    void layoutForExport(QSize size, const std::function<void()>& draw);

    QCustomPlot* plot_ = nullptr;
    QCPColorMap* map_ = nullptr;
    QCPColorScale* scale_ = nullptr;
    QCPGraph* argmax_ = nullptr;
    QCPGraph* hits_ = nullptr;
    QCPGraph* misses_ = nullptr;
    QCPGraph* falseLinks_ = nullptr;
    QCPItemStraightLine* hLine_ = nullptr;
    QCPItemStraightLine* vLine_ = nullptr;
    QCPItemStraightLine* promptLine_ = nullptr;  ///< decoder-only traces: prompt | generated keys
    QCPItemRect* pinRect_ = nullptr;
    QCPItemText* emptyText_ = nullptr;
    QCPTextElement* titleElement_ = nullptr;
    QString title_;
    QList<QCPItemRect*> bands_;  ///< columns the pinned row attends to
    QSharedPointer<QCPAxisTickerText> xTicker_, yTicker_;
    bool scaled_ = false;  ///< a colour scale was chosen (else the fixed 0 … 1)
    ColorScale colorScale_;

    int rows_ = 0, cols_ = 0, pinned_ = -1, hoverRow_ = -1, hoverCol_ = -1;
    QPoint pressPos_{-1, -1};  ///< where the left button went down (a click pins, a drag pans)
    double baseTickPoints_ = 8;
    QString tickSignature_;
    QString colorMap_ = QStringLiteral("viridis");  ///< step and span of the current labels on both axes
    std::vector<float> values_;
    QStringList rowLabels_, colLabels_;
    LinkCounts counts_;
};

} // namespace attnscope::ui
