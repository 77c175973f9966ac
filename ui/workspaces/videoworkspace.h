#pragma once
// VideoWorkspace: a video, its caption and the word × frame attention, scrubbed in step.
// The frame with a slider, play/pause at the video's frame rate, arrow-key stepping and a
// timeline with thumbnails; under it the heatmap with a playhead on the current frame's
// column (clicking a cell seeks to its frame); selecting a word draws its attention on the
// timeline; the words that drew on the current frame are highlighted. A typed caption is
// force-decoded. Decoding for display runs on its own thread (latest frame wins); the
// whole-video analysis runs in the background with progress and cancel.
#include "workers/enginejobs.h"

#include <QImage>
#include <QThread>
#include <QWidget>

#include <vector>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;
class QTimer;

namespace attnscope::ui {

class AskBar;
class CaptionWordsView;
class MessageBanner;
class TimelineView;
class VideoAnalysis;
class VideoFrameWorker;
class WordFrameView;

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

class VideoWorkspace : public QWidget {
    Q_OBJECT
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
    MessageBanner* banner() const { return banner_; }
    QProgressBar* progressBar() const { return progress_; }
    VideoAnalysis* analysis() const { return analysis_; }
    TracePtr currentTrace() const { return trace_; }
    int frameCount() const { return frames_; }
    QString currentViewName() const { return QStringLiteral("video"); }
    bool exportCurrentView(const QString& path, int dpi, QString* error);

signals:
    void frameShown(int index);
    void resultShown();
    void traceShown();
    void logMessage(const QString& line);
    void errorShown(const QString& message);

private:
    void analyse();
    void requestFrame(int index);
    void showWord(int word);
    void updateActiveWords();

    QThread thread_;
    VideoFrameWorker* worker_;
    VideoAnalysis* analysis_;
    quint64 openGen_ = 0, frameGen_ = 0;
    QString path_, model_ = QStringLiteral("clip-captioner"), target_;
    int frames_ = 0;
    double fps_ = 25;
    TracePtr trace_;
    QVector<QImage> sampled_;

    QSpinBox* clip_;
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
    MessageBanner* banner_;
    QTimer* timer_;
};

} // namespace attnscope::ui
