// `attnscope run|eval` for the image classifiers (channel / spatial attention).
#include "clicommon.h"

#include "attnscope/imagemodel.h"
#include "attnscope/trace.h"
#include "imagefigure.h"

#include <QCommandLineParser>
#include <QFileInfo>

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
    const QString ext = QFileInfo(out).suffix().toLower();
    if (!QStringList{"png", "svg", "pdf", "attn", "json"}.contains(ext))
        return usage("unknown output type ." + ext.toStdString() + " (png, svg, pdf, attn, json)");
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

    ImageClassifier m;
    if (auto st = m.load(pos[0].toStdString()); !st) return fail(st.message);
    PreparedImage image;
    const QString input = pos[1];
    if (input.startsWith("test:")) {
        bool ok = false;
        const int index = input.mid(5).toInt(&ok);
        if (!ok) return usage("test:N takes a number, e.g. test:42");
        FashionMnist test;
        if (auto st = loadFashionMnist(false, test); !st) return fail(st.message);
        if (auto st = prepareFashionMnist(test, index, "test", image); !st) return fail(st.message);
    } else if (auto st = prepareImageFile(input.toStdString(), image); !st) {
        return fail(st.message);
    }
    AttentionTrace trace;
    if (auto st = m.classify(image, trace); !st) return fail(st.message);
    std::printf("%s → %s (%.1f%%)\n", image.source.c_str(), trace.meta("prediction").c_str(),
                100.0 * std::stod(trace.meta("confidence")));
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
    std::printf("model      %s (%s blocks)\n", m.modelName().c_str(), m.blockKind().c_str());
    std::printf("split      Fashion-MNIST test, %d images\n", n);
    std::printf("accuracy   %.2f%%\nerror      %.2f%%\n", 100 * acc, 100 * (1 - acc));
    return 0;
}

} // namespace attnscope::cli
