#pragma once
// The command-line verbs of the text kind (translators: built-in, weights files, your own
// TorchScript or ONNX text models): run, eval, align, heads; and the trace figure that `render`
// and `import` draw too.
#include "attnscope/status.h"

#include <QStringList>

#include <memory>
#include <string>
#include <vector>

class QCommandLineParser;

namespace attnscope {
class VerseDecoder;
struct AttentionTrace;
struct Corpus;
struct Verse;
struct SkippedVerse;
}

namespace attnscope::cli {
/// `run MODEL INPUT` (a sentence, a verse reference, a text file), `run MODEL --split`,
/// `run MODEL --book NAME --encoder-only`.
int cmdRun(const QStringList& args);
/// `eval`, `align`, `heads` of a translator over --split or your own corpus (corpuscli.cpp).
int cmdEval(const QStringList& args);
int cmdAlign(const QStringList& args);
int cmdHeads(const QStringList& args);
/// `prune MODEL --out curve.csv|.png`: BLEU as heads are zeroed in importance and random order;
/// `merge PART.json… --out FILE`: the shards of `heads --importance` or `prune` (headlabcli.cpp).
int cmdPrune(const QStringList& args);
int cmdMerge(const QStringList& args);
/// `heads --importance` of `model` over `verses`: the CSV table, or with --shard K/N a partial.
int runImportance(const QCommandLineParser& p, VerseDecoder& model, const std::vector<const Verse*>& verses, bool ablation);
/// The options every corpus command (eval, align, heads, prune) shares: --split, --limit, your
/// own corpus (--source/--target/--gold), --method; and "dev split" or "corpus FILE" for reports.
void addCorpusOptions(QCommandLineParser& p, const QString& defaultSplit);
std::string corpusName(const QCommandLineParser& p);
/// Draws the view of `trace` that the options of `p` choose (addViewOptions: --view, --kind,
/// --layer, --head, --words, …) into `out` (.png .svg .pdf); `other`: head B's trace of a
/// cross-model comparison. Returns the exit status.
int drawTraceView(const AttentionTrace& trace, const QCommandLineParser& p, const QString& out,
                  const AttentionTrace* other = nullptr);
/// The model named first and the verses of --split or your own corpus (the first --limit);
/// `corpusOptions`: the parser has the corpus options (--source/--target/--gold).
/// One warning line per verse a batch skipped ("attnscope: skipped Ruth 1:16: the target has 68
/// decoder steps, more than the 64 positions …"), then the count ("304 of 307 verses aligned;
/// 3 skipped: 3 longer than the model takes") on stderr.
void reportSkipped(const std::vector<SkippedVerse>& skipped, int done, const char* what);
Status openModelAndSplit(const QCommandLineParser& p, std::unique_ptr<VerseDecoder>& t, Corpus& corpus,
                         std::vector<const Verse*>& verses, bool corpusOptions = true);
} // namespace attnscope::cli
