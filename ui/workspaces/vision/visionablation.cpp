#include "workspaces/vision/visionablation.h"

#include "attnscope/schema.h"

#include <cmath>

namespace attnscope::ui {

Status runVisionAblated(ModelCache& cache, const VisionRequest& request, AblatedVision& out, const ProgressFn& progress)
{
    out = AblatedVision{};
    if (!request.ablation.empty()) {
        VisionRequest plain = request;
        plain.ablation = HeadAblation{};
        if (auto st = runVision(cache, plain, out.baseline, progress); !st) return st;
    }
    return runVision(cache, request, out.result, progress);
}

double ctcConfidence(const AttentionTrace& trace)
{
    const TraceTensor* c = trace.find(schema::vision::kCtc);
    if (!c || c->values.empty()) return std::nan("");
    double sum = 0;
    for (float v : c->values) sum += v;
    return sum / double(c->values.size());
}

} // namespace attnscope::ui
