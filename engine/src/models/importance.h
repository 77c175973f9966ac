#pragma once
// Head importance over a corpus (internal engine header; the public entries are
// VerseDecoder::headImportanceShard and pruningCurvesShard).
#include "attnscope/ablation.h"
#include "attnscope/translator.h"
#include "models/bundle.h"

#include <functional>

namespace attnscope {

/// What importance by ablation and the pruning curves measure a translator by, whatever runs it
/// (the built-in Transformer's masks, the ONNX interpreter's Softmax scaling, a TorchScript
/// module's head-mask arguments). Each call applies `a` for that call only.
struct HeadProbe {
    std::vector<HeadImportance> layout;  ///< every head, in the table's order (values unset)
    /// Σ over `verses` of log p(reference | source) under forced decoding (nats), `a` ablated.
    std::function<Status(const HeadAblation& a, const std::vector<const Verse*>& verses, double& sum)> logLikelihood;
    /// Greedy translations of `sources` (words) as lower-cased tokens, `a` ablated.
    std::function<Status(const HeadAblation& a, const std::vector<std::vector<std::string>>& sources,
                         std::vector<std::vector<std::string>>& out)>
        greedy;
};

/// Importance by ablation through `probe` (see VerseDecoder::headImportanceShard): this shard's
/// heads each zeroed alone, Δ log-likelihood per verse and ΔBLEU. `verses` are the ones the
/// model takes. Errors: the probe's, no verse, "cancelled".
Status ablationImportance(const HeadProbe& probe, const std::vector<const Verse*>& verses, const Shard& shard, ImportancePartial& out,
                          const ProgressFn& progress);

/// Pruning curves through `probe` (see VerseDecoder::pruningCurvesShard).
Status pruningCurvesWith(const HeadProbe& probe, const std::vector<const Verse*>& verses, const std::vector<HeadImportance>& importance,
                         ImportanceMethod ranked, int randomSeeds, const Shard& shard, PruningPartial& out, const ProgressFn& progress);

/// See Translator::headImportanceShard. Errors: a GRU model, no verse that fits, "cancelled".
Status headImportanceOf(ModelBundle& b, const std::vector<const Verse*>& verses, ImportanceMethod method, const Shard& shard,
                        ImportancePartial& out, const ProgressFn& progress);

/// See Translator::pruningCurvesShard.
Status pruningCurvesOf(ModelBundle& b, const std::vector<const Verse*>& verses, const std::vector<HeadImportance>& importance,
                       ImportanceMethod ranked, int randomSeeds, const Shard& shard, PruningPartial& out, const ProgressFn& progress);

} // namespace attnscope
