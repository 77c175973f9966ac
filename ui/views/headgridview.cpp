#include "views/headgridview.h"

#include "attnscope/headstats.h"
#include "views/colormaps.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QContextMenuEvent>
#include <QMenu>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope::ui {

namespace {
constexpr int kMargin = 28;  // room for layer/head captions
constexpr int kGap = 4;
} // namespace

HeadGridView::HeadGridView(QWidget* parent) : QWidget(parent), table_(colorTable("viridis"))
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setToolTip(tr("Every head of every layer; hover for its numbers, click to open it in the matrix view, Shift+click two heads "
                  "to compare them. Keyboard: arrows move between heads, Enter opens one, Shift+Enter picks it for a comparison"));
}

void HeadGridView::clear()
{
    layers_ = heads_ = rows_ = cols_ = 0;
    values_.clear();
    images_.clear();
    curLayer_ = curHead_ = -1;
    entropy_.clear();
    maxWeight_.clear();
    update();
}

bool HeadGridView::setTensor(const TraceTensor& t, const HeadAnalysis& analysis, QString* error)
{
    if (t.shape.size() != 4 || t.numel() == 0 || int64_t(t.values.size()) != t.numel()) {
        if (error) *error = tr("the head grid needs a 4-D tensor [layer, head, query, key]; '%1' has %2 dimensions")
                                .arg(QString::fromStdString(t.name)).arg(t.shape.size());
        clear();
        return false;
    }
    if (analysis.layers != t.shape[0] || analysis.heads != t.shape[1] ||
        analysis.summaries.size() != size_t(analysis.layers * analysis.heads)) {
        if (error) *error = tr("the head numbers are of another tensor than '%1'").arg(QString::fromStdString(t.name));
        clear();
        return false;
    }
    if (layers_ != int(t.shape[0]) || heads_ != int(t.shape[1])) importance_.clear();  // of another layout
    layers_ = int(t.shape[0]);
    heads_ = int(t.shape[1]);
    sortColumns();
    rows_ = int(t.shape[2]);
    cols_ = int(t.shape[3]);
    if (curLayer_ >= layers_ || curHead_ >= heads_) curLayer_ = curHead_ = -1;
    values_ = t.values;
    entropy_.clear();
    for (const HeadSummary& s : analysis.summaries) entropy_.push_back(s.entropy);
    maxWeight_.assign(analysis.maxWeight.begin(), analysis.maxWeight.end());
    rebuildImages();
    return true;
}

void HeadGridView::rebuildImages()
{
    // One indexed 8-bit image per head: colouring is a table lookup at paint time.
    images_.clear();
    const size_t per = size_t(rows_) * size_t(cols_);
    for (int k = 0; k < layers_ * heads_; ++k) {
        // NaN / Inf cells: no value (transparent), never a colour of the map.
        images_.push_back(tableImage(values_.data() + size_t(k) * per, rows_, cols_, table_));
    }
    update();
}

void HeadGridView::setColorMap(const QString& name)
{
    table_ = colorTable(name);
    for (auto& img : images_) {
        if (img.format() != QImage::Format_Indexed8) {  // one with no-value cells: built again
            rebuildImages();
            return;
        }
        img.setColorTable(table_);
    }
    update();
}

QRect HeadGridView::cellRect(int layer, int head) const
{
    if (layers_ == 0) return {};
    // The thumbnails fill the panel: as wide and as tall as there is room for (a wide, short
    // panel gets wide thumbnails instead of tiny squares in a corner).
    int w = std::max(4, (width() - kMargin - kGap * heads_) / std::max(heads_, 1));
    int h = std::max(4, (height() - kMargin - kGap * layers_) / std::max(layers_, 1));
    // ...but never more than three times as stretched as the map itself (keys : queries): one
    // map per layer (a mean, a rollout) would otherwise be drawn 10 : 1.
    if (rows_ > 0 && cols_ > 0) {
        const double aspect = double(cols_) / double(rows_);
        w = std::max(4, std::min(w, int(std::ceil(3 * aspect * h))));
        h = std::max(4, std::min(h, int(std::ceil(3 * w / aspect))));
    }
    return {kMargin + columnOf(layer, head) * (w + kGap), kMargin + layer * (h + kGap), w, h};
}

bool HeadGridView::headAt(const QPoint& pos, int* layer, int* head) const
{
    for (int l = 0; l < layers_; ++l)
        for (int h = 0; h < heads_; ++h)
            if (cellRect(l, h).contains(pos)) {
                *layer = l;
                *head = h;
                return true;
            }
    return false;
}

double HeadGridView::meanEntropy(int layer, int head) const
{
    const size_t k = size_t(layer * heads_ + head);
    return k < entropy_.size() ? entropy_[k] : 0.0;
}

QString HeadGridView::headSummary(int layer, int head) const
{
    const size_t k = size_t(layer * heads_ + head);
    if (k >= entropy_.size()) return {};
    QString line = tr("layer %1, head %2 · entropy %3 bits · max %4")
                       .arg(layer + 1)
                       .arg(head + 1)
                       .arg(entropy_[k], 0, 'f', 2)
                       .arg(maxWeight_[k], 0, 'f', 2);
    if (k < importance_.size() && !std::isnan(importance_[k])) {
        int rank = 1, measured = 0;
        for (double v : importance_) {
            if (std::isnan(v)) continue;
            ++measured;
            if (v > importance_[k]) ++rank;
        }
        line += tr(" · %1 %2 (rank %3 of %4)").arg(importanceLabel_).arg(importance_[k], 0, 'g', 4).arg(rank).arg(measured);
    }
    return line;
}

void HeadGridView::setImportance(const std::vector<double>& importance, const QString& label)
{
    importance_ = importance.size() == size_t(layers_ * heads_) ? importance : std::vector<double>{};
    importanceLabel_ = label;
    sortColumns();
    update();
}

void HeadGridView::setSortedByImportance(bool sorted)
{
    sorted_ = sorted;
    sortColumns();
    update();
}

void HeadGridView::sortColumns()
{
    column_.clear();
    if (!sorted_ || importance_.size() != size_t(layers_ * heads_)) return;
    column_.assign(importance_.size(), 0);
    for (int l = 0; l < layers_; ++l) {
        std::vector<int> order(static_cast<size_t>(heads_));
        for (int h = 0; h < heads_; ++h) order[size_t(h)] = h;
        const auto key = [&](int h) {
            const double v = importance_[size_t(l * heads_ + h)];
            return std::isnan(v) ? -std::numeric_limits<double>::infinity() : v;
        };
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return key(a) > key(b); });
        for (int c = 0; c < heads_; ++c) column_[size_t(l * heads_ + order[size_t(c)])] = c;
    }
}

int HeadGridView::columnOf(int layer, int head) const
{
    const size_t k = size_t(layer * heads_ + head);
    return k < column_.size() ? column_[k] : head;
}

void HeadGridView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    if (layers_ == 0) {
        p.drawText(rect(), Qt::AlignCenter, tr("No multi-head attention in this trace"));
        return;
    }
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    const QFontMetrics fm(font());
    const bool sorted = !column_.empty();
    if (sorted) {  // the columns are ranks; each thumbnail names its head
        p.drawText(QRect(kMargin, 0, width() - kMargin, kMargin), Qt::AlignVCenter | Qt::AlignLeft,
                   tr("each layer's heads by %1, most important first").arg(importanceLabel_));
    } else {
        for (int h = 0; h < heads_; ++h) {
            const QRect r = cellRect(0, h);
            p.drawText(QRect(r.left(), 0, r.width(), kMargin), Qt::AlignCenter, tr("h%1").arg(h + 1));
        }
    }
    for (int l = 0; l < layers_; ++l) {
        const QRect r = cellRect(l, 0);
        p.drawText(QRect(0, r.top(), kMargin, r.height()), Qt::AlignCenter, tr("L%1").arg(l + 1));
        for (int h = 0; h < heads_; ++h) p.drawImage(cellRect(l, h), images_[size_t(l * heads_ + h)]);
    }
    if (!importance_.empty()) {
        // A bar along each thumbnail's foot, as long as its importance between the grid's least
        // and most important head; sorted thumbnails also name their head.
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (double v : importance_)
            if (!std::isnan(v)) lo = std::min(lo, v), hi = std::max(hi, v);
        for (int l = 0; l < layers_; ++l)
            for (int h = 0; h < heads_; ++h) {
                const QRect r = cellRect(l, h);
                const double v = importance_[size_t(l * heads_ + h)];
                const int bar = std::max(3, r.height() / 12);
                const QRect foot(r.left(), r.bottom() - bar + 1, r.width(), bar);
                p.fillRect(foot, QColor(0, 0, 0, 90));
                if (!std::isnan(v)) {
                    const double f = hi > lo ? (v - lo) / (hi - lo) : 1.0;
                    p.fillRect(QRect(foot.left(), foot.top(), std::max(1, int(std::lround(f * foot.width()))), bar), QColor("#ff9800"));
                }
                if (sorted) {
                    const QString name = tr("h%1").arg(h + 1);
                    const QRect tag(r.left() + 1, r.top() + 1, fm.horizontalAdvance(name) + 4, fm.height());
                    p.fillRect(tag, QColor(255, 255, 255, 200));
                    p.setPen(Qt::black);
                    p.drawText(tag, Qt::AlignCenter, name);
                }
            }
    }
    for (const auto& [l, h] : ablated_) {
        if (l >= layers_ || h >= heads_) continue;
        const QRect r = cellRect(l, h);
        p.fillRect(r, QColor(255, 255, 255, 150));
        p.setPen(QPen(QColor("#d32f2f"), 2));
        p.drawLine(r.topLeft(), r.bottomRight());
        p.drawLine(r.topRight(), r.bottomLeft());
    }
    if (curLayer_ >= 0 && curLayer_ < layers_ && curHead_ < heads_) {
        QPen pen(palette().highlight().color(), hasFocus() ? 3 : 1, Qt::DashLine);
        p.setPen(pen);
        p.drawRect(cellRect(curLayer_, curHead_).adjusted(-2, -2, 2, 2));
    }
    if (hoverLayer_ >= 0) {
        p.setPen(QPen(QColor("#ff4081"), 2));
        p.drawRect(cellRect(hoverLayer_, hoverHead_).adjusted(-1, -1, 1, 1));
    }
}

void HeadGridView::setCurrentHead(int layer, int head)
{
    if (layers_ == 0) return;
    curLayer_ = std::clamp(layer, 0, layers_ - 1);
    curHead_ = std::clamp(head, 0, heads_ - 1);
    emit currentHeadChanged(curLayer_, curHead_);
    update();
}

void HeadGridView::keyPressEvent(QKeyEvent* e)
{
    if (layers_ == 0) return QWidget::keyPressEvent(e);
    const int l = std::max(curLayer_, 0), h = std::max(curHead_, 0);
    switch (e->key()) {
    case Qt::Key_Left: setCurrentHead(l, curHead_ < 0 ? 0 : h - 1); break;
    case Qt::Key_Right: setCurrentHead(l, curHead_ < 0 ? 0 : h + 1); break;
    case Qt::Key_Up: setCurrentHead(curLayer_ < 0 ? 0 : l - 1, h); break;
    case Qt::Key_Down: setCurrentHead(curLayer_ < 0 ? 0 : l + 1, h); break;
    case Qt::Key_Home: setCurrentHead(0, 0); break;
    case Qt::Key_End: setCurrentHead(layers_ - 1, heads_ - 1); break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (curLayer_ < 0) setCurrentHead(0, 0);
        if (e->modifiers() & Qt::ShiftModifier) emit headCompareRequested(curLayer_, curHead_);
        else emit headClicked(curLayer_, curHead_);
        break;
    default: return QWidget::keyPressEvent(e);
    }
    e->accept();
}

void HeadGridView::mouseMoveEvent(QMouseEvent* e)
{
    int l = -1, h = -1;
    if (!headAt(e->pos(), &l, &h)) l = h = -1;
    if (l == hoverLayer_ && h == hoverHead_) return;
    hoverLayer_ = l;
    hoverHead_ = h;
    if (l >= 0) QToolTip::showText(e->globalPosition().toPoint(), headSummary(l, h), this);
    else QToolTip::hideText();
    update();
}

void HeadGridView::mousePressEvent(QMouseEvent* e)
{
    int l = -1, h = -1;
    if (e->button() != Qt::LeftButton || !headAt(e->pos(), &l, &h)) return;
    setFocus(Qt::MouseFocusReason);
    curLayer_ = l;
    curHead_ = h;
    if (e->modifiers() & Qt::AltModifier) emit headAblationToggled(l, h);
    else if (e->modifiers() & Qt::ShiftModifier) emit headCompareRequested(l, h);
    else emit headClicked(l, h);
}

void HeadGridView::setAblated(const std::set<std::pair<int, int>>& heads)
{
    ablated_ = heads;
    update();
}

void HeadGridView::contextMenuEvent(QContextMenuEvent* e)
{
    int l = -1, h = -1;
    const bool onHead = headAt(e->pos(), &l, &h);
    if (!onHead && ablated_.empty()) return;
    QMenu menu(this);
    if (onHead) {
        const bool ablated = ablated_.count({l, h}) > 0;
        QAction* toggle = menu.addAction(ablated ? tr("Restore layer %1, head %2").arg(l + 1).arg(h + 1)
                                                 : tr("Ablate layer %1, head %2 (Alt+click)").arg(l + 1).arg(h + 1));
        connect(toggle, &QAction::triggered, this, [this, l, h] { emit headAblationToggled(l, h); });
    }
    QAction* reset = menu.addAction(tr("Restore every head"));
    reset->setEnabled(!ablated_.empty());
    connect(reset, &QAction::triggered, this, &HeadGridView::ablationsReset);
    menu.exec(e->globalPos());
}

void HeadGridView::leaveEvent(QEvent*)
{
    hoverLayer_ = hoverHead_ = -1;
    update();
}

} // namespace attnscope::ui
