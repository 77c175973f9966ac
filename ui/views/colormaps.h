#pragma once
// Perceptually uniform colour maps (matplotlib's viridis, magma, cividis; stops sampled
// from the published tables) for QCustomPlot colour maps and cached QImages.
#include <QColor>
#include <QFontMetrics>
#include <QString>
#include <QStringList>
#include <QVector>

#include <QImage>

#include <algorithm>
#include <array>
#include <cmath>

class QCPColorGradient;
class QPainter;
class QPalette;
class QRect;

namespace attnscope::ui {
/// "No value" — a NaN or ±Inf in the data: fully transparent, so the view's background shows
/// (matplotlib's "bad" colour). Never one of the map's colours.
constexpr QRgb kNoValue = 0x00000000;
/// Index into a 256-entry colour table for a position x ∈ [0, 1] (clamped); −1 when x is NaN or
/// infinite.
inline int tableIndex(double x) { return std::isfinite(x) ? std::clamp(int(std::lround(255.0 * x)), 0, 255) : -1; }
/// table[tableIndex(x)], or kNoValue.
inline QRgb tableColor(const QVector<QRgb>& table, double x)
{
    const int i = tableIndex(x);
    return i < 0 ? kNoValue : table[i];
}
/// An 8-bit indexed image of rows × cols values, each at `position(value)` ∈ [0, 1] of `table`.
/// When any value is not finite, the image is ARGB32 instead, those cells kNoValue (an indexed
/// image has no spare colour for them): recolour it by building it again.
QImage tableImage(const float* values, int rows, int cols, const QVector<QRgb>& table, double (*position)(float) = nullptr);
QStringList colorMapNames();  ///< "viridis" (default, colour-blind safe), "magma", "cividis", "grey" (for print)
/// The map as a QCustomPlot gradient (views/colorgradient.cpp, in the widget library).
QCPColorGradient colorGradient(const QString& name);
/// The map's nine evenly spaced stops (0, 1/8, …, 1) as "#rrggbb".
const std::array<const char*, 9>& stopsOf(const QString& name);
/// 256-entry colour table of the map (for colouring cached QImages: index = round(255·w)).
QVector<QRgb> colorTable(const QString& name);
/// Diverging blue–white–red table for differences: index 0 = −1, 128 ≈ 0, 255 = +1.
QVector<QRgb> divergingTable();
/// A vertical colour bar for views painted with QPainter: `table` from `low` (bottom) to `high`
/// (top) filling `bar`, the two values and the middle one written to its right.
void paintColorBar(QPainter& p, const QRect& bar, const QVector<QRgb>& table, double low, double high, const QPalette& palette);
/// Width a colour bar of paintColorBar takes with its numbers (for layouts).
int colorBarWidth(const QFontMetrics& fm);
} // namespace attnscope::ui
