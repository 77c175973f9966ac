// AttentionMatrix's generic reads (levels of detail reduced from stored ones), dense matrices,
// overviews, statistics and attention sinks. No torch here (the light `attnscope` front end
// links this).
#include "long/storage.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

namespace attnscope {

using namespace longattn;

const char* storageTypeName(StorageType t)
{
    switch (t) {
    case StorageType::Float32: return "float32";
    case StorageType::Float16: return "float16";
    case StorageType::BFloat16: return "bfloat16";
    }
    return "float32";
}

bool parseStorageType(const std::string& n, StorageType& out)
{
    if (n == "float32" || n == "f32") out = StorageType::Float32;
    else if (n == "float16" || n == "f16" || n == "half") out = StorageType::Float16;
    else if (n == "bfloat16" || n == "bf16") out = StorageType::BFloat16;
    else return false;
    return true;
}

size_t storageBytes(StorageType t) { return t == StorageType::Float32 ? 4 : 2; }

namespace longattn {

namespace {
float halfBits(uint16_t h)
{
    const uint32_t sign = uint32_t(h & 0x8000) << 16;
    const uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    float f;
    if (exp == 0) f = std::ldexp(float(mant), -24);
    else if (exp == 31) f = mant ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
    else f = std::ldexp(float(mant | 0x400), int(exp) - 25);
    return sign ? -f : f;
}

const std::array<float, 65536>& halfTable()
{
    static const std::array<float, 65536> table = [] {
        std::array<float, 65536> t{};
        for (uint32_t i = 0; i < 65536; ++i) t[i] = halfBits(uint16_t(i));
        return t;
    }();
    return table;
}
} // namespace

float halfToFloat(uint16_t h) { return halfTable()[h]; }

uint16_t floatToHalf(float f)
{
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint16_t sign = uint16_t((x >> 16) & 0x8000);
    x &= 0x7fffffffu;
    if (x > 0x7f800000u) return sign | 0x7e00;   // NaN
    if (x >= 0x47800000u) return sign | 0x7c00;  // ≥ 65536 (and inf) → inf
    if (x < 0x38800000u) {                       // below 2⁻¹⁴: a subnormal half (units of 2⁻²⁴)
        if (x < 0x33000000u) return sign;        // ≤ 2⁻²⁵ rounds to zero
        const uint32_t e = x >> 23, m = (x & 0x7fffffu) | 0x800000u;
        const uint32_t shift = 126 - e;          // 14 … 24
        uint32_t r = m >> shift;
        const uint32_t rem = m & ((1u << shift) - 1), halfway = 1u << (shift - 1);
        if (rem > halfway || (rem == halfway && (r & 1))) ++r;
        return uint16_t(sign | r);
    }
    uint32_t h = (((x >> 23) - 112) << 10) | ((x & 0x7fffffu) >> 13);
    const uint32_t rem = x & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) ++h;  // a carry into the exponent is right
    return uint16_t(sign | h);
}

uint16_t floatToBFloat16(float f)
{
    uint32_t x;
    std::memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u) return uint16_t((x >> 16) | 0x40);  // quiet NaN
    x += 0x7fffu + ((x >> 16) & 1);
    return uint16_t(x >> 16);
}

// --- float16 conversion, vectorised where the CPU has F16C (chosen at run time: the binary
// still runs on x86-64 CPUs without it, and elsewhere, through the scalar code).
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx,f16c"))) static void halvesToFloatsF16c(const uint16_t* p, int64_t n, float* out)
{
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i))));
    const auto& table = halfTable();
    for (; i < n; ++i) out[i] = table[p[i]];
}

__attribute__((target("avx,f16c"))) static void floatsToHalvesF16c(const float* src, int64_t n, uint16_t* p)
{
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(p + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; ++i) p[i] = floatToHalf(src[i]);
}

bool hasF16c()
{
    static const bool has = __builtin_cpu_supports("avx") && __builtin_cpu_supports("f16c");
    return has;
}
#else
bool hasF16c() { return false; }
#endif

namespace {
std::atomic<bool> scalarHalfOnly{false};
}

void setScalarHalfConversion(bool scalar) { scalarHalfOnly.store(scalar, std::memory_order_relaxed); }

void halvesToFloats(const uint16_t* p, int64_t n, float* out)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (hasF16c() && !scalarHalfOnly.load(std::memory_order_relaxed)) return halvesToFloatsF16c(p, n, out);
#endif
    const auto& table = halfTable();
    for (int64_t i = 0; i < n; ++i) out[i] = table[p[i]];
}

void floatsToHalves(const float* src, int64_t n, uint16_t* p)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (hasF16c() && !scalarHalfOnly.load(std::memory_order_relaxed)) return floatsToHalvesF16c(src, n, p);
#endif
    for (int64_t i = 0; i < n; ++i) p[i] = floatToHalf(src[i]);
}

void decode(StorageType t, const char* src, int64_t n, float* out)
{
    switch (t) {
    case StorageType::Float32: std::memcpy(out, src, size_t(n) * 4); break;
    case StorageType::Float16: halvesToFloats(reinterpret_cast<const uint16_t*>(src), n, out); break;
    case StorageType::BFloat16: {
        const uint16_t* p = reinterpret_cast<const uint16_t*>(src);
        for (int64_t i = 0; i < n; ++i) {
            const uint32_t bits = uint32_t(p[i]) << 16;
            std::memcpy(&out[i], &bits, 4);
        }
        break;
    }
    }
}

void encode(StorageType t, const float* src, int64_t n, char* dst)
{
    switch (t) {
    case StorageType::Float32: std::memcpy(dst, src, size_t(n) * 4); break;
    case StorageType::Float16: floatsToHalves(src, n, reinterpret_cast<uint16_t*>(dst)); break;
    case StorageType::BFloat16: {
        uint16_t* p = reinterpret_cast<uint16_t*>(dst);
        for (int64_t i = 0; i < n; ++i) p[i] = floatToBFloat16(src[i]);
        break;
    }
    }
}

BlockAccumulator::BlockAccumulator(int64_t srcRows, int64_t srcCols, int64_t factor, Emit emit)
    : srcRows_(srcRows), srcCols_(srcCols), f_(factor), outCols_(blockCount(srcCols, factor)),
      max_(size_t(outCols_)), sum_(size_t(outCols_)), emit_(std::move(emit))
{
}

void BlockAccumulator::add(int64_t srcRow, const float* max, const double* sum)
{
    accumulate(srcRow, max, sum);
}

void BlockAccumulator::addCells(int64_t srcRow, const float* values)
{
    accumulate(srcRow, values, values);
}

template <typename Sum> void BlockAccumulator::accumulate(int64_t srcRow, const float* max, const Sum* sum)
{
    if (fresh_) {
        std::fill(max_.begin(), max_.end(), -std::numeric_limits<float>::infinity());
        std::fill(sum_.begin(), sum_.end(), 0.0);
        fresh_ = false;
    }
    for (int64_t J = 0; J < outCols_; ++J) {
        const int64_t c0 = J * f_, c1 = std::min(c0 + f_, srcCols_);
        float m = max_[size_t(J)];
        double s = sum_[size_t(J)];
        for (int64_t c = c0; c < c1; ++c) {
            m = std::max(m, max[c]);
            s += double(sum[c]);
        }
        max_[size_t(J)] = m;
        sum_[size_t(J)] = s;
    }
    if ((srcRow + 1) % f_ == 0 || srcRow + 1 == srcRows_) {
        emit_(srcRow / f_, max_.data(), sum_.data());
        fresh_ = true;
    }
}

StatsAccumulator::StatsAccumulator(int64_t rows, int64_t cols)
    : rows_(rows), cols_(cols), rowMax_(size_t(rows), 0.f),
      minAll_(size_t(cols), std::numeric_limits<float>::infinity()),
      minLower_(size_t(cols), std::numeric_limits<float>::infinity()), sum_(size_t(cols), 0.0)
{
}

void StatsAccumulator::add(int64_t r0, int64_t n, const float* v)
{
    for (int64_t i = 0; i < n; ++i) {
        const int64_t r = r0 + i;
        const float* row = v + i * cols_;
        const int64_t diag = std::min<int64_t>(r + 1, cols_);  // keys ≤ r
        // Four interleaved partial sums and maxima: independent chains the compiler vectorises
        // (one chain of 32k dependent double adds per row was a third of a 32k import).
        double part[4] = {0, 0, 0, 0};
        float top[4] = {-std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                        -std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()};
        int64_t c = 0;
        for (; c + 4 <= cols_; c += 4)
            for (int k = 0; k < 4; ++k) {
                part[k] += double(row[c + k]);
                top[k] = std::max(top[k], row[c + k]);
            }
        for (; c < cols_; ++c) {
            part[0] += double(row[c]);
            top[0] = std::max(top[0], row[c]);
        }
        const double rowSum = (part[0] + part[1]) + (part[2] + part[3]);
        const float m = std::max(std::max(top[0], top[1]), std::max(top[2], top[3]));
        for (int64_t j = 0; j < cols_; ++j) {
            sum_[size_t(j)] += double(row[j]);
            minAll_[size_t(j)] = std::min(minAll_[size_t(j)], row[j]);
        }
        rowSumDeviation_ = std::max(rowSumDeviation_, float(std::abs(rowSum - 1.0)));
        for (int64_t c = 0; c < diag; ++c) minLower_[size_t(c)] = std::min(minLower_[size_t(c)], row[c]);
        for (int64_t c = diag; c < cols_; ++c) upperMax_ = std::max(upperMax_, row[c]);
        rowMax_[size_t(r)] = m;
    }
}

MatrixStats StatsAccumulator::finish()
{
    MatrixStats s;
    s.causal = rows_ == cols_ && rows_ > 1 && upperMax_ == 0.f;
    s.rowSumDeviation = rowSumDeviation_;
    s.rowMax = std::move(rowMax_);
    s.colMin = s.causal ? std::move(minLower_) : std::move(minAll_);
    s.colMean.resize(size_t(cols_));
    for (int64_t c = 0; c < cols_; ++c) {
        const int64_t seen = s.causal ? rows_ - c : rows_;
        s.colMean[size_t(c)] = seen > 0 ? float(sum_[size_t(c)] / double(seen)) : 0.f;
        if (seen <= 0) s.colMin[size_t(c)] = 0.f;
    }
    return s;
}

} // namespace longattn

std::vector<AttentionSink> findSinks(const MatrixStats& s, float share, size_t limit, int64_t minRows)
{
    std::vector<AttentionSink> out;
    const int64_t rows = int64_t(s.rowMax.size());
    for (size_t c = 0; c < s.colMin.size() && c < s.colMean.size(); ++c) {
        const int64_t seen = s.causal ? rows - int64_t(c) : rows;
        if (seen < std::min<int64_t>(minRows, rows)) continue;
        if (s.colMin[c] >= share) out.push_back({int64_t(c), s.colMin[c], s.colMean[c]});
    }
    std::sort(out.begin(), out.end(), [](const AttentionSink& a, const AttentionSink& b) {
        return a.minShare != b.minShare ? a.minShare > b.minShare : a.key < b.key;
    });
    if (out.size() > limit) out.resize(limit);
    return out;
}

Status AttentionMatrix::readBlocks(int64_t b, BlockReduce reduce, int64_t r0, int64_t c0, int64_t nr, int64_t nc,
                                   float* out, const ProgressFn& cancel) const
{
    if (b < 1) return Status::error("block size must be at least 1");
    const int64_t R = blockCount(rows(), b), C = blockCount(cols(), b);
    if (r0 < 0 || c0 < 0 || nr < 0 || nc < 0 || r0 + nr > R || c0 + nc > C)
        return Status::error("region [" + std::to_string(r0) + ", " + std::to_string(r0 + nr) + ") × [" +
                             std::to_string(c0) + ", " + std::to_string(c0 + nc) + ") is outside the " + std::to_string(R) +
                             " × " + std::to_string(C) + " blocks of size " + std::to_string(b));
    if (nr == 0 || nc == 0) return Status::success();
    int64_t s = 1;
    for (int64_t x : storedBlocks())
        if (x <= b && b % x == 0) s = std::max(s, x);
    if (s == b) return readStored(b, reduce, r0, c0, nr, nc, out, cancel);
    // Reduce from level s, one output row at a time (memory: f rows of the stored level).
    const int64_t f = b / s, SR = blockCount(rows(), s), SC = blockCount(cols(), s);
    const int64_t sc0 = c0 * f, sc1 = std::min((c0 + nc) * f, SC), snc = sc1 - sc0;
    std::vector<float> buf;
    for (int64_t i = 0; i < nr; ++i) {
        if (!keepGoing(cancel, i, nr)) return Status::error("cancelled");
        const int64_t sr0 = (r0 + i) * f, sr1 = std::min(sr0 + f, SR), snr = sr1 - sr0;
        buf.resize(size_t(snr * snc));
        if (auto st = readStored(s, reduce, sr0, sc0, snr, snc, buf.data(), {}); !st) return st;
        for (int64_t j = 0; j < nc; ++j) {
            const int64_t a = (c0 + j) * f - sc0, e = std::min(a + f, snc);
            if (reduce == BlockReduce::Max) {
                float m = 0;
                for (int64_t y = 0; y < snr; ++y)
                    for (int64_t x = a; x < e; ++x) m = std::max(m, buf[size_t(y * snc + x)]);
                out[i * nc + j] = m;
            } else {
                double sum = 0;
                for (int64_t y = 0; y < snr; ++y) {
                    const double rowCells = double(blockCells(rows(), s, sr0 + y));
                    for (int64_t x = a; x < e; ++x)
                        sum += double(buf[size_t(y * snc + x)]) * rowCells * double(blockCells(cols(), s, sc0 + x));
                }
                const double cells = double(blockCells(rows(), b, r0 + i)) * double(blockCells(cols(), b, c0 + j));
                out[i * nc + j] = float(sum / cells);
            }
        }
    }
    return Status::success();
}

Status AttentionMatrix::readRow(int64_t r, float* out) const
{
    if (r < 0 || r >= rows()) return Status::error("no query row " + std::to_string(r));
    return readBlocks(1, BlockReduce::Max, r, 0, 1, cols(), out);
}

Status AttentionMatrix::readColumn(int64_t c, float* out) const
{
    if (c < 0 || c >= cols()) return Status::error("no key column " + std::to_string(c));
    return readBlocks(1, BlockReduce::Max, 0, c, rows(), 1, out);
}

Status AttentionMatrix::buildOverview(int64_t, const ProgressFn&) { return Status::success(); }

Status AttentionMatrix::sampledOverview(int64_t b, BlockReduce reduce, std::vector<float>& out) const
{
    out.assign(size_t(blockCount(rows(), b) * blockCount(cols(), b)), 0.f);
    return readBlocks(b, reduce, 0, 0, blockCount(rows(), b), blockCount(cols(), b), out.data());
}

namespace {
class DenseMatrix final : public AttentionMatrix {
public:
    DenseMatrix(std::shared_ptr<const void> keepAlive, const float* values, int64_t rows, int64_t cols)
        : keepAlive_(std::move(keepAlive)), v_(values), rows_(rows), cols_(cols)
    {
    }
    int64_t rows() const override { return rows_; }
    int64_t cols() const override { return cols_; }
    std::string kind() const override { return "dense"; }

protected:
    Status readStored(int64_t, BlockReduce, int64_t r0, int64_t c0, int64_t nr, int64_t nc, float* out,
                      const ProgressFn&) const override
    {
        for (int64_t i = 0; i < nr; ++i) std::memcpy(out + i * nc, v_ + (r0 + i) * cols_ + c0, size_t(nc) * 4);
        return Status::success();
    }

private:
    std::shared_ptr<const void> keepAlive_;
    const float* v_;
    int64_t rows_, cols_;
};
} // namespace

MatrixPtr denseMatrix(std::shared_ptr<const std::vector<float>> values, int64_t rows, int64_t cols)
{
    if (!values || int64_t(values->size()) != rows * cols) return nullptr;
    const float* p = values->data();
    return std::make_shared<DenseMatrix>(std::move(values), p, rows, cols);
}

Status matrixOf(const std::shared_ptr<const AttentionTrace>& trace, const std::string& name, int64_t layer, int64_t head,
                MatrixPtr& out)
{
    out.reset();
    const TraceTensor* t = trace ? trace->find(name) : nullptr;
    if (!t) return Status::error("the trace has no tensor '" + name + "'");
    if (t->store) {
        if (layer < 0 || head < 0 || layer >= t->store->layers() || head >= t->store->heads())
            return Status::error("tensor '" + name + "' has no layer " + std::to_string(layer + 1) + ", head " +
                                 std::to_string(head + 1));
        out = t->store->matrix(layer, head);
        return out ? Status::success() : Status::error("cannot read tensor '" + name + "'");
    }
    if (t->shape.size() == 2) {
        if (layer != 0 || head != 0) return Status::error("tensor '" + name + "' has one layer and one head");
        out = std::make_shared<DenseMatrix>(trace, t->values.data(), t->shape[0], t->shape[1]);
        return Status::success();
    }
    if (t->shape.size() != 4) return Status::error("tensor '" + name + "' is not [layer, head, query, key]");
    if (layer < 0 || head < 0 || layer >= t->shape[0] || head >= t->shape[1])
        return Status::error("tensor '" + name + "' has no layer " + std::to_string(layer + 1) + ", head " +
                             std::to_string(head + 1));
    const int64_t per = t->shape[2] * t->shape[3];
    out = std::make_shared<DenseMatrix>(trace, t->values.data() + (layer * t->shape[1] + head) * per, t->shape[2],
                                        t->shape[3]);
    return Status::success();
}

bool isLongTensor(const TraceTensor& t, int64_t tokens)
{
    if (t.store) return true;
    const size_t n = t.shape.size();
    return n >= 2 && (t.shape[n - 1] > tokens || t.shape[n - 2] > tokens);
}

bool isLongTrace(const AttentionTrace& trace, int64_t tokens)
{
    return std::any_of(trace.tensors.begin(), trace.tensors.end(), [tokens](const TraceTensor& t) {
        return (t.shape.size() == 2 || t.shape.size() == 4) && isLongTensor(t, tokens);
    });
}

Status computeOverview(const AttentionMatrix& m, int64_t b, MatrixOverview& out, const ProgressFn& progress)
{
    if (b < 1) return Status::error("block size must be at least 1");
    const int64_t rows = m.rows(), cols = m.cols();
    out = MatrixOverview{};
    out.block = b;
    out.rows = blockCount(rows, b);
    out.cols = blockCount(cols, b);
    out.max.assign(size_t(out.rows * out.cols), 0.f);
    out.mean.assign(size_t(out.rows * out.cols), 0.f);
    StatsAccumulator stats(rows, cols);
    BlockAccumulator acc(rows, cols, b, [&](int64_t I, const float* mx, const double* sum) {
        for (int64_t J = 0; J < out.cols; ++J) {
            out.max[size_t(I * out.cols + J)] = mx[J];
            out.mean[size_t(I * out.cols + J)] =
                float(sum[J] / (double(blockCells(rows, b, I)) * double(blockCells(cols, b, J))));
        }
    });
    const int64_t band = std::max<int64_t>(1, (64 << 20) / 4 / std::max<int64_t>(cols, 1));  // ≤ 64 MiB per band
    std::vector<float> buf;
    std::vector<double> sums(static_cast<size_t>(cols));
    for (int64_t r0 = 0; r0 < rows; r0 += band) {
        if (!keepGoing(progress, r0, rows)) return Status::error("cancelled");
        const int64_t n = std::min(band, rows - r0);
        buf.resize(size_t(n * cols));
        if (auto st = m.readBlocks(1, BlockReduce::Max, r0, 0, n, cols, buf.data()); !st) return st;
        m.releaseRows(r0, n);
        stats.add(r0, n, buf.data());
        for (int64_t i = 0; i < n; ++i) {
            const float* row = buf.data() + i * cols;
            for (int64_t c = 0; c < cols; ++c) sums[size_t(c)] = row[c];
            acc.add(r0 + i, row, sums.data());
        }
    }
    keepGoing(progress, rows, rows);
    out.stats = stats.finish();
    return Status::success();
}

std::vector<int64_t> pyramidBlocks(int64_t rows, int64_t cols)
{
    std::vector<int64_t> blocks{1};
    int64_t b = 1;
    while (std::max(blockCount(rows, b), blockCount(cols, b)) > 256) {
        b *= 4;
        blocks.push_back(b);
    }
    return blocks;
}

// --- Q/K store (the computation lives in the engine library: qk.cpp)

namespace {
QkMatrixFactory& factory()
{
    static QkMatrixFactory f = nullptr;
    return f;
}

class UnavailableQk final : public AttentionMatrix {
public:
    UnavailableQk(int64_t n) : n_(n) {}
    int64_t rows() const override { return n_; }
    int64_t cols() const override { return n_; }
    std::string kind() const override { return "qk"; }

protected:
    Status readStored(int64_t, BlockReduce, int64_t, int64_t, int64_t, int64_t, float*, const ProgressFn&) const override
    {
        return Status::error("this trace keeps its attention as queries and keys; computing it needs the engine "
                             "(attnscope-engine)");
    }

private:
    int64_t n_;
};
} // namespace

void setQkMatrixFactory(QkMatrixFactory f) { factory() = f; }
bool canComputeQk() { return factory() != nullptr; }

QkStore::QkStore(const Dims& dims, const float* q, const float* k, const float* lse, std::shared_ptr<const void> keepAlive)
    : dims_(dims), q_(q), k_(k), lse_(lse), keepAlive_(std::move(keepAlive)),
      matrices_(size_t(dims.layers * dims.heads))
{
}

uint64_t QkStore::bytes() const
{
    const uint64_t n = uint64_t(dims_.tokens), d = uint64_t(dims_.headDim), L = uint64_t(dims_.layers);
    return 4 * L * (uint64_t(dims_.heads) * n * d + uint64_t(dims_.kvHeads) * n * d + uint64_t(dims_.heads) * n);
}

const float* QkStore::queries(int64_t l, int64_t h) const { return q_ + (l * dims_.heads + h) * dims_.tokens * dims_.headDim; }
const float* QkStore::keys(int64_t l, int64_t kv) const { return k_ + (l * dims_.kvHeads + kv) * dims_.tokens * dims_.headDim; }
const float* QkStore::lse(int64_t l, int64_t h) const { return lse_ + (l * dims_.heads + h) * dims_.tokens; }

MatrixPtr QkStore::matrix(int64_t layer, int64_t head) const
{
    if (layer < 0 || head < 0 || layer >= dims_.layers || head >= dims_.heads) return nullptr;
    std::lock_guard<std::mutex> lock(mutex_);
    MatrixPtr& m = matrices_[size_t(layer * dims_.heads + head)];
    if (!m) m = factory() ? factory()(shared_from_this(), layer, head) : std::make_shared<UnavailableQk>(dims_.tokens);
    return m;
}

} // namespace attnscope
