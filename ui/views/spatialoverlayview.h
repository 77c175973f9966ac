#pragma once
// SpatialOverlayView: an attention map over an image — the map (e.g. CBAM's spatial
// attention M_s, 28×28 / 14×14 / 7×7; a captioner's α over a 7×7 grid) upsampled bilinearly
// to the image (optionally Gaussian-filtered), coloured with the colour map and blended at an
// adjustable opacity, with a colour bar of the map's values and optional box outlines.
#include <QImage>
#include <QRect>
#include <QVector>
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
    QString colorMap() const { return colorMap_; }
    void setTitle(const QString& title);
    /// Gaussian filter after upsampling, σ in map cells (0 = bilinear only).
    void setSmoothing(double sigmaCells);
    /// What the values are, for the hover tooltip (default "spatial attention").
    void setValueName(const QString& name) { valueName_ = name; }
    /// Outlines drawn over the image (image pixel coordinates), e.g. the items' boxes; the
    /// `highlighted` one (−1 = none) drawn solid, the others dashed.
    void setBoxes(const QVector<QRect>& boxes, int highlighted = -1);
    bool hasMap() const { return !values_.empty(); }
    /// The coloured, upsampled map as drawn (before blending), for tests.
    const QImage& overlay() const { return overlay_; }
    /// Map value under a widget position (NaN outside the image).
    double valueAt(const QPoint& pos) const;

    QSize sizeHint() const override { return {360, 320}; }

signals:
    /// A left click on the image, as fractions 0–1 of its width and height.
    void imageClicked(double fx, double fy);

protected:
    void mousePressEvent(QMouseEvent* e) override;
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
    QString valueName_;
    double smoothing_ = 0;
    QVector<QRect> boxes_;
    int highlighted_ = -1;
};

} // namespace attnscope::ui
