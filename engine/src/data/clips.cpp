// Clips for the clip captioner: Fashion-MNIST items that enter the frame, cross it and leave,
// one after another; the caption names them in order of appearance with their motion. Test
// clips are written as video files through OpenCV's VideoWriter.
#include "attnscope/video.h"
#include "attnscope/savefile.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>

namespace attnscope {

namespace {
constexpr uint64_t kClipTestSeed = 20150428;  // Yao et al. on arXiv, April 2015
const char* motionWord(Motion m)
{
    switch (m) {
    case Motion::Left: return "left";
    case Motion::Right: return "right";
    case Motion::Up: return "up";
    default: return "down";
    }
}
} // namespace

std::string clipCaption(const std::vector<ClipItem>& items)
{
    std::string s;
    for (size_t k = 0; k < items.size(); ++k) {
        if (k > 0) s += " , then ";
        // Every item starts with "a" ("a pair of trousers"): the article does not depend on
        // the class, so nothing needs the item's frames before its own word.
        s += items[k].label == 1 ? "a pair of " : "a ";
        s += itemWord(items[k].label) + " moves " + motionWord(items[k].motion);
    }
    return s;
}

Clip generateClip(const FashionMnist& set, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const int n = uni(1, 3);
    Clip c;
    c.frames.assign(size_t(kClipFrames), GreyImage{kClipSize, kClipSize, std::vector<float>(size_t(kClipSize) * kClipSize, 0.0f)});
    const int segment = kClipFrames / n;
    for (int k = 0; k < n; ++k) {
        ClipItem it;
        it.sourceIndex = uni(0, std::max(0, set.images.count - 1));
        it.label = set.labels.empty() ? 0 : set.labels[size_t(it.sourceIndex)];
        it.motion = Motion(uni(0, 3));
        // Its own segment of the clip, jittered, overlapping the next one by up to 3 frames.
        const int start = std::clamp(k * segment + (k > 0 ? uni(-2, 2) : uni(0, 2)), 0, kClipFrames - 8);
        const int length = std::min(kClipFrames - start, segment + uni(-1, 3));
        it.firstFrame = start;
        it.lastFrame = start + std::max(6, length) - 1;
        it.lastFrame = std::min(it.lastFrame, kClipFrames - 1);
        // From 8 pixels inside one edge to 8 pixels inside the opposite one.
        const int across = uni(0, kClipSize - 28);
        const double from = kClipSize - 8, to = 8 - 28;
        const int frames = it.lastFrame - it.firstFrame;
        const uint8_t* src = set.images.count > 0 ? set.images.image(it.sourceIndex) : nullptr;
        int firstInk = -1, lastInk = -1;  // the item is visible where some of its ink is in the frame
        for (int f = it.firstFrame; f <= it.lastFrame; ++f) {
            const double s = frames > 0 ? double(f - it.firstFrame) / frames : 0.0;
            const int along = int(std::lround(from + s * (to - from)));  // moving towards −
            int x = 0, y = 0;
            switch (it.motion) {
            case Motion::Left: x = along, y = across; break;
            case Motion::Right: x = kClipSize - 28 - along, y = across; break;
            case Motion::Up: x = across, y = along; break;
            case Motion::Down: x = across, y = kClipSize - 28 - along; break;
            }
            GreyImage& fr = c.frames[size_t(f)];
            for (int yy = 0; yy < 28 && src; ++yy)
                for (int xx = 0; xx < 28; ++xx) {
                    const int px = x + xx, py = y + yy;
                    if (px < 0 || py < 0 || px >= kClipSize || py >= kClipSize) continue;
                    float& d = fr.pixels[size_t(py * kClipSize + px)];
                    d = std::max(d, src[yy * 28 + xx] / 255.0f);
                    if (src[yy * 28 + xx] > 0) {
                        if (firstInk < 0) firstInk = f;
                        lastInk = f;
                    }
                }
        }
        if (firstInk >= 0) {
            it.firstFrame = firstInk;
            it.lastFrame = lastInk;
        }
        c.items.push_back(it);
    }
    c.caption = clipCaption(c.items);
    return c;
}

Clip testClip(const FashionMnist& test, int index) { return generateClip(test, kClipTestSeed + uint64_t(index)); }

Status writeTestClips(const FashionMnist& test, int count, const std::string& dir)
{
    if (count < 1 || count > 10000) return Status::error("clip count must be 1–10000");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::error("cannot create " + dir + ": " + ec.message());
    std::string tsv = "# file\tcaption\titems (label:first-last;...)\n";
    for (int i = 0; i < count; ++i) {
        const Clip c = testClip(test, i);
        char name[32];
        std::snprintf(name, sizeof name, "clip-%03d.avi", i);
        const std::string path = (std::filesystem::path(dir) / name).string();
        // OpenCV writes the video to a path: a temporary beside it, renamed once complete.
        const std::string partial = path + ".partial.avi";
        const cv::Size size(2 * kClipSize, 2 * kClipSize);
        cv::VideoWriter w;
        if (!w.open(partial, cv::CAP_FFMPEG, cv::VideoWriter::fourcc('F', 'F', 'V', '1'), 16.0, size, false) &&
            !w.open(partial, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 16.0, size, false))
            return Status::error("cannot write " + path + " (no FFV1 or Motion-JPEG encoder in this OpenCV)");
        for (const GreyImage& f : c.frames) {
            cv::Mat m(kClipSize, kClipSize, CV_8U), big;
            for (int y = 0; y < kClipSize; ++y)
                for (int x = 0; x < kClipSize; ++x) m.at<uint8_t>(y, x) = uint8_t(std::lround(std::clamp(f.at(x, y), 0.0f, 1.0f) * 255.0f));
            cv::resize(m, big, size, 0, 0, cv::INTER_NEAREST);
            w.write(big);
        }
        w.release();
        std::error_code fileError;
        if (std::filesystem::file_size(partial, fileError) == 0 || fileError) {
            std::filesystem::remove(partial, fileError);
            return Status::error("cannot write " + path + ": the video encoder wrote nothing (is the disk full?)");
        }
        std::filesystem::rename(partial, path, fileError);
        if (fileError) {
            std::filesystem::remove(partial, fileError);
            return Status::error("cannot write " + path + ": " + fileError.message());
        }
        tsv += std::string(name) + "\t" + c.caption + "\t";
        for (size_t k = 0; k < c.items.size(); ++k)
            tsv += (k ? ";" : "") + std::to_string(c.items[k].label) + ":" + std::to_string(c.items[k].firstFrame) + "-" +
                   std::to_string(c.items[k].lastFrame);
        tsv += "\n";
    }
    return saveFileAtomically((std::filesystem::path(dir) / "clips.tsv").string(), tsv);
}

std::vector<int> sampleFrameIndices(int frames, int count)
{
    std::vector<int> r;
    if (frames < 1 || count < 1) return r;
    for (int i = 0; i < count; ++i) r.push_back(std::min(frames - 1, int((i + 0.5) * frames / count)));
    return r;
}

ClipInput clipInput(const Clip& clip)
{
    ClipInput in;
    const int n = int(clip.frames.size());
    in.frameIndices = sampleFrameIndices(n, kClipSamples);
    for (int f : in.frameIndices) {
        in.frames.push_back(clip.frames[size_t(f)]);
        in.previous.push_back(clip.frames[size_t(std::max(0, f - 1))]);
    }
    in.source = "generated clip";
    return in;
}

} // namespace attnscope
