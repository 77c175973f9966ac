// `render` and `import` of long matrices: the long figure (one pixel per block, read from the
// pyramid of a tiled trace or in one pass over a memory-mapped dump) and tiled .attn files.
// Compiled into both executables: the light `attnscope` front end (no LibTorch, so it starts in
// milliseconds) and attnscope-engine (which adds traces kept as queries and keys).
#include "cli/clicommon.h"

#include "attnscope/longattention.h"
#include "views/longfigure.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <iostream>

namespace attnscope::cli {

namespace {
bool isFigure(const QString& ext) { return ext == "png" || ext == "svg" || ext == "pdf"; }

/// The long figure's options from the command line; false with a usage message.
bool figureOptions(const QCommandLineParser& p, ui::LongFigureOptions& o, std::string* message)
{
    if (!ui::parseScaleMode(p.value("scale"), o.scale.mode)) {
        *message = "--scale takes linear, log, row or percentile";
        return false;
    }
    bool ok = false;
    o.scale.percentile = p.value("percentile").toDouble(&ok);
    if (!ok || o.scale.percentile < 50 || o.scale.percentile > 100) {
        *message = "--percentile takes a number from 50 to 100";
        return false;
    }
    const QString reduce = p.value("reduce");
    if (reduce != "max" && reduce != "mean") {
        *message = "--reduce takes max or mean";
        return false;
    }
    o.reduce = reduce == "max" ? BlockReduce::Max : BlockReduce::Mean;
    o.colorMap = p.value("colormap");
    const int side = std::max(p.value("width").toInt(), p.value("height").toInt());
    if (side > 0) o.maxSide = std::clamp(side - 200, 128, 8192);
    return true;
}

QStringList qLabels(const std::vector<std::string>& v)
{
    QStringList out;
    out.reserve(qsizetype(v.size()));
    for (const auto& s : v) out << QString::fromStdString(s);
    return out;
}

int writeFigureOf(const AttentionMatrix& m, ui::LongFigureOptions o, const QCommandLineParser& p, const QString& out)
{
    std::string message;
    if (!figureOptions(p, o, &message)) return usage(message);
    // Q/K matrices: the coarse blocks are one pass over every cell (with progress).
    const int64_t b = ui::figureBlock(std::max(m.rows(), m.cols()), o.maxSide);
    if (m.needsOverview() && b > 1)
        if (auto st = const_cast<AttentionMatrix&>(m).buildOverview(b, progressPrinter("overview")); !st) return fail(st.message);
    QString error;
    const ui::BuiltFigure f = ui::longFigure(m, o, &error);
    if (!f) return fail(error.toStdString());
    if (!ui::writeFigure(f, out, p.value("dpi").toInt(), &error)) return fail(error.toStdString());
    std::cerr << "wrote " << out.toStdString() << ": " << m.rows() << " × " << m.cols() << ", each pixel "
              << (b == 1 ? std::string("one weight") : (o.reduce == BlockReduce::Max ? "the max of " : "the mean of ") +
                                                          std::to_string(b) + " × " + std::to_string(b))
              << "\n";
    return 0;
}
} // namespace

void addLongOptions(QCommandLineParser& p)
{
    p.addOption({"scale", "long matrices: colour scale linear, log, row (each row by its max) or percentile", "mode", "linear"});
    p.addOption({"percentile", "long matrices, --scale percentile: clip at this percentile", "p", "99"});
    p.addOption({"reduce", "long matrices: a pixel of several weights shows their max or mean", "max|mean", "max"});
    p.addOption({"colormap", "viridis, magma, cividis or grey", "name", "viridis"});
    p.addOption({"dtype", "tiled .attn: float16, bfloat16 or float32", "type", "float16"});
}

int renderTraceLong(const std::shared_ptr<const AttentionTrace>& trace, const QCommandLineParser& p, const QString& out);

int cmdRenderLong(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("trace", ".attn trace");
    p.addOption({"out", "output .png .svg .pdf", "file"});
    addViewOptions(p);
    addLongOptions(p);
    if (!p.parse(args) || p.positionalArguments().size() != 1 || !p.isSet("out")) return -1;
    const QString path = p.positionalArguments()[0], out = p.value("out");
    if (QFileInfo(path).suffix().toLower() != "attn" || !isFigure(QFileInfo(out).suffix().toLower()) || p.value("view") != "matrix")
        return -1;
    auto trace = std::make_shared<AttentionTrace>();
    if (auto st = loadTrace(path.toStdString(), *trace); !st) return -1;  // the ordinary path says why
    return renderTraceLong(trace, p, out);
}

int renderTraceLong(const std::shared_ptr<const AttentionTrace>& trace, const QCommandLineParser& p, const QString& out)
{
    if (!isFigure(QFileInfo(out).suffix().toLower()) || p.value("view") != "matrix") return -1;
    const TraceTensor* t = nullptr;
    if (p.isSet("kind")) t = trace->find(p.value("kind").toStdString());
    else
        for (const auto& x : trace->tensors)
            if (!t && (x.shape.size() == 2 || x.shape.size() == 4) && isLongTensor(x, 1024)) t = &x;
    if (!t || !isLongTensor(*t, 1024)) return -1;
    if (t->store && t->store->layout() == "qk" && !canComputeQk()) return -1;  // the engine computes Q/K
    int layer = 0, head = 0;
    if (auto st = parseLayerHead(p.value("layer"), p.value("head"), layer, head); !st) return usage(st.message);
    if (head < 0) return usage("--head mean is not available for long matrices; choose a head");
    if (t->shape.size() == 2) layer = head = 0;
    MatrixPtr m;
    if (auto st = matrixOf(trace, t->name, layer, head, m); !st) return fail(st.message);
    ui::LongFigureOptions o;
    o.title = QStringLiteral("%1 · %2").arg(QString::fromStdString(trace->model), QString::fromStdString(t->name));
    if (t->shape.size() == 4) o.title += QStringLiteral(" · layer %1, head %2").arg(layer + 1).arg(head + 1);
    if (t->labels.size() == t->shape.size()) {
        o.rowLabels = qLabels(t->labels[t->shape.size() - 2]);
        o.colLabels = qLabels(t->labels[t->shape.size() - 1]);
    }
    if (t->store && t->store->layout() == "qk") o.note = QStringLiteral("computed from queries and keys");
    return writeFigureOf(*m, o, p, out);
}

Status saveTraceWith(const AttentionTrace& trace, const QCommandLineParser& p, const QString& out, bool materializeQk)
{
    if (QFileInfo(out).suffix().toLower() != "attn") return saveTraceAuto(trace, out.toStdString());
    SaveOptions so;
    if (!parseStorageType(p.value("dtype").toStdString(), so.storage))
        return Status::error("--dtype takes float16, bfloat16 or float32");
    so.materializeQk = materializeQk;
    so.progress = progressPrinter("write");
    return saveTrace(trace, out.toStdString(), so);
}

int cmdImportLong(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("dump", ".npy or .safetensors attention dump");
    p.addOption({"tokens", "text file with the tokens (whitespace or one per line)", "file"});
    p.addOption({"axes", "names of the dump's axes: layer, head, query, key, batch (comma-separated)", "list"});
    p.addOption({"name", "tensor name in the trace", "name", "attention"});
    p.addOption({"out", "output: .attn (trace) or .png .svg .pdf (a view)", "file"});
    addViewOptions(p);
    addLongOptions(p);
    if (!p.parse(args) || p.positionalArguments().size() != 1 || !p.isSet("out")) return -1;
    const QString path = p.positionalArguments()[0], out = p.value("out");
    const QString ext = QFileInfo(out).suffix().toLower();
    if (ext != "attn" && !isFigure(ext)) return -1;
    if (p.value("view") != "matrix") return -1;
    ImportOptions io;
    io.name = p.value("name").toStdString();
    if (p.isSet("axes"))
        for (const auto& a : p.value("axes").split(',', Qt::SkipEmptyParts)) io.axes.push_back(a.trimmed().toStdString());
    if (p.isSet("tokens")) {
        QFile f(p.value("tokens"));
        if (!f.open(QIODevice::ReadOnly)) return fail("cannot read the tokens file " + p.value("tokens").toStdString());
        for (const auto& w : QString::fromUtf8(f.readAll()).split(QRegularExpression("\\s+"), Qt::SkipEmptyParts))
            io.tokens.push_back(w.toStdString());
    }
    MappedDump d;
    if (auto st = mapDumpFile(path.toStdString(), io, d); !st) return -1;  // .npz, Q/K arrays, other axes: the ordinary path
    if (ext == "attn") {
        if (d.rows * d.cols < int64_t(2048) * 2048) return -1;  // small: float32, in memory
        SaveOptions so;
        if (!parseStorageType(p.value("dtype").toStdString(), so.storage)) return usage("--dtype takes float16, bfloat16 or float32");
        so.progress = progressPrinter("import");
        std::string warning;
        if (auto st = importDumpToFile(path.toStdString(), io, out.toStdString(), so, &warning); !st) return fail(st.message);
        if (!warning.empty()) std::cerr << "attnscope: warning: " << warning << "\n";
        std::cerr << "wrote " << out.toStdString() << ": " << d.layers << " layers × " << d.heads << " heads × " << d.rows << " × "
                  << d.cols << " in " << storageTypeName(so.storage) << " tiles with a level-of-detail pyramid\n";
        return 0;
    }
    if (std::max(d.rows, d.cols) <= 1024) return -1;
    int layer = 0, head = 0;
    if (auto st = parseLayerHead(p.value("layer"), p.value("head"), layer, head); !st) return usage(st.message);
    if (head < 0) return usage("--head mean is not available for long matrices; choose a head");
    if (layer >= d.layers || head >= d.heads)
        return fail("the dump has " + std::to_string(d.layers) + " layers and " + std::to_string(d.heads) + " heads");
    ui::LongFigureOptions o;
    o.title = QStringLiteral("%1 · layer %2, head %3").arg(QFileInfo(path).fileName()).arg(layer + 1).arg(head + 1);
    o.rowLabels = o.colLabels = qLabels(d.tokens);
    return writeFigureOf(*d.matrices[size_t(layer * d.heads + head)], o, p, out);
}

} // namespace attnscope::cli
