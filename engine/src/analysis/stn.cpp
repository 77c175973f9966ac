// θ decomposition and the affine sampler of a Spatial Transformer (Jaderberg et al. 2015),
// in plain C++ so views can warp live while the user drags θ.
#include "attnscope/stn.h"

#include <cmath>

namespace attnscope {

namespace {
constexpr double kPi = 3.14159265358979323846;
}

ThetaParts decomposeTheta(const Theta& t)
{
    // A = [[a, b], [c, d]] = R(φ) · [[sx, sx·k], [0, sy]]: the first column is R(φ)·(sx, 0).
    const double a = t[0], b = t[1], c = t[3], d = t[4];
    ThetaParts p;
    p.scaleX = std::hypot(a, c);
    const double phi = p.scaleX > 0 ? std::atan2(c, a) : 0.0;
    const double cs = std::cos(phi), sn = std::sin(phi);
    const double u = cs * b + sn * d, v = -sn * b + cs * d;  // Rᵀ · second column
    p.rotation = phi * 180.0 / kPi;
    p.shear = p.scaleX > 0 ? u / p.scaleX : 0.0;
    p.scaleY = v;
    p.tx = t[2];
    p.ty = t[5];
    return p;
}

Theta composeTheta(const ThetaParts& p)
{
    const double phi = p.rotation * kPi / 180.0, cs = std::cos(phi), sn = std::sin(phi);
    return {cs * p.scaleX, cs * p.scaleX * p.shear - sn * p.scaleY, p.tx,
            sn * p.scaleX, sn * p.scaleX * p.shear + cs * p.scaleY, p.ty};
}

bool thetaFromPoints(const std::array<std::array<double, 2>, 3>& out, const std::array<std::array<double, 2>, 3>& in, Theta& theta)
{
    // Rows of M = (x_k, y_k, 1); solve M · (θ_r1, θ_r2, θ_r3)ᵀ = in_k[r] for each row r (Cramer).
    const double a = out[0][0], b = out[0][1], c = out[1][0], d = out[1][1], e = out[2][0], f = out[2][1];
    const double det = a * (d - f) - b * (c - e) + (c * f - d * e);
    if (std::fabs(det) < 1e-12) return false;
    for (int r = 0; r < 2; ++r) {
        const double u = in[0][size_t(r)], v = in[1][size_t(r)], w = in[2][size_t(r)];
        const double t1 = (u * (d - f) - b * (v - w) + (v * f - d * w)) / det;
        const double t2 = (a * (v - w) - u * (c - e) + (c * w - v * e)) / det;
        const double t3 = (a * (d * w - v * f) - b * (c * w - v * e) + u * (c * f - d * e)) / det;
        theta[size_t(3 * r)] = t1;
        theta[size_t(3 * r + 1)] = t2;
        theta[size_t(3 * r + 2)] = t3;
    }
    return true;
}

void gridPoint(const Theta& t, int inW, int inH, int outW, int outH, double i, double j, double& x, double& y)
{
    // Output pixel centre → normalised target coordinates (align_corners = false) → θ →
    // normalised source coordinates → input pixel coordinates.
    const double xt = (2.0 * i + 1.0) / outW - 1.0, yt = (2.0 * j + 1.0) / outH - 1.0;
    const double xs = t[0] * xt + t[1] * yt + t[2], ys = t[3] * xt + t[4] * yt + t[5];
    x = ((xs + 1.0) * inW - 1.0) / 2.0;
    y = ((ys + 1.0) * inH - 1.0) / 2.0;
}

GreyImage sampleAffine(const GreyImage& in, const Theta& t, int outW, int outH, bool bilinear)
{
    GreyImage out;
    out.width = outW;
    out.height = outH;
    out.pixels.assign(size_t(outW) * size_t(outH), 0.0f);
    auto px = [&](int x, int y) -> double {
        return x >= 0 && y >= 0 && x < in.width && y < in.height ? in.at(x, y) : 0.0;  // zero padding
    };
    for (int j = 0; j < outH; ++j)
        for (int i = 0; i < outW; ++i) {
            double x, y;
            gridPoint(t, in.width, in.height, outW, outH, i, j, x, y);
            double v;
            if (bilinear) {
                // V = Σ_nm U_nm max(0, 1 − |x − m|) max(0, 1 − |y − n|)   (eq. 5)
                const int x0 = int(std::floor(x)), y0 = int(std::floor(y));
                const double fx = x - x0, fy = y - y0;
                v = px(x0, y0) * (1 - fx) * (1 - fy) + px(x0 + 1, y0) * fx * (1 - fy) + px(x0, y0 + 1) * (1 - fx) * fy +
                    px(x0 + 1, y0 + 1) * fx * fy;
            } else {
                v = px(int(std::lround(x)), int(std::lround(y)));  // eq. 4 with the integer kernel
            }
            out.pixels[size_t(j) * size_t(outW) + size_t(i)] = float(v);
        }
    return out;
}

} // namespace attnscope
