#pragma once
// StnWorkspace: a Spatial Transformer on distorted Fashion-MNIST — where the ST-CNN looks
// (the frame and sampling grid on the input), what the classifier then sees, θ as a matrix
// and as rotation / scale / shear / translation, the prediction before (θ = identity) and
// after; a manual mode to drag θ by hand, the sampler's kernel, an animation from the
// identity to θ, and distortion sliders to test the network on any image.
#include "workers/imageworker.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QVariantAnimation;

namespace attnscope::ui {

class MessageBanner;
class StnView;

class StnWorkspace : public QWidget {
    Q_OBJECT
public:
    explicit StnWorkspace(ImageWorker* worker, QWidget* parent = nullptr);

    void showTestImage(int index);
    void openImage(const QString& path);
    bool setModel(const QString& name);
    /// Manual mode: θ follows the frame the user drags (starting from the network's θ).
    void setManual(bool manual);
    void setBilinear(bool bilinear);
    /// Re-distorts the current item (rotation degrees, scale, shift in canvas pixels).
    void setDistortion(double rotation, double scale, double dx, double dy);
    void resetTheta();
    void animate();

    StnView* view() const { return view_; }
    TracePtr currentTrace() const { return trace_; }
    TracePtr identityTrace() const { return identity_; }
    const Theta& networkTheta() const { return networkTheta_; }
    QLabel* thetaLabel() const { return thetaText_; }
    MessageBanner* banner() const { return banner_; }
    QString currentViewName() const { return QStringLiteral("stn"); }
    bool exportCurrentView(const QString& path, int dpi, QString* error);

signals:
    void resultShown();
    void traceShown();
    void logMessage(const QString& line);
    void errorShown(const QString& message);

private:
    void request();
    void onResult(const StnResult& r);
    void showTheta(const Theta& t);
    void sliderMoved();

    ImageWorker* worker_;
    quint64 generation_ = 0;
    TracePtr trace_, identity_;
    Theta networkTheta_ = kIdentityTheta;
    Theta animTarget_ = kIdentityTheta;  ///< where Animate ends
    QString path_;
    int testIndex_ = 0;
    bool userDistortion_ = false;
    bool updatingSliders_ = false;

    QComboBox* model_;
    QSpinBox* index_;
    QSpinBox* gridLines_;
    QCheckBox* bilinear_;
    QCheckBox* manual_;
    QSlider* rotation_;
    QSlider* scale_;
    QSlider* dx_;
    QSlider* dy_;
    QLabel* distortionText_;
    StnView* view_;
    QLabel* thetaText_;
    QLabel* partsText_;
    QLabel* predictionText_;
    QLabel* sourceText_;
    MessageBanner* banner_;
    QVariantAnimation* animation_;
};

} // namespace attnscope::ui
