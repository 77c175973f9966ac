#include "workspaces/long/headthumbgrid.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QToolTip>
#include <QPainter>

namespace attnscope::ui {

HeadThumbGrid::HeadThumbGrid(QWidget* parent) : QWidget(parent)
{
    setToolTip(tr("Every head's overview; click one to show it. Heads that share a KV head (grouped-query attention) sit together."));
}

void HeadThumbGrid::setHeads(int layers, int heads, std::vector<int> kvHeadOf)
{
    layers_ = layers;
    heads_ = heads;
    kv_ = std::move(kvHeadOf);
    kv_.resize(size_t(heads), 0);
    images_.assign(size_t(layers * heads), QImage());
    summaries_.assign(size_t(layers * heads), QString());
    updateGeometry();
    update();
}

void HeadThumbGrid::setThumbnail(int layer, int head, const QImage& image, const QString& summary)
{
    if (layer < 0 || head < 0 || layer >= layers_ || head >= heads_) return;
    images_[size_t(layer * heads_ + head)] = image;
    summaries_[size_t(layer * heads_ + head)] = summary;
    update(cellRect(layer, head));
}

void HeadThumbGrid::setCurrent(int layer, int head)
{
    curLayer_ = layer;
    curHead_ = head;
    update();
}

int HeadThumbGrid::thumbnails() const
{
    int n = 0;
    for (const auto& i : images_) n += !i.isNull();
    return n;
}

QString HeadThumbGrid::headSummary(int layer, int head) const
{
    if (layer < 0 || head < 0 || layer >= layers_ || head >= heads_) return {};
    QString text = tr("layer %1, head %2").arg(layer + 1).arg(head + 1);
    if (grouped()) text += tr(" (KV head %1)").arg(kv_[size_t(head)] + 1);
    const QString& s = summaries_[size_t(layer * heads_ + head)];
    return s.isEmpty() ? text + tr(" · overview not read yet") : text + QStringLiteral(" · ") + s;
}

bool HeadThumbGrid::event(QEvent* e)
{
    if (e->type() == QEvent::ToolTip) {
        const auto* help = static_cast<QHelpEvent*>(e);
        int l = 0, h = 0;
        if (headAt(help->pos(), &l, &h)) QToolTip::showText(help->globalPos(), headSummary(l, h) + tr(" — click to show it"), this);
        else QToolTip::showText(help->globalPos(), toolTip(), this);
        return true;
    }
    return QWidget::event(e);
}

bool HeadThumbGrid::grouped() const
{
    for (int h = 0; h < heads_; ++h)
        if (kv_[size_t(h)] != h) return true;
    return false;
}

QRect HeadThumbGrid::cellRect(int layer, int head) const
{
    int x = kLeft;
    for (int h = 0; h < head; ++h) x += kCell + (grouped() && kv_[size_t(h + 1)] != kv_[size_t(h)] ? kGroupGap : kGap);
    return QRect(x, kTop + (grouped() ? 14 : 0) + layer * (kCell + kGap), kCell, kCell);
}

QSize HeadThumbGrid::sizeHint() const
{
    if (heads_ == 0) return {200, 100};
    const QRect last = cellRect(layers_ - 1, heads_ - 1);
    return {last.right() + 8, last.bottom() + 8};
}

bool HeadThumbGrid::headAt(const QPoint& pos, int* layer, int* head) const
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

void HeadThumbGrid::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    p.setPen(palette().text().color());
    const QFontMetrics fm = p.fontMetrics();
    for (int h = 0; h < heads_; ++h) {
        const QRect c = cellRect(0, h);
        p.drawText(QRect(c.left(), c.top() - fm.height() - 1, c.width(), fm.height()), Qt::AlignCenter, tr("H%1").arg(h + 1));
        if (grouped() && (h == 0 || kv_[size_t(h)] != kv_[size_t(h - 1)])) {
            int last = h;
            while (last + 1 < heads_ && kv_[size_t(last + 1)] == kv_[size_t(h)]) ++last;
            const QRect span = cellRect(0, h).united(cellRect(0, last));
            p.drawText(QRect(span.left(), 0, span.width(), fm.height()), Qt::AlignCenter, tr("KV %1").arg(kv_[size_t(h)]));
            p.drawLine(span.left(), fm.height(), span.right(), fm.height());
        }
    }
    for (int l = 0; l < layers_; ++l) {
        const QRect c = cellRect(l, 0);
        p.drawText(QRect(0, c.top(), kLeft - 4, c.height()), Qt::AlignRight | Qt::AlignVCenter, tr("L%1").arg(l + 1));
        for (int h = 0; h < heads_; ++h) {
            const QRect r = cellRect(l, h);
            const QImage& img = images_[size_t(l * heads_ + h)];
            if (img.isNull()) {
                p.fillRect(r, palette().base());
                p.drawText(r, Qt::AlignCenter, QStringLiteral("…"));
            } else {
                p.drawImage(r, img);
            }
            const bool current = l == curLayer_ && h == curHead_;
            p.setPen(current ? QPen(palette().highlight().color(), 3) : QPen(palette().mid().color(), 1));
            p.drawRect(r.adjusted(0, 0, -1, -1));
            p.setPen(palette().text().color());
        }
    }
}

void HeadThumbGrid::mousePressEvent(QMouseEvent* e)
{
    int l, h;
    if (headAt(e->pos(), &l, &h)) emit headClicked(l, h);
}

} // namespace attnscope::ui
