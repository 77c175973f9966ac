#pragma once
// Multi-head scaled dot-product attention (Vaswani et al. 2017, §3.2.2) that records
// every head's weights. Internal engine header (includes torch).
//   head_h = softmax(Q W_h^Q (K W_h^K)ᵀ / √d_k + mask) V W_h^V,  out = [head_1; …; head_H] W^O
// Shapes: query [B, Tq, d_model], key/value [B, Tk, d_model], mask broadcastable to
// [B, H, Tq, Tk] (true = may attend); weights [B, H, Tq, Tk].
#include <torch/torch.h>

namespace attnscope {

/// y = x Wᵀ + b for x [..., in]; a single row goes through a matrix–vector product
/// (BLAS gemm would repack W on every call of a decoding step).
torch::Tensor applyLinear(const torch::nn::Linear& l, const torch::Tensor& x);

/// Causal mask [1, 1, T, T]: query t may attend to keys ≤ t (decoder self-attention).
torch::Tensor causalMask(int64_t T);

class MultiHeadAttentionImpl : public torch::nn::Module {
public:
    MultiHeadAttentionImpl(int64_t dModel, int64_t heads, double dropout = 0.0);
    /// Returns (output [B, Tq, d_model], weights [B, H, Tq, Tk]).
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& query, const torch::Tensor& key,
                                                    const torch::Tensor& value, const torch::Tensor& mask = {});
    /// Keys or values projected and split into heads: x [B, T, d_model] → [B, H, T, d_k]
    /// (W^K for keys, W^V for values). Lets decoders cache them across steps.
    torch::Tensor projectKeys(const torch::Tensor& x);
    torch::Tensor projectValues(const torch::Tensor& x);
    /// forward() with keys and values already projected ([B, H, Tk, d_k], see above).
    std::pair<torch::Tensor, torch::Tensor> attendProjected(const torch::Tensor& query, const torch::Tensor& keys,
                                                            const torch::Tensor& values, const torch::Tensor& mask = {});
    /// Self-attention over one long sequence x [1, n, d_model] without holding n × n scores:
    /// queries are taken `block` rows at a time; each block's scores [H, block, n] give its row
    /// normalisers lse = logsumexp(scores) and its context softmax(scores) V. Returns the output
    /// [1, n, d_model]; q and k receive the projected queries and keys [H, n, d_k] and lse
    /// [H, n], so any weight is exp(q_i·k_j/√d_k − lse_i) (the Q/K mode of the trace). No mask,
    /// no dropout (inference). `cancel` is asked between blocks.
    torch::Tensor attendBlockwise(const torch::Tensor& x, int64_t block, torch::Tensor& q, torch::Tensor& k,
                                  torch::Tensor& lse, const std::function<bool()>& keepGoing);
    /// The norm lens's value side (Kobayashi et al. 2020, "Attention is Not Only a Weight", eq. 5):
    /// ‖f_h(x_j)‖ with f_h(x) = (x W^V + b^V)_h W^O_h — the value vector of head h times that
    /// head's slice of the output projection, without its bias — for value inputs x [B, T,
    /// d_model]: [B, H, T]. The lens of head h is α_ij ‖f_h(x_j)‖ (a vector norm, in the units of
    /// the residual stream; rows do not sum to 1).
    torch::Tensor valueNorms(const torch::Tensor& x);
    /// f_h(x_j) itself for value inputs x [B, T, d_model]: [B, H, T, d_model] (valueNorms is its
    /// norm); Σ_h Σ_j α_ij f_h(x_j) + b^O is the block's output. ALTI decomposes with it.
    torch::Tensor transformedValues(const torch::Tensor& x);
    int64_t heads() const { return heads_; }
    /// Head ablation from now on (headablation.h): these heads' weights zeroed or, with
    /// `uniform`, made uniform over the unmasked keys, before they weight the values; the
    /// returned weights are the changed ones. An empty list restores the model.
    void setAblation(std::vector<int64_t> heads, bool uniform)
    {
        ablated_ = std::move(heads);
        uniform_ = uniform;
    }
    /// Head gates ξ [H] multiplying each head's weights (Michel et al. 2019, eq. 2), so that
    /// ∂L/∂ξ_h is head h's importance; undefined: no gates.
    void setGates(torch::Tensor gates) { gates_ = std::move(gates); }
    int64_t headDim() const { return dK_; }
    torch::nn::Linear wq{nullptr}, wk{nullptr}, wv{nullptr}, wo{nullptr};

private:
    int64_t dModel_, heads_, dK_;
    std::vector<int64_t> ablated_;
    bool uniform_ = false;
    torch::Tensor gates_;
    torch::nn::Dropout drop_{nullptr};
};
TORCH_MODULE(MultiHeadAttention);

/// ALTI token contributions of one self-attention block with its residual (Ferrando et al.
/// 2022, "Measuring the Mixing of Contextual Information in the Transformer", eq. 9–12):
/// the block's output y_i = Σ_j T_i(x_j) + b^O, T_i(x_j) = Σ_h α^h_ij f_h(x_j) + [i = j] x_i, and
/// c_ij = max(0, ‖y_i‖₁ − ‖y_i − T_i(x_j)‖₁), normalised over j (a row of zeros stays 0).
/// In a pre-LN block (ours) y is exactly this sum, so no LayerNorm decomposition is needed;
/// the paper decomposes the post-LN LayerNorm instead. Shapes: weights α [B, H, S, S],
/// transformed f_h(x_j) [B, H, S, d] (MultiHeadAttention::transformedValues), residual x
/// [B, S, d], bias b^O [d] (undefined: none). Returns [B, S, S]; holds [B, S, S, d] at once.
torch::Tensor altiContributions(const torch::Tensor& weights, const torch::Tensor& transformed, const torch::Tensor& residual,
                                const torch::Tensor& bias);

} // namespace attnscope
