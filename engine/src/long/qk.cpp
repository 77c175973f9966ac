// Q/K mode: attention cells computed on demand from queries and keys with LibTorch,
//   a_ij = exp(q_i·k_j·s − lse_i)   (0 above the diagonal when causal),
// the identity flash-attention uses to never hold the n × n matrix (Dao et al. 2022,
// "FlashAttention", §3.1). The overview (block max and mean) and the stats are one blockwise
// pass; lse is another when a dump does not carry it.
#include "attnscope/qk.h"
#include "attnscope/schema.h"

#include "long/npyformat.h"
#include "long/storage.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <torch/torch.h>
#include <zip.h>

#include <cmath>
#include <cstring>

namespace attnscope {

namespace {
using torch::indexing::Slice;

torch::Tensor rowsOf(const float* p, int64_t r0, int64_t n, int64_t d)
{
    return torch::from_blob(const_cast<float*>(p + r0 * d), {n, d}, torch::kFloat);
}

/// Scores exp(Q_rows K_colsᵀ·s − lse_rows), zero above the diagonal when causal: [nr, nc].
torch::Tensor cells(const float* q, const float* k, const float* lse, int64_t d, double scale, bool causal, int64_t r0,
                    int64_t nr, int64_t c0, int64_t nc)
{
    if (causal && c0 > r0 + nr - 1) return torch::zeros({nr, nc});
    auto s = torch::mm(rowsOf(q, r0, nr, d), rowsOf(k, c0, nc, d).t());
    s.mul_(scale).sub_(torch::from_blob(const_cast<float*>(lse + r0), {nr, 1}, torch::kFloat)).exp_();
    if (causal && c0 + nc - 1 > r0) {
        const auto above = torch::arange(c0, c0 + nc, torch::kLong).unsqueeze(0) > torch::arange(r0, r0 + nr, torch::kLong).unsqueeze(1);
        s.masked_fill_(above, 0.f);
    }
    return s;
}

class QkMatrix final : public AttentionMatrix {
public:
    QkMatrix(std::shared_ptr<const QkStore> store, int64_t layer, int64_t head)
        : store_(std::move(store)), q_(store_->queries(layer, head)), k_(store_->keys(layer, store_->kvHeadOf(head))),
          lse_(store_->lse(layer, head)), n_(store_->rows()), d_(store_->headDim()), scale_(store_->scale()),
          causal_(store_->causal())
    {
    }
    int64_t rows() const override { return n_; }
    int64_t cols() const override { return n_; }
    std::string kind() const override { return "qk"; }
    std::vector<int64_t> storedBlocks() const override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (overview_ && overview_->block > 1) return {1, overview_->block};
        return {1};
    }
    bool needsOverview() const override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return !overview_;
    }
    MatrixStats stats() const override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return overview_ ? overview_->stats : MatrixStats{};
    }
    uint64_t residentBytes() const override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return overview_ ? uint64_t(overview_->max.size() + overview_->mean.size()) * 4 + uint64_t(3 * n_) * 4 : 0;
    }

    Status readRow(int64_t r, float* out) const override
    {
        if (r < 0 || r >= n_) return Status::error("no query row " + std::to_string(r));
        torch::NoGradGuard ng;
        auto s = torch::mv(rowsOf(k_, 0, n_, d_), rowsOf(q_, r, 1, d_)[0]);
        s.mul_(scale_).sub_(lse_[r]).exp_();
        if (causal_ && r + 1 < n_) s.narrow(0, r + 1, n_ - r - 1).zero_();
        torch::from_blob(out, {n_}, torch::kFloat).copy_(s);
        return Status::success();
    }

    Status readColumn(int64_t c, float* out) const override
    {
        if (c < 0 || c >= n_) return Status::error("no key column " + std::to_string(c));
        torch::NoGradGuard ng;
        auto s = torch::mv(rowsOf(q_, 0, n_, d_), rowsOf(k_, c, 1, d_)[0]);
        s.mul_(scale_).sub_(torch::from_blob(const_cast<float*>(lse_), {n_}, torch::kFloat)).exp_();
        if (causal_ && c > 0) s.narrow(0, 0, c).zero_();
        torch::from_blob(out, {n_}, torch::kFloat).copy_(s);
        return Status::success();
    }

    Status buildOverview(int64_t b, const ProgressFn& progress) override
    {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (overview_ && overview_->block == b) return Status::success();
        }
        torch::NoGradGuard ng;
        auto ov = std::make_shared<MatrixOverview>();
        ov->block = b;
        ov->rows = ov->cols = blockCount(n_, b);
        ov->max.assign(size_t(ov->rows * ov->cols), 0.f);
        ov->mean.assign(size_t(ov->rows * ov->cols), 0.f);
        auto rowMax = torch::zeros({n_});
        auto colSum = torch::zeros({n_}, torch::kDouble);
        auto colMin = torch::full({n_}, std::numeric_limits<float>::infinity());
        const int64_t band = b * std::max<int64_t>(1, 256 / b);  // a multiple of b: block rows never straddle bands
        // One scores buffer for every band (fresh 32 MiB buffers would page-fault on each band).
        auto buffer = torch::empty({std::min(band, n_), n_});
        const auto keys = rowsOf(k_, 0, n_, d_);
        const auto lse = torch::from_blob(const_cast<float*>(lse_), {n_}, torch::kFloat);
        const auto above = torch::ones({band, band}, torch::kBool).triu(1);  // key after query, in a diagonal block
        for (int64_t r0 = 0; r0 < n_; r0 += band) {
            if (!keepGoing(progress, r0, n_)) return Status::error("cancelled");
            const int64_t nr = std::min(band, n_ - r0);
            const int64_t kc = causal_ ? std::min(n_, r0 + nr) : n_;  // keys any of these rows sees
            auto s = buffer.narrow(0, 0, nr).narrow(1, 0, kc);
            torch::mm_out(s, rowsOf(q_, r0, nr, d_), keys.narrow(0, 0, kc).t());
            s.mul_(scale_).sub_(lse.narrow(0, r0, nr).unsqueeze(1)).exp_();
            if (causal_) s.narrow(1, r0, nr).tril_();  // the diagonal block: keys after the query are 0
            rowMax.narrow(0, r0, nr).copy_(s.amax(1));
            colSum.narrow(0, 0, kc).add_(s.sum(0));  // a float sum per band (a double-typed reduction is 30× slower), double across bands
            if (causal_) {
                // Keys before r0 are seen by every row of the band; the diagonal block by some.
                if (r0 > 0) colMin.narrow(0, 0, r0).copy_(torch::minimum(colMin.narrow(0, 0, r0), s.narrow(1, 0, r0).amin(0)));
                const auto diag = s.narrow(1, r0, nr).masked_fill(above.narrow(0, 0, nr).narrow(1, 0, nr), std::numeric_limits<float>::infinity());
                colMin.narrow(0, r0, nr).copy_(torch::minimum(colMin.narrow(0, r0, nr), diag.amin(0)));
            } else {
                colMin.copy_(torch::minimum(colMin, s.amin(0)));
            }
            // Block max and sum over a view of whole blocks; a partial last column of blocks is
            // reduced on its own (a padded copy per band would cost a page fault per 4 KiB), and
            // only the last band may need padding rows (zeros change neither max nor sum).
            const int64_t br = blockCount(nr, b), bc = blockCount(kc, b), full = kc / b;
            const auto rowsOk = br * b == nr ? s : torch::constant_pad_nd(s, {0, 0, 0, br * b - nr}, 0);
            torch::Tensor mx, sm;
            if (full > 0) {
                const auto blocks = rowsOk.narrow(1, 0, full * b).view({br, b, full, b});
                mx = blocks.amax({1, 3});
                sm = blocks.sum({1, 3});
            }
            if (full < bc) {
                const auto tail = rowsOk.narrow(1, full * b, kc - full * b).reshape({br, b, kc - full * b});
                const auto tmx = tail.amax({1, 2}).unsqueeze(1), tsm = tail.sum({1, 2}).unsqueeze(1);
                mx = full > 0 ? torch::cat({mx, tmx}, 1) : tmx;
                sm = full > 0 ? torch::cat({sm, tsm}, 1) : tsm;
            }
            mx = mx.contiguous();
            sm = sm.contiguous();
            const float* pm = mx.data_ptr<float>();
            const float* ps = sm.data_ptr<float>();
            const int64_t I0 = r0 / b;
            for (int64_t i = 0; i < br; ++i)
                for (int64_t j = 0; j < bc; ++j) {
                    const size_t at = size_t((I0 + i) * ov->cols + j);
                    ov->max[at] = pm[i * bc + j];
                    ov->mean[at] = float(double(ps[i * bc + j]) /
                                         (double(longattn::blockCells(n_, b, I0 + i)) * double(longattn::blockCells(n_, b, j))));
                }
        }
        keepGoing(progress, n_, n_);
        MatrixStats& st = ov->stats;
        st.causal = causal_;
        st.rowMax.assign(rowMax.data_ptr<float>(), rowMax.data_ptr<float>() + n_);
        st.colMin.assign(colMin.data_ptr<float>(), colMin.data_ptr<float>() + n_);
        st.colMean.resize(size_t(n_));
        const double* cs = colSum.data_ptr<double>();
        for (int64_t c = 0; c < n_; ++c) st.colMean[size_t(c)] = float(cs[c] / double(causal_ ? n_ - c : n_));
        std::lock_guard<std::mutex> lock(mutex_);
        overview_ = std::move(ov);
        return Status::success();
    }

    Status sampledOverview(int64_t b, BlockReduce reduce, std::vector<float>& out) const override
    {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (overview_ && overview_->block == b) {
                out = reduce == BlockReduce::Max ? overview_->max : overview_->mean;
                return Status::success();
            }
        }
        torch::NoGradGuard ng;
        const int64_t R = blockCount(n_, b), C = blockCount(n_, b);
        out.assign(size_t(R * C), 0.f);
        const auto keys = rowsOf(k_, 0, n_, d_);
        for (int64_t I0 = 0; I0 < R; I0 += 128) {
            const int64_t nI = std::min<int64_t>(128, R - I0);
            const auto idx = torch::arange(I0, I0 + nI, torch::kLong) * b;  // each block row's first query
            auto q = rowsOf(q_, 0, n_, d_).index_select(0, idx);
            auto lse = torch::from_blob(const_cast<float*>(lse_), {n_}, torch::kFloat).index_select(0, idx).unsqueeze(1);
            auto s = torch::mm(q, keys.t()).mul_(scale_).sub_(lse).exp_();
            if (causal_) s.masked_fill_(torch::arange(n_, torch::kLong).unsqueeze(0) > idx.unsqueeze(1), 0.f);
            if (C * b != n_) s = torch::constant_pad_nd(s, {0, C * b - n_}, 0);
            const auto v = s.view({nI, C, b});
            auto red = (reduce == BlockReduce::Max ? v.amax(2) : v.sum(2)).contiguous();
            if (reduce == BlockReduce::Mean) {
                auto cells = torch::full({C}, double(b), torch::kFloat);
                cells[C - 1] = float(longattn::blockCells(n_, b, C - 1));
                red.div_(cells);
            }
            std::memcpy(out.data() + I0 * C, red.data_ptr<float>(), size_t(nI * C) * 4);
        }
        return Status::success();
    }

protected:
    Status readStored(int64_t b, BlockReduce reduce, int64_t r0, int64_t c0, int64_t nr, int64_t nc, float* out,
                      const ProgressFn&) const override
    {
        if (b > 1) {
            std::shared_ptr<const MatrixOverview> ov;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                ov = overview_;
            }
            if (!ov || ov->block != b) return Status::error("no overview at blocks of " + std::to_string(b));
            const auto& src = reduce == BlockReduce::Max ? ov->max : ov->mean;
            for (int64_t i = 0; i < nr; ++i) std::memcpy(out + i * nc, src.data() + (r0 + i) * ov->cols + c0, size_t(nc) * 4);
            return Status::success();
        }
        torch::NoGradGuard ng;
        torch::from_blob(out, {nr, nc}, torch::kFloat).copy_(cells(q_, k_, lse_, d_, scale_, causal_, r0, nr, c0, nc));
        return Status::success();
    }

private:
    std::shared_ptr<const QkStore> store_;
    const float *q_, *k_, *lse_;
    int64_t n_, d_;
    double scale_;
    bool causal_;
    mutable std::mutex mutex_;
    std::shared_ptr<const MatrixOverview> overview_;
};

MatrixPtr makeQkMatrix(std::shared_ptr<const QkStore> store, int64_t layer, int64_t head)
{
    return std::make_shared<QkMatrix>(std::move(store), layer, head);
}

struct QkHolder {
    std::vector<float> q, k, lse;
};

bool finite(const std::vector<float>& v)
{
    return std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); });
}
} // namespace

bool enableQkMatrices()
{
    setQkMatrixFactory(&makeQkMatrix);
    return true;
}

Status computeLse(const float* q, const float* k, int64_t n, int64_t d, double scale, bool causal, float* out,
                  const ProgressFn& cancel)
{
    torch::NoGradGuard ng;
    const int64_t band = 256;
    auto buffer = torch::empty({std::min(band, n), n});
    const auto keys = rowsOf(k, 0, n, d);
    const auto above = torch::ones({band, band}, torch::kBool).triu(1);
    for (int64_t r0 = 0; r0 < n; r0 += band) {
        if (!keepGoing(cancel, r0, n)) return Status::error("cancelled");
        const int64_t nr = std::min(band, n - r0), kc = causal ? std::min(n, r0 + nr) : n;
        auto s = buffer.narrow(0, 0, nr).narrow(1, 0, kc);
        torch::mm_out(s, rowsOf(q, r0, nr, d), keys.narrow(0, 0, kc).t());
        s.mul_(scale);
        // Keys after the query (only in the diagonal block of a causal band) do not count.
        if (causal) s.narrow(1, r0, nr).masked_fill_(above.narrow(0, 0, nr).narrow(1, 0, nr), -std::numeric_limits<float>::infinity());
        const auto m = s.amax(1, true);
        s.sub_(m).exp_();
        torch::from_blob(out + r0, {nr}, torch::kFloat).copy_((m + s.sum(1, true).log()).squeeze(1));
    }
    return Status::success();
}

Status makeQkTensor(QkArrays a, const std::string& name, const std::vector<std::string>& tokens, TraceTensor& out,
                    const ProgressFn& progress)
{
    const int64_t L = a.layers, H = a.heads, Hkv = a.kvHeads, n = a.tokens, d = a.headDim;
    if (L < 1 || H < 1 || Hkv < 1 || n < 1 || d < 1) return Status::error("queries and keys: empty dimensions");
    if (H % Hkv != 0)
        return Status::error("queries and keys: " + std::to_string(Hkv) + " KV heads do not divide " + std::to_string(H) +
                             " query heads (grouped-query attention shares each KV head among heads / kv_heads query heads)");
    if (int64_t(a.q.size()) != L * H * n * d)
        return Status::error("queries: " + std::to_string(a.q.size()) + " values for [" + std::to_string(L) + ", " +
                             std::to_string(H) + ", " + std::to_string(n) + ", " + std::to_string(d) + "]");
    if (int64_t(a.k.size()) != L * Hkv * n * d)
        return Status::error("keys: " + std::to_string(a.k.size()) + " values for [" + std::to_string(L) + ", " +
                             std::to_string(Hkv) + ", " + std::to_string(n) + ", " + std::to_string(d) + "]");
    if (!a.lse.empty() && int64_t(a.lse.size()) != L * H * n)
        return Status::error("lse: " + std::to_string(a.lse.size()) + " values for [" + std::to_string(L) + ", " +
                             std::to_string(H) + ", " + std::to_string(n) + "]");
    if (!finite(a.q) || !finite(a.k) || !finite(a.lse)) return Status::error("queries and keys contain NaN or infinite values");
    if (!tokens.empty() && int64_t(tokens.size()) != n)
        return Status::error(std::to_string(tokens.size()) + " tokens for " + std::to_string(n) + " queries and keys");
    if (a.scale <= 0) a.scale = 1.0 / std::sqrt(double(d));
    auto holder = std::make_shared<QkHolder>();
    holder->q = std::move(a.q);
    holder->k = std::move(a.k);
    holder->lse = std::move(a.lse);
    if (holder->lse.empty()) {
        holder->lse.resize(size_t(L * H * n));
        for (int64_t l = 0; l < L; ++l)
            for (int64_t h = 0; h < H; ++h) {
                const int64_t done = l * H + h;
                auto sub = [&](int64_t x, int64_t total) { return keepGoing(progress, done * total + x, L * H * total); };
                const float* q = holder->q.data() + (l * H + h) * n * d;
                const float* k = holder->k.data() + (l * Hkv + h / (H / Hkv)) * n * d;
                if (auto st = computeLse(q, k, n, d, a.scale, a.causal, holder->lse.data() + (l * H + h) * n, sub); !st) return st;
            }
    }
    QkStore::Dims dims;
    dims.layers = L;
    dims.heads = H;
    dims.kvHeads = Hkv;
    dims.tokens = n;
    dims.headDim = d;
    dims.scale = a.scale;
    dims.causal = a.causal;
    out = TraceTensor{};
    out.name = name;
    out.axes = {"layer", "head", "query", "key"};
    out.shape = {L, H, n, n};
    out.labels = {{}, {}, tokens, tokens};
    out.store = std::make_shared<QkStore>(dims, holder->q.data(), holder->k.data(), holder->lse.data(), holder);
    return Status::success();
}

namespace {
const DumpArray* findArray(const std::vector<DumpArray>& arrays, std::initializer_list<const char*> names)
{
    for (const char* n : names)
        for (const auto& a : arrays)
            if (a.name == n) return &a;
    return nullptr;
}

std::vector<std::string> arrayNames(const std::string& path)
{
    std::vector<std::string> names;
    const QString ext = QFileInfo(QString::fromStdString(path)).suffix().toLower();
    if (ext == "npz") {
        int err = 0;
        zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
        if (!z) return names;
        const zip_int64_t n = zip_get_num_entries(z, 0);
        for (zip_int64_t i = 0; i < n; ++i) {
            std::string s = zip_get_name(z, zip_uint64_t(i), 0) ? zip_get_name(z, zip_uint64_t(i), 0) : "";
            if (s.size() > 4 && s.compare(s.size() - 4, 4, ".npy") == 0) names.push_back(s.substr(0, s.size() - 4));
        }
        zip_close(z);
    } else if (ext == "safetensors") {
        QFile f(QString::fromStdString(path));
        if (!f.open(QIODevice::ReadOnly)) return names;
        uint64_t len = 0;
        if (f.read(reinterpret_cast<char*>(&len), 8) != 8 || len > (uint64_t(100) << 20)) return names;
        const auto doc = QJsonDocument::fromJson(f.read(qint64(len)));
        for (const auto& k : doc.object().keys()) names.push_back(k.toStdString());
    }
    return names;
}
} // namespace

bool hasQkArrays(const std::string& path)
{
    const auto names = arrayNames(path);
    const auto has = [&](std::initializer_list<const char*> any) {
        return std::any_of(any.begin(), any.end(), [&](const char* n) { return std::find(names.begin(), names.end(), n) != names.end(); });
    };
    return has({"q", "queries"}) && has({"k", "keys"});
}

Status importQk(const std::string& path, AttentionTrace& out, const ProgressFn& progress)
{
    QByteArray data;
    if (auto st = dumpformat::readAll(path, data); !st) return st;
    const QString ext = QFileInfo(QString::fromStdString(path)).suffix().toLower();
    std::vector<DumpArray> arrays, scalars;
    std::vector<DumpStrings> strings;
    Status st = ext == "npz" ? parseNpz(data.constData(), size_t(data.size()), arrays, &strings, &scalars)
                : ext == "safetensors" ? parseSafetensors(data.constData(), size_t(data.size()), arrays, &scalars)
                                       : Status::error("queries and keys are read from .npz or .safetensors files");
    if (!st) return Status::error(path + ": " + st.message);
    data.clear();
    const DumpArray* q = findArray(arrays, {"q", "queries"});
    const DumpArray* k = findArray(arrays, {"k", "keys"});
    if (!q || !k) return Status::error(path + ": no arrays named q (or queries) and k (or keys)");
    const size_t r = q->shape.size();
    if (r < 2 || r > 4 || k->shape.size() != r)
        return Status::error(path + ": q " + dumpformat::shapeText(q->shape) + " and k " + dumpformat::shapeText(k->shape) +
                             " must both be [n, d], [heads, n, d] or [layers, heads, n, d]");
    QkArrays a;
    a.layers = r == 4 ? q->shape[0] : 1;
    a.heads = r >= 3 ? q->shape[r - 3] : 1;
    a.kvHeads = r >= 3 ? k->shape[r - 3] : 1;
    a.tokens = q->shape[r - 2];
    a.headDim = q->shape[r - 1];
    if ((r == 4 && k->shape[0] != a.layers) || k->shape[r - 2] != a.tokens || k->shape[r - 1] != a.headDim)
        return Status::error(path + ": q " + dumpformat::shapeText(q->shape) + " and k " + dumpformat::shapeText(k->shape) +
                             " differ in layers, tokens or head dimension");
    a.q = q->values;
    a.k = k->values;
    if (const DumpArray* lse = findArray(arrays, {"lse", "logsumexp"})) a.lse = lse->values;
    // scale and causal are scalars of any numeric type (np.array(1), np.float32(0.125), True);
    // an array there is refused rather than read from its first value.
    for (const char* name : {"scale", "causal"})
        if (const DumpArray* x = findArray(arrays, {name}))
            return Status::error(path + ": '" + name + "' must be a scalar (e.g. " +
                                 (std::string(name) == "scale" ? "np.float32(0.125)" : "np.array(1)") + "), not an array of shape " +
                                 dumpformat::shapeText(x->shape));
    if (const DumpArray* s = findArray(scalars, {"scale"})) {
        if (!std::isfinite(s->values[0]) || s->values[0] <= 0)
            return Status::error(path + ": 'scale' must be a positive finite number, not " + std::to_string(s->values[0]));
        a.scale = s->values[0];
    }
    if (const DumpArray* c = findArray(scalars, {"causal"})) a.causal = c->values[0] != 0;
    std::vector<std::string> tokens;
    for (const auto& s : strings)
        if (s.name == "tokens") tokens = s.values;
    AttentionTrace t;
    t.model = "imported";
    t.metadata[schema::kInputMeta] = path;
    t.metadata["source_shape"] = "q " + dumpformat::shapeText(q->shape) + ", k " + dumpformat::shapeText(k->shape);
    TraceTensor x;
    if (auto ms = makeQkTensor(std::move(a), "attention", tokens, x, progress); !ms) return Status::error(path + ": " + ms.message);
    t.tensors.push_back(std::move(x));
    out = std::move(t);
    return Status::success();
}

} // namespace attnscope
