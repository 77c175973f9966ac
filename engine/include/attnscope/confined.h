#pragma once
// Paths a file names — a sidecar's vocabulary, SentencePiece model or CTC character list, an
// ONNX initializer's external data, the inputs a workspace file names — resolve inside the
// folder of the file that names them, as ONNX's own checker has required of external data
// since CVE-2022-25882: relative paths only, no `..` escape (symbolic links followed), and only
// regular files (never a device such as /dev/zero, never a FIFO). Plain C++, in attnscope_core.
#include "attnscope/status.h"

#include <string>

namespace attnscope {

/// `relative` resolved against `folder` into `out` (absolute, symbolic links resolved). Errors
/// name `owner` (the file that names the path), `field` (e.g. "\"vocabulary\"") and
/// `folderName` (e.g. "the model's folder"): an empty path, an absolute path, a path that
/// leaves the folder, a path that exists but is not a regular file. A path that does not
/// exist yet is resolved (the caller says it is missing).
Status resolveInside(const std::string& folder, const std::string& relative, const std::string& owner,
                     const std::string& field, const std::string& folderName, std::string& out);

/// An absolute path from a trusted origin (the app's own autosave): only checked to be a
/// regular file when it exists (never a device or a FIFO). Error names `owner` and `field`.
Status checkRegularFile(const std::string& path, const std::string& owner, const std::string& field);

} // namespace attnscope
