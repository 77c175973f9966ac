#pragma once
#include <string>

namespace attnscope {
/// Absolute path of a file under resources/. Looks in $ATTNSCOPE_RESOURCES, then the
/// source tree (build-tree runs), then <exe>/../share/attnscope/resources (installed).
/// Returns the first candidate that exists, or "" when none does.
std::string resourcePath(const std::string& relative);
/// Sets LibTorch's intra-op threads to the core count (once; safe to call again).
void initEngineThreads(int threads = 0);
} // namespace attnscope
