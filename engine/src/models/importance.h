#pragma once
// Head importance of a built-in Transformer over a corpus (internal engine header; the public
// entry is Translator::headImportance).
#include "attnscope/translator.h"
#include "models/bundle.h"

namespace attnscope {

/// See Translator::headImportanceShard. Errors: a GRU model, no verse that fits, "cancelled".
Status headImportanceOf(ModelBundle& b, const std::vector<const Verse*>& verses, ImportanceMethod method, const Shard& shard,
                        ImportancePartial& out, const ProgressFn& progress);

/// See Translator::pruningCurvesShard.
Status pruningCurvesOf(ModelBundle& b, const std::vector<const Verse*>& verses, const std::vector<HeadImportance>& importance,
                       ImportanceMethod ranked, int randomSeeds, const Shard& shard, PruningPartial& out, const ProgressFn& progress);

} // namespace attnscope
