// `attnscope run|eval` for the spatial-transformer experiments (fmnist-stn-*, fmnist-cnn-*).
#include "workspaces/stn/stncli.h"
#include "cli/clicommon.h"

#include "attnscope/pipelines.h"
#include "attnscope/schema.h"
#include "attnscope/stn.h"
#include "attnscope/trace.h"
#include "workspaces/stn/stnfigure.h"

#include <QCommandLineParser>
#include <QFileInfo>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace attnscope::cli {

namespace {
bool parseNumbers(const QString& text, int count, std::vector<double>& out)
{
    const QStringList parts = text.split(',');
    if (parts.size() != count) return false;
    out.clear();
    for (const QString& p : parts) {
        bool ok = false;
        out.push_back(p.trimmed().toDouble(&ok));
        if (!ok || !std::isfinite(out.back())) return false;
    }
    return true;
}
} // namespace

int cmdRunStn(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "fmnist-stn-r, fmnist-stn-rts, fmnist-stn-cluttered (or a plain fmnist-cnn-… baseline)");
    p.addPositionalArgument("image", "an image file, or test:N for test image N of the model's distorted test set");
    p.addOption({"out", "output: .png .svg .pdf (view) or .attn .json (trace)", "file"});
    p.addOption({"view", "stn", "view", "stn"});
    p.addOption({"theta", "render this θ instead of the network's (row-major 2×3)", "a,b,c,d,e,f"});
    p.addOption({"distort", "first distort the (undistorted) item: rotation°, scale, dx, dy (canvas pixels)", "r,s,x,y"});
    p.addOption({"grid", "sampling-grid lines per direction", "N", "8"});
    p.addOption({"nearest", "nearest-neighbour sampling instead of bilinear"});
    p.addOption({"dpi", "PNG resolution: pixels = size × dpi / 96", "N", "96"});
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 2 || !p.isSet("out")) return usage("run takes MODEL IMAGE --out FILE");
    if (p.value("view") != "stn") return usage("--view is stn for the spatial-transformer models");
    const QString out = p.value("out");
    std::string badOutput;
    const QString ext = outputType(out, &badOutput);
    if (ext.isEmpty()) return usage(badOutput);
    std::vector<double> theta, distort;
    if (p.isSet("theta") && !parseNumbers(p.value("theta"), 6, theta)) return usage("--theta takes six numbers a,b,c,d,e,f");
    if (p.isSet("distort") && !parseNumbers(p.value("distort"), 4, distort)) return usage("--distort takes rotation,scale,dx,dy");

    StnRequest req;
    req.model = pos[0].toStdString();
    if (pos[1].startsWith("test:")) {
        bool ok = false;
        req.testIndex = pos[1].mid(5).toInt(&ok);
        if (!ok) return usage("test:N takes a number, e.g. test:42");
    } else {
        req.path = pos[1].toStdString();
    }
    if (!distort.empty()) {
        req.userDistortion = true;
        req.rotation = distort[0];
        req.scale = distort[1];
        req.dx = distort[2];
        req.dy = distort[3];
    }
    if (!theta.empty()) {
        req.manual = true;
        std::copy(theta.begin(), theta.end(), req.theta.begin());
    }
    const bool bilinear = !p.isSet("nearest");
    req.bilinear = bilinear;
    ModelCache cache(1);
    StnResult result;
    if (auto st = runStn(cache, req, result); !st) return fail(st.message);
    const AttentionTrace& trace = *result.trace;
    const AttentionTrace& before = *result.identity;
    const GreyImage& scene = *result.canvas;
    printWarning(trace);
    std::printf("%s → %s (%.1f%%); with θ = identity: %s\n", result.source.c_str(), trace.meta(schema::image::kPredictionMeta).c_str(),
                100.0 * std::stod(trace.meta(schema::image::kConfidenceMeta)), before.meta(schema::image::kPredictionMeta).c_str());
    if (const TraceTensor* t = trace.find(schema::stn::kTheta)) {
        const Theta th{t->values[0], t->values[1], t->values[2], t->values[3], t->values[4], t->values[5]};
        const ThetaParts parts = decomposeTheta(th);
        std::printf("θ = [%.3f %.3f %.3f; %.3f %.3f %.3f]: rotation %.1f°, scale %.3f × %.3f, shear %.3f, translation (%.3f, %.3f)\n",
                    th[0], th[1], th[2], th[3], th[4], th[5], parts.rotation, parts.scaleX, parts.scaleY, parts.shear, parts.tx,
                    parts.ty);
    }
    if (ext == "attn" || ext == "json") {
        if (auto st = saveTraceAuto(trace, out.toStdString()); !st) return fail(st.message);
    } else {
        ui::StnFigureOptions o;
        o.gridLines = p.value("grid").toInt();
        o.bilinear = bilinear;
        o.dpi = p.value("dpi").toInt();
        QString error;
        if (!ui::exportStnFigure(trace, before, scene, o, out, &error)) return fail(error.toStdString());
    }
    std::cerr << "wrote " << out.toStdString() << "\n";
    return 0;
}

int cmdEvalStn(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "fmnist-stn-… or fmnist-cnn-… (or a weights file)");
    p.addOption({"limit", "evaluate only the first N test images", "N", "0"});
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    if (p.positionalArguments().size() != 1) return usage("eval takes one MODEL");
    StnClassifier m;
    if (auto st = m.load(p.positionalArguments()[0].toStdString()); !st) return fail(st.message);
    FashionMnist test;
    if (auto st = loadFashionMnist(false, test); !st) return fail(st.message);
    double err = 0;
    const int limit = p.value("limit").toInt();
    if (auto st = m.testError(test, limit, err, progressPrinter("eval")); !st) return fail(st.message);
    const int n = limit > 0 ? std::min(limit, test.images.count) : test.images.count;
    std::printf("model      %s (%s, %lld parameters)\n", m.modelName().c_str(), m.hasTransformer() ? "ST-CNN" : "plain CNN",
                (long long)m.parameters());
    std::printf("split      Fashion-MNIST test, %s-distorted (fixed), %d images\n", distortionName(m.distortion()), n);
    std::printf("error      %.2f%%\naccuracy   %.2f%%\n", 100 * err, 100 * (1 - err));
    if (m.hasTransformer()) {
        // Ablation: the same classifier reading every image through θ = identity.
        double plain = 0;
        if (auto st = m.testError(test, limit, plain, {}, &kIdentityTheta); !st) return fail(st.message);
        std::printf("θ = identity error %.2f%% (the localisation network's θ is worth %.2f points)\n", 100 * plain,
                    100 * (plain - err));
    }
    return 0;
}

} // namespace attnscope::cli
