// The `attnscope` command line: models, run, eval, align, train. Works without a display.
#include "cli.h"
#include "clicommon.h"

#include "attnscope/alignment.h"
#include "attnscope/onnxmodel.h"
#include "attnscope/subwords.h"
#include "attnscope/caption.h"
#include "attnscope/video.h"
#include "attnscope/corpus.h"
#include "attnscope/dumps.h"
#include "attnscope/headstats.h"
#include "attnscope/imagemodel.h"
#include "attnscope/pipelines.h"
#include "attnscope/qk.h"
#include "attnscope/schema.h"
#include "attnscope/stn.h"
#include "attnscope/resources.h"
#include "attnscope/scriptmodel.h"
#include "attnscope/train.h"
#include "attnscope/translator.h"
#include "workspaces/text/tracefigure.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace attnscope::cli {

namespace {
const QStringList kCommands{"models", "run", "render", "import", "eval", "align", "heads", "train", "scenes", "clips", "inspect", "help"};

void printHelp()
{
    std::cout <<
R"(AttnScope — see what attention models attend to.

Usage:
  attnscope                          start the GUI on the built-in demo
  attnscope models                   list the built-in models
  attnscope run MODEL|MODEL.pt INPUT [--target TEXT] --out FILE
        [--view matrix|grid|flow|compare --kind NAME --layer N --head N|mean]
        [--compare-model MODEL2 --kind2 NAME --layer2 N --head2 N|mean] [--dpi N]
                                     translate INPUT (text, a verse reference such as
                                     "Ruth 1:16", or a text file) and write a view
                                     (.png .svg .pdf) or the trace (.attn .json); compare
                                     draws two heads, B from MODEL2 on the same sentence
                                     and forced target when given; MODEL.pt is your own
                                     TorchScript model with a MODEL.json sidecar
  attnscope run MODEL --split dev|test --out DIR/ [--format png|svg|pdf|attn|json] [view options]
                                     batch: every verse of a split, forced decoding, one
                                     file per verse (e.g. DIR/Colossians_1-2.png)
  attnscope render TRACE --out FILE [--view matrix|grid|flow --kind NAME --layer N --head N]
        [--scale linear|log|row|percentile --percentile P --reduce max|mean --colormap NAME]
                                     draw a saved .attn/.json trace as .png .svg .pdf (no model);
                                     matrices past 1,024 tokens are drawn one pixel per block
                                     (the max or mean of its weights) from the file's pyramid
  attnscope import DUMP [--tokens FILE] [--axes a,b,..] [--dtype float16|bfloat16|float32] --out FILE
                                     attention saved elsewhere (.npy .npz .safetensors .json)
                                     → a trace (.attn .json) or a view as .png .svg .pdf;
                                     .npy/.safetensors are read through a memory map, large
                                     ones written as tiles with a level-of-detail pyramid;
                                     arrays q and k (+ lse, scale, causal, tokens) import as
                                     queries and keys (Q/K mode, docs/attn-format.md)
  attnscope run transformer --book NAME --encoder-only --out FILE.attn|.png [--qk|--weights]
                                     a whole book (e.g. Ruth, Genesis) as one sequence through
                                     the encoder, attention computed in query blocks; weights
                                     up to 8,192 tokens, queries and keys beyond
  attnscope run fmnist-se|fmnist-eca|fmnist-cbam|fmnist-cnn IMAGE|test:N --out FILE
        [--view channels|spatial] [--block N|all] [--sort] [--opacity X] [--dpi N]
                                     classify an image (or Fashion-MNIST test image N) and
                                     draw each block's channel excitation and feature maps,
                                     or CBAM's spatial attention over the input
  attnscope eval fmnist-…            Fashion-MNIST test accuracy [--limit N]
  attnscope run fmnist-stn-rts|r|cluttered IMAGE|test:N --view stn --out FILE
        [--theta a,b,c,d,e,f] [--distort ROT,SCALE,DX,DY] [--grid N] [--nearest]
                                     the ST-CNN's sampling frame and grid on the input, the
                                     warped output, θ and the prediction before and after
  attnscope eval fmnist-stn-…|fmnist-cnn-…   test error on the distortion's fixed test set
  attnscope run scene-captioner IMAGE|scene:N [--target TEXT] --view caption --out FILE
        [--attention soft|hard|sample] [--beam K] [--opacity X] [--dpi N]
                                     caption a scene (or generated test scene N) and draw
                                     each word's attention over it (.png .svg .pdf) or write
                                     the trace (.attn .json); --target scores your caption
  attnscope eval scene-captioner [--scenes N] [--beam K]
                                     attention hit rate and mass in the item's box vs
                                     uniform, caption exact match and word accuracy
  attnscope scenes --out DIR [--count N]
                                     write the fixed test scenes as PNG files + scenes.tsv
  attnscope run clip-captioner VIDEO|clip:N [--target TEXT] --view video --out FILE [--beam K]
                                     describe a video (16 frames sampled evenly) and draw the
                                     word × frame attention with thumbnails, or the trace
  attnscope eval clip-captioner [--clips N]
                                     temporal hit rate: attention peak on frames showing the
                                     item vs uniform; caption exact match, word accuracy
  attnscope clips --out DIR [--count N]
                                     write the fixed test clips as video files + clips.tsv
  attnscope eval MODEL [--split dev|test] [--limit N] [--no-bleu]
                                     precision, recall, AER, diagonal-baseline AER, BLEU
  attnscope align MODEL --split dev|test --out FILE.jsonl [--kind NAME --layer N --head N|mean]
                                     one JSON object of alignment links per verse (default:
                                     the model's "cross" alignment)
  attnscope heads MODEL [--split dev|test] [--limit N] --out FILE.csv
                                     the head table over a split: per head mean entropy,
                                     position stats (Clark et al. 2019) and AER
    eval, align and heads also take:
      --method argmax|threshold|gdfa|shift [--threshold τ]
                                     how links are read from attention (default argmax)
      --source SRC.txt --target TGT.txt --gold GOLD.pharaoh [--one-based]
                                     your own corpus instead of --split: one tokenised
                                     sentence per line, Pharaoh links (i-j sure; i?j, ipj,
                                     i-j-p possible); AER with sure/possible links
      --reverse-model MODEL          (eval, align) a target→source model: both directions'
                                     argmax links symmetrised with grow-diag-final-and
  attnscope inspect MODEL.onnx       an ONNX model's inputs, outputs, opset, operators (and the
                                     ones AttnScope cannot run) and the attention found in its
                                     graph (Softmax of Q·Kᵀ over two position axes; sigmoid
                                     channel gates)
  attnscope run MODEL.onnx|ppocr-rec|ppocr-det IMAGE --out FILE [--view patch|received|cls|
        rollout|map:NAME] [--layer N --head N|mean --patch N] [--attention NODES]
                                     an ONNX vision model (run with ATen; its sidecar gives the
                                     pre-processing): the picture with attention over its
                                     patches, a model map, the CTC text; or the trace
  attnscope train MODEL [--out FILE] [--epochs N] [--score F] [--no-resume] ...
                                     train a built-in model (checkpoints and resumes)
Exit status: 0 success, 1 failure (message on stderr), 2 usage error.
)";
}

int cmdModels()
{
    for (const auto& m : builtinModels()) {
        const bool present = !resourcePath(m.weightsFile).empty();
        std::cout << m.name << "\t" << m.kind << "\t" << (present ? "ready" : "weights missing") << "\t"
                  << m.description << "\n";
    }
    return 0;
}

int cmdTrain(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "built-in model to train (gru-bahdanau, transformer, fmnist-cnn|se|eca|cbam)");
    TrainConfig c;
    p.addOption({"out", "weights file to write", "file"});
    p.addOption({"checkpoint", "checkpoint file (default OUT.ckpt)", "file"});
    p.addOption({"no-resume", "start over even when a checkpoint exists"});
    p.addOption({"epochs", "epochs", "N", QString::number(c.epochs)});
    p.addOption({"batch", "batch size", "N", QString::number(c.batchSize)});
    p.addOption({"score", "score function: dot, scaled-dot, general, additive, cosine", "F", QString::fromStdString(c.scoreFunction)});
    p.addOption({"hidden", "hidden size", "N", QString::number(c.hidden)});
    p.addOption({"embedding", "embedding size", "N", QString::number(c.embedding)});
    p.addOption({"vocab", "vocabulary size per language", "N", QString::number(c.vocabSize)});
    p.addOption({"lr", "learning rate", "X", QString::number(c.learningRate)});
    p.addOption({"seed", "random seed", "N", QString::number(c.seed)});
    p.addOption({"max-steps", "stop after N batches (0 = all)", "N", "0"});
    p.addOption({"max-verses", "use only the first N training verses (0 = all)", "N", "0"});
    p.addOption({"guided-alignment", "weight λ of the guided-alignment loss (train-split Strong's links; 0 = off)", "λ", "0"});
    p.addOption({"heads", "Transformer heads per attention layer", "N", QString::number(c.heads)});
    p.addOption({"layers", "Transformer encoder (= decoder) layers", "N", QString::number(c.layers)});
    p.addOption({"ff", "Transformer feed-forward size", "N", QString::number(c.feedForward)});
    p.addOption({"warmup", "linear learning-rate warm-up, batches (default: 400 for the Transformer, else 0)", "N"});
    p.addOption({"label-smoothing", "label smoothing ε (default: 0.1 for the Transformer, else 0)", "ε"});
    p.addOption({"dropout", "dropout (default: 0.1 for the Transformer, else 0.2)", "p"});
    p.addOption({"guided-from-step", "apply the guided-alignment loss from this batch on", "N", "0"});
    p.addOption({"reduction", "image models: SE / CBAM channel-MLP reduction r", "r", QString::number(c.reduction)});
    p.addOption({"scenes", "scene-captioner / clip-captioner: generated scenes (clips) per epoch (default 30000 / 16000)", "N",
                 QString::number(c.scenesPerEpoch)});
    p.addOption({"regulariser", "λ of the doubly stochastic attention regulariser (default 0.1 scenes, 0 clips)", "λ",
                 QString::number(c.attentionRegulariser)});
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    if (p.positionalArguments().size() != 1) return usage("train takes one MODEL");
    c.model = p.positionalArguments()[0].toStdString();
    const ModelInfo* info = findModel(c.model);
    if (!info) return fail("unknown model '" + c.model + "' (`attnscope models` lists them)");
    c.out = p.isSet("out") ? p.value("out").toStdString() : std::string(ATTNSCOPE_RESOURCE_DIR) + "/" + info->weightsFile;
    c.checkpoint = p.value("checkpoint").toStdString();
    c.resume = !p.isSet("no-resume");
    c.epochs = p.value("epochs").toInt();
    const bool stn = isStnModel(c.model), image = isImageModel(c.model) || stn;
    c.batchSize = p.isSet("batch") || !image ? p.value("batch").toInt() : 128;
    if (image && !p.isSet("epochs")) c.epochs = stn ? 3 : 10;
    const bool captioner = c.model == "scene-captioner" || c.model == "clip-captioner";
    const bool clips = c.model == "clip-captioner";
    if (captioner) {
        if (!p.isSet("epochs")) c.epochs = clips ? 4 : 8;
        if (!p.isSet("batch")) c.batchSize = clips ? 16 : 64;
    }
    c.scenesPerEpoch = clips && !p.isSet("scenes") ? 16000 : p.value("scenes").toInt();
    c.attentionRegulariser = clips && !p.isSet("regulariser") ? 0.0 : p.value("regulariser").toDouble();
    c.reduction = p.value("reduction").toInt();
    c.scoreFunction = p.value("score").toStdString();
    c.hidden = p.value("hidden").toInt();
    c.embedding = captioner && !p.isSet("embedding") ? 64 : p.value("embedding").toInt();
    c.vocabSize = p.value("vocab").toInt();
    c.learningRate = p.value("lr").toDouble();
    c.seed = p.value("seed").toUInt();
    c.maxSteps = p.value("max-steps").toInt();
    c.maxTrainVerses = p.value("max-verses").toInt();
    c.guidedAlignment = p.value("guided-alignment").toDouble();
    c.guidedFromStep = p.value("guided-from-step").toInt();
    const bool transformer = c.model == "transformer";
    c.heads = p.value("heads").toInt();
    c.layers = p.value("layers").toInt();
    c.feedForward = p.value("ff").toInt();
    c.warmupSteps = p.isSet("warmup") ? p.value("warmup").toInt() : (transformer ? 400 : 0);
    c.labelSmoothing = p.isSet("label-smoothing") ? p.value("label-smoothing").toDouble() : (transformer ? 0.1 : 0.0);
    c.dropout = p.isSet("dropout") ? p.value("dropout").toDouble() : (transformer ? 0.1 : image || captioner ? 0.3 : 0.2);
    if (c.epochs < 1 || c.batchSize < 1 || c.hidden < 1 || c.embedding < 1 || c.vocabSize < 10 || c.heads < 1 ||
        c.layers < 1 || c.feedForward < 1 || c.warmupSteps < 0 || c.labelSmoothing < 0 || c.labelSmoothing >= 1 ||
        c.dropout < 0 || c.dropout >= 1 || c.reduction < 1)
        return usage("epochs, batch, hidden, embedding, vocab, heads, layers and ff must be positive; "
                     "label smoothing and dropout in [0, 1)");
    TrainReport r;
    auto st = train(c, r, {}, [](const std::string& line) { std::cerr << line << std::endl; });
    if (!st) return fail(st.message);
    std::cerr << "steps " << r.stepsRun << ", loss " << r.firstLoss << " → " << r.lastLoss << "\n";
    return 0;
}

int drawView(const AttentionTrace& trace, const QCommandLineParser& p, const QString& out,
             const AttentionTrace* other = nullptr)
{
    ui::FigureOptions o;
    o.view = p.value("view");
    o.kind = p.value("kind");
    o.kind2 = p.value("kind2");
    if (auto st = parseLayerHead(p.value("layer"), p.value("head"), o.layer, o.head); !st) return usage(st.message);
    if (o.view == "compare") {
        // Head B defaults to the next head of the same tensor, or the same head of the other model.
        const QString head2 = p.isSet("head2") ? p.value("head2") : other ? p.value("head") : p.value("head2");
        if (auto st = parseLayerHead(p.value("layer2"), head2, o.layer2, o.head2); !st) return usage(st.message);
        if (!p.isSet("kind2") && !other) o.kind2 = o.kind;
    }
    o.width = p.value("width").toInt();
    o.height = p.value("height").toInt();
    bool dpiOk = false;
    o.dpi = p.value("dpi").toInt(&dpiOk);
    if (!dpiOk || o.dpi < 24 || o.dpi > 2400) return usage("--dpi takes a number from 24 to 2400");
    if (o.view != "matrix" && o.view != "compare" && o.head < 0) return usage("--head mean applies to the matrix and compare views");
    QString error;
    if (p.isSet("words")) {
        AttentionTrace words, otherWords;
        bool changed = false;
        if (auto st = wordLevelTrace(trace, words, &changed); !st) return fail(st.message);
        if (!changed) std::cerr << "attnscope: no subword marks in the labels; the tokens are the words\n";
        if (other)
            if (auto st = wordLevelTrace(*other, otherWords); !st) return fail(st.message);
        if (!ui::exportTraceView(words, o, out, &error, other ? &otherWords : nullptr)) return fail(error.toStdString());
        return 0;
    }
    if (!ui::exportTraceView(trace, o, out, &error, other)) return fail(error.toStdString());
    return 0;
}

int cmdRender(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("trace", ".attn or .json trace");
    p.addOption({"out", "output .png .svg .pdf", "file"});
    addViewOptions(p);
    addLongOptions(p);
    if (int rc = cmdRenderLong(args); rc >= 0) return rc;
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    if (p.positionalArguments().size() != 1 || !p.isSet("out")) return usage("render takes TRACE --out FILE");
    AttentionTrace trace;
    if (auto st = loadTraceAuto(p.positionalArguments()[0].toStdString(), trace); !st) return fail(st.message);
    if (int rc = drawView(trace, p, p.value("out")); rc != 0) return rc;
    std::cerr << "wrote " << p.value("out").toStdString() << "\n";
    return 0;
}

int cmdImport(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("dump", ".npy, .npz, .safetensors or .json attention dump");
    p.addOption({"tokens", "text file with the tokens (whitespace or one per line)", "file"});
    p.addOption({"axes", "names of the dump's axes: layer, head, query, key, batch (comma-separated)", "list"});
    p.addOption({"name", "tensor name in the trace", "name", "attention"});
    p.addOption({"out", "output: .attn .json (trace) or .png .svg .pdf (a view, see --view)", "file"});
    addViewOptions(p);
    addLongOptions(p);
    if (int rc = cmdImportLong(args); rc >= 0) return rc;
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    if (p.positionalArguments().size() != 1 || !p.isSet("out")) return usage("import takes DUMP --out FILE");
    ImportOptions o;
    o.name = p.value("name").toStdString();
    if (p.isSet("axes"))
        for (const auto& a : p.value("axes").split(',', Qt::SkipEmptyParts)) o.axes.push_back(a.trimmed().toStdString());
    if (p.isSet("tokens")) {
        QFile f(p.value("tokens"));
        if (!f.open(QIODevice::ReadOnly)) return fail("cannot read the tokens file " + p.value("tokens").toStdString());
        for (const auto& w : QString::fromUtf8(f.readAll()).split(QRegularExpression("\\s+"), Qt::SkipEmptyParts))
            o.tokens.push_back(w.toStdString());
    }
    auto imported = std::make_shared<AttentionTrace>();
    AttentionTrace& trace = *imported;
    const std::string dump = p.positionalArguments()[0].toStdString();
    if (hasQkArrays(dump)) {
        // Queries and keys (Q/K mode): weights computed on demand, never held n × n.
        if (auto st = importQk(dump, trace, progressPrinter("lse")); !st) return fail(st.message);
    } else if (auto st = importDump(dump, o, trace); !st) {
        return fail(st.message);
    }
    printWarning(trace);
    if (!trace.meta("labels").empty()) std::cerr << "attnscope: " << trace.meta("labels") << "\n";
    const QString out = p.value("out");
    const QString ext = QFileInfo(out).suffix().toLower();
    if (ext == "attn" || ext == "json") {
        if (auto st = saveTraceWith(trace, p, out); !st) return fail(st.message);
    } else if (int rc = renderTraceLong(imported, p, out); rc >= 0) {
        return rc;
    } else if (int rc2 = drawView(trace, p, out); rc2 != 0) {
        return rc2;
    }
    const auto& shape = trace.tensors[0].shape;
    std::cerr << "wrote " << out.toStdString() << ": " << shape[0] << " layers × " << shape[1] << " heads × " << shape[2]
              << " × " << shape[3] << "\n";
    return 0;
}

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
    auto progress = progressPrinter("export");
    for (size_t k = 0; k < verses.size(); ++k) {
        progress(int64_t(k), int64_t(verses.size()));
        AttentionTrace trace;
        if (auto st = t->decodeVerse(*verses[k], true, trace); !st) return fail(verses[k]->ref + ": " + st.message);
        QString name = QString::fromStdString(verses[k]->ref);
        name.replace(':', '-').replace(' ', '_');
        const QString out = QDir(dir).filePath(name + "." + ext);
        if (ext == "attn" || ext == "json") {
            if (auto ws = saveTraceAuto(trace, out.toStdString()); !ws) return fail(ws.message);
        } else if (int rc = drawView(trace, p, out); rc != 0) {
            return rc;
        }
    }
    progress(int64_t(verses.size()), int64_t(verses.size()));
    std::cerr << "wrote " << verses.size() << " files to " << dir.toStdString() << "\n";
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
    addViewOptions(p);
    addLongOptions(p);
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    const QStringList pos = p.positionalArguments();
    if (p.isSet("split")) return runSplit(p);
    if (p.isSet("book")) return runBook(p);
    if (pos.size() != 2 || !p.isSet("out")) return usage("run takes MODEL INPUT --out FILE");
    const QString out = p.value("out");
    const QString ext = QFileInfo(out).suffix().toLower();
    if (!QStringList{"png", "svg", "pdf", "attn", "json"}.contains(ext))
        return usage("unknown output type ." + ext.toStdString() + " (png, svg, pdf, attn, json)");

    // The input: a verse reference of the corpus, a text file (read here; image and video user
    // models read their file themselves), or the text itself. The translation pipeline does
    // the rest, exactly as the Text workspace does.
    const std::string model = pos[0].toStdString();
    const ModelKind kind = modelKind(model);
    QString input = pos[1];
    TranslationRequest req;
    req.model = model;
    req.freeTranslation = false;
    ModelCache cache(2);
    ModelCache::Lease<Corpus> corpus;
    static const QRegularExpression refRe(QStringLiteral("^[1-3I]*\\s*[A-Za-z][A-Za-z ]+ \\d+:\\d+$"));
    bool fileInput = false, translator = kind != ModelKind::UserModel;
    if (kind == ModelKind::UserModel) {
        ScriptModelSpec spec;
        if (auto st = parseSidecar(sidecarPath(model), spec); !st) return fail(st.message);
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
    TranslationResult result;
    if (auto st = runTranslation(cache, corpus.get(), req, result); !st) return fail(st.message);
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
        if (int rc = drawView(trace, p, out, &other); rc != 0) return rc;
    } else if (int rc = renderTraceLong(result.trace, p, out); rc >= 0) {
        return rc;  // long attention (a user model past 1,024 tokens, or queries and keys)
    } else if (int rc2 = drawView(trace, p, out); rc2 != 0) {
        return rc2;
    }
    std::cerr << "wrote " << out.toStdString() << "\n";
    return 0;
}

/// `inspect MODEL.onnx`: inputs, outputs, opset, operator counts, operators outside the set
/// AttnScope's interpreter is to cover, and the attention found in the graph.
int cmdInspect(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "an .onnx model");
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    if (p.positionalArguments().size() != 1) return usage("inspect takes one MODEL.onnx");
    OnnxInspection o;
    if (auto st = inspectOnnx(p.positionalArguments()[0].toStdString(), o); !st) return fail(st.message);
    std::cout << describeOnnx(o);
    return 0;
}

} // namespace

bool isCommand(const QString& arg) { return kCommands.contains(arg) || arg == "--help" || arg == "-h"; }

int run(int argc, char** argv)
{
    const QString cmd = QString::fromLocal8Bit(argv[1]);
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
        printHelp();
        return 0;
    }
    // `run` renders widgets into files: it needs QApplication, never a display.
    std::unique_ptr<QCoreApplication> app;
    if (cmd == "run" || cmd == "render" || cmd == "import" || cmd == "scenes" || cmd == "clips") {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        if (qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {  // headless shells: avoid Qt's warning
            const QByteArray dir = "/tmp/attnscope-runtime-" + QByteArray::number(getuid());
            ::mkdir(dir.constData(), 0700);
            qputenv("XDG_RUNTIME_DIR", dir);
        }
        app = std::make_unique<QApplication>(argc, argv);
    } else {
        app = std::make_unique<QCoreApplication>(argc, argv);
    }
    QStringList args = QCoreApplication::arguments();
    args.removeAt(1);  // the subcommand; QCommandLineParser sees "attnscope ARGS..."
    if (cmd == "models") return cmdModels();
    if (cmd == "scenes") return cmdScenes(args);
    if (cmd == "clips") return cmdClips(args);
    if (cmd == "run" || cmd == "eval") {
        // `run` and `eval` go to the kind of the model named first: one row per kind.
        struct KindCommands {
            ModelKind kind;
            int (*run)(const QStringList&);
            int (*eval)(const QStringList&);
        };
        static const KindCommands kinds[] = {
            {ModelKind::Translation, cmdRun, cmdEval},         {ModelKind::UserModel, cmdRun, cmdEval},
            {ModelKind::Image, cmdRunImage, cmdEvalImage},     {ModelKind::Stn, cmdRunStn, cmdEvalStn},
            {ModelKind::SceneCaption, cmdRunCaption, cmdEvalCaption}, {ModelKind::ClipCaption, cmdRunVideo, cmdEvalVideo},
            {ModelKind::Vision, cmdRunVision, nullptr},
        };
        const bool named = args.size() > 1 && !args[1].startsWith('-');
        const ModelKind kind = named ? modelKind(args[1].toStdString()) : ModelKind::Translation;
        if (kind == ModelKind::Unknown)
            return fail("unknown model '" + args[1].toStdString() + "' (`attnscope models` lists the built-in ones; a file must exist)");
        for (const auto& k : kinds) {
            if (k.kind != kind) continue;
            const auto f = cmd == "run" ? k.run : k.eval;
            if (!f) return fail(std::string("eval does not apply to ") + modelKindName(kind) + "s");
            return f(args);
        }
    }
    if (cmd == "inspect") return cmdInspect(args);
    if (cmd == "align") return cmdAlign(args);
    if (cmd == "heads") return cmdHeads(args);
    if (cmd == "train") return cmdTrain(args);
    if (cmd == "render") return cmdRender(args);
    if (cmd == "import") return cmdImport(args);
    return usage("unknown command " + cmd.toStdString());
}

} // namespace attnscope::cli
