#pragma once
// StnWorkspace: a Spatial Transformer on distorted Fashion-MNIST — where the ST-CNN looks
// (the frame and sampling grid on the input), what the classifier then sees, θ as a matrix
// and as rotation / scale / shear / translation, the prediction before (θ = identity) and
// after; a manual mode to drag θ by hand, the sampler's kernel, an animation from the
// identity to θ, and distortion sliders to test the network on any image.
// Requests run through the spatial-transformer pipeline as latest-wins jobs.
#include "attnscope/stn.h"
#include "workspace.h"

class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QVariantAnimation;

namespace attnscope {
struct StnResult;
}

namespace attnscope::ui {

struct BuiltFigure;

class JobTracker;
class MessageBanner;
class StnView;
class TestItemPicker;

class StnWorkspace : public Workspace {
    Q_OBJECT
    ATTNSCOPE_WORKSPACE_INTERFACE
    QStringList statePathKeys() const override { return {QStringLiteral("input/file")}; }
public:
    explicit StnWorkspace(QWidget* parent = nullptr);

    void showTestImage(int index);
    bool setModel(const QString& name);
    /// Manual mode: θ follows the frame the user drags (starting from the network's θ).
    void setManual(bool manual);
    void setBilinear(bool bilinear);
    /// Re-distorts the current item (rotation degrees, scale, shift in canvas pixels).
    void setDistortion(double rotation, double scale, double dx, double dy);
    void resetTheta();
    void animate();

    StnView* view() const { return view_; }
    bool manual() const;
    TracePtr identityTrace() const { return identity_; }
    const Theta& networkTheta() const { return networkTheta_; }
    QLabel* thetaLabel() const { return thetaText_; }

signals:
    void resultShown();

private:
    /// The constructor's parts: the model/test-item/θ controls, the distortion sliders, the view
    /// with θ and the prediction beside it, the identity → θ animation, and the wiring.
    QHBoxLayout* createControls();
    QHBoxLayout* createDistortionBar();
    QHBoxLayout* createBody();
    void createAnimation();
    void connectViews();
    QPushButton* randomDistortion_ = nullptr;

    void request();
    void onResult(const StnResult& r);
    void showTheta(const Theta& t);
    void sliderMoved();

    JobTracker* jobs_;
    TracePtr identity_;
    std::shared_ptr<const GreyImage> canvas_;
    Theta networkTheta_ = kIdentityTheta;
    Theta animTarget_ = kIdentityTheta;  ///< where Animate ends
    QString path_;
    int testIndex_ = 0;
    QString shownPath_;   ///< the input of the request on its way / on screen (for the picker)
    int shownIndex_ = 0;
    bool userDistortion_ = false;
    bool updatingSliders_ = false;

    QComboBox* model_;
    TestItemPicker* picker_;
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
    QVariantAnimation* animation_;
};

} // namespace attnscope::ui
