#pragma once
// Figures of an image-classifier trace for files (CLI `run fmnist-* IMAGE --view ...` and
// exports): "channels" — per block the excitation bar chart and the feature maps of the most
// and least excited channels; "spatial" — CBAM's spatial map of every block over the input.
#include "attnscope/imagemodel.h"
#include "attnscope/trace.h"

#include <QString>

namespace attnscope::ui {

struct ImageFigureOptions {
    QString view = "channels";  ///< channels | spatial
    int block = -1;             ///< 0-based block, −1 = every block
    bool sorted = false;        ///< channels sorted by excitation
    double opacity = 0.6;       ///< spatial: map opacity over the image
    int dpi = 96;
    QString colorMap = "viridis";
};

/// Writes the figure as PNG, SVG or PDF (by extension). False with a message in *error for an
/// unknown view, a block the model does not have, a spatial view of a model without spatial
/// attention, or a write failure.
bool exportImageFigure(const AttentionTrace& trace, const PreparedImage& image, const ImageFigureOptions& options,
                       const QString& path, QString* error);

} // namespace attnscope::ui
