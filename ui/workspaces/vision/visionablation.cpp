#include "workspaces/vision/visionablation.h"

#include "attnscope/schema.h"

#include <cmath>

namespace attnscope::ui {

Status runVisionAblated(ModelCache& cache, const VisionRequest& request, AblatedVision& out, const ProgressFn& progress)
{
    return runWithBaseline(
        cache, request, [](VisionRequest& r) -> HeadAblation& { return r.ablation; },
        [](ModelCache& c, const VisionRequest& r, VisionResult& o, const ProgressFn& p) { return runVision(c, r, o, p); }, out, progress);
}

double ctcConfidence(const AttentionTrace& trace)
{
    const TraceTensor* c = trace.find(schema::vision::kCtc);
    if (!c || c->values.empty()) return std::nan("");
    double sum = 0;
    for (float v : c->values) sum += v;
    return sum / double(c->values.size());
}

std::string visionOutputText(const AttentionTrace& trace)
{
    if (trace.find(schema::vision::kCtc)) return trace.meta(schema::vision::kTextMeta);
    return trace.meta(schema::vision::kPredictionMeta);
}

} // namespace attnscope::ui
