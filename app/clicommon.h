#pragma once
// Helpers shared by the command-line subcommands (cli.cpp, cliimage.cpp).
#include "attnscope/status.h"
#include "attnscope/trace.h"

#include <QStringList>

#include <memory>

class QCommandLineParser;

namespace attnscope {
class VerseDecoder;
struct Corpus;
struct Verse;
}

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
/// Prints the trace's warning (an input unlike the training data, a truncated file, …) on stderr.
void printWarning(const AttentionTrace& trace);

/// The corpus commands (app/clicorpus.cpp): `eval`, `align`, `heads` of a translator (built-in
/// or seq2seq user model) over --split or your own corpus (--source/--target/--gold).
int cmdEval(const QStringList& args);
int cmdAlign(const QStringList& args);
int cmdHeads(const QStringList& args);
/// The model named first and the verses of --split or your own corpus (the first --limit);
/// `corpusOptions`: the parser has addCorpusOptions' options.
Status openModelAndSplit(const QCommandLineParser& p, std::unique_ptr<VerseDecoder>& t, Corpus& corpus,
                         std::vector<const Verse*>& verses, bool corpusOptions = true);

/// `run` and `eval` for the image classifiers (fmnist-cnn|se|eca|cbam or their weights files).
int cmdRunImage(const QStringList& args);
/// `run` for vision models the user brings: MODEL.onnx, ppocr-rec, ppocr-det (app/clivision.cpp).
int cmdRunVision(const QStringList& args);
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
