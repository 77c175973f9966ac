#pragma once
// Decoding with a ModelBundle into AttentionTraces (internal engine header).
#include "attnscope/status.h"
#include "attnscope/trace.h"
#include "models/bundle.h"

#include <optional>
#include <string>
#include <vector>

namespace attnscope {

/// Free (greedy) decoding when `reference` is empty-optional, else forced decoding of it.
/// Fills a trace with "cross" [target+1, source+1] (</s> last on both axes). Transformer
/// models add "encoder_self" [layer, head, S+1, S+1], "decoder_self" [layer, head, T+1, T+1]
/// (labels: the decoder's input tokens, <s> first) and "cross_attention"
/// [layer, head, T+1, S+1]; their "cross" is the guided-alignment head.
Status decodeTokens(ModelBundle& b, const std::vector<std::string>& source,
                    const std::optional<std::vector<std::string>>& reference, AttentionTrace& out,
                    const ProgressFn& cancel);

/// The gradient lens (attention × gradient; e.g. Kobayashi et al. 2020 §6, Ferrando et al.'s
/// baselines) of one forced decoding: src [1, S], decoder input in [1, T] (<s> first) and the
/// tokens each position predicts `next` (T ids, </s> last). Per kind [L, H, Q, K]:
/// cross-attention and decoder self-attention rows t hold α_t ⊙ ∂ log p(next_t)/∂α_t (one
/// backward pass per target position); encoder self-attention holds α ⊙ ∂ Σ_t log p(next_t)/∂α.
/// Units: nats (a first-order estimate of how much log p changes were that weight removed).
/// Empty tensors when `keepGoing` stops it.
struct GradientLens {
    torch::Tensor encoderSelf, decoderSelf, cross;
};
GradientLens gradientLens(TransformerNMT& net, const torch::Tensor& src, const torch::Tensor& in, const std::vector<int64_t>& next,
                          const std::function<bool()>& keepGoing = {});

/// greedyBatch translates this many sources at a time (consecutive ones).
constexpr size_t kGreedyBatch = 32;

/// Batched greedy decoding: token lists in, token lists out (no </s>).
Status greedyBatch(ModelBundle& b, const std::vector<std::vector<std::string>>& sources,
                   std::vector<std::vector<std::string>>& out, const ProgressFn& progress);

/// Source ids + </s> as [1, S+1] int64.
torch::Tensor encodeIds(const Vocab& v, const std::vector<std::string>& words, bool addEos);

} // namespace attnscope
