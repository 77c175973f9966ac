// ONNX graphs run with ATen (attnscope/onnxmodel.h): the map from ONNX operators onto LibTorch
// calls. Kernels are LibTorch's; this file only maps attributes and inputs (ONNX operator
// spec, https://onnx.ai/onnx/operators/).
#include "attnscope/onnxmodel.h"

#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <QFile>

#include <algorithm>
#include <functional>
#include <set>
#include <unordered_map>

namespace attnscope {

namespace {
namespace op = ONNX_NAMESPACE;
using Values = std::unordered_map<std::string, torch::Tensor>;
using Kernel = std::function<std::vector<torch::Tensor>(const op::NodeProto&, const std::vector<torch::Tensor>&)>;

int64_t intAttr(const op::NodeProto& n, const std::string& name, int64_t fallback)
{
    for (const auto& a : n.attribute())
        if (a.name() == name) return a.i();
    return fallback;
}

std::vector<int64_t> intsAttr(const op::NodeProto& n, const std::string& name)
{
    for (const auto& a : n.attribute())
        if (a.name() == name) return {a.ints().begin(), a.ints().end()};
    return {};
}

torch::Tensor fromProto(const op::TensorProto& t)
{
    std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
    if (t.data_type() == op::TensorProto::FLOAT) {
        if (!t.raw_data().empty())
            return torch::from_blob(const_cast<char*>(t.raw_data().data()), dims, torch::kFloat32).clone();
        std::vector<float> v(t.float_data().begin(), t.float_data().end());
        return torch::tensor(v, torch::kFloat32).reshape(dims);
    }
    if (t.data_type() == op::TensorProto::INT64) {
        if (!t.raw_data().empty())
            return torch::from_blob(const_cast<char*>(t.raw_data().data()), dims, torch::kInt64).clone();
        std::vector<int64_t> v(t.int64_data().begin(), t.int64_data().end());
        return torch::tensor(v, torch::kInt64).reshape(dims);
    }
    throw std::runtime_error("tensor '" + t.name() + "' has an element type AttnScope does not read yet");
}

/// ONNX Reshape: 0 copies the input's dimension, −1 is inferred.
torch::Tensor reshape(const torch::Tensor& x, const torch::Tensor& shape)
{
    const auto s = shape.to(torch::kInt64).contiguous();
    std::vector<int64_t> dims(s.data_ptr<int64_t>(), s.data_ptr<int64_t>() + s.numel());
    for (size_t i = 0; i < dims.size(); ++i)
        if (dims[i] == 0 && int64_t(i) < x.dim()) dims[i] = x.size(int64_t(i));
    return x.reshape(dims);
}

const std::unordered_map<std::string, Kernel>& kernels()
{
    using T = std::vector<torch::Tensor>;
    static const std::unordered_map<std::string, Kernel> k{
        {"Add", [](const op::NodeProto&, const T& in) { return T{in[0] + in[1]}; }},
        {"Sub", [](const op::NodeProto&, const T& in) { return T{in[0] - in[1]}; }},
        {"Mul", [](const op::NodeProto&, const T& in) { return T{in[0] * in[1]}; }},
        {"Div", [](const op::NodeProto&, const T& in) { return T{in[0] / in[1]}; }},
        {"Pow", [](const op::NodeProto&, const T& in) { return T{torch::pow(in[0], in[1])}; }},
        {"Sqrt", [](const op::NodeProto&, const T& in) { return T{torch::sqrt(in[0])}; }},
        {"Erf", [](const op::NodeProto&, const T& in) { return T{torch::erf(in[0])}; }},
        {"Tanh", [](const op::NodeProto&, const T& in) { return T{torch::tanh(in[0])}; }},
        {"Relu", [](const op::NodeProto&, const T& in) { return T{torch::relu(in[0])}; }},
        {"Sigmoid", [](const op::NodeProto&, const T& in) { return T{torch::sigmoid(in[0])}; }},
        {"MatMul", [](const op::NodeProto&, const T& in) { return T{torch::matmul(in[0], in[1])}; }},
        {"Transpose",
         [](const op::NodeProto& n, const T& in) {
             auto perm = intsAttr(n, "perm");
             if (perm.empty())  // default: reverse the axes
                 for (int64_t d = in[0].dim() - 1; d >= 0; --d) perm.push_back(d);
             return T{in[0].permute(perm)};
         }},
        {"Softmax", [](const op::NodeProto& n, const T& in) { return T{torch::softmax(in[0], intAttr(n, "axis", -1))}; }},
        {"Reshape", [](const op::NodeProto&, const T& in) { return T{reshape(in[0], in[1])}; }},
        {"GlobalAveragePool",
         [](const op::NodeProto&, const T& in) {
             std::vector<int64_t> spatial;
             for (int64_t d = 2; d < in[0].dim(); ++d) spatial.push_back(d);
             return T{in[0].mean(spatial, true)};
         }},
    };
    return k;
}
} // namespace

Status runOnnx(const std::string& path, const std::map<std::string, OnnxTensor>& inputs, std::map<std::string, OnnxTensor>& out)
{
    out.clear();
    OnnxInspection inspection;
    if (auto st = inspectOnnx(path, inspection); !st) return st;
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly)) return Status::error("cannot read " + path);
    const QByteArray bytes = f.readAll();
    op::ModelProto model;
    if (!model.ParseFromArray(bytes.constData(), int(bytes.size()))) return Status::error(path + " is not an ONNX model");
    const auto& g = model.graph();
    // Refused before running: every operator the map does not have, with its first node.
    std::string missing;
    std::set<std::string> seen;
    const auto& runnable = onnxOperatorsRunnable();  // the names of kernels(), kept in onnx.cpp for inspect
    for (const auto& n : g.node())
        if ((!kernels().count(n.op_type()) ||
             std::find(runnable.begin(), runnable.end(), n.op_type()) == runnable.end()) &&
            seen.insert(n.op_type()).second)
            missing += (missing.empty() ? "" : ", ") + n.op_type() + " (node " + (n.name().empty() ? "unnamed" : n.name()) + ")";
    if (!missing.empty())
        return Status::error(path + " uses operators AttnScope cannot run yet: " + missing);
    Values values;
    try {
        for (const auto& t : g.initializer()) values[t.name()] = fromProto(t);
    } catch (const std::exception& e) {
        return Status::error(path + ": " + e.what());
    }
    for (const auto& v : inspection.inputs) {
        const auto it = inputs.find(v.name);
        if (it == inputs.end()) return Status::error("the model's input '" + v.name + "' was not given");
        int64_t n = 1;
        for (int64_t d : it->second.shape) n *= d;
        if (n != int64_t(it->second.values.size()))
            return Status::error("input '" + v.name + "': its shape holds " + std::to_string(n) + " values, " +
                                 std::to_string(it->second.values.size()) + " given");
        for (size_t i = 0; i < v.dims.size() && i < it->second.shape.size(); ++i)
            if (v.dims[i] >= 0 && v.dims[i] != it->second.shape[i])
                return Status::error("input '" + v.name + "': axis " + std::to_string(i) + " has size " +
                                     std::to_string(it->second.shape[i]) + " but the model takes " + std::to_string(v.dims[i]));
        if (v.dims.size() != it->second.shape.size())
            return Status::error("input '" + v.name + "' has " + std::to_string(it->second.shape.size()) +
                                 " axes but the model takes " + std::to_string(v.dims.size()));
        values[v.name] = torch::tensor(it->second.values, torch::kFloat32).reshape(it->second.shape);
    }
    torch::NoGradGuard ng;
    int index = 0;
    for (const auto& n : g.node()) {
        std::vector<torch::Tensor> in;
        for (const auto& name : n.input()) {
            const auto it = values.find(name);
            if (it == values.end()) return Status::error("node " + n.name() + " (" + n.op_type() + ") reads '" + name + "', which nothing computed");
            in.push_back(it->second);
        }
        try {
            if (n.op_type() == "Softmax" && inspection.opset < 13) {
                // Opsets 1–12: the input is coerced to 2-D at `axis` (default 1) and normalised over
                // the second dimension (the ONNX spec's Softmax-1/11).
                int64_t axis = intAttr(n, "axis", 1);
                if (axis < 0) axis += in[0].dim();
                const auto flat = in[0].reshape({in[0].numel() / std::max<int64_t>(1, in[0].flatten(axis).size(axis)), -1});
                values[n.output(0)] = torch::softmax(flat, 1).reshape(in[0].sizes());
                ++index;
                continue;
            }
            const auto results = kernels().at(n.op_type())(n, in);
            for (int k = 0; k < n.output_size() && k < int(results.size()); ++k) values[n.output(k)] = results[size_t(k)];
        } catch (const std::exception& e) {
            std::string msg = e.what();
            if (msg.size() > 300) msg = msg.substr(0, 300) + "…";
            return Status::error("node " + (n.name().empty() ? "#" + std::to_string(index) : n.name()) + " (" + n.op_type() +
                                 ") failed: " + msg);
        }
        ++index;
    }
    std::set<std::string> wanted;
    for (const auto& o : g.output()) wanted.insert(o.name());
    for (const auto& a : inspection.attention) wanted.insert(a.output);
    for (const auto& name : wanted) {
        const auto it = values.find(name);
        if (it == values.end()) continue;
        const auto t = it->second.to(torch::kFloat32).contiguous();
        OnnxTensor o;
        o.shape.assign(t.sizes().begin(), t.sizes().end());
        o.values.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
        out[name] = std::move(o);
    }
    return Status::success();
}

} // namespace attnscope
