#pragma once
// Head ablation of attention probabilities (attnscope/ablation.h), shared by the ONNX
// interpreter (a Softmax output) and the built-in Transformer (MultiHeadAttention). Internal
// engine header (includes torch).
#include <torch/torch.h>

#include <string>
#include <vector>

namespace attnscope {

/// `probabilities` with the heads on `axis` zeroed (A_h × 0, HuggingFace head_mask) or, with
/// `uniform`, replaced by the uniform distribution over the keys the softmax left non-zero
/// (masked keys stay 0; rows sum to 1). A new tensor; throws std::runtime_error naming
/// `where` for a head past the count.
torch::Tensor ablateHeads(const torch::Tensor& probabilities, int64_t axis, const std::vector<int64_t>& heads, bool uniform,
                          const std::string& where);

} // namespace attnscope
