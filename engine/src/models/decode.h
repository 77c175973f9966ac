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

/// greedyBatch translates this many sources at a time (consecutive ones).
constexpr size_t kGreedyBatch = 32;

/// Batched greedy decoding: token lists in, token lists out (no </s>).
Status greedyBatch(ModelBundle& b, const std::vector<std::vector<std::string>>& sources,
                   std::vector<std::vector<std::string>>& out, const ProgressFn& progress);

/// Source ids + </s> as [1, S+1] int64.
torch::Tensor encodeIds(const Vocab& v, const std::vector<std::string>& words, bool addEos);

} // namespace attnscope
