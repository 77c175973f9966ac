// An ONNX encoder–decoder pair (Optimum's layout, run on AttnScope's ATen interpreter) against
// the same weights as a TorchScript module (run by LibTorch's TorchScript interpreter), both
// through ScriptModel::decode as the Text workspace and `attnscope run` call it: forced
// decoding of a 30-word verse, and greedy generation of 30 tokens (eos is never chosen: its
// logit carries −10⁴, so both generate exactly 30). The model is Marian-shaped at a small size:
// 3 encoder and 3 decoder layers, d = 256, 4 heads, feed-forward 1024, post-norm LayerNorm
// (decomposed into ReduceMean/Sub/Mul/Sqrt/Div in the ONNX graphs, as opset-14 exports are),
// vocabulary 8000, weights from a fixed seed. The counter max_diff is the largest difference
// between the two runtimes' cross-attention weights (they compute the same function).
// Run: ./build/bench/bench_onnxtranslator
// LibTorch before Qt: Qt's "slots" keyword would break its headers.
#include <torch/script.h>

#include "../tests/engine/onnxgraph.h"
#include "benchmain.h"

#include "attnscope/scriptmodel.h"
#include "attnscope/trace.h"

#include <QDir>
#include <QTemporaryDir>

#include <cmath>
#include <memory>
#include <random>

using namespace attnscope;
using namespace onnxgraph;

namespace {
constexpr int V = 8000, D = 256, H = 4, Dh = D / H, FF = 1024, L = 3, kWords = 30;

/// Every weight by name, from one seed; shared by both runtimes.
struct Weights {
    std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>> w;
    std::mt19937 rng{17};
    void add(const std::string& name, std::vector<int64_t> dims, float scale)
    {
        std::normal_distribution<float> n(0.0f, scale);
        int64_t count = 1;
        for (int64_t d : dims) count *= d;
        std::vector<float> v(static_cast<size_t>(count));
        for (auto& x : v) x = n(rng);
        w[name] = {dims, v};
    }
    Weights()
    {
        const float s = 1.0f / std::sqrt(float(D));
        add("E", {V, D}, 1.0f);
        add("Et", {V, D}, 1.0f);
        add("Wout", {D, V}, s);
        add("bout", {V}, 0.0f);
        w["bout"].second[1] = -10000.0f;  // eos never wins: greedy runs to max_new_tokens
        for (int l = 0; l < L; ++l) {
            for (const char* m : {"q", "k", "v", "o"}) {
                add("e" + std::to_string(l) + m, {D, D}, s);
                add("d" + std::to_string(l) + m, {D, D}, s);
                add("c" + std::to_string(l) + m, {D, D}, s);
            }
            for (const char* side : {"e", "d"}) {
                add(side + std::to_string(l) + "f1", {D, FF}, s);
                add(side + std::to_string(l) + "f2", {FF, D}, 1.0f / std::sqrt(float(FF)));
            }
        }
    }
};

// ---- ONNX (Optimum's encoder_model.onnx / decoder_model.onnx) ----
struct GraphBuilder {
    op::GraphProto* g;
    int n = 0;
    std::string fresh(const std::string& base) { return base + "_" + std::to_string(n++); }
    std::string op1(const std::string& type, std::vector<std::string> in, const std::string& name = {})
    {
        const std::string out = fresh(type);
        node(g, type, name.empty() ? out : name, std::move(in), {out});
        return out;
    }
    std::string layerNorm(const std::string& x)
    {
        auto* mean = node(g, "ReduceMean", fresh("ln_mean"), {x}, {fresh("mean")});
        intsAttr(mean, "axes", {-1});
        const std::string d = op1("Sub", {x, mean->output(0)});
        auto* var = node(g, "ReduceMean", fresh("ln_var"), {op1("Mul", {d, d})}, {fresh("var")});
        intsAttr(var, "axes", {-1});
        return op1("Div", {d, op1("Sqrt", {op1("Add", {var->output(0), "eps"})})});
    }
    /// Multi-head attention: the Softmax node named `name`; `causal` adds the Trilu mask.
    std::string attention(const std::string& x, const std::string& kv, const std::string& p, const std::string& name, bool causal)
    {
        const auto heads = [&](const std::string& in, const char* w) {
            const std::string r = op1("Reshape", {op1("MatMul", {in, p + w}), "split"});
            auto* t = node(g, "Transpose", fresh("t"), {r}, {fresh("heads")});
            perm(t, {0, 2, 1, 3});
            return t->output(0);
        };
        const std::string q = heads(x, "q"), k = heads(kv, "k"), v = heads(kv, "v");
        auto* kt = node(g, "Transpose", fresh("kt"), {k}, {fresh("kT")});
        perm(kt, {0, 1, 3, 2});
        std::string s = op1("Mul", {op1("MatMul", {q, kt->output(0)}), "scale"});
        if (causal) s = causalMask(g, s, fresh("mask") + "_", "onef", "big");
        auto* sm = node(g, "Softmax", name, {s}, {fresh("attn")});
        intAttr(sm, "axis", -1);
        auto* back = node(g, "Transpose", fresh("merge"), {op1("MatMul", {sm->output(0), v})}, {fresh("merged")});
        perm(back, {0, 2, 1, 3});
        return op1("MatMul", {op1("Reshape", {back->output(0), "join"}), p + "o"});
    }
    std::string feedForward(const std::string& x, const std::string& p)
    {
        return op1("MatMul", {op1("Relu", {op1("MatMul", {x, p + "f1"})}), p + "f2"});
    }
    void constants(const Weights& w, std::initializer_list<const char*> names)
    {
        for (const char* nm : names) floats(g, nm, w.w.at(nm).first, w.w.at(nm).second);
        floats(g, "eps", {}, {1e-5f});
        floats(g, "scale", {}, {1.0f / std::sqrt(float(Dh))});
        floats(g, "onef", {}, {1.0f});
        floats(g, "big", {}, {10000.0f});
        int64s(g, "split", {4}, {1, -1, H, Dh});
        int64s(g, "join", {3}, {1, -1, D});
    }
    void layerWeights(const Weights& w, const std::string& prefix)
    {
        for (const auto& [name, value] : w.w)
            if (name.rfind(prefix, 0) == 0 && std::isdigit(static_cast<unsigned char>(name[1])))
                floats(g, name, value.first, value.second);
    }
};

op::ModelProto encoderGraph(const Weights& w)
{
    op::ModelProto m = model("encoder");
    GraphBuilder b{m.mutable_graph()};
    addValue(b.g->mutable_input(), "input_ids", op::TensorProto::INT64, {"1", "encoder_sequence_length"});
    addValue(b.g->mutable_input(), "attention_mask", op::TensorProto::INT64, {"1", "encoder_sequence_length"});
    b.constants(w, {"E"});
    b.layerWeights(w, "e");
    std::string x = b.op1("Gather", {"E", "input_ids"});
    for (int l = 0; l < L; ++l) {
        const std::string p = "e" + std::to_string(l);
        x = b.layerNorm(b.op1("Add", {x, b.attention(x, x, p, "encoder.layers." + std::to_string(l) + ".self_attn", false)}));
        x = b.layerNorm(b.op1("Add", {x, b.feedForward(x, p)}));
    }
    node(b.g, "Identity", "out", {x}, {"last_hidden_state"});
    addValue(b.g->mutable_output(), "last_hidden_state", op::TensorProto::FLOAT, {"1", "encoder_sequence_length", std::to_string(D)});
    return m;
}

op::ModelProto decoderGraph(const Weights& w)
{
    op::ModelProto m = model("decoder");
    GraphBuilder b{m.mutable_graph()};
    addValue(b.g->mutable_input(), "input_ids", op::TensorProto::INT64, {"1", "decoder_sequence_length"});
    addValue(b.g->mutable_input(), "encoder_attention_mask", op::TensorProto::INT64, {"1", "encoder_sequence_length"});
    addValue(b.g->mutable_input(), "encoder_hidden_states", op::TensorProto::FLOAT, {"1", "encoder_sequence_length", std::to_string(D)});
    b.constants(w, {"Et", "Wout", "bout"});
    b.layerWeights(w, "d");
    b.layerWeights(w, "c");
    std::string y = b.op1("Gather", {"Et", "input_ids"});
    for (int l = 0; l < L; ++l) {
        const std::string n = std::to_string(l);
        y = b.layerNorm(b.op1("Add", {y, b.attention(y, y, "d" + n, "decoder.layers." + n + ".self_attn", true)}));
        y = b.layerNorm(b.op1("Add", {y, b.attention(y, "encoder_hidden_states", "c" + n, "decoder.layers." + n + ".encoder_attn", false)}));
        y = b.layerNorm(b.op1("Add", {y, b.feedForward(y, "d" + n)}));
    }
    node(b.g, "Add", "lm_head", {b.op1("MatMul", {y, "Wout"}), "bout"}, {"logits"});
    addValue(b.g->mutable_output(), "logits", op::TensorProto::FLOAT, {"1", "decoder_sequence_length", std::to_string(V)});
    return m;
}

// ---- TorchScript: the same function in one module ----
std::string torchScriptSource()
{
    std::string s = R"TS(
def mha(self, x, kv, wq, wk, wv, wo, causal: bool):
    T = x.size(1)
    S = kv.size(1)
    q = torch.matmul(x, wq).view(1, T, H, DH).transpose(1, 2)
    k = torch.matmul(kv, wk).view(1, S, H, DH).transpose(1, 2)
    v = torch.matmul(kv, wv).view(1, S, H, DH).transpose(1, 2)
    s = torch.matmul(q, k.transpose(2, 3)) * SCALE
    if causal:
        s = s + (torch.ones(T, S).tril() - 1.0) * 10000.0
    a = torch.softmax(s, -1)
    o = torch.matmul(torch.matmul(a, v).transpose(1, 2).reshape(1, T, D), wo)
    return o, a
def ln(self, x):
    return torch.layer_norm(x, [D], None, None, 1e-5)
def ff(self, x, w1, w2):
    return torch.matmul(torch.relu(torch.matmul(x, w1)), w2)
def forward(self, input_ids, decoder_input_ids):
    x = torch.embedding(self.E, input_ids)
)TS";
    std::string enc = "[", self = "[", cross = "[";
    for (int l = 0; l < L; ++l) {
        const std::string e = "self.e" + std::to_string(l), n = std::to_string(l);
        s += "    o, ea" + n + " = self.mha(x, x, " + e + "q, " + e + "k, " + e + "v, " + e + "o, False)\n";
        s += "    x = self.ln(x + o)\n    x = self.ln(x + self.ff(x, " + e + "f1, " + e + "f2))\n";
        enc += (l ? ", ea" : "ea") + n;
    }
    s += "    y = torch.embedding(self.Et, decoder_input_ids)\n";
    for (int l = 0; l < L; ++l) {
        const std::string d = "self.d" + std::to_string(l), c = "self.c" + std::to_string(l), n = std::to_string(l);
        s += "    o, da" + n + " = self.mha(y, y, " + d + "q, " + d + "k, " + d + "v, " + d + "o, True)\n    y = self.ln(y + o)\n";
        s += "    o, ca" + n + " = self.mha(y, x, " + c + "q, " + c + "k, " + c + "v, " + c + "o, False)\n    y = self.ln(y + o)\n";
        s += "    y = self.ln(y + self.ff(y, " + d + "f1, " + d + "f2))\n";
        self += (l ? ", da" : "da") + n;
        cross += (l ? ", ca" : "ca") + n;
    }
    s += "    return torch.matmul(y, self.Wout) + self.bout, " + self + "], " + cross + "], " + enc + "]\n";
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"DH", std::to_string(Dh)}, {"SCALE", std::to_string(1.0 / std::sqrt(double(Dh)))},
                                   {"H", std::to_string(H)}, {"D", std::to_string(D)}}) {
        for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
            const bool word = (at == 0 || !std::isalnum(static_cast<unsigned char>(s[at - 1]))) &&
                              (at + from.size() >= s.size() || !std::isalnum(static_cast<unsigned char>(s[at + from.size()])));
            if (word) s.replace(at, from.size(), to);
        }
    }
    return s;
}

struct Models {
    QTemporaryDir dir;
    std::unique_ptr<ScriptModel> onnx = std::make_unique<ScriptModel>(), script = std::make_unique<ScriptModel>();
    std::string source, reference;
    std::string error;
    Models()
    {
        const Weights w;
        QByteArray vocab = "<pad>\n</s>\n<unk>\n";
        for (int i = 3; i < V; ++i) vocab += "w" + QByteArray::number(i) + "\n";
        for (int i = 0; i < kWords; ++i) {
            source += (i ? " w" : "w") + std::to_string(100 + 37 * i);
            reference += (i ? " w" : "w") + std::to_string(200 + 53 * i);
        }
        const QString pair = dir.filePath("pair");
        QDir().mkpath(pair);
        const QByteArray input = "\"source\": {\"vocabulary\": \"vocab.txt\", \"append\": [\"</s>\"]}, \"target\": {\"vocabulary\": "
                                 "\"vocab.txt\"}, \"pad\": \"<pad>\", \"decoder_start\": \"<pad>\", \"eos\": \"</s>\", \"max_new_tokens\": 30";
        bool ok = save(pair + "/encoder_model.onnx", encoderGraph(w)) && save(pair + "/decoder_model.onnx", decoderGraph(w)) &&
                  write(pair + "/vocab.txt", vocab) && write(pair + "/attnscope.json", "{\"name\": \"bench-onnx\", \"input\": {\"type\": \"seq2seq\", " + input + "}}");
        torch::jit::Module m("BenchTranslator");
        for (const auto& [name, value] : w.w)
            m.register_parameter(name, torch::from_blob(const_cast<float*>(value.second.data()), value.first, torch::kFloat).clone(), false);
        m.define(torchScriptSource());
        const QString pt = dir.filePath("bench.pt");
        m.save(pt.toStdString());
        const QByteArray axes = "\"per_layer\": true, \"axes\": [\"batch\", \"head\", \"query\", \"key\"]";
        ok = ok && write(dir.filePath("vocab.txt"), vocab) &&
             write(dir.filePath("bench.json"), "{\"name\": \"bench-torchscript\", \"input\": {\"type\": \"seq2seq\", \"arguments\": [\"input_ids\", "
                                               "\"decoder_input_ids\"], \"logits\": 0, " + input + "}, \"attention\": ["
                                               "{\"name\": \"decoder_self\", \"output\": 1, " + axes + ", \"query\": \"target\", \"key\": \"target\"}, "
                                               "{\"name\": \"cross_attention\", \"output\": 2, " + axes + ", \"query\": \"target\", \"key\": \"source\"}, "
                                               "{\"name\": \"encoder_self\", \"output\": 3, " + axes + ", \"query\": \"source\", \"key\": \"source\"}]}");
        if (!ok) error = "cannot write the models under " + dir.path().toStdString();
        else if (auto st = onnx->load(pair.toStdString()); !st) error = "ONNX pair: " + st.message;
        else if (auto st2 = script->load(pt.toStdString()); !st2) error = "TorchScript: " + st2.message;
    }
};

Models& models()
{
    static Models m;
    return m;
}

/// Largest difference between the two runtimes' cross-attention weights on the forced verse.
double maxDifference()
{
    AttentionTrace a, b;
    if (!models().onnx->decode(models().source, &models().reference, a) || !models().script->decode(models().source, &models().reference, b))
        return -1;
    const TraceTensor *x = a.find("cross_attention"), *y = b.find("cross_attention");
    if (!x || !y || x->values.size() != y->values.size()) return -1;
    double m = 0;
    for (size_t i = 0; i < x->values.size(); ++i) m = std::max(m, double(std::abs(x->values[i] - y->values[i])));
    return m;
}

void BM_ForcedDecoding(benchmark::State& state)
{
    if (!models().error.empty()) return state.SkipWithError(models().error.c_str());
    const ScriptModel& m = state.range(0) ? *models().onnx : *models().script;
    AttentionTrace t;
    for (auto _ : state)
        if (auto st = m.decode(models().source, &models().reference, t); !st) return state.SkipWithError(st.message.c_str());
    state.SetLabel(state.range(0) ? "ONNX pair (ATen interpreter)" : "TorchScript (same weights)");
    state.counters["max_diff"] = maxDifference();
}
BENCHMARK(BM_ForcedDecoding)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(3.0);

void BM_Greedy30(benchmark::State& state)
{
    if (!models().error.empty()) return state.SkipWithError(models().error.c_str());
    const ScriptModel& m = state.range(0) ? *models().onnx : *models().script;
    AttentionTrace t;
    std::string out;
    for (auto _ : state)
        if (auto st = m.decode(models().source, nullptr, t, &out); !st) return state.SkipWithError(st.message.c_str());
    state.SetLabel(state.range(0) ? "ONNX pair (ATen interpreter)" : "TorchScript (same weights)");
    state.counters["tokens"] = double(t.find("cross_attention") ? t.find("cross_attention")->shape[2] : 0);
}
BENCHMARK(BM_Greedy30)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(3.0);
} // namespace

int main(int argc, char** argv) { return runBenchmarks(argc, argv); }
