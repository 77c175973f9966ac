#pragma once
// Video on its own threads: VideoFrameWorker decodes frames for display (latest request
// wins, so scrubbing never queues up) and a thumbnail strip after opening; VideoAnalysis
// samples the video and runs the clip captioner as a BackgroundJob (progress, cancel).
#include "attnscope/video.h"
#include "workers/backgroundjob.h"
#include "workers/enginejobs.h"

#include <QImage>
#include <QObject>
#include <QVector>

#include <atomic>

namespace attnscope::ui {

class VideoFrameWorker : public QObject {
    Q_OBJECT
public:
    VideoFrameWorker();
    /// Called from the GUI thread before posting a frame request.
    void supersede(quint64 generation) { latestFrame_.store(generation); }

public slots:
    /// Opens the file; emits opened() or failed(), then up to `thumbnails` thumbnails.
    void open(const QString& path, quint64 generation, int thumbnails);
    void frame(int index, quint64 generation);

signals:
    void opened(quint64 generation, const attnscope::VideoInfo& info);
    void failed(quint64 generation, const QString& message);
    void frameReady(quint64 generation, int index, const QImage& image);
    void thumbnail(quint64 generation, int index, const QImage& image);
    void log(const QString& line);

private:
    VideoReader reader_;
    quint64 openGeneration_ = 0;
    std::atomic<quint64> latestFrame_{0};
};

/// Sampled frames + clip captioner over a whole video.
class VideoAnalysis : public BackgroundJob {
    Q_OBJECT
public:
    explicit VideoAnalysis(QObject* parent = nullptr) : BackgroundJob(parent) {}
    ~VideoAnalysis() override { stop(); }
    void start(const QString& model, const QString& path, const QString& target, int beamWidth);

signals:
    /// `frames`: what the model read (one 64×64 grey image per sampled frame).
    void finished(const attnscope::ui::TracePtr& trace, const QVector<QImage>& frames);
    void failed(const QString& message);
};

} // namespace attnscope::ui

Q_DECLARE_METATYPE(attnscope::VideoInfo)
