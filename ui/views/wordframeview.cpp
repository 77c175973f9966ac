#include "views/wordframeview.h"

#include "views/colormaps.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

namespace {
constexpr int kLabelWidth = 90, kThumb = 44, kFrameLabel = 16;
}

WordFrameView::WordFrameView(QWidget* parent) : QWidget(parent)
{
    setMinimumHeight(120);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void WordFrameView::setAttention(const QStringList& words, const std::vector<int>& frames, const std::vector<float>& values)
{
    words_ = words;
    frames_ = frames;
    values_ = values;
    if (values_.size() != size_t(words_.size()) * frames_.size()) values_.assign(size_t(words_.size()) * frames_.size(), 0.0f);
    selected_ = std::min(selected_, int(words_.size()) - 1);
    rebuild();
}

void WordFrameView::setThumbnails(const QVector<QImage>& thumbnails)
{
    thumbs_ = thumbnails;
    updateGeometry();
    update();
}

void WordFrameView::setColorMap(const QString& name)
{
    colorMap_ = name;
    rebuild();
}

int WordFrameView::columnOfFrame(int frame) const
{
    int best = -1;
    for (size_t c = 0; c < frames_.size(); ++c)
        if (best < 0 || std::abs(frames_[c] - frame) < std::abs(frames_[size_t(best)] - frame)) best = int(c);
    return best;
}

void WordFrameView::setCurrentFrame(int frame)
{
    const int c = frame < 0 ? -1 : columnOfFrame(frame);
    if (c == playhead_) return;
    playhead_ = c;
    update();
}

void WordFrameView::setSelectedWord(int word)
{
    selected_ = word;
    update();
}

QVector<int> WordFrameView::wordsAtPlayhead(double shareOfPeak) const
{
    QVector<int> r;
    const int C = int(frames_.size());
    if (playhead_ < 0 || C == 0) return r;
    for (int w = 0; w < words_.size(); ++w) {
        const auto row = values_.begin() + ptrdiff_t(w) * C;
        const float peak = *std::max_element(row, row + C);
        if (peak > 0 && row[playhead_] >= shareOfPeak * peak) r.append(w);
    }
    return r;
}

void WordFrameView::rebuild()
{
    const int C = int(frames_.size()), W = int(words_.size());
    heat_ = QImage();
    if (C > 0 && W > 0) {
        const QVector<QRgb> table = colorTable(colorMap_);
        heat_ = QImage(C, W, QImage::Format_ARGB32_Premultiplied);  // NaN / Inf: no value (transparent)
        for (int w = 0; w < W; ++w)
            for (int c = 0; c < C; ++c) heat_.setPixel(c, w, tableColor(table, values_[size_t(w * C + c)]));
    }
    updateGeometry();
    update();
}

QRect WordFrameView::gridRect() const
{
    const int top = 4 + (thumbs_.isEmpty() ? 0 : kThumb + 4);
    // Room on the right for the colour bar.
    const int bar = colorBarWidth(fontMetrics()) + 6;
    return QRect(kLabelWidth, top, std::max(10, width() - kLabelWidth - 8 - bar), std::max(10, height() - top - kFrameLabel - 4));
}

QRect WordFrameView::colorBarRect() const
{
    const QRect g = gridRect();
    return QRect(g.right() + 8, g.top(), colorBarWidth(fontMetrics()), g.height());
}

QRect WordFrameView::cellRect(int word, int column) const
{
    const QRect g = gridRect();
    const int C = std::max(1, int(frames_.size())), W = std::max(1, int(words_.size()));
    const int x0 = g.left() + column * g.width() / C, x1 = g.left() + (column + 1) * g.width() / C;
    const int y0 = g.top() + word * g.height() / W, y1 = g.top() + (word + 1) * g.height() / W;
    return QRect(x0, y0, x1 - x0, y1 - y0);
}

QSize WordFrameView::sizeHint() const
{
    return {kLabelWidth + 40 * std::max(1, int(frames_.size())) + colorBarWidth(fontMetrics()) + 6, (thumbs_.isEmpty() ? 0 : kThumb + 4) + 18 * std::max(4, int(words_.size())) + 24};
}

void WordFrameView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    p.setPen(palette().text().color());
    if (heat_.isNull()) {
        p.drawText(rect(), Qt::AlignCenter, tr("No word × frame attention yet"));
        return;
    }
    const QRect g = gridRect();
    p.drawImage(g, heat_);
    paintColorBar(p, colorBarRect(), colorTable(colorMap_), 0, 1, palette());
    const int C = int(frames_.size());
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.85));
    p.setFont(small);
    // Thumbnails above their columns.
    for (int c = 0; c < C && c < thumbs_.size(); ++c) {
        const QRect cell = cellRect(0, c);
        const QRect t(cell.left() + 1, 4, std::max(4, cell.width() - 2), kThumb);
        p.drawImage(t, thumbs_[c].scaled(t.size(), Qt::KeepAspectRatio, Qt::SmoothTransformation));
    }
    // Frame numbers under the columns (thinned to fit).
    const int every = std::max(1, int(std::ceil(30.0 * C / std::max(1, g.width()))));
    for (int c = 0; c < C; c += every) {
        const QRect cell = cellRect(int(words_.size()) - 1, c);
        p.drawText(QRect(cell.left() - 10, g.bottom() + 2, cell.width() + 20, kFrameLabel), Qt::AlignHCenter | Qt::AlignTop,
                   QString::number(frames_[size_t(c)]));
    }
    // Words, with those drawing on the playhead frame in bold.
    const QVector<int> active = wordsAtPlayhead();
    for (int w = 0; w < words_.size(); ++w) {
        const QRect cell = cellRect(w, 0);
        QFont f = small;
        f.setBold(active.contains(w));
        p.setFont(f);
        p.setPen(active.contains(w) ? palette().highlight().color() : palette().text().color());
        p.drawText(QRect(2, cell.top(), kLabelWidth - 6, cell.height()), Qt::AlignRight | Qt::AlignVCenter, words_[w]);
    }
    p.setFont(small);
    if (selected_ >= 0 && selected_ < words_.size()) {
        p.setPen(QPen(palette().highlight().color(), 2));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRect(g.left(), cellRect(selected_, 0).top(), g.width(), cellRect(selected_, 0).height()).adjusted(0, 0, -1, -1));
    }
    if (playhead_ >= 0) {
        const QRect col = cellRect(0, playhead_);
        p.setPen(QPen(QColor(230, 40, 40), 2));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRect(col.left(), g.top(), col.width(), g.height()).adjusted(0, 0, -1, -1));
    }
}

void WordFrameView::mousePressEvent(QMouseEvent* e)
{
    const QPoint pos = e->position().toPoint();
    for (int w = 0; w < words_.size(); ++w)
        for (int c = 0; c < int(frames_.size()); ++c)
            if (cellRect(w, c).contains(pos)) {
                emit cellClicked(w, c);
                return;
            }
}

bool WordFrameView::event(QEvent* e)
{
    if (e->type() == QEvent::ToolTip) {
        auto* he = static_cast<QHelpEvent*>(e);
        const int C = int(frames_.size());
        for (int w = 0; w < words_.size(); ++w)
            for (int c = 0; c < C; ++c)
                if (cellRect(w, c).contains(he->pos())) {
                    QToolTip::showText(he->globalPos(),
                                       tr("<b>%1</b> · frame %2<br>attention %3").arg(words_[w].toHtmlEscaped()).arg(frames_[size_t(c)]).arg(double(values_[size_t(w * C + c)]), 0, 'f', 3),
                                       this, cellRect(w, c));
                    return true;
                }
        QToolTip::hideText();
        return true;
    }
    return QWidget::event(e);
}

} // namespace attnscope::ui
