#include "views/mapstripview.h"

#include "views/colormaps.h"
#include "views/mapimage.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

namespace {
constexpr int kCaption = 16;
}

MapStripView::MapStripView(QWidget* parent) : QWidget(parent) { setMinimumHeight(60); }

void MapStripView::setTiles(std::vector<MapTile> tiles)
{
    tiles_ = std::move(tiles);
    rebuild();
}

void MapStripView::setFixedRange(float lo, float hi)
{
    fixed_ = true;
    lo_ = lo;
    hi_ = hi;
    rebuild();
}

void MapStripView::setGrey(bool grey)
{
    grey_ = grey;
    rebuild();
}

void MapStripView::setColorMap(const QString& name)
{
    colorMap_ = name;
    rebuild();
}

void MapStripView::setColumns(int columns)
{
    columns_ = columns;
    updateGeometry();
    update();
}

void MapStripView::setUnderlay(const QImage& image, double opacity, double sigmaCells)
{
    underlay_ = image.isNull() ? QImage() : image.convertToFormat(QImage::Format_RGB32);
    underlayOpacity_ = std::clamp(opacity, 0.0, 1.0);
    sigma_ = sigmaCells;
    rebuild();
}

void MapStripView::setSelected(int id)
{
    selected_ = id;
    update();
}

void MapStripView::rebuild()
{
    images_.clear();
    QVector<QRgb> table = grey_ ? QVector<QRgb>() : colorTable(colorMap_);
    if (grey_)
        for (int i = 0; i < 256; ++i) table.append(qRgb(i, i, i));
    for (const auto& t : tiles_) {
        QImage img(std::max(1, t.cols), std::max(1, t.rows), QImage::Format_Indexed8);
        img.setColorTable(table);
        float lo = lo_, hi = hi_;
        if (!fixed_ && !t.values.empty()) {
            const auto [mn, mx] = std::minmax_element(t.values.begin(), t.values.end());
            lo = *mn;
            hi = *mx;
        }
        if (!underlay_.isNull()) {
            // Smooth map at (at least) 112 px, blended over the scaled underlay once, here.
            const QSize size = underlay_.size().expandedTo(QSize(112, 112));
            QImage base = underlay_.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
            const QImage map = smoothMapImage(t.values, t.rows, t.cols, size, colorTable(colorMap_), lo, hi, sigma_);
            if (!map.isNull()) {
                QPainter p(&base);
                p.setOpacity(underlayOpacity_);
                p.drawImage(0, 0, map);
            }
            images_.push_back(base);
            continue;
        }
        const float span = hi > lo ? hi - lo : 1.0f;
        for (int y = 0; y < t.rows; ++y) {
            uchar* line = img.scanLine(y);
            for (int x = 0; x < t.cols; ++x) {
                const float v = t.values[size_t(y * t.cols + x)];
                line[x] = uchar(std::clamp(int(std::lround(255.0f * (v - lo) / span)), 0, 255));
            }
        }
        images_.push_back(img);
    }
    updateGeometry();
    update();
}

QRect MapStripView::tileRect(int i) const
{
    const int n = int(tiles_.size());
    if (n == 0) return {};
    const int cols = columns_ > 0 ? std::min(columns_, n) : n;
    const int rows = (n + cols - 1) / cols;
    const int gap = 6;
    const int side = std::max(8, std::min((width() - gap * (cols + 1)) / cols, (height() - rows * (kCaption + gap)) / rows));
    const int r = i / cols, c = i % cols;
    return QRect(gap + c * (side + gap), gap / 2 + r * (side + kCaption + gap), side, side);
}

QSize MapStripView::sizeHint() const
{
    const int n = std::max(1, int(tiles_.size()));
    const int cols = columns_ > 0 ? std::min(columns_, n) : n;
    const int rows = (n + cols - 1) / cols;
    const int side = underlay_.isNull() ? 64 : 104;  // scenes under maps need room to be read
    return {cols * (side + 6) + 6, rows * (side + kCaption + 6)};
}

void MapStripView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.85));
    p.setFont(small);
    p.setPen(palette().text().color());
    for (size_t i = 0; i < tiles_.size(); ++i) {
        const QRect r = tileRect(int(i));
        // Nearest-neighbour: one block per value, so a 7×7 map reads as 49 cells.
        p.setRenderHint(QPainter::SmoothPixmapTransform, !underlay_.isNull());
        p.drawImage(r, images_[i]);
        if (tiles_[i].id == selected_ && selected_ >= 0) {
            p.save();
            p.setPen(QPen(palette().highlight().color(), 3));
            p.setBrush(Qt::NoBrush);
            p.drawRect(r.adjusted(-2, -2, 1, 1));
            p.restore();
        }
        p.drawText(QRect(r.left() - 6, r.bottom() + 1, r.width() + 12, kCaption), Qt::AlignCenter, tiles_[i].caption);
    }
}

void MapStripView::mousePressEvent(QMouseEvent* e)
{
    for (size_t i = 0; i < tiles_.size(); ++i)
        if (tileRect(int(i)).contains(e->position().toPoint())) emit tileClicked(tiles_[i].id);
}

} // namespace attnscope::ui
