#include "views/stnview.h"

#include "views/colormaps.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

namespace {
constexpr double kOutCorners[4][2] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
constexpr double kHandle = 7.0;  ///< handle radius, pixels

/// Intensities in [0, 1] as an 8-bit image: grey, or indexed through a colour map's table.
QImage intensityImage(const GreyImage& g, const QString& colorMap)
{
    QImage img(std::max(1, g.width), std::max(1, g.height), colorMap.isEmpty() ? QImage::Format_Grayscale8 : QImage::Format_Indexed8);
    if (!colorMap.isEmpty()) img.setColorTable(colorTable(colorMap));
    img.fill(0);
    for (int y = 0; y < g.height; ++y)
        for (int x = 0; x < g.width; ++x)
            img.scanLine(y)[x] = uchar(std::clamp(int(std::lround(g.at(x, y) * 255.0f)), 0, 255));
    return img;
}
} // namespace

StnView::StnView(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(420, 240);
}

void StnView::setInput(const GreyImage& canvas)
{
    input_ = canvas;
    inputImage_ = intensityImage(canvas, colorMap_);
    resample();
}

void StnView::setColorMap(const QString& name)
{
    colorMap_ = name;
    if (input_.width > 0) inputImage_ = intensityImage(input_, colorMap_);
    update();
}

void StnView::setTheta(const Theta& theta)
{
    theta_ = theta;
    resample();
}

void StnView::setGridLines(int lines)
{
    gridLines_ = std::max(0, lines);
    update();
}

void StnView::setBilinear(bool bilinear)
{
    bilinear_ = bilinear;
    resample();
}

void StnView::setEditable(bool editable)
{
    editable_ = editable;
    update();
}

void StnView::setCaptions(const QString& input, const QString& output)
{
    inputCaption_ = input;
    outputCaption_ = output;
    update();
}

void StnView::resample()
{
    if (input_.width > 0) warped_ = sampleAffine(input_, theta_, outSide_, outSide_, bilinear_);
    update();
}

QRectF StnView::inputRect() const
{
    // Room above for the caption and the rotation handle, which sits outside the frame.
    const double side = std::max(60.0, std::min(height() - 70.0, width() * 0.55 - 20.0));
    return QRectF(14, 50, side, side);
}

QRectF StnView::outputRect() const
{
    const QRectF in = inputRect();
    const double side = std::max(40.0, std::min(in.height() * 0.8, width() - in.right() - 40.0));
    return QRectF(in.right() + 30, in.top() + (in.height() - side) / 2, side, side);
}

QPointF StnView::toWidget(double xs, double ys) const
{
    const QRectF r = inputRect();
    return {r.left() + (xs + 1.0) / 2.0 * r.width(), r.top() + (ys + 1.0) / 2.0 * r.height()};
}

void StnView::toNormalised(const QPointF& p, double& xs, double& ys) const
{
    const QRectF r = inputRect();
    xs = 2.0 * (p.x() - r.left()) / r.width() - 1.0;
    ys = 2.0 * (p.y() - r.top()) / r.height() - 1.0;
}

QPointF StnView::mapOut(double xt, double yt) const
{
    const auto& t = theta_;
    return toWidget(t[0] * xt + t[1] * yt + t[2], t[3] * xt + t[4] * yt + t[5]);
}

QPointF StnView::cornerPos(int k) const { return mapOut(kOutCorners[k][0], kOutCorners[k][1]); }
QPointF StnView::centrePos() const { return mapOut(0, 0); }
QPointF StnView::rotationHandlePos() const { return mapOut(0, -1.3); }

void StnView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF in = inputRect(), out = outputRect();
    p.setPen(palette().text().color());
    p.drawText(QRectF(in.left(), 4, in.width(), 18), Qt::AlignLeft | Qt::AlignVCenter, inputCaption_);
    p.drawText(QRectF(out.left(), out.top() - 20, out.width() + 40, 18), Qt::AlignLeft | Qt::AlignVCenter, outputCaption_);
    if (inputImage_.isNull()) {
        p.drawText(rect(), Qt::AlignCenter, tr("No input"));
        return;
    }
    p.save();
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    p.drawImage(in, inputImage_);
    p.drawImage(out, intensityImage(warped_, colorMap_));
    p.restore();
    p.setPen(QPen(palette().mid().color(), 1));
    p.drawRect(in);
    p.drawRect(out);
    p.setClipRect(rect());
    // Sampling grid: lines of constant output x and y, mapped through θ.
    if (gridLines_ > 0) {
        p.setPen(QPen(QColor(80, 200, 255, 150), 1));
        for (int k = 0; k <= gridLines_; ++k) {
            const double v = -1.0 + 2.0 * k / gridLines_;
            p.drawLine(mapOut(v, -1), mapOut(v, 1));
            p.drawLine(mapOut(-1, v), mapOut(1, v));
        }
    }
    // The frame (the transformed unit square), its top edge marked.
    QPolygonF frame;
    for (int k = 0; k < 4; ++k) frame << cornerPos(k);
    p.setPen(QPen(QColor(255, 170, 0), 2));
    p.setBrush(Qt::NoBrush);
    p.drawPolygon(frame);
    p.setPen(QPen(QColor(255, 80, 60), 3));
    p.drawLine(cornerPos(0), cornerPos(1));
    if (editable_) {
        p.setPen(QPen(Qt::black, 1));
        p.setBrush(QColor(255, 170, 0));
        for (int k = 0; k < 4; ++k) p.drawEllipse(cornerPos(k), kHandle, kHandle);
        p.setBrush(QColor(255, 255, 255));
        p.drawEllipse(centrePos(), kHandle, kHandle);
        p.setPen(QPen(QColor(255, 80, 60), 1, Qt::DashLine));
        p.drawLine(mapOut(0, -1), rotationHandlePos());
        p.setPen(QPen(Qt::black, 1));
        p.setBrush(QColor(255, 80, 60));
        p.drawEllipse(rotationHandlePos(), kHandle, kHandle);
    }
}

void StnView::mousePressEvent(QMouseEvent* e)
{
    if (!editable_ || e->button() != Qt::LeftButton) return;
    const QPointF pos = e->position();
    auto near = [&](const QPointF& q) { return std::hypot(q.x() - pos.x(), q.y() - pos.y()) <= kHandle + 4; };
    drag_ = Drag::None;
    if (near(rotationHandlePos())) drag_ = Drag::Rotate;
    for (int k = 0; k < 4 && drag_ == Drag::None; ++k)
        if (near(cornerPos(k))) {
            drag_ = Drag::Corner;
            dragCorner_ = k;
        }
    if (drag_ == Drag::None && (near(centrePos()) || QPolygonF({cornerPos(0), cornerPos(1), cornerPos(2), cornerPos(3)})
                                                         .containsPoint(pos, Qt::OddEvenFill)))
        drag_ = Drag::Centre;
    dragStart_ = theta_;
    dragFrom_ = pos;
}

void StnView::mouseMoveEvent(QMouseEvent* e)
{
    if (drag_ == Drag::None) {
        if (editable_) {
            const QPointF pos = e->position();
            bool onHandle = std::hypot(rotationHandlePos().x() - pos.x(), rotationHandlePos().y() - pos.y()) <= kHandle + 4;
            for (int k = 0; k < 4; ++k)
                onHandle = onHandle || std::hypot(cornerPos(k).x() - pos.x(), cornerPos(k).y() - pos.y()) <= kHandle + 4;
            setCursor(onHandle ? Qt::CrossCursor : Qt::OpenHandCursor);
        }
        return;
    }
    double x0, y0, x1, y1;
    toNormalised(dragFrom_, x0, y0);
    toNormalised(e->position(), x1, y1);
    // What is dragged (the centre, a corner, the handle) stays on the picture: a frame dragged
    // past the widget's edge would sample nothing and could not be grabbed back.
    x1 = std::clamp(x1, -1.0, 1.0);
    y1 = std::clamp(y1, -1.0, 1.0);
    Theta t = dragStart_;
    if (drag_ == Drag::Centre) {
        t[2] += x1 - x0;
        t[5] += y1 - y0;
    } else if (drag_ == Drag::Rotate) {
        // A' = R(Δφ)·A about the frame's centre (t unchanged).
        const double cx = dragStart_[2], cy = dragStart_[5];
        const double dphi = std::atan2(y1 - cy, x1 - cx) - std::atan2(y0 - cy, x0 - cx);
        const double c = std::cos(dphi), s = std::sin(dphi);
        for (int col = 0; col < 2; ++col) {
            const double a = dragStart_[size_t(col)], b = dragStart_[size_t(3 + col)];
            t[size_t(col)] = c * a - s * b;
            t[size_t(3 + col)] = s * a + c * b;
        }
    } else if (drag_ == Drag::Corner) {
        // The dragged corner follows the mouse; the opposite corner and the next one stay.
        const int k = dragCorner_, opp = (k + 2) % 4, next = (k + 1) % 4;
        std::array<std::array<double, 2>, 3> outPts, inPts;
        const int ids[3] = {k, opp, next};
        for (int i = 0; i < 3; ++i) {
            const double ox = kOutCorners[ids[i]][0], oy = kOutCorners[ids[i]][1];
            outPts[size_t(i)] = {ox, oy};
            inPts[size_t(i)] = {dragStart_[0] * ox + dragStart_[1] * oy + dragStart_[2], dragStart_[3] * ox + dragStart_[4] * oy + dragStart_[5]};
        }
        inPts[0] = {x1, y1};
        Theta solved;
        if (!thetaFromPoints(outPts, inPts, solved)) return;
        t = solved;
    }
    theta_ = t;
    resample();
    emit thetaEdited(theta_);
}

void StnView::mouseReleaseEvent(QMouseEvent*) { drag_ = Drag::None; }

} // namespace attnscope::ui
