// The `attnscope` command line: its own verbs (models, render, import, inspect, train, help) and
// every kind's verbs (run, eval, align, heads, scenes, clips, …) looked up in the kind catalogue.
// Works without a display.
#include "cli.h"
#include "cli/clicommon.h"

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
#include "attnscope/kinds.h"
#include "workspaces/text/textcli.h"

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

#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace attnscope::cli {

namespace {
/// The commands every build has; each kind adds its verbs (KindDescriptor::verbs).
const QStringList kCommands{"models", "render", "import", "train", "inspect", "help"};
/// Commands that draw nothing: a QCoreApplication serves (the others render widgets offscreen).
const QStringList kCoreOnly{"models", "train", "inspect", "eval", "align", "heads"};

/// The help of the command line's own verbs, in the order `attnscope help` lists them.
struct CoreVerbHelp {
    const char* name;
    const char* text;
};
const CoreVerbHelp kCoreHelp[] = {
    {"models", R"(  attnscope models                   list the built-in models and their kinds
)"},
    {"render", R"(  attnscope render TRACE --out FILE [--view matrix|grid|flow --kind NAME --layer N --head N]
        [--scale linear|log|row|percentile --percentile P --reduce max|mean --colormap NAME]
                                     draw a saved .attn/.json trace as .png .svg .pdf (no model);
                                     matrices past 1,024 tokens are drawn one pixel per block
                                     (the max or mean of its weights) from the file's pyramid
)"},
    {"import", R"(  attnscope import DUMP [--tokens FILE] [--axes a,b,..] [--dtype float16|bfloat16|float32] --out FILE
                                     attention saved elsewhere (.npy .npz .safetensors .json)
                                     → a trace (.attn .json) or a view as .png .svg .pdf;
                                     .npy/.safetensors are read through a memory map, large
                                     ones written as tiles with a level-of-detail pyramid;
                                     arrays q and k (+ lse, scale, causal, tokens) import as
                                     queries and keys (Q/K mode, docs/manual/file-formats.md)
)"},
    {"inspect", R"(  attnscope inspect MODEL.onnx       an ONNX model's inputs, outputs, opset, operators (and the
                                     ones AttnScope cannot run) and the attention found in its
                                     graph (Softmax of Q·Kᵀ over two position axes; sigmoid
                                     channel gates)
)"},
    {"train", R"(  attnscope train MODEL [--out FILE] [--epochs N] [--score F] [--no-resume] ...
                                     train a built-in model (checkpoints and resumes)
)"},
};

void printHelp()
{
    std::cout << R"(AttnScope — see what attention models attend to.

Usage:
  attnscope                          start the GUI on the built-in demo
  attnscope TRACE|IMAGE|VIDEO|…      start the GUI on a file
  attnscope --version                the version
  attnscope VERB --help              the help of one verb
)";
    for (const auto& h : kCoreHelp) std::cout << h.text;
    std::cout << "\nEach kind of model answers `run` (and `eval` where it applies) for the models it takes:\n";
    for (const auto& kind : KindCatalogue::global().kinds()) {
        bool any = false;
        for (const auto& v : kind.verbs) any = any || !v.help.empty();
        if (!any) continue;
        std::cout << "\n" << kind.title << " (" << kind.id << "): " << kind.description << "\n";
        for (const auto& v : kind.verbs) std::cout << v.help;
    }
    std::cout << "\nExit status: 0 success, 1 failure (message on stderr), 2 usage error.\n";
}

/// `attnscope VERB --help`: the verb's own lines (for a kind verb, every kind's that answers it).
/// False for a verb nobody answers.
bool printVerbHelp(const std::string& verb)
{
    bool any = false;
    for (const auto& h : kCoreHelp)
        if (verb == h.name) std::cout << h.text, any = true;
    for (const auto& kind : KindCatalogue::global().kinds())
        if (const CliVerb* v = kind.verb(verb)) {
            std::cout << kind.title << " (" << kind.id << "):\n" << v->help;
            any = true;
        }
    if (any) std::cout << "Exit status: 0 success, 1 failure (message on stderr), 2 usage error.\n";
    return any;
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
    printWarning(trace);  // e.g. NaN in the file
    if (int rc = drawTraceView(trace, p, p.value("out")); rc != 0) return rc;
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
    if (!trace.meta(schema::kLabelsMeta).empty()) std::cerr << "attnscope: " << trace.meta(schema::kLabelsMeta) << "\n";
    const QString out = p.value("out");
    const QString ext = QFileInfo(out).suffix().toLower();
    if (ext == "attn" || ext == "json") {
        if (auto st = saveTraceWith(trace, p, out); !st) return fail(st.message);
    } else if (int rc = renderTraceLong(imported, p, out); rc >= 0) {
        return rc;
    } else if (int rc2 = drawTraceView(trace, p, out); rc2 != 0) {
        return rc2;
    }
    const auto& shape = trace.tensors[0].shape;
    std::cerr << "wrote " << out.toStdString() << ": " << shape[0] << " layers × " << shape[1] << " heads × " << shape[2]
              << " × " << shape[3] << "\n";
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

/// A verb of the kind catalogue: `run MODEL …` and the other model verbs go to the kind of the
/// model named first; a verb no kind answers gives −1.
int runKindVerb(const QString& cmd, const QStringList& args)
{
    const std::string verb = cmd.toStdString();
    const KindDescriptor* kind = nullptr;
    for (const auto& k : KindCatalogue::global().kinds())
        if (k.verb(verb)) {
            kind = &k;  // the first kind that answers it (tab order), when no model is named
            break;
        }
    if (!kind) return -1;
    const bool named = args.size() > 1 && !args[1].startsWith('-');
    if (kind->verb(verb)->takesModel && named) {
        const std::string model = args[1].toStdString();
        kind = KindCatalogue::global().kindOfModel(model);
        if (!kind) return fail("unknown model '" + model + "' (`attnscope models` lists the built-in ones; a file must exist)");
        if (!kind->verb(verb)) return fail(verb + " does not apply to " + kind->title + " models (" + model + ")");
    }
    std::vector<std::string> a;
    for (const QString& s : args) a.push_back(s.toStdString());
    return kind->verb(verb)->run(a);
}

} // namespace

bool isCommand(const QString& arg)
{
    if (kCommands.contains(arg) || arg == "--help" || arg == "-h") return true;
    for (const auto& v : KindCatalogue::global().verbNames())
        if (arg.toStdString() == v) return true;
    return false;
}

int run(int argc, char** argv)
{
    const QString cmd = QString::fromLocal8Bit(argv[1]);
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
        printHelp();
        return 0;
    }
    for (int i = 2; i < argc; ++i)
        if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
            if (printVerbHelp(cmd.toStdString())) return 0;
            return usage("unknown command " + cmd.toStdString());
        }
    // `run` renders widgets into files: it needs QApplication, never a display. (A test calling
    // run() in-process has its application already.)
    std::unique_ptr<QCoreApplication> app;
    if (QCoreApplication::instance()) {
    } else if (!kCoreOnly.contains(cmd)) {
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
    QStringList args;
    for (int i = 0; i < argc; ++i) args << QString::fromLocal8Bit(argv[i]);
    args.removeAt(1);  // the subcommand; QCommandLineParser sees "attnscope ARGS..."
    if (cmd == "models") return cmdModels();
    if (int rc = runKindVerb(cmd, args); rc >= 0) return rc;
    if (cmd == "inspect") return cmdInspect(args);
    if (cmd == "train") return cmdTrain(args);
    if (cmd == "render") return cmdRender(args);
    if (cmd == "import") return cmdImport(args);
    return usage("unknown command " + cmd.toStdString());
}

} // namespace attnscope::cli
