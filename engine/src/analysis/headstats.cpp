#include "attnscope/headstats.h"

#include "attnscope/schema.h"

#include <QString>

#include <algorithm>
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

namespace {
Status check4d(const TraceTensor& t)
{
    if (t.shape.size() != 4 || int64_t(t.values.size()) != t.numel())
        return Status::error("tensor '" + t.name + "' is not [layer, head, query, key]");
    return Status::success();
}

TraceTensor like(const TraceTensor& t, const std::string& suffix, int64_t layers, int64_t heads)
{
    TraceTensor out;
    out.name = t.name + suffix;
    out.axes = {"layer", "head", "query", "key"};
    out.shape = {layers, heads, t.shape[2], t.shape[3]};
    if (t.labels.size() == 4) out.labels = {{}, {}, t.labels[2], t.labels[3]};
    out.values.assign(size_t(out.numel()), 0.0f);
    return out;
}
} // namespace

TraceTensor rowNormalised(const TraceTensor& t)
{
    TraceTensor out = t;
    const size_t n = t.shape.empty() ? 0 : size_t(t.shape.back());
    if (n == 0) return out;
    for (float& v : out.values) v = std::max(v, 0.0f);  // a signed lens (grad): what lowers log p counts as 0
    for (size_t r = 0; r + n <= out.values.size(); r += n) {
        double sum = 0;
        for (size_t j = 0; j < n; ++j) sum += out.values[r + j];
        if (sum > 0)
            for (size_t j = 0; j < n; ++j) out.values[r + j] = float(out.values[r + j] / sum);
    }
    return out;
}

Status meanOverHeads(const TraceTensor& t, TraceTensor& out)
{
    if (auto st = check4d(t); !st) return st;
    const int64_t L = t.shape[0], H = t.shape[1], per = t.shape[2] * t.shape[3];
    out = like(t, " · mean over heads", L, 1);
    for (int64_t l = 0; l < L; ++l)
        for (int64_t h = 0; h < H; ++h)
            for (int64_t i = 0; i < per; ++i) out.values[size_t(l * per + i)] += t.values[size_t((l * H + h) * per + i)] / float(H);
    return Status::success();
}

Status meanOverLayers(const TraceTensor& t, TraceTensor& out)
{
    if (auto st = check4d(t); !st) return st;
    const int64_t L = t.shape[0], H = t.shape[1], per = t.shape[2] * t.shape[3];
    out = like(t, " · mean over layers", 1, H);
    for (int64_t l = 0; l < L; ++l)
        for (int64_t h = 0; h < H; ++h)
            for (int64_t i = 0; i < per; ++i) out.values[size_t(h * per + i)] += t.values[size_t((l * H + h) * per + i)] / float(L);
    return Status::success();
}

Status rolloutTensor(const TraceTensor& t, TraceTensor& out)
{
    TraceTensor mean;
    if (auto st = meanOverHeads(t, mean); !st) return st;
    if (t.shape[2] != t.shape[3])
        return Status::error("rollout needs self-attention (query and key of the same length); '" + t.name + "' is " +
                             std::to_string(t.shape[2]) + " × " + std::to_string(t.shape[3]));
    const int n = int(t.shape[2]);
    const size_t per = size_t(n) * size_t(n);
    out = like(t, " · rollout", t.shape[0], 1);
    std::vector<const float*> layers;
    for (int64_t l = 0; l < t.shape[0]; ++l) {
        layers.push_back(mean.values.data() + size_t(l) * per);
        const auto r = rollout(layers, n);
        std::copy(r.begin(), r.end(), out.values.begin() + long(size_t(l) * per));
    }
    return Status::success();
}

namespace {
/// out[l, h] = a[l, h] · m for a [L, H, T, S] tensor and an [S, S] matrix (row-major).
TraceTensor timesMatrix(const TraceTensor& a, const float* m, const std::string& name)
{
    TraceTensor out = a;
    out.name = name;
    const size_t S = size_t(a.shape[3]);
    std::fill(out.values.begin(), out.values.end(), 0.0f);
    for (size_t r = 0; r < out.values.size() / S; ++r) {  // every row of every head
        const float* in = a.values.data() + r * S;
        float* o = out.values.data() + r * S;
        for (size_t k = 0; k < S; ++k)
            if (in[k] != 0)
                for (size_t j = 0; j < S; ++j) o[j] += in[k] * m[k * S + j];
    }
    return out;
}
bool isSelfAttention(const TraceTensor& t)
{
    return t.shape.size() == 4 && t.shape[2] == t.shape[3] && t.labels.size() == 4 && t.labels[2] == t.labels[3];
}
} // namespace

Status addDerivedLenses(AttentionTrace& trace)
{
    using schema::lens;
    const auto has = [&trace](const std::string& name) { return trace.find(name) != nullptr; };
    std::vector<TraceTensor> added;
    // Self-attention: rollout and the norm-based rollout.
    for (const auto& t : trace.tensors) {
        if (schema::isLens(t.name) || !isSelfAttention(t)) continue;
        if (auto st = check4d(t); !st) return st;
        TraceTensor r;
        if (!has(lens(t.name, schema::kRolloutLens)) && rolloutTensor(t, r)) {
            r.name = lens(t.name, schema::kRolloutLens);
            added.push_back(std::move(r));
        }
        const TraceTensor* norm = trace.find(lens(t.name, schema::kNormLens));
        if (norm && !has(lens(t.name, schema::kNormRolloutLens)) && rolloutTensor(rowNormalised(*norm), r)) {
            r.name = lens(t.name, schema::kNormRolloutLens);
            added.push_back(std::move(r));
        }
    }
    // Attention over a self-attention's tokens (cross-attention): its rows through that encoder's mixing.
    const auto topLayer = [&](const std::string& name) -> const float* {
        const TraceTensor* x = nullptr;
        for (const auto& a : added)
            if (a.name == name) x = &a;
        if (!x) x = trace.find(name);
        if (!x || x->shape.size() != 4 || x->shape[1] != 1) return nullptr;
        return x->values.data() + size_t(x->shape[0] - 1) * size_t(x->shape[2] * x->shape[3]);
    };
    std::vector<TraceTensor> crossLenses;
    for (const auto& t : trace.tensors) {
        if (schema::isLens(t.name) || t.shape.size() != 4 || isSelfAttention(t) || t.labels.size() != 4) continue;
        if (auto st = check4d(t); !st) return st;
        const TraceTensor* encoder = nullptr;
        for (const auto& e : trace.tensors)
            if (!schema::isLens(e.name) && isSelfAttention(e) && e.labels[3] == t.labels[3] && e.shape[3] == t.shape[3]) encoder = &e;
        if (!encoder) continue;
        const TraceTensor* norm = trace.find(lens(t.name, schema::kNormLens));
        const TraceTensor normRows = norm ? rowNormalised(*norm) : TraceTensor{};
        for (const auto& [which, rows] : {std::pair<const char*, const TraceTensor*>{schema::kRolloutLens, &t},
                                          {schema::kNormRolloutLens, norm ? &normRows : nullptr},
                                          {schema::kAltiLens, norm ? &normRows : nullptr}}) {
            const float* mix = topLayer(lens(encoder->name, which));
            if (rows && mix && !has(lens(t.name, which))) crossLenses.push_back(timesMatrix(*rows, mix, lens(t.name, which)));
        }
    }
    for (auto& a : added) trace.tensors.push_back(std::move(a));
    for (auto& a : crossLenses) trace.tensors.push_back(std::move(a));
    return Status::success();
}

bool isPunctuationLabel(const std::string& label)
{
    const QString s = QString::fromStdString(label);
    if (s.isEmpty() || s == QLatin1String("</s>")) return false;
    for (QChar c : s)
        if (c.isLetterOrNumber()) return false;
    return true;
}

Status summarizeHead(const TraceTensor& t, int layer, int head, const AttentionTrace* gold, HeadSummary& out,
                     const LinkOptions& links)
{
    TraceTensor h;
    if (auto st = sliceHead(t, layer, head, "cross", h); !st) return st;
    const int Q = int(h.shape[0]), K = int(h.shape[1]);
    std::vector<bool> punct(size_t(K), false);
    int eos = -1;
    if (h.labels.size() == 2 && int(h.labels[1].size()) == K && K > 0) {
        for (int k = 0; k < K; ++k) punct[size_t(k)] = isPunctuationLabel(h.labels[1][size_t(k)]);
        const std::string& last = h.labels[1].back();
        if (last == "</s>" || last == "[SEP]" || last == "<eos>" || last == "<|endoftext|>") eos = K - 1;
    }
    const auto p = positionStats(h.values.data(), Q, K, punct, eos);
    out = HeadSummary{};
    out.entropy = meanEntropy(h.values.data(), Q, K);
    out.same = p.same;
    out.previous = p.previous;
    out.next = p.next;
    out.punctuation = p.punctuation;
    out.hasEos = eos >= 0;
    out.eos = out.hasEos ? p.eos : std::nan("");
    out.scored = gold && scoreHead(h, *gold, out.score, links);
    return Status::success();
}

Status analyzeHeads(const TraceTensor& t, const AttentionTrace* gold, const LinkOptions& links, HeadAnalysis& out)
{
    out = HeadAnalysis{};
    if (t.shape.size() != 4 || t.numel() == 0 || int64_t(t.values.size()) != t.numel())
        return Status::error("tensor '" + t.name + "' is not [layer, head, query, key]");
    out.layers = int(t.shape[0]);
    out.heads = int(t.shape[1]);
    const size_t per = size_t(t.shape[2] * t.shape[3]);
    out.summaries.resize(size_t(out.layers * out.heads));
    out.maxWeight.resize(out.summaries.size());
    for (int l = 0; l < out.layers; ++l)
        for (int h = 0; h < out.heads; ++h) {
            const size_t k = size_t(l * out.heads + h);
            if (auto st = summarizeHead(t, l, h, gold, out.summaries[k], links); !st) return st;
            const float* m = t.values.data() + k * per;
            out.maxWeight[k] = *std::max_element(m, m + per);
        }
    return Status::success();
}

Status compareHeadPair(const TraceTensor& a, const TraceTensor& b, const AttentionTrace* gold, const LinkOptions& links,
                       HeadComparison& out)
{
    out = HeadComparison{};
    if (a.shape.size() != 2 || a.shape != b.shape || a.numel() == 0 || int64_t(a.values.size()) != a.numel() ||
        b.values.size() != a.values.size())
        return Status::error("only heads of the same 2-D shape can be compared");
    const int rows = int(a.shape[0]), cols = int(a.shape[1]);
    out.jsdRows = jsDivergenceRows(a.values.data(), b.values.data(), rows, cols);
    out.jsd = jsDivergence(a.values.data(), b.values.data(), rows, cols);
    out.pearson = pearson(a.values.data(), b.values.data(), a.values.size());
    out.entropyA = meanEntropy(a.values.data(), rows, cols);
    out.entropyB = meanEntropy(b.values.data(), rows, cols);
    AlignmentScore sa, sb;
    if (gold && scoreHead(a, *gold, sa, links)) out.aerA = sa.aer();
    if (gold && scoreHead(b, *gold, sb, links)) out.aerB = sb.aer();
    return Status::success();
}

Status HeadTableAccumulator::add(const TraceTensor& t, const AttentionTrace* gold, const LinkOptions& links)
{
    if (t.shape.size() != 4) return Status::error("tensor '" + t.name + "' is not [layer, head, query, key]");
    if (count_ == 0) {
        layers_ = int(t.shape[0]);
        heads_ = int(t.shape[1]);
        sum_.assign(size_t(layers_ * heads_), HeadSummary{});
        eosCount_.assign(sum_.size(), 0);
    } else if (t.shape[0] != layers_ || t.shape[1] != heads_) {
        return Status::error("tensor '" + t.name + "' has another layer × head layout than the sentences before it");
    }
    for (int l = 0; l < layers_; ++l)
        for (int hd = 0; hd < heads_; ++hd) {
            HeadSummary s;
            if (auto st = summarizeHead(t, l, hd, gold, s, links); !st) return st;
            auto& acc = sum_[size_t(l * heads_ + hd)];
            acc.entropy += s.entropy;
            acc.same += s.same;
            acc.previous += s.previous;
            acc.next += s.next;
            acc.punctuation += s.punctuation;
            if (s.hasEos) {
                acc.eos += s.eos;
                ++eosCount_[size_t(l * heads_ + hd)];
            }
            if (s.scored) {
                acc.score.add(s.score);
                acc.scored = true;
            }
        }
    ++count_;
    return Status::success();
}

HeadSummary HeadTableAccumulator::mean(int layer, int head) const
{
    HeadSummary m;
    if (count_ == 0 || layer < 0 || layer >= layers_ || head < 0 || head >= heads_) return m;
    const size_t i = size_t(layer * heads_ + head);
    m = sum_[i];
    for (double* x : {&m.entropy, &m.same, &m.previous, &m.next, &m.punctuation}) *x /= count_;
    m.hasEos = eosCount_[i] > 0;
    m.eos = m.hasEos ? m.eos / eosCount_[i] : std::nan("");
    return m;
}

const TraceTensor* attentionTensor(const AttentionTrace& trace, const std::string& kind)
{
    if (!kind.empty()) return trace.find(kind);
    if (const TraceTensor* c = trace.find("cross"); c && c->shape.size() == 2) return c;
    for (const auto& x : trace.tensors)
        if (x.shape.size() == 4) return &x;
    return nullptr;
}

Status selectHead(const AttentionTrace& trace, const std::string& kind, int layer, int head, TraceTensor& out)
{
    const TraceTensor* t = attentionTensor(trace, kind);
    if (!t && !kind.empty()) {
        std::string names;
        for (const auto& x : trace.tensors) names += (names.empty() ? "" : ", ") + x.name;
        return Status::error("the trace has no tensor '" + kind + "' (it has: " + names + ")");
    }
    if (!t) return Status::error("the trace has no attention tensor");
    if (t->shape.size() == 2) {
        if (layer != 0 || head > 0)
            return Status::error("'" + t->name + "' is a single attention map: it has no layer " +
                                 std::to_string(layer + 1) + ", head " + std::to_string(head + 1));
        out = *t;
        out.name = "cross";
        return Status::success();
    }
    if (t->shape.size() != 4) return Status::error("tensor '" + t->name + "' is neither 2-D nor [layer, head, query, key]");
    if (layer < 0 || layer >= t->shape[0] || head >= t->shape[1])
        return Status::error("tensor '" + t->name + "' has " + std::to_string(t->shape[0]) + " layers × " +
                             std::to_string(t->shape[1]) + " heads: no layer " + std::to_string(layer + 1) +
                             (head >= 0 ? ", head " + std::to_string(head + 1) : std::string()));
    if (head >= 0) return sliceHead(*t, layer, head, "cross", out);
    TraceTensor mean;
    if (auto st = meanOverHeads(*t, mean); !st) return st;
    return sliceHead(mean, layer, 0, "cross", out);
}

} // namespace attnscope
