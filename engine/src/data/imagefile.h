#pragma once
// Reading an image file defensively (internal engine header; OpenCV types).
#include "attnscope/status.h"

#include <opencv2/core.hpp>

#include <string>

namespace attnscope {
/// Decodes `path` with OpenCV (IMREAD_UNCHANGED: any depth, 1/3/4 channels). Errors: missing,
/// not a file, 0 bytes, over 1 GiB, more than kMaxImagePixels pixels (checked from the header
/// before decoding where Qt can read it), not an image OpenCV decodes.
/// `warning`, when given, receives a sentence for a file that decodes only in part (a JPEG
/// without its end-of-image marker, a PNG without IEND: OpenCV fills the missing rows grey).
Status decodeImageFile(const std::string& path, cv::Mat& out, std::string* warning = nullptr);

struct PreparedImage;
/// The conversion steps of prepareImageFile on an already decoded image (`img` is modified;
/// pass a clone to keep it). `source` names it in messages and in the result.
Status prepareDecoded(cv::Mat img, const std::string& source, PreparedImage& out, int size, bool cropToItem);
} // namespace attnscope
