#pragma once
// A small attention map (e.g. 7×7 over an 84×84 scene) as a smooth colour image: values
// upsampled bilinearly (cell centres as sample points, edges clamped) and, optionally,
// Gaussian-filtered — as Xu et al. (2015, §5.4) draw their attention figures (upsample, then
// a Gaussian filter) — then coloured from `lo` (index 0) to `hi` (index 255).
#include <QImage>
#include <QSize>
#include <QVector>

#include <vector>

namespace attnscope::ui {

/// `values` rows × cols, row-major. σ of the Gaussian is `sigmaCells` map cells (0 = none).
/// Returns a null image for an empty or inconsistent map.
QImage smoothMapImage(const std::vector<float>& values, int rows, int cols, QSize target, const QVector<QRgb>& table, float lo,
                      float hi, double sigmaCells = 0.0);

/// The upsampled (and filtered) values themselves, target.width() × target.height(), row-major.
std::vector<float> upsampleMap(const std::vector<float>& values, int rows, int cols, QSize target, double sigmaCells);

} // namespace attnscope::ui
