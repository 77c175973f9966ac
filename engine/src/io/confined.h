#pragma once
// Paths a model's own files name (a sidecar's vocabulary, SentencePiece model or CTC character
// list; an ONNX initializer's external data) resolve inside the model's folder, as ONNX's own
// checker has required of external data since CVE-2022-25882: relative paths only, no `..`
// escape (symbolic links followed), and only regular files (never a device or a FIFO).
// Qt Core only.
#include "attnscope/status.h"

#include <QDir>
#include <QString>

#include <string>

namespace attnscope {

/// `relative` resolved against `folder` into `out` (absolute). Errors name `owner` (the file
/// that names the path) and `field` (e.g. "\"vocabulary\""): an absolute path, a path that
/// leaves the folder, a path that exists but is not a regular file. A path that does not exist
/// yet is resolved (the caller says it is missing).
Status resolveInside(const QDir& folder, const QString& relative, const std::string& owner, const std::string& field,
                     std::string& out);

} // namespace attnscope
