// ONNX models read with Debian's libonnx (attnscope/onnxmodel.h): parse, check, infer shapes,
// find the attention. The graph is not run here.
#include "attnscope/onnxmodel.h"
#include "onnxops.h"
#include "io/confined.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <QFile>
#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <sstream>
#include <unordered_map>

namespace attnscope {

const std::vector<std::string>& onnxOperatorSet()
{
    static const std::vector<std::string> ops{
        "Add", "AveragePool", "BatchNormalization", "Cast", "Concat", "Constant", "ConstantOfShape", "Conv", "Div",
        "Equal", "Erf", "Expand", "Flatten", "Gather", "Gelu", "Gemm", "GlobalAveragePool", "HardSigmoid", "HardSwish",
        "LayerNormalization", "MatMul", "MaxPool", "Mul", "Pow", "Range", "ReduceMean", "Relu", "Reshape", "Shape",
        "Sigmoid", "Slice", "Softmax", "Split", "Sqrt", "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze", "Where",
        // encoder–decoder and decoder-only exports (issue 25): causal masks, rotary positions, KV heads
        "Trilu", "Neg", "Sin", "Cos", "CumSum", "Not", "And", "Or", "IsNaN", "Min", "Max", "ScatterND"};
    return ops;
}

int64_t onnxMaxOpset()
{
    const auto& map = ONNX_NAMESPACE::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
    const auto it = map.find(ONNX_NAMESPACE::ONNX_DOMAIN);
    return it == map.end() ? 0 : it->second.second;
}

namespace {
std::string elementTypeName(int32_t t)
{
    switch (t) {
    case ONNX_NAMESPACE::TensorProto::FLOAT: return "float";
    case ONNX_NAMESPACE::TensorProto::FLOAT16: return "float16";
    case ONNX_NAMESPACE::TensorProto::BFLOAT16: return "bfloat16";
    case ONNX_NAMESPACE::TensorProto::DOUBLE: return "double";
    case ONNX_NAMESPACE::TensorProto::INT64: return "int64";
    case ONNX_NAMESPACE::TensorProto::INT32: return "int32";
    case ONNX_NAMESPACE::TensorProto::INT8: return "int8";
    case ONNX_NAMESPACE::TensorProto::UINT8: return "uint8";
    case ONNX_NAMESPACE::TensorProto::BOOL: return "bool";
    case ONNX_NAMESPACE::TensorProto::STRING: return "string";
    default: return "type " + std::to_string(t);
    }
}

OnnxValue valueOf(const ONNX_NAMESPACE::ValueInfoProto& v)
{
    OnnxValue o;
    o.name = v.name();
    if (!v.type().has_tensor_type()) return o;
    const auto& tt = v.type().tensor_type();
    o.elementType = elementTypeName(tt.elem_type());
    if (!tt.has_shape()) return o;
    for (const auto& d : tt.shape().dim()) {
        o.dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
        o.symbols.push_back(d.has_dim_param() ? d.dim_param() : std::string());
    }
    return o;
}

int64_t elements(const ONNX_NAMESPACE::TensorProto& t)
{
    int64_t n = 1;
    for (int64_t d : t.dims()) n *= std::max<int64_t>(d, 0);
    return n;
}
} // namespace

Status readOnnxFile(const std::string& path, ONNX_NAMESPACE::ModelProto& model)
{
    QFile f(QString::fromStdString(path));
    if (!f.exists()) return Status::error("no such ONNX file: " + path);
    if (f.size() > (int64_t(2) << 30))
        return Status::error(path + " is larger than 2 GiB: an ONNX file keeps larger weights in external data files");
    if (!f.open(QIODevice::ReadOnly)) return Status::error("cannot read " + path + ": " + f.errorString().toStdString());
    const QByteArray bytes = f.readAll();
    if (bytes.isEmpty() || !model.ParseFromArray(bytes.constData(), int(bytes.size())) || !model.has_graph())
        return Status::error(path + " is not an ONNX model (truncated, or not an ONNX ModelProto at all)");
    return Status::success();
}

Status inspectOnnx(const std::string& path, OnnxInspection& out)
{
    out = OnnxInspection{};
    ONNX_NAMESPACE::ModelProto model;
    if (auto st = readOnnxFile(path, model); !st) return st;
    return inspectOnnxModel(model, path, out);
}

/// NaN and ±Inf among IEEE values of type F, stored raw (little-endian bytes) or typed.
template <typename F, typename Typed> int64_t nonFiniteIn(const std::string& raw, const Typed& typed)
{
    int64_t bad = 0;
    for (size_t i = 0; i + sizeof(F) <= raw.size(); i += sizeof(F)) {
        F f;
        std::memcpy(&f, raw.data() + i, sizeof(F));
        bad += !std::isfinite(f);
    }
    for (F f : typed) bad += !std::isfinite(f);
    return bad;
}

/// NaN and ±Inf among a float initializer's values stored in the file (float, double, float16;
/// raw_data or the typed fields); 0 for other types and external data.
static int64_t nonFiniteCount(const ONNX_NAMESPACE::TensorProto& t)
{
    using TP = ONNX_NAMESPACE::TensorProto;
    if (t.data_location() == TP::EXTERNAL) return 0;
    int64_t bad = 0;
    const std::string& raw = t.raw_data();
    switch (t.data_type()) {
    case TP::FLOAT: return nonFiniteIn<float>(raw, t.float_data());
    case TP::DOUBLE: return nonFiniteIn<double>(raw, t.double_data());
    case TP::FLOAT16: {
        // binary16: exponent bits all ones is Inf or NaN.
        const auto check = [&](uint16_t h) { bad += (h & 0x7C00) == 0x7C00; };
        if (!raw.empty())
            for (size_t i = 0; i + 2 <= raw.size(); i += 2) {
                uint16_t h;
                std::memcpy(&h, raw.data() + i, 2);
                check(h);
            }
        for (int32_t v : t.int32_data()) check(uint16_t(v));
        break;
    }
    default: break;
    }
    return bad;
}

Status inspectOnnxModel(ONNX_NAMESPACE::ModelProto& model, const std::string& path, OnnxInspection& out)
{
    out = OnnxInspection{};
    out.irVersion = model.ir_version();
    out.producer = model.producer_name() + (model.producer_version().empty() ? "" : " " + model.producer_version());
    for (const auto& o : model.opset_import())
        if (o.domain().empty() || o.domain() == "ai.onnx") out.opset = o.version();
    if (out.opset > onnxMaxOpset())
        return Status::error(path + " uses opset " + std::to_string(out.opset) + ", newer than this ONNX library knows (" +
                             std::to_string(onnxMaxOpset()) + "): export it again with opset_version=" +
                             std::to_string(onnxMaxOpset()) + " or lower");
    // Weights in external files must be there (they are read only when the graph runs).
    const QString dir = QFileInfo(QString::fromStdString(path)).dir().path();
    for (const auto& t : model.graph().initializer()) {
        out.parameters += elements(t);
        if (const int64_t bad = nonFiniteCount(t); bad > 0)
            out.nonFiniteWeights.push_back("'" + t.name() + "' (" + std::to_string(bad) + " of " + std::to_string(elements(t)) + " values)");
        if (t.data_location() != ONNX_NAMESPACE::TensorProto::EXTERNAL) continue;
        for (const auto& e : t.external_data()) {
            if (e.key() != "location") continue;
            // Inside the model's folder only (as ONNX's checker requires since CVE-2022-25882).
            std::string resolved;
            if (auto st = resolveInside(QDir(dir), QString::fromStdString(e.value()), path,
                                        "the external data of '" + t.name() + "'", resolved);
                !st)
                return st;
            if (!QFileInfo::exists(QString::fromStdString(resolved)))
                return Status::error(path + ": the weights of '" + t.name() + "' are in the external file '" + e.value() +
                                     "', which is missing (keep it beside the model)");
        }
    }
    try {
        ONNX_NAMESPACE::checker::check_model(model);
    } catch (const std::exception& e) {
        std::string msg = e.what();
        if (msg.size() > 400) msg = msg.substr(0, 400) + "…";
        return Status::error(path + " does not pass the ONNX checker: " + msg);
    }
    try {
        ONNX_NAMESPACE::ShapeInferenceOptions options{false, 0, false};
        ONNX_NAMESPACE::shape_inference::InferShapes(model, ONNX_NAMESPACE::OpSchemaRegistry::Instance(), options);
    } catch (const std::exception& e) {
        out.warnings.push_back(std::string("shape inference stopped: ") + e.what());
    }
    const auto& g = model.graph();
    std::set<std::string> initializers;
    for (const auto& t : g.initializer()) initializers.insert(t.name());
    for (const auto& v : g.input())
        if (!initializers.count(v.name())) out.inputs.push_back(valueOf(v));
    for (const auto& v : g.output()) out.outputs.push_back(valueOf(v));
    std::unordered_map<std::string, OnnxValue> shapes;
    for (const auto* list : {&g.input(), &g.output(), &g.value_info()})
        for (const auto& v : *list) shapes[v.name()] = valueOf(v);
    // Consumers of each tensor, for the patterns below.
    std::unordered_map<std::string, std::vector<const ONNX_NAMESPACE::NodeProto*>> consumers;
    for (const auto& n : g.node())
        for (const auto& i : n.input()) consumers[i].push_back(&n);
    std::unordered_map<std::string, const ONNX_NAMESPACE::NodeProto*> producer;
    std::set<std::string> constants = initializers;
    for (const auto& n : g.node()) {
        for (const auto& o : n.output()) producer[o] = &n;
        if (n.op_type() == "Constant")
            for (const auto& o : n.output()) constants.insert(o);
    }
    // Walks back from a Softmax through scaling, masking, bias and reshaping to a MatMul (or
    // Einsum) whose two operands are both computed — the Q·Kᵀ of attention.
    const auto scoresOfTwoActivations = [&](const ONNX_NAMESPACE::NodeProto& softmax) {
        static const std::set<std::string> passThrough{"Add", "Sub", "Mul", "Div", "Where", "Cast", "Reshape",
                                                       "Transpose", "Identity", "Clip", "Tanh"};
        std::vector<std::string> frontier{softmax.input(0)};
        for (int depth = 0; depth < 8 && !frontier.empty(); ++depth) {
            std::vector<std::string> next;
            for (const auto& name : frontier) {
                if (constants.count(name)) continue;
                const auto p = producer.find(name);
                if (p == producer.end()) continue;
                const auto& node = *p->second;
                if (node.op_type() == "MatMul" || node.op_type() == "Einsum") {
                    int computed = 0;
                    for (const auto& i : node.input()) computed += constants.count(i) ? 0 : 1;
                    if (computed >= 2) return true;
                } else if (passThrough.count(node.op_type())) {
                    for (const auto& i : node.input())
                        if (!constants.count(i)) next.push_back(i);
                }
            }
            frontier.swap(next);
        }
        return false;
    };
    // The norm lens's pattern after a Softmax: MatMul(A, V) (through Dropout / Cast / Identity),
    // then through the heads' merge (Transpose, Reshape) a MatMul by an initializer, W^O.
    const auto findValuePath = [&](OnnxAttention& a) {
        static const std::set<std::string> skip{"Dropout", "Cast", "Identity"}, merge{"Transpose", "Reshape", "Identity", "Cast"};
        const auto only = [&](const std::string& x) -> const ONNX_NAMESPACE::NodeProto* {
            const auto c = consumers.find(x);
            return c != consumers.end() && c->second.size() == 1 ? c->second.front() : nullptr;
        };
        std::string from = a.output;
        const ONNX_NAMESPACE::NodeProto* mix = nullptr;
        for (int depth = 0; depth < 4; ++depth) {
            const auto* c = only(from);
            if (!c) break;
            if (c->op_type() == "MatMul" && c->input_size() == 2 && c->input(0) == from) {
                mix = c;
                break;
            }
            if (!skip.count(c->op_type()) || c->output_size() < 1) break;
            from = c->output(0);
        }
        if (!mix) {
            a.lensMissing = a.node + ": no MatMul after it weights the values by its probabilities";
            return;
        }
        std::string x = mix->output(0);
        for (int depth = 0; depth < 6; ++depth) {
            const auto* c = only(x);
            if (!c) break;
            if (c->op_type() == "MatMul" && c->input_size() == 2 && initializers.count(c->input(1))) {
                a.values = mix->input(1);
                a.outputProjection = c->input(1);
                return;
            }
            if (!merge.count(c->op_type()) || c->output_size() < 1) break;
            x = c->output(0);
        }
        a.lensMissing = a.node + ": after " + (mix->name().empty() ? std::string("its MatMul") : mix->name()) +
                        " no MatMul by a weight (the output projection W^O) follows the heads' merge";
    };
    const std::set<std::string> covered(onnxOperatorsRunnable().begin(), onnxOperatorsRunnable().end());
    std::set<std::string> reported;
    int index = 0, softmaxLayer = 0, gateLayer = 0;
    for (const auto& n : g.node()) {
        ++out.operatorCounts[n.op_type()];
        const std::string nodeName = n.name().empty() ? n.op_type() + " #" + std::to_string(index) : n.name();
        ++index;
        if (!covered.count(n.op_type()) && reported.insert(n.op_type()).second)
            out.unsupported.push_back(n.op_type() + " (node " + nodeName + ")");
        if (n.output_size() < 1) continue;
        const auto it = shapes.find(n.output(0));
        const std::vector<int64_t> dims = it == shapes.end() ? std::vector<int64_t>{} : it->second.dims;
        auto position = [](int64_t d) { return d < 0 || d > 1; };  // dynamic or more than one
        if (n.op_type() == "Softmax") {
            int64_t axis = out.opset >= 13 ? -1 : 1;
            for (const auto& a : n.attribute())
                if (a.name() == "axis") axis = a.i();
            // Attention scores are a product of two computed tensors (Q·Kᵀ); a classifier's
            // Softmax over x·W is not attention.
            if (!scoresOfTwoActivations(n)) continue;
            const int64_t rank = int64_t(dims.size());
            const int64_t last = axis < 0 ? axis + rank : axis;
            // Shapes unknown until run (dynamic axes): the run confirms rank and axis.
            if (rank > 0 && (rank < 3 || last != rank - 1 || !position(dims[size_t(rank - 1)]) ||
                             !position(dims[size_t(rank - 2)])))
                continue;
            OnnxAttention a;
            a.node = nodeName;
            a.output = n.output(0);
            a.shape = dims;
            a.axis = axis;
            if (rank == 4) a.heads = dims[1];
            // [batch·head, query, key]: a Reshape after it names the heads.
            for (const auto* c : consumers[n.output(0)])
                if (c->op_type() == "Reshape" && c->output_size() > 0) {
                    a.headSplit = c->output(0);
                    const auto s = shapes.find(c->output(0));
                    if (s != shapes.end() && s->second.dims.size() == 4 && s->second.dims[1] > 0) a.heads = s->second.dims[1];
                }
            if (rank == 4 && a.heads == 1) continue;  // one "head" of two position axes: not multi-head attention
            findValuePath(a);
            a.layer = softmaxLayer++;
            out.attention.push_back(std::move(a));
        } else if ((n.op_type() == "Sigmoid" || n.op_type() == "HardSigmoid") && dims.size() == 4 && dims[2] == 1 &&
                   dims[3] == 1) {
            // A gate [batch, channel, 1, 1] multiplied onto a feature map: channel attention (SE).
            for (const auto* c : consumers[n.output(0)]) {
                if (c->op_type() != "Mul" || c->input_size() != 2) continue;
                const std::string other = c->input(0) == n.output(0) ? c->input(1) : c->input(0);
                const auto s = shapes.find(other);
                if (s == shapes.end() || s->second.dims.size() != 4 || (s->second.dims[2] == 1 && s->second.dims[3] == 1)) continue;
                OnnxAttention a;
                a.kind = OnnxAttention::Kind::ChannelGate;
                a.node = nodeName;
                a.output = n.output(0);
                a.shape = dims;
                a.heads = dims[1];
                a.gated = other;
                a.layer = gateLayer++;
                out.attention.push_back(std::move(a));
                break;
            }
        }
    }
    return Status::success();
}

std::string describeOnnx(const OnnxInspection& o)
{
    std::ostringstream s;
    auto dims = [](const std::vector<int64_t>& d, const std::vector<std::string>& sym = {}) {
        std::string r = "[";
        for (size_t i = 0; i < d.size(); ++i)
            r += (i ? ", " : "") + (d[i] >= 0 ? std::to_string(d[i]) : (i < sym.size() && !sym[i].empty() ? sym[i] : "?"));
        return r + "]";
    };
    s << "producer   " << (o.producer.empty() ? "(unknown)" : o.producer) << "\n";
    s << "opset      " << o.opset << " (IR version " << o.irVersion << ")\n";
    s << "parameters " << o.parameters << "\n";
    for (const auto& v : o.inputs) s << "input      " << v.name << " " << v.elementType << " " << dims(v.dims, v.symbols) << "\n";
    for (const auto& v : o.outputs) s << "output     " << v.name << " " << v.elementType << " " << dims(v.dims, v.symbols) << "\n";
    s << "operators ";
    for (const auto& [op, n] : o.operatorCounts) s << " " << op << "×" << n;
    s << "\n";
    if (o.unsupported.empty()) s << "every operator maps onto ATen: `attnscope run` and the app take this model\n";
    else {
        s << "unsupported";
        for (const auto& x : o.unsupported) s << " " << x << ";";
        s << " (AttnScope cannot run this model)\n";
    }
    int softmax = 0, gates = 0;
    for (const auto& a : o.attention) {
        if (a.kind == OnnxAttention::Kind::Softmax) {
            ++softmax;
            s << "attention  layer " << a.layer + 1 << ": " << a.node << " → " << a.output << " "
              << (a.shape.empty() ? std::string("(shape known when the graph runs)") : dims(a.shape))
              << (a.heads > 0 ? " (" + std::to_string(a.heads) + " heads)"
                              : a.shape.empty() ? std::string() : std::string(" (heads not recovered)"))
              << "\n";
        } else {
            ++gates;
            s << "channel    gate " << a.layer + 1 << ": " << a.node << " → " << a.output << " " << dims(a.shape) << " ("
              << a.heads << " channels)\n";
        }
    }
    if (softmax == 0) s << "no attention: the graph has no Softmax over two position axes\n";
    if (gates == 0) s << "no channel gates (sigmoid × feature map)\n";
    for (const auto& w : o.nonFiniteWeights) s << "warning    non-finite weights (NaN or ±Inf): " << w << "\n";
    for (const auto& w : o.warnings) s << "warning    " << w << "\n";
    if (o.opset < kOnnxOldestOpset)
        s << "converting opset " << o.opset << " is older than the operator map reads; it is converted to " << kOnnxConvertTarget
          << " by ONNX's version converter when loaded\n";
    return s.str();
}

} // namespace attnscope
