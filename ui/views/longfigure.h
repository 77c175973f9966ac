#pragma once
// The figure of a long attention matrix (4k–32k tokens): the matrix at one pixel per block of
// cells (each pixel the max — or mean — of its block), token-index axes (tokens when the cells
// are large enough to hold them), a title, a colour bar for the chosen colour scale and a note
// saying what a pixel is. `attnscope render|import` of large matrices and the Long attention
// workspace's Export view draw it; it reads only the blocks it draws (the pyramid level of a
// tiled trace, or one pass over a memory-mapped dump).
#include "attnscope/longattention.h"
#include "views/colorscale.h"
#include "views/figurewriter.h"

#include <QImage>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <functional>

namespace attnscope::ui {

struct LongFigureOptions {
    QString title;                          ///< drawn above the matrix
    QString colorMap = "viridis";
    ColorScale scale;                       ///< fitted to the blocks drawn (unless row mode)
    BlockReduce reduce = BlockReduce::Max;  ///< what a pixel shows when it covers several cells
    int maxSide = 1024;                     ///< at most this many blocks on the longer side
    /// The region of cells drawn (empty: the whole matrix).
    int64_t row0 = 0, col0 = 0, rows = 0, cols = 0;
    QStringList rowLabels, colLabels;       ///< tokens of all rows / columns (optional)
    QString rowAxis = "query", colAxis = "key";
    QString note;                           ///< added to the note under the matrix
};

/// What the figure draws, read from a matrix by buildLongFigure.
struct LongFigureData {
    QImage heat;        ///< one pixel per block, coloured
    int64_t block = 1;  ///< cells per pixel side
    int64_t row0 = 0, col0 = 0, rows = 0, cols = 0;  ///< the cells drawn
    QStringList rowLabels, colLabels;                ///< per drawn row / column when block is 1
    QString title, note, rowAxis, colAxis;
    ColorScale scale;
    QVector<QRgb> table;
};

/// A figure widget for figurewriter (paper colours).
class LongMatrixFigure : public QWidget {
public:
    explicit LongMatrixFigure(LongFigureData data, QWidget* parent = nullptr);
    QSize sizeHint() const override;
    const LongFigureData& data() const { return d_; }
    /// Pixels per block on screen (≥ 1: small regions are enlarged).
    int zoom() const { return zoom_; }

protected:
    void paintEvent(QPaintEvent*) override;

private:
    LongFigureData d_;
    int zoom_ = 1;
    int left_ = 0, top_ = 0;
};

/// The smallest block size that draws `cells` in at most `maxSide` pixels.
int64_t figureBlock(int64_t cells, int maxSide);
/// Reads the blocks of the region (one readBlocks call) and colours them. `cancel` as readBlocks.
Status buildLongFigure(const AttentionMatrix& m, const LongFigureOptions& options, LongFigureData& out,
                       const ProgressFn& cancel = {});
/// buildLongFigure into a figure widget for writeFigure / renderFigure.
BuiltFigure longFigure(const AttentionMatrix& m, const LongFigureOptions& options, QString* error);

} // namespace attnscope::ui
