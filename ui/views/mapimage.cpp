#include "views/mapimage.h"
#include "views/colormaps.h"

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

std::vector<float> upsampleMap(const std::vector<float>& values, int rows, int cols, QSize target, double sigmaCells)
{
    const int W = target.width(), H = target.height();
    if (rows < 1 || cols < 1 || W < 1 || H < 1 || values.size() != size_t(rows) * size_t(cols)) return {};
    std::vector<float> out(size_t(W) * size_t(H));
    for (int y = 0; y < H; ++y) {
        const double fy = std::clamp((y + 0.5) * rows / H - 0.5, 0.0, double(rows - 1));
        const int y0 = int(fy), y1 = std::min(y0 + 1, rows - 1);
        const double wy = fy - y0;
        for (int x = 0; x < W; ++x) {
            const double fx = std::clamp((x + 0.5) * cols / W - 0.5, 0.0, double(cols - 1));
            const int x0 = int(fx), x1 = std::min(x0 + 1, cols - 1);
            const double wx = fx - x0;
            const auto v = [&](int r, int c) { return double(values[size_t(r) * size_t(cols) + size_t(c)]); };
            out[size_t(y) * size_t(W) + size_t(x)] =
                float((1 - wy) * ((1 - wx) * v(y0, x0) + wx * v(y0, x1)) + wy * ((1 - wx) * v(y1, x0) + wx * v(y1, x1)));
        }
    }
    if (sigmaCells > 0) {
        // Separable Gaussian, σ in target pixels per direction, kernel ±3σ, edges clamped.
        auto blur = [&](int n, int stride, int lines, int lineStride, double sigma) {
            const int radius = std::max(1, int(std::ceil(3 * sigma)));
            std::vector<double> k(size_t(2 * radius + 1));
            double sum = 0;
            for (int i = -radius; i <= radius; ++i) sum += k[size_t(i + radius)] = std::exp(-0.5 * i * i / (sigma * sigma));
            for (auto& w : k) w /= sum;
            std::vector<float> line(static_cast<size_t>(n));
            for (int l = 0; l < lines; ++l) {
                float* base = out.data() + size_t(l) * size_t(lineStride);
                for (int i = 0; i < n; ++i) line[size_t(i)] = base[size_t(i) * size_t(stride)];
                for (int i = 0; i < n; ++i) {
                    double acc = 0;
                    for (int j = -radius; j <= radius; ++j) acc += k[size_t(j + radius)] * line[size_t(std::clamp(i + j, 0, n - 1))];
                    base[size_t(i) * size_t(stride)] = float(acc);
                }
            }
        };
        blur(W, 1, H, W, sigmaCells * W / cols);
        blur(H, W, W, 1, sigmaCells * H / rows);
    }
    return out;
}

QImage smoothMapImage(const std::vector<float>& values, int rows, int cols, QSize target, const QVector<QRgb>& table, float lo,
                      float hi, double sigmaCells)
{
    // Smooth at no more than 16 pixels per map cell (the filtered map has no finer detail),
    // then scale to the target: a click on a word stays within a few milliseconds.
    const QSize work(std::min(target.width(), std::max(1, cols) * 16), std::min(target.height(), std::max(1, rows) * 16));
    const std::vector<float> up = upsampleMap(values, rows, cols, work, sigmaCells);
    if (up.empty() || table.size() < 256) return {};
    const float span = hi > lo ? hi - lo : 1.0f;
    QImage img(work, QImage::Format_ARGB32_Premultiplied);  // NaN / Inf: no value (transparent)
    for (int y = 0; y < work.height(); ++y) {
        auto* line = reinterpret_cast<QRgb*>(img.scanLine(y));
        for (int x = 0; x < work.width(); ++x)
            line[x] = tableColor(table, (up[size_t(y) * size_t(work.width()) + size_t(x)] - lo) / span);
    }
    return work == target ? img : img.scaled(target, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
}

} // namespace attnscope::ui
