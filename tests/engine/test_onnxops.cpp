// The ONNX operator map (engine/src/io/onnxops.cpp), one operator at a time: a one-node graph
// built with ONNX's protobuf API, run through OnnxModel, compared with values worked out by
// hand from the ONNX operator spec — attributes, optional inputs, the opset-dependent forms
// (attribute before, input after) and broadcasting. Also: the version converter for an old
// opset, and every operator of the list being in the map.
#include "attnscope/onnxmodel.h"

#include <onnx/onnx_pb.h>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>

using namespace attnscope;
namespace op = ONNX_NAMESPACE;

namespace {
struct In {
    std::string name;
    std::vector<int64_t> shape;
    std::vector<float> values;
    bool initializer = false;  ///< int64 initializer (shapes, axes, indices) when true
};

/// A graph of one node `type` reading `inputs` (graph inputs, or int64 initializers), with
/// attributes set by `attrs`, producing outputs "Y0", "Y1", ….
op::ModelProto oneNode(const std::string& type, const std::vector<In>& inputs, int outputs, int64_t opset,
                       const std::function<void(op::NodeProto&)>& attrs = {})
{
    op::ModelProto m;
    m.set_ir_version(8);
    auto* os = m.add_opset_import();
    os->set_domain("");
    os->set_version(opset);
    auto* g = m.mutable_graph();
    g->set_name("one");
    auto* n = g->add_node();
    n->set_op_type(type);
    n->set_name("node");
    for (const auto& i : inputs) {
        n->add_input(i.name);
        if (i.name.empty()) continue;
        if (i.initializer) {
            auto* t = g->add_initializer();
            t->set_name(i.name);
            t->set_data_type(op::TensorProto::INT64);
            for (int64_t d : i.shape) t->add_dims(d);
            for (float v : i.values) t->add_int64_data(int64_t(v));
        } else {
            auto* v = g->add_input();
            v->set_name(i.name);
            auto* tt = v->mutable_type()->mutable_tensor_type();
            tt->set_elem_type(op::TensorProto::FLOAT);
            tt->mutable_shape();  // a scalar has a shape with no dimensions
            for (int64_t d : i.shape) tt->mutable_shape()->add_dim()->set_dim_value(d);
        }
    }
    for (int k = 0; k < outputs; ++k) {
        n->add_output("Y" + std::to_string(k));
        auto* v = g->add_output();
        v->set_name("Y" + std::to_string(k));
        auto* tt = v->mutable_type()->mutable_tensor_type();
        tt->set_elem_type(op::TensorProto::FLOAT);
        tt->mutable_shape();
        // The checker wants a shape on graph outputs: one dynamic axis per input axis (shape
        // inference's disagreement with that is a warning; the run gives the real shape).
        for (size_t d = 0; d < (inputs.empty() ? 1 : inputs[0].shape.size()); ++d)
            tt->mutable_shape()->add_dim()->set_dim_param("d" + std::to_string(d));
    }
    if (attrs) attrs(*n);
    return m;
}

void intAttr(op::NodeProto& n, const char* name, int64_t v)
{
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(op::AttributeProto::INT);
    a->set_i(v);
}
void intsAttr(op::NodeProto& n, const char* name, std::vector<int64_t> v)
{
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(op::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
}
void floatAttr(op::NodeProto& n, const char* name, float v)
{
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(op::AttributeProto::FLOAT);
    a->set_f(v);
}
void stringAttr(op::NodeProto& n, const char* name, const std::string& v)
{
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(op::AttributeProto::STRING);
    a->set_s(v);
}

std::vector<float> iota(int n, float start = 0)
{
    std::vector<float> v;
    for (int i = 0; i < n; ++i) v.push_back(start + float(i));
    return v;
}
} // namespace

class TestOnnxOps : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    int count_ = 0;

    /// Runs the one-node model; Y0 (and further outputs) by name.
    std::map<std::string, OnnxTensor> run(const op::ModelProto& m, const std::vector<In>& inputs, Status* status = nullptr)
    {
        const QString path = dir_.filePath(QStringLiteral("m%1.onnx").arg(count_++));
        std::string bytes;
        m.SerializeToString(&bytes);
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(bytes.data(), qint64(bytes.size()));
        f.close();
        std::map<std::string, OnnxTensor> in, out;
        for (const auto& i : inputs)
            if (!i.initializer && !i.name.empty()) in[i.name] = OnnxTensor{i.shape, i.values};
        const Status st = runOnnx(path.toStdString(), in, out);
        if (status) *status = st;
        else if (!st.ok) qWarning("%s", st.message.c_str());
        return out;
    }
    void expect(const OnnxTensor& t, const std::vector<int64_t>& shape, const std::vector<float>& values, float tol = 1e-5f)
    {
        QCOMPARE(t.shape, shape);
        QCOMPARE(t.values.size(), values.size());
        for (size_t i = 0; i < values.size(); ++i)
            QVERIFY2(std::abs(t.values[i] - values[i]) <= tol,
                     qPrintable(QStringLiteral("value %1: %2, expected %3").arg(i).arg(t.values[i]).arg(values[i])));
    }

private slots:
    void everyListedOperatorIsMapped()
    {
        // The operator set the interpreter promises (onnxOperatorSet) is inside the map.
        const auto& runnable = onnxOperatorsRunnable();
        for (const auto& name : onnxOperatorSet())
            QVERIFY2(std::find(runnable.begin(), runnable.end(), name) != runnable.end(), name.c_str());
    }
    void convWithAsymmetricPadsStridesAndGroups()
    {
        // X [1, 1, 3, 3] = 0…8, W [1, 1, 2, 2] = 1; pads (top 0, left 0, bottom 1, right 1):
        // 2×2 sums over the padded 4×4, stride 1 → 3×3.
        const std::vector<In> in{{"X", {1, 1, 3, 3}, iota(9)}, {"W", {1, 1, 2, 2}, {1, 1, 1, 1}}};
        auto out = run(oneNode("Conv", in, 1, 13, [](op::NodeProto& n) { intsAttr(n, "pads", {0, 0, 1, 1}); }), in);
        expect(out["Y0"], {1, 1, 3, 3}, {8, 12, 7, 20, 24, 13, 13, 15, 8});
        // SAME_UPPER with stride 2 on 3×3: output 2×2, total pad 1 at the end.
        auto same = run(oneNode("Conv", in, 1, 13, [](op::NodeProto& n) {
                            stringAttr(n, "auto_pad", "SAME_UPPER");
                            intsAttr(n, "strides", {2, 2});
                        }),
                        in);
        expect(same["Y0"], {1, 1, 2, 2}, {8, 7, 13, 8});
        // Depthwise (group = 2) with a bias.
        const std::vector<In> dw{{"X", {1, 2, 1, 2}, {1, 2, 3, 4}}, {"W", {2, 1, 1, 1}, {10, 100}}, {"B", {2}, {0.5f, -1}}};
        auto g = run(oneNode("Conv", dw, 1, 13, [](op::NodeProto& n) { intAttr(n, "group", 2); }), dw);
        expect(g["Y0"], {1, 2, 1, 2}, {10.5f, 20.5f, 299, 399});
    }
    void convTransposeCropsItsPads()
    {
        // X [1, 1, 2, 2] = 1…4, W [1, 1, 2, 2] = 1, stride 2: each input pixel becomes a 2×2
        // block → 4×4; pads (1, 1, 1, 1) crop one pixel per side → 2×2.
        const std::vector<In> in{{"X", {1, 1, 2, 2}, {1, 2, 3, 4}}, {"W", {1, 1, 2, 2}, {1, 1, 1, 1}}};
        auto full = run(oneNode("ConvTranspose", in, 1, 11, [](op::NodeProto& n) { intsAttr(n, "strides", {2, 2}); }), in);
        expect(full["Y0"], {1, 1, 4, 4}, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
        auto cropped = run(oneNode("ConvTranspose", in, 1, 11, [](op::NodeProto& n) {
                               intsAttr(n, "strides", {2, 2});
                               intsAttr(n, "pads", {1, 1, 1, 1});
                           }),
                           in);
        expect(cropped["Y0"], {1, 1, 2, 2}, {1, 2, 3, 4});
    }
    void gemmAndMatMulBroadcast()
    {
        // Y = 2·Aᵀ·B + 0.5·C: A [3, 2] → Aᵀ [2, 3], B [3, 1] = 1, C [1] = 4.
        const std::vector<In> in{{"A", {3, 2}, iota(6)}, {"B", {3, 1}, {1, 1, 1}}, {"C", {1}, {4}}};
        auto out = run(oneNode("Gemm", in, 1, 13, [](op::NodeProto& n) {
                           intAttr(n, "transA", 1);
                           floatAttr(n, "alpha", 2);
                           floatAttr(n, "beta", 0.5f);
                       }),
                       in);
        expect(out["Y0"], {2, 1}, {2 * (0 + 2 + 4) + 2, 2 * (1 + 3 + 5) + 2});
        // MatMul [2, 1, 2, 3] × [3, 1]: numpy broadcasting of the batch axes.
        const std::vector<In> mm{{"A", {2, 1, 2, 3}, iota(12)}, {"B", {3, 1}, {1, 0, -1}}};
        expect(run(oneNode("MatMul", mm, 1, 13), mm)["Y0"], {2, 1, 2, 1}, {-2, -2, -2, -2});
    }
    void normalisation()
    {
        // BatchNormalization (inference): (x − mean)/√(var + ε)·scale + B per channel.
        const std::vector<In> bn{{"X", {1, 2, 1, 2}, {1, 3, 10, 20}}, {"S", {2}, {2, 1}}, {"B", {2}, {0, 1}},
                                 {"M", {2}, {1, 10}}, {"V", {2}, {4, 100}}};
        auto out = run(oneNode("BatchNormalization", bn, 1, 15, [](op::NodeProto& n) { floatAttr(n, "epsilon", 0); }), bn);
        expect(out["Y0"], {1, 2, 1, 2}, {0, 2, 1, 2});
        // LayerNormalization over the last axis: [1, 3] → (x − 2)/√(2/3) (opset 17).
        const std::vector<In> ln{{"X", {1, 3}, {1, 2, 3}}, {"S", {3}, {1, 1, 1}}, {"B", {3}, {0, 0, 0}}};
        auto l = run(oneNode("LayerNormalization", ln, 1, 17, [](op::NodeProto& n) { floatAttr(n, "epsilon", 0); }), ln);
        const float s = std::sqrt(2.0f / 3.0f);
        expect(l["Y0"], {1, 3}, {-1 / s, 0, 1 / s}, 1e-4f);
    }
    void pooling()
    {
        const std::vector<In> in{{"X", {1, 1, 3, 3}, iota(9)}};
        auto mx = run(oneNode("MaxPool", in, 1, 12, [](op::NodeProto& n) { intsAttr(n, "kernel_shape", {2, 2}); }), in);
        expect(mx["Y0"], {1, 1, 2, 2}, {4, 5, 7, 8});
        // AveragePool with asymmetric pads, padding not counted: the bottom-right window holds 8 only.
        auto avg = run(oneNode("AveragePool", in, 1, 11, [](op::NodeProto& n) {
                           intsAttr(n, "kernel_shape", {2, 2});
                           intsAttr(n, "strides", {2, 2});
                           intsAttr(n, "pads", {0, 0, 1, 1});
                       }),
                       in);
        expect(avg["Y0"], {1, 1, 2, 2}, {2, 3.5f, 6.5f, 8});
        auto gap = run(oneNode("GlobalAveragePool", in, 1, 13), in);
        expect(gap["Y0"], {1, 1, 1, 1}, {4});
    }
    void activations()
    {
        const std::vector<In> in{{"X", {4}, {-3, -0.5f, 0.5f, 3}}};
        expect(run(oneNode("HardSigmoid", in, 1, 13, [](op::NodeProto& n) { floatAttr(n, "alpha", 0.25f); }), in)["Y0"], {4},
               {0, 0.375f, 0.625f, 1});
        expect(run(oneNode("HardSwish", in, 1, 14), in)["Y0"], {4}, {0, -0.5f * 2.5f / 6, 0.5f * 3.5f / 6, 3});
        // Clip: attributes before opset 11, inputs (optional) after.
        expect(run(oneNode("Clip", in, 1, 9, [](op::NodeProto& n) {
                       floatAttr(n, "min", -1);
                       floatAttr(n, "max", 1);
                   }),
                   in)["Y0"],
               {4}, {-1, -0.5f, 0.5f, 1});
        const std::vector<In> clip{{"X", {4}, {-3, -0.5f, 0.5f, 3}}, {"", {}, {}}, {"hi", {}, {2}}};
        expect(run(oneNode("Clip", clip, 1, 13), clip)["Y0"], {4}, {-3, -0.5f, 0.5f, 2});
    }
    void gelu()
    {
        // Gelu is not in the standard domain before opset 20; exporters (ONNX Runtime, Optimum)
        // write it in com.microsoft, which the map takes: x·Φ(x), and "tanh" approximation.
        const std::vector<In> in{{"X", {2}, {1, -0.5f}}};
        auto m = oneNode("Gelu", in, 1, 17, [](op::NodeProto& n) { n.set_domain("com.microsoft"); });
        auto* ms = m.add_opset_import();
        ms->set_domain("com.microsoft");
        ms->set_version(1);
        const auto phi = [](float x) { return 0.5f * (1 + std::erf(x / std::sqrt(2.0f))); };
        expect(run(m, in)["Y0"], {2}, {phi(1), -0.5f * phi(-0.5f)}, 1e-5f);
    }
    void shapesAndIndexing()
    {
        const std::vector<In> x{{"X", {2, 3}, iota(6)}};
        // Squeeze / Unsqueeze: axes attribute (opset 11), input (opset 13).
        const std::vector<In> u13{{"X", {2, 3}, iota(6)}, {"axes", {2}, {0, 3}, true}};
        expect(run(oneNode("Unsqueeze", u13, 1, 13), u13)["Y0"], {1, 2, 3, 1}, iota(6));
        expect(run(oneNode("Unsqueeze", x, 1, 11, [](op::NodeProto& n) { intsAttr(n, "axes", {1}); }), x)["Y0"], {2, 1, 3}, iota(6));
        const std::vector<In> s{{"X", {1, 3, 1}, iota(3)}};
        expect(run(oneNode("Squeeze", s, 1, 11, [](op::NodeProto& n) { intsAttr(n, "axes", {-1}); }), s)["Y0"], {1, 3}, iota(3));
        expect(run(oneNode("Squeeze", s, 1, 13), s)["Y0"], {3}, iota(3));
        expect(run(oneNode("Flatten", x, 1, 13, [](op::NodeProto& n) { intAttr(n, "axis", 0); }), x)["Y0"], {1, 6}, iota(6));
        // Slice with negative starts and a negative step (opset 13 inputs): row 1 reversed.
        const std::vector<In> sl{{"X", {2, 3}, iota(6)}, {"st", {2}, {-1, -1}, true}, {"en", {2}, {2, -100}, true},
                                 {"ax", {2}, {0, 1}, true}, {"sp", {2}, {1, -1}, true}};
        expect(run(oneNode("Slice", sl, 1, 13), sl)["Y0"], {1, 3}, {5, 4, 3});
        // Slice at opset 9: attributes.
        expect(run(oneNode("Slice", x, 1, 9, [](op::NodeProto& n) {
                       intsAttr(n, "starts", {1});
                       intsAttr(n, "ends", {1000});
                       intsAttr(n, "axes", {1});
                   }),
                   x)["Y0"],
               {2, 2}, {1, 2, 4, 5});
        // Gather on axis 1 with [2]-shaped and negative indices.
        const std::vector<In> ga{{"X", {2, 3}, iota(6)}, {"i", {2}, {-1, 0}, true}};
        expect(run(oneNode("Gather", ga, 1, 13, [](op::NodeProto& n) { intAttr(n, "axis", 1); }), ga)["Y0"], {2, 2}, {2, 0, 5, 3});
        // Expand (bidirectional broadcast) of [3, 1] to [2, 1, 4] → [2, 3, 4].
        const std::vector<In> ex{{"X", {3, 1}, {1, 2, 3}}, {"sh", {3}, {2, 1, 4}, true}};
        const auto e = run(oneNode("Expand", ex, 1, 13), ex)["Y0"];
        QCOMPARE(e.shape, (std::vector<int64_t>{2, 3, 4}));
        QCOMPARE(e.values[5], 2.0f);
        // Concat, then Split into equal halves (opset 13, no split input) and by sizes (opset 11).
        const std::vector<In> cc{{"A", {1, 2}, {1, 2}}, {"B", {1, 2}, {3, 4}}};
        expect(run(oneNode("Concat", cc, 1, 13, [](op::NodeProto& n) { intAttr(n, "axis", -1); }), cc)["Y0"], {1, 4}, {1, 2, 3, 4});
        const std::vector<In> sp{{"X", {1, 4}, {1, 2, 3, 4}}};
        auto halves = run(oneNode("Split", sp, 2, 13, [](op::NodeProto& n) { intAttr(n, "axis", 1); }), sp);
        expect(halves["Y0"], {1, 2}, {1, 2});
        expect(halves["Y1"], {1, 2}, {3, 4});
        auto sized = run(oneNode("Split", sp, 2, 11, [](op::NodeProto& n) {
                             intAttr(n, "axis", 1);
                             intsAttr(n, "split", {1, 3});
                         }),
                         sp);
        expect(sized["Y1"], {1, 3}, {2, 3, 4});
        // Reshape with 0 (copy) and −1 (infer); Transpose default (reverse).
        const std::vector<In> rs{{"X", {2, 3}, iota(6)}, {"sh", {2}, {0, -1}, true}};
        expect(run(oneNode("Reshape", rs, 1, 13), rs)["Y0"], {2, 3}, iota(6));
        expect(run(oneNode("Transpose", x, 1, 13), x)["Y0"], {3, 2}, {0, 3, 1, 4, 2, 5});
    }
    void logicAndShapes()
    {
        // Where(X > 2 ? X : 0) through Greater/Where is covered by Equal + Where here.
        const std::vector<In> eq{{"A", {3}, {1, 2, 3}}, {"B", {3}, {1, 0, 3}}};
        expect(run(oneNode("Equal", eq, 1, 13), eq)["Y0"], {3}, {1, 0, 1});
        const std::vector<In> wh{{"C", {3}, {1, 0, 1}}, {"A", {3}, {1, 2, 3}}, {"B", {1}, {-1}}};
        expect(run(oneNode("Where", wh, 1, 13), wh)["Y0"], {3}, {1, -1, 3});
        const std::vector<In> x{{"X", {2, 3, 4}, iota(24)}};
        expect(run(oneNode("Shape", x, 1, 13), x)["Y0"], {3}, {2, 3, 4});
        expect(run(oneNode("ReduceMean", x, 1, 13, [](op::NodeProto& n) {
                       intsAttr(n, "axes", {0, 2});
                       intAttr(n, "keepdims", 0);
                   }),
                   x)["Y0"],
               {3}, {7.5f, 11.5f, 15.5f});
        const std::vector<In> cs{{"sh", {2}, {2, 2}, true}};
        expect(run(oneNode("ConstantOfShape", cs, 1, 13), cs)["Y0"], {2, 2}, {0, 0, 0, 0});
        const std::vector<In> cast{{"X", {3}, {1.7f, -1.7f, 0}}};
        expect(run(oneNode("Cast", cast, 1, 13, [](op::NodeProto& n) { intAttr(n, "to", op::TensorProto::INT64); }), cast)["Y0"],
               {3}, {1, -1, 0});
        const std::vector<In> rg{{"a", {}, {1}, true}, {"b", {}, {7}, true}, {"d", {}, {2}, true}};
        expect(run(oneNode("Range", rg, 1, 13), rg)["Y0"], {3}, {1, 3, 5});
        auto c = run(oneNode("Constant", {}, 1, 13, [](op::NodeProto& n) {
                         auto* a = n.add_attribute();
                         a->set_name("value_floats");
                         a->set_type(op::AttributeProto::FLOATS);
                         a->add_floats(0.25f);
                         a->add_floats(4);
                     }),
                     {});
        expect(c["Y0"], {2}, {0.25f, 4});
    }
    void exportOperatorsOneAtATime()
    {
        // What Optimum's encoder–decoder and decoder-only exports add, each against values
        // worked out by hand from the operator spec.
        const float pi = float(M_PI), nan = std::nanf(""), inf = std::numeric_limits<float>::infinity();
        // Trilu: the causal mask. Upper with k = 0 and 1; lower with k = −1.
        const std::vector<In> m{{"X", {3, 3}, iota(9, 1)}};
        expect(run(oneNode("Trilu", m, 1, 14), m)["Y0"], {3, 3}, {1, 2, 3, 0, 5, 6, 0, 0, 9});
        const std::vector<In> up1{{"X", {3, 3}, iota(9, 1)}, {"k", {}, {1}, true}};
        expect(run(oneNode("Trilu", up1, 1, 14), up1)["Y0"], {3, 3}, {0, 2, 3, 0, 0, 6, 0, 0, 0});
        const std::vector<In> low{{"X", {3, 3}, iota(9, 1)}, {"k", {}, {-1}, true}};
        expect(run(oneNode("Trilu", low, 1, 14, [](op::NodeProto& n) { intAttr(n, "upper", 0); }), low)["Y0"], {3, 3},
               {0, 0, 0, 4, 0, 0, 7, 8, 0});
        // Rotary positions: Neg, Sin, Cos.
        const std::vector<In> ang{{"X", {3}, {0, pi / 2, pi}}};
        expect(run(oneNode("Neg", ang, 1, 13), ang)["Y0"], {3}, {0, -pi / 2, -pi});
        expect(run(oneNode("Sin", ang, 1, 13), ang)["Y0"], {3}, {0, 1, 0});
        expect(run(oneNode("Cos", ang, 1, 13), ang)["Y0"], {3}, {1, 0, -1});
        // CumSum (positions from the attention mask): plain, exclusive, reverse, both; axis 1 of 2-D.
        const std::vector<In> cs{{"X", {4}, {1, 2, 3, 4}}, {"axis", {}, {0}, true}};
        expect(run(oneNode("CumSum", cs, 1, 14), cs)["Y0"], {4}, {1, 3, 6, 10});
        expect(run(oneNode("CumSum", cs, 1, 14, [](op::NodeProto& n) { intAttr(n, "exclusive", 1); }), cs)["Y0"], {4}, {0, 1, 3, 6});
        expect(run(oneNode("CumSum", cs, 1, 14, [](op::NodeProto& n) { intAttr(n, "reverse", 1); }), cs)["Y0"], {4}, {10, 9, 7, 4});
        expect(run(oneNode("CumSum", cs, 1, 14,
                           [](op::NodeProto& n) {
                               intAttr(n, "reverse", 1);
                               intAttr(n, "exclusive", 1);
                           }),
                   cs)["Y0"],
               {4}, {9, 7, 4, 0});
        const std::vector<In> cs2{{"X", {2, 2}, {1, 2, 3, 4}}, {"axis", {}, {-1}, true}};
        expect(run(oneNode("CumSum", cs2, 1, 14), cs2)["Y0"], {2, 2}, {1, 3, 3, 7});
        // IsNaN, Not, And, Or (mask logic); Equal and Where are in logicAndShapes.
        const std::vector<In> odd{{"X", {3}, {1, nan, inf}}};
        expect(run(oneNode("IsNaN", odd, 1, 13), odd)["Y0"], {3}, {0, 1, 0});
        const std::vector<In> ab{{"A", {4}, {1, 0, 1, 0}}, {"B", {4}, {1, 1, 0, 0}}};
        expect(run(oneNode("And", ab, 1, 13), ab)["Y0"], {4}, {1, 0, 0, 0});
        expect(run(oneNode("Or", ab, 1, 13), ab)["Y0"], {4}, {1, 1, 1, 0});
        const std::vector<In> a{{"A", {4}, {1, 0, 1, 0}}};
        expect(run(oneNode("Not", a, 1, 13), a)["Y0"], {4}, {0, 1, 0, 1});
        // Min and Max of three inputs with broadcasting.
        const std::vector<In> three{{"A", {3}, {1, 5, 3}}, {"B", {1}, {4}}, {"C", {3}, {2, 2, 6}}};
        expect(run(oneNode("Max", three, 1, 13), three)["Y0"], {3}, {4, 5, 6});
        expect(run(oneNode("Min", three, 1, 13), three)["Y0"], {3}, {1, 2, 3});
        // Expand (grouped KV heads repeated): [3, 1] → [3, 2]; Range of positions.
        const std::vector<In> ex{{"X", {3, 1}, {1, 2, 3}}, {"shape", {2}, {3, 2}, true}};
        expect(run(oneNode("Expand", ex, 1, 13), ex)["Y0"], {3, 2}, {1, 1, 2, 2, 3, 3});
        const std::vector<In> rg{{"a", {}, {0}, true}, {"b", {}, {4}, true}, {"d", {}, {1}, true}};
        expect(run(oneNode("Range", rg, 1, 13), rg)["Y0"], {4}, {0, 1, 2, 3});
        // ScatterND (a KV cache written at positions): rows 1 and 3 of a [4, 2]; added (opset
        // 16); one element by a full index; an index past the axis is an error naming the node.
        const std::vector<In> sc{{"D", {4, 2}, iota(8, 1)}, {"I", {2, 1}, {1, 3}, true}, {"U", {2, 2}, {10, 11, 12, 13}}};
        expect(run(oneNode("ScatterND", sc, 1, 13), sc)["Y0"], {4, 2}, {1, 2, 10, 11, 5, 6, 12, 13});
        expect(run(oneNode("ScatterND", sc, 1, 16, [](op::NodeProto& n) { stringAttr(n, "reduction", "add"); }), sc)["Y0"], {4, 2},
               {1, 2, 13, 15, 5, 6, 19, 21});
        const std::vector<In> one{{"D", {4, 2}, iota(8, 1)}, {"I", {1, 2}, {0, 1}, true}, {"U", {1}, {99}}};
        expect(run(oneNode("ScatterND", one, 1, 13), one)["Y0"], {4, 2}, {1, 99, 3, 4, 5, 6, 7, 8});
        const std::vector<In> bad{{"D", {4, 2}, iota(8, 1)}, {"I", {1, 1}, {7}, true}, {"U", {1, 2}, {0, 0}}};
        Status st;
        run(oneNode("ScatterND", bad, 1, 13), bad, &st);
        QVERIFY2(!st.ok && st.message.find("ScatterND") != std::string::npos && st.message.find("outside axis 0") != std::string::npos,
                 st.message.c_str());
    }
    void resizeNearestAndLinear()
    {
        const std::vector<In> in{{"X", {1, 1, 1, 2}, {1, 3}}, {"", {}, {}}, {"scales", {4}, {1, 1, 2, 2}}};
        auto nearest = run(oneNode("Resize", in, 1, 13, [](op::NodeProto& n) {
                               stringAttr(n, "coordinate_transformation_mode", "asymmetric");
                               stringAttr(n, "nearest_mode", "floor");
                           }),
                           in);
        expect(nearest["Y0"], {1, 1, 2, 4}, {1, 1, 3, 3, 1, 1, 3, 3});
        auto linear = run(oneNode("Resize", in, 1, 13, [](op::NodeProto& n) {
                              stringAttr(n, "mode", "linear");
                              stringAttr(n, "coordinate_transformation_mode", "align_corners");
                          }),
                          in);
        expect(linear["Y0"], {1, 1, 2, 4}, {1, 1 + 2.0f / 3, 1 + 4.0f / 3, 3, 1, 1 + 2.0f / 3, 1 + 4.0f / 3, 3}, 1e-5f);
    }
    void oldOpsetsAreConverted()
    {
        // Opset 6 Add with the legacy "broadcast" attribute: ONNX's version converter rewrites it.
        const std::vector<In> in{{"A", {2, 3}, iota(6)}, {"B", {3}, {10, 20, 30}}};
        const auto m = oneNode("Add", in, 1, 6, [](op::NodeProto& n) { intAttr(n, "broadcast", 1); });
        auto out = run(m, in);
        expect(out["Y0"], {2, 3}, {10, 21, 32, 13, 24, 35});
        const QString path = dir_.filePath("old6.onnx");
        std::string bytes;
        m.SerializeToString(&bytes);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes.data(), qint64(bytes.size()));
        f.close();
        OnnxModel model;
        QVERIFY(model.load(path.toStdString()).ok);
        QVERIFY2(model.conversionNote().find("opset 6 converted to 11") != std::string::npos, model.conversionNote().c_str());
    }
    void errorsNameTheNode()
    {
        // A shape mismatch inside the graph: the node, the operator, the input shapes.
        const std::vector<In> in{{"A", {2, 3}, iota(6)}, {"B", {4, 1}, iota(4)}};
        Status st;
        run(oneNode("MatMul", in, 1, 13), in, &st);
        QVERIFY2(!st.ok && st.message.find("node node (MatMul)") != std::string::npos &&
                     st.message.find("[2, 3], [4, 1]") != std::string::npos,
                 st.message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestOnnxOps)
#include "test_onnxops.moc"
