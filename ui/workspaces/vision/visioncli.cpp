// `attnscope run` for vision models the user brings: ONNX graphs (run with the ATen operator
// map) and TorchScript image models — the picture with a patch's attention, the attention
// received, CLS, rollout or a model map over it; the CTC text of a recogniser.
#include "workspaces/vision/visioncli.h"
#include "cli/cliablation.h"
#include "cli/clicommon.h"

#include "attnscope/ablation.h"
#include "attnscope/schema.h"
#include "attnscope/pipelines.h"
#include "workspaces/ablationcontrol.h"
#include "workspaces/vision/visionablation.h"
#include "workspaces/vision/visionfigure.h"

#include <QCommandLineParser>
#include <QFileInfo>

#include <cstdio>
#include <iostream>

namespace attnscope::cli {

int cmdRunVision(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "MODEL.onnx (or a TorchScript image model), ppocr-rec or ppocr-det");
    p.addPositionalArgument("image", "a picture");
    p.addOption({"out", "output: .png .svg .pdf (figure) or .attn .json (trace)", "file"});
    p.addOption({"view", "patch, received, cls, rollout, map:NAME or none (default: patch, or the model's first map)", "view"});
    p.addOption({"layer", "layer (from 1; default the last)", "N"});
    p.addOption({"head", "head (from 1) or mean", "N|mean", "mean"});
    p.addOption({"patch", "patch view: the query token (from 0; CLS is 0 when the model has one)", "N", "0"});
    p.addOption({"attention", "ONNX: the Softmax nodes to show, comma-separated (default all; `inspect` lists them)", "nodes"});
    p.addOption({"opacity", "map opacity over the picture, 0–1", "x", "0.6"});
    p.addOption({"dpi", "PNG resolution: pixels = size × dpi / 96", "N", "96"});
    addAblationOptions(p);
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    HeadAblation ablation;
    if (auto st = readAblationOptions(p, ablation); !st) return usage(st.message);
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 2 || !p.isSet("out")) return usage("run takes MODEL IMAGE --out FILE");
    const QString out = p.value("out");
    std::string badOutput;
    const QString ext = outputType(out, &badOutput);
    if (ext.isEmpty()) return usage(badOutput);
    ui::VisionView view;
    if (p.isSet("layer")) {
        bool ok = false;
        view.layer = p.value("layer").toInt(&ok) - 1;
        if (!ok || view.layer < 0) return usage("--layer is a number from 1");
    }
    if (p.value("head") != "mean") {
        bool ok = false;
        view.head = p.value("head").toInt(&ok) - 1;
        if (!ok || view.head < 0) return usage("--head is a number from 1, or mean");
    }
    view.query = p.value("patch").toInt();
    view.opacity = p.value("opacity").toDouble();

    // The vision pipeline, exactly as the Vision workspace runs it.
    ModelCache cache(1);
    VisionRequest req;
    req.model = pos[0].toStdString();
    req.path = pos[1].toStdString();
    if (p.isSet("attention"))
        for (const QString& n : p.value("attention").split(',', Qt::SkipEmptyParts)) req.attention.push_back(n.trimmed().toStdString());
    // Ablated heads: the same picture unablated first, so the effect can be told — the text and its confidence.
    req.ablation = ablation;
    ui::AblatedVision runs;
    if (auto st = ui::runVisionAblated(cache, req, runs, progressPrinter("run")); !st) return fail(st.message);
    const VisionResult& result = runs.result;
    if (!ablation.empty()) {
        std::cerr << "ablated " << result.trace->meta(schema::kAblationMeta) << "\n";
        const AttentionTrace& plain = *runs.baseline.trace;
        const std::string predicted = plain.meta(schema::vision::kPredictionMeta);
        if (!predicted.empty()) {
            const std::string now = result.trace->meta(schema::vision::kPredictionMeta);
            const double pa = ui::classProbability(*result.trace, predicted), pb = ui::classProbability(plain, predicted);
            std::cerr << "predicts:  " << now << "\nunablated: " << predicted << (now == predicted ? "  (the same)" : "") << "\n";
            std::cerr << QStringLiteral("p(%1) %2 (unablated %3, Δ %4)\n")
                             .arg(QString::fromStdString(predicted))
                             .arg(pa, 0, 'f', 4)
                             .arg(pb, 0, 'f', 4)
                             .arg(pa - pb, 0, 'f', 4)
                             .toStdString();
        }
        if (result.trace->find(schema::vision::kCtc) && plain.find(schema::vision::kCtc)) {
            const std::string a = result.trace->meta(schema::vision::kTextMeta), b = plain.meta(schema::vision::kTextMeta);
            std::cerr << "text:      " << a << "\nunablated: " << b << (a == b ? "  (the same)" : "") << "\n";
            const double ca = ui::ctcConfidence(*result.trace), cb = ui::ctcConfidence(plain);
            std::cerr << QStringLiteral("CTC confidence %1 (unablated %2, Δ %3): the best class's mean score per step\n")
                             .arg(ca, 0, 'f', 4).arg(cb, 0, 'f', 4).arg(ca - cb, 0, 'f', 4).toStdString();
        }
    }
    const AttentionTrace& trace = *result.trace;
    printWarning(trace);
    std::printf("model      %s (%s)\n", trace.model.c_str(), trace.meta(schema::vision::kFormatMeta).c_str());
    std::printf("input      %s → %s (H×W)\n", pos[1].toStdString().c_str(), trace.meta(schema::vision::kInputSizeMeta).c_str());
    if (trace.find(schema::vision::kCtc)) std::printf("text       %s\n", trace.meta(schema::vision::kTextMeta).c_str());
    if (const std::string c = trace.meta(schema::vision::kPredictionMeta); !c.empty())
        std::printf("class      %s (p %.4f)\n", c.c_str(), ui::classProbability(trace, c));
    for (const auto& t : trace.tensors) {
        if (t.shape.size() == 4)
            std::printf("attention  %s: %lld layers × %lld heads × %lld queries × %lld keys\n", t.name.c_str(), (long long)t.shape[0],
                        (long long)t.shape[1], (long long)t.shape[2], (long long)t.shape[3]);
        else if (QString::fromStdString(t.name).startsWith(schema::vision::kMapPrefix))
            std::printf("map        %s: %lld×%lld\n", t.name.c_str(), (long long)t.shape[1], (long long)t.shape[0]);
    }
    int gates = 0;
    while (trace.find(schema::image::excitation(gates))) ++gates;
    if (gates > 0) std::printf("channel    %d gates (SE)\n", gates);
    if (ext == "attn" || ext == "json") {
        if (auto st = saveTraceAuto(trace, out.toStdString()); !st) return fail(st.message);
    } else {
        if (p.isSet("view")) view.mode = p.value("view");
        else {
            const auto modes = ui::visionModes(trace);
            view.mode = modes.empty() ? QStringLiteral("none") : modes.front().first;
        }
        QString error;
        const auto figure = ui::buildVisionFigure(trace, view);
        if (!figure) return fail(figure.error.toStdString());
        if (!ui::writeFigure(figure, out, p.value("dpi").toInt(), &error)) return fail(error.toStdString());
    }
    std::cerr << "wrote " << out.toStdString() << "\n";
    return 0;
}

} // namespace attnscope::cli
