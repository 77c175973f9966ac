#pragma once
// Channel and spatial attention blocks for CNN feature maps. Internal engine header (torch).
//
// Every block takes feature maps U [B, C, H, W] and returns the rescaled maps together with
// the attention it applied, so views can show exactly what scaled each channel:
//   excitation [B, C] in (0, 1) — the per-channel weight s_c (output_c = s_c · U_c);
//   spatial    [B, H, W] in (0, 1) — CBAM's spatial map M_s (undefined for SE and ECA).
#include <torch/torch.h>

#include <string>

namespace attnscope {

enum class BlockKind { None = 0, SE = 1, ECA = 2, CBAM = 3 };
const char* blockName(BlockKind k);  ///< "none", "SE", "ECA", "CBAM"

struct BlockOutput {
    torch::Tensor out;         ///< [B, C, H, W]
    torch::Tensor excitation;  ///< [B, C]; all ones for BlockKind::None
    torch::Tensor spatial;     ///< [B, H, W] for CBAM, else undefined
};

/// ECA's adaptive kernel size (Wang et al. 2020, eq. 12): k = ψ(C) = |log2(C)/γ + b/γ|_odd
/// with γ = 2, b = 1 (the nearest odd number, rounding up from even).
int ecaKernelSize(int64_t channels);

/// One attention block after a conv stage:
/// - SE (Hu et al. 2018, eqs. 2–4): z = GAP(U) [B, C]; s = σ(W2 δ(W1 z)), W1: C → C/r,
///   W2: C/r → C (with biases); out = s ⊙ U.
/// - ECA (Wang et al. 2020, eq. 9): y = GAP(U); ω = σ(conv1d_k(y)) (one k-tap kernel shared by
///   all channels, no bias, zero padding); out = ω ⊙ U.
/// - CBAM (Woo et al. 2018, eqs. 2–3): M_c = σ(MLP(AvgPool(U)) + MLP(MaxPool(U))), shared MLP
///   C → C/r → C with ReLU; U' = M_c ⊙ U; M_s = σ(f^{7×7}([mean_c U'; max_c U'])) (7×7 conv,
///   2 → 1, padding 3, no bias); out = M_s ⊙ U'. excitation = M_c, spatial = M_s.
/// - None: out = U (the baseline), excitation = ones.
class AttentionBlockImpl : public torch::nn::Module {
public:
    AttentionBlockImpl(BlockKind kind, int64_t channels, int64_t reduction = 8);
    BlockOutput forward(const torch::Tensor& u);
    BlockKind kind() const { return kind_; }

    // Parameters (registered only for the kinds that use them).
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};  ///< SE excitation MLP; CBAM shared MLP
    torch::nn::Conv1d conv1d{nullptr};             ///< ECA
    torch::nn::Conv2d spatialConv{nullptr};        ///< CBAM 7×7

private:
    BlockKind kind_;
};
TORCH_MODULE(AttentionBlock);

} // namespace attnscope
