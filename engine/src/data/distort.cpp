// Distorted Fashion-MNIST in the spirit of the distorted-MNIST experiments of Jaderberg et
// al. 2015 (§4.1): rotated (R), rotated–translated–scaled (RTS) and cluttered. OpenCV warps.
#include "attnscope/stn.h"

#include "attnscope/imagemodel.h"
#include "data/imagefile.h"

#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <filesystem>
#include <random>

namespace attnscope {

const char* distortionName(Distortion d)
{
    switch (d) {
    case Distortion::R: return "R";
    case Distortion::RTS: return "RTS";
    default: return "cluttered";
    }
}

bool parseDistortion(const std::string& s, Distortion& out)
{
    if (s == "R" || s == "r") out = Distortion::R;
    else if (s == "RTS" || s == "rts") out = Distortion::RTS;
    else if (s == "cluttered") out = Distortion::Cluttered;
    else return false;
    return true;
}

int canvasSize(Distortion d) { return d == Distortion::R ? 28 : d == Distortion::RTS ? 42 : 60; }

namespace {
cv::Mat itemMat(const FashionMnist& set, int index)
{
    cv::Mat m(28, 28, CV_8U, const_cast<uint8_t*>(set.images.image(index)));
    cv::Mat f;
    m.convertTo(f, CV_32F, 1.0 / 255.0);
    return f;
}

GreyImage toGrey(const cv::Mat& m)
{
    GreyImage g;
    g.width = m.cols;
    g.height = m.rows;
    g.pixels.resize(size_t(m.cols) * size_t(m.rows));
    for (int y = 0; y < m.rows; ++y)
        for (int x = 0; x < m.cols; ++x) g.pixels[size_t(y * m.cols + x)] = std::clamp(m.at<float>(y, x), 0.0f, 1.0f);
    return g;
}

/// The item rotated by `deg` and scaled about its centre, its centre moved to (cx, cy) of a
/// canvas×canvas image (bilinear, zero border).
cv::Mat place(const cv::Mat& item, double deg, double scale, double cx, double cy, int canvas)
{
    cv::Mat M = cv::getRotationMatrix2D(cv::Point2f(13.5f, 13.5f), deg, scale);
    M.at<double>(0, 2) += cx - 13.5;
    M.at<double>(1, 2) += cy - 13.5;
    cv::Mat out;
    cv::warpAffine(item, out, M, cv::Size(canvas, canvas), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
    return out;
}
} // namespace

GreyImage distortedSample(const FashionMnist& set, int index, Distortion d, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    auto uni = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
    const cv::Mat item = itemMat(set, index);
    const int n = canvasSize(d);
    if (d == Distortion::R) return toGrey(place(item, uni(-90, 90), 1.0, 13.5, 13.5, n));
    if (d == Distortion::RTS) {
        const double deg = uni(-45, 45), s = uni(0.7, 1.2);
        return toGrey(place(item, deg, s, uni(14, n - 15), uni(14, n - 15), n));
    }
    // Cluttered: 4–6 random 6×6 crops of other items, then the item itself (max blend).
    cv::Mat canvas = cv::Mat::zeros(n, n, CV_32F);
    const int crops = std::uniform_int_distribution<int>(4, 6)(rng);
    for (int k = 0; k < crops; ++k) {
        const int other = std::uniform_int_distribution<int>(0, set.images.count - 1)(rng);
        const cv::Mat src = itemMat(set, other);
        const int sx = std::uniform_int_distribution<int>(4, 18)(rng), sy = std::uniform_int_distribution<int>(4, 18)(rng);
        const int dx = std::uniform_int_distribution<int>(0, n - 6)(rng), dy = std::uniform_int_distribution<int>(0, n - 6)(rng);
        cv::Mat roi = canvas(cv::Rect(dx, dy, 6, 6));
        cv::max(roi, src(cv::Rect(sx, sy, 6, 6)), roi);
    }
    const int x = std::uniform_int_distribution<int>(0, n - 28)(rng), y = std::uniform_int_distribution<int>(0, n - 28)(rng);
    cv::Mat roi = canvas(cv::Rect(x, y, 28, 28));
    cv::max(roi, item, roi);
    return toGrey(canvas);
}

GreyImage distortedTestSample(const FashionMnist& test, int index, Distortion d)
{
    return distortedSample(test, index, d, 1'000'003ull * uint64_t(index) + uint64_t(d));
}

GreyImage distortImage(const GreyImage& item, double rotationDeg, double scale, double dx, double dy, int canvas)
{
    cv::Mat m(item.height, item.width, CV_32F, const_cast<float*>(item.pixels.data()));
    cv::Mat src;
    if (item.width != 28 || item.height != 28) cv::resize(m, src, cv::Size(28, 28), 0, 0, cv::INTER_AREA);
    else src = m.clone();
    canvas = std::max(canvas, 28);
    return toGrey(place(src, rotationDeg, scale, (canvas - 1) / 2.0 + dx, (canvas - 1) / 2.0 + dy, canvas));
}

Status stnInputFromFile(const std::string& path, int canvas, StnInput& out)
{
    cv::Mat img;
    std::string warning;
    if (auto st = decodeImageFile(path, img, &warning); !st) return st;
    if (!warning.empty()) out.warnings.push_back(warning);
    PreparedImage item, scene;
    if (auto st = prepareDecoded(img.clone(), path, item, 28, true); !st) return st;
    if (auto st = prepareDecoded(img, path, scene, canvas, false); !st) return st;
    out.item = {28, 28, item.pixels};
    out.scene = {canvas, canvas, scene.pixels};
    out.description = std::filesystem::u8path(path).filename().u8string();
    return Status::success();
}

Status stnInputFromTest(const FashionMnist& test, int index, Distortion d, StnInput& out)
{
    if (index < 0 || index >= test.images.count)
        return Status::error("the test set has images 0–" + std::to_string(test.images.count - 1) + "; there is no #" + std::to_string(index));
    out.item = toGrey(itemMat(test, index));
    out.scene = distortedTestSample(test, index, d);
    out.description = "test #" + std::to_string(index) + " (" + fashionMnistClasses()[test.labels[size_t(index)]] + "), " +
                      distortionName(d) + "-distorted";
    return Status::success();
}

void applyDistortion(StnInput& in, double rotationDeg, double scale, double dx, double dy)
{
    in.scene = distortImage(in.item, rotationDeg, scale, dx, dy, in.scene.width);
    char buf[120];
    std::snprintf(buf, sizeof buf, "; rotated %.0f°, scaled %.2f, shifted (%.0f, %.0f) instead", rotationDeg, scale, dx, dy);
    in.description += buf;
}

} // namespace attnscope
