// TorchScript user models with a JSON sidecar (attnscope/scriptmodel.h).
#include "scriptmodelimpl.h"
#include "runtimes/onnx/onnxtext.h"

#include "attnscope/ablation.h"
#include "attnscope/qk.h"
#include "attnscope/schema.h"

#include <algorithm>
#include "attnscope/onnxmodel.h"
#include "attnscope/visionmodel.h"

#include "attnscope/corpus.h"
#include "attnscope/dumps.h"
#include "attnscope/headstats.h"
#include "attnscope/resources.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "data/imagefile.h"
#include "models/visionprep.h"
#include "attnscope/video.h"

#include <opencv2/imgproc.hpp>


namespace attnscope {

using scriptmodel::pickTensor;
using scriptmodel::readAttention;
using scriptmodel::shapeOf;

namespace {
std::string joinAxes(const std::vector<std::string>& axes)
{
    std::string s;
    for (const auto& a : axes) s += (s.empty() ? "" : ", ") + a;
    return "[" + s + "]";
}

} // namespace

namespace scriptmodel {
std::string shapeOf(const torch::Tensor& t)
{
    std::string s;
    for (int64_t d : t.sizes()) s += (s.empty() ? "" : " × ") + std::to_string(d);
    return s.empty() ? "a scalar" : s;
}
} // namespace


namespace {
/// "[CLS]" (when the model has one), then "r<row>c<col>" for each patch, row by row.
std::vector<std::string> patchLabels(const ScriptModelSpec& spec)
{
    std::vector<std::string> t;
    if (spec.cls) t.push_back("[CLS]");
    for (int r = 0; spec.patchHeight > 0 && r < spec.height / spec.patchHeight; ++r)
        for (int c = 0; c < spec.width / spec.patchWidth; ++c) t.push_back("r" + std::to_string(r) + "c" + std::to_string(c));
    return t;
}
} // namespace

Status ScriptModel::Impl::imageInput(const std::string& path, torch::Tensor& input, std::vector<std::string>& labels) const
{
    cv::Mat img;
    if (auto st = decodeImageFile(path, img); !st) return st;
    input = pixels(img).unsqueeze(0);
    labels = patchLabels(spec);
    return Status::success();
}

Status ScriptModel::Impl::videoInput(const std::string& path, torch::Tensor& input, std::vector<std::string>& labels) const
{
    VideoReader reader;
    if (auto st = reader.open(path, size_t(64) << 20); !st) return st;
    std::vector<torch::Tensor> frames;
    labels.clear();
    for (int f : sampleFrameIndices(reader.info().frameCount, spec.frames)) {
        VideoFrame vf;
        if (auto st = reader.frame(f, vf); !st) return st;
        cv::Mat rgb(vf.height, vf.width, CV_8UC3, vf.rgb.data()), bgr;
        cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
        frames.push_back(pixels(bgr));
        labels.push_back("f" + std::to_string(f));
    }
    input = torch::stack(frames).unsqueeze(0);
    return Status::success();
}

torch::Tensor ScriptModel::Impl::pixels(const cv::Mat& img) const
{
    VisionInput v;
    if (auto st = prepareVisionInput(img, spec, v); !st) throw std::runtime_error(st.message);
    return v.pixels;
}

ScriptTokenizer ScriptModel::Impl::sourceTokenizer() const
{
    ScriptTokenizer t;
    t.vocabularyPath = spec.vocabularyPath;
    t.sentencePiecePath = spec.sentencePiecePath;
    t.lowercase = spec.lowercase;
    t.unknown = spec.unknown;
    t.prepend = spec.prepend;
    t.append = spec.append;
    return t;
}

Status ScriptModel::Impl::forward(std::vector<torch::jit::IValue> args, torch::jit::IValue& result) const
{
    try {
        torch::NoGradGuard ng;
        result = module.forward(std::move(args));
    } catch (const std::exception& e) {
        return Status::error(spec.name + " failed on this input: " + std::string(e.what()).substr(0, 300));
    }
    return Status::success();
}

Status ScriptModel::Impl::encode(const std::string& text, std::vector<std::string>& tokens, std::vector<int64_t>& ids) const
{
    return encodeWith(sourceTokenizer(), vocab, text, tokens, ids);
}


ScriptModel::ScriptModel() : d(std::make_unique<Impl>()) {}
ScriptModel::~ScriptModel() = default;
const ScriptModelSpec& ScriptModel::spec() const { return d->spec; }

Status ScriptModel::load(const std::string& modulePath)
{
    if (const std::string pair = onnxPairFolder(modulePath); !pair.empty()) return d->loadOnnxPair(pair);
    if (const std::string decoder = onnxDecoderModel(modulePath); !decoder.empty()) return d->loadOnnxDecoder(decoder);
    if (!QFileInfo(QString::fromStdString(modulePath)).isFile()) return Status::error("no such model file: " + modulePath);
    const std::string sidecar = sidecarPath(modulePath);
    if (sidecar.empty())
        return Status::error(modulePath + " has no sidecar: write MODEL.json next to it saying what the model takes and "
                                          "which outputs are attention (README, \"Your own model\")");
    if (auto st = parseSidecar(sidecar, d->spec); !st) return st;
    initEngineThreads();
    if (isOnnxPath(modulePath)) {
        // An ONNX text model: tokens in (the sidecar's tokenizer), attention found in the graph.
        if (d->spec.image || d->spec.video || d->spec.seq2seq || d->spec.decoderOnly)
            return Status::error(sidecar + ": ONNX models run here with \"type\": \"tokens\" or \"decoder\", or as an "
                                           "encoder_model.onnx + decoder_model.onnx folder (vision models: the Vision workspace, "
                                           "`attnscope run MODEL.onnx PICTURE`)");
        auto onnx = std::make_unique<OnnxModel>();
        if (auto st = onnx->load(modulePath); !st) return st;
        for (const auto& in : onnx->inspection().inputs)
            if (in.name != "input_ids" && in.name != "attention_mask" && in.name != "token_type_ids" && in.name != "position_ids" &&
                onnx->inspection().inputs.size() > 1)
                return Status::error(modulePath + ": the graph's input '" + in.name + "' is not one AttnScope fills (input_ids, "
                                                  "attention_mask, token_type_ids, position_ids)");
        if (auto st = loadVocabulary(d->sourceTokenizer(), d->vocab); !st) return st;
        d->onnx = std::move(onnx);
        d->loaded = true;
        return Status::success();
    }
    if (d->spec.attention.empty())
        return Status::error(sidecar + ": \"attention\" lists no outputs (a TorchScript model's sidecar says which outputs are attention)");
    try {
        d->module = torch::jit::load(modulePath);
        d->module.eval();
    } catch (const c10::Error& e) {
        return Status::error(modulePath + " is not a loadable TorchScript module: " + std::string(e.what_without_backtrace()).substr(0, 300));
    }
    if (d->spec.image || d->spec.video) {
        // Nothing to read: pixels go in as they are.
    } else {
        if (auto st = loadVocabulary(d->sourceTokenizer(), d->vocab); !st) return st;
        if (d->spec.decoderOnly) {
            const std::string sidecarName = QFileInfo(QString::fromStdString(sidecar)).fileName().toStdString();
            for (const auto& [field, token] : {std::pair<const char*, std::string>{"pad", d->spec.pad}, {"eos", d->spec.eos}})
                if (!d->vocab.ids.count(token) && (std::string(field) != "pad" || d->spec.padTo > 0))
                    return Status::error(sidecarName + ": \"" + field + "\" '" + token + "' is not in the vocabulary (" +
                                         std::to_string(d->vocab.tokens.size()) + " tokens)");
        }
        if (d->spec.seq2seq) {
            if (auto st = loadVocabulary(d->spec.target, d->targetVocab); !st) return Status::error("target: " + st.message);
            const std::string sidecarName = QFileInfo(QString::fromStdString(sidecar)).fileName().toStdString();
            if (!d->vocab.ids.count(d->spec.pad) && d->spec.padTo > 0)
                return Status::error(sidecarName + ": \"pad\" '" + d->spec.pad + "' is not in the source vocabulary (" +
                                     std::to_string(d->vocab.tokens.size()) + " tokens)");
            for (const auto& [field, token] : {std::pair<const char*, std::string>{"pad", d->spec.pad},
                                               {"decoder_start", d->spec.decoderStart},
                                               {"eos", d->spec.eos}})
                if (!d->targetVocab.ids.count(token) && (std::string(field) != "pad" || d->spec.padTo > 0))
                    return Status::error(sidecarName + ": \"" + field + "\" '" + token + "' is not in the target vocabulary (" +
                                         std::to_string(d->targetVocab.tokens.size()) + " tokens)");
        }
    }
    d->loaded = true;
    return Status::success();
}

std::vector<std::string> ScriptModel::tokens(const std::string& text) const
{
    std::vector<std::string> t;
    if (d->spec.image) return patchLabels(d->spec);  // one label per patch, whatever the image
    if (d->spec.video) return {};                    // the frame indices depend on the video
    std::vector<int64_t> ids;
    d->encode(text, t, ids);
    return t;
}

namespace scriptmodel {
/// The output `o` of a module's result; `perLayer`: a tuple/list of equally shaped tensors
/// stacked as a leading layer axis.
Status pickTensor(const torch::jit::IValue& result, const ScriptOutput& o, bool perLayer, const std::string& what, torch::Tensor& out)
{
    torch::jit::IValue v = result;
    if (o.index >= 0) {
        std::vector<torch::jit::IValue> items;
        if (v.isTuple()) items = v.toTupleRef().elements().vec();
        else if (v.isList()) items = v.toListRef().vec();
        else return Status::error(what + ": the model returned " + v.tagKind() + ", not a tuple or list to index");
        if (o.index >= int(items.size()))
            return Status::error(what + ": output index " + std::to_string(o.index) + " but the model returned " +
                                 std::to_string(items.size()) + " outputs");
        v = items[size_t(o.index)];
    } else if (!o.key.empty()) {
        if (!v.isGenericDict()) return Status::error(what + ": the model returned " + v.tagKind() + ", not a dict");
        const auto dict = v.toGenericDict();
        if (!dict.contains(o.key)) return Status::error(what + ": the returned dict has no key '" + o.key + "'");
        v = dict.at(o.key);
    }
    if (perLayer) {
        std::vector<torch::jit::IValue> layers;
        if (v.isTuple()) layers = v.toTupleRef().elements().vec();
        else if (v.isList()) layers = v.toListRef().vec();
        else return Status::error(what + ": per_layer needs a tuple or list of tensors, the model returned " + v.tagKind());
        std::vector<torch::Tensor> ts;
        for (const auto& l : layers) {
            if (!l.isTensor()) return Status::error(what + ": a per-layer item is " + l.tagKind() + ", not a tensor");
            ts.push_back(l.toTensor());
            if (ts.back().sizes() != ts.front().sizes())
                return Status::error(what + ": layers have different shapes (" + shapeOf(ts.front()) + " and " + shapeOf(ts.back()) + ")");
        }
        if (ts.empty()) return Status::error(what + ": the per-layer list is empty");
        out = torch::stack(ts, 0);
        return Status::success();
    }
    if (!v.isTensor()) return Status::error(what + ": expected a tensor, the model returned " + v.tagKind());
    out = v.toTensor();
    return Status::success();
}

/// Queries or keys as [layer, head, token, dim] float32 from a tensor with the sidecar's axes.
Status qkLayout(torch::Tensor t, std::vector<std::string> axes, const std::string& what, int64_t tokens, torch::Tensor& out)
{
    if (!t.is_floating_point()) return Status::error(what + ": must be floating point, got " + std::string(t.dtype().name()));
    if (t.dim() != int64_t(axes.size()))
        return Status::error(what + ": the sidecar names " + std::to_string(axes.size()) + " axes " + joinAxes(axes) +
                             " but the tensor has shape " + shapeOf(t));
    for (size_t i = 0; i < axes.size();) {
        if (axes[i] == "batch") {
            if (t.size(int64_t(i)) != 1)
                return Status::error(what + ": axis " + std::to_string(i) + " (batch) has size " + std::to_string(t.size(int64_t(i))) + ", expected 1");
            t = t.select(int64_t(i), 0);
            axes.erase(axes.begin() + long(i));
        } else {
            ++i;
        }
    }
    for (const char* need : {"layer", "head"})
        if (std::find(axes.begin(), axes.end(), need) == axes.end()) {
            t = t.unsqueeze(0);
            axes.insert(axes.begin(), need);
        }
    std::vector<int64_t> order;
    for (const char* name : {"layer", "head", "token", "dim"})
        order.push_back(int64_t(std::find(axes.begin(), axes.end(), name) - axes.begin()));
    out = t.permute(order).to(torch::kFloat).contiguous();
    if (out.size(2) != tokens)
        return Status::error(what + ": the token axis has size " + std::to_string(out.size(2)) + " but the input has " +
                             std::to_string(tokens) + " tokens");
    return Status::success();
}

/// A Q/K entry of the sidecar: the queries and keys the module returned, as a Q/K trace tensor.
Status qkTensor(const torch::jit::IValue& result, const ScriptAttentionSpec& a, const std::string& what,
                const std::vector<std::string>& tokens, TraceTensor& out)
{
    torch::Tensor q, k;
    std::vector<std::string> axes = a.axes;
    if (a.perLayer) axes.insert(axes.begin(), "layer");
    if (auto st = pickTensor(result, a.queries, a.perLayer, what + " (queries)", q); !st) return st;
    if (auto st = pickTensor(result, a.keys, a.perLayer, what + " (keys)", k); !st) return st;
    const int64_t T = int64_t(tokens.size());
    if (auto st = qkLayout(q, axes, what + " (queries)", T, q); !st) return st;
    if (auto st = qkLayout(k, axes, what + " (keys)", T, k); !st) return st;
    if (q.size(0) != k.size(0) || q.size(3) != k.size(3))
        return Status::error(what + ": queries " + shapeOf(q) + " and keys " + shapeOf(k) + " differ in layers or head dimension");
    QkArrays arrays;
    arrays.layers = q.size(0);
    arrays.heads = q.size(1);
    arrays.kvHeads = k.size(1);
    arrays.tokens = T;
    arrays.headDim = q.size(3);
    arrays.causal = a.causal;
    arrays.scale = a.scale;
    arrays.q.assign(q.data_ptr<float>(), q.data_ptr<float>() + q.numel());
    arrays.k.assign(k.data_ptr<float>(), k.data_ptr<float>() + k.numel());
    if (auto st = makeQkTensor(std::move(arrays), a.name, tokens, out); !st) return Status::error(what + ": " + st.message);
    return Status::success();
}
} // namespace

namespace scriptmodel {
/// One (non-Q/K) attention entry of the sidecar read from a module's result: picked, checked
/// against the sidecar's axes (floating point, rank, batch 1), its query and key axes cut to
/// the real token counts — an extent of `padded` (> 0: pad_to) is padding and is cut too —
/// and labelled. `querySide`/`keySide` name the sequences in messages ("input", "source",
/// "target"); `unit` is "tokens", "patches" or "frames". Errors name the axis and both sizes.
Status readAttention(const torch::jit::IValue& result, const ScriptAttentionSpec& a, const std::string& what,
                     const std::vector<std::string>& queryTokens, const std::vector<std::string>& keyTokens,
                     const std::string& querySide, const std::string& keySide, int64_t padded, const std::string& unit,
                     AttentionTrace& trace)
{
    torch::Tensor t;
    std::vector<std::string> axes = a.axes;
    if (auto st = pickTensor(result, {a.outputIndex, a.outputKey}, a.perLayer, what, t); !st) return st;
    if (a.perLayer) axes.insert(axes.begin(), "layer");
    if (!t.is_floating_point()) return Status::error(what + ": attention must be floating point, got " + std::string(t.dtype().name()));
    if (t.dim() != int64_t(axes.size()))
        return Status::error(what + ": the sidecar names " + std::to_string(axes.size()) + " axes " + joinAxes(axes) +
                             " but the tensor has shape " + shapeOf(t));
    if (t.numel() > kMaxDumpElements) return Status::error(what + ": the attention tensor is too large (" + shapeOf(t) + ")");
    // The value norms ‖f_h(x_j)‖: the attention's axes without the query axis, put back as 1.
    torch::Tensor norms;
    const bool lens = a.valueNorms.index >= 0 || !a.valueNorms.key.empty();
    const auto queryAxis = std::find(axes.begin(), axes.end(), "query") - axes.begin();
    if (lens) {
        const std::string normsWhat = what + " (value_norms)";
        if (auto st = pickTensor(result, a.valueNorms, a.perLayer, normsWhat, norms); !st) return st;
        if (queryAxis == int64_t(axes.size()) || norms.dim() + 1 != t.dim())
            return Status::error(normsWhat + ": expected the attention's axes without \"query\" (" + std::to_string(t.dim() - 1) +
                                 " axes) but the tensor has shape " + shapeOf(norms));
        norms = norms.to(torch::kFloat).unsqueeze(queryAxis);
    }
    for (size_t i = 0; i < axes.size(); ++i) {
        const int64_t n = t.size(int64_t(i));
        if (axes[i] == "batch" && n != 1)
            return Status::error(what + ": axis " + std::to_string(i) + " (batch) has size " + std::to_string(n) + ", expected 1");
        if (axes[i] != "query" && axes[i] != "key") continue;
        const bool query = axes[i] == "query";
        const std::string& side = query ? querySide : keySide;
        const int64_t real = int64_t(query ? queryTokens.size() : keyTokens.size());
        if (n != real && !(padded > 0 && n == padded))
            return Status::error(what + ": axis " + std::to_string(i) + " (" + axes[i] + (side == "input" ? "" : " = " + side) +
                                 ") has size " + std::to_string(n) + " but the " + side + " has " + std::to_string(real) + " " +
                                 unit + (padded > 0 ? " (padded: " + std::to_string(padded) + ")" : std::string()));
        t = t.narrow(int64_t(i), 0, real);  // padded rows and columns never reach the trace
        if (lens && !query) {
            if (norms.size(int64_t(i)) != n)
                return Status::error(what + " (value_norms): its key axis has size " + std::to_string(norms.size(int64_t(i))) +
                                     ", the attention's " + std::to_string(n));
            norms = norms.narrow(int64_t(i), 0, real);
        }
    }
    const auto add = [&](const torch::Tensor& values, const std::string& name) -> Status {
        Dump dump;
        dump.path = what;
        dump.array.name = name;
        const auto c = values.detach().to(torch::kFloat).contiguous();
        dump.array.shape.assign(c.sizes().begin(), c.sizes().end());
        dump.array.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
        dump.queryTokens = queryTokens;
        dump.keyTokens = keyTokens;
        ImportOptions o;
        o.axes = axes;
        o.name = name;
        AttentionTrace one;
        if (auto st = mapDump(dump, o, one); !st) return st;
        if (!one.meta(schema::kWarningMeta).empty()) trace.metadata[schema::kWarningMeta] = one.meta(schema::kWarningMeta);
        trace.tensors.push_back(std::move(one.tensors.front()));
        return Status::success();
    };
    if (auto st = add(t, a.name); !st) return st;
    if (!lens) return Status::success();
    return add(t.to(torch::kFloat) * norms, schema::lens(a.name, schema::kNormLens));  // α_ij ‖f_h(x_j)‖
}
} // namespace


Status ScriptModel::run(const std::string& text, AttentionTrace& out, const HeadAblation* ablation) const
{
    if (!d->loaded) return Status::error("no model loaded");
    if (d->spec.seq2seq || d->spec.decoderOnly) return decode(text, nullptr, out, nullptr, {}, ablation);
    if (ablation && ablation->empty()) ablation = nullptr;
    if (ablation && !d->onnx)
        return Status::error(d->spec.name + " is a TorchScript module: its attention is computed inside its own code, so "
                                            "AttnScope cannot ablate its heads (ONNX exports can be ablated)");
    std::vector<std::string> tokens;
    torch::Tensor input;
    if (d->spec.image) {
        if (auto st = d->imageInput(text, input, tokens); !st) return st;
    } else if (d->spec.video) {
        if (auto st = d->videoInput(text, input, tokens); !st) return st;
    } else {
        std::vector<int64_t> ids;
        if (tokenize(text).empty()) return Status::error("Nothing to run: the input is empty.");
        if (auto st = d->encode(text, tokens, ids); !st) return st;
        if (int64_t(ids.size()) > d->spec.maxTokens)
            return Status::error("The input has " + std::to_string(ids.size()) + " tokens; " + d->spec.name + " takes at most " +
                                 std::to_string(d->spec.maxTokens) + ".");
        if (d->onnx) return d->runOnnx(text, tokens, ids, out, ablation);
        input = torch::tensor(ids, torch::kInt64).unsqueeze(0);
    }
    const int64_t T = int64_t(tokens.size());
    torch::jit::IValue result;
    if (auto st = d->forward({input}, result); !st) return st;
    AttentionTrace trace;
    trace.model = d->spec.name;
    trace.scoreFunction = "torchscript";
    trace.metadata[schema::kInputMeta] = text;
    trace.metadata[schema::kModeMeta] = "self";
    for (const auto& a : d->spec.attention) {
        const std::string what = d->spec.name + " output '" + a.name + "'";
        if (a.qk) {
            TraceTensor x;
            if (auto st = scriptmodel::qkTensor(result, a, what, tokens, x); !st) return st;
            trace.tensors.push_back(std::move(x));
            continue;
        }
        if (auto st = readAttention(result, a, what, tokens, tokens, "input", "input", 0,
                                    d->spec.image ? "patches" : d->spec.video ? "frames" : "tokens", trace);
            !st)
            return st;
    }
    out = std::move(trace);
    return Status::success();
}

} // namespace attnscope

namespace attnscope {

Status ScriptModel::Impl::runOnnx(const std::string& text, const std::vector<std::string>& tokens,
                                  const std::vector<int64_t>& ids, AttentionTrace& out, const HeadAblation* ablation) const
{
    OnnxRunOptions options;
    if (ablation)
        if (auto st = ablationRunOptions(*ablation, {"self"}, [&] {
                AttentionTrace probe;
                return runOnnx(text, tokens, ids, probe, nullptr);
            }, options);
            !st)
            return st;
    const int64_t T = int64_t(ids.size());
    std::map<std::string, OnnxTensor> inputs;
    for (const auto& in : onnx->inspection().inputs) {
        OnnxTensor t;
        t.shape = {1, T};
        if (in.name == "attention_mask") t.int64Values.assign(size_t(T), 1);
        else if (in.name == "token_type_ids") t.int64Values.assign(size_t(T), 0);
        else if (in.name == "position_ids")
            for (int64_t i = 0; i < T; ++i) t.int64Values.push_back(i);
        else t.int64Values = ids;
        if (in.elementType == "float") {
            for (int64_t v : t.int64Values) t.values.push_back(float(v));
            t.int64Values.clear();
        }
        inputs[in.name] = std::move(t);
    }
    OnnxRunResult r;
    if (auto st = onnx->run(inputs, r, {}, options); !st) return Status::error(spec.name + " failed on this input: " + st.message);
    AttentionTrace trace;
    trace.model = spec.name;
    trace.scoreFunction = "onnx";
    trace.metadata[schema::kInputMeta] = text;
    trace.metadata[schema::kModeMeta] = "self";
    // Self-attention over the tokens: every found Softmax whose query and key extents are T
    // (with the first such node's head count), layers in graph order, as "self".
    TraceTensor x;
    const auto self = onnxtext::selfAttention(r, T);
    if (!ablation) rememberSoftmaxes({{"self", self}});
    if (ablation) trace.metadata[schema::kAblationMeta] = ablation->describe();
    if (auto st = onnxtext::stack("self", self, tokens, tokens, x); !st)
        return Status::error(spec.name + ": the graph has no Softmax attention over the " + std::to_string(T) +
                             " tokens (`attnscope inspect` lists what it found)");
    trace.tensors.push_back(std::move(x));
    for (const auto& w : onnx->inspection().nonFiniteWeights) addTraceWarning(trace, "the model's weights hold NaN or ±Inf: " + w);
    addTraceWarning(trace, nonFiniteReport(trace));
    out = std::move(trace);
    return Status::success();
}

} // namespace attnscope
