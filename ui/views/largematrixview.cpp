#include "views/largematrixview.h"

#include "jobs/jobtracker.h"
#include "views/colormaps.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QKeyEvent>
#include <QLocale>
#include <QPainter>
#include <QPointer>
#include <QThreadPool>
#include <QTimer>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

namespace {

int64_t powerOfTwoAtMost(double x)
{
    int64_t b = 1;
    while (double(b * 2) <= x) b *= 2;
    return b;
}


} // namespace

LargeMatrixView::LargeMatrixView(QWidget* parent)
    : QWidget(parent), table_(colorTable(colorMap_)), overviewJobs_(new JobTracker(this, JobLane::Background)),
      tileJobs_(new JobTracker(this, JobLane::Interactive))
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setMinimumSize(320, 240);
    setAttribute(Qt::WA_OpaquePaintEvent);
    connect(overviewJobs_, &JobTracker::progress, this, &LargeMatrixView::overviewProgress);
    setToolTip(tr("Wheel: zoom at the cursor · drag: pan · click: what this query looks at · Shift+click: who looks at "
                  "this key · + / −, arrows, Home (whole matrix), Esc (clear the picks)"));
}

LargeMatrixView::~LargeMatrixView() = default;

void LargeMatrixView::setMatrix(MatrixPtr m, QStringList rowLabels, QStringList colLabels, const QString& title)
{
    ++matrixGeneration_;
    overviewJobs_->cancel();
    tileJobs_->cancel();
    m_ = std::move(m);
    rowLabels_ = m_ && rowLabels.size() == m_->rows() ? std::move(rowLabels) : QStringList();
    colLabels_ = m_ && colLabels.size() == m_->cols() ? std::move(colLabels) : QStringList();
    title_ = title;
    tiles_.clear();
    index_.clear();
    tileBytes_ = 0;
    pending_ = 0;
    overviewSize_ = QSize();
    overviewValues_.clear();
    overviewExact_ = false;
    stats_ = MatrixStats{};
    row_ = col_ = -1;
    b0_ = 1;
    if (m_) {
        const int64_t n = std::max(m_->rows(), m_->cols());
        while (blockCount(n, b0_) > 1024) b0_ *= 2;
        fit();
        prewarmPaintBuffers();
        startOverview();
    }
    update();
    emit loadingChanged();
}

void LargeMatrixView::startOverview()
{
    if (!m_) return;
    const MatrixPtr m = m_;
    const int64_t b0 = b0_;
    const BlockReduce reduce = reduce_;
    const quint64 generation = matrixGeneration_;
    struct Result {
        Status status;
        std::vector<float> values;
        MatrixStats stats;
    };
    overviewJobs_->start(
        [this, m, b0, reduce, generation](const JobContext& job) {
            Result r;
            const int64_t R = blockCount(m->rows(), b0), C = blockCount(m->cols(), b0);
            if (m->needsOverview()) {
                // Q/K: a row-sampled overview at once, then the exact one (one pass over every cell).
                std::vector<float> sampled;
                if (m->sampledOverview(b0, reduce, sampled))
                    job.post([this, generation, sampled = std::move(sampled), R, C]() mutable {
                        if (generation == matrixGeneration_ && !overviewExact_) setOverview(std::move(sampled), int(R), int(C), false, {});
                    });
                r.status = m->buildOverview(b0, job.progress());
                if (!r.status) return r;
            } else if (m->kind() == "dense" || m->kind() == "mapped") {
                // One pass gives the overview and the stats.
                MatrixOverview ov;
                r.status = computeOverview(*m, b0, ov, job.progress());
                r.values = reduce == BlockReduce::Max ? std::move(ov.max) : std::move(ov.mean);
                r.stats = std::move(ov.stats);
                return r;
            }
            r.values.resize(size_t(R * C));
            const ProgressFn cancel = [&job](int64_t, int64_t) { return !job.cancelled(); };
            r.status = m->readBlocks(b0, reduce, 0, 0, R, C, r.values.data(), cancel);
            r.stats = m->stats();
            return r;
        },
        [this, generation, R = blockCount(m->rows(), b0), C = blockCount(m->cols(), b0)](Result r) {
            if (generation != matrixGeneration_) return;
            if (!r.status) {
                if (r.status.message != "cancelled") setToolTip(QString::fromStdString(r.status.message));
                return;
            }
            setOverview(std::move(r.values), int(R), int(C), true, std::move(r.stats));
        });
}

void LargeMatrixView::cancelOverview() { overviewJobs_->cancel(); }

bool LargeMatrixView::overviewRunning() const { return overviewJobs_->running(); }

void LargeMatrixView::setOverview(std::vector<float> values, int rows, int cols, bool exact, MatrixStats stats)
{
    overviewValues_ = std::move(values);
    overviewExact_ = exact;
    if (!stats.empty()) stats_ = std::move(stats);
    // The values only: the paint colours what the screen shows (a 1024² image coloured here
    // was never drawn, and cost the GUI thread its page faults).
    overviewSize_ = QSize(cols, rows);
    scale_.fit(overviewValues_.data(), int64_t(overviewValues_.size()));
    if (exact) scheduleTiles();
    update();
    emit overviewArrived();
    emit loadingChanged();
}

std::vector<float> LargeMatrixView::rowNorms(int64_t b, int64_t r0, int n) const
{
    if (scale_.mode != ScaleMode::PerRow || !m_) return {};
    std::vector<float> out(size_t(n), 0.f);
    if (!stats_.empty()) {
        for (int i = 0; i < n; ++i)
            for (int64_t r = (r0 + i) * b; r < std::min((r0 + i + 1) * b, m_->rows()); ++r)
                out[size_t(i)] = std::max(out[size_t(i)], stats_.rowMax[size_t(r)]);
        return out;
    }
    // Until the stats are known: the overview row's largest block.
    const int ovCols = overviewSize_.isEmpty() ? int(blockCount(m_->cols(), b0_)) : overviewSize_.width();
    for (int i = 0; i < n && !overviewValues_.empty(); ++i) {
        const int64_t orow = std::min<int64_t>((r0 + i) * b / b0_, int64_t(overviewValues_.size()) / ovCols - 1);
        const float* v = overviewValues_.data() + orow * ovCols;
        out[size_t(i)] = *std::max_element(v, v + ovCols);
    }
    return out;
}

void LargeMatrixView::setColorMap(const QString& name)
{
    colorMap_ = name;
    table_ = colorTable(name);
    recolour();
}

void LargeMatrixView::setScale(ScaleMode mode, double percentile)
{
    scale_.mode = mode;
    scale_.percentile = percentile;
    recolour();
}

void LargeMatrixView::setReduce(BlockReduce reduce)
{
    if (reduce == reduce_) return;
    reduce_ = reduce;
    tiles_.clear();
    index_.clear();
    tileBytes_ = 0;
    if (m_) {
        ++matrixGeneration_;  // tiles and overviews in flight are for the other reduction
        overviewExact_ = false;
        startOverview();
    }
    update();
}

void LargeMatrixView::recolour()
{
    if (!overviewValues_.empty()) scale_.fit(overviewValues_.data(), int64_t(overviewValues_.size()));
    update();  // tiles keep their values; the paint colours what the screen shows
}

QRect LargeMatrixView::plotRect() const
{
    return QRect(kLeft, kTop, std::max(16, width() - kLeft - kRight), std::max(16, height() - kTop - kBottom));
}

void LargeMatrixView::fit()
{
    if (!m_) return;
    const QRect a = plotRect();
    cpp_ = std::max(double(m_->cols()) / a.width(), double(m_->rows()) / a.height());
    x0_ = (double(m_->cols()) - cpp_ * a.width()) / 2;
    y0_ = 0;
    clampView();
    fitted_ = true;
    scheduleTiles();
    update();
    emit viewChanged();
}

void LargeMatrixView::showCells(const QRectF& cells)
{
    if (!m_ || cells.width() <= 0 || cells.height() <= 0) return;
    const QRect a = plotRect();
    const double cpp = std::max(cells.width() / a.width(), cells.height() / a.height());
    setView(cells.center().x() - a.width() * cpp / 2, cells.center().y() - a.height() * cpp / 2, cpp);
}

void LargeMatrixView::clampView()
{
    if (!m_) return;
    const QRect a = plotRect();
    const double fitCpp = std::max(double(m_->cols()) / a.width(), double(m_->rows()) / a.height());
    cpp_ = std::clamp(cpp_, 1.0 / 48.0, std::max(fitCpp * 1.5, 1.0 / 48.0));
    const double w = a.width() * cpp_, h = a.height() * cpp_;
    x0_ = std::clamp(x0_, std::min(-w * 0.5, (double(m_->cols()) - w) / 2), std::max(double(m_->cols()) - w * 0.5, (double(m_->cols()) - w) / 2));
    y0_ = std::clamp(y0_, std::min(-h * 0.5, (double(m_->rows()) - h) / 2), std::max(double(m_->rows()) - h * 0.5, (double(m_->rows()) - h) / 2));
}

void LargeMatrixView::setView(double x0, double y0, double cpp)
{
    fitted_ = false;
    x0_ = x0;
    y0_ = y0;
    cpp_ = cpp;
    clampView();
    scheduleTiles();
    update();
    emit viewChanged();
}

void LargeMatrixView::zoomBy(double factor, QPointF anchor)
{
    if (!m_) return;
    const QRect a = plotRect();
    const double ax = anchor.x() - a.left(), ay = anchor.y() - a.top();
    const double cx = x0_ + ax * cpp_, cy = y0_ + ay * cpp_;  // the cell under the anchor stays put
    cpp_ *= factor;
    fitted_ = false;
    clampView();
    x0_ = cx - ax * cpp_;
    y0_ = cy - ay * cpp_;
    clampView();
    scheduleTiles();
    update();
    emit viewChanged();
}

void LargeMatrixView::zoomBy(double factor) { zoomBy(factor, QPointF(plotRect().center())); }

void LargeMatrixView::panBy(double dx, double dy) { setView(x0_ - dx * cpp_, y0_ - dy * cpp_, cpp_); }

void LargeMatrixView::centerOn(int64_t row, int64_t col, double cpp)
{
    if (cpp > 0) cpp_ = cpp;
    const QRect a = plotRect();
    setView(double(col) + 0.5 - a.width() * cpp_ / 2, double(row) + 0.5 - a.height() * cpp_ / 2, cpp_);
}

QRectF LargeMatrixView::visibleCells() const
{
    if (!m_) return {};
    const QRect a = plotRect();
    const double cx0 = std::max(0.0, x0_), cy0 = std::max(0.0, y0_);
    const double cx1 = std::min(double(m_->cols()), x0_ + a.width() * cpp_), cy1 = std::min(double(m_->rows()), y0_ + a.height() * cpp_);
    return QRectF(cx0, cy0, std::max(0.0, cx1 - cx0), std::max(0.0, cy1 - cy0));
}

bool LargeMatrixView::labelsShown() const { return !rowLabels_.isEmpty() && 1.0 / cpp_ >= fontMetrics().height(); }

int64_t LargeMatrixView::level() const { return powerOfTwoAtMost(std::max(1.0, cpp_)); }

void LargeMatrixView::scheduleTiles()
{
    if (tilesScheduled_) return;
    tilesScheduled_ = true;
    QTimer::singleShot(0, this, [this] {
        tilesScheduled_ = false;
        requestTiles();
        emit loadingChanged();  // pendingTiles() counted the scheduled request: say what is left
    });
}

void LargeMatrixView::requestTiles()
{
    const int64_t b = level();
    if (!m_ || b >= b0_ || overviewValues_.empty()) {
        if (pending_) {
            pending_ = 0;
            tileJobs_->cancel();
            emit loadingChanged();
        }
        return;
    }
    // Q/K matrices: coarse blocks cost b² cells each; before the exact overview only near-cell levels.
    if (m_->needsOverview() && b > 4) return;
    const QRectF v = visibleCells();
    const int64_t R = blockCount(m_->rows(), b), C = blockCount(m_->cols(), b);
    const int64_t ti0 = int64_t(v.top()) / b / kTile, ti1 = std::min(R - 1, int64_t(std::ceil(v.bottom() / double(b))) / kTile);
    const int64_t tj0 = int64_t(v.left()) / b / kTile, tj1 = std::min(C - 1, int64_t(std::ceil(v.right() / double(b))) / kTile);
    const double ci = v.center().y() / double(b * kTile), cj = v.center().x() / double(b * kTile);
    std::vector<TileKey> missing;
    for (int64_t ti = ti0; ti <= std::min(ti1, (R - 1) / kTile); ++ti)
        for (int64_t tj = tj0; tj <= std::min(tj1, (C - 1) / kTile); ++tj)
            if (!index_.count({b, ti, tj})) missing.push_back({b, ti, tj});
    std::sort(missing.begin(), missing.end(), [&](const TileKey& x, const TileKey& y) {
        return std::hypot(x.ti + 0.5 - ci, x.tj + 0.5 - cj) < std::hypot(y.ti + 0.5 - ci, y.tj + 0.5 - cj);
    });
    pending_ = missing.size();
    emit loadingChanged();
    if (missing.empty()) return;
    const MatrixPtr m = m_;
    const BlockReduce reduce = reduce_;
    const quint64 generation = matrixGeneration_;
    tileJobs_->start(
        [this, m, reduce, generation, missing, R, C](const JobContext& job) {
            const ProgressFn cancel = [&job](int64_t, int64_t) { return !job.cancelled(); };
            for (const TileKey& k : missing) {
                if (job.cancelled()) return false;
                Tile t;
                t.key = k;
                t.rows = int(std::min(kTile, R - k.ti * kTile));
                t.cols = int(std::min(kTile, C - k.tj * kTile));
                t.values.resize(size_t(t.rows) * size_t(t.cols));
                if (!m->readBlocks(k.block, reduce, k.ti * kTile, k.tj * kTile, t.rows, t.cols, t.values.data(), cancel)) return false;
                job.post([this, generation, t = std::move(t)]() mutable {
                    if (generation != matrixGeneration_) return;
                    insertTile(std::move(t));
                });
            }
            return true;
        },
        [this, generation, request = ++tileRequest_](bool done) {
            // A failed read leaves no tile on its way (a cancelled one was replaced by a newer request).
            if (!done && request == tileRequest_ && generation == matrixGeneration_ && pending_) {
                pending_ = 0;
                emit loadingChanged();
            }
        });
}

void LargeMatrixView::insertTile(Tile t)
{
    if (index_.count(t.key)) return;
    tileBytes_ += t.values.size() * 4;
    tiles_.push_front(std::move(t));
    index_[tiles_.front().key] = tiles_.begin();
    while (tileBytes_ > kCacheBudget && tiles_.size() > 1) {
        Tile& old = tiles_.back();
        tileBytes_ -= old.values.size() * 4;
        index_.erase(old.key);
        tiles_.pop_back();
    }
    if (pending_) --pending_;
    update();
    emit loadingChanged();
}

const LargeMatrixView::Tile* LargeMatrixView::findTile(const TileKey& k) const
{
    const auto it = index_.find(k);
    if (it == index_.end()) return nullptr;
    tiles_.splice(tiles_.begin(), tiles_, it->second);  // most recently used
    return &*it->second;
}

uint64_t LargeMatrixView::cacheBytes() const
{
    return tileBytes_ + overviewValues_.size() * 4 + paintPx_.size() * 4 + paintFine_.size() + paintCount_.size() * 2 +
           uint64_t(paintImage_.sizeInBytes()) +
           (stats_.rowMax.size() + stats_.colMin.size() + stats_.colMean.size()) * 4;
}

bool LargeMatrixView::cellAt(const QPoint& pos, int64_t* row, int64_t* col) const
{
    if (!m_ || !plotRect().contains(pos)) return false;
    const QRect a = plotRect();
    const double c = x0_ + (pos.x() - a.left() + 0.5) * cpp_, r = y0_ + (pos.y() - a.top() + 0.5) * cpp_;
    if (c < 0 || r < 0 || c >= double(m_->cols()) || r >= double(m_->rows())) return false;
    if (row) *row = int64_t(r);
    if (col) *col = int64_t(c);
    return true;
}

QString LargeMatrixView::cellText(int64_t r, int64_t c) const
{
    if (!m_ || r < 0 || c < 0 || r >= m_->rows() || c >= m_->cols()) return {};
    const int64_t b = std::min(level(), b0_);
    const QString red = reduce_ == BlockReduce::Max ? tr("max") : tr("mean");
    double value = -1;
    int64_t block = b;
    if (b < b0_) {
        if (const Tile* t = findTile({b, r / b / kTile, c / b / kTile}))
            value = t->values[size_t(((r / b) % kTile) * t->cols + (c / b) % kTile)];
    }
    if (value < 0 && !overviewValues_.empty()) {
        block = b0_;
        const int64_t C = overviewSize_.width();
        value = overviewValues_[size_t((r / b0_) * C + c / b0_)];
    }
    if (value < 0) return {};
    const auto token = [](const QStringList& l, int64_t i) {
        return l.isEmpty() ? QString() : QStringLiteral(" “%1”").arg(l[int(i)]);
    };
    if (block == 1)
        return tr("query %1%2 → key %3%4: %5")
            .arg(countText(r), token(rowLabels_, r), countText(c), token(colLabels_, c), weightText(value));
    const int64_t r0 = r / block * block, c0 = c / block * block;
    return tr("queries %1–%2 × keys %3–%4: %5 %6")
        .arg(countText(r0), countText(std::min(r0 + block, m_->rows()) - 1), countText(c0), countText(std::min(c0 + block, m_->cols()) - 1), red,
             weightText(value));
}

void LargeMatrixView::selectRow(int64_t row)
{
    row_ = m_ && row >= 0 && row < m_->rows() ? row : -1;
    update();
    emit rowSelected(row_);
}

void LargeMatrixView::selectColumn(int64_t col)
{
    col_ = m_ && col >= 0 && col < m_->cols() ? col : -1;
    update();
    emit columnSelected(col_);
}

QImage LargeMatrixView::grabFrame() { return grab().toImage(); }

void LargeMatrixView::prewarmPaintBuffers()
{
    const QSize size = plotRect().size();
    if (size.isEmpty() || size == prewarmSize_) return;
    prewarmSize_ = size;
    struct Buffers {
        std::vector<float> px;
        std::vector<uint16_t> count;
        std::vector<uint8_t> fine;
        QImage image;
    };
    QPointer<LargeMatrixView> self(this);
    QThreadPool::globalInstance()->start([self, size] {
        auto b = std::make_shared<Buffers>();
        const size_t n = size_t(size.width()) * size_t(size.height());
        b->px.assign(n, 0.f);
        b->count.assign(n, 0);
        b->fine.assign(n, 0);
        b->image = QImage(size, QImage::Format_ARGB32_Premultiplied);
        b->image.fill(0);
        QMetaObject::invokeMethod(
            qApp,
            [self, b, size, n] {
                if (!self || self->plotRect().size() != size || self->paintPx_.size() == n) return;
                self->paintPx_.swap(b->px);  // the old buffers go with `b`
                self->paintCount_.swap(b->count);
                self->paintFine_.swap(b->fine);
                std::swap(self->paintImage_, b->image);
            },
            Qt::QueuedConnection);
    });
}

void LargeMatrixView::resizeEvent(QResizeEvent*)
{
    if (m_) prewarmPaintBuffers();
    if (m_ && (overviewValues_.empty() || fitted_)) fit();
    clampView();
    scheduleTiles();
}

void LargeMatrixView::wheelEvent(QWheelEvent* e)
{
    const double notches = e->angleDelta().y() / 120.0;
    if (notches != 0) zoomBy(std::pow(0.8, notches), e->position());
    e->accept();
}

void LargeMatrixView::mousePressEvent(QMouseEvent* e)
{
    pressPos_ = lastPos_ = e->pos();
    dragging_ = false;
    setFocus();
}

void LargeMatrixView::mouseMoveEvent(QMouseEvent* e)
{
    if (e->buttons() & Qt::LeftButton) {
        if (!dragging_ && (e->pos() - pressPos_).manhattanLength() > 3) dragging_ = true;
        if (dragging_) {
            const QPoint d = e->pos() - lastPos_;
            lastPos_ = e->pos();
            panBy(d.x(), d.y());
            return;
        }
    }
    int64_t r, c;
    if (cellAt(e->pos(), &r, &c)) {
        const QString text = cellText(r, c);
        if (!text.isEmpty()) QToolTip::showText(e->globalPosition().toPoint(), text, this);
    } else {
        QToolTip::hideText();
    }
}

void LargeMatrixView::mouseReleaseEvent(QMouseEvent* e)
{
    if (!dragging_) {
        int64_t r, c;
        if (cellAt(e->pos(), &r, &c)) {
            if (e->button() == Qt::RightButton || (e->modifiers() & Qt::ShiftModifier)) selectColumn(c);
            else selectRow(r);
        }
    }
    dragging_ = false;
}

void LargeMatrixView::keyPressEvent(QKeyEvent* e)
{
    const QRect a = plotRect();
    switch (e->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomBy(0.8); break;
    case Qt::Key_Minus: zoomBy(1.25); break;
    case Qt::Key_Left: panBy(a.width() / 8.0, 0); break;
    case Qt::Key_Right: panBy(-a.width() / 8.0, 0); break;
    case Qt::Key_Up: panBy(0, a.height() / 8.0); break;
    case Qt::Key_Down: panBy(0, -a.height() / 8.0); break;
    case Qt::Key_Home: fit(); break;
    case Qt::Key_Escape:
        selectRow(-1);
        selectColumn(-1);
        break;
    default: QWidget::keyPressEvent(e); return;
    }
    e->accept();
}

void LargeMatrixView::leaveEvent(QEvent*) { QToolTip::hideText(); }

} // namespace attnscope::ui
