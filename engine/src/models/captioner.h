#pragma once
// "Show, Attend and Tell" (Xu et al. 2015) in LibTorch: a CNN encoder giving a grid of
// annotation vectors and an LSTM decoder with soft additive attention over any set of
// annotation vectors (regions of an image here; frames of a video elsewhere). Internal
// engine header (torch).
#include "attnscope/caption.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace attnscope {

/// The caption vocabulary, fixed by the scene grammar: <pad> <s> </s> <unk>, then the words.
const std::vector<std::string>& captionVocabulary();
enum : int64_t { kCapPad = 0, kCapBos = 1, kCapEos = 2, kCapUnk = 3 };
/// Token ids of `words` in `vocab`; unknown words are collected in `unknown` (and map to <unk>).
std::vector<int64_t> captionIds(const std::vector<std::string>& words, std::vector<std::string>* unknown = nullptr,
                                const std::vector<std::string>& vocab = captionVocabulary());
/// FNV-1a of the joined vocabulary: a weights file is only read with the vocabulary it was
/// trained with.
int64_t vocabularyChecksum(const std::vector<std::string>& vocab);
/// Forced-decoding ids of `target` in `vocab`, or an error listing the unknown words and the
/// known ones (empty captions and captions over 200 words are errors too).
Status forcedIds(const std::string& target, const std::vector<std::string>& vocab, std::vector<int64_t>& out);

/// Teacher-forcing decoder inputs [B, T] (<s> w_1 … w_n) and targets [B, T] (w_1 … w_n </s>),
/// padded with kCapPad, for `captions` in `vocab`.
std::pair<torch::Tensor, torch::Tensor> teacherForcing(const std::vector<std::string>& captions, const std::vector<std::string>& vocab);

struct CaptionerConfig {
    int64_t vocab = 0;
    int64_t embedding = 64;   ///< E: word embedding and deep-output size
    int64_t hidden = 256;     ///< n: LSTM state
    int64_t attention = 128;  ///< size of the additive attention's hidden layer
    int64_t features = 128;   ///< D: annotation vector size
    int64_t grid = 7;         ///< the encoder's annotation grid is grid × grid (L = grid²)
    double dropout = 0.3;
    /// Xu et al. feed the context ẑ_t into the LSTM as well as into the output layer. When
    /// false it goes to the output layer only: the recurrent state never sees the input, only
    /// the words written so far (and h_0 from the mean annotation), so each word must find its
    /// own evidence through its own attention (the clip captioner; see README).
    bool contextToLstm = true;
    /// h_0, c_0 from the mean annotation (Xu et al. §3.1.2). When false they start at zero, so
    /// the decoder holds no summary of the whole input from which to name things without
    /// looking (the clip captioner).
    bool initFromAnnotations = true;
};

/// 84×84 → conv3×3(16) BN ReLU pool2 → conv3×3(32) BN ReLU pool2 → conv3×3(64) BN ReLU
/// pool3 → conv3×3(128) BN ReLU → conv3×3(D) BN ReLU: a 7×7 grid (each cell 12×12 scene
/// pixels, receptive field 74 pixels), plus a learned position embedding per cell so that the context vector says
/// where it was read. Output: annotations a [B, L = 49, D].
class SceneEncoderImpl : public torch::nn::Module {
public:
    explicit SceneEncoderImpl(const CaptionerConfig& cfg);
    torch::Tensor forward(const torch::Tensor& x);

private:
    std::vector<torch::nn::Conv2d> convs_;
    std::vector<torch::nn::BatchNorm2d> norms_;
    torch::Tensor position_;
};
TORCH_MODULE(SceneEncoder);

/// The decoder's recurrent state.
struct DecoderState {
    torch::Tensor h, c;  ///< [B, n]
};

/// One decoding step's outputs.
struct DecoderStep {
    torch::Tensor logits;  ///< [B, V]
    torch::Tensor alpha;   ///< [B, L] α_t as computed (softmax of the scores)
    torch::Tensor used;    ///< [B, L] the weights actually used: α_t (soft) or one-hot (hard)
    torch::Tensor beta;    ///< [B] the gate β_t
};

/// Head ablation of the decoder's one attention head (attnscope/ablation.h; kind "attention",
/// layer 1, head 1): None; Zero — the weights used are 0, so ẑ_t = 0 (HuggingFace head_mask
/// semantics); Uniform — the weights used are 1/L over the L annotations.
enum class CaptionAblation { None, Zero, Uniform };

/// LSTM decoder with attention (Xu et al. §3.1.2, §4.2):
///   e_ti = v^T tanh(W_a a_i + W_h h_{t−1})          (additive score, Bahdanau et al. 2015)
///   α_t = softmax(e_t);  β_t = σ(f_β(h_{t−1}));  ẑ_t = β_t Σ_i α_ti a_i
///   (h_t, c_t) = LSTM([E y_{t−1}; ẑ_t], (h_{t−1}, c_{t−1}))   (or LSTM(E y_{t−1}) without contextToLstm)
///   p(y_t) ∝ exp(L_o(E y_{t−1} + L_h h_t + L_z ẑ_t))  (deep output, eq. 7)
///   h_0, c_0 = tanh(f_init,h/c(mean_i a_i))   (or 0 without initFromAnnotations)
/// Works on any annotation set a [B, L, D].
class AttentionDecoderImpl : public torch::nn::Module {
public:
    explicit AttentionDecoderImpl(const CaptionerConfig& cfg);
    DecoderState init(const torch::Tensor& a);
    /// W_a a_i for every annotation, computed once per input: [B, L, A].
    torch::Tensor keys(const torch::Tensor& a);
    /// One step from previous words `prev` [B]. `mode`: Soft, HardArgmax, HardSample (with `gen`);
    /// `ablate` replaces the weights used (DecoderStep::used) after they are chosen.
    DecoderStep step(const torch::Tensor& prev, DecoderState& state, const torch::Tensor& a, const torch::Tensor& keys,
                     AttentionMode mode = AttentionMode::Soft, torch::Generator* gen = nullptr,
                     CaptionAblation ablate = CaptionAblation::None);
    /// Teacher forcing over inputs `in` [B, T] (<s> w_1 … w_{T−1}): logits [B, T, V] and α [B, T, L].
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& a, const torch::Tensor& in);

private:
    CaptionerConfig cfg_;
    torch::nn::Embedding embed_{nullptr};
    torch::nn::Linear initH_{nullptr}, initC_{nullptr}, attA_{nullptr}, attH_{nullptr}, attV_{nullptr}, gate_{nullptr};
    torch::nn::LSTMCell lstm_{nullptr};
    torch::nn::Linear outH_{nullptr}, outZ_{nullptr}, outO_{nullptr};
    torch::nn::Dropout drop_{nullptr};
};
TORCH_MODULE(AttentionDecoder);

/// Encoder + decoder. Input x [B, 1, 84, 84], pixels in [0, 1] normalised with kFmnistMean/Std.
class SceneCaptionerNetImpl : public torch::nn::Module {
public:
    explicit SceneCaptionerNetImpl(const CaptionerConfig& cfg);
    const CaptionerConfig& config() const { return cfg_; }
    SceneEncoder encoder{nullptr};
    AttentionDecoder decoder{nullptr};

private:
    CaptionerConfig cfg_;
};
TORCH_MODULE(SceneCaptionerNet);

/// Training loss of one batch: mean cross-entropy over non-pad targets plus the doubly
/// stochastic regulariser λ · mean_b (1/L) Σ_i (1 − Σ_t α_ti)² (Xu et al. eq. 14; the sum
/// over t runs over real words, not padding).
struct CaptionLoss {
    torch::Tensor total, crossEntropy, regulariser;
};
CaptionLoss captionLoss(const torch::Tensor& logits, const torch::Tensor& alpha, const torch::Tensor& target, double lambda);

/// Weights file: every parameter and buffer (float16 when `half`) and an int64 "format"
/// {5, vocab, embedding, hidden, attention, features, grid, vocabulary checksum}.
void saveCaptioner(SceneCaptionerNet& m, const std::string& path, bool half);
/// The decoder fields both captioners' format records share: {kind, vocab, embedding, hidden,
/// attention, features, (model field), vocabulary checksum, …}; throws naming `path` on a
/// vocabulary or size that does not fit.
CaptionerConfig readCaptionerConfig(const torch::Tensor& format, const std::vector<std::string>& vocab, const std::string& path);
SceneCaptionerNet loadCaptioner(const std::string& path);

/// A scene as the encoder's input [1, 1, 84, 84] (normalised).
torch::Tensor sceneTensor(const GreyImage& scene);

/// Teacher-forcing batch of scenes: inputs [B, 1, 84, 84], decoder inputs [B, T] and targets
/// [B, T] (padded with kCapPad).
struct CaptionBatch {
    torch::Tensor images, inputs, targets;
};
CaptionBatch captionBatch(const std::vector<Scene>& scenes);

/// One decoded sequence: its words (ids) and, per word, what the decoder did.
struct DecodedCaption {
    std::vector<int64_t> ids;
    std::vector<torch::Tensor> alpha, used;  ///< [L] each: α_t as computed, and the weights used
    std::vector<float> beta, prob;           ///< gate β_t and p(y_t) per word
    double logProb = 0;                      ///< Σ log p over the words and </s> (when reached)
};
/// Greedy decoding of one input (annotations a [1, L, D]), or forced decoding of `forced`.
DecodedCaption greedyDecode(AttentionDecoderImpl& dec, const torch::Tensor& a, AttentionMode mode, int maxWords, uint64_t seed,
                            const std::vector<int64_t>& forced, CaptionAblation ablate = CaptionAblation::None);
/// Beam search of width k (soft or hard-argmax attention); the finished hypothesis with the
/// best length-normalised log-probability wins.
DecodedCaption beamDecode(AttentionDecoderImpl& dec, const torch::Tensor& a, AttentionMode mode, int k, int maxWords,
                          CaptionAblation ablate = CaptionAblation::None);
/// Checks `opt`, decodes (forced, greedy or beam) and adds to `t` the tensors "attention"
/// [word, axis] (+ "soft_attention" in hard modes), "gate", "word_probability", "coverage"
/// [axis] and the metadata caption / mode / attention / decoding / log_probability (+ "ablation"
/// when opt.ablation ablates the head: "attention" then holds the weights used, 0 or 1/L).
/// Errors also: an ablation of heads this decoder does not have (it has one: attention:1:1).
Status decodeCaption(AttentionDecoderImpl& dec, const torch::Tensor& a, const CaptionOptions& opt, const std::vector<std::string>& vocab,
                     const std::string& axis, const std::vector<std::string>& columns, AttentionTrace& t);

} // namespace attnscope
