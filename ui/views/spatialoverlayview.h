#pragma once
// SpatialOverlayView: an attention map over an image — the map (e.g. CBAM's spatial
// attention M_s, 28×28 / 14×14 / 7×7) upsampled bilinearly to the image, coloured with the
// colour map and blended at an adjustable opacity, with a colour bar of the map's values.
#include <QImage>
#include <QWidget>

#include <vector>

namespace attnscope::ui {

class SpatialOverlayView : public QWidget {
    Q_OBJECT
public:
    explicit SpatialOverlayView(QWidget* parent = nullptr);
    void setImage(const QImage& image);
    /// rows × cols values; coloured from their minimum to maximum (the colour bar says which).
    void setMap(const std::vector<float>& values, int rows, int cols);
    void clearMap();
    void setOpacity(double opacity);  ///< 0 = image only, 1 = map only
    double opacity() const { return opacity_; }
    void setColorMap(const QString& name);
    void setTitle(const QString& title);
    bool hasMap() const { return !values_.empty(); }
    /// The coloured, upsampled map as drawn (before blending), for tests.
    const QImage& overlay() const { return overlay_; }
    /// Map value under a widget position (NaN outside the image).
    double valueAt(const QPoint& pos) const;

    QSize sizeHint() const override { return {360, 320}; }

protected:
    void paintEvent(QPaintEvent*) override;
    void mouseMoveEvent(QMouseEvent* e) override;

private:
    QRect imageRect() const;
    void rebuild();

    QImage image_, overlay_;
    std::vector<float> values_;
    int rows_ = 0, cols_ = 0;
    float lo_ = 0, hi_ = 1;
    double opacity_ = 0.6;
    QString colorMap_ = "viridis";
    QString title_;
};

} // namespace attnscope::ui
