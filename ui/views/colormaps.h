#pragma once
// Perceptually uniform colour maps (matplotlib's viridis, magma, cividis; stops sampled
// from the published tables) for QCustomPlot colour maps and cached QImages.
#include <QColor>
#include <QFontMetrics>
#include <QString>
#include <QStringList>
#include <QVector>

#include <array>

class QCPColorGradient;
class QPainter;
class QPalette;
class QRect;

namespace attnscope::ui {
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
