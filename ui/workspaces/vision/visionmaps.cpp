#include "workspaces/vision/visionmaps.h"

#include <QFont>
#include <QPainter>

#include "attnscope/headstats.h"
#include "attnscope/schema.h"

#include <QObject>

#include <algorithm>

namespace attnscope::ui {

namespace {
int metaInt(const AttentionTrace& t, const char* key)
{
    return QString::fromStdString(t.meta(key)).toInt();
}
/// Width of the model input (H×W metadata), or the picture's width.
int inputWidth(const AttentionTrace& t, int fallback)
{
    const QStringList hw = QString::fromStdString(t.meta(schema::vision::kInputSizeMeta)).split(QChar(0xD7));
    return hw.size() == 2 ? std::max(fallback, hw[1].toInt()) : fallback;
}
} // namespace

QImage renderedLine(const QString& text, int width, int left)
{
    QImage img(width, 60, QImage::Format_RGB32);
    img.fill(Qt::white);
    QPainter p(&img);
    QFont f("DejaVu Sans");
    f.setPixelSize(36);
    p.setFont(f);
    p.setPen(Qt::black);
    p.drawText(left, 45, text);
    p.end();
    return img;
}

QImage visionPicture(const AttentionTrace& trace)
{
    const TraceTensor* p = trace.find(schema::vision::kPicture);
    if (!p || p->shape.size() != 3 || p->shape[2] != 3) return {};
    const int h = int(p->shape[0]), w = int(p->shape[1]);
    QImage img(inputWidth(trace, w), h, QImage::Format_RGB888);
    img.fill(QColor(128, 128, 128));  // the right-padding the model saw (0 after normalisation)
    for (int y = 0; y < h; ++y) {
        uchar* line = img.scanLine(y);
        const float* src = p->values.data() + size_t(y) * size_t(w) * 3;
        for (int x = 0; x < w * 3; ++x) line[x] = uchar(std::clamp(int(src[x] + 0.5f), 0, 255));
    }
    return img;
}

PatchGrid patchGrid(const AttentionTrace& trace)
{
    PatchGrid g;
    g.rows = metaInt(trace, schema::vision::kPatchRowsMeta);
    g.cols = metaInt(trace, schema::vision::kPatchColsMeta);
    g.cls = trace.meta(schema::vision::kClsMeta) == "1";
    return g;
}

std::vector<std::pair<QString, QString>> visionModes(const AttentionTrace& trace)
{
    std::vector<std::pair<QString, QString>> modes;
    const TraceTensor* a = trace.find(schema::vision::kAttention);
    const PatchGrid g = patchGrid(trace);
    if (a && a->shape.size() == 4 && g.valid()) {
        modes.emplace_back("patch", QObject::tr("One patch's attention (click a patch)"));
        modes.emplace_back("received", QObject::tr("Attention received (mean over queries)"));
        if (g.cls) modes.emplace_back("cls", QObject::tr("CLS token's attention"));
        if (a->shape[2] == a->shape[3]) modes.emplace_back("rollout", QObject::tr("Rollout (Abnar & Zuidema)"));
    }
    for (const auto& t : trace.tensors)
        if (QString::fromStdString(t.name).startsWith(schema::vision::kMapPrefix)) {
            const QString name = QString::fromStdString(t.name).mid(int(std::string(schema::vision::kMapPrefix).size()));
            modes.emplace_back("map:" + name, QObject::tr("Model map: %1").arg(name));
        }
    return modes;
}

bool visionMap(const AttentionTrace& trace, const VisionView& v, std::vector<float>& values, int& rows, int& cols,
               QString& title, QString* error)
{
    auto fail = [&](const QString& m) {
        if (error) *error = m;
        return false;
    };
    values.clear();
    rows = cols = 0;
    if (v.mode == "none") return true;
    if (v.mode.startsWith("map:")) {
        const std::string name = v.mode.mid(4).toStdString();
        const TraceTensor* m = trace.find(schema::vision::map(name));
        if (!m || m->shape.size() != 2) return fail(QObject::tr("the trace has no map '%1'").arg(v.mode.mid(4)));
        rows = int(m->shape[0]);
        cols = int(m->shape[1]);
        values = m->values;
        title = QObject::tr("%1 (%2×%3)").arg(v.mode.mid(4)).arg(cols).arg(rows);
        return true;
    }
    const TraceTensor* stored = trace.find(v.tensor.toStdString());
    if (!stored || stored->shape.size() != 4 || stored->lazy())
        return fail(QObject::tr("the trace has no attention over patches ('%1')").arg(v.tensor));
    // A lens (the norm lens) is read as distributions: its rows normalised, as the scores read it.
    const TraceTensor normalised = schema::isLens(stored->name) ? rowNormalised(*stored) : TraceTensor{};
    const TraceTensor* a = schema::isLens(stored->name) ? &normalised : stored;
    const PatchGrid g = patchGrid(trace);
    if (!g.valid() || g.tokens() != a->shape[3])
        return fail(QObject::tr("the %1 keys do not lie on a patch grid (give \"patch\" in the sidecar)").arg(a->shape[3]));
    const int L = int(a->shape[0]), H = int(a->shape[1]), Q = int(a->shape[2]), K = int(a->shape[3]);
    const int layer = v.layer < 0 ? L - 1 : v.layer;
    if (layer >= L) return fail(QObject::tr("layer %1 of %2").arg(layer + 1).arg(L));
    if (v.head >= H) return fail(QObject::tr("head %1 of %2").arg(v.head + 1).arg(H));
    // The [Q, K] matrix of the layer: one head or the mean over heads.
    std::vector<float> m(size_t(Q) * size_t(K), 0.0f);
    const auto layerMatrix = [&](int l, std::vector<float>& out) {
        out.assign(size_t(Q) * size_t(K), 0.0f);
        const int h0 = v.head < 0 ? 0 : v.head, h1 = v.head < 0 ? H : v.head + 1;
        for (int h = h0; h < h1; ++h) {
            const float* src = a->values.data() + (size_t(l) * size_t(H) + size_t(h)) * size_t(Q) * size_t(K);
            for (size_t i = 0; i < out.size(); ++i) out[i] += src[i] / float(h1 - h0);
        }
    };
    layerMatrix(layer, m);
    std::vector<float> row;
    const QString headText = v.head < 0 ? QObject::tr("mean over heads") : QObject::tr("head %1").arg(v.head + 1);
    const QString where = QObject::tr("layer %1, %2").arg(layer + 1).arg(headText);
    const auto tokenName = [&](int q) {
        return a->labels.size() > 3 && size_t(q) < a->labels[3].size() ? QString::fromStdString(a->labels[3][size_t(q)])
                                                                       : QString::number(q);
    };
    if (v.mode == "patch" || v.mode == "cls") {
        const int q = v.mode == "cls" ? 0 : v.query;
        if (v.mode == "cls" && !g.cls) return fail(QObject::tr("the model has no CLS token"));
        if (q < 0 || q >= Q) return fail(QObject::tr("query %1 of %2").arg(q).arg(Q));
        row.assign(m.begin() + long(size_t(q) * size_t(K)), m.begin() + long(size_t(q + 1) * size_t(K)));
        title = QObject::tr("%1's attention · %2").arg(tokenName(q), where);
    } else if (v.mode == "received") {
        row.assign(size_t(K), 0.0f);
        for (int q = 0; q < Q; ++q)
            for (int k = 0; k < K; ++k) row[size_t(k)] += m[size_t(q) * size_t(K) + size_t(k)] / float(Q);
        title = QObject::tr("attention received, mean over %1 queries · %2").arg(Q).arg(where);
    } else if (v.mode == "rollout") {
        if (Q != K) return fail(QObject::tr("rollout needs self-attention (query = key)"));
        std::vector<std::vector<float>> layers(size_t(layer + 1));
        std::vector<const float*> ptrs;
        for (int l = 0; l <= layer; ++l) {
            layerMatrix(l, layers[size_t(l)]);
            ptrs.push_back(layers[size_t(l)].data());
        }
        const auto r = rollout(ptrs, K);
        const int q = g.cls ? 0 : std::clamp(v.query, 0, K - 1);
        row.assign(r.begin() + long(size_t(q) * size_t(K)), r.begin() + long(size_t(q + 1) * size_t(K)));
        title = QObject::tr("rollout of %1 up to layer %2 (%3)").arg(tokenName(q)).arg(layer + 1).arg(headText);
    } else {
        return fail(QObject::tr("unknown view '%1'").arg(v.mode));
    }
    // Drop CLS: the map covers the patches only.
    values.assign(row.begin() + (g.cls ? 1 : 0), row.end());
    rows = g.rows;
    cols = g.cols;
    return true;
}

int patchAt(const AttentionTrace& trace, double fx, double fy)
{
    const PatchGrid g = patchGrid(trace);
    if (!g.valid() || fx < 0 || fy < 0 || fx >= 1 || fy >= 1) return -1;
    return (g.cls ? 1 : 0) + int(fy * g.rows) * g.cols + int(fx * g.cols);
}

} // namespace attnscope::ui
