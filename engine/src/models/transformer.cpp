#include "models/transformer.h"

#include <cmath>

namespace attnscope {

torch::Tensor sinusoidalPositions(int64_t length, int64_t d)
{
    const auto pos = torch::arange(length, torch::kFloat).unsqueeze(1);                  // [L, 1]
    const auto i2 = torch::arange(0, d, 2, torch::kFloat);                               // 2i
    const auto freq = torch::exp(i2 * (-std::log(10000.0) / double(d)));                 // 1 / 10000^(2i/d)
    auto pe = torch::zeros({length, d});
    pe.index_put_({torch::indexing::Slice(), torch::indexing::Slice(0, torch::indexing::None, 2)}, torch::sin(pos * freq));
    pe.index_put_({torch::indexing::Slice(), torch::indexing::Slice(1, torch::indexing::None, 2)},
                  torch::cos(pos * freq).narrow(1, 0, d / 2));
    return pe;
}

TransformerLayerImpl::TransformerLayerImpl(const TransformerConfig& c, bool decoder)
{
    self_ = register_module("self", MultiHeadAttention(c.dModel, c.heads, c.dropout));
    norm1_ = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dModel})));
    norm2_ = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dModel})));
    if (decoder) {
        cross_ = register_module("cross", MultiHeadAttention(c.dModel, c.heads, c.dropout));
        norm3_ = register_module("norm3", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dModel})));
    }
    ff1_ = register_module("ff1", torch::nn::Linear(c.dModel, c.feedForward));
    ff2_ = register_module("ff2", torch::nn::Linear(c.feedForward, c.dModel));
    drop_ = register_module("drop", torch::nn::Dropout(c.dropout));
}

torch::Tensor TransformerLayerImpl::feedForward(const torch::Tensor& x)
{
    return applyLinear(ff2_, drop_(torch::relu(applyLinear(ff1_, x))));  // FFN(x) = max(0, x W₁ + b₁) W₂ + b₂ (§3.3)
}

torch::Tensor TransformerLayerImpl::encode(const torch::Tensor& x, const torch::Tensor& mask, torch::Tensor& selfWeights,
                                           torch::Tensor* selfNorms, torch::Tensor* alti)
{
    const auto h = norm1_(x);
    auto [a, w] = self_(h, h, h, mask);
    selfWeights = w;
    if (selfNorms || alti) {
        const auto f = self_->transformedValues(h);  // [B, H, S, d]
        if (selfNorms) *selfNorms = f.norm(2, -1);
        if (alti) *alti = altiContributions(w, f, x, self_->wo->bias);
    }
    const auto y = x + drop_(a);
    return y + drop_(feedForward(norm2_(y)));
}

torch::Tensor TransformerLayerImpl::decode(const torch::Tensor& y, const torch::Tensor& memory, const torch::Tensor& causal,
                                           const torch::Tensor& srcMask, torch::Tensor& selfWeights,
                                           torch::Tensor& crossWeights, torch::Tensor* selfNorms, torch::Tensor* crossNorms)
{
    const auto h = norm1_(y);
    auto [a, ws] = self_(h, h, h, causal);
    selfWeights = ws;
    if (selfNorms) *selfNorms = self_->valueNorms(h);
    auto z = y + drop_(a);
    auto [c, wc] = cross_(norm3_(z), memory, memory, srcMask);
    crossWeights = wc;
    if (crossNorms) *crossNorms = cross_->valueNorms(memory);
    z = z + drop_(c);
    return z + drop_(feedForward(norm2_(z)));
}

torch::Tensor TransformerLayerImpl::encodeLong(const torch::Tensor& x, int64_t block, torch::Tensor& q, torch::Tensor& k,
                                               torch::Tensor& lse, const std::function<bool()>& keepGoing)
{
    const auto a = self_->attendBlockwise(norm1_(x), block, q, k, lse, keepGoing);
    if (!a.defined()) return {};
    const auto y = x + a;
    return y + feedForward(norm2_(y));
}

void TransformerLayerImpl::cacheMemory(const torch::Tensor& memory, DecoderCache& cache)
{
    cache.crossK.push_back(cross_->projectKeys(memory));
    cache.crossV.push_back(cross_->projectValues(memory));
    cache.selfK.emplace_back();
    cache.selfV.emplace_back();
}

torch::Tensor TransformerLayerImpl::decodeStep(const torch::Tensor& y, const torch::Tensor& srcMask, DecoderCache& cache,
                                               size_t l)
{
    const auto h = norm1_(y);
    const auto k = self_->projectKeys(h), v = self_->projectValues(h);
    cache.selfK[l] = cache.selfK[l].defined() ? torch::cat({cache.selfK[l], k}, 2) : k;
    cache.selfV[l] = cache.selfV[l].defined() ? torch::cat({cache.selfV[l], v}, 2) : v;
    auto [a, ws] = self_->attendProjected(h, cache.selfK[l], cache.selfV[l]);  // every cached position is ≤ this one
    auto z = y + drop_(a);
    auto [c, wc] = cross_->attendProjected(norm3_(z), cache.crossK[l], cache.crossV[l], srcMask);
    z = z + drop_(c);
    return z + drop_(feedForward(norm2_(z)));
}

TransformerNMTImpl::TransformerNMTImpl(const TransformerConfig& cfg) : cfg_(cfg)
{
    TORCH_CHECK(cfg.dModel % 2 == 0, "d_model must be even for sinusoidal positions");
    srcEmb_ = register_module("srcEmb", torch::nn::Embedding(torch::nn::EmbeddingOptions(cfg.sourceVocab, cfg.dModel).padding_idx(0)));
    tgtEmb_ = register_module("tgtEmb", torch::nn::Embedding(torch::nn::EmbeddingOptions(cfg.targetVocab, cfg.dModel).padding_idx(0)));
    // Embedding scale √d with N(0, d^-1/2) init keeps embeddings and positions on one scale.
    {
        torch::NoGradGuard ng;
        srcEmb_->weight.normal_(0.0, std::pow(double(cfg.dModel), -0.5));
        tgtEmb_->weight.normal_(0.0, std::pow(double(cfg.dModel), -0.5));
        srcEmb_->weight[0].zero_();
        tgtEmb_->weight[0].zero_();
    }
    encoder_ = register_module("encoder", torch::nn::ModuleList());
    decoder_ = register_module("decoder", torch::nn::ModuleList());
    for (int64_t l = 0; l < cfg.encoderLayers; ++l) encoder_->push_back(TransformerLayer(cfg, false));
    for (int64_t l = 0; l < cfg.decoderLayers; ++l) decoder_->push_back(TransformerLayer(cfg, true));
    encNorm_ = register_module("encNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({cfg.dModel})));
    decNorm_ = register_module("decNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({cfg.dModel})));
    drop_ = register_module("drop", torch::nn::Dropout(cfg.dropout));
    positions_ = sinusoidalPositions(256, cfg.dModel);
}

torch::Tensor TransformerNMTImpl::embed(torch::nn::Embedding& e, const torch::Tensor& ids)
{
    const int64_t T = ids.size(1);
    if (T > positions_.size(0)) positions_ = sinusoidalPositions(std::max<int64_t>(T, 2 * positions_.size(0)), cfg_.dModel);
    return drop_(e(ids) * std::sqrt(double(cfg_.dModel)) + positions_.narrow(0, 0, T).unsqueeze(0));
}

torch::Tensor TransformerNMTImpl::encode(const torch::Tensor& src, torch::Tensor& srcMask, TransformerAttention* att)
{
    srcMask = (src != 0).unsqueeze(1).unsqueeze(1);  // [B, 1, 1, S]
    auto x = embed(srcEmb_, src);
    for (const auto& m : *encoder_) {
        torch::Tensor w, norms, alti;
        const bool norm = att && att->withNorms;
        x = m->as<TransformerLayer>()->encode(x, srcMask, w, norm ? &norms : nullptr, norm ? &alti : nullptr);
        if (att) att->encoderSelf.push_back(w);
        if (norm) {
            att->encoderSelfNorms.push_back(norms);
            att->encoderAlti.push_back(alti);
        }
    }
    return encNorm_(x);
}

torch::Tensor TransformerNMTImpl::decode(const torch::Tensor& memory, const torch::Tensor& srcMask,
                                         const torch::Tensor& tgtIn, TransformerAttention* att, bool project)
{
    const auto causal = causalMask(tgtIn.size(1));
    auto y = embed(tgtEmb_, tgtIn);
    for (const auto& m : *decoder_) {
        torch::Tensor ws, wc, ns, nc;
        const bool norm = att && att->withNorms;
        y = m->as<TransformerLayer>()->decode(y, memory, causal, srcMask, ws, wc, norm ? &ns : nullptr, norm ? &nc : nullptr);
        if (att) {
            att->decoderSelf.push_back(ws);
            att->cross.push_back(wc);
        }
        if (norm) {
            att->decoderSelfNorms.push_back(ns);
            att->crossNorms.push_back(nc);
        }
    }
    if (!project) return y;
    return torch::matmul(decNorm_(y), tgtEmb_->weight.t());  // tied output projection
}

torch::Tensor TransformerNMTImpl::decodeStep(const torch::Tensor& memory, const torch::Tensor& srcMask,
                                             const torch::Tensor& token, DecoderCache& cache)
{
    if (cache.crossK.empty())
        for (const auto& m : *decoder_) m->as<TransformerLayer>()->cacheMemory(memory, cache);
    const int64_t t = cache.steps++;
    if (t >= positions_.size(0)) positions_ = sinusoidalPositions(2 * positions_.size(0) + t, cfg_.dModel);
    auto y = drop_(tgtEmb_(token.view({-1, 1})) * std::sqrt(double(cfg_.dModel)) + positions_.narrow(0, t, 1).unsqueeze(0));
    size_t l = 0;
    for (const auto& m : *decoder_) y = m->as<TransformerLayer>()->decodeStep(y, srcMask, cache, l++);
    const auto h = decNorm_(y.select(1, 0));  // [B, d]
    // One sentence: a matrix–vector product; a GEMM with Eᵀ would repack E (V × d) every step.
    if (h.size(0) == 1) return torch::mv(tgtEmb_->weight, h[0]).unsqueeze(0);  // [1, V]
    return torch::nn::functional::linear(h, tgtEmb_->weight);                  // [B, V]
}

bool TransformerNMTImpl::encodeLong(const torch::Tensor& src, int64_t block, std::vector<torch::Tensor>& q,
                                    std::vector<torch::Tensor>& k, std::vector<torch::Tensor>& lse,
                                    const std::function<bool(int64_t)>& keepGoing)
{
    auto x = embed(srcEmb_, src);
    int64_t layer = 0;
    for (const auto& m : *encoder_) {
        torch::Tensor ql, kl, ll;
        x = m->as<TransformerLayer>()->encodeLong(x, block, ql, kl, ll, [&] { return !keepGoing || keepGoing(layer); });
        if (!x.defined()) return false;
        q.push_back(ql);
        k.push_back(kl);
        lse.push_back(ll);
        ++layer;
    }
    return true;
}

torch::Tensor TransformerNMTImpl::forward(const torch::Tensor& src, const torch::Tensor& tgtIn, TransformerAttention* att)
{
    torch::Tensor mask;
    const auto memory = encode(src, mask, att);
    return decode(memory, mask, tgtIn, att);
}

void TransformerLayerImpl::setAblation(bool cross, std::vector<int64_t> heads, bool uniform)
{
    (cross ? cross_ : self_)->setAblation(std::move(heads), uniform);
}

void TransformerLayerImpl::setGates(bool cross, torch::Tensor gates)
{
    (cross ? cross_ : self_)->setGates(std::move(gates));
}

void TransformerNMTImpl::setGates(const std::map<std::string, torch::Tensor>& gates)
{
    const auto row = [&](const char* kind, int64_t l) {
        const auto it = gates.find(kind);
        return it == gates.end() ? torch::Tensor() : it->second[l];
    };
    for (int64_t l = 0; l < cfg_.encoderLayers; ++l) encoder_->ptr(size_t(l))->as<TransformerLayer>()->setGates(false, row("encoder_self", l));
    for (int64_t l = 0; l < cfg_.decoderLayers; ++l) {
        decoder_->ptr(size_t(l))->as<TransformerLayer>()->setGates(false, row("decoder_self", l));
        decoder_->ptr(size_t(l))->as<TransformerLayer>()->setGates(true, row("cross_attention", l));
    }
}

Status TransformerNMTImpl::setAblation(const HeadAblation& ablation)
{
    HeadAblation resolved = ablation;
    if (auto st = resolveAblation(resolved, {{"encoder_self", {cfg_.encoderLayers, cfg_.heads}},
                                             {"decoder_self", {cfg_.decoderLayers, cfg_.heads}},
                                             {"cross_attention", {cfg_.decoderLayers, cfg_.heads}}});
        !st)
        return st;
    const bool uniform = ablation.mode == HeadAblation::Mode::Uniform;
    const auto heads = [&](const char* kind, int64_t layer) {
        std::vector<int64_t> out;
        const auto k = resolved.heads.find(kind);
        if (k == resolved.heads.end()) return out;
        const auto l = k->second.find(int(layer));
        if (l != k->second.end()) out.assign(l->second.begin(), l->second.end());
        return out;
    };
    for (int64_t l = 0; l < cfg_.encoderLayers; ++l)
        encoder_->ptr(size_t(l))->as<TransformerLayer>()->setAblation(false, heads("encoder_self", l), uniform);
    for (int64_t l = 0; l < cfg_.decoderLayers; ++l) {
        decoder_->ptr(size_t(l))->as<TransformerLayer>()->setAblation(false, heads("decoder_self", l), uniform);
        decoder_->ptr(size_t(l))->as<TransformerLayer>()->setAblation(true, heads("cross_attention", l), uniform);
    }
    return Status::success();
}

} // namespace attnscope
