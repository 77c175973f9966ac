#pragma once
// VisionWorkspace: a picture through a vision model the user brings — an ONNX graph run with
// ATen (attention found in the graph), a TorchScript image model, or PaddleOCR PP-OCRv4 (the
// text recogniser and detector install-deps caches). The picture with a map over it: click a
// patch (a strip of a text line) to see where it looks, or the attention each patch receives,
// the CLS token's attention, rollout, or the model's own map (a detector's text probability);
// the recogniser's text (CTC); the layer × head matrix and head grid labelled by patch; the SE
// gates as channel attention (bars per channel, feature maps); heads ablated with Alt+click in
// the grid, the text compared with the unablated run's. Runs are latest-wins jobs.
#include "workspace.h"
#include "workspaces/vision/visionmaps.h"

#include <QImage>

class QComboBox;
class QHBoxLayout;
class QLabel;
class QProgressBar;
class QPushButton;
class QSlider;
class QTabWidget;

namespace attnscope::ui {

class AblationControl;
class AlignmentMatrixView;
class ChannelBarView;
class HeadGridView;
class JobTracker;
class MapStripView;
class SpatialOverlayView;

class VisionWorkspace : public Workspace {
    Q_OBJECT
    ATTNSCOPE_WORKSPACE_INTERFACE
    QStringList statePathKeys() const override { return {QStringLiteral("file")}; }
public:
    explicit VisionWorkspace(QWidget* parent = nullptr);

    void reloadModels() override;
    QString currentViewName() const override;

    /// A model: MODEL.onnx, a TorchScript image model, ppocr-rec or ppocr-det. False (with a
    /// message in the banner) when it is not one the picker lists.
    bool setModel(const QString& nameOrPath);
    QString model() const;
    /// What the picture shows: patch, received, cls, rollout, map:NAME, none.
    void setMode(const QString& mode);
    QString mode() const;
    void setLayer(int layer);  ///< 0-based; −1 = last
    void setHead(int head);    ///< 0-based; −1 = mean
    /// The patch (token index) whose attention the patch mode shows.
    void selectPatch(int token);
    int selectedPatch() const { return query_; }
    /// Opens the attention chooser of the current (ONNX) model.
    void chooseAttention();

    SpatialOverlayView* overlayView() const { return overlay_; }
    AlignmentMatrixView* matrixView() const { return matrix_; }
    HeadGridView* headGrid() const { return heads_; }
    ChannelBarView* channelBars() const { return bars_; }
    QLabel* textLabel() const { return text_; }
    QComboBox* modelBox() const { return model_; }
    QComboBox* modeBox() const { return mode_; }
    QTabWidget* tabs() const { return tabs_; }
    JobTracker* jobs() const { return jobs_; }
    /// The heads ablated (Alt+click in the Heads tab): each run reads the picture unablated and
    /// ablated, and the text line says what changed (ONNX models).
    AblationControl* ablation() const { return ablation_; }

    /// The demo picture: a line of text rendered with QPainter (for the recogniser).
    static QString demoLine();

signals:
    void resultShown();

private:
    /// The constructor's parts: the model / picture / attention bar, the picture with its maps over
    /// the matrix, heads and gates tabs, what the controls do, what the views do.
    QHBoxLayout* createControls();
    QWidget* createViews();
    void connectControls();
    void connectViews();

    void request();
    void onResult(const std::shared_ptr<AttentionTrace>& trace, double milliseconds);
    void refreshModes();
    void refreshMap();
    void refreshMatrix();
    void refreshGates();
    /// The view the controls describe (mode, layer, head, patch, opacity).
    VisionView currentView() const;

    JobTracker* jobs_;
    AblationControl* ablation_;
    QString path_;
    int query_ = 0;
    QString restoredMode_;
    int restoredLayer_ = -1, restoredHead_ = -1;  ///< restored view, applied when the result arrives
    QImage picture_;

    QComboBox* model_;
    QPushButton* attention_;
    QComboBox* mode_;
    QComboBox* layer_;
    QComboBox* head_;
    QComboBox* lens_;  ///< raw attention or its norm lens
    QSlider* opacity_;
    QProgressBar* progress_;
    QPushButton* cancel_;
    QLabel* text_;
    QLabel* info_;
    SpatialOverlayView* overlay_;
    QTabWidget* tabs_;
    AlignmentMatrixView* matrix_;
    HeadGridView* heads_;
    QComboBox* gate_;
    ChannelBarView* bars_;
    MapStripView* features_;
};

} // namespace attnscope::ui
