#pragma once
// ST-CNN (Jaderberg et al. 2015): localisation network → θ (2×3, initialised to the
// identity) → affine grid → sampler → the CNN classifier; or, without the transformer, the
// plain CNN on the whole canvas (the baseline). Internal engine header (torch).
#include "attnscope/stn.h"
#include "models/cnn.h"

#include <torch/torch.h>

namespace attnscope {

struct StnConfig {
    Distortion distortion = Distortion::RTS;
    bool transformer = true;
    int64_t canvas = 42;  ///< input side
    int64_t output = 28;  ///< sampler output side = classifier input
};

class StCnnImpl : public torch::nn::Module {
public:
    explicit StCnnImpl(const StnConfig& cfg);
    /// x [B, 1, canvas, canvas] in [0, 1] (0 = background). θ from the localisation network,
    /// or `fixedTheta` [B, 2, 3]. Optional outputs: θ [B, 2, 3] and the warped input
    /// [B, 1, 28, 28] in [0, 1]. Returns logits [B, classes].
    torch::Tensor forward(const torch::Tensor& x, torch::Tensor* theta = nullptr, torch::Tensor* warped = nullptr,
                          const torch::Tensor* fixedTheta = nullptr, bool bilinear = true);
    const StnConfig& config() const { return cfg_; }

private:
    StnConfig cfg_;
    torch::nn::Conv2d loc1_{nullptr}, loc2_{nullptr};
    torch::nn::Linear locFc1_{nullptr}, locFc2_{nullptr};
    AttnCnn classifier_{nullptr};
};
TORCH_MODULE(StCnn);

/// Weights file: every parameter and buffer (float16 when `half`) and an int64 "format"
/// tensor {4, distortion, transformer, canvas, output}.
void saveStn(StCnn& m, const std::string& path, bool half);
/// Throws std::runtime_error naming the file and what is wrong.
StCnn loadStn(const std::string& path);
/// Distortion and whether the model has a transformer, from a built-in model name.
bool stnModelConfig(const std::string& name, StnConfig& out);

} // namespace attnscope
