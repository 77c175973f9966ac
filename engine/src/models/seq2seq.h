#pragma once
// RNN encoder–decoder with attention (Bahdanau, Cho & Bengio 2015, "Neural Machine
// Translation by Jointly Learning to Align and Translate"). Internal engine header.
//   encoder: embedding → bidirectional GRU → annotations h_j = [→h_j; ←h_j]   [B, S, 2H]
//   decoder step t: e_tj = score(s_{t-1}, h_j), α_t = softmax(e_t), c_t = Σ_j α_tj h_j,
//                   s_t = GRU([E y_{t-1}; c_t], s_{t-1}),
//                   p(y_t) = softmax(W_o tanh(W_p [s_t; c_t; E y_{t-1}]))
// α_t is the attention used to emit y_t: row t of the "cross" trace tensor.
#include "attention/attention.h"
#include "models/vocab.h"

#include <torch/torch.h>

namespace attnscope {

struct Seq2SeqConfig {
    int64_t sourceVocab = 0, targetVocab = 0;
    int64_t embedding = 256, hidden = 256;
    ScoreFunction score = ScoreFunction::Additive;
    double dropout = 0.2;
};

struct EncoderState {
    torch::Tensor annotations;  ///< [B, S, 2H]
    torch::Tensor keys;         ///< prepared keys [B, S, h]
    torch::Tensor mask;         ///< [B, 1, S] bool, true for real tokens
    torch::Tensor initial;      ///< s_0 [B, H]
};

class Seq2SeqImpl : public torch::nn::Module {
public:
    explicit Seq2SeqImpl(const Seq2SeqConfig& cfg);
    /// src [B, S] int64 (padded with 0), lengths [B] int64.
    EncoderState encode(const torch::Tensor& src, const torch::Tensor& lengths);
    /// One decoder step: previous tokens [B], state [B, H] → logits [B, V], new state, α [B, S].
    std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> step(const EncoderState& enc,
                                                                 const torch::Tensor& prev,
                                                                 const torch::Tensor& state);
    /// Teacher forcing: tgtIn [B, T] (starting with <s>) → logits [B, T, V], α [B, T, S].
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& src, const torch::Tensor& lengths,
                                                    const torch::Tensor& tgtIn);
    const Seq2SeqConfig& config() const { return cfg_; }

private:
    Seq2SeqConfig cfg_;
    torch::nn::Embedding srcEmb_{nullptr}, tgtEmb_{nullptr};
    torch::nn::GRU encoder_{nullptr};
    torch::nn::Linear bridge_{nullptr}, preOut_{nullptr}, out_{nullptr};
    torch::nn::GRUCell cell_{nullptr};
    AttentionLayer attention_{nullptr};
    torch::nn::Dropout drop_{nullptr};
};
TORCH_MODULE(Seq2Seq);

} // namespace attnscope
