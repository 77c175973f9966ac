#pragma once
// CaptionWorkspace: image captioning with visual attention ("Show, Attend and Tell"). The
// model writes a caption for a scene; clicking a word (or Left / Right) shows where it looked
// while writing it — the word's α over the 7×7 grid, upsampled and Gaussian-smoothed over the
// scene with an opacity slider; the strip below holds every word's map (the paper's figure,
// exportable). A caption typed by the user is force-decoded ("where would it look for
// *bag*?"); soft or hard attention; greedy or beam search. On generated test scenes the
// items' boxes are outlined and each item word is marked hit (peak inside its item's box)
// or miss. The attention head can be ablated (zero or uniform), the caption then compared with
// the unablated one. Captions run through the captioning pipeline as latest-wins jobs.
#include "attnscope/caption.h"
#include "workspace.h"

#include <QImage>

class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QSlider;
class QSpinBox;

namespace attnscope {
struct CaptionResult;
}

namespace attnscope::ui {

struct BuiltFigure;

class AblationControl;
class AskBar;
class JobTracker;
class CaptionWordsView;
class MapStripView;
class MessageBanner;
class SpatialOverlayView;
class TestItemPicker;

class CaptionWorkspace : public Workspace {
    Q_OBJECT
    ATTNSCOPE_WORKSPACE_INTERFACE
    QStringList statePathKeys() const override { return {QStringLiteral("input/file")}; }
public:
    explicit CaptionWorkspace(QWidget* parent = nullptr);

    /// Generated test scene `index` (the same scenes as resources/scenes/scene-NNN.png).
    void showTestScene(int index);
    /// Weights file or built-in name of the captioner.
    void setModel(const QString& nameOrPath);
    void setAttentionMode(attnscope::AttentionMode mode);
    void setBeamWidth(int width);
    /// Force-decodes `caption` on the current scene; an empty caption returns to free decoding.
    void forceCaption(const QString& caption);
    void selectWord(int index);
    void setOpacity(double opacity);

    CaptionWordsView* wordsView() const { return words_; }
    SpatialOverlayView* overlayView() const { return overlay_; }
    MapStripView* stripView() const { return strip_; }
    QLabel* infoLabel() const { return info_; }
    /// "Attention as trained / Ablated: zero / Ablated: uniform" (AblationControl::singleHeadChooser).
    QComboBox* ablationChooser() const { return ablate_; }
    int selectedWord() const;
    attnscope::AttentionMode attentionMode() const;
    int beamWidth() const;

signals:
    void resultShown();

private:
    /// The constructor's parts: the scene / model / decoding bar, the scene with its attention and
    /// the caption beside it over the word strip, and the wiring.
    QHBoxLayout* createControls();
    QWidget* createViews();
    void connectViews();

    void request();
    /// `baseline`: the unablated run when the attention head was ablated (its effect is shown).
    void onResult(const CaptionResult& r, double milliseconds, const CaptionResult* baseline = nullptr);
    void showWord(int index);
    /// Index of the gold item the `word`-th caption word names, or −1.
    int itemOfWord(int word) const;

    JobTracker* jobs_;
    int restoredWord_ = -1;  ///< a restored selection, applied when the result arrives
    std::shared_ptr<const attnscope::Scene> gold_;
    QString model_ = QStringLiteral("scene-captioner");
    QString path_;
    int sceneIndex_ = 0;
    QString target_;
    QImage sceneImage_;

    TestItemPicker* picker_;
    QComboBox* mode_;
    AblationControl* ablation_;
    QComboBox* ablate_;
    QSpinBox* beam_;
    QSlider* opacity_;
    AskBar* ask_;
    CaptionWordsView* words_;
    SpatialOverlayView* overlay_;
    MapStripView* strip_;
    QLabel* info_;
    QLabel* wordInfo_;
};

} // namespace attnscope::ui
