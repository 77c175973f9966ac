#pragma once
#include "attnscope/trace.h"

#include <QString>

namespace attnscope::ui {
/// Renders the alignment matrix view of `trace` ("cross") into PNG, SVG or PDF by the
/// extension of `path`. width/height 0 = a size that fits the labels. Returns false with
/// a message in *error on failure (unwritable path, no cross tensor, unknown type).
bool exportTraceFigure(const AttentionTrace& trace, const QString& path, int width, int height, QString* error);

/// Which view of a trace to draw, for traces with [layer, head, query, key] tensors.
struct FigureOptions {
    QString view = "matrix";  ///< matrix (one head, or the 2-D "cross"), grid (all heads), flow (one layer)
    QString kind;             ///< tensor name; empty = "cross" if 2-D, else the first 4-D tensor
    int layer = 0, head = 0;  ///< 0-based
    int width = 0, height = 0;
};
/// Draws the chosen view to PNG, SVG or PDF. False with a message on a bad choice or write error.
bool exportTraceView(const AttentionTrace& trace, const FigureOptions& options, const QString& path, QString* error);
} // namespace attnscope::ui
