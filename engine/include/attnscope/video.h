#pragma once
// Video: frame-accurate reading through OpenCV's VideoCapture (FFmpeg backend) with a
// bounded frame cache; clips generated from Fashion-MNIST items that enter, move and leave;
// and the clip captioner — per-frame CNN features → LSTM decoder with soft temporal attention
// over the sampled frames (Yao et al. 2015, "Describing Videos by Exploiting Temporal
// Structure", §2.3). Plain C++ header (no torch, OpenCV or Qt types).
#include "attnscope/caption.h"
#include "attnscope/fmnist.h"
#include "attnscope/status.h"
#include "attnscope/stn.h"
#include "attnscope/trace.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace attnscope {

// ---------------------------------------------------------------------------------------
// Reading videos

/// One decoded frame: RGB888, row-major (width·3 bytes per row).
struct VideoFrame {
    int index = -1;
    int width = 0, height = 0;
    std::vector<uint8_t> rgb;
    size_t bytes() const { return rgb.size(); }
};

struct VideoInfo {
    std::string path;
    int width = 0, height = 0;
    double fps = 0;          ///< frames per second (25 when the container does not say)
    int frameCount = 0;      ///< frames that can be read (the container's count, corrected when wrong)
    int reportedFrames = 0;  ///< what the container said
    std::string codec;       ///< FourCC, e.g. "XVID", "FFV1", "MJPG"
    std::vector<std::string> notes;  ///< e.g. "the container reports 120 frames; 97 decode"
};

/// Frame-accurate random access to a video file. Frames are time slots (presentation time ×
/// fps): a file whose images skip slots (dropped or repeated frames, a variable rate) shows for
/// each frame the last image at or before it, as a player would; data that fails to decode
/// mid-stream is skipped — reading goes on past it — and its frames are reported. Seeking:
/// frames a little ahead of the last one read are decoded forward; further jumps use the
/// container's seek, and the position after the read is checked — where a container seeks
/// inexactly the reader rewinds further and decodes forward to the frame. Decoded images go to
/// an LRU cache bounded in bytes.
/// Not thread-safe: one reader per thread.
class VideoReader {
public:
    VideoReader();
    ~VideoReader();
    VideoReader(const VideoReader&) = delete;
    VideoReader& operator=(const VideoReader&) = delete;

    /// Opens and checks the file: missing, empty, no video stream, 0 decodable frames,
    /// unsupported codec and absurd sizes are errors with a message; a wrong frame count in
    /// the header is corrected (by finding the last frame that decodes) with a note.
    Status open(const std::string& path, size_t cacheBytes = size_t(256) << 20);
    bool isOpen() const;
    const VideoInfo& info() const;
    /// Frame `index` (0-based). Errors past the end or when decoding fails.
    Status frame(int index, VideoFrame& out);
    /// The cache: bytes held now, its bound, and how many frames it holds.
    size_t cacheBytes() const;
    size_t cacheLimit() const;
    int cachedFrames() const;
    bool isCached(int index) const;
    /// Decodes frames [first, first + count) into the cache (read-ahead), stopping early when
    /// `keepGoing` returns false.
    void prefetch(int first, int count);
    /// Frames decoded from the file so far (for tests: cache hits do not count).
    int64_t decodedFrames() const;

    /// A second, compressed cache for display only: every frame decoded from then on is also
    /// kept JPEG-encoded (quality 90, ~50–100 KB for 768×576) in an LRU bounded by `bytes`
    /// (0 turns it off). displayFrame() serves from it — a JPEG decode instead of a seek — so
    /// scrubbing stays fast after one pass over the video; frame() stays exact.
    void setDisplayCache(size_t bytes);
    size_t displayCacheBytes() const;
    int displayCachedFrames() const;
    /// Frame `index` for the screen: exact when decoded now, JPEG-quality from the display cache.
    Status displayFrame(int index, VideoFrame& out);
    /// Frames whose data did not decode (damaged mid-stream); the image before each is shown in
    /// its place, and reading goes on past them.
    std::vector<int> damagedFrames() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

/// `count` frame indices spread evenly over `frames` frames (centres of equal segments).
std::vector<int> sampleFrameIndices(int frames, int count);

// ---------------------------------------------------------------------------------------
// Generated clips

constexpr int kClipSize = 64;     ///< frame side (pixels) the model reads
constexpr int kClipFrames = 32;   ///< frames in a generated clip
constexpr int kClipSamples = 16;  ///< frames the clip captioner reads (a budget)

/// Motion of an item across the frame.
enum class Motion { Left, Right, Up, Down };

struct ClipItem {
    int label = 0;
    int sourceIndex = 0;
    Motion motion = Motion::Left;
    int firstFrame = 0, lastFrame = 0;  ///< visible on frames [first, last] (inclusive)
    bool visible(int frame) const { return frame >= firstFrame && frame <= lastFrame; }
};

/// A generated clip: kClipFrames frames of kClipSize² grey pixels in [0, 1]; 1–3 items that
/// enter, cross the frame and leave, one after another (they may overlap briefly); the caption
/// names them in the order they appear, e.g. "a sneaker moves left , then a bag moves down"
/// (trousers: "a pair of trousers", so the article never depends on the item).
struct Clip {
    std::vector<GreyImage> frames;
    std::vector<ClipItem> items;
    std::string caption;
};

Clip generateClip(const FashionMnist& set, uint64_t seed);
/// Clip `index` of the fixed test set (test-split items, seed 20150428 + index).
Clip testClip(const FashionMnist& test, int index);
std::string clipCaption(const std::vector<ClipItem>& items);
/// Writes test clips [0, count) as video files clip-000.avi … (lossless FFV1 when the
/// FFmpeg backend has it, else Motion-JPEG), frames upscaled 2× to 128×128 at 16 fps, with
/// clips.tsv (file, caption, items as label:first-last;…).
Status writeTestClips(const FashionMnist& test, int count, const std::string& dir);

// ---------------------------------------------------------------------------------------
// Clip captioner

/// The model's input: kClipSamples frames (kClipSize², grey [0, 1]) and, for each, the frame
/// before it in the video (for the motion channel), plus which video frames they are.
struct ClipInput {
    std::vector<GreyImage> frames, previous;
    std::vector<int> frameIndices;
    std::string source;
};
/// The samples of a generated clip.
ClipInput clipInput(const Clip& clip);
/// Samples `reader`'s video: kClipSamples frames spread evenly, each converted to grey and
/// fitted into 64×64 (aspect kept, centred; light backgrounds inverted). Cancellable.
Status videoInput(VideoReader& reader, ClipInput& out, const ProgressFn& progress = {});

struct ClipMetrics {
    int clips = 0;
    int itemWords = 0;
    int peakHits = 0;          ///< item words whose attention peak is on a frame where the item is visible
    double mass = 0;           ///< Σ attention on those frames
    double uniformMass = 0;    ///< Σ share of sampled frames where it is visible
    int exactMatches = 0;
    int64_t goldWords = 0, correctWords = 0;
};

/// "clip-captioner" or a weights file from `attnscope train clip-captioner`.
bool isClipCaptionerFile(const std::string& nameOrPath);

class ClipCaptioner {
public:
    ClipCaptioner();
    ~ClipCaptioner();
    ClipCaptioner(const ClipCaptioner&) = delete;
    ClipCaptioner& operator=(const ClipCaptioner&) = delete;

    Status load(const std::string& modelNameOrPath);
    bool loaded() const;
    std::string modelName() const;
    int64_t parameters() const;
    const std::vector<std::string>& vocabulary() const;

    /// Describes the clip (or force-decodes opt.target). Trace: "attention" [word, frame]
    /// (rows sum to 1; labels: the words and the video frame indices "f<n>"), "gate" [word],
    /// "word_probability" [word], "coverage" [frame]; metadata "caption", "mode", "decoding",
    /// "frames" (the video frame indices, comma-separated), "log_probability".
    Status caption(const ClipInput& input, const CaptionOptions& opt, AttentionTrace& out) const;
    Status evaluate(const FashionMnist& test, int count, ClipMetrics& out, const ProgressFn& progress = {}) const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

/// Temporal hit rate of the item words of `trace` against `clip`'s items (k-th item word ↔
/// k-th item); `frameIndices` are the video frames the attention columns stand for.
ClipMetrics scoreClipAttention(const AttentionTrace& trace, const Clip& clip);

} // namespace attnscope
