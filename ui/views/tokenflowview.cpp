#include "views/tokenflowview.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

namespace {
constexpr float kThreshold = 0.02f;  // lines below this weight are invisible anyway
constexpr int kColumnWidth = 120;
constexpr int kTop = 16;
} // namespace

TokenFlowView::TokenFlowView(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setToolTip(tr("Lines from each query token (left) to each key token (right); opacity is the attention weight. "
                  "Hover a token to keep only its lines."));
}

QColor TokenFlowView::headColor(int head)
{
    // Okabe–Ito palette (colour-blind safe), cycled.
    static const char* colors[] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"};
    return QColor(colors[head % 8]);
}

bool TokenFlowView::setTensor(const TraceTensor& t, int layer)
{
    if (t.shape.size() != 4 || t.numel() == 0) return false;
    tensor_ = t;
    layers_ = int(t.shape[0]);
    heads_ = int(t.shape[1]);
    queries_ = int(t.shape[2]);
    keys_ = int(t.shape[3]);
    visible_.assign(size_t(heads_), true);
    layer_ = std::clamp(layer, 0, layers_ - 1);
    hoverSide_ = hoverIndex_ = -1;
    update();
    return true;
}

void TokenFlowView::setLayer(int layer)
{
    layer_ = std::clamp(layer, 0, std::max(0, layers_ - 1));
    update();
}

void TokenFlowView::setHeadVisible(int head, bool visible)
{
    if (head >= 0 && head < heads_) visible_[size_t(head)] = visible;
    update();
}

bool TokenFlowView::headVisible(int head) const { return head >= 0 && head < heads_ && visible_[size_t(head)]; }

float TokenFlowView::weight(int head, int q, int k) const
{
    return tensor_.values[size_t(((int64_t(layer_) * heads_ + head) * queries_ + q) * keys_ + k)];
}

bool TokenFlowView::lineShown(int head, int q, int k) const
{
    if (!visible_[size_t(head)] || weight(head, q, k) < kThreshold) return false;
    if (hoverIndex_ < 0) return true;
    return hoverSide_ == 0 ? q == hoverIndex_ : k == hoverIndex_;
}

int TokenFlowView::visibleLines() const
{
    int n = 0;
    for (int h = 0; h < heads_; ++h)
        for (int q = 0; q < queries_; ++q)
            for (int k = 0; k < keys_; ++k) n += lineShown(h, q, k);
    return n;
}

void TokenFlowView::setHoveredToken(int side, int index)
{
    const int count = side == 0 ? queries_ : keys_;
    hoverSide_ = (index >= 0 && index < count) ? side : -1;
    hoverIndex_ = hoverSide_ >= 0 ? index : -1;
    update();
}

QPointF TokenFlowView::anchor(int side, int index) const
{
    const int n = side == 0 ? queries_ : keys_;
    const double pitch = double(height() - 2 * kTop) / std::max(n, 1);
    const double x = side == 0 ? kColumnWidth : width() - kColumnWidth;
    return {x, kTop + (index + 0.5) * pitch};
}

void TokenFlowView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    if (heads_ == 0) {
        p.drawText(rect(), Qt::AlignCenter, tr("No attention to show"));
        return;
    }
    p.setRenderHint(QPainter::Antialiasing);
    for (int h = 0; h < heads_; ++h) {
        QColor c = headColor(h);
        for (int q = 0; q < queries_; ++q)
            for (int k = 0; k < keys_; ++k) {
                if (!lineShown(h, q, k)) continue;
                c.setAlphaF(std::min(1.0, 0.9 * double(weight(h, q, k))));
                p.setPen(QPen(c, 2));
                p.drawLine(anchor(0, q), anchor(1, k));
            }
    }
    p.setPen(palette().text().color());
    const bool labelled = tensor_.labels.size() == 4;
    for (int side = 0; side < 2; ++side) {
        const int n = side == 0 ? queries_ : keys_;
        const double pitch = double(height() - 2 * kTop) / std::max(n, 1);
        const int every = std::max(1, int(std::ceil(fontMetrics().height() / std::max(pitch, 1e-3))));
        for (int i = 0; i < n; i += every) {
            const auto& labels = labelled ? tensor_.labels[size_t(2 + side)] : std::vector<std::string>{};
            const QString text = int(labels.size()) == n ? QString::fromStdString(labels[size_t(i)]) : QString::number(i);
            const QPointF a = anchor(side, i);
            QFont f = font();
            f.setBold(side == hoverSide_ && i == hoverIndex_);
            p.setFont(f);
            const QRectF r = side == 0 ? QRectF(4, a.y() - pitch / 2, kColumnWidth - 10, pitch)
                                       : QRectF(a.x() + 6, a.y() - pitch / 2, kColumnWidth - 10, pitch);
            p.drawText(r, Qt::AlignVCenter | (side == 0 ? Qt::AlignRight : Qt::AlignLeft), text);
        }
    }
}

void TokenFlowView::mouseMoveEvent(QMouseEvent* e)
{
    const int side = e->pos().x() < kColumnWidth ? 0 : e->pos().x() > width() - kColumnWidth ? 1 : -1;
    int index = -1;
    if (side >= 0) {
        const int n = side == 0 ? queries_ : keys_;
        const double pitch = double(height() - 2 * kTop) / std::max(n, 1);
        index = int(std::floor((e->pos().y() - kTop) / pitch));
        if (index < 0 || index >= n) index = -1;
    }
    if (side != hoverSide_ || index != hoverIndex_) setHoveredToken(side, index);
}

void TokenFlowView::leaveEvent(QEvent*) { setHoveredToken(-1, -1); }

} // namespace attnscope::ui
