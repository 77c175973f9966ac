#pragma once
// The command-line verbs of the caption kind: the scene captioner, and `scenes`.
#include <QStringList>

namespace attnscope::cli {
int cmdRunCaption(const QStringList& args);
int cmdEvalCaption(const QStringList& args);
int cmdScenes(const QStringList& args);
} // namespace attnscope::cli
