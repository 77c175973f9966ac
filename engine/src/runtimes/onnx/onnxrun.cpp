// ONNX graphs run with ATen (attnscope/onnxmodel.h): the interpreter that walks the graph in
// order and calls the operator map (onnxops.cpp) per node. Kernels are LibTorch's.
#include "attention/headablation.h"
#include "attnscope/onnxmodel.h"
#include "onnxops.h"

#include <onnx/version_converter/convert.h>

#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <chrono>
#include <set>
#include <unordered_map>

namespace attnscope {

namespace {
namespace op = ONNX_NAMESPACE;

/// What ONNX's version converter assumes of a graph (its IR import dereferences without
/// checking): every value read is a graph input, an initializer or an earlier node's output;
/// every value is produced once; names are not empty where a value is required.
Status wellFormedForConversion(const op::GraphProto& g)
{
    std::set<std::string> known;
    for (const auto& v : g.input()) {
        if (v.name().empty() || !known.insert(v.name()).second) return Status::error("a graph input has an empty or repeated name");
        if (!v.type().has_tensor_type()) return Status::error("graph input '" + v.name() + "' is not a tensor");
    }
    for (const auto& t : g.initializer())
        if (t.name().empty()) return Status::error("an initializer has no name");
        else known.insert(t.name());
    for (const auto& n : g.node()) {
        for (const auto& i : n.input())
            if (!i.empty() && !known.count(i)) return Status::error("node '" + n.name() + "' reads '" + i + "' before it exists");
        for (const auto& o : n.output())
            if (!o.empty() && !known.insert(o).second) return Status::error("'" + o + "' is produced twice");
        for (const auto& a : n.attribute())
            if (a.has_g() || a.graphs_size() > 0) return Status::error("subgraphs are not converted");
    }
    for (const auto& v : g.output())
        if (!known.count(v.name())) return Status::error("graph output '" + v.name() + "' is never produced");
    return Status::success();
}

std::string nodeLabel(const op::NodeProto& n, size_t index)
{
    return (n.name().empty() ? "#" + std::to_string(index) : n.name()) + " (" + n.op_type() + ")";
}
} // namespace

struct OnnxModel::Impl {
    std::string path;
    op::ModelProto model;
    OnnxInspection inspection;
    std::string conversion;
    std::unordered_map<std::string, torch::Tensor> initializers;
    std::vector<const onnxops::Kernel*> kernels;  ///< per node; null for Constants (evaluated at load)
    /// Per node: the values whose last reader it is (freed after it runs).
    std::vector<std::vector<std::string>> release;
    std::set<std::string> kept;  ///< outputs, attention, head splits: never freed

    /// A computed value or an initializer by name; null when neither.
    const torch::Tensor* find(const std::unordered_map<std::string, torch::Tensor>& values, const std::string& name) const
    {
        const auto it = values.find(name);
        if (it != values.end()) return &it->second;
        const auto init = initializers.find(name);
        return init == initializers.end() ? nullptr : &init->second;
    }
    /// Every node in order over `values` (the inputs, then what the nodes compute): ablation per
    /// `options`, per-head gates per `gates` (may be null); kernel times into `out`.
    Status walk(std::unordered_map<std::string, torch::Tensor>& values, OnnxRunResult& out, const ProgressFn& progress,
                const OnnxRunOptions& options, const std::unordered_map<std::string, torch::Tensor>* gates) const;
};

OnnxModel::OnnxModel() : d(std::make_unique<Impl>()) {}
OnnxModel::~OnnxModel() = default;
bool OnnxModel::loaded() const { return !d->kernels.empty() || d->model.has_graph(); }
const OnnxInspection& OnnxModel::inspection() const { return d->inspection; }
std::string OnnxModel::path() const { return d->path; }
std::string OnnxModel::conversionNote() const { return d->conversion; }

Status OnnxModel::load(const std::string& path)
{
    d = std::make_unique<Impl>();
    d->path = path;
    if (auto st = readOnnxFile(path, d->model); !st) return st;
    int64_t opset = 0;
    for (const auto& o : d->model.opset_import())
        if (o.domain().empty() || o.domain() == "ai.onnx") opset = o.version();
    if (opset > 0 && opset < kOnnxOldestOpset) {
        // Opsets before 7 have operators with other semantics (legacy broadcast attributes,
        // consumed_inputs): ONNX's version converter rewrites them — after the checker, since
        // the converter assumes a well-formed graph (it crashes on some that are not).
        OnnxInspection original;
        if (auto st = inspectOnnxModel(d->model, path, original); !st) {
            d = std::make_unique<Impl>();
            return st;
        }
        if (auto st = wellFormedForConversion(d->model.graph()); !st) {
            d = std::make_unique<Impl>();
            return Status::error(path + " uses opset " + std::to_string(opset) + ", older than AttnScope runs, and cannot be "
                                        "converted: " + st.message);
        }
        try {
            d->model = op::version_conversion::ConvertVersion(d->model, int(kOnnxConvertTarget));
        } catch (const std::exception& e) {
            d = std::make_unique<Impl>();
            return Status::error(path + " uses opset " + std::to_string(opset) + ", older than AttnScope runs (" +
                                 std::to_string(kOnnxOldestOpset) + "), and ONNX's version converter could not bring it to " +
                                 std::to_string(kOnnxConvertTarget) + ": " + e.what());
        }
        d->conversion = "opset " + std::to_string(opset) + " converted to " + std::to_string(kOnnxConvertTarget) +
                        " by ONNX's version converter";
    }
    if (auto st = inspectOnnxModel(d->model, path, d->inspection); !st) {
        d = std::make_unique<Impl>();
        return st;
    }
    d->path = path;
    if (!d->conversion.empty()) d->inspection.warnings.push_back(d->conversion);
    const auto& g = d->model.graph();
    if (!d->inspection.unsupported.empty()) {
        std::string list;
        for (const auto& u : d->inspection.unsupported) list += (list.empty() ? "" : ", ") + u;
        d = std::make_unique<Impl>();
        return Status::error(path + " uses operators AttnScope cannot run: " + list +
                             " (`attnscope inspect` lists the operators it has)");
    }
    for (const auto& n : g.node()) {
        // Contrib operators exporters write outside the standard domain and the map runs.
        const bool contrib = n.domain() == "com.microsoft" && n.op_type() == "Gelu";
        if (!n.domain().empty() && n.domain() != "ai.onnx" && !contrib) {
            const std::string msg = path + " uses the operator " + n.domain() + "." + n.op_type() + " (node " + n.name() +
                                    ") outside the ONNX standard domain, which AttnScope cannot run";
            d = std::make_unique<Impl>();
            return Status::error(msg);
        }
        d->kernels.push_back(&onnxops::kernels().at(n.op_type()));
    }
    const std::string dir = QFileInfo(QString::fromStdString(path)).dir().path().toStdString();
    try {
        for (const auto& t : g.initializer()) d->initializers[t.name()] = onnxops::fromProto(t, dir);
    } catch (const std::exception& e) {
        d = std::make_unique<Impl>();
        return Status::error(path + ": " + e.what());
    }
    // Constant nodes are evaluated once, here, and read like initializers (their kernel is
    // dropped: the run skips them).
    for (int i = 0; i < g.node_size(); ++i) {
        const auto& n = g.node(i);
        if (n.op_type() != "Constant" || n.output_size() != 1) continue;
        try {
            const auto v = (*d->kernels[size_t(i)])(onnxops::Context{n, d->inspection.opset}, {});
            d->initializers[n.output(0)] = v.at(0);
            d->kernels[size_t(i)] = nullptr;
        } catch (const std::exception& e) {
            const std::string msg = path + ": the Constant node " + nodeLabel(n, size_t(i)) + " cannot be read: " + e.what();
            d = std::make_unique<Impl>();
            return Status::error(msg);
        }
    }
    // Liveness: what each node reads last, so a long graph keeps only what is still needed.
    for (const auto& o : g.output()) d->kept.insert(o.name());
    for (const auto& a : d->inspection.attention) {
        d->kept.insert(a.output);
        if (!a.headSplit.empty()) d->kept.insert(a.headSplit);
        if (!a.gated.empty()) d->kept.insert(a.gated);
        if (!a.values.empty()) d->kept.insert(a.values);
    }
    std::unordered_map<std::string, size_t> lastUse;
    for (int i = 0; i < g.node_size(); ++i)
        for (const auto& in : g.node(i).input()) lastUse[in] = size_t(i);
    d->release.assign(size_t(g.node_size()), {});
    for (const auto& [name, index] : lastUse)
        if (!d->kept.count(name) && !d->initializers.count(name)) d->release[index].push_back(name);
    return Status::success();
}

Status OnnxModel::run(const std::map<std::string, OnnxTensor>& inputs, OnnxRunResult& out, const ProgressFn& progress,
                      const OnnxRunOptions& options) const
{
    out = OnnxRunResult{};
    if (!d->model.has_graph()) return Status::error("no ONNX model is loaded");
    const auto& g = d->model.graph();
    std::unordered_map<std::string, torch::Tensor> values;
    for (const auto& v : d->inspection.inputs) {
        const auto it = inputs.find(v.name);
        if (it == inputs.end()) return Status::error("the model's input '" + v.name + "' was not given");
        int64_t n = 1;
        for (int64_t dim : it->second.shape) n *= dim;
        const bool integer = v.elementType == "int64" || v.elementType == "int32";
        if (integer != !it->second.int64Values.empty() && n > 0)
            return Status::error("input '" + v.name + "' takes " + v.elementType + " values");
        const size_t given = integer ? it->second.int64Values.size() : it->second.values.size();
        if (n != int64_t(given))
            return Status::error("input '" + v.name + "': its shape holds " + std::to_string(n) + " values, " +
                                 std::to_string(given) + " given");
        if (!v.dims.empty() && v.dims.size() != it->second.shape.size())
            return Status::error("input '" + v.name + "' has " + std::to_string(it->second.shape.size()) +
                                 " axes but the model takes " + std::to_string(v.dims.size()));
        for (size_t i = 0; i < v.dims.size() && i < it->second.shape.size(); ++i)
            if (v.dims[i] >= 0 && v.dims[i] != it->second.shape[i])
                return Status::error("input '" + v.name + "': axis " + std::to_string(i) + " has size " +
                                     std::to_string(it->second.shape[i]) + " but the model takes " + std::to_string(v.dims[i]));
        values[v.name] = integer ? torch::from_blob(const_cast<int64_t*>(it->second.int64Values.data()), it->second.shape, torch::kInt64)
                                       .to(v.elementType == "int32" ? torch::kInt32 : torch::kInt64)
                                 : torch::from_blob(const_cast<float*>(it->second.values.data()), it->second.shape, torch::kFloat32);
    }
    torch::NoGradGuard noGrad;
    if (auto st = d->walk(values, out, progress, options, nullptr); !st) return st;
    const auto value = [&](const std::string& name) { return d->find(values, name); };
    std::vector<std::string> lensOutputs;
    // The attention, confirmed with this run's shapes.
    for (auto a : d->inspection.attention) {
        const torch::Tensor* t = value(a.output);
        if (!t) continue;
        a.shape.assign(t->sizes().begin(), t->sizes().end());
        const int64_t rank = t->dim();
        if (a.kind == OnnxAttention::Kind::Softmax) {
            const int64_t axis = a.axis < 0 ? a.axis + rank : a.axis;
            if (rank < 3 || axis != rank - 1) continue;
            if (rank == 4) a.heads = t->size(1);
            if (const torch::Tensor* split = a.headSplit.empty() ? nullptr : value(a.headSplit);
                rank == 3 && split && split->dim() == 4)
                a.heads = split->size(1);
            if (rank == 4 && a.heads == 1) continue;
        } else if (rank != 4 || t->size(2) != 1 || t->size(3) != 1) {
            continue;
        }
        out.attention.push_back(std::move(a));
    }
    if (options.normLens)
        for (const auto& a : out.attention) {
            if (a.kind != OnnxAttention::Kind::Softmax) continue;
            if (a.values.empty()) {
                out.lensUnavailable[a.output] = a.lensMissing;
                continue;
            }
            const torch::Tensor* w = value(a.output);
            const torch::Tensor* v = value(a.values);
            const auto wo = d->initializers.find(a.outputProjection);
            const int64_t H = w->dim() == 4 ? w->size(1) : a.heads;
            if (!v || wo == d->initializers.end() || H <= 0 || v->dim() != w->dim() || wo->second.dim() != 2 ||
                wo->second.size(0) != H * v->size(-1)) {
                out.lensUnavailable[a.output] = a.node + ": its values and output projection do not fit " + std::to_string(H) + " heads";
                continue;
            }
            // ‖v_j,h · W^O_h‖ per batch, head and key; then α ⊙ the norms of the keys.
            const int64_t dk = v->size(-1), K = v->size(-2);
            const auto v4 = v->to(torch::kFloat32).reshape({-1, H, K, dk});                              // [B, H, K, d_k]
            const auto woHeads = wo->second.to(torch::kFloat32).view({H, dk, wo->second.size(1)});       // [H, d_k, D]
            const auto norms = torch::matmul(v4, woHeads.unsqueeze(0)).norm(2, -1);                       // [B, H, K]
            const auto lens = (w->to(torch::kFloat32).reshape({-1, H, w->size(-2), K}) * norms.unsqueeze(2)).reshape(w->sizes());
            values[a.output + ".norm"] = lens;
            lensOutputs.push_back(a.output + ".norm");
        }
    // Renumber layers among what was confirmed.
    int softmaxLayer = 0, gateLayer = 0;
    for (auto& a : out.attention) a.layer = a.kind == OnnxAttention::Kind::Softmax ? softmaxLayer++ : gateLayer++;
    std::set<std::string> wanted(lensOutputs.begin(), lensOutputs.end());
    for (const auto& o : g.output()) wanted.insert(o.name());
    for (const auto& a : out.attention) {
        wanted.insert(a.output);
        if (!a.gated.empty()) wanted.insert(a.gated);
    }
    for (const auto& name : wanted) {
        const torch::Tensor* t = value(name);
        if (!t) continue;
        const auto f = t->to(torch::kFloat32).contiguous();
        OnnxTensor o;
        o.shape.assign(f.sizes().begin(), f.sizes().end());
        o.values.assign(f.data_ptr<float>(), f.data_ptr<float>() + f.numel());
        out.values[name] = std::move(o);
    }
    return Status::success();
}

Status OnnxModel::Impl::walk(std::unordered_map<std::string, torch::Tensor>& values, OnnxRunResult& out, const ProgressFn& progress,
                             const OnnxRunOptions& options, const std::unordered_map<std::string, torch::Tensor>* gates) const
{
    const auto& g = model.graph();
    const auto value = [&](const std::string& name) { return find(values, name); };
    const int64_t total = g.node_size();
    for (int i = 0; i < g.node_size(); ++i) {
        const auto& n = g.node(i);
        if (!kernels[size_t(i)]) continue;  // a Constant, read at load
        std::vector<torch::Tensor> in;
        in.reserve(size_t(n.input_size()));
        for (const auto& name : n.input()) {
            if (name.empty()) {
                in.emplace_back();  // an absent optional input
                continue;
            }
            const torch::Tensor* t = value(name);
            if (!t) return Status::error("node " + nodeLabel(n, size_t(i)) + " reads '" + name + "', which nothing computed");
            in.push_back(*t);
        }
        try {
            const auto t0 = std::chrono::steady_clock::now();
            auto results = (*kernels[size_t(i)])(onnxops::Context{n, inspection.opset}, in);
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
            out.kernelMilliseconds += ms;
            out.operatorMilliseconds[n.op_type()] += ms;
            for (int k = 0; k < n.output_size() && k < int(results.size()); ++k)
                if (!n.output(k).empty()) values[n.output(k)] = std::move(results[size_t(k)]);
            if (!options.ablate.empty() && n.op_type() == "Softmax" && n.output_size() > 0)
                if (const auto it = options.ablate.find(n.output(0)); it != options.ablate.end())
                    values[n.output(0)] = ablateHeads(values[n.output(0)], values[n.output(0)].dim() == 4 ? 1 : 0, it->second,
                                                      options.uniform, nodeLabel(n, size_t(i)));
            if (gates && n.op_type() == "Softmax" && n.output_size() > 0)
                if (const auto it = gates->find(n.output(0)); it != gates->end()) {
                    torch::Tensor& a = values[n.output(0)];  // [batch, head, query, key] or [batch·head, query, key]
                    if ((a.dim() != 4 && a.dim() != 3) || a.size(a.dim() == 4 ? 1 : 0) != it->second.numel())
                        return Status::error("node " + nodeLabel(n, size_t(i)) + ": its output does not have " +
                                             std::to_string(it->second.numel()) + " heads to gate");
                    a = a * (a.dim() == 4 ? it->second.view({1, -1, 1, 1}) : it->second.view({-1, 1, 1}));
                }
        } catch (const std::exception& e) {
            std::string msg = e.what();
            if (const auto cut = msg.find("\nException raised from"); cut != std::string::npos) msg.resize(cut);
            if (msg.size() > 300) msg = msg.substr(0, 300) + "…";
            std::string shapes;
            for (const auto& t : in) {
                std::string s = "[";
                if (t.defined())
                    for (int64_t k = 0; k < t.dim(); ++k) s += (k ? ", " : "") + std::to_string(t.size(k));
                shapes += (shapes.empty() ? "" : ", ") + (t.defined() ? s + "]" : std::string("none"));
            }
            return Status::error("node " + nodeLabel(n, size_t(i)) + " failed on inputs " + shapes + ": " + msg);
        }
        for (const auto& name : release[size_t(i)]) values.erase(name);
        if (!keepGoing(progress, i + 1, total)) return Status::error("cancelled");
    }
    return Status::success();
}

Status OnnxModel::runTensors(OnnxTensorRun& io) const
{
    io.outputs.clear();
    if (!d->model.has_graph()) return Status::error("no ONNX model is loaded");
    std::unordered_map<std::string, torch::Tensor> values;
    for (const auto& v : d->inspection.inputs) {
        const auto it = io.inputs.find(v.name);
        if (it == io.inputs.end()) return Status::error("the model's input '" + v.name + "' was not given");
        values[v.name] = it->second;
    }
    torch::AutoGradMode grad(true);
    OnnxRunResult stats;
    if (auto st = d->walk(values, stats, {}, {}, &io.gates); !st) return st;
    for (const auto& o : d->model.graph().output())
        if (const auto it = values.find(o.name()); it != values.end()) io.outputs[o.name()] = it->second;
    return Status::success();
}

Status runOnnx(const std::string& path, const std::map<std::string, OnnxTensor>& inputs, std::map<std::string, OnnxTensor>& out)
{
    out.clear();
    OnnxModel model;
    if (auto st = model.load(path); !st) return st;
    OnnxRunResult result;
    if (auto st = model.run(inputs, result); !st) return st;
    out = std::move(result.values);
    return Status::success();
}

} // namespace attnscope
