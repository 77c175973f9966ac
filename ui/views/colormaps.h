#pragma once
// Perceptually uniform colour maps (matplotlib's viridis, magma, cividis; stops sampled
// from the published tables) for QCustomPlot colour maps and cached QImages.
#include <QColor>
#include <QString>
#include <QStringList>
#include <QVector>

class QCPColorGradient;

namespace attnscope::ui {
QStringList colorMapNames();  ///< "viridis" (default, colour-blind safe), "magma", "cividis"
QCPColorGradient colorGradient(const QString& name);
/// 256-entry colour table of the map (for colouring cached QImages: index = round(255·w)).
QVector<QRgb> colorTable(const QString& name);
/// Diverging blue–white–red table for differences: index 0 = −1, 128 ≈ 0, 255 = +1.
QVector<QRgb> divergingTable();
} // namespace attnscope::ui
