#pragma once
// The command-line verbs of the stn kind: the spatial-transformer experiments (fmnist-stn-*, fmnist-cnn-*).
#include <QStringList>

namespace attnscope::cli {
int cmdRunStn(const QStringList& args);
int cmdEvalStn(const QStringList& args);
} // namespace attnscope::cli
