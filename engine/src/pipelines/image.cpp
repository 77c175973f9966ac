// The image pipeline: an image file or a Fashion-MNIST test image through a channel-attention
// classifier (SE / ECA / CBAM blocks, or none).
#include "attnscope/pipelines.h"

#include "attnscope/familiarity.h"
#include "attnscope/schema.h"
#include "attnscope/visionmodel.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace attnscope {

namespace {
/// A vision model (PaddleOCR's detector or recogniser, an ONNX model) in the Image workspace:
/// its SE gates become the blocks of the channel views (same trace names), its picture the
/// input, what it read or mapped the prediction. A Fashion-MNIST test image goes in from memory.
Status runVisionAsImage(ModelCache& cache, const ImageRequest& req, ImageResult& out, const ProgressFn& cancel)
{
    Status st;
    auto image = std::make_shared<PreparedImage>();
    VisionResult r;
    cv::Mat original;
    if (req.path.empty()) {
        // A Fashion-MNIST test image goes in from memory, dark ink on white as a photo or a page
        // would have it.
        auto test = fashionMnistTest(cache, st);
        if (!test) return st;
        PreparedImage item;
        if (st = prepareFashionMnist(*test, req.testIndex, "test", item); !st) return st;
        cv::Mat grey(item.size, item.size, CV_32F, item.pixels.data());
        cv::Mat ink, bgr;
        grey.convertTo(ink, CV_8U, 255.0);
        cv::cvtColor(255 - ink, bgr, cv::COLOR_GRAY2BGR);
        image->label = item.label;
        image->source = item.source;
        Status ms;
        auto m = cache.acquire<VisionModel>(req.model, ms);
        if (!m) return ms;
        if (!keepGoing(cancel, 0, 1)) return Status::error("cancelled");
        m->setSelectedAttention({});  // all of its attention, as runVision asks for an empty request
        r.trace = std::make_shared<AttentionTrace>();
        const std::vector<uint8_t> bytes(bgr.data, bgr.data + bgr.total() * 3);
        if (st = m->runPicture(bytes, bgr.cols, bgr.rows, item.source, *r.trace, cancel); !st) return st;
        original = bgr;
    } else {
        image->source = req.path;
        VisionRequest vr;
        vr.model = req.model;
        vr.path = req.path;
        if (st = runVision(cache, vr, r, cancel); !st) return st;
        original = cv::imread(req.path, cv::IMREAD_UNCHANGED);
    }
    AttentionTrace& t = *r.trace;
    const TraceTensor* pic = t.find(schema::vision::kPicture);
    if (!pic) return Status::error(req.model + " gave no picture");
    const int h = int(pic->shape[0]), w = int(pic->shape[1]);
    cv::Mat rgb(h, w, CV_32FC3, const_cast<float*>(pic->values.data()));
    cv::Mat rgb8, grey;
    rgb.convertTo(rgb8, CV_8UC3);
    image->originalWidth = original.empty() ? w : original.cols;
    image->originalHeight = original.empty() ? h : original.rows;
    image->originalFormat = "as " + req.model + " reads it: " + std::to_string(w) + "×" + std::to_string(h);
    const double scale = std::min(1.0, 512.0 / std::max(w, h));
    cv::Mat preview;
    cv::resize(rgb8, preview, cv::Size(std::max(1, int(w * scale)), std::max(1, int(h * scale))), 0, 0, cv::INTER_AREA);
    image->preview.assign(preview.data, preview.data + preview.total() * 3);
    image->previewWidth = preview.cols;
    image->previewHeight = preview.rows;
    // The model input as the 28×28 "input" view (grey, 1 = dark).
    cv::cvtColor(rgb8, grey, cv::COLOR_RGB2GRAY);
    cv::Mat small;
    cv::resize(grey, small, cv::Size(28, 28), 0, 0, cv::INTER_AREA);
    small.convertTo(small, CV_32F, -1.0 / 255.0, 1.0);
    image->size = 28;
    image->pixels.assign(small.ptr<float>(), small.ptr<float>() + 28 * 28);
    image->notes.push_back("converted by the sidecar of " + req.model + " (" + t.meta(schema::vision::kInputSizeMeta) + ")");
    TraceTensor input;
    input.name = schema::image::kInput;
    input.axes = {"row", "col"};
    input.shape = {28, 28};
    input.labels.assign(2, {});
    input.values = image->pixels;
    t.tensors.push_back(std::move(input));
    // The prediction: what it read (CTC), or how much of the picture its map calls text.
    double confidence = 0;
    std::string prediction;
    if (const TraceTensor* ctc = t.find(schema::vision::kCtc)) {
        for (float p : ctc->values) confidence += p / double(ctc->values.size());
        prediction = "reads “" + t.meta(schema::vision::kTextMeta) + "”";
    } else {
        for (const auto& x : t.tensors)
            if (x.name.rfind(schema::vision::kMapPrefix, 0) == 0 && x.shape.size() == 2) {
                double above = 0;
                for (float v : x.values) above += v > 0.5f ? 1 : 0;
                confidence = above / double(std::max<size_t>(1, x.values.size()));
                prediction = x.name.substr(std::string(schema::vision::kMapPrefix).size()) + " > 0.5 on";
                break;
            }
    }
    t.metadata[schema::image::kPredictionMeta] = prediction.empty() ? std::string("(no prediction)") : prediction;
    t.metadata[schema::image::kConfidenceMeta] = std::to_string(confidence);
    t.metadata[schema::image::kBlockMeta] = "SE";
    if (image->label >= 0) t.metadata[schema::image::kLabelMeta] = fashionMnistClasses()[size_t(image->label)];
    out.trace = std::move(r.trace);
    out.image = std::move(image);
    return Status::success();
}
} // namespace

Status runImage(ModelCache& cache, const ImageRequest& req, ImageResult& out, const ProgressFn& cancel)
{
    out = ImageResult{};
    if (isVisionModelName(req.model)) return runVisionAsImage(cache, req, out, cancel);
    Status st;
    auto m = cache.acquire<ImageClassifier>(req.model, st);
    if (!m) return st;
    auto image = std::make_shared<PreparedImage>();
    if (!req.path.empty()) {
        st = prepareImageFile(req.path, *image);
    } else {
        auto test = fashionMnistTest(cache, st);
        if (test) st = prepareFashionMnist(*test, req.testIndex, "test", *image);
    }
    if (!st) return st;
    if (!keepGoing(cancel, 0, 1)) return Status::error("cancelled");
    auto trace = std::make_shared<AttentionTrace>();
    if (st = m->classify(*image, *trace); !st) return st;
    if (!req.path.empty()) {
        // A user's file: say so when it is unlike what the model was trained on.
        for (const auto& w : image->warnings) addTraceWarning(*trace, w);
        auto test = fashionMnistTest(cache, st);
        if (test) {
            const GreyImage input{image->size, image->size, image->pixels};
            addTraceWarning(*trace, familiarity(TrainingDomain::FashionMnistItems, *test, {&input}).warning);
        }
        st = Status::success();
    }
    out.trace = std::move(trace);
    out.image = std::move(image);
    return Status::success();
}

} // namespace attnscope
