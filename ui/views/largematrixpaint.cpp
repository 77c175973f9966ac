// LargeMatrixView drawing: cached tiles (or the overview) block by block, labels when they fit,
// axes with token indices, the selected row and column, the colour bar. Paint only: no I/O.
#include "views/largematrixview.h"
#include "jobs/jobtracker.h"
#include "views/colormaps.h"
#include <QElapsedTimer>
#include <QKeyEvent>
#include <QLocale>
#include <QPainter>
#include <QTimer>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

namespace attnscope::ui {

void LargeMatrixView::paintEvent(QPaintEvent*)
{
    QElapsedTimer timer;
    timer.start();
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    const QRect a = plotRect();
    p.fillRect(a, palette().base());
    if (!m_) {
        p.setPen(palette().text().color());
        p.drawText(a, Qt::AlignCenter, tr("No matrix: open a long trace or dump, or run the Transformer over a book"));
        paintMs_ = double(timer.nsecsElapsed()) / 1e6;
        return;
    }
    p.save();
    p.setClipRect(a);
    const auto toX = [&](double cell) { return a.left() + (cell - x0_) / cpp_; };
    const auto toY = [&](double cell) { return a.top() + (cell - y0_) / cpp_; };
    const QRectF v = visibleCells();
    // 1. The overview, always (the fallback while tiles arrive).
    if (!overview_.isNull() && v.width() > 0 && v.height() > 0) {
        const double sx0 = std::floor(v.left() / b0_), sx1 = std::min<double>(overview_.width(), std::ceil(v.right() / b0_));
        const double sy0 = std::floor(v.top() / b0_), sy1 = std::min<double>(overview_.height(), std::ceil(v.bottom() / b0_));
        const QRectF target(toX(sx0 * b0_), toY(sy0 * b0_), (sx1 - sx0) * b0_ / cpp_, (sy1 - sy0) * b0_ / cpp_);
        p.drawImage(target, overview_, QRectF(sx0, sy0, sx1 - sx0, sy1 - sy0));
    }
    // 2. Tiles of the level that matches the zoom, where loaded.
    const int64_t b = level();
    if (b < b0_ && v.width() > 0 && v.height() > 0) {
        const int64_t R = blockCount(m_->rows(), b), C = blockCount(m_->cols(), b);
        const int64_t bx0 = int64_t(v.left()) / b, bx1 = std::min(C, int64_t(std::ceil(v.right() / double(b))));
        const int64_t by0 = int64_t(v.top()) / b, by1 = std::min(R, int64_t(std::ceil(v.bottom() / double(b))));
        for (int64_t ti = by0 / kTile; ti * kTile < by1; ++ti)
            for (int64_t tj = bx0 / kTile; tj * kTile < bx1; ++tj) {
                const auto it = index_.find({b, ti, tj});
                if (it == index_.end()) continue;
                Tile& t = *it->second;
                const QImage img = tileImage(t);
                // Only the visible part of the tile, so a zoomed-in tile is not scaled whole.
                const int64_t sx0 = std::max<int64_t>(0, bx0 - tj * kTile), sx1 = std::min<int64_t>(t.cols, bx1 - tj * kTile);
                const int64_t sy0 = std::max<int64_t>(0, by0 - ti * kTile), sy1 = std::min<int64_t>(t.rows, by1 - ti * kTile);
                if (sx1 <= sx0 || sy1 <= sy0) continue;
                const double cx = double((tj * kTile + sx0) * b), cy = double((ti * kTile + sy0) * b);
                const QRectF target(toX(cx), toY(cy), double((sx1 - sx0) * b) / cpp_, double((sy1 - sy0) * b) / cpp_);
                p.drawImage(target, img, QRectF(double(sx0), double(sy0), double(sx1 - sx0), double(sy1 - sy0)));
            }
    }
    // 3. Picks: the query row and the key column.
    p.setBrush(Qt::NoBrush);
    if (row_ >= 0) {
        p.setPen(QPen(QColor(255, 64, 64), 2));
        const double y = toY(double(row_)), h = std::max(1.0, 1.0 / cpp_);
        p.drawRect(QRectF(a.left() - 2, y - 1.5, a.width() + 4, h + 3));
    }
    if (col_ >= 0) {
        p.setPen(QPen(QColor(255, 255, 255), 2));
        const double x = toX(double(col_)), w = std::max(1.0, 1.0 / cpp_);
        p.drawRect(QRectF(x - 1.5, a.top() - 2, w + 3, a.height() + 4));
    }
    p.restore();
    // Markers outside the plot, so a pick stays findable in a busy matrix.
    p.setPen(Qt::NoPen);
    if (row_ >= 0) {
        const double y = toY(double(row_) + 0.5);
        if (y >= a.top() && y <= a.bottom()) {
            p.setBrush(QColor(255, 64, 64));
            p.drawPolygon(QPolygonF({QPointF(a.left() - 1, y), QPointF(a.left() - 8, y - 5), QPointF(a.left() - 8, y + 5)}));
        }
    }
    if (col_ >= 0) {
        const double x = toX(double(col_) + 0.5);
        if (x >= a.left() && x <= a.right()) {
            p.setBrush(palette().text().color());
            p.drawPolygon(QPolygonF({QPointF(x, a.top() - 1), QPointF(x - 5, a.top() - 8), QPointF(x + 5, a.top() - 8)}));
        }
    }
    p.setBrush(Qt::NoBrush);
    p.setPen(palette().mid().color());
    p.drawRect(a.adjusted(-1, -1, 0, 0));
    paintAxes(p, a);
    paintMs_ = double(timer.nsecsElapsed()) / 1e6;
}

void LargeMatrixView::paintAxes(QPainter& p, const QRect& a)
{
    const QFontMetrics fm = p.fontMetrics();
    p.setPen(palette().text().color());
    const QRectF v = visibleCells();
    const double cellPx = 1.0 / cpp_;
    // Title and what is drawn.
    const int64_t b = std::min(level(), b0_);
    QString what = b == 1 ? tr("cells") : tr("each pixel the %1 of %2×%2").arg(reduce_ == BlockReduce::Max ? tr("max") : tr("mean")).arg(b);
    if (!overviewExact_ && !overview_.isNull()) what += tr(" · overview from sampled rows (exact one computing)");
    if (pending_) what += tr(" · reading %n tile(s)…", nullptr, int(pending_));
    p.drawText(QRect(a.left(), 2, a.width(), kTop - 4), Qt::AlignLeft | Qt::AlignVCenter,
               fm.elidedText(title_.isEmpty() ? what : title_ + QStringLiteral(" — ") + what, Qt::ElideRight, a.width()));
    p.save();
    p.setClipRect(QRect(0, a.top() - 2, width(), a.height() + 4));
    // Rows: labels when a cell holds a line of text, else query indices.
    if (!rowLabels_.isEmpty() && cellPx >= fm.height()) {
        for (int64_t r = int64_t(v.top()); r < int64_t(std::ceil(v.bottom())); ++r) {
            const double y = a.top() + (double(r) - y0_) * cellPx;
            p.drawText(QRectF(2, y, kLeft - 8, cellPx), Qt::AlignRight | Qt::AlignVCenter,
                       fm.elidedText(rowLabels_[int(r)], Qt::ElideRight, kLeft - 10));
        }
    } else {
        const int64_t step = niceStep(40.0 * cpp_);
        for (int64_t r = int64_t(std::ceil(v.top() / double(step))) * step; r < v.bottom(); r += step) {
            const double y = a.top() + (double(r) + 0.5 - y0_) * cellPx;
            p.drawLine(QPointF(a.left() - 5, y), QPointF(a.left() - 1, y));
            p.drawText(QRectF(2, y - fm.height() / 2.0, kLeft - 10, fm.height()), Qt::AlignRight | Qt::AlignVCenter, countText(r));
        }
    }
    p.restore();
    p.save();
    p.setClipRect(QRect(a.left() - 2, a.bottom() + 1, a.width() + 4, kBottom));
    if (!colLabels_.isEmpty() && cellPx >= fm.height()) {
        for (int64_t c = int64_t(v.left()); c < int64_t(std::ceil(v.right())); ++c) {
            const double x = a.left() + (double(c) - x0_ + 0.5) * cellPx;
            p.save();
            p.translate(x + fm.ascent() / 2.0, a.bottom() + 4);
            p.rotate(90);
            p.drawText(0, 0, fm.elidedText(colLabels_[int(c)], Qt::ElideRight, kBottom - 24));
            p.restore();
        }
    } else {
        const int64_t step = niceStep(80.0 * cpp_);
        for (int64_t c = int64_t(std::ceil(v.left() / double(step))) * step; c < v.right(); c += step) {
            const double x = a.left() + (double(c) + 0.5 - x0_) * cellPx;
            p.drawLine(QPointF(x, a.bottom() + 1), QPointF(x, a.bottom() + 5));
            p.drawText(QRectF(x - 50, a.bottom() + 6, 100, fm.height()), Qt::AlignHCenter | Qt::AlignTop, countText(c));
        }
    }
    p.restore();
    p.drawText(QRect(a.left(), height() - fm.height() - 2, a.width(), fm.height()), Qt::AlignHCenter,
               tr("key (column) %1 … %2").arg(countText(int64_t(v.left())), countText(std::max<int64_t>(0, int64_t(std::ceil(v.right())) - 1))));
    p.save();
    p.translate(fm.ascent() + 1, a.center().y());
    p.rotate(-90);
    p.drawText(QRect(-a.height() / 2, -fm.ascent(), a.height(), fm.height()), Qt::AlignHCenter,
               tr("query (row) %1 … %2").arg(countText(int64_t(v.top())), countText(std::max<int64_t>(0, int64_t(std::ceil(v.bottom())) - 1))));
    p.restore();
    paintScaleBar(p, QRect(a.right() + 12, a.top(), 12, a.height()), scale_, table_, palette());
}

} // namespace attnscope::ui
