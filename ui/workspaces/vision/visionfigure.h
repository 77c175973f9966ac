#pragma once
// The figure of a vision trace (the Vision workspace's Export view and `attnscope run
// MODEL.onnx IMAGE --out FIG.png`): the model and what it read (CTC text), and the picture with
// the chosen map over it (a patch's attention, attention received, CLS, rollout, a model map).
#include "attnscope/trace.h"
#include "views/figurewriter.h"
#include "workspaces/vision/visionmaps.h"

namespace attnscope::ui {

/// The figure; BuiltFigure::none with the reason when the view cannot be drawn.
BuiltFigure buildVisionFigure(const AttentionTrace& trace, const VisionView& view, const QString& colorMap = "viridis");

/// A one-line heading: model, input, the decoded text (CTC), attention found.
QString visionHeading(const AttentionTrace& trace);

} // namespace attnscope::ui
