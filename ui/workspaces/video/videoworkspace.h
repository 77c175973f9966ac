#pragma once
// VideoWorkspace: a video, its caption and the word × frame attention, scrubbed in step.
// The frame with a slider, play/pause at the video's frame rate, arrow-key stepping and a
// timeline with thumbnails; under it the heatmap with a playhead on the current frame's
// column (clicking a cell seeks to its frame); selecting a word draws its attention on the
// timeline; the words that drew on the current frame are highlighted. A typed caption is
// force-decoded. Frames for display come from a VideoSource (latest frame wins); the
// whole-video analysis runs through the video pipeline as a background job with progress and
// cancel.
#include "attnscope/video.h"
#include "workspace.h"

#include <QImage>
#include <QVector>

#include <vector>

class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;
class QTimer;

namespace attnscope::ui {

class AblationControl;
class AskBar;
class CaptionWordsView;
class JobTracker;
class MessageBanner;
class TestItemPicker;
class TimelineView;
class VideoSource;
class WordFrameView;
struct BuiltFigure;

/// The frame on screen, scaled to fit with its aspect ratio.
class FrameView : public QWidget {
    Q_OBJECT
public:
    explicit FrameView(QWidget* parent = nullptr);
    void setFrame(const QImage& image, int index);
    int frameIndex() const { return index_; }
    const QImage& image() const { return image_; }
    QSize sizeHint() const override { return {480, 320}; }

signals:
    void step(int delta);  ///< Left / Right arrows

protected:
    void paintEvent(QPaintEvent*) override;
    void keyPressEvent(QKeyEvent* e) override;

private:
    QImage image_;
    int index_ = -1;
};

class VideoWorkspace : public Workspace {
    Q_OBJECT
    ATTNSCOPE_WORKSPACE_INTERFACE
    QStringList statePathKeys() const override { return {QStringLiteral("file")}; }
public:
    explicit VideoWorkspace(QWidget* parent = nullptr);
    ~VideoWorkspace() override;

    void openVideo(const QString& path);
    /// One of the shipped test clips (resources/clips/clip-NNN.avi).
    void openTestClip(int index);
    void setModel(const QString& nameOrPath);
    void forceCaption(const QString& caption);
    /// Moves the playhead (and the slider) to `frame`.
    void seek(int frame);
    void setPlaying(bool playing);
    void selectWord(int word);

    QSlider* slider() const { return slider_; }
    FrameView* frameView() const { return frame_; }
    WordFrameView* heatmap() const { return heat_; }
    TimelineView* timeline() const { return timeline_; }
    CaptionWordsView* wordsView() const { return words_; }
    QProgressBar* progressBar() const { return progress_; }
    /// "Attention as trained / Ablated: zero / Ablated: uniform" (AblationControl::singleHeadChooser).
    QComboBox* ablationChooser() const { return ablate_; }
    /// The ablated caption against the unablated one (hidden when nothing is ablated).
    QLabel* ablationLabel() const { return effect_; }
    JobTracker* analysis() const { return analysis_; }
    int frameCount() const { return frames_; }
    QString path() const { return path_; }

signals:
    void frameShown(int index);
    void resultShown();

private:
    /// The constructor's parts: the open / test-clip / progress bar, the frame with its transport,
    /// timeline and word × frame heatmap, what the controls do, what the video source reports.
    QHBoxLayout* createControls();
    QWidget* createViews();
    void connectControls();
    void connectSource();
    void analyse();
    void onAnalysed(const TracePtr& trace, const QVector<QImage>& frames);
    void requestFrame(int index);
    void showWord(int word);
    void updateActiveWords();

    VideoSource* source_;
    JobTracker* analysis_;
    int restoredFrame_ = -1, restoredWord_ = -1;  ///< a restored position, applied when ready
    QString path_, model_ = QStringLiteral("clip-captioner"), target_;
    int frames_ = 0;
    double fps_ = 25;
    QVector<QImage> sampled_;

    TestItemPicker* picker_;
    AblationControl* ablation_;
    QComboBox* ablate_;
    QLabel* effect_;
    AskBar* ask_;
    QPushButton* play_;
    QPushButton* cancel_;
    QSlider* slider_;
    QLabel* position_;
    QLabel* info_;
    QProgressBar* progress_;
    FrameView* frame_;
    TimelineView* timeline_;
    WordFrameView* heat_;
    CaptionWordsView* words_;
    QTimer* timer_;
};

} // namespace attnscope::ui
