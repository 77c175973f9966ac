#pragma once
// A figure of a spatial-transformer result for files (CLI `run fmnist-stn-… --view stn`):
// the input with the sampling frame and grid, the warped output, θ as a matrix and
// decomposed, and the prediction before (θ = identity) and after.
#include "attnscope/stn.h"
#include "attnscope/trace.h"
#include "views/figurewriter.h"

#include <QString>

namespace attnscope::ui {

struct StnFigureOptions {
    int gridLines = 8;
    bool bilinear = true;
    int dpi = 96;
    QString colorMap;  ///< input and warped image drawn through this map; empty = grey
};

/// The figure of exportStnFigure, for rendering (Copy image) or writing.
BuiltFigure buildStnFigure(const AttentionTrace& trace, const AttentionTrace& before, const GreyImage& canvas,
                           const StnFigureOptions& options);

/// `trace` from StnClassifier::classify (with θ), `before` with θ = identity, `canvas` the
/// input. False with a message for a trace without θ (a plain CNN) or a write failure.
bool exportStnFigure(const AttentionTrace& trace, const AttentionTrace& before, const GreyImage& canvas,
                     const StnFigureOptions& options, const QString& path, QString* error);

} // namespace attnscope::ui
