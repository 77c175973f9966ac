// VideoReader: OpenCV VideoCapture (FFmpeg backend) with checked opening, frame-accurate
// seeking, a byte-bounded LRU frame cache; and the sampling of a video for the clip captioner.
#include "attnscope/video.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <list>
#include <unordered_map>

namespace attnscope {

namespace {
constexpr int kForwardLimit = 24;       ///< jumps up to this many frames ahead decode forward
constexpr int kMaxSide = 8192;
constexpr int kMaxCountScan = 200000;   ///< frames decoded at most to count a video without a count
} // namespace

struct VideoReader::Impl {
    cv::VideoCapture cap;
    VideoInfo info;
    // Frames and images. A frame is a time slot of the video (index = presentation time × fps);
    // an image is what the decoder returns, in decode order. For most files they are the same
    // (`slots` empty). A file whose images skip slots (dropped frames, variable rate, like
    // OpenCV's tree.avi) or whose data is damaged mid-stream gets `slots`: the frame of each
    // image; a frame without its own image shows the image before it, as a player would.
    std::vector<int> slots;
    std::vector<int> damaged;  ///< frames whose data did not decode (the image before is shown)
    int next = 0;  ///< index of the image the next read returns
    int64_t decoded = 0;
    size_t limit = 0, bytes = 0;
    std::list<VideoFrame> lru;  ///< by image index, most recent first
    std::unordered_map<int, std::list<VideoFrame>::iterator> where;
    // The display tier: JPEG-encoded images, LRU by bytes.
    struct Jpeg {
        int index;
        std::vector<uint8_t> data;
    };
    size_t jpegLimit = 0, jpegBytes = 0;
    std::list<Jpeg> jpegLru;
    std::unordered_map<int, std::list<Jpeg>::iterator> jpegWhere;

    int images() const { return slots.empty() ? info.frameCount : int(slots.size()); }
    int slotOf(int image) const { return slots.empty() ? image : slots[size_t(image)]; }
    /// The image shown for frame `frame`: its own, or the last one before it.
    int imageOf(int frame) const
    {
        if (slots.empty()) return frame;
        const auto it = std::upper_bound(slots.begin(), slots.end(), frame);
        return std::max(0, int(it - slots.begin()) - 1);
    }
    /// The frame (time slot) of the image the capture just returned.
    int currentSlot() const { return int(std::lround(cap.get(cv::CAP_PROP_POS_MSEC) * info.fps / 1000.0)); }

    void putJpeg(const cv::Mat& bgr, int index)
    {
        if (jpegLimit == 0 || jpegWhere.count(index)) return;
        Jpeg j{index, {}};
        if (!cv::imencode(".jpg", bgr, j.data, {cv::IMWRITE_JPEG_QUALITY, 90})) return;
        jpegBytes += j.data.size();
        jpegLru.push_front(std::move(j));
        jpegWhere[index] = jpegLru.begin();
        while (jpegBytes > jpegLimit && jpegLru.size() > 1) {
            jpegBytes -= jpegLru.back().data.size();
            jpegWhere.erase(jpegLru.back().index);
            jpegLru.pop_back();
        }
    }

    bool openCapture(const std::string& path)
    {
        cap.release();
        if (!cap.open(path, cv::CAP_FFMPEG)) cap.open(path, cv::CAP_ANY);
        next = 0;
        return cap.isOpened();
    }
    /// The next image. A read that fails mid-stream (damaged data) is not the end: the next
    /// packets are tried, a few times, before the stream counts as ended.
    bool read(cv::Mat& m)
    {
        for (int attempt = 0; attempt < 4; ++attempt)
            if (cap.read(m) && !m.empty()) {
                ++decoded;
                ++next;
                return true;
            }
        return false;
    }
    bool grab()
    {
        for (int attempt = 0; attempt < 4; ++attempt)
            if (cap.grab()) {
                ++decoded;
                ++next;
                return true;
            }
        return false;
    }
    /// Positions the capture so that the next read returns image `index`; exact.
    bool seek(int index)
    {
        if (index == next) return true;
        if (index > next && index - next <= kForwardLimit) {
            while (next < index)
                if (!grab()) return false;
            return true;
        }
        // The container's seek lands on the first image at or after the frame asked for.
        const int slot = slotOf(index);
        if (cap.set(cv::CAP_PROP_POS_FRAMES, double(slot)) && int(std::lround(cap.get(cv::CAP_PROP_POS_FRAMES))) == slot) {
            next = index;
            return true;
        }
        // The container seeks inexactly: start over and decode forward.
        if (!openCapture(info.path)) return false;
        while (next < index)
            if (!grab()) return false;
        return true;
    }
    void put(VideoFrame f)
    {
        if (where.count(f.index)) return;
        bytes += f.bytes();
        lru.push_front(std::move(f));
        where[lru.front().index] = lru.begin();
        while (bytes > limit && lru.size() > 1) {
            bytes -= lru.back().bytes();
            where.erase(lru.back().index);
            lru.pop_back();
        }
    }
    static VideoFrame toFrame(const cv::Mat& m, int index)
    {
        cv::Mat rgb;
        if (m.channels() == 1) cv::cvtColor(m, rgb, cv::COLOR_GRAY2RGB);
        else if (m.channels() == 4) cv::cvtColor(m, rgb, cv::COLOR_BGRA2RGB);
        else cv::cvtColor(m, rgb, cv::COLOR_BGR2RGB);
        if (rgb.depth() != CV_8U) rgb.convertTo(rgb, CV_8U);
        VideoFrame f;
        f.index = index;
        f.width = rgb.cols;
        f.height = rgb.rows;
        f.rgb.resize(size_t(rgb.cols) * size_t(rgb.rows) * 3);
        for (int y = 0; y < rgb.rows; ++y) std::memcpy(f.rgb.data() + size_t(y) * size_t(rgb.cols) * 3, rgb.ptr(y), size_t(rgb.cols) * 3);
        return f;
    }
    /// Decodes image `index` (no cache): false when it does not decode.
    bool decode(int index, cv::Mat& m) { return seek(index) && read(m); }

    /// One pass over the whole file: the frame of every image, the damaged frames, the count.
    /// For files whose images skip frames or whose data breaks mid-stream.
    void scan(int reported)
    {
        openCapture(info.path);
        slots.clear();
        damaged.clear();
        cv::Mat m;
        int last = -1, failures = 0;
        while (int(slots.size()) < kMaxCountScan) {
            if (!cap.read(m) || m.empty()) {
                if (++failures > 16) break;  // many failures in a row: the end of the stream
                continue;                    // damaged data: the next packets may decode
            }
            ++decoded;
            int slot = currentSlot();
            if (slot <= last) slot = last + 1;  // timestamps that do not move: one frame on
            // Frames skipped right after failed reads lost their data (damaged); other skipped
            // frames have no image of their own (dropped or repeated frames).
            for (int f = last + 1; f < slot && failures > 0; ++f, --failures) damaged.push_back(f);
            slots.push_back(slot);
            last = slot;
            failures = 0;
        }
        info.frameCount = std::max(1, last + 1);
        // Images on consecutive frames after all, nothing damaged: plain indexing.
        if (!slots.empty() && slots.back() == int(slots.size()) - 1 && damaged.empty()) slots.clear();
        openCapture(info.path);
    }
};

VideoReader::VideoReader() : d(std::make_unique<Impl>()) {}
VideoReader::~VideoReader() = default;

namespace {
/// "68–175, 203–343 and 346" for sorted frame numbers.
std::string frameRanges(const std::vector<int>& frames)
{
    std::string out;
    size_t i = 0, runs = 0;
    while (i < frames.size() && runs < 6) {
        size_t j = i;
        while (j + 1 < frames.size() && frames[j + 1] == frames[j] + 1) ++j;
        if (!out.empty()) out += ", ";
        out += std::to_string(frames[i]) + (j > i ? "–" + std::to_string(frames[j]) : "");
        i = j + 1;
        ++runs;
    }
    if (i < frames.size()) out += ", …";
    return out;
}
} // namespace

Status VideoReader::open(const std::string& path, size_t cacheBytes)
{
    d = std::make_unique<Impl>();
    d->limit = std::max<size_t>(cacheBytes, 1);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return Status::error(path + ": no such file");
    if (!std::filesystem::is_regular_file(path, ec)) return Status::error(path + ": not a file");
    if (std::filesystem::file_size(path, ec) == 0) return Status::error(path + ": the file is empty (0 bytes)");
    VideoInfo& in = d->info;
    in.path = path;
    if (!d->openCapture(path))
        return Status::error(path + ": not a video OpenCV's FFmpeg backend can open (no video stream, or an unsupported container)");
    const int fourcc = int(d->cap.get(cv::CAP_PROP_FOURCC));
    for (int i = 0; i < 4; ++i) {
        const char c = char((fourcc >> (8 * i)) & 0xff);
        if (c >= 32 && c < 127) in.codec += c;
    }
    cv::Mat first;
    if (!d->read(first))
        return Status::error(path + ": no video frame decodes (an unsupported codec" + (in.codec.empty() ? "" : " '" + in.codec + "'") +
                             ", a truncated file or a file without a video stream)");
    if (first.cols < 1 || first.rows < 1 || first.cols > kMaxSide || first.rows > kMaxSide)
        return Status::error(path + ": frame size " + std::to_string(first.cols) + "×" + std::to_string(first.rows) + " is not supported (at most " +
                             std::to_string(kMaxSide) + " pixels a side)");
    in.width = first.cols;
    in.height = first.rows;
    in.fps = d->cap.get(cv::CAP_PROP_FPS);
    if (!(in.fps > 0 && in.fps <= 1000)) {
        in.notes.push_back("the container gives no frame rate; 25 fps assumed");
        in.fps = 25;
    }
    const double reported = d->cap.get(cv::CAP_PROP_FRAME_COUNT);
    in.reportedFrames = reported > 0 && reported < 1e9 ? int(reported) : 0;
    cv::Mat m;
    // Do the first images sit on consecutive frames? If not (dropped or held frames, a variable
    // rate), one pass maps every image to its frame.
    bool plain = in.reportedFrames > 0;
    for (int i = 1; plain && i < 24 && i < in.reportedFrames; ++i) {
        if (!d->read(m)) break;
        if (d->currentSlot() != i) plain = false;
    }
    if (plain) {
        in.frameCount = in.reportedFrames;
        if (d->decode(in.reportedFrames - 1, m)) {
            // More frames than reported?
            int extra = 0;
            while (extra < 1000 && d->read(m)) ++extra;
            if (extra > 0) {
                in.frameCount += extra;
                in.notes.push_back("the container reports " + std::to_string(in.reportedFrames) + " frames; " +
                                   std::to_string(in.frameCount) + " decode");
            }
        } else {
            plain = false;  // the last frame does not decode: damaged or truncated, look at every frame
        }
    }
    if (!plain) {
        d->scan(in.reportedFrames);
        if (in.reportedFrames <= 0) {
            in.notes.push_back("the container gives no frame count; " + std::to_string(in.frameCount) + " frames decoded");
        } else if (in.frameCount < in.reportedFrames) {
            in.notes.push_back("the container reports " + std::to_string(in.reportedFrames) + " frames; only " +
                               std::to_string(in.frameCount) + " decode (the end of the file is missing or damaged)");
        }
        if (!d->damaged.empty())
            in.notes.push_back("frame" + std::string(d->damaged.size() > 1 ? "s " : " ") + frameRanges(d->damaged) +
                               (d->damaged.size() > 1 ? " do" : " does") + " not decode (damaged data): the frame before is shown "
                               "in place; the other frames are read past the damage");
        const int held = d->slots.empty() ? 0 : in.frameCount - int(d->slots.size()) - int(d->damaged.size());
        if (held > 0)
            in.notes.push_back(std::to_string(held) + " of the " + std::to_string(in.frameCount) +
                               " frames carry no image of their own (dropped or repeated frames): the image before each is shown");
    }
    d->openCapture(path);
    d->put(Impl::toFrame(first, 0));
    return Status::success();
}

bool VideoReader::isOpen() const { return d->cap.isOpened(); }
const VideoInfo& VideoReader::info() const { return d->info; }
size_t VideoReader::cacheBytes() const { return d->bytes; }
size_t VideoReader::cacheLimit() const { return d->limit; }
int VideoReader::cachedFrames() const { return int(d->lru.size()); }
bool VideoReader::isCached(int index) const { return d->where.count(d->imageOf(index)) > 0; }
int64_t VideoReader::decodedFrames() const { return d->decoded; }

Status VideoReader::frame(int index, VideoFrame& out)
{
    if (!isOpen()) return Status::error("no video open");
    if (index < 0 || index >= d->info.frameCount)
        return Status::error("frame " + std::to_string(index) + " is outside the video (0–" + std::to_string(d->info.frameCount - 1) + ")");
    const int image = d->imageOf(index);
    if (auto it = d->where.find(image); it != d->where.end()) {
        d->lru.splice(d->lru.begin(), d->lru, it->second);  // most recent
        out = d->lru.front();
        out.index = index;
        return Status::success();
    }
    cv::Mat m;
    if (!d->decode(image, m)) return Status::error(d->info.path + ": frame " + std::to_string(index) + " does not decode");
    out = Impl::toFrame(m, image);
    d->put(out);
    d->putJpeg(m, image);
    out.index = index;
    return Status::success();
}

void VideoReader::setDisplayCache(size_t bytes)
{
    d->jpegLimit = bytes;
    if (bytes == 0) {
        d->jpegLru.clear();
        d->jpegWhere.clear();
        d->jpegBytes = 0;
    }
}
size_t VideoReader::displayCacheBytes() const { return d->jpegBytes; }
int VideoReader::displayCachedFrames() const { return int(d->jpegLru.size()); }

Status VideoReader::displayFrame(int index, VideoFrame& out)
{
    const int image = isOpen() && index >= 0 && index < d->info.frameCount ? d->imageOf(index) : -1;
    if (image >= 0 && !d->where.count(image))
        if (auto it = d->jpegWhere.find(image); it != d->jpegWhere.end()) {
            d->jpegLru.splice(d->jpegLru.begin(), d->jpegLru, it->second);
            const cv::Mat m = cv::imdecode(d->jpegLru.front().data, cv::IMREAD_COLOR);
            if (!m.empty()) {
                out = Impl::toFrame(m, index);
                return Status::success();
            }
        }
    return frame(index, out);
}

void VideoReader::prefetch(int first, int count)
{
    if (!isOpen()) return;
    const int last = std::min(d->info.frameCount, first + std::max(0, count));
    int previous = -1;
    for (int i = std::max(0, first); i < last; ++i) {
        const int image = d->imageOf(i);
        if (image == previous) continue;
        previous = image;
        if (d->where.count(image) && (d->jpegLimit == 0 || d->jpegWhere.count(image))) continue;
        cv::Mat m;
        if (!d->decode(image, m)) return;
        d->put(Impl::toFrame(m, image));
        d->putJpeg(m, image);
    }
}

std::vector<int> VideoReader::damagedFrames() const { return d->damaged; }

namespace {
/// Grey, fitted into 64×64 with the aspect ratio kept, centred; inverted when `invert`.
GreyImage clipFrame(const VideoFrame& f, bool invert)
{
    cv::Mat rgb(f.height, f.width, CV_8UC3, const_cast<uint8_t*>(f.rgb.data())), grey, small;
    cv::cvtColor(rgb, grey, cv::COLOR_RGB2GRAY);
    const double scale = double(kClipSize) / std::max(f.width, f.height);
    const int w = std::clamp(int(std::lround(f.width * scale)), 1, kClipSize), h = std::clamp(int(std::lround(f.height * scale)), 1, kClipSize);
    cv::resize(grey, small, cv::Size(w, h), 0, 0, cv::INTER_AREA);
    GreyImage g{kClipSize, kClipSize, std::vector<float>(size_t(kClipSize) * kClipSize, 0.0f)};
    const int ox = (kClipSize - w) / 2, oy = (kClipSize - h) / 2;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const float v = small.at<uint8_t>(y, x) / 255.0f;
            g.pixels[size_t((oy + y) * kClipSize + ox + x)] = invert ? 1.0f - v : v;
        }
    return g;
}

bool lightBackground(const VideoFrame& f)
{
    double sum = 0;
    int n = 0;
    auto px = [&](int x, int y) {
        const uint8_t* p = f.rgb.data() + (size_t(y) * size_t(f.width) + size_t(x)) * 3;
        sum += 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
        ++n;
    };
    for (int x = 0; x < f.width; ++x) px(x, 0), px(x, f.height - 1);
    for (int y = 0; y < f.height; ++y) px(0, y), px(f.width - 1, y);
    return n > 0 && sum / n > 127.5;
}
} // namespace

Status videoInput(VideoReader& reader, ClipInput& out, const ProgressFn& progress)
{
    if (!reader.isOpen()) return Status::error("no video open");
    ClipInput in;
    in.source = reader.info().path;
    in.frameIndices = sampleFrameIndices(reader.info().frameCount, kClipSamples);
    if (int(in.frameIndices.size()) != kClipSamples) return Status::error("the video has no frames");
    bool invert = false;
    for (int i = 0; i < kClipSamples; ++i) {
        if (!keepGoing(progress, i, kClipSamples)) return Status::error("cancelled");
        const int f = in.frameIndices[size_t(i)];
        VideoFrame cur, prev;
        if (auto st = reader.frame(std::max(0, f - 1), prev); !st) return st;
        if (auto st = reader.frame(f, cur); !st) return st;
        if (i == 0) invert = lightBackground(cur);
        in.previous.push_back(clipFrame(prev, invert));
        in.frames.push_back(clipFrame(cur, invert));
    }
    keepGoing(progress, kClipSamples, kClipSamples);
    out = std::move(in);
    return Status::success();
}

} // namespace attnscope
