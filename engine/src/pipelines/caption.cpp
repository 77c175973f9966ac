// The captioning pipeline: a generated test scene or an image file through the scene
// captioner (soft or hard attention, greedy, beam or forced decoding).
#include "attnscope/pipelines.h"

#include "attnscope/familiarity.h"
#include "attnscope/schema.h"

namespace attnscope {

Status runCaption(ModelCache& cache, const CaptionRequest& req, CaptionResult& out, const ProgressFn& cancel)
{
    out = CaptionResult{};
    Status st;
    auto m = cache.acquire<SceneCaptioner>(req.model, st);
    if (!m) return st;
    GreyImage scene;
    if (!req.path.empty()) {
        auto image = std::make_shared<PreparedImage>();
        if (st = loadSceneImage(req.path, *image); !st) return st;
        scene = sceneInput(*image);
        out.image = std::move(image);
        out.source = req.path;
    } else {
        if (req.sceneIndex < 0) return Status::error("scene numbers start at 0");
        auto test = fashionMnistTest(cache, st);
        if (!test) return st;
        out.gold = std::make_shared<Scene>(testScene(*test, req.sceneIndex));
        scene = out.gold->image;
        out.source = "test scene " + std::to_string(req.sceneIndex);
    }
    if (!keepGoing(cancel, 0, 1)) return Status::error("cancelled");
    auto trace = std::make_shared<AttentionTrace>();
    if (st = m->caption(scene, req.options, *trace); !st) return st;
    trace->metadata[schema::kInputMeta] = out.source;
    if (out.image) {
        for (const auto& w : out.image->warnings) addTraceWarning(*trace, w);
        if (auto test = fashionMnistTest(cache, st)) addTraceWarning(*trace, familiarity(TrainingDomain::Scenes, *test, {&scene}).warning);
        st = Status::success();
    }
    out.trace = std::move(trace);
    return Status::success();
}

} // namespace attnscope
