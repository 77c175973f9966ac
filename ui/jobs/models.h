#pragma once
// The one model cache of the application: every workspace's jobs take their models (and the
// Fashion-MNIST test split) from it, so "models kept loaded" (Preferences) holds for every
// kind of model. Background jobs that run for minutes (scoring a split, class profiles) load
// a private copy instead of holding a shared model that long.
#include "attnscope/modelcache.h"

namespace attnscope::ui {

/// The process-wide cache; its capacity follows settings::ModelsKept, read on every call.
ModelCache& sharedModels();
/// Re-reads settings::ModelsKept into the cache (at start and after Preferences change).
void applyModelsKept();

} // namespace attnscope::ui
