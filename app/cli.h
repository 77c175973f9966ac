#pragma once
#include <QStringList>

namespace attnscope::cli {
/// True when argv[1] names a CLI subcommand (models, run, eval, align, train, help).
bool isCommand(const QString& arg);
/// Runs a subcommand; returns the process exit code (0 ok, 1 failure, 2 usage error).
int run(int argc, char** argv);
} // namespace attnscope::cli
