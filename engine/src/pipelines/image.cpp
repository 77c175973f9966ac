// The image pipeline: an image file or a Fashion-MNIST test image through a channel-attention
// classifier (SE / ECA / CBAM blocks, or none).
#include "attnscope/pipelines.h"

#include "attnscope/familiarity.h"

namespace attnscope {

Status runImage(ModelCache& cache, const ImageRequest& req, ImageResult& out, const ProgressFn& cancel)
{
    out = ImageResult{};
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
