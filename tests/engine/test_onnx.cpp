// ONNX models read with libonnx: a graph the test builds with ONNX's protobuf API — multi-head
// attention (Softmax over [batch, head, query, key] and over [batch·head, query, key] split by a
// Reshape) and an SE block (GlobalAveragePool → Sigmoid → Mul) — is checked, its shapes
// inferred, its attention found; bad files are refused with a message; an image classifier
// (onnxclassifier.h) predicts through VisionModel, and zeroing its one head leaves uniform
// class probabilities.
#include "attnscope/ablation.h"
#include "attnscope/onnxmodel.h"
#include "attnscope/schema.h"
#include "attnscope/scriptmodel.h"
#include "attnscope/visionmodel.h"
#include "onnxclassifier.h"

#include <onnx/onnx_pb.h>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace attnscope;
namespace op = ONNX_NAMESPACE;

namespace {
op::ValueInfoProto value(const std::string& name, const std::vector<int64_t>& dims, int type = op::TensorProto::FLOAT)
{
    op::ValueInfoProto v;
    v.set_name(name);
    auto* t = v.mutable_type()->mutable_tensor_type();
    t->set_elem_type(type);
    for (int64_t d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
    return v;
}

op::NodeProto* node(op::GraphProto* g, const std::string& type, const std::string& name, std::vector<std::string> in,
                    std::vector<std::string> out)
{
    auto* n = g->add_node();
    n->set_op_type(type);
    n->set_name(name);
    for (const auto& i : in) n->add_input(i);
    for (const auto& o : out) n->add_output(o);
    return n;
}

/// Q, K [1, 2, 5, 4]: scores = Q·Kᵀ → Softmax (4-D); Q3, K3 [2, 5, 4] (batch·head) → Softmax →
/// Reshape to [1, 2, 5, 5]; F [1, 3, 4, 4] → GlobalAveragePool → Sigmoid → Mul(F, gate);
/// plus one Hardmax (outside the operator set).
op::ModelProto buildModel(int64_t opset)
{
    op::ModelProto m;
    m.set_ir_version(8);
    m.set_producer_name("test_onnx");
    auto* os = m.add_opset_import();
    os->set_domain("");
    os->set_version(opset);
    auto* g = m.mutable_graph();
    g->set_name("attention");
    *g->add_input() = value("Q", {1, 2, 5, 4});
    *g->add_input() = value("K", {1, 2, 5, 4});
    *g->add_input() = value("Q3", {2, 5, 4});
    *g->add_input() = value("K3", {2, 5, 4});
    *g->add_input() = value("F", {1, 3, 4, 4});
    auto* perm = node(g, "Transpose", "kt", {"K"}, {"Kt"})->add_attribute();
    perm->set_name("perm");
    perm->set_type(op::AttributeProto::INTS);
    for (int64_t p : {0, 1, 3, 2}) perm->add_ints(p);
    node(g, "MatMul", "scores", {"Q", "Kt"}, {"S"});
    node(g, "Softmax", "layer1.attn", {"S"}, {"A"});
    auto* perm3 = node(g, "Transpose", "kt3", {"K3"}, {"K3t"})->add_attribute();
    perm3->set_name("perm");
    perm3->set_type(op::AttributeProto::INTS);
    for (int64_t p : {0, 2, 1}) perm3->add_ints(p);
    node(g, "MatMul", "scores3", {"Q3", "K3t"}, {"S3"});
    node(g, "Softmax", "layer2.attn", {"S3"}, {"A3"});
    auto* shape = g->add_initializer();
    shape->set_name("split");
    shape->set_data_type(op::TensorProto::INT64);
    shape->add_dims(4);
    for (int64_t d : {1, 2, 5, 5}) shape->add_int64_data(d);
    node(g, "Reshape", "heads", {"A3", "split"}, {"A4"});
    node(g, "GlobalAveragePool", "squeeze", {"F"}, {"P"});
    node(g, "Sigmoid", "se.gate", {"P"}, {"G"});
    node(g, "Mul", "excite", {"F", "G"}, {"Y"});
    node(g, "Hardmax", "odd", {"S"}, {"H"});
    *g->add_output() = value("A", {1, 2, 5, 5});
    *g->add_output() = value("A4", {1, 2, 5, 5});
    *g->add_output() = value("Y", {1, 3, 4, 4});
    *g->add_output() = value("H", {1, 2, 5, 5});
    return m;
}

void save(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

QByteArray serialize(const op::ModelProto& m)
{
    std::string s;
    m.SerializeToString(&s);
    return QByteArray::fromStdString(s);
}
} // namespace

class TestOnnx : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void attentionFoundInTheGraph()
    {
        const QString path = dir_.filePath("attn.onnx");
        save(path, serialize(buildModel(13)));
        // The fuzz target's seed (fuzz/corpus/onnx) is this model: ATTNSCOPE_ONNX_SEED=FILE writes it.
        if (qEnvironmentVariableIsSet("ATTNSCOPE_ONNX_SEED")) save(qEnvironmentVariable("ATTNSCOPE_ONNX_SEED"), serialize(buildModel(13)));
        OnnxInspection o;
        const auto st = inspectOnnx(path.toStdString(), o);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(o.opset, int64_t(13));
        QCOMPARE(int(o.inputs.size()), 5);
        QCOMPARE(o.inputs[0].dims, (std::vector<int64_t>{1, 2, 5, 4}));
        QCOMPARE(o.operatorCounts["Softmax"], 2);
        QCOMPARE(o.operatorCounts["MatMul"], 2);
        QCOMPARE(o.parameters, int64_t(4));
        QCOMPARE(int(o.unsupported.size()), 1);
        QVERIFY(QString::fromStdString(o.unsupported[0]).startsWith("Hardmax (node odd)"));
        // Two attention layers in graph order, named after their nodes, and one SE gate.
        std::vector<OnnxAttention> softmax, gates;
        for (const auto& a : o.attention) (a.kind == OnnxAttention::Kind::Softmax ? softmax : gates).push_back(a);
        QCOMPARE(int(softmax.size()), 2);
        QCOMPARE(softmax[0].node, std::string("layer1.attn"));
        QCOMPARE(softmax[0].layer, 0);
        QCOMPARE(softmax[0].shape, (std::vector<int64_t>{1, 2, 5, 5}));
        QCOMPARE(softmax[0].heads, int64_t(2));
        QCOMPARE(softmax[1].node, std::string("layer2.attn"));
        QCOMPARE(softmax[1].shape, (std::vector<int64_t>{2, 5, 5}));
        QCOMPARE(softmax[1].heads, int64_t(2));  // recovered from the Reshape to [1, 2, 5, 5]
        QCOMPARE(int(gates.size()), 1);
        QCOMPARE(gates[0].node, std::string("se.gate"));
        QCOMPARE(gates[0].heads, int64_t(3));  // channels
        const std::string text = describeOnnx(o);
        QVERIFY(text.find("attention  layer 1: layer1.attn") != std::string::npos);
        QVERIFY(text.find("channel    gate 1: se.gate") != std::string::npos);
    }
    void runsWithAten()
    {
        // The graph without its Hardmax runs; the Softmax outputs equal softmax(Q·Kᵀ) by hand.
        op::ModelProto m = buildModel(13);
        auto* g = m.mutable_graph();
        g->mutable_node()->RemoveLast();    // Hardmax
        g->mutable_output()->RemoveLast();  // H
        const QString path = dir_.filePath("run.onnx");
        save(path, serialize(m));
        // The fuzz target's second seed (a graph that loads and runs): ATTNSCOPE_ONNX_SEED_RUN=FILE.
        if (qEnvironmentVariableIsSet("ATTNSCOPE_ONNX_SEED_RUN")) save(qEnvironmentVariable("ATTNSCOPE_ONNX_SEED_RUN"), serialize(m));
        std::map<std::string, OnnxTensor> in, out;
        auto fill = [](std::vector<int64_t> shape, float seed) {
            OnnxTensor t;
            t.shape = shape;
            int64_t n = 1;
            for (int64_t d : shape) n *= d;
            for (int64_t i = 0; i < n; ++i) t.values.push_back(std::sin(seed + 0.37f * float(i)));
            return t;
        };
        in["Q"] = fill({1, 2, 5, 4}, 0.1f);
        in["K"] = fill({1, 2, 5, 4}, 0.7f);
        in["Q3"] = fill({2, 5, 4}, 1.3f);
        in["K3"] = fill({2, 5, 4}, 2.1f);
        in["F"] = fill({1, 3, 4, 4}, 0.5f);
        auto st = runOnnx(path.toStdString(), in, out);
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(out.count("A") && out.count("A3") && out.count("G") && out.count("Y"));
        QCOMPARE(out["A"].shape, (std::vector<int64_t>{1, 2, 5, 5}));
        const auto& q = in["Q"].values;
        const auto& k = in["K"].values;
        for (int h = 0; h < 2; ++h)
            for (int i = 0; i < 5; ++i) {
                double row[5], z = 0;
                for (int j = 0; j < 5; ++j) {
                    double dot = 0;
                    for (int d = 0; d < 4; ++d) dot += q[size_t((h * 5 + i) * 4 + d)] * k[size_t((h * 5 + j) * 4 + d)];
                    row[j] = std::exp(dot);
                    z += row[j];
                }
                for (int j = 0; j < 5; ++j)
                    QVERIFY(std::abs(out["A"].values[size_t((h * 5 + i) * 5 + j)] - row[j] / z) < 1e-5);
            }
        // Opset 11 (Softmax coerces its input to 2-D at `axis`): with axis = −1 the same rows.
        op::ModelProto old = buildModel(11);
        old.mutable_graph()->mutable_node()->RemoveLast();
        old.mutable_graph()->mutable_output()->RemoveLast();
        for (auto& nd : *old.mutable_graph()->mutable_node())
            if (nd.op_type() == "Softmax") {
                auto* axis = nd.add_attribute();
                axis->set_name("axis");
                axis->set_type(op::AttributeProto::INT);
                axis->set_i(-1);
            }
        save(dir_.filePath("old.onnx"), serialize(old));
        std::map<std::string, OnnxTensor> outOld;
        st = runOnnx(dir_.filePath("old.onnx").toStdString(), in, outOld);
        QVERIFY2(st.ok, st.message.c_str());
        for (size_t i = 0; i < out["A"].values.size(); ++i) QVERIFY(std::abs(outOld["A"].values[i] - out["A"].values[i]) < 1e-6);
        // The SE gate: sigmoid of each channel's mean.
        for (int c = 0; c < 3; ++c) {
            double mean = 0;
            for (int i = 0; i < 16; ++i) mean += in["F"].values[size_t(c * 16 + i)] / 16.0;
            QVERIFY(std::abs(out["G"].values[size_t(c)] - 1.0 / (1.0 + std::exp(-mean))) < 1e-5);
        }
        // Refused before running: an operator outside the map (named with its node), a missing
        // input, an input of the wrong size.
        save(dir_.filePath("hardmax.onnx"), serialize(buildModel(13)));
        st = runOnnx(dir_.filePath("hardmax.onnx").toStdString(), in, out);
        QVERIFY2(!st.ok && st.message.find("Hardmax (node odd)") != std::string::npos, st.message.c_str());
        auto without = in;
        without.erase("F");
        st = runOnnx(path.toStdString(), without, out);
        QVERIFY2(!st.ok && st.message.find("'F'") != std::string::npos, st.message.c_str());
        auto wrong = in;
        wrong["Q"] = fill({1, 2, 6, 4}, 0.1f);
        st = runOnnx(path.toStdString(), wrong, out);
        QVERIFY2(!st.ok && st.message.find("axis 2 has size 6 but the model takes 5") != std::string::npos, st.message.c_str());
    }
    void aClassifierSoftmaxIsNotAttention()
    {
        // Softmax(x·W + b) over [1, 5, 7] (5 steps, 7 classes) has two "position-like" axes
        // but W is a weight: not Q·Kᵀ, not attention. Softmax(Q·Kᵀ) beside it is.
        op::ModelProto m;
        m.set_ir_version(8);
        auto* os = m.add_opset_import();
        os->set_domain("");
        os->set_version(13);
        auto* g = m.mutable_graph();
        g->set_name("classifier");
        *g->add_input() = value("X", {1, 5, 4});
        auto* w = g->add_initializer();
        w->set_name("W");
        w->set_data_type(op::TensorProto::FLOAT);
        w->add_dims(4);
        w->add_dims(7);
        for (int i = 0; i < 28; ++i) w->add_float_data(0.1f * float(i));
        node(g, "MatMul", "logits", {"X", "W"}, {"L"});
        node(g, "Softmax", "classes", {"L"}, {"P"});
        auto* perm = node(g, "Transpose", "xt", {"X"}, {"Xt"})->add_attribute();
        perm->set_name("perm");
        perm->set_type(op::AttributeProto::INTS);
        for (int64_t p : {0, 2, 1}) perm->add_ints(p);
        node(g, "MatMul", "scores", {"X", "Xt"}, {"S"});
        node(g, "Div", "scale", {"S", "two"}, {"S2"});
        auto* two = g->add_initializer();
        two->set_name("two");
        two->set_data_type(op::TensorProto::FLOAT);
        two->add_float_data(2.0f);
        node(g, "Softmax", "self", {"S2"}, {"A"});
        *g->add_output() = value("P", {1, 5, 7});
        *g->add_output() = value("A", {1, 5, 5});
        save(dir_.filePath("classifier.onnx"), serialize(m));
        OnnxInspection o;
        const auto st = inspectOnnx(dir_.filePath("classifier.onnx").toStdString(), o);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(int(o.attention.size()), 1);
        QCOMPARE(o.attention[0].node, std::string("self"));  // found through the scaling Div
    }
    void aTextModelRunsWithItsTokens()
    {
        // A BERT-shaped self-attention layer with a dynamic sequence axis, as Optimum exports
        // it: input_ids → embedding (Gather) → Q, K split into 2 heads (Reshape, Transpose) →
        // Q·Kᵀ + the attention mask's bias → Softmax [1, 2, T, T]. With a "tokens" sidecar it
        // runs as a user model: the trace's "self" tensor, labelled by the tokens.
        const int vocab = 5, dm = 4;
        std::vector<float> E, Wq, Wk;
        for (int i = 0; i < vocab * dm; ++i) E.push_back(std::sin(0.7f * float(i)));
        for (int i = 0; i < dm * dm; ++i) Wq.push_back(std::cos(0.3f * float(i)));
        for (int i = 0; i < dm * dm; ++i) Wk.push_back(std::sin(1.1f * float(i) + 0.5f));
        op::ModelProto m;
        m.set_ir_version(8);
        auto* os = m.add_opset_import();
        os->set_domain("");
        os->set_version(13);
        auto* g = m.mutable_graph();
        g->set_name("bert");
        for (const char* name : {"input_ids", "attention_mask"}) {
            auto* v = g->add_input();
            v->set_name(name);
            auto* t = v->mutable_type()->mutable_tensor_type();
            t->set_elem_type(op::TensorProto::INT64);
            t->mutable_shape()->add_dim()->set_dim_value(1);
            t->mutable_shape()->add_dim()->set_dim_param("sequence");
        }
        const auto floats = [&](const char* name, std::vector<int64_t> dims, const std::vector<float>& v) {
            auto* t = g->add_initializer();
            t->set_name(name);
            t->set_data_type(op::TensorProto::FLOAT);
            for (int64_t d : dims) t->add_dims(d);
            for (float x : v) t->add_float_data(x);
        };
        const auto ints = [&](const char* name, std::vector<int64_t> v) {
            auto* t = g->add_initializer();
            t->set_name(name);
            t->set_data_type(op::TensorProto::INT64);
            t->add_dims(int64_t(v.size()));
            for (int64_t x : v) t->add_int64_data(x);
        };
        floats("E", {vocab, dm}, E);
        floats("Wq", {dm, dm}, Wq);
        floats("Wk", {dm, dm}, Wk);
        floats("one", {}, {1.0f});
        floats("big", {}, {-10000.0f});
        ints("heads", {1, -1, 2, 2});
        ints("axes", {1, 2});
        const auto perm = [](op::NodeProto* n, std::vector<int64_t> p) {
            auto* a = n->add_attribute();
            a->set_name("perm");
            a->set_type(op::AttributeProto::INTS);
            for (int64_t x : p) a->add_ints(x);
        };
        node(g, "Gather", "embed", {"E", "input_ids"}, {"X"});
        node(g, "MatMul", "q", {"X", "Wq"}, {"Q0"});
        node(g, "MatMul", "k", {"X", "Wk"}, {"K0"});
        node(g, "Reshape", "qh", {"Q0", "heads"}, {"Q1"});
        node(g, "Reshape", "kh", {"K0", "heads"}, {"K1"});
        perm(node(g, "Transpose", "qt", {"Q1"}, {"Q"}), {0, 2, 1, 3});
        perm(node(g, "Transpose", "kt", {"K1"}, {"Kt"}), {0, 2, 3, 1});
        node(g, "MatMul", "scores", {"Q", "Kt"}, {"S"});
        auto* cast = node(g, "Cast", "maskf", {"attention_mask"}, {"Mf"})->add_attribute();
        cast->set_name("to");
        cast->set_type(op::AttributeProto::INT);
        cast->set_i(op::TensorProto::FLOAT);
        node(g, "Sub", "inv", {"one", "Mf"}, {"Mi"});
        node(g, "Mul", "bias", {"Mi", "big"}, {"B0"});
        node(g, "Unsqueeze", "bias4", {"B0", "axes"}, {"B"});
        node(g, "Add", "masked", {"S", "B"}, {"S2"});
        node(g, "Softmax", "layer0.attention", {"S2"}, {"A"});
        auto* out = g->add_output();
        out->set_name("A");
        out->mutable_type()->mutable_tensor_type()->set_elem_type(op::TensorProto::FLOAT);
        for (const char* d : {"b", "h", "q", "k"}) out->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_param(d);
        save(dir_.filePath("bert.onnx"), serialize(m));
        save(dir_.filePath("vocab.txt"), "[CLS]\nhello\nworld\n[SEP]\n[UNK]\n");
        save(dir_.filePath("bert.json"), R"({"name": "tiny-bert-onnx", "input": {"type": "tokens", "vocabulary": "vocab.txt",
             "prepend": ["[CLS]"], "append": ["[SEP]"], "unknown": "[UNK]"}})");
        if (qEnvironmentVariableIsSet("ATTNSCOPE_ONNX_BERT_OUT"))  // for trying the model by hand (CLI, GUI)
            for (const char* f : {"bert.onnx", "bert.json", "vocab.txt"})
                QFile::copy(dir_.filePath(f), qEnvironmentVariable("ATTNSCOPE_ONNX_BERT_OUT") + "/" + f);
        ScriptModel sm;
        auto st = sm.load(dir_.filePath("bert.onnx").toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        AttentionTrace tr;
        st = sm.run("hello world", tr);
        QVERIFY2(st.ok, st.message.c_str());
        const TraceTensor* a = tr.find("self");
        QVERIFY(a);
        QCOMPARE(a->shape, (std::vector<int64_t>{1, 2, 4, 4}));
        QCOMPARE(a->labels[3], (std::vector<std::string>{"[CLS]", "hello", "world", "[SEP]"}));
        QCOMPARE(a->labels[0][0], std::string("layer0.attention"));
        // By hand: ids 0 1 2 3; head h uses columns 2h, 2h+1 of Q = X·Wq and K = X·Wk.
        const std::vector<int> ids{0, 1, 2, 3};
        const auto proj = [&](const std::vector<float>& W, int t, int c) {
            double v = 0;
            for (int j = 0; j < dm; ++j) v += E[size_t(ids[size_t(t)] * dm + j)] * W[size_t(j * dm + c)];
            return v;
        };
        for (int h = 0; h < 2; ++h)
            for (int i = 0; i < 4; ++i) {
                double row[4], z = 0;
                for (int j = 0; j < 4; ++j) {
                    row[j] = std::exp(proj(Wq, i, 2 * h) * proj(Wk, j, 2 * h) + proj(Wq, i, 2 * h + 1) * proj(Wk, j, 2 * h + 1));
                    z += row[j];
                }
                for (int j = 0; j < 4; ++j)
                    QVERIFY(std::abs(a->values[size_t((h * 4 + i) * 4 + j)] - row[j] / z) < 1e-4);
            }
        // An unknown word becomes [UNK]; the sequence axis follows the text.
        QVERIFY(sm.run("hello there world", tr).ok);
        QCOMPARE(tr.find("self")->shape[3], int64_t(5));
        QVERIFY(!sm.run("   ", tr).ok);

        // NaN in a weight: inspect lists it, and a run says which attention turned non-finite,
        // how many values and the first index (the word "world", id 2, has a NaN embedding).
        g->mutable_initializer(0)->set_float_data(2 * dm, std::numeric_limits<float>::quiet_NaN());
        save(dir_.filePath("nan.onnx"), serialize(m));
        QFile::copy(dir_.filePath("bert.json"), dir_.filePath("nan.json"));
        OnnxInspection ins;
        QVERIFY(inspectOnnx(dir_.filePath("nan.onnx").toStdString(), ins).ok);
        QCOMPARE(ins.nonFiniteWeights, (std::vector<std::string>{"'E' (1 of 20 values)"}));
        QVERIFY(describeOnnx(ins).find("non-finite weights (NaN or ±Inf): 'E' (1 of 20 values)") != std::string::npos);
        ScriptModel withNan;
        QVERIFY(withNan.load(dir_.filePath("nan.onnx").toStdString()).ok);
        QVERIFY(withNan.run("hello world", tr).ok);
        const std::string warning = tr.meta("warning");
        QVERIFY2(warning.find("weights hold NaN or ±Inf: 'E'") != std::string::npos, warning.c_str());
        QVERIFY2(warning.find("self: 32 non-finite values (NaN or ±Inf), the first at [0, 0, 0, 0]") != std::string::npos, warning.c_str());
        // Without the NaN word the same model's attention is finite, and nothing is said about it.
        QVERIFY(withNan.run("hello", tr).ok);
        QVERIFY(tr.meta("warning").find("non-finite value") == std::string::npos);
    }
    void normLensThroughTheGraph()
    {
        // Softmax(Q·Kᵀ) [1, 2, 3, 3] weights V [1, 2, 3, 2]; the heads merge (Transpose, Reshape
        // [1, 3, 4]) into a MatMul by W^O [4, 5]: the lens is α_ij ‖V_hj · W^O_h‖ (Kobayashi et al.
        // 2020, eq. 5), W^O_h = rows 2h, 2h+1.
        using namespace onnxgraph;
        op::ModelProto m = model("lens");
        auto* g = m.mutable_graph();
        for (const char* in : {"Q", "K", "V"}) addValue(g->mutable_input(), in, op::TensorProto::FLOAT, {"1", "2", "3", "2"});
        perm(onnxgraph::node(g, "Transpose", "kt", {"K"}, {"Kt"}), {0, 1, 3, 2});
        onnxgraph::node(g, "MatMul", "scores", {"Q", "Kt"}, {"S"});
        onnxgraph::node(g, "Softmax", "attn", {"S"}, {"A"});
        onnxgraph::node(g, "MatMul", "mix", {"A", "V"}, {"C"});
        perm(onnxgraph::node(g, "Transpose", "merge", {"C"}, {"Ct"}), {0, 2, 1, 3});
        int64s(g, "flat", {3}, {1, 3, 4});
        onnxgraph::node(g, "Reshape", "heads_merged", {"Ct", "flat"}, {"M"});
        std::vector<float> W;
        for (int i = 0; i < 20; ++i) W.push_back(std::sin(0.7f * float(i)));
        floats(g, "Wo", {4, 5}, W);
        onnxgraph::node(g, "MatMul", "out_proj", {"M", "Wo"}, {"Y"});
        addValue(g->mutable_output(), "Y", op::TensorProto::FLOAT, {"1", "3", "5"});
        QVERIFY(onnxgraph::save(dir_.filePath("lens.onnx"), m));
        OnnxModel model;
        QVERIFY(model.load(dir_.filePath("lens.onnx").toStdString()).ok);
        QCOMPARE(model.inspection().attention.size(), size_t(1));
        QCOMPARE(model.inspection().attention[0].values, std::string("V"));
        QCOMPARE(model.inspection().attention[0].outputProjection, std::string("Wo"));
        std::map<std::string, OnnxTensor> in;
        for (const char* name : {"Q", "K", "V"}) {
            OnnxTensor t;
            t.shape = {1, 2, 3, 2};
            for (int i = 0; i < 12; ++i) t.values.push_back(std::cos(float(i) * (name[0] == 'V' ? 1.3f : name[0] == 'Q' ? 0.4f : 0.9f)));
            in[name] = t;
        }
        OnnxRunOptions o;
        o.normLens = true;
        OnnxRunResult r;
        const Status st = model.run(in, r, {}, o);
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(r.values.count("A.norm"));
        const auto& A = r.values.at("A").values;
        const auto& L = r.values.at("A.norm").values;
        const auto& V = in["V"].values;
        for (int h = 0; h < 2; ++h)
            for (int j = 0; j < 3; ++j) {
                double n = 0;
                for (int c = 0; c < 5; ++c) {
                    double f = 0;
                    for (int d = 0; d < 2; ++d) f += double(V[size_t((h * 3 + j) * 2 + d)]) * double(W[size_t((h * 2 + d) * 5 + c)]);
                    n += f * f;
                }
                for (int i = 0; i < 3; ++i) {
                    const size_t at = size_t((h * 3 + i) * 3 + j);
                    QVERIFY(std::abs(double(L[at]) - double(A[at]) * std::sqrt(n)) < 1e-5);
                }
            }
    }

    void aClassifierPredictsAndItsHeadAblates()
    {
        const QString path = onnxclassifier::writeClassifier(dir_.path());
        QVERIFY(!path.isEmpty());
        const QString picture = dir_.filePath("red.png");
        QVERIFY(onnxclassifier::writePicture(picture, 0));
        VisionModel m;
        const Status st = m.load(path.toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        AttentionTrace t;
        const Status run = m.run(picture.toStdString(), t);
        QVERIFY2(run.ok, run.message.c_str());
        const TraceTensor* p = t.find(schema::vision::kClassProbability);
        QVERIFY(p);
        QCOMPARE(p->shape, (std::vector<int64_t>{3}));
        QCOMPARE(p->labels[0], (std::vector<std::string>{"Bag", "Coat", "Shirt"}));
        double sum = 0;
        for (float v : p->values) sum += v;
        QVERIFY(std::abs(sum - 1) < 1e-5);
        const size_t best = size_t(std::max_element(p->values.begin(), p->values.end()) - p->values.begin());
        QCOMPARE(t.meta(schema::vision::kPredictionMeta), p->labels[0][best]);
        QVERIFY(p->values[best] > 0.4f);  // not uniform
        QVERIFY(t.find(schema::vision::kAttention));
        // Its one head zeroed: no token reaches the pooled vector, the logits are 0, every class 1/3.
        HeadAblation a;
        QVERIFY(parseAblation("attention:1:1", a).ok);
        AttentionTrace z;
        QVERIFY(m.run(picture.toStdString(), z, {}, &a).ok);
        for (float v : z.find(schema::vision::kClassProbability)->values) QVERIFY(std::abs(v - 1.0f / 3) < 1e-6f);
        // No W^O after its mix: no norm lens, and the trace says which node broke the pattern.
        QVERIFY(!t.find("attention.norm"));
        QVERIFY2(t.meta(schema::kLensNoteMeta).find("no MatMul by a weight") != std::string::npos, t.meta(schema::kLensNoteMeta).c_str());
        // Two heads merged into W^O (as exporters write a ViT block): the norm lens is there,
        // α_hij ‖V_hj · W^O_h‖ (Kobayashi et al. 2020), V = X W^V.
        {
            VisionModel vit;
            const Status ls = vit.load(onnxclassifier::writeTwoHeadVit(dir_.path()).toStdString());
            QVERIFY2(ls.ok, ls.message.c_str());
            AttentionTrace n;
            const Status ns = vit.run(picture.toStdString(), n);
            QVERIFY2(ns.ok, ns.message.c_str());
            const TraceTensor* att = n.find(schema::vision::kAttention);
            const TraceTensor* lens = n.find("attention.norm");
            QVERIFY2(att && lens, n.meta(schema::kLensNoteMeta).c_str());
            QCOMPARE(att->shape, (std::vector<int64_t>{1, 2, 16, 16}));
            QCOMPARE(lens->shape, att->shape);
            const QImage img(picture);  // token j = pixel j, its RGB / 255
            for (int h = 0; h < 2; ++h)
                for (int j : {0, 5, 15}) {
                    const QColor c = img.pixelColor(j % 4, j / 4);
                    const double x[3] = {c.redF(), c.greenF(), c.blueF()};
                    double v[2] = {0, 0};
                    for (int d = 0; d < 2; ++d)
                        for (int i = 0; i < 3; ++i) v[d] += x[i] * onnxclassifier::kWv2[size_t(i * 4 + 2 * h + d)];
                    double f2 = 0;
                    for (int o = 0; o < 3; ++o) {
                        double y = 0;
                        for (int d = 0; d < 2; ++d) y += v[d] * onnxclassifier::kWo2[size_t((2 * h + d) * 3 + o)];
                        f2 += y * y;
                    }
                    for (int q : {0, 7}) {
                        const size_t at = size_t((h * 16 + q) * 16 + j);
                        const double want = att->values[at] * std::sqrt(f2);
                        QVERIFY2(std::abs(lens->values[at] - want) < 1e-4,
                                 qPrintable(QString("h %1 q %2 j %3: %4 vs %5").arg(h).arg(q).arg(j).arg(lens->values[at]).arg(want)));
                    }
                }
        }
        // Labels that do not fit the logits, and an output the graph does not have, are named.
        onnxgraph::write(dir_.filePath("labels.txt"), "Bag\nCoat\n");
        VisionModel two;
        QVERIFY(two.load(path.toStdString()).ok);
        const Status bad = two.run(picture.toStdString(), t);
        QVERIFY2(!bad.ok && bad.message.find("3 classes but the labels file gives 2") != std::string::npos, bad.message.c_str());
        onnxgraph::write(dir_.filePath("tiny-vit.json"),
                         R"({"input": {"type": "image", "size": [4, 4], "patch": 1}, "classes": {"output": "scores"}})");
        VisionModel missing;
        const Status no = missing.load(path.toStdString());
        QVERIFY2(!no.ok && no.message.find("the classifier output 'scores'") != std::string::npos, no.message.c_str());
    }

    void badFilesAreRefused()
    {
        OnnxInspection o;
        QVERIFY(!inspectOnnx(dir_.filePath("missing.onnx").toStdString(), o).ok);
        // Truncated: the first half of a valid model.
        const QByteArray whole = serialize(buildModel(13));
        save(dir_.filePath("truncated.onnx"), whole.left(whole.size() / 2));
        auto st = inspectOnnx(dir_.filePath("truncated.onnx").toStdString(), o);
        QVERIFY2(!st.ok && (st.message.find("not an ONNX model") != std::string::npos ||
                            st.message.find("checker") != std::string::npos),
                 st.message.c_str());
        // Random bytes.
        QByteArray noise(4096, '\0');
        for (int i = 0; i < noise.size(); ++i) noise[i] = char((i * 2654435761u) >> 13);
        save(dir_.filePath("noise.onnx"), noise);
        st = inspectOnnx(dir_.filePath("noise.onnx").toStdString(), o);
        QVERIFY2(!st.ok, "random bytes refused");
        // An opset newer than the library knows.
        save(dir_.filePath("new.onnx"), serialize(buildModel(onnxMaxOpset() + 5)));
        st = inspectOnnx(dir_.filePath("new.onnx").toStdString(), o);
        QVERIFY2(!st.ok && st.message.find("newer than this ONNX library knows") != std::string::npos, st.message.c_str());
        // Weights in an external-data file that is missing.
        op::ModelProto m = buildModel(13);
        auto* w = m.mutable_graph()->mutable_initializer(0);
        w->clear_int64_data();
        w->set_data_location(op::TensorProto::EXTERNAL);
        auto* e = w->add_external_data();
        e->set_key("location");
        e->set_value("weights.bin");
        save(dir_.filePath("external.onnx"), serialize(m));
        st = inspectOnnx(dir_.filePath("external.onnx").toStdString(), o);
        QVERIFY2(!st.ok && st.message.find("weights.bin") != std::string::npos && st.message.find("missing") != std::string::npos,
                 st.message.c_str());
        // External data outside the model's folder is never opened (CVE-2022-25882): a `..` escape,
        // an absolute path, a device. The message names the initializer.
        for (const char* location : {"../../../../etc/passwd", "/etc/passwd", "sub/../../escape.bin"}) {
            e->set_value(location);
            save(dir_.filePath("outside.onnx"), serialize(m));
            st = inspectOnnx(dir_.filePath("outside.onnx").toStdString(), o);
            QVERIFY2(!st.ok && st.message.find("external data of") != std::string::npos &&
                         (st.message.find("outside the model's folder") != std::string::npos ||
                          st.message.find("absolute path") != std::string::npos),
                     st.message.c_str());
        }
        QVERIFY(QFile::link("/dev/zero", dir_.filePath("zeros.bin")));
        e->set_value("zeros.bin");
        save(dir_.filePath("device.onnx"), serialize(m));
        st = inspectOnnx(dir_.filePath("device.onnx").toStdString(), o);
        QVERIFY2(!st.ok && st.message.find("outside the model's folder") != std::string::npos, st.message.c_str());
        // A graph with no Softmax: inspected, and it says so.
        op::ModelProto plain = buildModel(13);
        auto* nodes = plain.mutable_graph()->mutable_node();
        for (int i = nodes->size() - 1; i >= 0; --i)
            if (nodes->Get(i).op_type() == "Softmax") nodes->Mutable(i)->set_op_type("Relu");
        save(dir_.filePath("plain.onnx"), serialize(plain));
        QVERIFY(inspectOnnx(dir_.filePath("plain.onnx").toStdString(), o).ok);
        QVERIFY(describeOnnx(o).find("no attention") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestOnnx)
#include "test_onnx.moc"
