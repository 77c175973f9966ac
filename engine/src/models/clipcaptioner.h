#pragma once
// The clip captioner (Yao et al. 2015, soft temporal attention): a per-frame CNN over the
// frame and its difference to the previous video frame (a cheap local-motion feature in the
// place of the paper's 3-D CNN), a learned embedding of the frame's position in the sample,
// and the same LSTM attention decoder as the scene captioner, attending over frames — with
// two changes that make each word's attention its own evidence: the context goes to the output
// layer only (not into the LSTM) and h_0 = 0 (no summary of the whole clip). With Xu et al.'s
// wiring the decoder looked at an item one word early and named it from memory, so item words'
// attention was at chance (README, "Video captioning"). Internal engine header (torch).
#include "attnscope/video.h"
#include "models/captioner.h"

#include <torch/torch.h>

namespace attnscope {

/// <pad> <s> </s> <unk> a , then moves pair of, the item words, left right up down.
const std::vector<std::string>& clipVocabulary();

/// Per frame: [frame, frame − previous] 2×64×64 → conv3×3(16, stride 2) BN ReLU →
/// conv3×3(32) BN ReLU pool2 → conv3×3(64) BN ReLU pool2 → conv3×3(64) BN ReLU pool2 →
/// flatten (64·4·4) → linear(D) ReLU; + position embedding [T, D]. Input [B, T, 2, 64, 64],
/// output a [B, T, D].
class ClipEncoderImpl : public torch::nn::Module {
public:
    ClipEncoderImpl(const CaptionerConfig& cfg, int64_t samples);
    torch::Tensor forward(const torch::Tensor& x);

private:
    std::vector<torch::nn::Conv2d> convs_;
    std::vector<torch::nn::BatchNorm2d> norms_;
    torch::nn::Linear fc_{nullptr};
    torch::Tensor position_;
};
TORCH_MODULE(ClipEncoder);

class ClipCaptionerNetImpl : public torch::nn::Module {
public:
    ClipCaptionerNetImpl(const CaptionerConfig& cfg, int64_t samples);
    const CaptionerConfig& config() const { return cfg_; }
    int64_t samples() const { return samples_; }
    ClipEncoder encoder{nullptr};
    AttentionDecoder decoder{nullptr};

private:
    CaptionerConfig cfg_;
    int64_t samples_;
};
TORCH_MODULE(ClipCaptionerNet);

/// Format {6, vocab, embedding, hidden, attention, features, samples, vocabulary checksum,
/// context into the LSTM (0/1), h_0 from the annotations (0/1)}.
void saveClipCaptioner(ClipCaptionerNet& m, const std::string& path, bool half);
ClipCaptionerNet loadClipCaptioner(const std::string& path);

/// A batch of inputs [B, T, 2, 64, 64] (frame and frame − previous, frames normalised).
torch::Tensor clipTensor(const std::vector<const ClipInput*>& inputs);

} // namespace attnscope
