#pragma once
// Head ablation of vision models, shared by the Vision workspace and `attnscope run`: the
// picture through the model unablated and then with the heads ablated (VisionModel::run), and
// the recogniser's confidence to compare the two by.
#include "attnscope/pipelines.h"
#include "workspaces/ablatedruns.h"

namespace attnscope::ui {

using AblatedVision = AblatedRuns<VisionResult>;

/// runVision of `request`, first unablated when it ablates heads. Errors: runVision's.
Status runVisionAblated(ModelCache& cache, const VisionRequest& request, AblatedVision& out, const ProgressFn& progress = {});

/// A text recogniser's mean best-class CTC score per step ("ctc"); NaN without one.
double ctcConfidence(const AttentionTrace& trace);

/// The model's output as words: a recogniser's text, or a classifier's predicted class; empty
/// for neither.
std::string visionOutputText(const AttentionTrace& trace);

} // namespace attnscope::ui
