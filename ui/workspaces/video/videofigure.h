#pragma once
// The clip captioner's word × frame attention for files (CLI `run clip-captioner … --view
// video`): the caption, the sampled frames as thumbnails over their columns, the heatmap.
#include "attnscope/trace.h"
#include "attnscope/video.h"
#include "views/figurewriter.h"

#include <QImage>
#include <QString>
#include <QVector>

#include <vector>

namespace attnscope::ui {

/// A grey model frame as an image.
QImage greyImage(const GreyImage& g);
/// The words, the frame of each column and the values of "attention" [word, frame]; false
/// when the trace has none.
bool wordFrameAttention(const AttentionTrace& t, QStringList& words, std::vector<int>& frames, std::vector<float>& values);
/// Writes the figure (PNG, SVG, PDF by extension).
bool exportVideoFigure(const AttentionTrace& trace, const QVector<QImage>& thumbnails, int dpi, const QString& path, QString* error,
                       const QString& colorMap = QStringLiteral("viridis"));
/// The figure of exportVideoFigure, for rendering (Copy image) or writing.
BuiltFigure buildVideoFigure(const AttentionTrace& trace, const QVector<QImage>& thumbnails, const QString& colorMap);

} // namespace attnscope::ui
