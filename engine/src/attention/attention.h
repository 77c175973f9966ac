#pragma once
// Attention mechanics in three stages (internal engine header; includes torch).
//   stage 1  score:         e = score(q, k)
//   stage 2  normalisation: α = softmax(e / T) with masks, or hard (one-hot argmax)
//   stage 3  context:       c = Σ_j α_j v_j
// Shapes: queries q [B, Tq, dq], keys k [B, Tk, dk], values v [B, Tk, dv],
// scores and weights [B, Tq, Tk], masks broadcastable to [B, Tq, Tk] (true = may attend).
#include <torch/torch.h>

#include <string>

namespace attnscope {

enum class ScoreFunction { Dot, ScaledDot, General, Additive, Cosine };
std::string scoreName(ScoreFunction f);
bool parseScore(const std::string& name, ScoreFunction& out);

// ---- stage 1: score functions --------------------------------------------------
/// Dot product: e_ij = q_i · k_j (Luong et al. 2015, eq. 8 "dot"). dq == dk.
torch::Tensor dotScore(const torch::Tensor& q, const torch::Tensor& k);
/// Scaled dot product: e_ij = q_i · k_j / √d (Vaswani et al. 2017, eq. 1).
torch::Tensor scaledDotScore(const torch::Tensor& q, const torch::Tensor& k);
/// General / bilinear: e_ij = q_iᵀ W k_j, W [dq, dk] (Luong et al. 2015, eq. 8 "general").
torch::Tensor generalScore(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& W);
/// Additive / concat: e_ij = vᵀ tanh(W₁ q_i + W₂ k_j), W₁ [h, dq], W₂ [h, dk], v [h]
/// (Bahdanau et al. 2015, appendix A.1.2).
torch::Tensor additiveScore(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& W1,
                            const torch::Tensor& W2, const torch::Tensor& v);
/// Additive score with W₂k precomputed as `keysProjected` [B, Tk, h] (decoder loops).
torch::Tensor additiveScoreProjected(const torch::Tensor& q, const torch::Tensor& keysProjected,
                                     const torch::Tensor& W1, const torch::Tensor& v);
/// Cosine similarity: e_ij = q_i · k_j / (‖q_i‖ ‖k_j‖) (Graves et al. 2014, NTM content addressing).
torch::Tensor cosineScore(const torch::Tensor& q, const torch::Tensor& k);

// ---- stage 2: normalisation ------------------------------------------------------
/// α = softmax(e / temperature) over the key axis; masked keys get weight 0.
/// A row whose keys are all masked gets all-zero weights (not NaN).
torch::Tensor softmaxWeights(const torch::Tensor& scores, const torch::Tensor& mask = {}, double temperature = 1.0);
/// Hard attention: one-hot at argmax_j e_ij among unmasked keys (Xu et al. 2015 §4.1, deterministic).
torch::Tensor hardWeights(const torch::Tensor& scores, const torch::Tensor& mask = {});

// ---- stage 3: context vector ---------------------------------------------------------
/// c_i = Σ_j α_ij v_j: weights [B, Tq, Tk] × values [B, Tk, dv] → [B, Tq, dv].
torch::Tensor contextVector(const torch::Tensor& weights, const torch::Tensor& values);

/// An attention layer with learnable score parameters, recording its weights.
/// Query dim dq, key dim dk. Dot-family scores compare q with a projection of k to dq.
class AttentionLayerImpl : public torch::nn::Module {
public:
    AttentionLayerImpl(ScoreFunction f, int64_t queryDim, int64_t keyDim, int64_t hidden);
    /// Precomputes what depends only on the keys: [B, Tk, h or dq].
    torch::Tensor prepareKeys(const torch::Tensor& keys);
    /// One set of queries against prepared keys: returns scores [B, Tq, Tk].
    torch::Tensor scores(const torch::Tensor& q, const torch::Tensor& preparedKeys);

private:
    ScoreFunction f_;
    torch::Tensor W1_, W2_, v_, Wk_;
};
TORCH_MODULE(AttentionLayer);

} // namespace attnscope
