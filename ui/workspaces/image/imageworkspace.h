#pragma once
// ImageWorkspace: an image (a file or a Fashion-MNIST test image) through a CNN with SE,
// ECA or CBAM blocks — the prediction, the exact input tensor, and per block the excitation
// of every channel (bar chart, feature maps of the most and least excited channels), the
// class profiles over the test set, a second image side by side, and CBAM's spatial map.
// Classifications run through the image pipeline as latest-wins jobs (A and B each their own);
// class profiles as a background job with progress and cancel.
#include "attnscope/imagemodel.h"
#include "workspace.h"

#include <map>
#include <optional>

class QComboBox;
class QCheckBox;
class QHBoxLayout;
class QLabel;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;
class QTabWidget;

namespace attnscope {
struct ImageResult;
}

namespace attnscope::ui {

class ChannelBarView;
class ClassProfileView;
class ImageComparePanel;
class JobTracker;
class MapStripView;
class MessageBanner;
class ProbabilityView;
class SpatialOverlayView;
class TestItemPicker;

using PreparedImagePtr = std::shared_ptr<const PreparedImage>;

class ImageWorkspace : public Workspace {
    Q_OBJECT
    ATTNSCOPE_WORKSPACE_INTERFACE
    QStringList statePathKeys() const override { return {QStringLiteral("image/file"), QStringLiteral("image_b/file")}; }
public:
    explicit ImageWorkspace(QWidget* parent = nullptr);
    ~ImageWorkspace() override;

    QString currentViewName() const override;

    /// Classifies an image file (A). Errors show in the banner; the previous result stays.
    /// Classifies Fashion-MNIST test image `index` (A).
    void showTestImage(int index);
    /// The comparison image B (Compare tab): a file, or a test image.
    void openImageB(const QString& path);
    void showTestImageB(int index);
    bool setModel(const QString& name);
    QString model() const;
    void setBlock(int block);  ///< 0-based
    int block() const;

    PreparedImagePtr currentImage() const { return image_; }

    ChannelBarView* channelBars() const { return bars_; }
    MapStripView* featureMap() const { return featureMap_; }
    MapStripView* mostExcited() const { return topStrip_; }
    MapStripView* inputView() const { return inputView_; }
    ProbabilityView* probabilities() const { return probs_; }
    ClassProfileView* profiles() const { return profileView_; }
    SpatialOverlayView* spatialView() const { return spatial_; }
    QSlider* opacitySlider() const { return opacity_; }
    ImageComparePanel* comparePanel() const { return compare_; }
    QTabWidget* tabs() const { return tabs_; }
    JobTracker* profileJobs() const { return profileJobs_; }

signals:
    /// A new result is on screen (slot 0 = A, 1 = B).
    void imageShown(int slot);
    /// The class profiles of a model arrived (and are drawn when that model is shown).
    void profilesShown(const QString& model);

private:
    /// The constructor's parts: the model / image / block bar, the input and prediction beside
    /// the tabs (buildChannelsTab …, imageworkspacetabs.cpp), and the wiring.
    QHBoxLayout* createControls();
    QWidget* createViews();
    void connectViews();

    void request(int slot, const QString& path, int testIndex);
    void onClassified(int slot, const ImageResult& r, double milliseconds);
    void onFailed(int slot, const QString& message);
    void refreshBlock();
    void refreshSpatial();
    void showChannel(int channel);
    void startProfiles();
    void refreshProfiles();
    QWidget* buildChannelsTab();
    QWidget* buildProfilesTab();
    QWidget* buildSpatialTab();

    JobTracker* jobs_[2];  ///< A and B: latest wins per image
    JobTracker* profileJobs_;
    /// Per slot (A, B): the input of the newest request and of the result on screen — a file
    /// path, or a test index when the path is empty — so a model change classifies what is
    /// shown again.
    std::pair<QString, int> pendingSource_[2];
    std::optional<std::pair<QString, int>> shownSource_[2];
    TracePtr traceB_;
    PreparedImagePtr image_, imageB_;
    std::map<QString, TracePtr> profileCache_;
    QString profileModel_;

    QComboBox* model_;
    QComboBox* block_;
    QCheckBox* sort_;
    TestItemPicker* picker_;
    QLabel* source_;
    QLabel* preview_;
    MapStripView* inputView_;
    QLabel* inputInfo_;
    ProbabilityView* probs_;
    QLabel* prediction_;
    QTabWidget* tabs_;
    ChannelBarView* bars_;
    MapStripView* featureMap_;
    MapStripView* topStrip_;
    MapStripView* bottomStrip_;
    ClassProfileView* profileView_;
    QProgressBar* profileProgress_;
    QPushButton* profileCancel_;
    int restoredBlock_ = -1;  ///< a restored block, applied when the first result arrives
    QLabel* profileStatus_;
    SpatialOverlayView* spatial_;
    QSlider* opacity_;
    QLabel* spatialNote_;
    ImageComparePanel* compare_;
};

} // namespace attnscope::ui
