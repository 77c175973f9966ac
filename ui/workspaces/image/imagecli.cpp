// `attnscope run|eval` for the image classifiers (channel / spatial attention).
#include "workspaces/image/imagecli.h"
#include "cli/clicommon.h"

#include "attnscope/imagemodel.h"
#include "attnscope/pipelines.h"
#include "attnscope/schema.h"
#include "attnscope/trace.h"
#include "workspaces/image/imagefigure.h"

#include <QCommandLineParser>
#include <QFileInfo>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace attnscope::cli {

int cmdRunImage(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "fmnist-cnn, fmnist-se, fmnist-eca, fmnist-cbam or a weights file");
    p.addPositionalArgument("image", "an image file, or test:N for Fashion-MNIST test image N");
    p.addOption({"out", "output: .png .svg .pdf (view) or .attn .json (trace)", "file"});
    p.addOption({"view", "channels (excitation per channel, feature maps) or spatial (CBAM's spatial map)", "view", "channels"});
    p.addOption({"block", "block 1–3, or all", "N|all", "all"});
    p.addOption({"sort", "channels sorted by excitation"});
    p.addOption({"opacity", "spatial: map opacity over the image, 0–1", "x", "0.6"});
    p.addOption({"dpi", "PNG resolution: pixels = size × dpi / 96", "N", "96"});
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 2 || !p.isSet("out")) return usage("run takes MODEL IMAGE --out FILE");
    const QString out = p.value("out");
    std::string badOutput;
    const QString ext = outputType(out, &badOutput);
    if (ext.isEmpty()) return usage(badOutput);
    ui::ImageFigureOptions o;
    o.view = p.value("view");
    if (o.view != "channels" && o.view != "spatial") return usage("--view is channels or spatial for image models");
    if (p.value("block") != "all") {
        bool ok = false;
        o.block = p.value("block").toInt(&ok) - 1;
        if (!ok || o.block < 0) return usage("--block is 1, 2, 3 or all");
    }
    o.sorted = p.isSet("sort");
    o.opacity = p.value("opacity").toDouble();
    o.dpi = p.value("dpi").toInt();

    ImageRequest req;
    req.model = pos[0].toStdString();
    const QString input = pos[1];
    if (input.startsWith("test:")) {
        bool ok = false;
        req.testIndex = input.mid(5).toInt(&ok);
        if (!ok) return usage("test:N takes a number, e.g. test:42");
    } else {
        req.path = input.toStdString();
    }
    ModelCache cache(1);
    ImageResult result;
    if (auto st = runImage(cache, req, result); !st) return fail(st.message);
    const AttentionTrace& trace = *result.trace;
    const PreparedImage& image = *result.image;
    printWarning(trace);
    std::printf("%s → %s (%.1f%%)\n", image.source.c_str(), trace.meta(schema::image::kPredictionMeta).c_str(),
                100.0 * std::stod(trace.meta(schema::image::kConfidenceMeta)));
    for (const auto& n : image.notes) std::printf("  input: %s\n", n.c_str());
    if (ext == "attn" || ext == "json") {
        if (auto st = saveTraceAuto(trace, out.toStdString()); !st) return fail(st.message);
    } else {
        QString error;
        if (!ui::exportImageFigure(trace, image, o, out, &error)) return fail(error.toStdString());
    }
    std::cerr << "wrote " << out.toStdString() << "\n";
    return 0;
}

int cmdEvalImage(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "fmnist-cnn, fmnist-se, fmnist-eca, fmnist-cbam or a weights file");
    p.addOption({"limit", "evaluate only the first N test images", "N", "0"});
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    if (p.positionalArguments().size() != 1) return usage("eval takes one MODEL");
    ImageClassifier m;
    if (auto st = m.load(p.positionalArguments()[0].toStdString()); !st) return fail(st.message);
    FashionMnist test;
    if (auto st = loadFashionMnist(false, test); !st) return fail(st.message);
    double acc = 0;
    const int limit = p.value("limit").toInt();
    if (auto st = m.accuracy(test, limit, acc, progressPrinter("eval")); !st) return fail(st.message);
    const int n = limit > 0 ? std::min(limit, test.images.count) : test.images.count;
    const std::string blocks = m.blockKind() == "none" ? "no attention block" : m.blockKind() + " blocks";
    std::printf("model      %s (%s, %lld parameters)\n", m.modelName().c_str(), blocks.c_str(), (long long)m.parameters());
    std::printf("split      Fashion-MNIST test, %d images\n", n);
    std::printf("accuracy   %.2f%%\nerror      %.2f%%\n", 100 * acc, 100 * (1 - acc));
    return 0;
}

} // namespace attnscope::cli
