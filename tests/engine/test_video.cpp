// Video: frame-accurate seeking (random order == sequential decode, on a generated clip
// written as a real video file), the bounded cache, lossless test clips, bad files (missing,
// empty, not a video, truncated), the clip generator's visibility records, the shipped clip
// captioner's temporal hit rate against uniform, and a few training steps.
#include "attnscope/train.h"
#include "attnscope/video.h"

#include <opencv2/videoio.hpp>
#include <opencv2/imgproc.hpp>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <numeric>

#include <random>

using namespace attnscope;

class TestVideo : public QObject {
    Q_OBJECT
    FashionMnist test_;
    QTemporaryDir dir_;
    QString clip_;

private slots:
    void initTestCase()
    {
        QVERIFY(loadFashionMnist(false, test_).ok);
        QVERIFY(dir_.isValid());
        const auto st = writeTestClips(test_, 2, dir_.filePath("clips").toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        clip_ = dir_.filePath("clips/clip-001.avi");
    }

    void seekingMatchesSequentialDecoding()
    {
        VideoReader seq;
        QVERIFY(seq.open(clip_.toStdString()).ok);
        QCOMPARE(seq.info().frameCount, kClipFrames);
        QCOMPARE(seq.info().width, 2 * kClipSize);
        QVERIFY(std::abs(seq.info().fps - 16.0) < 1e-6);
        std::vector<std::vector<uint8_t>> frames;
        for (int i = 0; i < kClipFrames; ++i) {
            VideoFrame f;
            QVERIFY(seq.frame(i, f).ok);
            QCOMPARE(f.index, i);
            frames.push_back(f.rgb);
        }
        // A reader without a cache to speak of: every request decodes, in random order.
        VideoReader r;
        QVERIFY(r.open(clip_.toStdString(), 1).ok);
        std::vector<int> order(static_cast<size_t>(kClipFrames));
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), std::mt19937(3));
        order.insert(order.end(), {31, 0, 31, 30, 2, 1});
        for (int i : order) {
            VideoFrame f;
            QVERIFY(r.frame(i, f).ok);
            QVERIFY2(f.rgb == frames[size_t(i)], qPrintable(QStringLiteral("frame %1 differs from the sequential decode").arg(i)));
        }
        VideoFrame f;
        QVERIFY(!r.frame(kClipFrames, f).ok);
        QVERIFY(!r.frame(-1, f).ok);
    }

    void seekingOnAnInterFrameCodec()
    {
        // MPEG-4 part 2 with a keyframe every 12 frames: seeks land between keyframes, so the
        // reader must decode forward from one. Compared with a sequential decode.
        const QString path = dir_.filePath("inter.avi");
        {
            cv::VideoWriter w;
            if (!w.open(path.toStdString(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc('m', 'p', '4', 'v'), 25.0, cv::Size(96, 64), true))
                QSKIP("no MPEG-4 encoder in this OpenCV/FFmpeg");
            for (int i = 0; i < 60; ++i) {
                cv::Mat m(64, 96, CV_8UC3, cv::Scalar(20, 40, 60));
                cv::rectangle(m, cv::Rect((i * 3) % 80, 10 + (i % 30), 16, 16), cv::Scalar(255, 255 - 4 * i, 4 * i), -1);
                w.write(m);
            }
        }
        VideoReader seq;
        auto st = seq.open(path.toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(seq.info().frameCount, 60);
        std::vector<std::vector<uint8_t>> frames;
        for (int i = 0; i < 60; ++i) {
            VideoFrame f;
            QVERIFY(seq.frame(i, f).ok);
            frames.push_back(f.rgb);
        }
        VideoReader r;
        QVERIFY(r.open(path.toStdString(), 1).ok);
        for (int i : {59, 7, 45, 13, 30, 0, 58, 26, 40, 1}) {
            VideoFrame f;
            QVERIFY(r.frame(i, f).ok);
            QVERIFY2(f.rgb == frames[size_t(i)], qPrintable(QStringLiteral("frame %1 differs from the sequential decode").arg(i)));
        }
    }

    void cacheStaysUnderItsBound()
    {
        VideoReader r;
        const size_t frameBytes = size_t(2 * kClipSize) * size_t(2 * kClipSize) * 3;
        QVERIFY(r.open(clip_.toStdString(), 5 * frameBytes).ok);
        for (int i = 0; i < kClipFrames; ++i) {
            VideoFrame f;
            QVERIFY(r.frame(i, f).ok);
            QVERIFY(r.cacheBytes() <= r.cacheLimit());
        }
        QCOMPARE(r.cachedFrames(), 5);
        QVERIFY(r.isCached(kClipFrames - 1) && !r.isCached(0));
        // A cached frame costs no decoding.
        const int64_t before = r.decodedFrames();
        VideoFrame f;
        QVERIFY(r.frame(kClipFrames - 2, f).ok);
        QCOMPARE(r.decodedFrames(), before);
    }

    void displayCacheServesWithoutDecoding()
    {
        VideoReader r;
        QVERIFY(r.open(clip_.toStdString(), 1).ok);
        r.setDisplayCache(size_t(8) << 20);
        r.prefetch(0, kClipFrames);
        QCOMPARE(r.displayCachedFrames(), kClipFrames);
        QVERIFY(r.displayCacheBytes() <= size_t(8) << 20);
        const int64_t before = r.decodedFrames();
        for (int i : {17, 3, 30}) {
            VideoFrame shown, exact;
            QVERIFY(r.displayFrame(i, shown).ok);
            QCOMPARE(shown.index, i);
            QCOMPARE(r.decodedFrames(), before);  // a JPEG decode, not a seek
            VideoReader x;
            QVERIFY(x.open(clip_.toStdString()).ok);
            QVERIFY(x.frame(i, exact).ok);
            double diff = 0;
            for (size_t k = 0; k < exact.rgb.size(); ++k) diff += std::abs(int(exact.rgb[k]) - int(shown.rgb[k]));
            QVERIFY2(diff / double(exact.rgb.size()) < 4.0, "display frames are the right frames at JPEG quality");
        }
        // Bounded: a tiny display cache keeps at most what fits.
        r.setDisplayCache(20000);
        r.setDisplayCache(0);
        QCOMPARE(r.displayCachedFrames(), 0);
    }

    void testClipsAreLosslessVideos()
    {
        VideoReader r;
        QVERIFY(r.open(clip_.toStdString()).ok);
        ClipInput fromFile;
        QVERIFY(videoInput(r, fromFile).ok);
        const ClipInput generated = clipInput(testClip(test_, 1));
        QCOMPARE(fromFile.frameIndices, generated.frameIndices);
        double worst = 0;
        for (size_t i = 0; i < generated.frames.size(); ++i)
            for (size_t p = 0; p < generated.frames[i].pixels.size(); ++p)
                worst = std::max(worst, double(std::abs(fromFile.frames[i].pixels[p] - generated.frames[i].pixels[p])));
        qInfo("codec %s, largest pixel difference %.4f", r.info().codec.c_str(), worst);
        if (r.info().codec == "FFV1") QVERIFY(worst < 1e-6);
        else QVERIFY(worst < 0.2);  // Motion-JPEG fallback
    }

    void generatorRecordsVisibility()
    {
        for (int c = 0; c < 30; ++c) {
            const Clip clip = testClip(test_, c);
            QCOMPARE(int(clip.frames.size()), kClipFrames);
            QVERIFY(!clip.items.empty() && clip.items.size() <= 3);
            for (size_t k = 0; k < clip.items.size(); ++k) {
                const ClipItem& it = clip.items[k];
                if (k > 0) QVERIFY(it.firstFrame >= clip.items[k - 1].firstFrame);  // order of appearance
                // Ink on every visible frame.
                for (int f = it.firstFrame; f <= it.lastFrame; ++f) {
                    double ink = 0;
                    for (float v : clip.frames[size_t(f)].pixels) ink += v;
                    QVERIFY(ink > 0);
                }
            }
            // No ink on frames where no item is visible.
            for (int f = 0; f < kClipFrames; ++f) {
                bool any = false;
                for (const auto& it : clip.items) any = any || it.visible(f);
                if (any) continue;
                for (float v : clip.frames[size_t(f)].pixels) QCOMPARE(v, 0.0f);
            }
            QCOMPARE(clip.caption, clipCaption(clip.items));
        }
    }

    void badFilesGetAMessage()
    {
        VideoReader r;
        auto st = r.open(dir_.filePath("missing.avi").toStdString());
        QVERIFY(!st.ok && st.message.find("no such file") != std::string::npos);
        QFile empty(dir_.filePath("empty.avi"));
        QVERIFY(empty.open(QIODevice::WriteOnly));
        empty.close();
        st = r.open(empty.fileName().toStdString());
        QVERIFY(!st.ok && st.message.find("empty") != std::string::npos);
        QFile text(dir_.filePath("text.mp4"));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write(QByteArray(5000, 'x'));
        text.close();
        QVERIFY(!r.open(text.fileName().toStdString()).ok);
        // Truncated: the header promises 32 frames; either the file is refused with a message or
        // the count is corrected and every frame that is claimed decodes.
        QFile full(clip_);
        QVERIFY(full.open(QIODevice::ReadOnly));
        const QByteArray bytes = full.readAll();
        QFile cut(dir_.filePath("cut.avi"));
        QVERIFY(cut.open(QIODevice::WriteOnly));
        cut.write(bytes.left(bytes.size() * 6 / 10));
        cut.close();
        st = r.open(cut.fileName().toStdString());
        if (st.ok) {
            QVERIFY(r.info().frameCount < kClipFrames);
            QVERIFY(!r.info().notes.empty());
            for (int i = 0; i < r.info().frameCount; ++i) {
                VideoFrame f;
                QVERIFY(r.frame(i, f).ok);
            }
        } else {
            QVERIFY(!st.message.empty());
        }
    }

    void damagedDataIsReadPast()
    {
        // A Motion-JPEG video whose frame 19 carries garbage instead of JPEG data (a corrupt
        // packet in the middle): reading must go on past it, use the frames after it, and say
        // which frame did not decode — not stop at frame 19 as if the file ended there.
        const QString path = dir_.filePath("damaged.avi");
        {
            cv::VideoWriter w(path.toStdString(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10, cv::Size(64, 48));
            QVERIFY(w.isOpened());
            for (int i = 0; i < 40; ++i) w.write(cv::Mat(48, 64, CV_8UC3, cv::Scalar::all(i * 6)));
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray bytes = f.readAll();
        f.close();
        int soi = -1;
        for (int k = 0, at = 0; k <= 19; ++k, ++at) {  // frame k's data starts at its k-th JPEG start marker
            soi = bytes.indexOf(QByteArray("\xFF\xD8\xFF", 3), at);
            QVERIFY(soi >= 0);
            at = soi;
        }
        for (int k = soi + 2; k < soi + 300; ++k) bytes[k] = char(0x55);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        f.close();

        VideoReader r;
        const auto st = r.open(path.toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY2(r.info().frameCount >= 39, qPrintable(QString::number(r.info().frameCount)));  // not 19
        QCOMPARE(r.damagedFrames(), std::vector<int>{19});
        std::string notes;
        for (const auto& n : r.info().notes) notes += n + " ";
        QVERIFY2(notes.find("frame 19 does not decode") != std::string::npos, notes.c_str());
        // Frames before the damage are exact; the damaged one shows the frame before; frames after
        // it decode (their grey level is 6 × the frame number, give or take one frame of
        // FFmpeg's bookkeeping after the damage).
        VideoFrame v;
        QVERIFY(r.frame(10, v).ok);
        QVERIFY(std::abs(int(v.rgb[0]) - 60) <= 3);
        QVERIFY(r.frame(19, v).ok);
        QVERIFY(std::abs(int(v.rgb[0]) - 18 * 6) <= 3);
        QVERIFY(r.frame(30, v).ok);
        QVERIFY2(std::abs(int(v.rgb[0]) - 30 * 6) <= 9, qPrintable(QString::number(v.rgb[0])));
        // Random access agrees with reading in order.
        VideoReader again;
        QVERIFY(again.open(path.toStdString()).ok);
        VideoFrame w;
        QVERIFY(again.frame(30, w).ok);
        QCOMPARE(w.rgb, v.rgb);
        // The model's sampling reads through it.
        ClipInput in;
        QVERIFY(videoInput(again, in).ok);
        QCOMPARE(int(in.frames.size()), kClipSamples);
    }
    void shippedModelAttendsToTheRightFrames()
    {
        ClipCaptioner m;
        const auto st = m.load("clip-captioner");
        QVERIFY2(st.ok, st.message.c_str());
        ClipMetrics total;
        for (int c = 0; c < 100; ++c) {
            const Clip clip = testClip(test_, c);
            CaptionOptions o;
            o.target = clip.caption;
            AttentionTrace t;
            QVERIFY(m.caption(clipInput(clip), o, t).ok);
            const TraceTensor* a = t.find("attention");
            QVERIFY(a && a->shape[1] == kClipSamples);
            for (int64_t w = 0; w < a->shape[0]; ++w) {
                double sum = 0;
                for (int64_t f = 0; f < a->shape[1]; ++f) sum += a->at(w, f);
                QVERIFY(std::abs(sum - 1.0) < 1e-4);
            }
            const ClipMetrics s = scoreClipAttention(t, clip);
            QCOMPARE(s.itemWords, int(clip.items.size()));
            total.itemWords += s.itemWords;
            total.peakHits += s.peakHits;
            total.mass += s.mass;
            total.uniformMass += s.uniformMass;
        }
        const double hit = double(total.peakHits) / total.itemWords, mass = total.mass / total.itemWords,
                     uniform = total.uniformMass / total.itemWords;
        qInfo("100 clips, %d item words: peak on a visible frame %.1f%%, mass %.3f, uniform %.3f", total.itemWords, 100 * hit, mass, uniform);
        QVERIFY2(hit > uniform + 0.3, "the attention peak of item words must fall on frames showing the item far above chance");
        QVERIFY2(mass > uniform + 0.25, "attention mass on the item's frames must be well above uniform");
        // Forced decoding errors.
        CaptionOptions o;
        o.target = "a hat moves left";
        AttentionTrace t;
        const auto bad = m.caption(clipInput(testClip(test_, 0)), o, t);
        QVERIFY(!bad.ok && bad.message.find("'hat'") != std::string::npos);
        QVERIFY(!m.caption(ClipInput{}, {}, t).ok);
    }

    void trainingStepsLowerTheLoss()
    {
        TrainConfig c;
        c.model = "clip-captioner";
        c.out = dir_.filePath("clip.pt").toStdString();
        c.batchSize = 8;
        c.epochs = 1;
        c.embedding = 32;
        c.hidden = 64;
        c.scenesPerEpoch = 800;
        c.maxSteps = 20;
        c.checkpointEvery = 0;
        c.learningRate = 3e-3;
        TrainReport r;
        const auto st = train(c, r);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(r.stepsRun, 20);
        QVERIFY2(r.lastLoss < r.firstLoss * 0.7, "loss must fall over 20 steps");
        TrainReport r2;
        c.maxSteps = 2;
        QVERIFY(train(c, r2).ok);  // resumes
        QVERIFY(r2.firstLoss < r.firstLoss * 0.8);
    }
};

QTEST_GUILESS_MAIN(TestVideo)
#include "test_video.moc"
