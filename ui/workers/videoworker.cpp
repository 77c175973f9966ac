#include "workers/videoworker.h"

#include "videofigure.h"

#include <QCoreApplication>

namespace attnscope::ui {

namespace {
QImage toImage(const VideoFrame& f)
{
    return QImage(f.rgb.data(), f.width, f.height, f.width * 3, QImage::Format_RGB888).copy();
}
} // namespace

VideoFrameWorker::VideoFrameWorker() { qRegisterMetaType<VideoInfo>(); }

void VideoFrameWorker::open(const QString& path, quint64 generation, int thumbnails)
{
    openGeneration_ = generation;
    // Memory stays bounded for any length of video: 128 MB of exact frames + 384 MB of
    // JPEG-compressed display frames (≈ 4,000 frames at 768×576).
    if (auto st = reader_.open(path.toStdString(), size_t(128) << 20); !st) {
        emit failed(generation, QString::fromStdString(st.message));
        return;
    }
    reader_.setDisplayCache(size_t(384) << 20);
    emit opened(generation, reader_.info());
    // Thumbnails, letting frame requests (scrubbing) in between.
    const int frames = reader_.info().frameCount;
    const std::vector<int> idx = sampleFrameIndices(frames, std::min(thumbnails, frames));
    for (int i : idx) {
        QCoreApplication::processEvents();
        if (openGeneration_ != generation) return;  // another file was opened meanwhile
        VideoFrame f;
        if (!reader_.frame(i, f)) continue;
        const QImage img = toImage(f).scaledToHeight(72, Qt::SmoothTransformation);
        emit thumbnail(generation, i, img);
    }
    // Decode-ahead: one pass over the video fills the display cache, a few frames at a time so
    // scrub requests are served in between; later scrubs are a JPEG decode, not a seek.
    for (int i = 0; i < frames; i += 4) {
        QCoreApplication::processEvents();
        if (openGeneration_ != generation) return;
        reader_.prefetch(i, 4);
    }
    emit log(tr("Decoded %1 frames ahead; %2 MB in the display cache").arg(frames).arg(double(reader_.displayCacheBytes()) / (1 << 20), 0, 'f', 1));
}

void VideoFrameWorker::frame(int index, quint64 generation)
{
    if (generation < latestFrame_.load() || !reader_.isOpen()) return;  // superseded while queued
    VideoFrame f;
    if (auto st = reader_.displayFrame(index, f); !st) {
        emit failed(generation, QString::fromStdString(st.message));
        return;
    }
    emit frameReady(generation, index, toImage(f));
}

void VideoAnalysis::start(const QString& model, const QString& path, const QString& target, int beamWidth)
{
    launch(QStringLiteral("video analysis"), [this, model, path, target, beamWidth](const std::function<bool()>& live, const ProgressFn& progress) {
        ClipCaptioner m;
        VideoReader reader;
        ClipInput input;
        auto trace = std::make_shared<AttentionTrace>();
        Status st = m.load(model.toStdString());
        if (st) st = reader.open(path.toStdString(), size_t(32) << 20);
        if (st) st = videoInput(reader, input, progress);
        CaptionOptions o;
        o.target = target.toStdString();
        o.beamWidth = beamWidth;
        if (st) st = m.caption(input, o, *trace);
        if (!live()) return;
        if (!st) {
            emit failed(QString::fromStdString(st.message));
            return;
        }
        trace->metadata["input"] = path.toStdString();
        QVector<QImage> frames;
        for (const auto& f : input.frames) frames.append(greyImage(f));
        emit finished(trace, frames);
    });
}

} // namespace attnscope::ui
