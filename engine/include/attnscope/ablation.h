#pragma once
// Head ablation (Michel et al. 2019, "Are Sixteen Heads Really Better than One?", §3; Voita et
// al. 2019): a set of heads whose attention is changed at run time, as the trace names them
// (kind, 1-based layer and head on the command line; 0-based here). Two modes:
//   zero    — HuggingFace head_mask semantics: the head's attention probabilities A_h are
//             multiplied by 0, so its output before the output projection, A_h·V_h, is 0;
//   uniform — A_h replaced by the uniform distribution over the keys the softmax left
//             non-zero (padding and causally masked keys stay 0), so every row sums to 1.
// Applied where the model's attention is computed: the ONNX interpreter scales each Softmax
// output per head (OnnxRunOptions), so any exported model can be ablated without its code.
#include "attnscope/status.h"
#include "attnscope/trace.h"

#include <map>
#include <string>
#include <vector>

namespace attnscope {

struct HeadAblation {
    enum class Mode { Zero, Uniform };
    Mode mode = Mode::Zero;
    /// kind (as the trace names it: cross_attention, decoder_self, encoder_self, self, …) →
    /// 0-based layer → 0-based heads; a head of −1 means every head of that layer (until
    /// resolveAblation replaces it with the list).
    std::map<std::string, std::map<int, std::vector<int>>> heads;
    bool empty() const { return heads.empty(); }
    /// "cross_attention L2 H1,3; encoder_self L1 all heads (zero)" — 1-based, for messages and metadata.
    std::string describe() const;
};

/// Adds one command-line spec to `out`: "KIND:LAYER:HEADS", LAYER and HEADS 1-based, HEADS a
/// comma list or "all" (e.g. "cross_attention:2:1,3"). Errors name the part that is wrong
/// (missing fields, a layer or head that is not a whole number ≥ 1).
Status parseAblation(const std::string& spec, HeadAblation& out);

/// "zero" or "uniform" into `mode`; else an error naming both.
Status parseAblationMode(const std::string& name, HeadAblation::Mode& mode);

/// Per kind of attention: [layers, heads].
using AttentionShapes = std::map<std::string, std::pair<int64_t, int64_t>>;

/// The shapes of a trace's [layer, head, query, key] attention tensors (lenses left out).
AttentionShapes attentionShapes(const AttentionTrace& trace);

/// Checks `ablation` against the model's attention and replaces "all" with every head.
/// Errors name the valid ranges: "cross_attention has layers 1–2 (asked 9)", an unknown kind
/// with the kinds this model has, a head past the layer's count.
Status resolveAblation(HeadAblation& ablation, const AttentionShapes& shapes);

} // namespace attnscope
