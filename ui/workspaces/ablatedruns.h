#pragma once
// An ablated run and the unablated run it is compared with, for every kind whose requests carry
// a head ablation (attnscope/ablation.h): the Vision workspace's ONNX heads, the captioners'
// attention head. The GUI's jobs and `attnscope run` call the same function.
#include "attnscope/ablation.h"
#include "attnscope/pipelines.h"

namespace attnscope::ui {

template <typename Result>
struct AblatedRuns {
    Result result;    ///< as asked (ablated when the request ablates heads)
    Result baseline;  ///< the same input unablated; empty when nothing is ablated
};

/// `run(cache, request, out.result, progress)`, first `run(cache, plain, out.baseline, …)` where
/// `plain` is `request` with `ablationOf(plain)` emptied — only when the request ablates heads.
/// Errors: `run`'s.
template <typename Result, typename Request, typename Run, typename AblationOf>
Status runWithBaseline(ModelCache& cache, const Request& request, AblationOf ablationOf, Run run, AblatedRuns<Result>& out,
                       const ProgressFn& progress)
{
    out = AblatedRuns<Result>{};
    Request plain = request;
    HeadAblation& a = ablationOf(plain);
    if (!a.empty()) {
        a = HeadAblation{};
        if (auto st = run(cache, plain, out.baseline, progress); !st) return st;
    }
    return run(cache, request, out.result, progress);
}

/// The captioners' attention head (CaptionOptions::ablation): runCaption / runVideoCaption with
/// their unablated baselines.
inline Status runCaptionAblated(ModelCache& cache, const CaptionRequest& request, AblatedRuns<CaptionResult>& out,
                                const ProgressFn& progress = {})
{
    return runWithBaseline(
        cache, request, [](CaptionRequest& r) -> HeadAblation& { return r.options.ablation; },
        [](ModelCache& c, const CaptionRequest& r, CaptionResult& o, const ProgressFn& p) { return runCaption(c, r, o, p); }, out, progress);
}
inline Status runVideoAblated(ModelCache& cache, const VideoCaptionRequest& request, AblatedRuns<VideoCaptionResult>& out,
                              const ProgressFn& progress = {})
{
    return runWithBaseline(
        cache, request, [](VideoCaptionRequest& r) -> HeadAblation& { return r.options.ablation; },
        [](ModelCache& c, const VideoCaptionRequest& r, VideoCaptionResult& o, const ProgressFn& p) { return runVideoCaption(c, r, o, p); },
        out, progress);
}

} // namespace attnscope::ui
