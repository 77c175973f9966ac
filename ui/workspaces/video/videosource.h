#pragma once
// VideoSource: the video workspace's frames for display, read through the one job mechanism.
// open() is a background job: it checks the file, sends the thumbnails, then decodes the
// whole video once ahead into the reader's display cache so later scrubbing is a JPEG decode.
// requestFrame() is an interactive, latest-wins job, so a fast scrub never queues up. Both
// share one VideoReader under a mutex; the decode-ahead pass steps aside whenever a frame
// request is waiting.
#include "attnscope/video.h"

#include <QImage>
#include <QObject>

#include <memory>

namespace attnscope::ui {

class JobTracker;

class VideoSource : public QObject {
    Q_OBJECT
public:
    explicit VideoSource(QObject* parent = nullptr);
    ~VideoSource() override;
    /// Opens `path` (replacing the video before); opened() or failed() follows, then up to
    /// `thumbnails` thumbnails, then the decode-ahead pass in the background.
    void open(const QString& path, int thumbnails);
    /// Frame `index` for the screen; frameReady() follows unless a newer request came first.
    void requestFrame(int index);
    /// True while the open / thumbnail / decode-ahead job runs.
    bool busy() const;

    struct Shared;

signals:
    void opened(const attnscope::VideoInfo& info);
    void failed(const QString& message);
    void frameReady(int index, const QImage& image);
    void thumbnail(int index, const QImage& image);
    void log(const QString& line);

private:
    std::shared_ptr<Shared> shared_;
    JobTracker* openJobs_;
    JobTracker* frameJobs_;
};

} // namespace attnscope::ui
