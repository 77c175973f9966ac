#pragma once
// MapStripView: a row (or grid) of small 2-D maps — feature maps of channels, the input
// tensor, attention maps — each drawn as a cached QImage scaled with nearest-neighbour
// sampling (one cell per value), or smoothly over an underlay image, with a caption under it.
#include <QImage>
#include <QWidget>

#include <vector>

namespace attnscope::ui {

struct MapTile {
    std::vector<float> values;  ///< rows × cols, row-major
    int rows = 0, cols = 0;
    QString caption;
    int id = -1;                ///< e.g. the channel index; reported by tileClicked
};

class MapStripView : public QWidget {
    Q_OBJECT
public:
    explicit MapStripView(QWidget* parent = nullptr);
    /// Each tile is coloured from its own minimum (dark) to maximum (bright), unless a fixed
    /// range is set.
    void setTiles(std::vector<MapTile> tiles);
    void setFixedRange(float lo, float hi);
    void setGrey(bool grey);  ///< grey ramp instead of the colour map (inputs, feature maps)
    void setColorMap(const QString& name);
    QString colorMap() const { return colorMap_; }
    /// Tiles per row (0 = one row).
    void setColumns(int columns);
    /// Draws every tile over `image` (e.g. the scene under each word's attention map, as in
    /// Xu et al.'s figures): the map upsampled, filtered with σ = `sigmaCells`, coloured and
    /// blended at `opacity`. A null image returns to plain maps.
    void setUnderlay(const QImage& image, double opacity = 0.6, double sigmaCells = 0.5);
    /// Frames the tile with this id (−1 = none).
    void setSelected(int id);
    int selected() const { return selected_; }
    int tileCount() const { return int(tiles_.size()); }
    const MapTile& tile(int i) const { return tiles_[size_t(i)]; }
    QRect tileRect(int i) const;

    QSize sizeHint() const override;

signals:
    void tileClicked(int id);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* e) override;

private:
    void rebuild();

    std::vector<MapTile> tiles_;
    std::vector<QImage> images_;
    bool fixed_ = false, grey_ = true;
    float lo_ = 0, hi_ = 1;
    int columns_ = 0;
    QImage underlay_;
    double underlayOpacity_ = 0.6, sigma_ = 0.5;
    int selected_ = -1;
    QString colorMap_ = "viridis";
};

} // namespace attnscope::ui
