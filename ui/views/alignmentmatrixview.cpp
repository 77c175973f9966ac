#include "views/alignmentmatrixview.h"
#include "attnscope/schema.h"

#include <cstdlib>

#include "views/datawriter.h"
#include "views/figurewriter.h"

#include "attnscope/alignment.h"
#include "attnscope/dumps.h"
#include "views/colormaps.h"

#include <QFileInfo>
#include <QTextStream>
#include <QToolTip>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace attnscope::ui {

namespace {
/// ±Inf become NaN, which the gradient draws as no value (QCustomPlot would clamp Inf to an end colour).
double finiteOrNan(float v) { return std::isfinite(v) ? double(v) : std::numeric_limits<double>::quiet_NaN(); }

/// Link markers follow the cell size in the matrix, but their legend icon keeps one readable
/// size (a long sentence's 5-pixel marker would be a sliver in the legend).
class MarkerGraph : public QCPGraph {
public:
    using QCPGraph::QCPGraph;
    static constexpr double kLegendSize = 16;

protected:
    void drawLegendIcon(QCPPainter* painter, const QRectF& rect) const override
    {
        QCPScatterStyle style = scatterStyle();
        style.setSize(std::min(kLegendSize, std::min(rect.width(), rect.height()) - 2));
        style.applyTo(painter, style.pen());
        style.drawShape(painter, rect.center());
    }
};

QCPGraph* markerGraph([[maybe_unused]] QCustomPlot* p, QCPAxis* key, QCPAxis* value, const QString& name, QCPScatterStyle::ScatterShape shape,
                      const QPen& pen, const QBrush& brush)
{
    auto* g = new MarkerGraph(key, value);  // owned by the plot, like addGraph's
    g->setName(name);
    g->setLineStyle(QCPGraph::lsNone);
    g->setScatterStyle(QCPScatterStyle(shape, pen, brush, 8));
    g->setAdaptiveSampling(false);
    return g;
}
} // namespace

AlignmentMatrixView::AlignmentMatrixView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    plot_ = new QCustomPlot(this);
    plot_->setObjectName("alignmentPlot");
    layout->addWidget(plot_);
    plot_->setMouseTracking(true);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->setNoAntialiasingOnDrag(true);

    // Source tokens on the top axis, target tokens on the left axis, query 0 on top.
    QCPAxis* x = plot_->xAxis2;
    QCPAxis* y = plot_->yAxis;
    plot_->xAxis->setVisible(false);
    x->setVisible(true);
    x->setTickLabelRotation(-60);
    y->setRangeReversed(true);
    QFont tickFont = font();
    tickFont.setPointSizeF(std::max(7.0, tickFont.pointSizeF() - 1.0));
    baseTickPoints_ = tickFont.pointSizeF();
    for (QCPAxis* a : {x, y}) {
        a->setTickLabelFont(tickFont);
        a->grid()->setVisible(false);
        a->setSubTicks(false);
        a->setTickLength(0, 3);
    }
    xTicker_.reset(new QCPAxisTickerText);
    yTicker_.reset(new QCPAxisTickerText);
    x->setTicker(xTicker_);
    y->setTicker(yTicker_);
    x->setLabel(tr("source"));
    y->setLabel(tr("target"));
    plot_->axisRect()->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    plot_->axisRect()->setRangeDragAxes(x, y);
    plot_->axisRect()->setRangeZoomAxes(x, y);

    map_ = new QCPColorMap(x, y);
    // Cells centred on integer coordinates, each extending ±0.5 (not tight: a tight
    // boundary would clip the first and last rows and columns to half a cell).
    map_->setInterpolate(false);
    map_->setTightBoundary(false);
    scale_ = new QCPColorScale(plot_);
    plot_->plotLayout()->addElement(0, 1, scale_);
    scale_->setLabel(tr("attention weight α"));
    map_->setColorScale(scale_);
    map_->setGradient(colorGradient("viridis"));
    map_->setDataRange(QCPRange(0, 1));
    auto* group = new QCPMarginGroup(plot_);
    plot_->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    scale_->setMarginGroup(QCP::msTop | QCP::msBottom, group);

    argmax_ = markerGraph(plot_, x, y, tr("argmax link"), QCPScatterStyle::ssCircle, QPen(QColor(0, 0, 0, 170), 1), QBrush(Qt::white));
    hits_ = markerGraph(plot_, x, y, tr("gold hit"), QCPScatterStyle::ssSquare, QPen(QColor("#00c853"), 2.5), Qt::NoBrush);
    misses_ = markerGraph(plot_, x, y, tr("gold miss"), QCPScatterStyle::ssSquare, QPen(QColor("#ff9100"), 2.5, Qt::DashLine), Qt::NoBrush);
    falseLinks_ = markerGraph(plot_, x, y, tr("false link"), QCPScatterStyle::ssCross, QPen(QColor("#ff1744"), 2.5), Qt::NoBrush);

    // Title row above the plot (what the matrix shows); empty and collapsed until set.
    plot_->plotLayout()->insertRow(0);
    titleElement_ = new QCPTextElement(plot_, QString(), QFont(font().family(), font().pointSize(), QFont::Bold));
    plot_->plotLayout()->addElement(0, 0, titleElement_);
    plot_->plotLayout()->setRowStretchFactor(0, 0.001);
    titleElement_->setVisible(false);
    // Legend below the plot, one row.
    auto* legendRect = new QCPLayoutGrid;
    plot_->plotLayout()->addElement(2, 0, legendRect);
    plot_->plotLayout()->setRowStretchFactor(2, 0.001);
    legendRect->addElement(0, 0, plot_->legend);
    plot_->legend->setVisible(true);
    plot_->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot_->legend->setIconSize(34, 26);  // room for the cell-sized square markers
    plot_->legend->setBorderPen(Qt::NoPen);
    plot_->legend->setBrush(Qt::NoBrush);

    // Crosshair and pinned row live on a buffered overlay layer: hover replots only it.
    plot_->layer("overlay")->setMode(QCPLayer::lmBuffered);
    auto crossPen = QPen(QColor(255, 255, 255, 200), 1, Qt::DashLine);
    hLine_ = new QCPItemStraightLine(plot_);
    vLine_ = new QCPItemStraightLine(plot_);
    pinRect_ = new QCPItemRect(plot_);
    for (QCPAbstractItem* it : std::initializer_list<QCPAbstractItem*>{hLine_, vLine_, pinRect_}) {
        it->setLayer("overlay");
        it->setClipAxisRect(plot_->axisRect());
        for (auto* pos : it->positions()) pos->setAxes(x, y);
        it->setVisible(false);
        it->setSelectable(false);
    }
    hLine_->setPen(crossPen);
    vLine_->setPen(crossPen);
    // Decoder-only traces: the boundary between the prompt's keys and the generated ones.
    promptLine_ = new QCPItemStraightLine(plot_);
    promptLine_->setClipAxisRect(plot_->axisRect());
    for (auto* pos : promptLine_->positions()) pos->setAxes(x, y);
    promptLine_->setPen(QPen(QColor("#ffb000"), 2, Qt::DashDotLine));
    promptLine_->setVisible(false);
    promptLine_->setSelectable(false);
    pinRect_->setPen(QPen(QColor("#ff4081"), 2.5));
    pinRect_->setBrush(Qt::NoBrush);

    emptyText_ = new QCPItemText(plot_);
    emptyText_->setClipToAxisRect(false);
    emptyText_->position->setType(QCPItemPosition::ptAxisRectRatio);
    emptyText_->position->setCoords(0.5, 0.5);
    emptyText_->setText(tr("Translate a sentence or pick a verse to see its alignment matrix"));
    emptyText_->setColor(QColor("#555555"));

    connect(plot_, &QCustomPlot::mouseMove, this, &AlignmentMatrixView::onMouseMove);
    connect(plot_, &QCustomPlot::mousePress, this, &AlignmentMatrixView::onMousePress);
    connect(plot_, &QCustomPlot::mouseRelease, this, &AlignmentMatrixView::onMouseRelease);
    connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this] { resetZoom(); });
    plot_->setFocusPolicy(Qt::StrongFocus);
    plot_->installEventFilter(this);
    // Labels and marker sizes depend on pixels per cell, known only after layout. QCustomPlot
    // builds tick vectors before afterLayout, so a changed label set needs one more replot.
    connect(plot_, &QCustomPlot::afterLayout, this, [this] {
        updateMarkerSizes();
        if (updateTicks()) plot_->replot(QCustomPlot::rpQueuedReplot);
    });
    connect(x, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] { updateTicks(); updateMarkerSizes(); });
    connect(y, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] { updateTicks(); updateMarkerSizes(); });
    setWhatsThis(tr("Hover a cell for its weight; click a target row to pin it (Up/Down move it, Esc unpins); drag to pan, wheel to zoom, double-click or Home to reset."));
    clear();
}

void AlignmentMatrixView::clear()
{
    rows_ = cols_ = 0;
    pinned_ = hoverRow_ = hoverCol_ = -1;
    values_.clear();
    rowLabels_.clear();
    colLabels_.clear();
    counts_ = {};
    map_->data()->setSize(1, 1);
    map_->data()->fill(0);
    map_->setVisible(false);
    emptyText_->setVisible(true);
    plot_->legend->setVisible(false);
    for (auto* g : {argmax_, hits_, misses_, falseLinks_}) g->data()->clear();
    xTicker_->clear();
    yTicker_->clear();
    hLine_->setVisible(false);
    vLine_->setVisible(false);
    updatePin();
    plot_->replot();
}

void AlignmentMatrixView::setTrace(const AttentionTrace& trace, const std::vector<AlignmentLink>& links, const LinkOptions& readBy)
{
    const TraceTensor* t = trace.find(schema::translation::kCross);
    if (!t || t->shape.size() != 2 || t->numel() == 0) {
        clear();
        return;
    }
    // Keys left of the line are the prompt's, right of it the generated tokens'.
    const int prompt = std::atoi(trace.meta(schema::translation::kPromptTokensMeta).c_str());
    promptLine_->setVisible(prompt > 0);
    if (prompt > 0) {
        promptLine_->point1->setCoords(prompt - 0.5, 0);
        promptLine_->point2->setCoords(prompt - 0.5, 1);
    }
    rows_ = int(t->shape[0]);
    cols_ = int(t->shape[1]);
    values_ = t->values;
    rowLabels_.clear();
    colLabels_.clear();
    for (int r = 0; r < rows_; ++r)
        rowLabels_ << (t->labels.size() > 0 && int(t->labels[0].size()) == rows_ ? QString::fromStdString(t->labels[0][size_t(r)]) : QString::number(r));
    for (int c = 0; c < cols_; ++c)
        colLabels_ << (t->labels.size() > 1 && int(t->labels[1].size()) == cols_ ? QString::fromStdString(t->labels[1][size_t(c)]) : QString::number(c));
    pinned_ = hoverRow_ = hoverCol_ = -1;

    map_->setVisible(true);
    emptyText_->setVisible(false);
    plot_->legend->setVisible(!links.empty() || trace.hasGold());  // nothing to explain without links
    // QCustomPlot infers the cell size from the range; a single cell has none, so a
    // one-cell dimension is stored as two half cells spanning (−0.5, 0.5).
    fillCells();
    plot_->xAxis2->setRange(-0.5, cols_ - 0.5);
    plot_->yAxis->setRange(-0.5, rows_ - 0.5);

    // The links as the caller read them (argmax by default), marked against the gold.
    argmax_->setName(readBy.method == LinkMethod::Argmax
                         ? tr("argmax link")
                         : tr("%1 link").arg(QString::fromStdString(describeLinks(readBy))));
    std::set<AlignmentLink> gold(trace.goldLinks.begin(), trace.goldLinks.end());
    auto evaluated = [&](const AlignmentLink& l) {
        return trace.hasGold() && size_t(l.source) < trace.sourceEvaluated.size() &&
               size_t(l.target) < trace.targetEvaluated.size() && trace.sourceEvaluated[size_t(l.source)] &&
               trace.targetEvaluated[size_t(l.target)];
    };
    QVector<double> ax, ay, hx, hy, mx, my, fx, fy;
    std::set<AlignmentLink> predicted;
    counts_ = {};
    for (const auto& l : links) {
        ax << l.source;
        ay << l.target;
        predicted.insert(l);
        if (!evaluated(l)) continue;
        if (gold.count(l)) hx << l.source, hy << l.target, ++counts_.hits;
        else fx << l.source, fy << l.target, ++counts_.falseLinks;
    }
    for (const auto& l : gold)
        if (!predicted.count(l)) mx << l.source, my << l.target, ++counts_.misses;
    counts_.argmax = int(links.size());
    argmax_->setData(ax, ay);
    hits_->setData(hx, hy);
    misses_->setData(mx, my);
    falseLinks_->setData(fx, fy);
    const bool g = trace.hasGold();
    for (auto* graph : {hits_, misses_, falseLinks_}) {
        graph->setVisible(g);
        if (g) graph->addToLegend();
        else graph->removeFromLegend();
    }
    hLine_->setVisible(false);
    vLine_->setVisible(false);
    updatePin();
    updateTicks();
    updateMarkerSizes();
    plot_->replot();
}

void AlignmentMatrixView::resetZoom()
{
    if (rows_ == 0) return;
    plot_->xAxis2->setRange(-0.5, cols_ - 0.5);
    plot_->yAxis->setRange(-0.5, rows_ - 0.5);
    plot_->replot();
}

QImage AlignmentMatrixView::image() const { return plot_->toPixmap().toImage(); }

QRectF AlignmentMatrixView::zoomRanges() const
{
    const QCPRange x = plot_->xAxis2->range(), y = plot_->yAxis->range();
    return QRectF(QPointF(x.lower, y.lower), QPointF(x.upper, y.upper));
}

void AlignmentMatrixView::setZoomRanges(const QRectF& r)
{
    if (rows_ == 0 || r.width() <= 0 || r.height() <= 0) return;
    plot_->xAxis2->setRange(r.left(), r.right());
    plot_->yAxis->setRange(r.top(), r.bottom());
    plot_->replot();
}

bool AlignmentMatrixView::eventFilter(QObject* watched, QEvent* event)
{
    // The crosshair goes with the mouse.
    if (watched == plot_ && event->type() == QEvent::Leave) clearHover();
    // Keyboard: Up/Down move the pinned target row, Esc unpins, Home resets the zoom.
    if (watched == plot_ && event->type() == QEvent::KeyPress && rows_ > 0) {
        const int key = static_cast<QKeyEvent*>(event)->key();
        if (key == Qt::Key_Down || key == Qt::Key_Up) {
            const int next = pinned_ < 0 ? 0 : std::clamp(pinned_ + (key == Qt::Key_Down ? 1 : -1), 0, rows_ - 1);
            setPinnedRow(next);
            return true;
        }
        if (key == Qt::Key_Escape && pinned_ >= 0) {
            setPinnedRow(-1);
            return true;
        }
        if (key == Qt::Key_Home) {
            resetZoom();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

double AlignmentMatrixView::value(int row, int col) const
{
    if (row < 0 || col < 0 || row >= rows_ || col >= cols_) return 0;
    return double(values_[size_t(row * cols_ + col)]);
}

QString AlignmentMatrixView::cellText(int row, int col) const
{
    if (row < 0 || col < 0 || row >= rows_ || col >= cols_) return {};
    return QStringLiteral("%1 ← %2: %3").arg(rowLabels_[row], colLabels_[col]).arg(value(row, col), 0, 'f', 2);
}

bool AlignmentMatrixView::cellAt(const QPoint& pos, int* row, int* col) const
{
    if (rows_ == 0 || !plot_->axisRect()->rect().contains(pos)) return false;
    const int c = int(std::lround(plot_->xAxis2->pixelToCoord(pos.x())));
    const int r = int(std::lround(plot_->yAxis->pixelToCoord(pos.y())));
    if (r < 0 || c < 0 || r >= rows_ || c >= cols_) return false;
    *row = r;
    *col = c;
    return true;
}

void AlignmentMatrixView::onMouseMove(QMouseEvent* e)
{
    int r = -1, c = -1;
    const bool inside = cellAt(e->pos(), &r, &c);
    if (r == hoverRow_ && c == hoverCol_) return;
    hoverRow_ = r;
    hoverCol_ = c;
    hLine_->setVisible(inside);
    vLine_->setVisible(inside);
    if (inside) {
        hLine_->point1->setCoords(0, r);
        hLine_->point2->setCoords(1, r);
        vLine_->point1->setCoords(c, 0);
        vLine_->point2->setCoords(c, 1);
        QToolTip::showText(e->globalPosition().toPoint(), cellText(r, c), plot_);
    } else {
        QToolTip::hideText();
    }
    plot_->layer("overlay")->replot();
    emit cellHovered(r, c);
}

int AlignmentMatrixView::visibleRowLabels() const { return yTicker_->ticks().size(); }
int AlignmentMatrixView::visibleColumnLabels() const { return xTicker_->ticks().size(); }
bool AlignmentMatrixView::crosshairShown() const { return hLine_->visible(); }

void AlignmentMatrixView::clearHover()
{
    if (hoverRow_ < 0 && hoverCol_ < 0 && !hLine_->visible()) return;
    hoverRow_ = hoverCol_ = -1;
    hLine_->setVisible(false);
    vLine_->setVisible(false);
    QToolTip::hideText();
    plot_->layer("overlay")->replot();
    emit cellHovered(-1, -1);
}

void AlignmentMatrixView::onMousePress(QMouseEvent* e)
{
    // Only remembered: a press that becomes a drag pans; one released in place pins (below).
    if (e->button() == Qt::LeftButton) pressPos_ = e->pos();
}

void AlignmentMatrixView::onMouseRelease(QMouseEvent* e)
{
    if (e->button() != Qt::LeftButton || pressPos_.x() < 0) return;
    const bool moved = (e->pos() - pressPos_).manhattanLength() > 4;
    pressPos_ = QPoint(-1, -1);
    if (moved) return;
    int r = -1, c = -1;
    if (cellAt(e->pos(), &r, &c)) {
        setPinnedRow(r == pinned_ ? -1 : r);
        return;
    }
    // A click on a target token label (left of the matrix) pins that row too.
    const QRect ar = plot_->axisRect()->rect();
    if (rows_ > 0 && e->pos().x() < ar.left() && e->pos().y() >= ar.top() && e->pos().y() <= ar.bottom()) {
        r = int(std::lround(plot_->yAxis->pixelToCoord(e->pos().y())));
        if (r >= 0 && r < rows_) setPinnedRow(r == pinned_ ? -1 : r);
    }
}

void AlignmentMatrixView::setPinnedRow(int row)
{
    pinned_ = (row >= 0 && row < rows_) ? row : -1;
    updatePin();
    plot_->layer("overlay")->replot();
    emit rowPinned(pinned_);
}

void AlignmentMatrixView::updatePin()
{
    for (auto* b : bands_) plot_->removeItem(b);
    bands_.clear();
    pinRect_->setVisible(pinned_ >= 0);
    if (pinned_ < 0) return;
    pinRect_->topLeft->setCoords(-0.5, pinned_ - 0.5);
    pinRect_->bottomRight->setCoords(cols_ - 0.5, pinned_ + 0.5);
    // Highlight the source words the pinned row attends to (weight ≥ 0.1), the
    // stronger the more opaque.
    for (const auto& [c, w] : attendedColumns(pinned_, 0.1)) {
        auto* band = new QCPItemRect(plot_);
        band->setLayer("overlay");
        band->setClipAxisRect(plot_->axisRect());
        band->setSelectable(false);
        for (auto* pos : band->positions()) pos->setAxes(plot_->xAxis2, plot_->yAxis);
        band->topLeft->setCoords(c - 0.5, -0.5);
        band->bottomRight->setCoords(c + 0.5, rows_ - 0.5);
        band->setPen(QPen(QColor(255, 64, 129, 200), 1));
        band->setBrush(QColor(255, 64, 129, int(40 + 80 * w)));
        bands_.append(band);
    }
}

QList<QPair<int, double>> AlignmentMatrixView::attendedColumns(int row, double threshold) const
{
    QList<QPair<int, double>> out;
    if (row < 0 || row >= rows_) return out;
    for (int c = 0; c < cols_; ++c)
        if (value(row, c) >= threshold) out.append({c, value(row, c)});
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    return out;
}

void AlignmentMatrixView::setTitle(const QString& title)
{
    title_ = title;
    titleElement_->setText(title);
    titleElement_->setVisible(!title.isEmpty());
    // A hidden element still takes its row's minimum height: collapse it when empty.
    titleElement_->setMinimumSize(0, 0);
    titleElement_->setMaximumSize(QWIDGETSIZE_MAX, title.isEmpty() ? 0 : QWIDGETSIZE_MAX);
    plot_->replot();
}

void AlignmentMatrixView::setColorMap(const QString& name)
{
    colorMap_ = colorMapNames().contains(name) ? name : QStringLiteral("viridis");
    map_->setGradient(colorGradient(colorMap_));
    plot_->replot();
}

bool AlignmentMatrixView::updateTicks()
{
    // Thin labels so they never overlap: every k-th token, k from the pixels per cell.
    // Dense axes first get a smaller font (down to 6 pt), then every k-th label.
    QString signature;
    auto fill = [&](QCPAxis* axis, QCPAxisTickerText* ticker, const QStringList& labels) {
        ticker->clear();
        const int n = labels.size();
        if (n == 0) return;
        const double pxPerCell = std::abs(axis->coordToPixel(1) - axis->coordToPixel(0));
        QFont f = axis->tickLabelFont();
        f.setPointSizeF(baseTickPoints_);
        const double fullPitch = QFontMetricsF(f).ascent() + 0.5;
        if (pxPerCell < fullPitch) {
            double pt = std::max(6.0, baseTickPoints_ * (pxPerCell - 0.5) / (fullPitch - 0.5) - 0.05);
            f.setPointSizeF(pt);
            // Font metrics round up: a step smaller until a label fits its cell, so a row that can
            // hold a 6 pt label is never skipped (every other row went unlabelled at 1440 × 900).
            while (pt > 6.0 && QFontMetricsF(f).ascent() + 0.5 > pxPerCell) f.setPointSizeF(pt = std::max(6.0, pt - 0.25));
        }
        if (f != axis->tickLabelFont()) axis->setTickLabelFont(f);
        const double pitch = QFontMetricsF(f).ascent() + 0.5;
        const int step = std::max(1, int(std::ceil(pitch / std::max(pxPerCell, 1e-3))));
        const QCPRange r = axis->range();
        const int lo = std::max(0, int(std::floor(r.lower))), hi = std::min(n - 1, int(std::ceil(r.upper)));
        for (int i = lo - lo % step; i <= hi; i += step)
            if (i >= 0) ticker->addTick(i, labels[i]);
        signature += QStringLiteral("%1:%2:%3:%4;").arg(step).arg(lo).arg(hi).arg(f.pointSizeF());
    };
    fill(plot_->xAxis2, xTicker_.data(), colLabels_);
    fill(plot_->yAxis, yTicker_.data(), rowLabels_);
    const bool changed = signature != tickSignature_;
    tickSignature_ = signature;
    return changed;
}

void AlignmentMatrixView::fillCells()
{
    auto* data = map_->data();
    const int kx = std::max(cols_, 2), ky = std::max(rows_, 2);
    data->setSize(kx, ky);
    data->setRange(cols_ == 1 ? QCPRange(-0.25, 0.25) : QCPRange(0, cols_ - 1),
                   rows_ == 1 ? QCPRange(-0.25, 0.25) : QCPRange(0, rows_ - 1));
    std::vector<float> rowMax(size_t(rows_), 0.0f);
    if (scaled_) {
        colorScale_.fit(values_.data(), int64_t(values_.size()));
        for (int r = 0; r < rows_; ++r)
            for (int c = 0; c < cols_; ++c) rowMax[size_t(r)] = std::max(rowMax[size_t(r)], values_[size_t(r * cols_ + c)]);
    }
    for (int r = 0; r < ky; ++r)
        for (int c = 0; c < kx; ++c) {
            const int rr = std::min(r, rows_ - 1);
            double v = finiteOrNan(values_[size_t(rr * cols_ + std::min(c, cols_ - 1))]);
            if (scaled_ && !std::isnan(v)) {  // the colour map draws positions 0 … 1 on the bar
                if (colorScale_.mode == ScaleMode::PerRow) v = rowMax[size_t(rr)] > 0 ? v / rowMax[size_t(rr)] : 0.0;
                v = colorScale_.position(v);
            }
            data->setCell(c, r, v);
        }
    // The bar's numbers are weights whatever the scale.
    if (scaled_) {
        QSharedPointer<QCPAxisTickerText> ticks(new QCPAxisTickerText);
        for (double t : {0.0, 0.25, 0.5, 0.75, 1.0})
            ticks->addTick(t, colorScale_.mode == ScaleMode::PerRow ? QString::number(t) : weightText(colorScale_.valueAt(t)));
        scale_->axis()->setTicker(ticks);
        scale_->setLabel(colorScale_.mode == ScaleMode::PerRow ? tr("α / the row's largest α") : tr("attention weight α (%1)").arg(colorScale_.describe()));
    }
}

void AlignmentMatrixView::setColorScale(ScaleMode mode, double percentile)
{
    scaled_ = true;
    colorScale_.mode = mode;
    colorScale_.percentile = percentile;
    if (rows_ > 0) fillCells();
    plot_->replot();
}

QString AlignmentMatrixView::colorScaleText() const { return scaled_ ? colorScale_.describe() : QString(); }

void AlignmentMatrixView::updateMarkerSizes()
{
    const double cw = std::abs(plot_->xAxis2->coordToPixel(1) - plot_->xAxis2->coordToPixel(0));
    const double ch = std::abs(plot_->yAxis->coordToPixel(1) - plot_->yAxis->coordToPixel(0));
    const double cell = std::min(cw, ch);
    auto setSize = [](QCPGraph* g, double s) {
        auto st = g->scatterStyle();
        st.setSize(s);
        g->setScatterStyle(st);
    };
    setSize(argmax_, std::clamp(cell * 0.4, 4.0, 12.0));
    for (auto* g : {hits_, misses_}) setSize(g, std::clamp(cell * 0.85, 5.0, 40.0));
    setSize(falseLinks_, std::clamp(cell * 0.7, 5.0, 32.0));
}

void AlignmentMatrixView::setColorBarLabel(const QString& label)
{
    scale_->setLabel(label);
    plot_->replot();
}

QString AlignmentMatrixView::colorBarLabel() const { return scale_->label(); }

QString AlignmentMatrixView::axisTitle(Qt::Orientation o) const
{
    return o == Qt::Horizontal ? plot_->xAxis2->label() : plot_->yAxis->label();
}

void AlignmentMatrixView::setAxisTitles(const QString& columns, const QString& rows)
{
    plot_->xAxis2->setLabel(columns);
    plot_->yAxis->setLabel(rows);
    plot_->replot();
}

} // namespace attnscope::ui
