// Image files → classifier input, through OpenCV (decoding, colour, resizing). Qt's
// QImageReader only peeks at the header, so a huge image is refused before it is decoded.
#include "attnscope/imagemodel.h"

#include <algorithm>
#include "data/imagefile.h"

#include <QImageReader>
#include <QString>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <fstream>

namespace attnscope {

namespace {
std::string dims(int w, int h) { return std::to_string(w) + "×" + std::to_string(h); }

/// 8-bit BGR or grey (1 or 3 channels) → RGB888 preview, at most 512 px on the long side.
void makePreview(const cv::Mat& img8, PreparedImage& out)
{
    cv::Mat rgb;
    if (img8.channels() == 1)
        cv::cvtColor(img8, rgb, cv::COLOR_GRAY2RGB);
    else
        cv::cvtColor(img8, rgb, cv::COLOR_BGR2RGB);
    const int longSide = std::max(rgb.cols, rgb.rows);
    if (longSide > 512) {
        const double s = 512.0 / longSide;
        cv::resize(rgb, rgb, cv::Size(std::max(1, int(rgb.cols * s)), std::max(1, int(rgb.rows * s))), 0, 0, cv::INTER_AREA);
    }
    out.previewWidth = rgb.cols;
    out.previewHeight = rgb.rows;
    out.preview.resize(size_t(rgb.cols) * size_t(rgb.rows) * 3);
    for (int y = 0; y < rgb.rows; ++y)
        std::copy(rgb.ptr<uint8_t>(y), rgb.ptr<uint8_t>(y) + rgb.cols * 3, out.preview.data() + size_t(y) * size_t(rgb.cols) * 3);
}
} // namespace

bool isImageModel(const std::string& name)
{
    return name == "fmnist-cnn" || name == "fmnist-se" || name == "fmnist-eca" || name == "fmnist-cbam";
}

namespace {
/// A sentence when the file's bytes end before the format's end marker (partial decode).
std::string truncationWarning(const std::vector<uint8_t>& b, const std::string& path)
{
    const auto endsWith = [&](const char* marker, size_t n, size_t within) {
        const size_t from = b.size() > within ? b.size() - within : 0;
        return std::search(b.begin() + ptrdiff_t(from), b.end(), marker, marker + n,
                           [](uint8_t x, char m) { return x == uint8_t(m); }) != b.end();
    };
    if (b.size() > 3 && b[0] == 0xFF && b[1] == 0xD8 && !endsWith("\xFF\xD9", 2, 65536))
        return path + ": the JPEG data ends early (no end-of-image marker): the file is truncated, and the part "
                      "after the cut is filled in grey";
    if (b.size() > 8 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G' && !endsWith("IEND", 4, 64))
        return path + ": the PNG data ends early (no IEND chunk): the file may be truncated";
    return {};
}
} // namespace

Status decodeImageFile(const std::string& path, cv::Mat& img, std::string* warning)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path p = fs::u8path(path);
    if (!fs::exists(p, ec)) return Status::error(path + ": no such file");
    if (!fs::is_regular_file(p, ec)) return Status::error(path + ": not a file");
    const auto bytes = fs::file_size(p, ec);
    if (ec) return Status::error(path + ": cannot read (" + ec.message() + ")");
    if (bytes == 0) return Status::error(path + ": the file is empty (0 bytes)");
    if (bytes > (uintmax_t(1) << 30)) return Status::error(path + ": file too large for an image (over 1 GiB)");

    // Header peek: refuse what would not fit before decoding it.
    {
        QImageReader reader(QString::fromStdString(path));
        const QSize sz = reader.size();
        if (sz.isValid() && int64_t(sz.width()) * sz.height() > kMaxImagePixels)
            return Status::error(path + ": image is " + dims(sz.width(), sz.height()) + " pixels (" +
                                 std::to_string(int64_t(sz.width()) * sz.height() / 1'000'000) +
                                 " megapixels); AttnScope opens images up to " + std::to_string(kMaxImagePixels / 1'000'000) +
                                 " megapixels — scale it down first");
    }
    std::vector<uint8_t> buf(static_cast<size_t>(bytes));
    {
        std::ifstream f(p, std::ios::binary);
        if (!f.read(reinterpret_cast<char*>(buf.data()), std::streamsize(bytes)))
            return Status::error(path + ": cannot read the file");
    }
    if (warning) *warning = truncationWarning(buf, path);
    try {
        img = cv::imdecode(buf, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        return Status::error(path + ": OpenCV cannot decode it (" + e.msg + ")");
    }
    buf = {};
    if (img.empty()) return Status::error(path + ": not an image OpenCV can decode (PNG, JPEG, BMP, TIFF, WebP, …)");
    if (int64_t(img.cols) * img.rows > kMaxImagePixels)
        return Status::error(path + ": image is " + dims(img.cols, img.rows) + " pixels; AttnScope opens images up to " +
                             std::to_string(kMaxImagePixels / 1'000'000) + " megapixels");
    return Status::success();
}

Status prepareImageFile(const std::string& path, PreparedImage& out, int size, bool cropToItem)
{
    if (size < 8 || size > 1024) return Status::error("model input size must be 8–1024 pixels");
    cv::Mat img;
    std::string warning;
    if (auto st = decodeImageFile(path, img, &warning); !st) return st;
    auto st = prepareDecoded(img, path, out, size, cropToItem);
    if (st && !warning.empty()) out.warnings.push_back(warning);
    return st;
}

Status prepareDecoded(cv::Mat img, const std::string& path, PreparedImage& out, int size, bool cropToItem)
{
    if (size < 8 || size > 1024) return Status::error("model input size must be 8–1024 pixels");
    PreparedImage r;
    r.source = path;
    r.originalWidth = img.cols;
    r.originalHeight = img.rows;
    const int depth = img.depth();
    const char* depthName = depth == CV_8U ? "8-bit" : depth == CV_16U ? "16-bit" : depth == CV_32F ? "32-bit float" : "other depth";
    r.originalFormat = std::string(depthName) + ", " + std::to_string(img.channels()) + (img.channels() == 1 ? " channel" : " channels");
    if (img.channels() != 1 && img.channels() != 3 && img.channels() != 4)
        return Status::error(path + ": " + std::to_string(img.channels()) + " channels are not supported (grey, colour or colour with alpha)");

    // Depth → 8 bits.
    if (depth == CV_16U) {
        img.convertTo(img, CV_8U, 1.0 / 257.0);
        r.notes.push_back("16-bit values scaled to 8 bits");
    } else if (depth == CV_32F || depth == CV_64F) {
        img.convertTo(img, CV_8U, 255.0);
        r.notes.push_back("floating-point values [0, 1] scaled to 8 bits");
    } else if (depth == CV_16S || depth == CV_8S || depth == CV_32S) {
        cv::normalize(img, img, 0, 255, cv::NORM_MINMAX, CV_8U);
        r.notes.push_back("signed values stretched to 0–255");
    }
    // Alpha → composite on white.
    if (img.channels() == 4) {
        cv::Mat bgr(img.rows, img.cols, CV_8UC3);
        for (int y = 0; y < img.rows; ++y) {
            const auto* s = img.ptr<cv::Vec4b>(y);
            auto* d = bgr.ptr<cv::Vec3b>(y);
            for (int x = 0; x < img.cols; ++x) {
                const int a = s[x][3];
                for (int c = 0; c < 3; ++c) d[x][c] = uint8_t((s[x][c] * a + 255 * (255 - a) + 127) / 255);
            }
        }
        img = bgr;
        r.notes.push_back("transparency composited on white");
    }
    makePreview(img, r);
    cv::Mat grey;
    if (img.channels() == 3) {
        cv::cvtColor(img, grey, cv::COLOR_BGR2GRAY);
        r.notes.push_back("colour converted to grey");
    } else {
        grey = img;
    }
    // Light background → invert (the border decides).
    {
        double sum = 0;
        int n = 0;
        for (int x = 0; x < grey.cols; ++x) {
            sum += grey.at<uint8_t>(0, x) + grey.at<uint8_t>(grey.rows - 1, x);
            n += 2;
        }
        for (int y = 0; y < grey.rows; ++y) {
            sum += grey.at<uint8_t>(y, 0) + grey.at<uint8_t>(y, grey.cols - 1);
            n += 2;
        }
        if (sum / n > 127.5) {
            cv::bitwise_not(grey, grey);
            r.notes.push_back("inverted: light background (Fashion-MNIST items are light on black)");
        }
    }
    // Crop to the item (or keep the whole scene), keep the aspect ratio, centre on size×size.
    cv::Rect box(0, 0, grey.cols, grey.rows);
    if (cropToItem) {
        cv::Mat mask;
        cv::threshold(grey, mask, 30, 255, cv::THRESH_BINARY);
        box = cv::boundingRect(mask);
        if (box.area() == 0) {
            box = cv::Rect(0, 0, grey.cols, grey.rows);
            r.notes.push_back("no item found (blank image)");
        } else if (box.size() != grey.size()) {
            r.notes.push_back("cropped to the item's box " + dims(box.width, box.height));
        }
    }
    const cv::Mat item = grey(box);
    const double scale = double(size) / std::max(item.cols, item.rows);
    const int w = std::clamp(int(std::lround(item.cols * scale)), 1, size), h = std::clamp(int(std::lround(item.rows * scale)), 1, size);
    cv::Mat small;
    cv::resize(item, small, cv::Size(w, h), 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    cv::Mat canvas = cv::Mat::zeros(size, size, CV_8U);
    small.copyTo(canvas(cv::Rect((size - w) / 2, (size - h) / 2, w, h)));
    if (item.cols != size || item.rows != size)
        r.notes.push_back("resized " + dims(item.cols, item.rows) + " → " + dims(w, h) + ", centred on " + dims(size, size));
    r.size = size;
    r.pixels.resize(size_t(size) * size_t(size));
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) r.pixels[size_t(y * size + x)] = canvas.at<uint8_t>(y, x) / 255.0f;
    out = std::move(r);
    return Status::success();
}

Status prepareFashionMnist(const FashionMnist& set, int index, const std::string& splitName, PreparedImage& out)
{
    if (index < 0 || index >= set.images.count)
        return Status::error("Fashion-MNIST " + splitName + " has images 0–" + std::to_string(set.images.count - 1) +
                             "; there is no #" + std::to_string(index));
    if (set.images.rows != 28 || set.images.cols != 28) return Status::error("Fashion-MNIST images are not 28×28");
    PreparedImage r;
    r.source = "Fashion-MNIST " + splitName + " #" + std::to_string(index);
    r.originalWidth = r.originalHeight = 28;
    r.originalFormat = "8-bit, 1 channel";
    r.label = set.labels[size_t(index)];
    const uint8_t* px = set.images.image(index);
    r.pixels.resize(28 * 28);
    r.preview.resize(28 * 28 * 3);
    for (size_t i = 0; i < 28 * 28; ++i) {
        r.pixels[i] = px[i] / 255.0f;
        r.preview[3 * i] = r.preview[3 * i + 1] = r.preview[3 * i + 2] = px[i];
    }
    r.previewWidth = r.previewHeight = 28;
    r.notes.push_back("Fashion-MNIST image, used as is");
    out = std::move(r);
    return Status::success();
}

} // namespace attnscope
