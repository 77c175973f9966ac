#pragma once
// The command-line verbs of the video kind: the clip captioner, and `clips`.
#include <QStringList>

namespace attnscope::cli {
int cmdRunVideo(const QStringList& args);
int cmdEvalVideo(const QStringList& args);
int cmdClips(const QStringList& args);
} // namespace attnscope::cli
