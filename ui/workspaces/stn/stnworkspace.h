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

class StnWorkspace : public Workspace {
    Q_OBJECT
public:
    explicit StnWorkspace(QWidget* parent = nullptr);

    // Workspace
    QString id() const override { return QStringLiteral("stn"); }
    QString title() const override;
    QString description() const override;
    QList<FileType> fileTypes() const override;
    void showDefault() override { showTestImage(0); }
    bool hasInput() const override;
    bool openFile(const QString& path) override;
    TracePtr currentTrace() const override { return trace_; }
    QString currentViewName() const override { return QStringLiteral("stn"); }
    QImage renderCurrentView(int dpi, QString* error) override;
    bool exportCurrentView(const QString& path, int dpi, QString* error) override;
    bool exportData(const QString& path, QString* error) override;
    QString dataFileName() const override { return QStringLiteral("theta.csv"); }
    QString dataDescription() const override;
    void setColorMap(const QString& name) override;
    WorkspaceSection saveState() const override;
    bool restoreState(const WorkspaceSection& section, QString* error) override;
    QList<ShortcutInfo> viewKeys() const override;

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
    bool manual() const;
    TracePtr identityTrace() const { return identity_; }
    const Theta& networkTheta() const { return networkTheta_; }
    QLabel* thetaLabel() const { return thetaText_; }
    MessageBanner* banner() const { return banner_; }

signals:
    void resultShown();

private:
    void request();
    void onResult(const StnResult& r);
    BuiltFigure figure() const;
    void showTheta(const Theta& t);
    void sliderMoved();

    JobTracker* jobs_;
    TracePtr trace_, identity_;
    std::shared_ptr<const GreyImage> canvas_;
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
