#pragma once
// The command-line verbs of the image kind: the image classifiers (fmnist-cnn|se|eca|cbam or their weights files).
#include <QStringList>

namespace attnscope::cli {
int cmdRunImage(const QStringList& args);
int cmdEvalImage(const QStringList& args);
} // namespace attnscope::cli
