#include "views/colorscale.h"

#include <QComboBox>
#include "views/colormaps.h"

#include <QLocale>
#include <QPainter>
#include <QPalette>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

namespace attnscope::ui {

QComboBox* newScaleModeBox(QWidget* parent)
{
    auto* box = new QComboBox(parent);
    box->addItem(QObject::tr("Linear"), int(ScaleMode::Linear));
    box->addItem(QObject::tr("Log"), int(ScaleMode::Log));
    box->addItem(QObject::tr("Per row"), int(ScaleMode::PerRow));
    box->addItem(QObject::tr("Clip at percentile"), int(ScaleMode::Percentile));
    box->setObjectName("colorScale");
    return box;
}

QString scaleModeName(ScaleMode m)
{
    switch (m) {
    case ScaleMode::Linear: return "linear";
    case ScaleMode::Log: return "log";
    case ScaleMode::PerRow: return "row";
    case ScaleMode::Percentile: return "percentile";
    }
    return "linear";
}

bool parseScaleMode(const QString& name, ScaleMode& out)
{
    const QString n = name.toLower();
    if (n == "linear") out = ScaleMode::Linear;
    else if (n == "log") out = ScaleMode::Log;
    else if (n == "row" || n == "per-row" || n == "perrow") out = ScaleMode::PerRow;
    else if (n == "percentile" || n == "clip") out = ScaleMode::Percentile;
    else return false;
    return true;
}

void ColorScale::fit(const float* v, int64_t n)
{
    if (mode == ScaleMode::PerRow) {
        top = 1.0;
        return;
    }
    double mx = 0;
    for (int64_t i = 0; i < n; ++i) mx = std::max(mx, double(v[i]));
    top = mx > 0 ? mx : 1.0;
    if (mode == ScaleMode::Percentile && n > 0) {
        // The percentile of a sample of at most 1M values (exact below that).
        const int64_t step = std::max<int64_t>(1, n / (1 << 20));
        std::vector<float> s;
        s.reserve(size_t(n / step + 1));
        for (int64_t i = 0; i < n; i += step) s.push_back(v[i]);
        const size_t k = std::min(s.size() - 1, size_t(std::clamp(percentile, 0.0, 100.0) / 100.0 * double(s.size() - 1) + 0.5));
        std::nth_element(s.begin(), s.begin() + long(k), s.end());
        if (s[k] > 0) top = s[k];
    }
}

double ColorScale::position(double v) const
{
    if (!(v > 0) || top <= 0) return 0;
    if (mode == ScaleMode::Log) {
        const double t = 1.0 + std::log10(v / top) / decades;
        return std::clamp(t, 0.0, 1.0);
    }
    return std::clamp(v / top, 0.0, 1.0);
}

double ColorScale::valueAt(double t) const
{
    if (mode == ScaleMode::Log) return t <= 0 ? 0.0 : top * std::pow(10.0, (t - 1.0) * decades);
    return t * top;
}

QString ColorScale::describe() const
{
    switch (mode) {
    case ScaleMode::Linear: return QStringLiteral("linear scale, 0 – %1").arg(weightText(top));
    case ScaleMode::Log: return QStringLiteral("log scale, %1 – %2").arg(weightText(valueAt(0.0001)), weightText(top));
    case ScaleMode::PerRow: return QStringLiteral("each row divided by its largest weight");
    case ScaleMode::Percentile:
        return QStringLiteral("clipped at the %1th percentile (%2)").arg(QString::number(percentile, 'g', 4), weightText(top));
    }
    return {};
}

QImage colorize(const float* v, int w, int h, const ColorScale& s, const QVector<QRgb>& table, const float* rowNorm)
{
    QImage img;
    colorizeInto(img, v, w, h, s, table, rowNorm);
    return img;
}

void colorizeInto(QImage& img, const float* v, int w, int h, const ColorScale& s, const QVector<QRgb>& table, const float* rowNorm)
{
    // ARGB: a NaN / Inf cell is no value (transparent), never a colour of the map.
    if (img.width() != w || img.height() != h || img.format() != QImage::Format_ARGB32_Premultiplied)
        img = QImage(w, h, QImage::Format_ARGB32_Premultiplied);
    if (w <= 0 || h <= 0 || table.size() < 256) return;
    // Linear and percentile: one multiply per cell. Log: the colour index int(255·position(v) + ½)
    // is the number of the 255 weights where it steps up that are ≤ v — a binary search over
    // them instead of a log10 per cell (which was most of a 32k Long view's frame).
    const bool log = s.mode == ScaleMode::Log;
    std::array<double, 255> steps{};
    if (log)
        for (int k = 1; k <= 255; ++k) steps[size_t(k - 1)] = s.top * std::pow(10.0, s.decades * ((k - 0.5) / 255.0 - 1.0));
    const bool logUsable = log && s.top > 0 && s.decades > 0;
    for (int y = 0; y < h; ++y) {
        const float* row = v + int64_t(y) * w;
        auto* out = reinterpret_cast<QRgb*>(img.scanLine(y));
        double norm = 1.0;
        if (s.mode == ScaleMode::PerRow) {
            norm = rowNorm ? double(rowNorm[y]) : double(*std::max_element(row, row + w));
            if (!(norm > 0)) norm = 1.0;
        }
        const double k = 255.0 / (s.mode == ScaleMode::PerRow ? norm : s.top);
        if (!log) {  // the common case, kept to float arithmetic the compiler vectorises
            const float kf = float(k);
            const QRgb* colours = table.constData();
            for (int x = 0; x < w; ++x) {
                const float val = row[x];
                const float t = val > 0.f ? std::min(255.f, val * kf + 0.5f) : 0.f;  // NaN → 0, then …
                out[x] = std::abs(val) < std::numeric_limits<float>::infinity() ? colours[int(t)] : kNoValue;  // … no value
            }
            continue;
        }
        for (int x = 0; x < w; ++x) {
            const double val = row[x];
            if (!std::isfinite(val)) {
                out[x] = kNoValue;
                continue;
            }
            const int i = logUsable ? (val > 0 ? int(std::upper_bound(steps.begin(), steps.end(), val) - steps.begin()) : 0)
                                    : int(255.0 * s.position(val) + 0.5);
            out[x] = table[i];
        }
    }
}

QString weightText(double v)
{
    if (v == 0) return QStringLiteral("0");
    if (std::abs(v) < 1e-3) return QString::number(v, 'e', 1).replace("e-0", "e-").replace('-', QChar(0x2212));
    return QString::number(v, 'g', 3);
}

QString countText(int64_t v)
{
    QLocale c = QLocale::c();
    c.setNumberOptions({});
    return c.toString(qlonglong(v)).replace(',', QChar(0x2009));
}

int64_t niceStep(double minimum)
{
    int64_t step = 1;
    while (true) {
        for (int64_t f : {1, 2, 5})
            if (double(step * f) >= minimum) return step * f;
        step *= 10;
    }
}

void paintScaleBar(QPainter& p, const QRect& bar, const ColorScale& scale, const QVector<QRgb>& table, const QPalette& palette)
{
    for (int y = 0; y < bar.height(); ++y) {
        const int i = std::clamp(int(std::lround(255.0 * (bar.height() - 1 - y) / std::max(1, bar.height() - 1))), 0, 255);
        p.fillRect(QRect(bar.left(), bar.top() + y, bar.width(), 1), QColor::fromRgb(table.value(i)));
    }
    p.setPen(palette.mid().color());
    p.setBrush(Qt::NoBrush);
    p.drawRect(bar.adjusted(0, 0, -1, -1));
    p.setPen(palette.text().color());
    const QFontMetrics fm = p.fontMetrics();
    for (int k = 0; k <= 4; ++k) {
        const double t = k / 4.0;
        const int y = bar.bottom() - int(t * (bar.height() - 1));
        const QString text = scale.mode == ScaleMode::PerRow ? QString::number(t, 'g', 2) : weightText(scale.valueAt(t));
        p.drawText(QRect(bar.right() + 5, y - fm.height() / 2, fm.horizontalAdvance(QStringLiteral("0.000e−00")) + 8, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, text);
    }
}

} // namespace attnscope::ui
