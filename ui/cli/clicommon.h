#pragma once
// Helpers shared by the command-line subcommands (app/cli.cpp and each kind's <kind>cli.cpp).
// Qt Core, the trace and the long-matrix figures only: the light `attnscope` front end links them.
#include "attnscope/status.h"
#include "attnscope/trace.h"

#include <QStringList>

#include <functional>
#include <memory>

class QCommandLineParser;

#include <string>
#include <vector>

namespace attnscope::cli {
/// Prints "attnscope: MESSAGE" on stderr; returns exit status 1.
int fail(const std::string& message);
/// Prints the message and a pointer to `attnscope help`; returns exit status 2.
int usage(const std::string& message);
/// A progress printer for long CLI work: one updating line on a terminal, else every 10%.
ProgressFn progressPrinter(const std::string& what);
/// "--layer N --head N|mean" (1-based) → 0-based layer and head (−1 = mean over heads).
Status parseLayerHead(const QString& layerText, const QString& headText, int& layer, int& head);
/// The options of `run`, `render` and `import` that choose a view of a trace.
void addViewOptions(QCommandLineParser& p);
/// The options of long matrices' figures and files: --scale, --percentile, --reduce,
/// --colormap, --dtype (clilong.cpp).
void addLongOptions(QCommandLineParser& p);
/// `render` and `import` of long matrices (more than 1,024 tokens a side, tiled or Q/K traces,
/// .npy/.safetensors dumps read through a memory map): the long figure (views/longfigure.h)
/// or a tiled .attn (clilong.cpp). −1 when the arguments are for the ordinary path (small
/// matrices, other views, .npz/.json dumps, Q/K without the engine).
int cmdRenderLong(const QStringList& args);
/// The long figure of a trace's long tensor (--kind, --layer, --head of `p`); −1 when the
/// trace has none or the view is not the matrix.
int renderTraceLong(const std::shared_ptr<const AttentionTrace>& trace, const QCommandLineParser& p, const QString& out);
/// Saves a trace: .attn with the --dtype of `p` for tiled tensors (SaveOptions; Q/K tensors
/// as weights when `materializeQk`), or .json.
Status saveTraceWith(const AttentionTrace& trace, const QCommandLineParser& p, const QString& out, bool materializeQk = false);
int cmdImportLong(const QStringList& args);
/// The lower-case extension of `out` when it is a figure or a trace file (png, svg, pdf, attn,
/// json); empty, with `message` saying what is accepted, otherwise.
QString outputType(const QString& out, std::string* message);
/// Prints the trace's warning (an input unlike the training data, a truncated file, …) on stderr.
void printWarning(const AttentionTrace& trace);

/// A kind's subcommand for the catalogue (attnscope/kinds.h): `f` called with the arguments as
/// QCommandLineParser reads them.
std::function<int(const std::vector<std::string>&)> verbOf(int (*f)(const QStringList&));

} // namespace attnscope::cli
