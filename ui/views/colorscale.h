#pragma once
// Colour scaling for long attention matrices. At 4k–32k tokens a few keys take most of every
// row's mass (attention sinks, Xiao et al. 2023), so a linear scale from 0 to the largest
// weight shows those columns and little else. The modes:
//   linear      0 … the largest weight drawn
//   log         10^-decades × top … top, logarithmic (weights below are the lowest colour)
//   row         each row divided by its own largest weight (per-row normalised), 0 … 1
//   percentile  0 … the p-th percentile of the weights drawn, larger ones clipped to the top
#include <QImage>
#include <QString>
#include <QVector>

#include <cstdint>

class QComboBox;
class QPainter;
class QPalette;
class QWidget;
class QRect;

namespace attnscope::ui {

enum class ScaleMode { Linear, Log, PerRow, Percentile };
/// "linear", "log", "row", "percentile".
QString scaleModeName(ScaleMode m);
bool parseScaleMode(const QString& name, ScaleMode& out);
/// A selector of the four modes ("Linear", "Log", "Per row", "Clip at percentile"), each
/// item's data the int of its ScaleMode; `objectName` "colorScale".
QComboBox* newScaleModeBox(QWidget* parent);

struct ColorScale {
    ScaleMode mode = ScaleMode::Linear;
    double percentile = 99.0;  ///< Percentile: the clip point, 50 … 100
    double decades = 4.0;      ///< Log: powers of ten below the top that get colours
    double top = 1.0;          ///< the weight at the top colour (1 in row mode)

    /// Sets `top` from the weights drawn: their maximum, or the percentile (row mode: 1).
    void fit(const float* values, int64_t n);
    /// 0 … 1 on the colour bar for weight v (already divided by its row's maximum in row mode).
    double position(double v) const;
    /// The weight at bar position t (0 … 1), for the bar's numbers.
    double valueAt(double t) const;
    /// For the figure's note: "linear, 0 – 0.83", "log, 1e-4 × 0.83 – 0.83", "per row", "clipped at the 99th percentile (0.021)".
    QString describe() const;
};

/// Colours w × h weights (row-major) through `table` (256 entries). Row mode divides row y
/// by rowNorm[y] (null: the row's own largest value).
QImage colorize(const float* values, int w, int h, const ColorScale& scale, const QVector<QRgb>& table,
                const float* rowNorm = nullptr);
/// The same into `image`, whose buffer is reused when it is already w × h (a view's frames).
void colorizeInto(QImage& image, const float* values, int w, int h, const ColorScale& scale, const QVector<QRgb>& table,
                  const float* rowNorm = nullptr);

/// A number for a colour bar or tooltip: 3 significant digits, scientific below 0.001.
QString weightText(double v);
/// A token index or count with thin spaces between thousands: "32 768".
QString countText(int64_t v);
/// A tick step of 1, 2 or 5 × 10^k at least `minimum` long (token indices on axes).
int64_t niceStep(double minimum);
/// The colour bar of `scale`: `table` from bottom to top in `bar`, five values to its right
/// (row mode: 0 … 1 of each row's maximum).
void paintScaleBar(QPainter& p, const QRect& bar, const ColorScale& scale, const QVector<QRgb>& table, const QPalette& palette);

} // namespace attnscope::ui
