// `attnscope run|eval clip-captioner` and `attnscope clips`: video captioning with soft
// temporal attention.
#include "workspaces/video/videocli.h"
#include "cli/cliablation.h"
#include "cli/clicommon.h"

#include "attnscope/pipelines.h"
#include "attnscope/schema.h"
#include "workspaces/ablatedruns.h"
#include "attnscope/video.h"
#include "workspaces/video/videofigure.h"

#include <QCommandLineParser>
#include <QFileInfo>

#include <cstdio>
#include <iostream>

namespace attnscope::cli {

int cmdRunVideo(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "clip-captioner or a weights file from `attnscope train clip-captioner`");
    p.addPositionalArgument("video", "a video file (AVI, MP4, MKV, WebM, … as FFmpeg decodes them), or clip:N for generated test clip N");
    p.addOption({"out", "output: .png .svg .pdf (word × frame heatmap with thumbnails) or .attn .json (trace)", "file"});
    p.addOption({"view", "video", "view", "video"});
    p.addOption({"target", "score this caption (forced decoding) instead of generating one", "text"});
    p.addOption({"beam", "beam width (1 = greedy)", "K", "1"});
    p.addOption({"dpi", "PNG resolution: pixels = size × dpi / 96", "N", "96"});
    addAblationOptions(p);
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 2 || !p.isSet("out")) return usage("run takes MODEL VIDEO --out FILE");
    if (p.value("view") != "video") return usage("--view is video for the clip captioner");
    const QString out = p.value("out");
    std::string badOutput;
    const QString ext = outputType(out, &badOutput);
    if (ext.isEmpty()) return usage(badOutput);
    CaptionOptions opt;
    bool ok = false;
    opt.beamWidth = p.value("beam").toInt(&ok);
    if (!ok || opt.beamWidth < 1 || opt.beamWidth > 20) return usage("--beam takes 1–20");
    if (p.isSet("target")) {
        if (p.value("target").trimmed().isEmpty()) return fail("the caption given with --target is empty");
        opt.target = p.value("target").toStdString();
    }
    VideoCaptionRequest req;
    req.model = pos[0].toStdString();
    req.options = opt;
    if (auto st = readAblationOptions(p, req.options.ablation); !st) return usage(st.message);
    if (pos[1].startsWith("clip:")) {
        req.clipIndex = pos[1].mid(5).toInt(&ok);
        if (!ok || req.clipIndex < 0) return usage("clip:N takes a number ≥ 0, e.g. clip:3");
    } else {
        req.path = pos[1].toStdString();
    }
    ModelCache cache(1);
    VideoCaptionResult result;
    // Ablated: the same input unablated first, so the effect can be told.
    ui::AblatedRuns<VideoCaptionResult> runs;
    const Status st = ui::runVideoAblated(cache, req, runs);
    result = std::move(runs.result);
    if (!req.path.empty() && !result.info.path.empty()) {
        const VideoInfo& vi = result.info;
        std::printf("%s: %d×%d, %d frames at %.2f fps, codec %s\n", vi.path.c_str(), vi.width, vi.height, vi.frameCount, vi.fps,
                    vi.codec.empty() ? "?" : vi.codec.c_str());
        for (const auto& n : vi.notes) std::printf("  note: %s\n", n.c_str());
    }
    if (!st) return fail(st.message);
    if (runs.baseline.trace) printCaptionAblation(*result.trace, *runs.baseline.trace);
    const AttentionTrace& trace = *result.trace;
    const ClipInput& input = result.input;
    printWarning(trace);
    namespace c = schema::caption;
    std::printf("%s → \"%s\" (%s, log p %s); frames read: %s\n", input.source.c_str(), trace.meta(c::kCaptionMeta).c_str(),
                trace.meta(c::kDecodingMeta).c_str(), trace.meta(c::kLogProbabilityMeta).c_str(), trace.meta(c::kFramesMeta).c_str());
    if (result.gold) {
        const Clip& gold = *result.gold;
        std::printf("gold caption: \"%s\"\n", gold.caption.c_str());
        if (captionWords(trace.meta(c::kCaptionMeta)) == captionWords(gold.caption)) {
            const ClipMetrics s = scoreClipAttention(trace, gold);
            std::printf("item words whose attention peak is on a frame showing the item: %d of %d; attention on those frames %.3f "
                        "(uniform %.3f)\n",
                        s.peakHits, s.itemWords, s.mass / std::max(1, s.itemWords), s.uniformMass / std::max(1, s.itemWords));
        }
    }
    if (ext == "attn" || ext == "json") {
        if (auto st = saveTraceAuto(trace, out.toStdString()); !st) return fail(st.message);
    } else {
        QVector<QImage> thumbs;
        for (const auto& f : input.frames) thumbs.append(ui::greyImage(f));
        QString error;
        if (!ui::exportVideoFigure(trace, thumbs, p.value("dpi").toInt(), out, &error)) return fail(error.toStdString());
    }
    std::cerr << "wrote " << out.toStdString() << "\n";
    return 0;
}

int cmdEvalVideo(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "clip-captioner or a weights file");
    p.addOption({"clips", "evaluate on the first N fixed test clips", "N", "1000"});
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    if (p.positionalArguments().size() != 1) return usage("eval takes one MODEL");
    bool ok = false;
    const int count = p.value("clips").toInt(&ok);
    if (!ok || count < 1 || count > 100000) return usage("--clips takes 1–100000");
    ClipCaptioner m;
    if (auto st = m.load(p.positionalArguments()[0].toStdString()); !st) return fail(st.message);
    FashionMnist test;
    if (auto st = loadFashionMnist(false, test); !st) return fail(st.message);
    ClipMetrics r;
    if (auto st = m.evaluate(test, count, r, progressPrinter("eval")); !st) return fail(st.message);
    const double n = std::max(1, r.itemWords);
    std::printf("model      %s (%lld parameters, %d sampled frames)\n", m.modelName().c_str(), (long long)m.parameters(), kClipSamples);
    std::printf("clips      %d fixed test clips (Fashion-MNIST test items), %d item words\n", r.clips, r.itemWords);
    std::printf("temporal attention of each item word, forced decoding of the gold caption:\n");
    std::printf("  peak on a frame showing the item %5.1f%% (uniform %4.1f%%)   attention on those frames %.3f (uniform %.3f)\n",
                100.0 * r.peakHits / n, 100.0 * r.uniformMass / n, r.mass / n, r.uniformMass / n);
    std::printf("captions (greedy): exact match %5.1f%%   word accuracy %5.1f%%\n", 100.0 * r.exactMatches / std::max(1, r.clips),
                100.0 * double(r.correctWords) / double(std::max<int64_t>(1, r.goldWords)));
    return 0;
}

int cmdClips(const QStringList& args)
{
    QCommandLineParser p;
    p.addOption({"out", "folder to write clip-000.avi … and clips.tsv into", "dir"});
    p.addOption({"count", "number of clips", "N", "20"});
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    if (!p.isSet("out") || !p.positionalArguments().isEmpty()) return usage("clips takes --out DIR [--count N]");
    bool ok = false;
    const int count = p.value("count").toInt(&ok);
    if (!ok || count < 1 || count > 10000) return usage("--count takes 1–10000");
    FashionMnist test;
    if (auto st = loadFashionMnist(false, test); !st) return fail(st.message);
    if (auto st = writeTestClips(test, count, p.value("out").toStdString()); !st) return fail(st.message);
    std::cerr << "wrote " << count << " clips and clips.tsv to " << p.value("out").toStdString() << "\n";
    return 0;
}

} // namespace attnscope::cli
