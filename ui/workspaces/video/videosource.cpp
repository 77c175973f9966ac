#include "workspaces/video/videosource.h"

#include "jobs/jobtracker.h"


#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace attnscope::ui {

/// One open video: its reader and who is waiting for it.
struct VideoSource::Shared {
    std::mutex mutex;
    VideoReader reader;
    std::atomic<int> waiting{0};  ///< frame requests waiting for the reader
    std::condition_variable served;  ///< a waiting frame request got the reader
};

namespace {
QImage toImage(const VideoFrame& f)
{
    return QImage(f.rgb.data(), f.width, f.height, f.width * 3, QImage::Format_RGB888).copy();
}
} // namespace

VideoSource::VideoSource(QObject* parent) : QObject(parent)
{
    openJobs_ = new JobTracker(this, JobLane::Background);
    frameJobs_ = new JobTracker(this);
}

VideoSource::~VideoSource() = default;

bool VideoSource::busy() const { return openJobs_->running(); }

void VideoSource::open(const QString& path, int thumbnails)
{
    shared_ = std::make_shared<Shared>();
    frameJobs_->cancel();
    struct Out {
        QString log;
    };
    openJobs_->start(
        [shared = shared_, path, thumbnails, this](const JobContext& job) {
            Out out;
            // Memory stays bounded for any length of video: 128 MB of exact frames + 384 MB of
            // JPEG-compressed display frames (≈ 4,000 frames at 768×576).
            VideoInfo info;
            {
                std::lock_guard<std::mutex> lock(shared->mutex);
                if (auto st = shared->reader.open(path.toStdString(), size_t(128) << 20); !st) {
                    job.post([this, m = QString::fromStdString(st.message)] { emit failed(m); });
                    return out;
                }
                shared->reader.setDisplayCache(size_t(384) << 20);
                info = shared->reader.info();
            }
            job.post([this, info] { emit opened(info); });
            // Reads a few frames at a time; a waiting frame request goes first.
            // (Waits on a condition, woken when a frame request is served; rechecks cancellation.)
            const auto withReader = [&](const std::function<void(VideoReader&)>& f) {
                std::unique_lock<std::mutex> lock(shared->mutex);
                while (shared->waiting.load() > 0 && !job.cancelled())
                    shared->served.wait_for(lock, std::chrono::milliseconds(20));
                f(shared->reader);
            };
            const int frames = info.frameCount;
            for (int i : sampleFrameIndices(frames, std::min(thumbnails, frames))) {
                if (job.cancelled()) return out;
                VideoFrame f;
                bool ok = false;
                withReader([&](VideoReader& r) { ok = bool(r.frame(i, f)); });
                if (!ok) continue;
                const QImage img = toImage(f).scaledToHeight(72, Qt::SmoothTransformation);
                job.post([this, i, img] { emit thumbnail(i, img); });
            }
            // Decode-ahead: one pass fills the display cache; later scrubs are a JPEG decode, not a seek.
            for (int i = 0; i < frames; i += 4) {
                if (job.cancelled()) return out;
                withReader([&](VideoReader& r) { r.prefetch(i, 4); });
            }
            size_t bytes = 0;
            withReader([&](VideoReader& r) { bytes = r.displayCacheBytes(); });
            out.log = tr("Decoded %1 frames ahead; %2 MB in the display cache").arg(frames).arg(double(bytes) / (1 << 20), 0, 'f', 1);
            return out;
        },
        [this](Out out) {
            if (!out.log.isEmpty()) emit log(out.log);
        });
}

void VideoSource::requestFrame(int index)
{
    if (!shared_) return;
    struct Out {
        Status status;
        QImage image;
        int index = 0;
    };
    frameJobs_->start(
        [shared = shared_, index](const JobContext& job) {
            Out out;
            out.index = index;
            ++shared->waiting;
            std::lock_guard<std::mutex> lock(shared->mutex);
            --shared->waiting;
            shared->served.notify_all();
            if (job.cancelled()) return out;  // a newer frame was asked for meanwhile
            if (!shared->reader.isOpen()) {
                out.status = Status::error("cancelled");
                return out;
            }
            VideoFrame f;
            out.status = shared->reader.displayFrame(index, f);
            if (out.status) out.image = toImage(f);
            return out;
        },
        [this](Out out) {
            if (!out.status) {
                if (out.status.message != "cancelled") emit failed(QString::fromStdString(out.status.message));
                return;
            }
            if (!out.image.isNull()) emit frameReady(out.index, out.image);
        });
}

} // namespace attnscope::ui
