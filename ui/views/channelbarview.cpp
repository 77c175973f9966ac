#include "views/channelbarview.h"

#include "views/colormaps.h"

#include <QMouseEvent>
#include <QPainter>
#include <QHelpEvent>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace attnscope::ui {

ChannelBarView::ChannelBarView(QWidget* parent) : QWidget(parent), table_(colorTable("viridis"))
{
    setMouseTracking(true);
    setMinimumSize(240, 140);
}

bool ChannelBarView::event(QEvent* e)
{
    // Per-bar tooltips come from mouseMoveEvent; elsewhere a short explanation.
    if (e->type() == QEvent::ToolTip) {
        auto* he = static_cast<QHelpEvent*>(e);
        if (channelAt(he->pos()) < 0)
            QToolTip::showText(he->globalPos(),
                               tr("Excitation of each channel: the weight the attention block multiplied the channel's "
                                  "feature map by. Hover or click a bar to see the channel's feature map."),
                               this);
        return true;
    }
    return QWidget::event(e);
}

void ChannelBarView::setValues(const std::vector<float>& a)
{
    a_ = a;
    b_.clear();
    mode_ = Mode::Single;
    hovered_ = -1;
    reorder();
}

void ChannelBarView::setPair(const std::vector<float>& a, const std::vector<float>& b, Mode mode)
{
    a_ = a;
    b_ = b;
    b_.resize(a_.size(), 0.0f);
    mode_ = mode;
    hovered_ = -1;
    reorder();
}

void ChannelBarView::clear()
{
    a_.clear();
    b_.clear();
    order_.clear();
    hovered_ = selected_ = -1;
    update();
}

void ChannelBarView::setSortByValue(bool sorted)
{
    sorted_ = sorted;
    reorder();
}

void ChannelBarView::setColorMap(const QString& name)
{
    table_ = colorTable(name);
    update();
}

void ChannelBarView::setTitle(const QString& title)
{
    title_ = title;
    update();
}

void ChannelBarView::setSelectedChannel(int channel)
{
    selected_ = channel;
    update();
}

float ChannelBarView::valueOf(int c) const
{
    if (c < 0 || c >= int(a_.size())) return 0;
    return mode_ == Mode::Difference ? a_[size_t(c)] - b_[size_t(c)] : a_[size_t(c)];
}

void ChannelBarView::reorder()
{
    order_.resize(a_.size());
    std::iota(order_.begin(), order_.end(), 0);
    if (sorted_)
        std::stable_sort(order_.begin(), order_.end(), [&](int x, int y) { return valueOf(x) > valueOf(y); });
    update();
}

QRectF ChannelBarView::plotRect() const
{
    const int top = title_.isEmpty() ? 8 : 26;
    return QRectF(44, top, std::max(10, width() - 52), std::max(10, height() - top - 30));
}

float ChannelBarView::lo() const
{
    if (mode_ != Mode::Difference) return 0.0f;
    float m = 0;
    for (size_t c = 0; c < a_.size(); ++c) m = std::max(m, std::fabs(a_[c] - b_[c]));
    return -std::max(m, 1e-3f);
}

float ChannelBarView::hi() const
{
    if (mode_ == Mode::Difference) return -lo();
    float m = 1.0f;  // excitations live in (0, 1); keep the axis at 1 unless a value exceeds it
    for (float v : a_) m = std::max(m, v);
    for (float v : b_) m = std::max(m, v);
    return m;
}

int ChannelBarView::channelAt(const QPoint& pos) const
{
    const QRectF r = plotRect();
    if (order_.empty() || pos.x() < r.left() || pos.x() >= r.right() || pos.y() < r.top() - 4 || pos.y() > r.bottom() + 4)
        return -1;
    const int slot = int((pos.x() - r.left()) / (r.width() / double(order_.size())));
    return slot >= 0 && slot < int(order_.size()) ? order_[size_t(slot)] : -1;
}

QPoint ChannelBarView::barCenter(int channel) const
{
    const QRectF r = plotRect();
    const auto it = std::find(order_.begin(), order_.end(), channel);
    if (it == order_.end()) return {};
    const double w = r.width() / double(order_.size());
    return QPoint(int(r.left() + (double(it - order_.begin()) + 0.5) * w), int(r.center().y()));
}

void ChannelBarView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    const QColor fg = palette().text().color();
    p.setPen(fg);
    if (!title_.isEmpty()) p.drawText(QRect(8, 2, width() - 16, 22), Qt::AlignLeft | Qt::AlignVCenter, title_);
    const QRectF r = plotRect();
    if (order_.empty()) {
        p.drawText(rect(), Qt::AlignCenter, tr("No channel weights"));
        return;
    }
    const float vlo = lo(), vhi = hi();
    auto yOf = [&](double v) { return r.bottom() - (v - vlo) / double(vhi - vlo) * r.height(); };
    // Axis and ticks.
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.85));
    p.setFont(small);
    p.setPen(QPen(palette().mid().color(), 0));
    const int ticks = 4;
    for (int i = 0; i <= ticks; ++i) {
        const double v = vlo + (vhi - vlo) * i / ticks;
        const double y = yOf(v);
        p.drawLine(QPointF(r.left() - 4, y), QPointF(r.right(), y));
        p.setPen(fg);
        p.drawText(QRectF(0, y - 8, r.left() - 6, 16), Qt::AlignRight | Qt::AlignVCenter, QString::number(v, 'g', 2));
        p.setPen(QPen(palette().mid().color(), 0));
    }
    const double w = r.width() / double(order_.size());
    const double zeroY = yOf(0.0);
    // Colour spans the values shown (not the axis), so small differences stay visible.
    float cmin = a_.empty() ? 0.0f : *std::min_element(a_.begin(), a_.end());
    float cmax = a_.empty() ? 1.0f : *std::max_element(a_.begin(), a_.end());
    if (cmax - cmin < 1e-6f) cmin = cmax - 1.0f;
    for (size_t slot = 0; slot < order_.size(); ++slot) {
        const int c = order_[slot];
        const double x0 = r.left() + slot * w;
        const double gap = w > 4 ? 1.0 : 0.0;
        if (mode_ == Mode::Pair) {
            const QColor ca(31, 119, 180), cb(255, 127, 14);
            p.fillRect(QRectF(x0 + gap, yOf(a_[size_t(c)]), w / 2 - gap, zeroY - yOf(a_[size_t(c)])), ca);
            p.fillRect(QRectF(x0 + w / 2, yOf(b_[size_t(c)]), w / 2 - gap, zeroY - yOf(b_[size_t(c)])), cb);
        } else {
            const float v = valueOf(c);
            QColor col;
            if (mode_ == Mode::Difference) {
                static const QVector<QRgb> div = divergingTable();
                col = QColor(div[std::clamp(int(std::lround(127.5 + 127.5 * v / vhi)), 0, 255)]);
            } else {
                col = QColor(table_[std::clamp(int(std::lround(255.0 * (v - cmin) / (cmax - cmin))), 0, 255)]);
            }
            const double y = yOf(v);
            p.fillRect(QRectF(x0 + gap, std::min(y, zeroY), std::max(1.0, w - 2 * gap), std::fabs(zeroY - y)), col);
        }
        if (c == hovered_ || c == selected_) {
            p.setPen(QPen(c == selected_ ? QColor(220, 20, 60) : fg, c == selected_ ? 2 : 1));
            p.setBrush(Qt::NoBrush);
            p.drawRect(QRectF(x0, r.top(), w, r.height()));
        }
    }
    // Channel labels under the axis, thinned to fit.
    p.setPen(fg);
    const int every = std::max(1, int(std::ceil(28.0 / w)));
    for (size_t slot = 0; slot < order_.size(); slot += size_t(every))
        p.drawText(QRectF(r.left() + slot * w - 14 + w / 2, r.bottom() + 2, 28, 14), Qt::AlignCenter,
                   QString::number(order_[slot]));
    p.drawText(QRectF(r.left(), r.bottom() + 14, r.width(), 14), Qt::AlignCenter,
               sorted_ ? tr("channel (sorted by value)") : tr("channel"));
    p.setPen(QPen(fg, 0));
    p.drawLine(QPointF(r.left(), zeroY), QPointF(r.right(), zeroY));
    if (mode_ == Mode::Pair) {
        p.fillRect(QRectF(r.right() - 110, r.top(), 10, 10), QColor(31, 119, 180));
        p.drawText(QRectF(r.right() - 96, r.top() - 3, 40, 16), Qt::AlignLeft | Qt::AlignVCenter, "A");
        p.fillRect(QRectF(r.right() - 60, r.top(), 10, 10), QColor(255, 127, 14));
        p.drawText(QRectF(r.right() - 46, r.top() - 3, 40, 16), Qt::AlignLeft | Qt::AlignVCenter, "B");
    }
}

void ChannelBarView::mouseMoveEvent(QMouseEvent* e)
{
    const int c = channelAt(e->position().toPoint());
    if (c == hovered_) return;
    hovered_ = c;
    update();
    emit channelHovered(c);
    if (c < 0) {
        QToolTip::hideText();
        return;
    }
    const auto rank = std::find(order_.begin(), order_.end(), c) - order_.begin();
    QString text;
    if (mode_ == Mode::Single)
        text = tr("channel %1: excitation %2").arg(c).arg(double(a_[size_t(c)]), 0, 'f', 3);
    else
        text = tr("channel %1: A %2, B %3, A − B %4")
                   .arg(c)
                   .arg(double(a_[size_t(c)]), 0, 'f', 3)
                   .arg(double(b_[size_t(c)]), 0, 'f', 3)
                   .arg(double(a_[size_t(c)] - b_[size_t(c)]), 0, 'f', 3);
    if (sorted_) text += tr(" (rank %1 of %2)").arg(rank + 1).arg(order_.size());
    QToolTip::showText(e->globalPosition().toPoint(), text, this);
}

void ChannelBarView::mousePressEvent(QMouseEvent* e)
{
    const int c = channelAt(e->position().toPoint());
    if (c < 0) return;
    selected_ = c;
    update();
    emit channelClicked(c);
}

void ChannelBarView::leaveEvent(QEvent*)
{
    if (hovered_ == -1) return;
    hovered_ = -1;
    update();
    emit channelHovered(-1);
}

} // namespace attnscope::ui
