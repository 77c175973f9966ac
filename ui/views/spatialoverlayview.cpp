#include "views/spatialoverlayview.h"

#include "views/colormaps.h"
#include "views/mapimage.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

SpatialOverlayView::SpatialOverlayView(QWidget* parent) : QWidget(parent), valueName_(tr("spatial attention"))
{
    setMouseTracking(true);
    setMinimumSize(160, 140);
}

void SpatialOverlayView::setImage(const QImage& image)
{
    image_ = image;
    rebuild();
}

void SpatialOverlayView::setMap(const std::vector<float>& values, int rows, int cols)
{
    values_ = values;
    rows_ = rows;
    cols_ = cols;
    rebuild();
}

void SpatialOverlayView::clearMap()
{
    values_.clear();
    overlay_ = QImage();
    update();
}

void SpatialOverlayView::setOpacity(double opacity)
{
    opacity_ = std::clamp(opacity, 0.0, 1.0);
    update();
}

void SpatialOverlayView::setColorMap(const QString& name)
{
    colorMap_ = name;
    rebuild();
}

void SpatialOverlayView::setTitle(const QString& title)
{
    title_ = title;
    update();
}

void SpatialOverlayView::setSmoothing(double sigmaCells)
{
    smoothing_ = std::max(0.0, sigmaCells);
    rebuild();
}

void SpatialOverlayView::setBoxes(const QVector<QRect>& boxes, int highlighted)
{
    boxes_ = boxes;
    highlighted_ = highlighted;
    update();
}

void SpatialOverlayView::rebuild()
{
    overlay_ = QImage();
    if (values_.empty() || rows_ <= 0 || cols_ <= 0 || size_t(rows_ * cols_) != values_.size()) {
        update();
        return;
    }
    const auto [mn, mx] = std::minmax_element(values_.begin(), values_.end());
    lo_ = *mn;
    hi_ = *mx;
    const float span = hi_ > lo_ ? hi_ - lo_ : 1.0f;
    // Upsampled to the image (or 16 px per cell without one): a smooth map, as in the CBAM and
    // Show-Attend-Tell papers' figures.
    const QSize target = image_.isNull() ? QSize(cols_ * 16, rows_ * 16) : image_.size().expandedTo(QSize(224, 224));
    overlay_ = smoothMapImage(values_, rows_, cols_, target, colorTable(colorMap_), lo_, hi_, smoothing_);
    update();
}

QRect SpatialOverlayView::imageRect() const
{
    const int top = title_.isEmpty() ? 4 : 24;
    const QSize avail(std::max(10, width() - 80), std::max(10, height() - top - 8));
    const QSize src = !image_.isNull() ? image_.size() : (overlay_.isNull() ? QSize(1, 1) : overlay_.size());
    const QSize s = src.scaled(avail, Qt::KeepAspectRatio);
    return QRect(QPoint(8 + (avail.width() - s.width()) / 2, top), s);
}

double SpatialOverlayView::valueAt(const QPoint& pos) const
{
    const QRect r = imageRect();
    if (values_.empty() || !r.contains(pos)) return std::nan("");
    const int x = std::clamp(int((pos.x() - r.left()) * cols_ / double(r.width())), 0, cols_ - 1);
    const int y = std::clamp(int((pos.y() - r.top()) * rows_ / double(r.height())), 0, rows_ - 1);
    return values_[size_t(y * cols_ + x)];
}

void SpatialOverlayView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    p.setPen(palette().text().color());
    if (!title_.isEmpty()) p.drawText(QRect(8, 2, width() - 16, 20), Qt::AlignLeft | Qt::AlignVCenter, title_);
    const QRect r = imageRect();
    if (!image_.isNull()) {
        p.setRenderHint(QPainter::SmoothPixmapTransform, image_.width() > r.width());
        p.drawImage(r, image_);
    }
    if (overlay_.isNull()) {
        if (image_.isNull()) p.drawText(rect(), Qt::AlignCenter, tr("No spatial attention"));
        return;
    }
    p.setRenderHint(QPainter::SmoothPixmapTransform, true);
    p.setOpacity(image_.isNull() ? 1.0 : opacity_);
    p.drawImage(r, overlay_);
    p.setOpacity(1.0);
    if (!boxes_.isEmpty() && !image_.isNull()) {
        const double sx = double(r.width()) / image_.width(), sy = double(r.height()) / image_.height();
        for (int i = 0; i < boxes_.size(); ++i) {
            const QRect& b = boxes_[i];
            QPen pen(i == highlighted_ ? QColor(255, 80, 80) : QColor(255, 255, 255, 170), i == highlighted_ ? 2 : 1,
                     i == highlighted_ ? Qt::SolidLine : Qt::DashLine);
            p.setPen(pen);
            p.setBrush(Qt::NoBrush);
            p.drawRect(QRectF(r.left() + b.x() * sx, r.top() + b.y() * sy, b.width() * sx - 1, b.height() * sy - 1));
        }
    }
    // Colour bar.
    const QVector<QRgb> table = colorTable(colorMap_);
    const QRect bar(r.right() + 14, r.top(), 14, r.height());
    for (int y = 0; y < bar.height(); ++y) {
        const int idx = 255 - y * 255 / std::max(1, bar.height() - 1);
        p.setPen(QColor(table[idx]));
        p.drawLine(bar.left(), bar.top() + y, bar.right(), bar.top() + y);
    }
    p.setPen(palette().text().color());
    p.drawRect(bar);
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.85));
    p.setFont(small);
    p.drawText(QRect(bar.right() + 3, bar.top() - 2, 50, 14), Qt::AlignLeft, QString::number(double(hi_), 'f', 2));
    p.drawText(QRect(bar.right() + 3, bar.bottom() - 12, 50, 14), Qt::AlignLeft, QString::number(double(lo_), 'f', 2));
}

void SpatialOverlayView::mouseMoveEvent(QMouseEvent* e)
{
    const double v = valueAt(e->position().toPoint());
    if (std::isnan(v)) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(e->globalPosition().toPoint(), QStringLiteral("%1 %2").arg(valueName_).arg(v, 0, 'f', 3), this);
}

void SpatialOverlayView::mousePressEvent(QMouseEvent* e)
{
    const QRect r = imageRect();
    const QPointF p = e->position();
    if (e->button() != Qt::LeftButton || r.isEmpty() || !r.contains(p.toPoint())) return QWidget::mousePressEvent(e);
    emit imageClicked((p.x() - r.left()) / r.width(), (p.y() - r.top()) / r.height());
}

} // namespace attnscope::ui
