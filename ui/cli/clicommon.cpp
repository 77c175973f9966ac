// Helpers shared by the command-line subcommands.
#include "cli/clicommon.h"
#include "attnscope/schema.h"

#include <QCommandLineParser>
#include <QFileInfo>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <unistd.h>

namespace attnscope::cli {

std::function<int(const std::vector<std::string>&)> verbOf(int (*f)(const QStringList&))
{
    return [f](const std::vector<std::string>& args) {
        QStringList a;
        for (const auto& s : args) a << QString::fromStdString(s);
        return f(a);
    };
}

int fail(const std::string& message)
{
    std::cerr << "attnscope: " << message << std::endl;
    return 1;
}

int usage(const std::string& message)
{
    std::cerr << "attnscope: " << message << "\nRun `attnscope help` for usage." << std::endl;
    return 2;
}

QString outputType(const QString& out, std::string* message)
{
    const QString ext = QFileInfo(out).suffix().toLower();
    if (QStringList{"png", "svg", "pdf", "attn", "json"}.contains(ext)) return ext;
    if (message) *message = "unknown output type ." + ext.toStdString() + " (png, svg, pdf, attn, json)";
    return {};
}

void printWarning(const AttentionTrace& trace)
{
    if (!trace.meta(schema::kWarningMeta).empty()) std::cerr << "attnscope: warning: " << trace.meta(schema::kWarningMeta) << std::endl;
}

namespace {
/// "0.4 s", "12 s", "3 min 05 s", "1 h 02 min".
std::string durationText(double seconds)
{
    char b[48];
    if (seconds < 10) std::snprintf(b, sizeof b, "%.1f s", seconds);
    else if (seconds < 60) std::snprintf(b, sizeof b, "%d s", int(seconds + 0.5));
    else if (seconds < 3600) std::snprintf(b, sizeof b, "%d min %02d s", int(seconds) / 60, int(seconds) % 60);
    else std::snprintf(b, sizeof b, "%d h %02d min", int(seconds) / 3600, (int(seconds) % 3600) / 60);
    return b;
}
} // namespace

/// A progress printer for long CLI work: how many of how many, the percentage and the time
/// left (from the pace so far); one updating line on a terminal, else a line every 10%.
ProgressFn progressPrinter(const std::string& what)
{
    auto last = std::make_shared<int>(-1);
    auto clock = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
    const bool tty = isatty(2);
    return [=](int64_t done, int64_t total) {
        const int pct = total > 0 ? int(100 * done / total) : 0;
        if (pct != *last && (tty || pct % 10 == 0)) {
            *last = pct;
            const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - *clock).count();
            std::string left;
            if (done >= total) left = ", done in " + durationText(elapsed);
            else if (done > 0) left = ", about " + durationText(elapsed * double(total - done) / double(done)) + " left";
            std::fprintf(stderr, tty ? "\r%s: %lld/%lld (%d%%)%s   " : "%s: %lld/%lld (%d%%)%s\n", what.c_str(), (long long)done,
                         (long long)total, pct, left.c_str());
            if (tty && done >= total) std::fprintf(stderr, "\n");
        }
        return true;
    };
}

Status parseLayerHead(const QString& layerText, const QString& headText, int& layer, int& head)
{
    bool ok = false;
    layer = layerText.toInt(&ok) - 1;
    if (!ok || layer < 0) return Status::error("--layer takes a number from 1");
    if (headText == QLatin1String("mean")) {
        head = -1;
        return Status::success();
    }
    head = headText.toInt(&ok) - 1;
    if (!ok || head < 0) return Status::error("--head takes a number from 1, or mean");
    return Status::success();
}

void addViewOptions(QCommandLineParser& p)
{
    p.addOption({"view", "matrix (one head), grid (all heads), flow (token flow of one layer) or compare (two heads)", "view", "matrix"});
    p.addOption({"kind", "which attention tensor of the trace (default: cross, else the first multi-head one)", "name"});
    p.addOption({"layer", "layer, from 1", "N", "1"});
    p.addOption({"head", "head, from 1, or mean (matrix, compare)", "N|mean", "1"});
    p.addOption({"lens", "read the heads through a lens: raw (the weights), norm (α‖f(x)‖, Kobayashi et al. 2020), grad "
                         "(α ⊙ ∂log p/∂α; run: forced, built-in Transformer), rollout, norm_rollout or alti (Ferrando et al. 2022)",
                 "NAME", "raw"});
    p.addOption({"kind2", "compare: head B's tensor", "name"});
    p.addOption({"layer2", "compare: head B's layer", "N", "1"});
    p.addOption({"head2", "compare: head B's head, or mean", "N|mean", "2"});
    p.addOption({"width", "figure width (pixels at 96 dpi)", "px", "0"});
    p.addOption({"height", "figure height (pixels at 96 dpi)", "px", "0"});
    p.addOption({"dpi", "PNG resolution: pixels = size × dpi / 96 (96 = screen, 300 = print)", "N", "96"});
    p.addOption({"words", "subword pieces (SentencePiece ▁, WordPiece ##, byte-level BPE Ġ) as words: attention summed "
                          "over a key word's pieces, averaged over a query word's"});
}

} // namespace attnscope::cli
