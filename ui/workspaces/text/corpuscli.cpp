// The corpus commands of the command line: eval, align and heads over the dev/test split or
// your own corpus with Pharaoh gold, links read by the method asked for.
#include "workspaces/text/textcli.h"
#include "cli/clicommon.h"

#include "attnscope/alignment.h"
#include "attnscope/corpus.h"
#include "attnscope/headstats.h"
#include "attnscope/savefile.h"
#include "attnscope/schema.h"
#include "attnscope/translator.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

namespace attnscope::cli {

namespace {
/// The verses of the dev or test split (never train), the first `limit` when limit > 0.
Status loadCorpusSplit(const std::string& splitName, Corpus& corpus, std::vector<const Verse*>& verses, int limit = 0)
{
    Split split;
    if (!parseSplit(splitName, split)) return Status::error("unknown split '" + splitName + "' (dev or test)");
    if (split == Split::Train) return Status::error("evaluation runs on dev or test, never on train");
    if (auto st = loadBibleCorpus(corpus, {split}); !st) return st;
    verses = corpus.split(split);
    if (limit > 0 && int(verses.size()) > limit) verses.resize(size_t(limit));
    return Status::success();
}

/// --method and --threshold → LinkOptions.
Status parseLinkOptions(const QCommandLineParser& p, LinkOptions& out)
{
    if (!parseLinkMethod(p.value("method").toStdString(), out.method))
        return Status::error("unknown --method '" + p.value("method").toStdString() + "' (argmax, threshold, gdfa or shift)");
    bool ok = false;
    out.threshold = p.value("threshold").toDouble(&ok);
    if (!ok || !(out.threshold > 0) || out.threshold > 1)
        return Status::error("--threshold must be an attention weight in (0, 1], not '" + p.value("threshold").toStdString() + "'");
    return Status::success();
}

} // namespace

void addCorpusOptions(QCommandLineParser& p, const QString& defaultSplit)
{
    p.addOption({"split", "dev or test", "split", defaultSplit});
    p.addOption({"limit", "only the first N verses (sentence pairs)", "N", "0"});
    p.addOption({"source", "your own corpus: source sentences, one per line, tokens separated by spaces", "file"});
    p.addOption({"target", "your own corpus: target sentences, line by line with --source", "file"});
    p.addOption({"gold", "your own corpus: Pharaoh links per line (i-j sure; i?j, ipj or i-j-p possible)", "file"});
    p.addOption({"one-based", "the --gold indices start at 1 (default: 0)"});
    p.addOption({"method", "how links are read from attention: argmax, threshold, gdfa, shift", "M", "argmax"});
    p.addOption({"threshold", "τ of --method threshold (attention weight)", "τ", "0.1"});
}

/// The model named by the first positional argument and the verses of --split, or of your own
/// corpus (--source, --target, --gold), the first --limit of them: the start of every corpus
/// command (their parsers call addCorpusOptions).
Status openModelAndSplit(const QCommandLineParser& p, std::unique_ptr<VerseDecoder>& t, Corpus& corpus,
                         std::vector<const Verse*>& verses, bool corpusOptions)
{
    const bool own = corpusOptions && (p.isSet("source") || p.isSet("target") || p.isSet("gold"));
    if (own && !(p.isSet("source") && p.isSet("target") && p.isSet("gold")))
        return Status::error("your own corpus needs all three of --source, --target and --gold");
    if (auto st = loadVerseDecoder(p.positionalArguments()[0].toStdString(), t); !st) return st;
    if (!own) return loadCorpusSplit(p.value("split").toStdString(), corpus, verses, p.value("limit").toInt());
    if (auto st = loadPharaohCorpus(p.value("source").toStdString(), p.value("target").toStdString(),
                                    p.value("gold").toStdString(), p.isSet("one-based"), corpus);
        !st)
        return st;
    verses.clear();
    for (const auto& v : corpus.verses) verses.push_back(&v);
    if (const int limit = p.value("limit").toInt(); limit > 0 && int(verses.size()) > limit) verses.resize(size_t(limit));
    return Status::success();
}

std::string corpusName(const QCommandLineParser& p)
{
    return p.isSet("gold") ? "corpus " + p.value("source").toStdString() : p.value("split").toStdString() + " split";
}

namespace {
/// --kind / --layer / --head / --lens (align, eval): the head read, through a lens
/// ("cross_attention.alti"); `chosen` false when none was given (the model's own alignment).
void addHeadOptions(QCommandLineParser& p)
{
    p.addOption({"kind", "attention tensor (e.g. cross_attention); default: the model's \"cross\" alignment", "name"});
    p.addOption({"layer", "layer, from 1", "N", "1"});
    p.addOption({"head", "head, from 1, or \"mean\" for the mean over the layer's heads", "N|mean", "1"});
    p.addOption({"lens", "raw (the weights), norm (α‖f(x)‖, Kobayashi et al. 2020), grad (α ⊙ ∂log p/∂α), rollout, "
                         "norm_rollout or alti (Ferrando et al. 2022) of --kind (default cross_attention)", "NAME", "raw"});
}
Status parseHeadOptions(const QCommandLineParser& p, std::string& kind, int& layer, int& head, bool& chosen)
{
    if (auto st = parseLayerHead(p.value("layer"), p.value("head"), layer, head); !st) return st;
    const QString lens = p.value("lens");
    if (lens != "raw" && !schema::isLens("x." + lens.toStdString()))
        return Status::error("--lens '" + lens.toStdString() + "': raw, norm, grad, rollout, norm_rollout or alti");
    kind = p.value("kind").toStdString();
    if (lens != "raw") kind = schema::lens(kind.empty() ? schema::translation::kCrossAttention : kind, lens.toStdString());
    chosen = p.isSet("kind") || p.isSet("layer") || p.isSet("head") || lens != "raw";
    return Status::success();
}
/// The links of the chosen head of a decoded verse (a lens read as distributions: negatives
/// 0, rows normalised) and whether the verse's gold is over its tokens.
Status chosenLinks(const AttentionTrace& trace, const std::string& kind, int layer, int head, const LinkOptions& links,
                   std::vector<AlignmentLink>& predicted, bool& fits)
{
    TraceTensor map;
    if (auto st = selectHead(trace, kind, layer, head, map); !st) return st;
    if (schema::isLens(kind)) map = rowNormalised(map);  // thresholds read it as a distribution
    predicted = headLinks(map, links);
    fits = goldFits(trace, map);
    return Status::success();
}
} // namespace

int cmdEval(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "model name or weights file");
    addCorpusOptions(p, "test");
    p.addOption({"reverse-model", "a target→source model: symmetrise both directions' argmax links (gdfa)", "MODEL"});
    p.addOption({"no-bleu", "skip greedy translation and BLEU"});
    addHeadOptions(p);
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    if (p.positionalArguments().size() != 1) return usage("eval takes one MODEL");
    LinkOptions links;
    if (auto st = parseLinkOptions(p, links); !st) return usage(st.message);
    std::string kind;
    int layer = 0, head = 0;
    bool chosen = false;
    if (auto st = parseHeadOptions(p, kind, layer, head, chosen); !st) return usage(st.message);
    if (chosen && p.isSet("reverse-model")) return usage("--reverse-model symmetrises the models' \"cross\" alignments; drop --kind/--layer/--head/--lens");
    std::unique_ptr<VerseDecoder> t, reverse;
    Corpus corpus;
    std::vector<const Verse*> verses;
    if (auto st = openModelAndSplit(p, t, corpus, verses); !st) return fail(st.message);
    if (p.isSet("reverse-model"))
        if (auto st = loadVerseDecoder(p.value("reverse-model").toStdString(), reverse); !st)
            return fail("reverse model: " + st.message);
    EvalResult r;
    if (chosen) {
        // One head (through a lens) as the aligner: forced decoding of each verse, its links
        // scored over the split. A lens does not change the translation: no BLEU here.
        if (p.value("lens") == schema::kGradLens)
            if (auto st = t->enableLens(schema::kGradLens); !st) return fail(st.message);
        auto progress = progressPrinter("eval");
        for (size_t k = 0; k < verses.size(); ++k) {
            progress(int64_t(k), int64_t(verses.size()));
            AttentionTrace trace;
            bool skip = false;
            if (auto st = decodeOrSkip(*t, nullptr, *verses[k], [&] { return t->decodeVerse(*verses[k], true, trace); }, r.skipped, skip); !st)
                return fail(st.message);
            if (skip) continue;
            std::vector<AlignmentLink> predicted;
            bool fits = false;
            if (auto st = chosenLinks(trace, kind, layer, head, links, predicted, fits); !st) return fail(st.message);
            if (!fits) return fail("'" + kind + "' is not over the verse's source and target tokens: gold cannot score it");
            r.model.add(scoreAgainstGold(predicted, trace));
            r.diagonal.add(scoreDiagonal(trace));
            ++r.verses;
        }
        progress(int64_t(verses.size()), int64_t(verses.size()));
    } else if (auto st = evaluate(*t, verses, r, !p.isSet("no-bleu"), progressPrinter("eval"), links, reverse.get()); !st) {
        return fail(st.message);
    }
    reportSkipped(r.skipped, r.verses, "scored");
    if (r.verses == 0) return fail("no verse of the corpus fits the model: nothing to score");
    std::printf("model      %s (%s attention)\n", t->modelName().c_str(), t->scoreFunction().c_str());
    std::printf("split      %s, %d verses\n", corpusName(p).c_str(), r.verses);
    if (!p.isSet("gold")) {
        int moved = 0;
        for (const Verse* v : verses) moved += v->targetRef.empty() ? 0 : 1;
        if (moved) std::printf("           %d of them paired by content with another English verse (e.g. Jonah 2)\n", moved);
    }
    const std::string read = chosen ? kind + " layer " + std::to_string(layer + 1) + (head < 0 ? " mean over heads" : " head " + std::to_string(head + 1)) + ", "
                                    : std::string();
    std::printf("method     %s\n", p.isSet("reverse-model") ? ("symmetrised with " + reverse->modelName() + " (gdfa)").c_str()
                                                            : (read + describeLinks(links)).c_str());
    std::printf("links      predicted %lld, gold %lld, correct %lld", r.model.predicted, r.model.gold, r.model.hits);
    if (r.model.possibleHits != r.model.hits) std::printf(" (%lld with possible links)", r.model.possibleHits);
    std::printf("\n");
    std::printf("precision  %.1f%%\nrecall     %.1f%%\nAER        %.1f%%\n", 100 * r.model.precision(),
                100 * r.model.recall(), 100 * r.model.aer());
    std::printf("diagonal   AER %.1f%% (precision %.1f%%, recall %.1f%%)\n", 100 * r.diagonal.aer(),
                100 * r.diagonal.precision(), 100 * r.diagonal.recall());
    if (!p.isSet("no-bleu") && !chosen) std::printf("BLEU       %.2f\n", r.bleu);
    return 0;
}

void reportSkipped(const std::vector<SkippedVerse>& skipped, int done, const char* what)
{
    for (const auto& k : skipped) std::cerr << "attnscope: skipped " << k.ref << ": " << k.reason << "\n";
    if (!skipped.empty()) std::cerr << batchSummary(done, skipped, what) << "\n";
}

int cmdAlign(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "model name or weights file");
    addCorpusOptions(p, "test");
    p.addOption({"reverse-model", "a target→source model: symmetrise both directions' argmax links (gdfa)", "MODEL"});
    p.addOption({"out", "output .jsonl file", "file"});
    addHeadOptions(p);
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    if (p.positionalArguments().size() != 1 || !p.isSet("out")) return usage("align takes MODEL --split S --out FILE.jsonl");
    std::string kind;
    int layer = 0, head = 0;
    bool chosen = false;
    if (auto st = parseHeadOptions(p, kind, layer, head, chosen); !st) return usage(st.message);
    const QString lens = p.value("lens");
    LinkOptions linkOptions;
    if (auto st = parseLinkOptions(p, linkOptions); !st) return usage(st.message);
    if (p.isSet("reverse-model") && chosen) return usage("--reverse-model symmetrises the models' \"cross\" alignments; drop --kind/--layer/--head");
    std::unique_ptr<VerseDecoder> t, reverse;
    Corpus corpus;
    std::vector<const Verse*> verses;
    if (auto st = openModelAndSplit(p, t, corpus, verses); !st) return fail(st.message);
    if (lens == schema::kGradLens)
        if (auto st = t->enableLens(schema::kGradLens); !st) return fail(st.message);
    if (p.isSet("reverse-model"))
        if (auto st = loadVerseDecoder(p.value("reverse-model").toStdString(), reverse); !st)
            return fail("reverse model: " + st.message);
    AtomicFile f(p.value("out").toStdString());
    if (auto st = f.open(); !st) return fail(st.message);
    auto progress = progressPrinter("align");
    std::vector<SkippedVerse> skipped;
    for (size_t k = 0; k < verses.size(); ++k) {
        progress(int64_t(k), int64_t(verses.size()));
        // A verse the model cannot take is skipped and said; only a broken model stops the run.
        AttentionTrace trace;
        std::vector<AlignmentLink> predicted;
        bool fits = true;  // the gold is over the tokens of the links (not a self-attention head)
        const auto decode = [&] {
            return reverse ? symmetrizedVerseLinks(*t, *reverse, *verses[k], trace, predicted) : t->decodeVerse(*verses[k], true, trace);
        };
        bool skip = false;
        if (auto st = decodeOrSkip(*t, reverse.get(), *verses[k], decode, skipped, skip); !st) return fail(st.message);
        if (skip) continue;
        if (!reverse)
            if (auto st = chosenLinks(trace, chosen ? kind : std::string(), layer, head, linkOptions, predicted, fits); !st)
                return fail(st.message);
        QJsonArray src, tgt, links;
        for (const auto& w : verses[k]->sourceWords()) src.append(QString::fromStdString(w));
        for (const auto& w : verses[k]->targetWords()) tgt.append(QString::fromStdString(w));
        const AlignmentScore score = fits ? scoreAgainstGold(predicted, trace) : AlignmentScore{};
        for (const auto& l : predicted) links.append(QJsonArray{l.source, l.target});
        QJsonObject o{{"ref", QString::fromStdString(verses[k]->ref)}, {"source", src}, {"target", tgt}, {"links", links},
                      {"pharaoh", QString::fromStdString(toPharaoh(predicted))}, {"aer", score.aer()}};
        if (!f.write(QJsonDocument(o).toJson(QJsonDocument::Compact).append('\n').toStdString())) return fail(f.failure().message);
    }
    progress(int64_t(verses.size()), int64_t(verses.size()));
    if (auto st = f.commit(); !st) return fail(st.message);
    const int aligned = int(verses.size() - skipped.size());
    reportSkipped(skipped, aligned, "aligned");
    std::cerr << "wrote " << aligned << " verses to " << p.value("out").toStdString() << "\n";
    return 0;
}

int cmdHeads(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "model name or weights file");
    addCorpusOptions(p, "dev");
    p.addOption({"out", "output .csv file", "file"});
    p.addOption({"importance", "head importance instead of the head table: ablation (Δ log-likelihood with the head zeroed) "
                               "or gradient (Michel et al. 2019)", "method"});
    p.addOption({"shard", "with --importance: measure shard K (from 0) of N and write a partial result for `attnscope merge`", "K/N"});
    p.addOption({"lens", "also the lenses computed on request: grad (α ⊙ ∂log p/∂α; norm, rollout, norm_rollout and alti "
                         "are always listed)", "NAME"});
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    if (p.positionalArguments().size() != 1 || !p.isSet("out")) return usage("heads takes MODEL --split S --out FILE.csv");
    if (p.isSet("lens") && p.value("lens") != schema::kGradLens && !schema::isLens("x." + p.value("lens").toStdString()))
        return usage("--lens '" + p.value("lens").toStdString() + "': grad (norm, rollout, norm_rollout and alti are always listed)");
    const QString importance = p.value("importance");
    if (p.isSet("importance") && importance != "ablation" && importance != "gradient")
        return usage("--importance '" + importance.toStdString() + "': ablation or gradient");
    LinkOptions links;
    if (auto st = parseLinkOptions(p, links); !st) return usage(st.message);
    std::unique_ptr<VerseDecoder> t;
    Corpus corpus;
    std::vector<const Verse*> verses;
    if (auto st = openModelAndSplit(p, t, corpus, verses); !st) return fail(st.message);
    if (p.isSet("importance")) return runImportance(p, *t, verses, importance == "ablation");
    if (p.value("lens") == schema::kGradLens)
        if (auto st = t->enableLens(schema::kGradLens); !st) return fail(st.message);
    HeadTableResult r;
    if (auto st = headTable(*t, verses, r, progressPrinter("heads"), links); !st) return fail(st.message);
    reportSkipped(r.skipped, r.verses, "scored");
    if (r.verses == 0) return fail("no verse of the corpus fits the model: nothing to score");
    // The table is built in memory (a few hundred rows) and written at once.
    QByteArray csv;
    auto num = [](double x) { return std::isnan(x) ? QByteArray() : QByteArray::number(x, 'f', 4); };
    csv.append("kind,layer,head,entropy_bits,same,previous,next,punctuation,eos,aer,precision,recall,predicted,gold,correct\n");
    std::printf("model %s, %s, %d verses, links by %s; diagonal baseline AER %.1f%%\n", t->modelName().c_str(),
                corpusName(p).c_str(), r.verses, describeLinks(links).c_str(), 100 * r.diagonal.aer());
    for (const auto& [name, acc] : r.tensors) {
        double best = 2;
        int bestL = 0, bestH = 0;
        for (int l = 0; l < acc.layers(); ++l)
            for (int h = 0; h < acc.heads(); ++h) {
                const HeadSummary s = acc.mean(l, h);
                const QByteArray aer = s.scored ? num(s.score.aer()) : QByteArray();
                csv.append(QByteArray::fromStdString(name) + ',' + QByteArray::number(l + 1) + ',' + QByteArray::number(h + 1) +
                        ',' + num(s.entropy) + ',' + num(s.same) + ',' + num(s.previous) + ',' + num(s.next) + ',' +
                        num(s.punctuation) + ',' + num(s.eos) + ',' + aer + ',' +
                        (s.scored ? num(s.score.precision()) : QByteArray()) + ',' +
                        (s.scored ? num(s.score.recall()) : QByteArray()) + ',' +
                        (s.scored ? QByteArray::number(s.score.predicted) + ',' + QByteArray::number(s.score.gold) + ',' +
                                        QByteArray::number(s.score.hits)
                                  : QByteArray(",,")) +
                        '\n');
                if (s.scored && s.score.aer() < best) {
                    best = s.score.aer();
                    bestL = l;
                    bestH = h;
                }
            }
        if (best <= 1)
            std::printf("%-36s best AER %.1f%% at layer %d head %d\n", name.c_str(), 100 * best, bestL + 1, bestH + 1);
    }
    if (auto st = saveFileAtomically(p.value("out").toStdString(), csv.constData(), size_t(csv.size())); !st) return fail(st.message);
    std::cerr << "wrote " << p.value("out").toStdString() << "\n";
    return 0;
}

} // namespace attnscope::cli
