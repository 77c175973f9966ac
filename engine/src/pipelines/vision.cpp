// The vision pipeline: a picture through a vision model the user brings (attnscope/visionmodel.h).
#include "attnscope/pipelines.h"
#include "attnscope/visionmodel.h"

namespace attnscope {

Status runVision(ModelCache& cache, const VisionRequest& req, VisionResult& out, const ProgressFn& cancel)
{
    out = VisionResult{};
    Status st;
    auto m = cache.acquire<VisionModel>(req.model, st);
    if (!m) return st;
    if (!keepGoing(cancel, 0, 1)) return Status::error("cancelled");
    m->setSelectedAttention(req.attention);
    auto trace = std::make_shared<AttentionTrace>();
    if (st = m->run(req.path, *trace, cancel, req.ablation.empty() ? nullptr : &req.ablation); !st) return st;
    out.trace = std::move(trace);
    return Status::success();
}

} // namespace attnscope
