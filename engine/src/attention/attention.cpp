#include "attention/attention.h"

#include <cmath>

namespace attnscope {

std::string scoreName(ScoreFunction f)
{
    switch (f) {
    case ScoreFunction::Dot: return "dot";
    case ScoreFunction::ScaledDot: return "scaled-dot";
    case ScoreFunction::General: return "general";
    case ScoreFunction::Additive: return "additive";
    case ScoreFunction::Cosine: return "cosine";
    }
    return "?";
}

bool parseScore(const std::string& name, ScoreFunction& out)
{
    for (auto f : {ScoreFunction::Dot, ScoreFunction::ScaledDot, ScoreFunction::General, ScoreFunction::Additive,
                   ScoreFunction::Cosine})
        if (scoreName(f) == name) {
            out = f;
            return true;
        }
    return false;
}

torch::Tensor dotScore(const torch::Tensor& q, const torch::Tensor& k) { return torch::bmm(q, k.transpose(1, 2)); }

torch::Tensor scaledDotScore(const torch::Tensor& q, const torch::Tensor& k)
{
    return dotScore(q, k) / std::sqrt(double(q.size(-1)));
}

torch::Tensor generalScore(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& W)
{
    return torch::bmm(torch::matmul(q, W), k.transpose(1, 2));
}

torch::Tensor additiveScoreProjected(const torch::Tensor& q, const torch::Tensor& kp, const torch::Tensor& W1,
                                     const torch::Tensor& v)
{
    // [B, Tq, 1, h] + [B, 1, Tk, h] → tanh → · v → [B, Tq, Tk]
    const auto qp = torch::matmul(q, W1.t()).unsqueeze(2);
    return torch::matmul(torch::tanh(qp + kp.unsqueeze(1)), v);
}

torch::Tensor additiveScore(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& W1,
                            const torch::Tensor& W2, const torch::Tensor& v)
{
    return additiveScoreProjected(q, torch::matmul(k, W2.t()), W1, v);
}

torch::Tensor cosineScore(const torch::Tensor& q, const torch::Tensor& k)
{
    const auto qn = q / q.norm(2, -1, true).clamp_min(1e-8);
    const auto kn = k / k.norm(2, -1, true).clamp_min(1e-8);
    return dotScore(qn, kn);
}

torch::Tensor softmaxWeights(const torch::Tensor& scores, const torch::Tensor& mask, double temperature)
{
    TORCH_CHECK(temperature > 0, "softmax temperature must be positive, got ", temperature);
    auto e = scores / temperature;
    if (!mask.defined()) return torch::softmax(e, -1);
    e = e.masked_fill(mask.logical_not(), -std::numeric_limits<float>::infinity());
    auto w = torch::softmax(e, -1);
    return w.masked_fill(mask.logical_not(), 0.0).nan_to_num(0.0);  // fully masked rows → 0
}

torch::Tensor hardWeights(const torch::Tensor& scores, const torch::Tensor& mask)
{
    auto e = scores;
    if (mask.defined()) e = e.masked_fill(mask.logical_not(), -std::numeric_limits<float>::infinity());
    const auto idx = e.argmax(-1, true);
    auto w = torch::zeros_like(scores).scatter_(-1, idx, 1.0);
    if (mask.defined()) w = w * mask.expand_as(w).to(w.dtype());
    return w;
}

torch::Tensor contextVector(const torch::Tensor& weights, const torch::Tensor& values)
{
    return torch::bmm(weights, values);
}

AttentionLayerImpl::AttentionLayerImpl(ScoreFunction f, int64_t queryDim, int64_t keyDim, int64_t hidden) : f_(f)
{
    const double a = 1.0 / std::sqrt(double(std::max(queryDim, keyDim)));
    switch (f) {
    case ScoreFunction::Additive:
        W1_ = register_parameter("W1", torch::empty({hidden, queryDim}).uniform_(-a, a));
        W2_ = register_parameter("W2", torch::empty({hidden, keyDim}).uniform_(-a, a));
        v_ = register_parameter("v", torch::empty({hidden}).uniform_(-a, a));
        break;
    case ScoreFunction::General:
        W1_ = register_parameter("W", torch::empty({queryDim, keyDim}).uniform_(-a, a));
        break;
    default:  // dot-family: project keys to the query dimension
        Wk_ = register_parameter("Wk", torch::empty({queryDim, keyDim}).uniform_(-a, a));
        break;
    }
}

torch::Tensor AttentionLayerImpl::prepareKeys(const torch::Tensor& keys)
{
    switch (f_) {
    case ScoreFunction::Additive: return torch::matmul(keys, W2_.t());
    case ScoreFunction::General: return keys;
    default: return torch::matmul(keys, Wk_.t());
    }
}

torch::Tensor AttentionLayerImpl::scores(const torch::Tensor& q, const torch::Tensor& pk)
{
    switch (f_) {
    case ScoreFunction::Additive: return additiveScoreProjected(q, pk, W1_, v_);
    case ScoreFunction::General: return generalScore(q, pk, W1_);
    case ScoreFunction::Dot: return dotScore(q, pk);
    case ScoreFunction::ScaledDot: return scaledDotScore(q, pk);
    case ScoreFunction::Cosine: return cosineScore(q, pk);
    }
    return {};
}

} // namespace attnscope
