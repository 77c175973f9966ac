#include "attention/multihead.h"
#include "attention/headablation.h"

#include "attention/attention.h"

namespace attnscope {

torch::Tensor applyLinear(const torch::nn::Linear& l, const torch::Tensor& x)
{
    if (x.numel() != x.size(-1)) return torch::nn::functional::linear(x, l->weight, l->bias);
    auto sizes = x.sizes().vec();
    sizes.back() = l->weight.size(0);
    const auto flat = x.reshape({-1});
    return (l->bias.defined() ? torch::addmv(l->bias, l->weight, flat) : torch::mv(l->weight, flat)).view(sizes);
}

torch::Tensor causalMask(int64_t T)
{
    return torch::ones({T, T}, torch::kBool).tril().view({1, 1, T, T});
}

MultiHeadAttentionImpl::MultiHeadAttentionImpl(int64_t dModel, int64_t heads, double dropout)
    : dModel_(dModel), heads_(heads), dK_(dModel / heads)
{
    TORCH_CHECK(heads > 0 && dModel % heads == 0, "d_model (", dModel, ") must be a multiple of the head count (", heads, ")");
    wq = register_module("wq", torch::nn::Linear(dModel, dModel));
    wk = register_module("wk", torch::nn::Linear(dModel, dModel));
    wv = register_module("wv", torch::nn::Linear(dModel, dModel));
    wo = register_module("wo", torch::nn::Linear(dModel, dModel));
    drop_ = register_module("drop", torch::nn::Dropout(dropout));
}

torch::Tensor MultiHeadAttentionImpl::projectKeys(const torch::Tensor& x)
{
    return applyLinear(wk, x).view({x.size(0), x.size(1), heads_, dK_}).transpose(1, 2);
}

torch::Tensor MultiHeadAttentionImpl::projectValues(const torch::Tensor& x)
{
    return applyLinear(wv, x).view({x.size(0), x.size(1), heads_, dK_}).transpose(1, 2);
}

torch::Tensor MultiHeadAttentionImpl::transformedValues(const torch::Tensor& x)
{
    const auto v = projectValues(x);                                                        // [B, H, T, d_k]
    const auto woHeads = wo->weight.view({dModel_, heads_, dK_}).permute({1, 2, 0});        // [H, d_k, d_model]: W^O_h
    return torch::matmul(v, woHeads.unsqueeze(0));                                          // [B, H, T, d_model]
}

torch::Tensor MultiHeadAttentionImpl::valueNorms(const torch::Tensor& x) { return transformedValues(x).norm(2, -1); }

torch::Tensor altiContributions(const torch::Tensor& weights, const torch::Tensor& transformed, const torch::Tensor& residual,
                                const torch::Tensor& bias)
{
    TORCH_CHECK(weights.dim() == 4 && weights.size(2) == weights.size(3), "ALTI needs self-attention weights [B, H, S, S]");
    const int64_t S = weights.size(2);
    // T_i(x_j) = Σ_h α^h_ij f_h(x_j), plus x_i on the diagonal (the residual)      [B, S, S, d]
    auto parts = torch::einsum("bhij,bhjd->bijd", {weights, transformed});
    parts = parts + torch::eye(S, parts.options()).unsqueeze(0).unsqueeze(-1) * residual.unsqueeze(2);
    auto y = parts.sum(2, true);                                                        // [B, S, 1, d]
    if (bias.defined()) y = y + bias;
    const auto yNorm = y.abs().sum(-1);                                                 // ‖y_i‖₁ [B, S, 1]
    const auto c = torch::clamp_min(yNorm - (y - parts).abs().sum(-1), 0.0);           // [B, S, S]
    const auto total = c.sum(-1, true);
    return torch::where(total > 0, c / total.clamp_min(1e-30), torch::zeros_like(c));
}

std::pair<torch::Tensor, torch::Tensor> MultiHeadAttentionImpl::forward(const torch::Tensor& query,
                                                                        const torch::Tensor& key,
                                                                        const torch::Tensor& value,
                                                                        const torch::Tensor& mask)
{
    return attendProjected(query, projectKeys(key), projectValues(value), mask);
}

std::pair<torch::Tensor, torch::Tensor> MultiHeadAttentionImpl::attendProjected(const torch::Tensor& query,
                                                                                const torch::Tensor& k,
                                                                                const torch::Tensor& v,
                                                                                const torch::Tensor& mask)
{
    const int64_t B = query.size(0), Tq = query.size(1), Tk = k.size(2);
    const auto q = applyLinear(wq, query).view({B, Tq, heads_, dK_}).transpose(1, 2);  // [B, H, Tq, d_k]
    // Stage 1: scaled dot score per head; stage 2: masked softmax; stage 3: context.
    const auto scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(double(dK_));  // [B, H, Tq, Tk]
    auto weights = softmaxWeights(scores, mask.defined() ? mask.expand({B, heads_, Tq, Tk}) : mask);
    if (!ablated_.empty()) weights = ablateHeads(weights, 1, ablated_, uniform_, "multi-head attention");
    if (gates_.defined()) weights = weights * gates_.view({1, heads_, 1, 1});
    const auto context = torch::matmul(drop_(weights), v);                               // [B, H, Tq, d_k]
    const auto merged = context.transpose(1, 2).contiguous().view({B, Tq, dModel_});
    return {applyLinear(wo, merged), weights};
}

torch::Tensor MultiHeadAttentionImpl::attendBlockwise(const torch::Tensor& x, int64_t block, torch::Tensor& q,
                                                     torch::Tensor& k, torch::Tensor& lse,
                                                     const std::function<bool()>& keepGoing)
{
    const int64_t n = x.size(1);
    q = applyLinear(wq, x).view({n, heads_, dK_}).transpose(0, 1).contiguous();  // [H, n, d_k]
    k = applyLinear(wk, x).view({n, heads_, dK_}).transpose(0, 1).contiguous();
    const auto v = applyLinear(wv, x).view({n, heads_, dK_}).transpose(0, 1).contiguous();
    lse = torch::empty({heads_, n});
    auto context = torch::empty({heads_, n, dK_});
    const double scale = 1.0 / std::sqrt(double(dK_));
    const auto kt = k.transpose(1, 2);
    // One scores buffer [H, block, n] for every block: fresh buffers of this size would cost a
    // page fault per 4 KiB on each block.
    auto buffer = torch::empty({heads_, std::min(block, n), n});
    for (int64_t r0 = 0; r0 < n; r0 += block) {
        if (keepGoing && !keepGoing()) return {};
        const int64_t nr = std::min(block, n - r0);
        auto scores = nr == buffer.size(1) ? buffer : buffer.narrow(1, 0, nr);
        torch::matmul_out(scores, q.narrow(1, r0, nr), kt);
        scores.mul_(scale);
        const auto m = std::get<0>(scores.max(-1, true));  // [H, nr, 1]
        scores.sub_(m).exp_();
        const auto sum = scores.sum(-1, true);
        lse.narrow(1, r0, nr).copy_((m + sum.log()).squeeze(-1));  // log Σ exp(s) = m + log Σ exp(s − m)
        scores.div_(sum);
        context.narrow(1, r0, nr).copy_(torch::matmul(scores, v));
    }
    return applyLinear(wo, context.transpose(0, 1).contiguous().view({1, n, dModel_}));
}

} // namespace attnscope
