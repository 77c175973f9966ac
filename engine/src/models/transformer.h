#pragma once
// Transformer encoder–decoder translator (Vaswani et al. 2017, "Attention Is All You Need")
// that records every head's attention weights. Internal engine header (includes torch).
//   embeddings: x = √d_model · E[token] + PE(position)         (§3.4, sinusoidal PE of §3.5)
//   encoder layer (pre-norm, Xiong et al. 2020): x += MHA(LN(x), LN(x), LN(x)); x += FFN(LN(x))
//   decoder layer: y += MHA_causal(LN(y)); y += MHA(LN(y), memory, memory); y += FFN(LN(y))
//   output: logits = LN(y) Eᵀ (tied target embedding, Press & Wolf 2017)
// Recorded weights, each [B, heads, query, key], one tensor per layer:
//   encoder self [B, H, S, S], decoder masked self [B, H, T, T], cross [B, H, T, S].
#include "attention/multihead.h"
#include "attnscope/ablation.h"

#include <torch/torch.h>

#include <map>
#include <vector>

namespace attnscope {

struct TransformerConfig {
    int64_t sourceVocab = 0, targetVocab = 0;
    int64_t dModel = 256, heads = 4, encoderLayers = 3, decoderLayers = 3, feedForward = 1024;
    double dropout = 0.1;
    /// The cross-attention head supervised by guided alignment in training (Garg et al. 2019,
    /// "Jointly Learning to Align and Translate with Transformer Models", §4.2): 0-based.
    int64_t alignLayer = 1, alignHead = 0;
};

/// Per-layer attention weights of one forward pass.
struct TransformerAttention {
    std::vector<torch::Tensor> encoderSelf;  ///< per layer [B, H, S, S]
    std::vector<torch::Tensor> decoderSelf;  ///< per layer [B, H, T, T]
    std::vector<torch::Tensor> cross;        ///< per layer [B, H, T, S]
    /// With `withNorms`: per layer, ‖f_h(x_j)‖ of each key (MultiHeadAttention::valueNorms, the
    /// norm lens): [B, H, S], [B, H, T], [B, H, S]. Training leaves it off.
    bool withNorms = false;
    std::vector<torch::Tensor> encoderSelfNorms, decoderSelfNorms, crossNorms;
    /// With `withNorms` too: per encoder layer, the ALTI contributions of its self-attention
    /// block (altiContributions) [B, S, S], rows summing to 1.
    std::vector<torch::Tensor> encoderAlti;
};

/// Incremental decoding state (greedy search): per decoder layer, the projected keys and
/// values of the positions decoded so far (self-attention) and of the memory (cross).
struct DecoderCache {
    std::vector<torch::Tensor> selfK, selfV;    ///< per layer [B, H, t, d_k]
    std::vector<torch::Tensor> crossK, crossV;  ///< per layer [B, H, S, d_k]
    int64_t steps = 0;
};

class TransformerLayerImpl : public torch::nn::Module {
public:
    TransformerLayerImpl(const TransformerConfig& c, bool decoder);
    /// Encoder layer: x [B, S, d], mask [B, 1, 1, S]. Returns x and the self-attention weights.
    /// With `selfNorms`: the self-attention's value norms [B, H, S] (the norm lens); with `alti`,
    /// its block's ALTI contributions [B, S, S] (altiContributions).
    torch::Tensor encode(const torch::Tensor& x, const torch::Tensor& mask, torch::Tensor& selfWeights,
                         torch::Tensor* selfNorms = nullptr, torch::Tensor* alti = nullptr);
    /// Decoder layer: y [B, T, d], memory [B, S, d], causal mask [1, 1, T, T], source mask [B, 1, 1, S].
    /// With `selfNorms` / `crossNorms`: the value norms of the self- and cross-attention.
    torch::Tensor decode(const torch::Tensor& y, const torch::Tensor& memory, const torch::Tensor& causal,
                         const torch::Tensor& srcMask, torch::Tensor& selfWeights, torch::Tensor& crossWeights,
                         torch::Tensor* selfNorms = nullptr, torch::Tensor* crossNorms = nullptr);
    /// One decoder position y [B, 1, d] with cached keys/values of layer `l` (appends its own);
    /// equal to decode() on the whole prefix, last row, in eval mode.
    torch::Tensor decodeStep(const torch::Tensor& y, const torch::Tensor& srcMask, DecoderCache& cache, size_t l);
    void cacheMemory(const torch::Tensor& memory, DecoderCache& cache);
    /// Head ablation of this layer's self- or cross-attention (MultiHeadAttention::setAblation).
    void setAblation(bool cross, std::vector<int64_t> heads, bool uniform);
    /// Head gates of this layer's self- or cross-attention (MultiHeadAttention::setGates).
    void setGates(bool cross, torch::Tensor gates);
    /// Encoder layer over one long sequence x [1, n, d] with blockwise self-attention
    /// (MultiHeadAttention::attendBlockwise): q, k [H, n, d_k], lse [H, n]. Undefined when cancelled.
    torch::Tensor encodeLong(const torch::Tensor& x, int64_t block, torch::Tensor& q, torch::Tensor& k, torch::Tensor& lse,
                             const std::function<bool()>& keepGoing);

private:
    torch::Tensor feedForward(const torch::Tensor& x);
    MultiHeadAttention self_{nullptr}, cross_{nullptr};
    torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr}, norm3_{nullptr};
    torch::nn::Linear ff1_{nullptr}, ff2_{nullptr};
    torch::nn::Dropout drop_{nullptr};
};
TORCH_MODULE(TransformerLayer);

class TransformerNMTImpl : public torch::nn::Module {
public:
    explicit TransformerNMTImpl(const TransformerConfig& cfg);
    /// src [B, S] int64, padded with 0 → memory [B, S, d]; srcMask [B, 1, 1, S] (true = token).
    torch::Tensor encode(const torch::Tensor& src, torch::Tensor& srcMask, TransformerAttention* att);
    /// tgtIn [B, T] (starting with <s>) → logits [B, T, V]; with `project` false, the last
    /// layer's states [B, T, d] instead (when only the attention weights are wanted).
    torch::Tensor decode(const torch::Tensor& memory, const torch::Tensor& srcMask, const torch::Tensor& tgtIn,
                         TransformerAttention* att, bool project = true);
    /// Greedy decoding step: the next input token ids [B] → logits [B, V] of the position
    /// after it, reusing `cache` (start with an empty cache; memory keys are cached on the
    /// first step). Cost per step is linear in the prefix, not quadratic.
    torch::Tensor decodeStep(const torch::Tensor& memory, const torch::Tensor& srcMask, const torch::Tensor& token,
                             DecoderCache& cache);
    /// The encoder over one long sequence src [1, n] (a whole book) without n × n matrices:
    /// per layer the queries and keys [H, n, d_k] and row normalisers [H, n] of its
    /// self-attention (q, k, lse each get one tensor per layer). Memory O(n·(d + block)).
    /// Returns false when `keepGoing` stops it.
    bool encodeLong(const torch::Tensor& src, int64_t block, std::vector<torch::Tensor>& q, std::vector<torch::Tensor>& k,
                    std::vector<torch::Tensor>& lse, const std::function<bool(int64_t layer)>& keepGoing);
    /// Teacher forcing: logits [B, T, V] and, when `att` is given, every layer's weights.
    torch::Tensor forward(const torch::Tensor& src, const torch::Tensor& tgtIn, TransformerAttention* att = nullptr);
    const TransformerConfig& config() const { return cfg_; }
    /// Head ablation (attnscope/ablation.h) by the kinds the trace names: encoder_self,
    /// decoder_self, cross_attention; an empty ablation restores every head. Errors: those of
    /// resolveAblation (the valid ranges named), before anything changes.
    Status setAblation(const HeadAblation& ablation);
    /// Head gates ξ (Michel et al. 2019): per kind (encoder_self, decoder_self,
    /// cross_attention) one [layers, heads] tensor whose rows multiply each layer's heads;
    /// an empty map removes them.
    void setGates(const std::map<std::string, torch::Tensor>& gates);

private:
    torch::Tensor embed(torch::nn::Embedding& e, const torch::Tensor& ids);
    TransformerConfig cfg_;
    torch::nn::Embedding srcEmb_{nullptr}, tgtEmb_{nullptr};
    torch::nn::ModuleList encoder_{nullptr}, decoder_{nullptr};
    torch::nn::LayerNorm encNorm_{nullptr}, decNorm_{nullptr};
    torch::nn::Dropout drop_{nullptr};
    torch::Tensor positions_;  ///< sinusoidal table [maxLen, d] (buffer, not saved)
};
TORCH_MODULE(TransformerNMT);

/// Sinusoidal position encodings PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(…)
/// (Vaswani et al. 2017, §3.5): [length, d].
torch::Tensor sinusoidalPositions(int64_t length, int64_t d);

} // namespace attnscope
