#include "attention/multihead.h"

#include "attention/attention.h"

namespace attnscope {

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

std::pair<torch::Tensor, torch::Tensor> MultiHeadAttentionImpl::forward(const torch::Tensor& query,
                                                                        const torch::Tensor& key,
                                                                        const torch::Tensor& value,
                                                                        const torch::Tensor& mask)
{
    const int64_t B = query.size(0), Tq = query.size(1), Tk = key.size(1);
    auto split = [&](const torch::Tensor& x, int64_t T) {  // [B, T, d] → [B, H, T, d_k]
        return x.view({B, T, heads_, dK_}).transpose(1, 2);
    };
    const auto q = split(wq(query), Tq), k = split(wk(key), Tk), v = split(wv(value), Tk);
    // Stage 1: scaled dot score per head; stage 2: masked softmax; stage 3: context.
    const auto scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(double(dK_));  // [B, H, Tq, Tk]
    const auto weights = softmaxWeights(scores, mask.defined() ? mask.expand({B, heads_, Tq, Tk}) : mask);
    const auto context = torch::matmul(drop_(weights), v);                               // [B, H, Tq, d_k]
    const auto merged = context.transpose(1, 2).contiguous().view({B, Tq, dModel_});
    return {wo(merged), weights};
}

} // namespace attnscope
