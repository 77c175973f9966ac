#pragma once
// How a picture becomes a vision model's input tensor, from the sidecar's image fields
// (engine-internal: OpenCV and LibTorch types). Shared by TorchScript and ONNX vision models.
#include "attnscope/scriptmodel.h"

#include <opencv2/core.hpp>
#include <torch/torch.h>

namespace attnscope {

struct VisionInput {
    torch::Tensor pixels;          ///< [C, H, W] float32, normalised, padded
    int height = 0, width = 0;     ///< the model input's size (H, W)
    int contentWidth = 0;          ///< columns holding the picture (the rest is right-padding)
    cv::Mat rgb;                   ///< the picture as the model saw it, RGB8, height × contentWidth
};

/// Converts a decoded image (OpenCV BGR / BGRA / grey, any depth) the way `spec` says:
///  - "stretch": resized to size (OpenCV area filter when shrinking, bilinear when enlarging);
///  - "keep_aspect": height = size[0], width = ⌈H·w/h⌉ (bilinear), the input width
///    max(size[1], that) capped at max_side, right-padded with 0 after normalisation —
///    PaddleOCR's recogniser (tools/infer/predict_rec.py, resize_norm_img);
///  - "limit": scaled so the longest side is at most max_side, each side then rounded to a
///    multiple of "multiple" (at least one multiple), bilinear — PaddleOCR's detector
///    (ppocr/data/imaug/operators.py, DetResizeForTest with limit_type "max").
/// Then RGB (or BGR with "order": "BGR") or grey, x/255, (x − mean)/std per channel.
/// Errors: an empty image.
Status prepareVisionInput(cv::Mat image, const ScriptModelSpec& spec, VisionInput& out);

} // namespace attnscope
