#include "views/colormaps.h"

#include <QPainter>
#include <QPalette>
#include <cmath>
#include <iterator>

#include <array>

namespace attnscope::ui {

namespace {
using Stops = std::array<const char*, 9>;
// Nine evenly spaced samples (0, 1/8, ..., 1) of each map.
constexpr Stops kViridis{"#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"};
constexpr Stops kMagma{"#000004", "#1c1044", "#4f127b", "#812581", "#b5367a", "#e55064", "#fb8761", "#fec287", "#fcfdbf"};
constexpr Stops kGrey{"#000000", "#202020", "#404040", "#606060", "#808080", "#9f9f9f", "#bfbfbf", "#dfdfdf", "#ffffff"};
constexpr Stops kCividis{"#00224e", "#123570", "#3b496c", "#575d6d", "#707173", "#8a8779", "#a69d75", "#c4b56c", "#fee838"};
} // namespace

QStringList colorMapNames() { return {"viridis", "magma", "cividis", "grey"}; }

const Stops& stopsOf(const QString& name)
{
    return name == "magma" ? kMagma : name == "cividis" ? kCividis : name == "grey" ? kGrey : kViridis;
}

namespace {
/// 256 colours linearly interpolated in RGB between evenly spaced stops.
template <typename Container> QVector<QRgb> interpolate(const Container& stops)
{
    const int n = int(std::size(stops));
    QVector<QRgb> table(256);
    for (int i = 0; i < 256; ++i) {
        const double x = i / 255.0 * (n - 1);
        const int a = std::min(int(x), n - 2);
        const double t = x - a;
        const QColor c0(stops[size_t(a)]), c1(stops[size_t(a + 1)]);
        table[i] = qRgb(int(std::lround(c0.red() + t * (c1.red() - c0.red()))), int(std::lround(c0.green() + t * (c1.green() - c0.green()))),
                        int(std::lround(c0.blue() + t * (c1.blue() - c0.blue()))));
    }
    return table;
}
} // namespace

QVector<QRgb> colorTable(const QString& name) { return interpolate(stopsOf(name)); }

QVector<QRgb> divergingTable()
{
    // ColorBrewer RdBu (reversed: blue negative, red positive), colour-blind safe.
    static const std::array<const char*, 7> stops{"#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b"};
    return interpolate(stops);
}

int colorBarWidth(const QFontMetrics& fm) { return 12 + 4 + fm.horizontalAdvance(QStringLiteral("−0.00")) + 4; }

void paintColorBar(QPainter& p, const QRect& bar, const QVector<QRgb>& table, double low, double high, const QPalette& palette)
{
    if (bar.height() < 4 || table.isEmpty()) return;
    const QRect strip(bar.left(), bar.top(), 12, bar.height());
    for (int y = 0; y < strip.height(); ++y) {
        const int index = std::clamp(int(std::lround(255.0 * (strip.height() - 1 - y) / std::max(1, strip.height() - 1))), 0, 255);
        p.fillRect(QRect(strip.left(), strip.top() + y, strip.width(), 1), QColor::fromRgb(table[index % table.size()]));
    }
    p.setPen(palette.mid().color());
    p.setBrush(Qt::NoBrush);
    p.drawRect(strip.adjusted(0, 0, -1, -1));
    p.setPen(palette.text().color());
    const QFontMetrics fm = p.fontMetrics();
    const auto number = [](double v) { return QString::number(v, 'f', 2).replace('-', QChar(0x2212)); };
    const int x = strip.right() + 4;
    p.drawText(QRect(x, strip.top() - 2, bar.width() - 16, fm.height()), Qt::AlignLeft | Qt::AlignTop, number(high));
    p.drawText(QRect(x, strip.center().y() - fm.height() / 2, bar.width() - 16, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
               number((low + high) / 2));
    p.drawText(QRect(x, strip.bottom() - fm.height() + 2, bar.width() - 16, fm.height()), Qt::AlignLeft | Qt::AlignBottom, number(low));
}

QImage tableImage(const float* values, int rows, int cols, const QVector<QRgb>& table, double (*position)(float))
{
    bool allFinite = true;
    for (size_t i = 0, n = size_t(rows) * size_t(cols); i < n && allFinite; ++i) allFinite = std::isfinite(values[i]);
    const auto at = [&](int r, int c) {
        const float v = values[size_t(r) * size_t(cols) + size_t(c)];
        return position ? position(v) : double(v);
    };
    if (allFinite) {
        QImage img(cols, rows, QImage::Format_Indexed8);
        img.setColorTable(table);
        for (int r = 0; r < rows; ++r) {
            uchar* line = img.scanLine(r);
            for (int c = 0; c < cols; ++c) line[c] = uchar(std::max(0, tableIndex(at(r, c))));
        }
        return img;
    }
    QImage img(cols, rows, QImage::Format_ARGB32_Premultiplied);
    for (int r = 0; r < rows; ++r) {
        auto* line = reinterpret_cast<QRgb*>(img.scanLine(r));
        for (int c = 0; c < cols; ++c) line[c] = tableColor(table, at(r, c));
    }
    return img;
}

} // namespace attnscope::ui
