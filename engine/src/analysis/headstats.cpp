#include "attnscope/headstats.h"

#include <cmath>

namespace attnscope {

double rowEntropy(const float* row, int n)
{
    double h = 0;
    for (int i = 0; i < n; ++i)
        if (row[i] > 0) h -= double(row[i]) * std::log2(double(row[i]));
    return h;
}

double meanEntropy(const float* m, int rows, int cols)
{
    if (rows <= 0) return 0;
    double sum = 0;
    for (int r = 0; r < rows; ++r) sum += rowEntropy(m + size_t(r) * size_t(cols), cols);
    return sum / rows;
}

std::vector<double> jsDivergenceRows(const float* p, const float* q, int rows, int cols)
{
    std::vector<double> out(size_t(std::max(rows, 0)));
    for (int r = 0; r < rows; ++r) {
        double js = 0;
        for (int c = 0; c < cols; ++c) {
            const double a = p[size_t(r) * size_t(cols) + size_t(c)], b = q[size_t(r) * size_t(cols) + size_t(c)];
            const double m = 0.5 * (a + b);
            if (a > 0) js += 0.5 * a * std::log2(a / m);
            if (b > 0) js += 0.5 * b * std::log2(b / m);
        }
        out[size_t(r)] = std::max(0.0, js);
    }
    return out;
}

double jsDivergence(const float* p, const float* q, int rows, int cols)
{
    const auto v = jsDivergenceRows(p, q, rows, cols);
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? 0 : s / double(v.size());
}

double pearson(const float* a, const float* b, size_t n)
{
    if (n == 0) return 0;
    double ma = 0, mb = 0;
    for (size_t i = 0; i < n; ++i) ma += a[i], mb += b[i];
    ma /= double(n);
    mb /= double(n);
    double cov = 0, va = 0, vb = 0;
    for (size_t i = 0; i < n; ++i) {
        const double da = a[i] - ma, db = b[i] - mb;
        cov += da * db;
        va += da * da;
        vb += db * db;
    }
    return (va > 0 && vb > 0) ? cov / std::sqrt(va * vb) : 0.0;
}

std::vector<float> rollout(const std::vector<const float*>& layers, int n)
{
    const size_t nn = size_t(n) * size_t(n);
    std::vector<double> r(nn, 0.0), tmp(nn), a(nn);
    for (int i = 0; i < n; ++i) r[size_t(i) * size_t(n) + size_t(i)] = 1.0;  // R = I
    for (const float* layer : layers) {
        // Ã = ½A + ½I, rows renormalised.
        for (int i = 0; i < n; ++i) {
            double sum = 0;
            for (int j = 0; j < n; ++j) {
                const size_t k = size_t(i) * size_t(n) + size_t(j);
                a[k] = 0.5 * layer[k] + (i == j ? 0.5 : 0.0);
                sum += a[k];
            }
            for (int j = 0; j < n; ++j) a[size_t(i) * size_t(n) + size_t(j)] /= (sum > 0 ? sum : 1.0);
        }
        // R ← Ã · R
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) {
                double s = 0;
                for (int k = 0; k < n; ++k) s += a[size_t(i) * size_t(n) + size_t(k)] * r[size_t(k) * size_t(n) + size_t(j)];
                tmp[size_t(i) * size_t(n) + size_t(j)] = s;
            }
        r.swap(tmp);
    }
    return std::vector<float>(r.begin(), r.end());
}

HeadPositionStats positionStats(const float* m, int rows, int cols, const std::vector<bool>& punct, int eosCol)
{
    HeadPositionStats s;
    if (rows <= 0) return s;
    for (int r = 0; r < rows; ++r) {
        const float* row = m + size_t(r) * size_t(cols);
        if (r < cols) s.same += row[r];
        if (r - 1 >= 0 && r - 1 < cols) s.previous += row[r - 1];
        if (r + 1 < cols) s.next += row[r + 1];
        for (int c = 0; c < cols && c < int(punct.size()); ++c)
            if (punct[size_t(c)]) s.punctuation += row[c];
        if (eosCol >= 0 && eosCol < cols) s.eos += row[eosCol];
    }
    for (double* x : {&s.same, &s.previous, &s.next, &s.punctuation, &s.eos}) *x /= rows;
    return s;
}

} // namespace attnscope
