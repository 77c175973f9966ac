#pragma once
#include "attnscope/trace.h"

#include <QString>

namespace attnscope::ui {
/// Renders the alignment matrix view of `trace` ("cross") into PNG, SVG or PDF by the
/// extension of `path`. width/height 0 = a size that fits the labels. Returns false with
/// a message in *error on failure (unwritable path, no cross tensor, unknown type).
bool exportTraceFigure(const AttentionTrace& trace, const QString& path, int width, int height, QString* error);
} // namespace attnscope::ui
