#pragma once
// Building ONNX graphs in tests with ONNX's protobuf API (no Python): values, nodes,
// initializers, attributes, and writing the model and small text files. Shared by the ONNX
// tests and bench/bench_onnxtranslator.
#include <onnx/onnx_pb.h>

#include <QFile>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <cctype>
#include <cmath>
#include <string>
#include <vector>

namespace op = ONNX_NAMESPACE;

namespace onnxgraph {

/// Deterministic weights in (−0.9, 0.9), different for each seed.
inline std::vector<float> weights(int rows, int cols, float seed)
{
    std::vector<float> w;
    for (int i = 0; i < rows * cols; ++i) w.push_back(std::sin(seed + 0.61f * float(i)) * 0.9f);
    return w;
}

inline op::ValueInfoProto* addValue(google::protobuf::RepeatedPtrField<op::ValueInfoProto>* list, const std::string& name, int type,
                             const std::vector<std::string>& dims)
{
    auto* v = list->Add();
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(type);
    for (const auto& d : dims) {
        auto* dim = t->mutable_shape()->add_dim();
        if (!d.empty() && std::isdigit(static_cast<unsigned char>(d[0]))) dim->set_dim_value(std::stoll(d));
        else dim->set_dim_param(d);
    }
    return v;
}
inline op::NodeProto* node(op::GraphProto* g, const std::string& type, const std::string& name, std::vector<std::string> in,
                    std::vector<std::string> out)
{
    auto* n = g->add_node();
    n->set_op_type(type);
    n->set_name(name);
    for (const auto& i : in) n->add_input(i);
    for (const auto& o : out) n->add_output(o);
    return n;
}
inline void floats(op::GraphProto* g, const std::string& name, std::vector<int64_t> dims, const std::vector<float>& v)
{
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(op::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float x : v) t->add_float_data(x);
}
inline void perm(op::NodeProto* n, std::vector<int64_t> p)
{
    auto* a = n->add_attribute();
    a->set_name("perm");
    a->set_type(op::AttributeProto::INTS);
    for (int64_t x : p) a->add_ints(x);
}
inline void intAttr(op::NodeProto* n, const char* name, int64_t v)
{
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(op::AttributeProto::INT);
    a->set_i(v);
}
inline op::ModelProto model(const char* name)
{
    op::ModelProto m;
    m.set_ir_version(8);
    auto* os = m.add_opset_import();
    os->set_domain("");
    os->set_version(14);
    m.mutable_graph()->set_name(name);
    return m;
}
/// Writes the model (false when the file cannot be written).
inline bool save(const QString& path, const op::ModelProto& m)
{
    std::string bytes;
    m.SerializeToString(&bytes);
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes.data(), qint64(bytes.size())) == qint64(bytes.size());
}
inline bool write(const QString& path, const QByteArray& text)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
}

inline void intsAttr(op::NodeProto* n, const char* name, std::vector<int64_t> v)
{
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(op::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
}
/// The causal mask as exports write it: scores + (Trilu(ones of the scores' shape) − 1) × 10⁴,
/// so keys after the query get −10⁴. Node and value names start with `prefix`; `one` and `big`
/// name scalar initializers holding 1 and 10⁴. Returns the masked scores' name.
inline std::string causalMask(op::GraphProto* g, const std::string& scores, const std::string& prefix, const std::string& one,
                              const std::string& big)
{
    node(g, "Shape", prefix + "shape", {scores}, {prefix + "Sh"});
    auto* ones = node(g, "ConstantOfShape", prefix + "ones", {prefix + "Sh"}, {prefix + "Ones"});
    auto* value = ones->add_attribute();
    value->set_name("value");
    value->set_type(op::AttributeProto::TENSOR);
    value->mutable_t()->set_data_type(op::TensorProto::FLOAT);
    value->mutable_t()->add_dims(1);
    value->mutable_t()->add_float_data(1.0f);
    auto* tri = node(g, "Trilu", prefix + "causal", {prefix + "Ones"}, {prefix + "Low"});
    auto* upper = tri->add_attribute();
    upper->set_name("upper");
    upper->set_type(op::AttributeProto::INT);
    upper->set_i(0);
    node(g, "Sub", prefix + "above", {prefix + "Low", one}, {prefix + "Neg"});
    node(g, "Mul", prefix + "bias", {prefix + "Neg", big}, {prefix + "Bias"});
    node(g, "Add", prefix + "masked", {scores, prefix + "Bias"}, {prefix + "Masked"});
    return prefix + "Masked";
}

/// Trains a SentencePiece model with spm_train (Debian package sentencepiece); `error` gets its
/// message when it fails.
inline bool spmTrain(const QStringList& args, QString* error)
{
    QProcess train;
    train.start("spm_train", args);
    const bool ok = train.waitForFinished(60000) && train.exitStatus() == QProcess::NormalExit && train.exitCode() == 0;
    if (!ok && error) *error = QString::fromUtf8(train.readAllStandardError());
    return ok;
}

/// An int64 initializer.
inline void int64s(op::GraphProto* g, const std::string& name, std::vector<int64_t> dims, const std::vector<int64_t>& v)
{
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(op::TensorProto::INT64);
    for (int64_t d : dims) t->add_dims(d);
    for (int64_t x : v) t->add_int64_data(x);
}

} // namespace onnxgraph
