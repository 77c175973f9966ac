#pragma once
// StnView: a Spatial Transformer's warp made visible — the input with the output frame θ
// maps onto it (the transformed unit square) and the sampling grid lines, and beside it the
// warped output at the classifier's resolution, enlarged. In manual mode the frame's corners,
// centre and rotation handle can be dragged to set θ; the output follows live (the sampler
// runs in plain C++ on the GUI thread: 28×28 bilinear samples take microseconds).
#include "attnscope/stn.h"

#include <QWidget>

namespace attnscope::ui {

class StnView : public QWidget {
    Q_OBJECT
public:
    explicit StnView(QWidget* parent = nullptr);
    void setInput(const GreyImage& canvas);
    void setTheta(const Theta& theta);
    void setGridLines(int lines);      ///< sampling-grid lines per direction (0 = none)
    void setBilinear(bool bilinear);   ///< sampler kernel: bilinear (differentiable) or nearest
    void setEditable(bool editable);   ///< manual mode: handles shown and draggable
    void setCaptions(const QString& input, const QString& output);
    /// Draws the input and the warped output through a colour map (viridis, …); empty = grey.
    void setColorMap(const QString& name);
    QString colorMap() const { return colorMap_; }
    /// The input as drawn (grey or through the colour map), for tests.
    const QImage& inputImage() const { return inputImage_; }

    const Theta& theta() const { return theta_; }
    const GreyImage& warped() const { return warped_; }
    bool editable() const { return editable_; }
    /// Widget positions of the frame's corners (output TL, TR, BR, BL), its centre and the
    /// rotation handle — for tests and tooltips.
    QPointF cornerPos(int k) const;
    QPointF centrePos() const;
    QPointF rotationHandlePos() const;

    QSize sizeHint() const override { return {720, 380}; }

signals:
    /// The user dragged the frame (manual mode) to this θ.
    void thetaEdited(const attnscope::Theta& theta);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void resizeEvent(QResizeEvent*) override { update(); }

private:
    QRectF inputRect() const;
    QRectF outputRect() const;
    QPointF toWidget(double xs, double ys) const;   ///< input normalised → widget
    void toNormalised(const QPointF& p, double& xs, double& ys) const;
    QPointF mapOut(double xt, double yt) const;     ///< output normalised → widget, through θ
    void resample();

    GreyImage input_, warped_;
    QImage inputImage_;
    Theta theta_ = kIdentityTheta;
    int gridLines_ = 8, outSide_ = 28;
    bool bilinear_ = true, editable_ = false;
    QString inputCaption_, outputCaption_;
    QString colorMap_;
    enum class Drag { None, Corner, Centre, Rotate } drag_ = Drag::None;
    int dragCorner_ = -1;
    Theta dragStart_ = kIdentityTheta;
    QPointF dragFrom_;
};

} // namespace attnscope::ui
