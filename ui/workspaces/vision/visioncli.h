#pragma once
// The command-line verbs of the vision kind: vision models the user brings: MODEL.onnx, a TorchScript image model, ppocr-rec, ppocr-det.
#include <QStringList>

namespace attnscope::cli {
int cmdRunVision(const QStringList& args);
} // namespace attnscope::cli
