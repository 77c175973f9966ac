#include "models/visionprep.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace attnscope {

Status prepareVisionInput(cv::Mat img, const ScriptModelSpec& spec, VisionInput& out)
{
    out = VisionInput{};
    if (img.empty() || img.cols < 1 || img.rows < 1) return Status::error("the image is empty");
    if (img.depth() == CV_16U) img.convertTo(img, CV_8U, 1.0 / 257.0);
    else if (img.depth() != CV_8U) img.convertTo(img, CV_8U, 255.0);
    // Colour order first (OpenCV decodes BGR): RGB for the preview, the model's order for the input.
    cv::Mat rgb, model;
    const int toRgb = img.channels() == 4 ? cv::COLOR_BGRA2RGB : img.channels() == 3 ? cv::COLOR_BGR2RGB : cv::COLOR_GRAY2RGB;
    cv::cvtColor(img, rgb, toRgb);
    int height = spec.height, width = spec.width, content = spec.width;
    int interpolation = cv::INTER_LINEAR;
    if (spec.resize == "keep_aspect") {
        const double ratio = double(img.cols) / double(img.rows);
        content = std::max(1, int(std::ceil(spec.height * ratio)));
        width = std::min(spec.maxSide, std::max(spec.width, content));
        content = std::min(content, width);
    } else if (spec.resize == "limit") {
        const int longest = std::max(img.rows, img.cols);
        const double scale = longest > spec.maxSide ? double(spec.maxSide) / longest : 1.0;
        const auto round = [&](int side) {
            return std::max(spec.multiple, int(std::lround(double(int(side * scale)) / spec.multiple)) * spec.multiple);
        };
        height = round(img.rows);
        width = content = round(img.cols);
    } else if (img.cols > spec.width) {
        interpolation = cv::INTER_AREA;
    }
    cv::resize(rgb, rgb, cv::Size(content, height), 0, 0, interpolation);
    if (spec.channels == 1) cv::cvtColor(rgb, model, cv::COLOR_RGB2GRAY);
    else if (spec.bgr) cv::cvtColor(rgb, model, cv::COLOR_RGB2BGR);
    else model = rgb;
    cv::Mat f;
    model.convertTo(f, CV_32F, 1.0 / 255.0);
    auto t = torch::from_blob(f.ptr<float>(), {height, content, spec.channels}, torch::kFloat32).permute({2, 0, 1}).clone();
    for (int c = 0; c < spec.channels; ++c) t[c].sub_(spec.mean[size_t(c)]).div_(spec.std[size_t(c)]);
    if (content < width) t = torch::constant_pad_nd(t, {0, width - content}, 0.0);
    out.pixels = t.contiguous();
    out.height = height;
    out.width = width;
    out.contentWidth = content;
    out.rgb = rgb;
    return Status::success();
}

} // namespace attnscope
