#pragma once
#include <string>

namespace attnscope {
/// Absolute path of a file under resources/. Looks in $ATTNSCOPE_RESOURCES, then
/// <exe>/../share/attnscope/resources (installed), then the source tree (build-tree runs).
/// The first of these folders that exists is used; returns "" when the file is not in it.
std::string resourcePath(const std::string& relative);
/// Sets LibTorch's intra-op threads to `threads`, else $ATTNSCOPE_THREADS, else the core count
/// (once; later calls do nothing).
void initEngineThreads(int threads = 0);
} // namespace attnscope
