// Compiled into every executable that links attnscope_engine (an INTERFACE source): registers
// the Q/K computation with the core library's stores (see attnscope/qk.h).
#include "attnscope/qk.h"

namespace {
[[maybe_unused]] const bool kQkRegistered = attnscope::enableQkMatrices();
} // namespace
