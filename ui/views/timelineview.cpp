#include "views/timelineview.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

namespace {
constexpr int kMargin = 8, kThumbH = 48;
}

TimelineView::TimelineView(QWidget* parent) : QWidget(parent)
{
    setMinimumHeight(100);
    setToolTip(tr("Timeline: thumbnails, the selected word's attention over the sampled frames, the playhead. Click or drag to seek."));
}

void TimelineView::setFrameCount(int frames)
{
    frames_ = std::max(0, frames);
    current_ = 0;
    update();
}

void TimelineView::clearThumbnails()
{
    thumbs_.clear();
    update();
}

void TimelineView::addThumbnail(int frame, const QImage& image)
{
    thumbs_.insert(frame, image);
    update();
}

void TimelineView::setCurve(const std::vector<int>& frames, const std::vector<float>& values, const QString& label)
{
    curveFrames_ = frames;
    curve_ = values;
    curveLabel_ = label;
    update();
}

void TimelineView::setCurrentFrame(int frame)
{
    current_ = frame;
    update();
}

int TimelineView::xOfFrame(int frame) const
{
    const int w = std::max(1, width() - 2 * kMargin);
    return kMargin + int(std::lround((frame + 0.5) * w / std::max(1, frames_)));
}

int TimelineView::frameAtX(int x) const
{
    const int w = std::max(1, width() - 2 * kMargin);
    return std::clamp(int((x - kMargin) * double(frames_) / w), 0, std::max(0, frames_ - 1));
}

void TimelineView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    if (frames_ <= 0) {
        p.setPen(palette().placeholderText().color());
        p.drawText(rect(), Qt::AlignCenter, tr("No video"));
        return;
    }
    // Thumbnails: each drawn at its frame, later ones over earlier ones where they overlap.
    for (auto it = thumbs_.cbegin(); it != thumbs_.cend(); ++it) {
        const QImage& t = it.value();
        const int w = t.height() > 0 ? t.width() * kThumbH / t.height() : kThumbH;
        p.drawImage(QRect(xOfFrame(it.key()) - w / 2, 4, w, kThumbH), t);
    }
    // The curve of the selected word, under the thumbnails.
    const QRect band(kMargin, kThumbH + 10, width() - 2 * kMargin, height() - kThumbH - 14);
    p.setPen(palette().mid().color());
    p.drawRect(band);
    if (!curve_.empty() && curve_.size() == curveFrames_.size()) {
        const float peak = std::max(1e-6f, *std::max_element(curve_.begin(), curve_.end()));
        QPainterPath path;
        path.moveTo(xOfFrame(curveFrames_.front()), band.bottom());
        for (size_t i = 0; i < curve_.size(); ++i) path.lineTo(xOfFrame(curveFrames_[i]), band.bottom() - curve_[i] / peak * (band.height() - 4));
        path.lineTo(xOfFrame(curveFrames_.back()), band.bottom());
        QColor fill = palette().highlight().color();
        fill.setAlpha(90);
        p.setBrush(fill);
        p.setPen(QPen(palette().highlight().color(), 2));
        p.drawPath(path);
        p.setPen(palette().text().color());
        p.drawText(band.adjusted(4, 2, -4, -2), Qt::AlignLeft | Qt::AlignTop, tr("attention of “%1” (peak %2)").arg(curveLabel_).arg(double(peak), 0, 'f', 2));
    }
    // Playhead.
    const int x = xOfFrame(current_);
    p.setPen(QPen(QColor(230, 40, 40), 2));
    p.drawLine(x, 2, x, height() - 2);
}

void TimelineView::mousePressEvent(QMouseEvent* e)
{
    if (frames_ > 0) emit seekRequested(frameAtX(int(e->position().x())));
}

void TimelineView::mouseMoveEvent(QMouseEvent* e)
{
    if ((e->buttons() & Qt::LeftButton) && frames_ > 0) emit seekRequested(frameAtX(int(e->position().x())));
}

} // namespace attnscope::ui
