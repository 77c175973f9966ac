#pragma once
// Head importance of a built-in Transformer over a corpus (internal engine header; the public
// entry is Translator::headImportance).
#include "attnscope/translator.h"
#include "models/bundle.h"

namespace attnscope {

/// See Translator::headImportance. Errors: a GRU model, no verse that fits, "cancelled".
Status headImportanceOf(ModelBundle& b, const std::vector<const Verse*>& verses, ImportanceMethod method,
                        std::vector<HeadImportance>& out, const ProgressFn& progress);

/// See Translator::pruningCurves.
Status pruningCurvesOf(ModelBundle& b, const std::vector<const Verse*>& verses, const std::vector<HeadImportance>& importance,
                       ImportanceMethod ranked, int randomSeeds, std::vector<PruningCurve>& out, const ProgressFn& progress);

} // namespace attnscope
