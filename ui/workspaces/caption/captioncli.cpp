// `attnscope run|eval scene-captioner` and `attnscope scenes`: image captioning with visual
// attention on generated Fashion-MNIST scenes.
#include "workspaces/caption/captioncli.h"
#include "cli/cliablation.h"
#include "cli/clicommon.h"

#include "attnscope/caption.h"
#include "attnscope/pipelines.h"
#include "attnscope/schema.h"
#include "workspaces/ablatedruns.h"
#include "workspaces/caption/captionfigure.h"

#include <QCommandLineParser>
#include <QFileInfo>

#include <cstdio>
#include <iostream>

namespace attnscope::cli {

namespace {
bool parseMode(const QString& s, AttentionMode& out)
{
    if (s == "soft") out = AttentionMode::Soft;
    else if (s == "hard" || s == "hard-argmax") out = AttentionMode::HardArgmax;
    else if (s == "sample" || s == "hard-sample") out = AttentionMode::HardSample;
    else return false;
    return true;
}

void printScore(const char* what, const CaptionScore& s)
{
    const double n = std::max(1, s.itemWords);
    std::printf("  %-34s peak in the item's box %5.1f%% (uniform %4.1f%%)   attention mass in the box %.3f (uniform %.3f)\n", what,
                100.0 * s.peakHits / n, 100.0 * s.uniformMass / n, s.mass / n, s.uniformMass / n);
}
} // namespace

int cmdRunCaption(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "scene-captioner or a weights file from `attnscope train scene-captioner`");
    p.addPositionalArgument("image", "an image file, or scene:N for generated test scene N");
    p.addOption({"out", "output: .png .svg .pdf (view) or .attn .json (trace)", "file"});
    p.addOption({"view", "caption (each word's attention over the scene)", "view", "caption"});
    p.addOption({"target", "score this caption (forced decoding) instead of generating one", "text"});
    p.addOption({"attention", "soft, hard (arg-max location) or sample (sampled location)", "mode", "soft"});
    p.addOption({"beam", "beam width (1 = greedy)", "K", "1"});
    p.addOption({"seed", "random seed of --attention sample", "N", "1"});
    p.addOption({"opacity", "map opacity over the scene, 0–1", "x", "0.6"});
    p.addOption({"dpi", "PNG resolution: pixels = size × dpi / 96", "N", "96"});
    addAblationOptions(p);
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 2 || !p.isSet("out")) return usage("run takes MODEL IMAGE --out FILE");
    if (p.value("view") != "caption") return usage("--view is caption for the scene captioner");
    const QString out = p.value("out");
    std::string badOutput;
    const QString ext = outputType(out, &badOutput);
    if (ext.isEmpty()) return usage(badOutput);
    CaptionOptions opt;
    if (!parseMode(p.value("attention"), opt.mode)) return usage("--attention is soft, hard or sample");
    bool ok = false;
    opt.beamWidth = p.value("beam").toInt(&ok);
    if (!ok || opt.beamWidth < 1 || opt.beamWidth > 20) return usage("--beam takes 1–20");
    opt.sampleSeed = p.value("seed").toULongLong();
    if (p.isSet("target")) {
        opt.target = p.value("target").toStdString();
        if (p.value("target").trimmed().isEmpty()) return fail("the caption given with --target is empty");
    }

    CaptionRequest req;
    req.model = pos[0].toStdString();
    req.options = opt;
    if (auto st = readAblationOptions(p, req.options.ablation); !st) return usage(st.message);
    if (pos[1].startsWith("scene:")) {
        req.sceneIndex = pos[1].mid(6).toInt(&ok);
        if (!ok || req.sceneIndex < 0) return usage("scene:N takes a number ≥ 0, e.g. scene:7");
    } else {
        req.path = pos[1].toStdString();
    }
    ModelCache cache(1);
    CaptionResult result;
    // Ablated: the same input unablated first, so the effect can be told.
    ui::AblatedRuns<CaptionResult> runs;
    if (auto st = ui::runCaptionAblated(cache, req, runs); !st) return fail(st.message);
    result = std::move(runs.result);
    if (runs.baseline.trace) printCaptionAblation(*result.trace, *runs.baseline.trace);
    if (result.image)
        for (const auto& n : result.image->notes) std::printf("input: %s\n", n.c_str());
    const AttentionTrace& trace = *result.trace;
    printWarning(trace);
    namespace c = schema::caption;
    std::printf("%s → \"%s\" (%s, %s attention, log p %s)\n", result.source.c_str(), trace.meta(c::kCaptionMeta).c_str(),
                trace.meta(c::kDecodingMeta).c_str(), trace.meta(c::kAttentionMeta).c_str(), trace.meta(c::kLogProbabilityMeta).c_str());
    if (result.gold) {
        const Scene& gold = *result.gold;
        std::printf("gold caption: \"%s\"\n", gold.caption.c_str());
        if (captionWords(trace.meta(c::kCaptionMeta)) == captionWords(gold.caption)) {
            const CaptionScore s = scoreCaptionAttention(trace, gold);
            std::printf("item words whose attention peak is inside the item's box: %d of %d; mass in the boxes %.3f (uniform %.3f)\n",
                        s.peakHits, s.itemWords, s.mass / std::max(1, s.itemWords), s.uniformMass / std::max(1, s.itemWords));
        }
    }
    if (ext == "attn" || ext == "json") {
        if (auto st = saveTraceAuto(trace, out.toStdString()); !st) return fail(st.message);
    } else {
        ui::CaptionFigureOptions o;
        o.opacity = p.value("opacity").toDouble();
        o.dpi = p.value("dpi").toInt();
        QString error;
        if (!ui::exportCaptionFigure(trace, o, out, &error)) return fail(error.toStdString());
    }
    std::cerr << "wrote " << out.toStdString() << "\n";
    return 0;
}

int cmdEvalCaption(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "scene-captioner or a weights file");
    p.addOption({"scenes", "evaluate on the first N fixed test scenes", "N", "1000"});
    p.addOption({"beam", "beam width of the beam-search row", "K", "3"});
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    if (p.positionalArguments().size() != 1) return usage("eval takes one MODEL");
    bool ok = false, ok2 = false;
    const int count = p.value("scenes").toInt(&ok), beam = p.value("beam").toInt(&ok2);
    if (!ok || count < 1 || count > 100000) return usage("--scenes takes 1–100000");
    if (!ok2 || beam < 1 || beam > 20) return usage("--beam takes 1–20");
    SceneCaptioner m;
    if (auto st = m.load(p.positionalArguments()[0].toStdString()); !st) return fail(st.message);
    FashionMnist test;
    if (auto st = loadFashionMnist(false, test); !st) return fail(st.message);
    CaptionMetrics r;
    if (auto st = m.evaluate(test, count, r, progressPrinter("eval"), beam); !st) return fail(st.message);
    std::printf("model      %s (%lld parameters, %dx%d attention grid)\n", m.modelName().c_str(), (long long)m.parameters(),
                m.gridSize(), m.gridSize());
    std::printf("scenes     %d fixed test scenes (Fashion-MNIST test items), %d item words\n", r.scenes, r.forced.itemWords);
    std::printf("attention of each item word, forced decoding of the gold caption:\n");
    printScore("soft attention", r.forced);
    printScore("hard attention (arg-max location)", r.hardForced);
    const double n = std::max(1, r.scenes);
    std::printf("captions:\n");
    std::printf("  greedy, soft          exact match %5.1f%%   word accuracy %5.1f%%   item-word accuracy %5.1f%%\n",
                100.0 * r.exactMatches / n, 100.0 * double(r.correctWords) / double(std::max<int64_t>(1, r.goldWords)),
                100.0 * double(r.correctItemWords) / double(std::max<int64_t>(1, r.goldItemWords)));
    std::printf("  beam %-2d, soft         exact match %5.1f%%\n", r.beamWidth, 100.0 * r.beamExactMatches / n);
    std::printf("  greedy, hard arg-max  exact match %5.1f%%\n", 100.0 * r.hardExactMatches / n);
    return 0;
}

int cmdScenes(const QStringList& args)
{
    QCommandLineParser p;
    p.addOption({"out", "folder to write scene-000.png … and scenes.tsv into", "dir"});
    p.addOption({"count", "number of scenes", "N", "200"});
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    if (!p.isSet("out") || !p.positionalArguments().isEmpty()) return usage("scenes takes --out DIR [--count N]");
    bool ok = false;
    const int count = p.value("count").toInt(&ok);
    if (!ok || count < 1 || count > 100000) return usage("--count takes 1–100000");
    FashionMnist test;
    if (auto st = loadFashionMnist(false, test); !st) return fail(st.message);
    if (auto st = writeTestScenes(test, count, p.value("out").toStdString()); !st) return fail(st.message);
    std::cerr << "wrote " << count << " scenes and scenes.tsv to " << p.value("out").toStdString() << "\n";
    return 0;
}

} // namespace attnscope::cli
