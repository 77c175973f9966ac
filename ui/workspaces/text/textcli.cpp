// `attnscope run|eval|align|heads` for translators (built-in, weights files, your own TorchScript
// or ONNX text models): a sentence or verse, a whole split, a whole book through the encoder.
#include "workspaces/text/textcli.h"
#include "cli/cliablation.h"
#include "cli/clicommon.h"

#include "attnscope/alignment.h"
#include "attnscope/corpus.h"
#include "attnscope/headstats.h"
#include "attnscope/pipelines.h"
#include "attnscope/schema.h"
#include "attnscope/scriptmodel.h"
#include "attnscope/subwords.h"
#include "attnscope/translator.h"
#include "workspaces/text/tracefigure.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <iostream>
#include <memory>

namespace attnscope::cli {

int drawTraceView(const AttentionTrace& trace, const QCommandLineParser& p, const QString& out, const AttentionTrace* other)
{
    ui::FigureOptions o;
    o.view = p.value("view");
    o.a.kind = p.value("kind").toStdString();
    o.b.kind = p.value("kind2").toStdString();
    if (auto st = parseLayerHead(p.value("layer"), p.value("head"), o.a.layer, o.a.head); !st) return usage(st.message);
    if (o.view == "compare") {
        // Head B defaults to the next head of the same tensor, or the same head of the other model.
        const QString head2 = p.isSet("head2") ? p.value("head2") : other ? p.value("head") : p.value("head2");
        if (auto st = parseLayerHead(p.value("layer2"), head2, o.b.layer, o.b.head); !st) return usage(st.message);
        if (!p.isSet("kind2") && !other) o.b.kind = o.a.kind;
    }
    // --lens: the same heads read through a lens (schema.h); a derived one the file does not
    // store (rollout, ALTI through the encoder) is derived here.
    AttentionTrace derived, derivedOther;
    const AttentionTrace* shown = &trace;
    if (const std::string lens = p.value("lens").toStdString(); !lens.empty() && lens != "raw") {
        if (!schema::isLens("x." + lens)) return usage("--lens '" + lens + "': raw, norm, grad, rollout, norm_rollout or alti");
        const auto lensed = [&lens](const AttentionTrace& t, const std::string& kind) {
            std::string base = kind;
            if (base.empty()) {
                const TraceTensor* x = attentionTensor(t, std::string());
                base = t.find(schema::translation::kCrossAttention) ? schema::translation::kCrossAttention : x ? x->name : "";
            }
            return schema::isLens(base) ? base : schema::lens(base, lens);
        };
        const auto withLens = [](const AttentionTrace& t, const std::string& name, AttentionTrace& copy) -> const AttentionTrace* {
            if (t.find(name)) return &t;
            copy = t;
            if (auto st = addDerivedLenses(copy); !st || !copy.find(name)) return nullptr;
            return &copy;
        };
        o.a.kind = lensed(trace, o.a.kind);
        shown = withLens(trace, o.a.kind, derived);
        const auto missing = [&lens](const AttentionTrace& t, const std::string& name) {
            const std::string note = t.meta(schema::kLensNoteMeta);
            return fail("the trace has no " + name + " (" + lens + " lens)" + (note.empty() ? std::string() : ": " + note) +
                        (lens == schema::kGradLens ? " — the grad lens is computed on request: run a built-in Transformer forced with --lens grad"
                                                   : ""));
        };
        if (!shown) return missing(trace, o.a.kind);
        if (o.view == "compare") {
            o.b.kind = lensed(other ? *other : trace, o.b.kind);
            if (other) {
                const AttentionTrace* b = withLens(*other, o.b.kind, derivedOther);
                if (!b) return missing(*other, o.b.kind);
                other = b;
            }
        }
    }
    o.width = p.value("width").toInt();
    o.height = p.value("height").toInt();
    bool dpiOk = false;
    o.dpi = p.value("dpi").toInt(&dpiOk);
    if (!dpiOk || o.dpi < 24 || o.dpi > 2400) return usage("--dpi takes a number from 24 to 2400");
    if (o.view != "matrix" && o.view != "compare" && o.a.meanOverHeads()) return usage("--head mean applies to the matrix and compare views");
    QString error, note;
    o.note = &note;  // two tokenisations compared: what was merged or dropped, said on stderr
    if (p.isSet("words")) {
        AttentionTrace words, otherWords;
        bool changed = false;
        if (auto st = wordLevelTrace(*shown, words, &changed); !st) return fail(st.message);
        if (!changed) std::cerr << "attnscope: no subword marks in the labels; the tokens are the words\n";
        if (other)
            if (auto st = wordLevelTrace(*other, otherWords); !st) return fail(st.message);
        if (!ui::exportTraceView(words, o, out, &error, other ? &otherWords : nullptr)) return fail(error.toStdString());
        return 0;
    }
    if (!ui::exportTraceView(*shown, o, out, &error, other)) return fail(error.toStdString());
    if (!note.isEmpty()) std::cerr << "attnscope: " << note.toStdString() << "\n";
    return 0;
}

namespace {
/// `run MODEL --split S --out DIR/`: one file per verse, named after its reference.
int runSplit(const QCommandLineParser& p)
{
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 1 || !p.isSet("out")) return usage("a batch run takes MODEL --split dev|test --out DIR/ (no INPUT)");
    const QString ext = p.value("format").toLower();
    if (!QStringList{"png", "svg", "pdf", "attn", "json"}.contains(ext))
        return usage("unknown --format " + ext.toStdString() + " (png, svg, pdf, attn, json)");
    const QString dir = p.value("out");
    if (!QDir().mkpath(dir)) return fail("cannot create the folder " + dir.toStdString());
    std::unique_ptr<VerseDecoder> t;
    Corpus corpus;
    std::vector<const Verse*> verses;
    if (auto st = openModelAndSplit(p, t, corpus, verses, false); !st) return fail(st.message);
    if (p.value("lens") == schema::kGradLens)
        if (auto st = t->enableLens(schema::kGradLens); !st) return fail(st.message);
    auto progress = progressPrinter("export");
    std::vector<SkippedVerse> skipped;
    for (size_t k = 0; k < verses.size(); ++k) {
        progress(int64_t(k), int64_t(verses.size()));
        AttentionTrace trace;
        bool skip = false;  // a verse the model cannot take is skipped and said
        if (auto st = decodeOrSkip(*t, nullptr, *verses[k], [&] { return t->decodeVerse(*verses[k], true, trace); }, skipped, skip); !st)
            return fail(verses[k]->ref + ": " + st.message);
        if (skip) continue;
        QString name = QString::fromStdString(verses[k]->ref);
        name.replace(':', '-').replace(' ', '_');
        const QString out = QDir(dir).filePath(name + "." + ext);
        if (ext == "attn" || ext == "json") {
            if (auto ws = saveTraceAuto(trace, out.toStdString()); !ws) return fail(ws.message);
        } else if (int rc = drawTraceView(trace, p, out); rc != 0) {
            return rc;
        }
    }
    progress(int64_t(verses.size()), int64_t(verses.size()));
    reportSkipped(skipped, int(verses.size() - skipped.size()), "exported");
    std::cerr << "wrote " << verses.size() - skipped.size() << " files to " << dir.toStdString() << "\n";
    return 0;
}

/// `run transformer --book NAME --encoder-only`: a whole book as one sequence through the
/// encoder (Q/K mode); written as weights in float16 tiles up to 8,192 tokens, else as queries
/// and keys (--weights / --qk choose).
int runBook(const QCommandLineParser& p)
{
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 1 || !p.isSet("out")) return usage("a book run takes MODEL --book NAME --encoder-only --out FILE (no INPUT)");
    if (!p.isSet("encoder-only"))
        return usage("--book reads a whole book with the encoder alone (no translation of 2,000+ tokens): add --encoder-only");
    if (p.isSet("qk") && p.isSet("weights")) return usage("choose --qk or --weights, not both");
    const QString out = p.value("out");
    const QString ext = QFileInfo(out).suffix().toLower();
    if (!QStringList{"attn", "png", "svg", "pdf"}.contains(ext)) return usage("a book run writes .attn, .png, .svg or .pdf");
    ModelCache cache(2);
    BookRequest req;
    req.model = pos[0].toStdString();
    req.book = p.value("book").toStdString();
    auto trace = std::make_shared<AttentionTrace>();
    if (auto st = runBookEncoder(cache, req, *trace, progressPrinter("encoder")); !st) return fail(st.message);
    printWarning(*trace);
    const TraceTensor& t = trace->tensors[0];
    const int64_t n = t.shape[2];
    const bool weights = p.isSet("weights") || (!p.isSet("qk") && n <= 8192);
    std::cerr << trace->meta(schema::kInputMeta) << "; " << t.name << ": " << t.shape[0] << " layers × " << t.shape[1]
              << " heads × " << n << " × " << n << "\n";
    if (ext == "attn") {
        if (auto st = saveTraceWith(*trace, p, out, weights); !st) return fail(st.message);
        std::cerr << "wrote " << out.toStdString() << " ("
                  << (weights ? "weights in " + p.value("dtype").toStdString() + " tiles with a level-of-detail pyramid"
                              : std::string("queries and keys: O(n·d), weights computed on demand"))
                  << ", " << QFileInfo(out).size() / (1 << 20) << " MiB)\n";
        return 0;
    }
    return renderTraceLong(trace, p, out);
}

} // namespace

/// INPUT of `run`: a verse reference of the dev/test/train corpus, a text file, or text.
int cmdRun(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "model name or weights file");
    p.addPositionalArgument("input", "text, a verse reference (\"Ruth 1:16\") or a text file");
    p.addOption({"target", "reference translation for forced decoding", "text"});
    p.addOption({"free", "with a verse reference: free decoding instead of forced"});
    p.addOption({"out", "output: .png .svg .pdf (view) or .attn .json (trace)", "file"});
    p.addOption({"compare-model", "compare view: head B from this model, forced to the same target tokens", "model"});
    p.addOption({"split", "batch: every verse of dev or test (forced decoding) into the folder --out", "split"});
    p.addOption({"format", "batch: png, svg, pdf, attn or json", "ext", "png"});
    p.addOption({"limit", "batch: only the first N verses", "N", "0"});
    p.addOption({"book", "a whole book of the corpus as one sequence (with --encoder-only), e.g. Ruth, Genesis", "name"});
    p.addOption({"encoder-only", "read the input with the encoder alone: its self-attention (long inputs)"});
    p.addOption({"qk", "book runs: write queries and keys (O(n·d)) instead of weights"});
    p.addOption({"weights", "book runs: write the weights (float16 tiles) even past 8,192 tokens"});
    addAblationOptions(p);
    addViewOptions(p);
    addLongOptions(p);
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    const QStringList pos = p.positionalArguments();
    HeadAblation ablation;
    if (auto st = readAblationOptions(p, ablation); !st) return usage(st.message);
    if (!ablation.empty() && (p.isSet("split") || p.isSet("book"))) return usage("--ablate goes with one input (not --split or --book)");
    if (p.isSet("split")) return runSplit(p);
    if (p.isSet("book")) return runBook(p);
    if (pos.size() != 2 || !p.isSet("out")) return usage("run takes MODEL INPUT --out FILE");
    const QString out = p.value("out");
    std::string badOutput;
    const QString ext = outputType(out, &badOutput);
    if (ext.isEmpty()) return usage(badOutput);

    // The input: a verse reference of the corpus, a text file (read here; image and video user
    // models read their file themselves), or the text itself. The translation pipeline does
    // the rest, exactly as the Text workspace does.
    const std::string model = pos[0].toStdString();
    const bool userModel = isUserModelFile(model);
    QString input = pos[1];
    TranslationRequest req;
    req.model = model;
    req.freeTranslation = false;
    ModelCache cache(2);
    ModelCache::Lease<Corpus> corpus;
    static const QRegularExpression refRe(QStringLiteral("^[1-3I]*\\s*[A-Za-z][A-Za-z ]+ \\d+:\\d+$"));
    bool fileInput = false, translator = !userModel;
    if (userModel) {
        ScriptModelSpec spec;
        if (auto st = readModelSpec(model, spec); !st) return fail(st.message);
        fileInput = spec.image || spec.video;
        translator = spec.seq2seq;  // an encoder–decoder user model reads corpus verses too
    }
    if (translator && refRe.match(input).hasMatch()) {
        // Read only the split that holds the verse's book ("Ruth 1:16" → Ruth → test).
        const QString book = input.left(input.lastIndexOf(' '));
        Status cs;
        corpus = bibleCorpus(cache, {splitOfBook(book.toStdString())}, cs);
        if (!corpus) return fail(cs.message);
        req.verse = input.toStdString();
        req.forced = !p.isSet("free");
    } else if (!fileInput && QFileInfo(input).isFile()) {
        QFile f(input);
        if (!f.open(QIODevice::ReadOnly)) return fail("cannot read " + input.toStdString());
        req.source = QString::fromUtf8(f.readAll()).toStdString();
    } else {
        req.source = input.toStdString();
    }
    if (p.isSet("target")) {
        req.forced = true;
        req.reference = p.value("target").toStdString();
    }
    req.gradLens = p.value("lens") == schema::kGradLens;  // computed on request (a backward pass per target token)
    if (req.gradLens && !req.forced) return usage("--lens grad reads the reference's log p: give a verse (forced) or --target");
    TranslationResult result;
    if (!ablation.empty()) {
        // The same request unablated first, so the effect can be told.
        req.freeTranslation = !req.forced;
        TranslationResult plain;
        if (auto st = runTranslation(cache, corpus.get(), req, plain); !st) return fail(st.message);
        req.ablation = ablation;
        if (auto st = runTranslation(cache, corpus.get(), req, result); !st) return fail(st.message);
        std::cerr << "ablated " << ablation.describe() << "\n";
        if (!req.forced)
            std::cerr << "translation: " << result.translation << "\n" << "unablated:   " << plain.translation
                      << (result.translation == plain.translation ? "  (the same)" : "") << "\n";
        if (result.trace->hasGold() && plain.trace->hasGold()) {
            const double a = scoreTrace(*result.trace).aer(), b = scoreTrace(*plain.trace).aer();
            std::cerr << QStringLiteral("AER %1% (unablated %2%, Δ %3 points)\n")
                             .arg(100 * a, 0, 'f', 1).arg(100 * b, 0, 'f', 1).arg(100 * (a - b), 0, 'f', 1).toStdString();
        }
    } else if (auto st = runTranslation(cache, corpus.get(), req, result); !st) {
        return fail(st.message);
    }
    const AttentionTrace& trace = *result.trace;
    printWarning(trace);

    if (ext == "attn" || ext == "json") {
        if (auto ws = saveTraceAuto(trace, out.toStdString()); !ws) return fail(ws.message);
    } else if (p.isSet("compare-model")) {
        if (p.value("view") != "compare") return usage("--compare-model goes with --view compare");
        // Model B reads the same source and is forced to the target tokens of model A's trace.
        const TraceTensor* cross = trace.find(schema::translation::kCross);
        if (!cross || cross->labels.size() != 2) return fail("the trace of " + model + " has no labelled cross attention");
        std::string target;
        for (size_t k = 0; k + 1 < cross->labels[0].size(); ++k) target += (k ? " " : "") + cross->labels[0][k];
        AttentionTrace other;
        if (auto fs = runForcedTokens(cache, p.value("compare-model").toStdString(), trace.meta(schema::kInputMeta), target, other); !fs)
            return fail(fs.message);
        if (int rc = drawTraceView(trace, p, out, &other); rc != 0) return rc;
    } else if (int rc = renderTraceLong(result.trace, p, out); rc >= 0) {
        return rc;  // long attention (a user model past 1,024 tokens, or queries and keys)
    } else if (int rc2 = drawTraceView(trace, p, out); rc2 != 0) {
        return rc2;
    }
    std::cerr << "wrote " << out.toStdString() << "\n";
    return 0;
}

} // namespace attnscope::cli
