#pragma once
// Reading a captioner trace (attnscope::SceneCaptioner::caption) for the views, and the
// figure of Xu et al. (2015, Fig. 2/3) for files: the scene once per word with that word's
// attention over it, the words under the tiles.
#include "attnscope/schema.h"
#include "attnscope/trace.h"
#include "views/figurewriter.h"
#include "views/mapstripview.h"

#include <QImage>
#include <QString>
#include <QStringList>

#include <vector>

namespace attnscope::ui {

/// The words of the "attention" tensor (its row labels).
QStringList captionWordsOf(const AttentionTrace& t);
/// Word w's attention over the grid as a tile (rows = cols = grid side), id = w. Empty tile
/// (rows = 0) when absent. `tensor` = "attention" or "soft_attention".
MapTile wordAttentionTile(const AttentionTrace& t, int word, const std::string& tensor = schema::caption::kAttention);
/// Every word's tile, captioned with the word.
std::vector<MapTile> wordAttentionTiles(const AttentionTrace& t);
/// The scene the model read ("input" [row, col], values in [0, 1]) as a grey QImage.
QImage sceneImage(const AttentionTrace& t);
/// Per word, a tooltip: "p(word) = …, gate β = …, attention peak at r…c… (α = …)".
QStringList wordTooltips(const AttentionTrace& t);

struct CaptionFigureOptions {
    double opacity = 0.6;
    int columns = 0;   ///< tiles per row (0 = up to 8)
    int dpi = 96;
    QString colorMap = QStringLiteral("viridis");
};
/// The figure of exportCaptionFigure, for rendering (Copy image) or writing.
BuiltFigure buildCaptionFigure(const AttentionTrace& trace, const CaptionFigureOptions& options);
/// Writes the word-by-word figure (PNG, SVG or PDF by extension). False with a message for a
/// trace without an "attention" [word, region] tensor, or a write failure.
bool exportCaptionFigure(const AttentionTrace& trace, const CaptionFigureOptions& options, const QString& path, QString* error);

} // namespace attnscope::ui
