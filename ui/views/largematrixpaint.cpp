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
#include <limits>
#include <vector>

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
    // 1–2. Every screen pixel is the reduction (max by default, or mean) of all the blocks under
    // it — the finer level's tiles where they have arrived, else the overview's — never a
    // resample that keeps one block of several: thin peaks survive every zoom.
    if (v.width() > 0 && v.height() > 0 && (!overviewValues_.empty() || !index_.empty())) {  // nothing read yet: the base
        const int W = a.width(), H = a.height();
        const bool mean = reduce_ == BlockReduce::Mean, perRow = scale_.mode == ScaleMode::PerRow;
        constexpr float kEmpty = -std::numeric_limits<float>::infinity();
        std::vector<float>& px = paintPx_;            // max, or the sum for mean
        std::vector<uint16_t>& count = paintCount_;   // mean: blocks summed
        std::vector<uint8_t>& fromFine = paintFine_;  // the pixel is the finer level's
        px.assign(size_t(W) * size_t(H), kEmpty);
        count.assign(mean ? px.size() : 0, 0);
        fromFine.assign(px.size(), 0);
        // The pixel span [first, last] of block k of size b along an axis starting at cell `origin`.
        const auto span = [&](int64_t k, int64_t b, double origin, int limit, int& first, int& last) {
            const double lo = (double(k * b) - origin) / cpp_, hi = (double((k + 1) * b) - origin) / cpp_;
            if (hi <= 0 || lo >= limit) return false;
            first = std::max(0, int(std::floor(lo)));
            last = std::min(limit - 1, std::max(first, int(std::ceil(hi)) - 1));
            return true;
        };
        // Blocks nr × nc of size b from block (bi, bj): values row-major with `stride`; `fine`
        // marks its pixels, and an overview block only fills pixels no fine block took.
        // Separable, once per pixel row: the block rows under the row are reduced column by
        // column (contiguous, vectorised), then each pixel gathers the blocks [jFirst, jLast]
        // under it (fewer than three at the level drawn). NaN and ±inf are no value.
        constexpr float kInf = std::numeric_limits<float>::infinity();
        std::vector<int> jFirst(static_cast<size_t>(W)), jLast(static_cast<size_t>(W));
        std::vector<float> acc, line(static_cast<size_t>(W));
        std::vector<uint16_t> accN, lineN(mean ? size_t(W) : 0);
        std::vector<int> rowY0, rowY1;
        std::vector<int> rowTaken(static_cast<size_t>(H), 0);  // pixels of each row the finer level drew
        const auto put = [&](int64_t b, int64_t bi, int64_t bj, int64_t nr, int64_t nc, const float* values, int64_t stride,
                             const std::vector<float>& norms, bool fine) {
            int lo = W, hi = -1;  // the pixel columns these blocks touch
            for (int64_t j = 0; j < nc; ++j) {
                int x0 = 0, x1 = 0;
                if (!span(bj + j, b, x0_, W, x0, x1)) continue;
                for (int x = std::max(x0, hi + 1); x <= x1; ++x) jFirst[size_t(x)] = int(j);  // columns ascend
                for (int x = x0; x <= x1; ++x) jLast[size_t(x)] = int(j);
                lo = std::min(lo, x0), hi = std::max(hi, x1);
            }
            if (hi < lo) return;
            int widest = 0;  // the most blocks under one pixel column
            for (int x = lo; x <= hi; ++x) widest = std::max(widest, jLast[size_t(x)] - jFirst[size_t(x)] + 1);
            rowY0.assign(size_t(nr), std::numeric_limits<int>::max());  // off screen: never under a row
            rowY1.assign(size_t(nr), std::numeric_limits<int>::min());
            int top = H, bottom = -1;
            for (int64_t i = 0; i < nr; ++i)
                if (span(bi + i, b, y0_, H, rowY0[size_t(i)], rowY1[size_t(i)]))
                    top = std::min(top, rowY0[size_t(i)]), bottom = std::max(bottom, rowY1[size_t(i)]);
            acc.resize(size_t(nc));
            accN.resize(mean ? size_t(nc) : 0);
            int64_t first = 0;  // the first block row that can be under pixel row y (rows ascend)
            for (int y = top; y <= bottom; ++y) {
                while (first < nr && rowY1[size_t(first)] < y) ++first;
                if (!fine && rowTaken[size_t(y)] >= hi - lo + 1) continue;  // the finer level drew all of it
                // The overview: only the columns from the first to the last pixel not yet drawn.
                int xa = lo, xb = hi;
                if (!fine && rowTaken[size_t(y)] > 0) {
                    const uint8_t* taken = fromFine.data() + size_t(y) * size_t(W);
                    while (xa <= xb && taken[xa]) ++xa;
                    while (xb >= xa && taken[xb]) --xb;
                    if (xb < xa) continue;
                }
                const int64_t ja = jFirst[size_t(xa)], jb = jLast[size_t(xb)] + 1;  // the block columns under them
                std::fill(acc.begin() + ja, acc.begin() + jb, mean ? 0.f : kEmpty);
                if (mean) std::fill(accN.begin() + ja, accN.begin() + jb, uint16_t(0));
                bool any = false;
                for (int64_t i = first; i < nr && rowY0[size_t(i)] <= y; ++i) {
                    if (rowY1[size_t(i)] < y) continue;
                    any = true;
                    // Row mode: each block row by its own largest weight first.
                    const float norm = perRow && size_t(i) < norms.size() && norms[size_t(i)] > 0 ? norms[size_t(i)] : 1.f;
                    const float* row = values + i * stride;
                    float* A = acc.data();
                    if (mean) {
                        uint16_t* N = accN.data();
                        for (int64_t j = ja; j < jb; ++j) {
                            const bool ok = std::abs(row[j]) < kInf;
                            A[j] += ok ? row[j] / norm : 0.f;
                            N[j] = uint16_t(N[j] + (ok ? 1 : 0));
                        }
                    } else if (norm == 1.f) {
                        for (int64_t j = ja; j < jb; ++j) A[j] = row[j] > A[j] && row[j] < kInf ? row[j] : A[j];
                    } else {
                        for (int64_t j = ja; j < jb; ++j) {
                            const float val = row[j] / norm;
                            A[j] = val > A[j] && val < kInf ? val : A[j];
                        }
                    }
                }
                if (!any) continue;
                if (!mean && widest <= 3) {  // the common case, branch-free: at most three blocks per pixel
                    const float* A = acc.data();
                    for (int x = xa; x <= xb; ++x) {
                        const int j0 = jFirst[size_t(x)], j1 = jLast[size_t(x)];
                        line[size_t(x)] = std::max(std::max(A[j0], A[std::min(j0 + 1, j1)]), A[std::min(j0 + 2, j1)]);
                    }
                } else for (int x = xa; x <= xb; ++x) {
                    const int j1 = jLast[size_t(x)];
                    if (mean) {
                        float sum = 0;
                        int n = 0;
                        for (int j = jFirst[size_t(x)]; j <= j1; ++j) sum += acc[size_t(j)], n += accN[size_t(j)];
                        line[size_t(x)] = sum;
                        lineN[size_t(x)] = uint16_t(std::min(n, 65535));
                    } else {
                        float m = kEmpty;
                        for (int j = jFirst[size_t(x)]; j <= j1; ++j) m = std::max(m, acc[size_t(j)]);
                        line[size_t(x)] = m;
                    }
                }
                float* out = px.data() + size_t(y) * size_t(W);
                uint8_t* taken = fromFine.data() + size_t(y) * size_t(W);
                if (mean) {
                    uint16_t* n = count.data() + size_t(y) * size_t(W);
                    for (int x = xa; x <= xb; ++x) {
                        if (lineN[size_t(x)] == 0 || (!fine && taken[x])) continue;
                        if (fine && !taken[x]) ++rowTaken[size_t(y)];
                        taken[x] = fine ? 1 : taken[x];
                        out[x] = (n[x] ? out[x] : 0.f) + line[size_t(x)];
                        n[x] = uint16_t(std::min<int>(n[x] + lineN[size_t(x)], 65535));
                    }
                } else if (fine) {  // −inf is the empty line: max leaves the pixel as it was
                    int added = 0;
                    for (int x = xa; x <= xb; ++x) {
                        out[x] = std::max(out[x], line[size_t(x)]);
                        const uint8_t t = uint8_t(line[size_t(x)] != kEmpty);
                        added += t & ~taken[x] & 1;
                        taken[x] |= t;
                    }
                    rowTaken[size_t(y)] += added;
                } else {  // an overview block never covers what the finer level drew
                    for (int x = xa; x <= xb; ++x) out[x] = taken[x] != 0 ? out[x] : std::max(out[x], line[size_t(x)]);
                }
            }
        };
        // The finer level first, where its tiles have arrived.
        size_t covered = 0;
        const int64_t b = level();
        if (b < b0_) {
            const int64_t R = blockCount(m_->rows(), b), C = blockCount(m_->cols(), b);
            const int64_t bx0 = int64_t(v.left()) / b, bx1 = std::min(C, int64_t(std::ceil(v.right() / double(b))));
            const int64_t by0 = int64_t(v.top()) / b, by1 = std::min(R, int64_t(std::ceil(v.bottom() / double(b))));
            for (int64_t ti = by0 / kTile; ti * kTile < by1; ++ti)
                for (int64_t tj = bx0 / kTile; tj * kTile < bx1; ++tj) {
                    const auto it = index_.find({b, ti, tj});
                    if (it == index_.end()) continue;
                    const Tile& t = *it->second;
                    const int64_t sx0 = std::max<int64_t>(0, bx0 - tj * kTile), sx1 = std::min<int64_t>(t.cols, bx1 - tj * kTile);
                    const int64_t sy0 = std::max<int64_t>(0, by0 - ti * kTile), sy1 = std::min<int64_t>(t.rows, by1 - ti * kTile);
                    if (sx1 <= sx0 || sy1 <= sy0) continue;
                    put(b, ti * kTile + sy0, tj * kTile + sx0, sy1 - sy0, sx1 - sx0, t.values.data() + sy0 * t.cols + sx0, t.cols,
                        rowNorms(b, ti * kTile + sy0, int(sy1 - sy0)), true);
                }
            for (int n : rowTaken) covered += size_t(n);
        }
        // The overview where the finer level has not arrived (or the zoom is the overview's):
        // skipped when the fine tiles cover every pixel the matrix reaches.
        int mx0 = 0, mx1 = -1, my0 = 0, my1 = -1;
        const bool onScreen = span(0, m_->cols(), x0_, W, mx0, mx1) && span(0, m_->rows(), y0_, H, my0, my1);
        const size_t inside = onScreen ? size_t(mx1 - mx0 + 1) * size_t(my1 - my0 + 1) : 0;
        if (covered < inside && !overviewValues_.empty() && overviewReady()) {
            const int64_t oc = overviewSize_.width(), orows = overviewSize_.height();
            const int64_t i0 = std::max<int64_t>(0, int64_t(v.top()) / b0_), i1 = std::min<int64_t>(orows, int64_t(std::ceil(v.bottom() / double(b0_))));
            const int64_t j0 = std::max<int64_t>(0, int64_t(v.left()) / b0_), j1 = std::min<int64_t>(oc, int64_t(std::ceil(v.right() / double(b0_))));
            if (i1 > i0 && j1 > j0)
                put(b0_, i0, j0, i1 - i0, j1 - j0, overviewValues_.data() + i0 * oc + j0, oc, rowNorms(b0_, i0, int(i1 - i0)), false);
        }
        for (size_t k = 0; k < px.size(); ++k)
            px[k] = px[k] == kEmpty || (mean && count[k] == 0) ? std::numeric_limits<float>::quiet_NaN() : mean ? px[k] / float(count[k]) : px[k];
        const std::vector<float> ones(perRow ? size_t(H) : 0, 1.f);  // row mode: already divided
        colorizeInto(paintImage_, px.data(), W, H, scale_, table_, perRow ? ones.data() : nullptr);
        p.drawImage(a.topLeft(), paintImage_);
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
    if (!overviewExact_ && overviewReady()) what += tr(" · overview from sampled rows (exact one computing)");
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
