#pragma once
// Figures of translation-style traces (the text workspace's views, `attnscope run|render|import
// --view …`): the alignment matrix of one head, the grid of all heads, the token flow of one
// layer, or two heads compared.
#include "attnscope/headstats.h"
#include "attnscope/trace.h"

#include <QSize>
#include <QString>

namespace attnscope::ui {

/// Renders the alignment matrix view of `trace` ("cross") into PNG, SVG or PDF by the
/// extension of `path`. width/height 0 = a size that fits the labels. Returns false with
/// a message in *error on failure (unwritable path, no cross tensor, unknown type). `title`
/// is drawn above the matrix (AlignmentMatrixView::setTitle).
bool exportTraceFigure(const AttentionTrace& trace, const QString& path, int width, int height, QString* error,
                       int dpi = 96, const QString& title = {});

/// Which view of a trace to draw, for traces with [layer, head, query, key] tensors.
struct FigureOptions {
    QString view = "matrix";  ///< matrix (one head, or the 2-D "cross"), grid (all heads), flow (one layer),
                              ///< compare (head A = kind/layer/head against head B = kind2/layer2/head2)
    HeadRef a;                ///< the head shown (matrix, compare A), the tensor and layer (grid, flow)
    HeadRef b;                ///< compare: head B (of `other` when given)
    int width = 0, height = 0;
    int dpi = 96;             ///< PNG only: pixels = size × dpi / 96
    QString* note = nullptr;  ///< compare: set to what was merged or dropped when two tokenisations met (sharedWordGrid)
};
/// Draws the chosen view to PNG, SVG or PDF. For "compare", head B comes from `other` when
/// it is given (another model's trace over the same tokens), else from `trace`; gold, when
/// `trace` has it, gives each head's AER. False with a message on a bad choice or write error.
bool exportTraceView(const AttentionTrace& trace, const FigureOptions& options, const QString& path, QString* error,
                     const AttentionTrace* other = nullptr);
/// "model · kind L2 H3" / "… L2 mean" / "model · cross": how views and files name one head.
QString headName(const AttentionTrace& trace, const HeadRef& head);

} // namespace attnscope::ui
