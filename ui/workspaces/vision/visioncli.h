#pragma once
// The command-line verbs of the vision kind: vision models the user brings: MODEL.onnx, a TorchScript image model, ppocr-rec, ppocr-det.
#include <QStringList>

namespace attnscope::cli {
int cmdRunVision(const QStringList& args);
/// `prune RECOGNISER --out curve.csv|.png`: character accuracy on rendered lines as heads are zeroed (visionprune.cpp).
int cmdPruneVision(const QStringList& args);
} // namespace attnscope::cli
