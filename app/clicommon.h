#pragma once
// Helpers shared by the command-line subcommands (cli.cpp, cliimage.cpp).
#include "attnscope/status.h"
#include "attnscope/trace.h"

#include <QStringList>

#include <string>

namespace attnscope::cli {
/// Prints "attnscope: MESSAGE" on stderr; returns exit status 1.
int fail(const std::string& message);
/// Prints the message and a pointer to `attnscope help`; returns exit status 2.
int usage(const std::string& message);
/// A progress printer for long CLI work: one updating line on a terminal, else every 10%.
ProgressFn progressPrinter(const std::string& what);
/// Prints the trace's warning (an input unlike the training data, a truncated file, …) on stderr.
void printWarning(const AttentionTrace& trace);

/// `run` and `eval` for the image classifiers (fmnist-cnn|se|eca|cbam or their weights files).
int cmdRunImage(const QStringList& args);
int cmdEvalImage(const QStringList& args);
/// `run` and `eval` for the spatial-transformer experiments (fmnist-stn-*, fmnist-cnn-*).
int cmdRunStn(const QStringList& args);
int cmdEvalStn(const QStringList& args);
/// `run`, `eval` for the scene captioner and `scenes` (app/clicaption.cpp).
int cmdRunCaption(const QStringList& args);
int cmdEvalCaption(const QStringList& args);
int cmdScenes(const QStringList& args);
/// `run`, `eval` for the clip captioner and `clips` (app/clivideo.cpp).
int cmdRunVideo(const QStringList& args);
int cmdEvalVideo(const QStringList& args);
int cmdClips(const QStringList& args);
} // namespace attnscope::cli
