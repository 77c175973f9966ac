// A decoder-only model as Optimum exports it (model.onnx: input_ids, attention_mask,
// position_ids, past_key_values.0.key/value → logits), built here with ONNX's protobuf API in
// Llama's shape: rotary positions (Cast, Cos, Sin, Slice, Neg, Concat), grouped KV heads (one
// key/value head repeated for two query heads by Unsqueeze, Expand, Reshape), a causal Trilu
// mask. Checked: the attention of forced and greedy runs equals softmax(Q·Kᵀ/√d) computed here
// by hand; greedy generation follows the logits by hand and stops at eos or max_new_tokens;
// a Llama folder without a sidecar (config.json + spm_train's tokenizer.model) opens and an
// attnscope.json changes one key of it; bad folders are named.
#include "onnxgraph.h"

#include "attnscope/ablation.h"
#include "attnscope/pipelines.h"
#include "attnscope/scriptmodel.h"
#include "attnscope/trace.h"
#include "attnscope/visionmodel.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace attnscope;
using namespace onnxgraph;

namespace {
constexpr int D = 4, H = 2, Dh = 2;  // query heads 2, one KV head, head dim 2
constexpr float kInvFreq = 0.5f, kScale = 0.70710678f;
const char* const kVocab = "<pad>\n</s>\n<s>\nin\nthe\nbeginning\nwas\nword\n";

struct Weights {
    int V = 8;
    std::vector<float> E, Wq, Wk, Wv, Wout;
    explicit Weights(int v) : V(v), E(weights(v, D, 0.3f)), Wq(weights(D, D, 1.7f)), Wk(weights(D, Dh, 2.9f)),
                              Wv(weights(D, Dh, 3.8f)), Wout(weights(D, v, 5.1f)) {}
};

using Vec = std::vector<double>;
Vec row(const std::vector<float>& w, int64_t r, int cols)
{
    return Vec(w.begin() + r * cols, w.begin() + (r + 1) * cols);
}
Vec times(const Vec& x, const std::vector<float>& w, int cols)  // x · W
{
    Vec out(size_t(cols), 0.0);
    for (int j = 0; j < cols; ++j)
        for (size_t k = 0; k < x.size(); ++k) out[size_t(j)] += x[k] * double(w[k * size_t(cols) + size_t(j)]);
    return out;
}
Vec rope(const Vec& x, double angle)  // [a, b] → [a cos − b sin, b cos + a sin]
{
    return {x[0] * std::cos(angle) - x[1] * std::sin(angle), x[1] * std::cos(angle) + x[0] * std::sin(angle)};
}

/// The model by hand: attention [head][query][key] and the logits' rows.
struct ByHand {
    std::vector<std::vector<Vec>> attention;
    std::vector<Vec> mixed, logits;  ///< mixed: the heads' outputs concatenated, what the logits read
};
ByHand forward(const Weights& w, const std::vector<int64_t>& ids)
{
    const size_t T = ids.size();
    std::vector<Vec> q(T), k(T), v(T);
    for (size_t i = 0; i < T; ++i) {
        const Vec x = row(w.E, ids[i], D);
        q[i] = times(x, w.Wq, D);
        k[i] = rope(times(x, w.Wk, Dh), kInvFreq * double(i));
        v[i] = times(x, w.Wv, Dh);
    }
    ByHand r;
    r.attention.assign(H, std::vector<Vec>(T, Vec(T)));
    std::vector<Vec> mixed(T, Vec(size_t(D), 0.0));
    for (int h = 0; h < H; ++h)
        for (size_t i = 0; i < T; ++i) {
            const Vec qh = rope({q[i][size_t(h * Dh)], q[i][size_t(h * Dh + 1)]}, kInvFreq * double(i));
            double z = 0;
            for (size_t j = 0; j < T; ++j) {
                double s = (qh[0] * k[j][0] + qh[1] * k[j][1]) * double(kScale);
                if (j > i) s -= 10000.0;
                r.attention[size_t(h)][i][j] = std::exp(s);
                z += std::exp(s);
            }
            for (size_t j = 0; j < T; ++j) {
                r.attention[size_t(h)][i][j] /= z;
                for (int d = 0; d < Dh; ++d) mixed[i][size_t(h * Dh + d)] += r.attention[size_t(h)][i][j] * v[j][size_t(d)];
            }
        }
    for (size_t i = 0; i < T; ++i) r.logits.push_back(times(mixed[i], w.Wout, w.V));
    r.mixed = mixed;
    return r;
}

/// q·cos + rotate_half(q)·sin over the last axis (head dim 2): Slice, Neg, Concat, Mul, Add.
std::string ropeNodes(op::GraphProto* g, const std::string& x)
{
    node(g, "Slice", x + "_first", {x, "s0", "s1", "ax3"}, {x + "1"});
    node(g, "Slice", x + "_second", {x, "s1", "s2", "ax3"}, {x + "2"});
    node(g, "Neg", x + "_neg", {x + "2"}, {x + "2n"});
    intAttr(node(g, "Concat", x + "_rot", {x + "2n", x + "1"}, {x + "rot"}), "axis", 3);
    node(g, "Mul", x + "_cos", {x, "cos"}, {x + "c"});
    node(g, "Mul", x + "_sin", {x + "rot", "sin"}, {x + "s"});
    node(g, "Add", x + "_rope", {x + "c", x + "s"}, {x + "p"});
    return x + "p";
}

/// model.onnx in Llama's shape; `merged` adds Optimum's use_cache_branch input.
op::ModelProto decoder(const Weights& w, bool merged = false)
{
    op::ModelProto m = model("decoder-only");
    auto* g = m.mutable_graph();
    addValue(g->mutable_input(), "input_ids", op::TensorProto::INT64, {"batch_size", "sequence_length"});
    addValue(g->mutable_input(), "attention_mask", op::TensorProto::INT64, {"batch_size", "total_length"});
    addValue(g->mutable_input(), "position_ids", op::TensorProto::INT64, {"batch_size", "sequence_length"});
    for (const char* p : {"past_key_values.0.key", "past_key_values.0.value"})
        addValue(g->mutable_input(), p, op::TensorProto::FLOAT, {"batch_size", "1", "past_length", std::to_string(Dh)});
    if (merged) addValue(g->mutable_input(), "use_cache_branch", op::TensorProto::BOOL, {"1"});
    floats(g, "E", {w.V, D}, w.E);
    floats(g, "Wq", {D, D}, w.Wq);
    floats(g, "Wk", {D, Dh}, w.Wk);
    floats(g, "Wv", {D, Dh}, w.Wv);
    floats(g, "Wout", {D, w.V}, w.Wout);
    floats(g, "invfreq", {}, {kInvFreq});
    floats(g, "scale", {}, {kScale});
    floats(g, "one", {}, {1.0f});
    floats(g, "big", {}, {10000.0f});
    int64s(g, "qshape", {4}, {1, -1, H, Dh});
    int64s(g, "kshape", {4}, {1, -1, 1, Dh});
    int64s(g, "posshape", {4}, {1, 1, -1, 1});
    int64s(g, "repeat", {5}, {1, 1, H, 1, 1});
    int64s(g, "kvshape", {4}, {1, H, -1, Dh});
    int64s(g, "outshape", {3}, {1, -1, D});
    int64s(g, "ax2", {1}, {2});
    int64s(g, "ax3", {1}, {3});
    int64s(g, "s0", {1}, {0});
    int64s(g, "s1", {1}, {1});
    int64s(g, "s2", {1}, {2});
    node(g, "Gather", "embed", {"E", "input_ids"}, {"X"});
    // Queries [1, H, T, Dh]; one key and value head [1, 1, T, Dh].
    node(g, "MatMul", "q_proj", {"X", "Wq"}, {"Qf"});
    node(g, "Reshape", "q_heads", {"Qf", "qshape"}, {"Qr"});
    perm(node(g, "Transpose", "q_t", {"Qr"}, {"Q"}), {0, 2, 1, 3});
    for (const auto& [name, weight] : {std::pair<std::string, std::string>{"K", "Wk"}, {"V", "Wv"}}) {
        node(g, "MatMul", name + "_proj", {"X", weight}, {name + "f"});
        node(g, "Reshape", name + "_heads", {name + "f", "kshape"}, {name + "r"});
        perm(node(g, "Transpose", name + "_t", {name + "r"}, {name + "h"}), {0, 2, 1, 3});
    }
    // Rotary positions from position_ids.
    auto* cast = node(g, "Cast", "pos_float", {"position_ids"}, {"posf"});
    intAttr(cast, "to", op::TensorProto::FLOAT);
    node(g, "Reshape", "pos_shape", {"posf", "posshape"}, {"posr"});
    node(g, "Mul", "angles", {"posr", "invfreq"}, {"ang"});
    node(g, "Cos", "cos_", {"ang"}, {"cos"});
    node(g, "Sin", "sin_", {"ang"}, {"sin"});
    const std::string q = ropeNodes(g, "Q"), k = ropeNodes(g, "Kh");
    // Past (empty when the caller gives none) then the new positions.
    intAttr(node(g, "Concat", "k_cache", {"past_key_values.0.key", k}, {"Kall"}), "axis", 2);
    intAttr(node(g, "Concat", "v_cache", {"past_key_values.0.value", "Vh"}, {"Vall"}), "axis", 2);
    // Grouped KV heads: repeat the one head for both query heads (HF's repeat_kv).
    for (const std::string& x : {std::string("Kall"), std::string("Vall")}) {
        node(g, "Unsqueeze", x + "_u", {x, "ax2"}, {x + "u"});
        node(g, "Expand", x + "_e", {x + "u", "repeat"}, {x + "e"});
        node(g, "Reshape", x + "_rep", {x + "e", "kvshape"}, {x + "rep"});
    }
    perm(node(g, "Transpose", "kt", {"Kallrep"}, {"Kt"}), {0, 1, 3, 2});
    node(g, "MatMul", "scores", {q, "Kt"}, {"S"});
    node(g, "Mul", "scaled", {"S", "scale"}, {"Ss"});
    intAttr(node(g, "Softmax", "model.layers.0.self_attn", {causalMask(g, "Ss", "mask_", "one", "big")}, {"A"}), "axis", -1);
    node(g, "MatMul", "mix", {"A", "Vallrep"}, {"O"});
    perm(node(g, "Transpose", "o_t", {"O"}, {"Ot"}), {0, 2, 1, 3});
    node(g, "Reshape", "o_merge", {"Ot", "outshape"}, {"Om"});
    node(g, "MatMul", "lm_head", {"Om", "Wout"}, {"logits"});
    addValue(g->mutable_output(), "logits", op::TensorProto::FLOAT, {"batch_size", "sequence_length", std::to_string(w.V)});
    node(g, "Identity", "present_k", {"Kall"}, {"present.0.key"});
    addValue(g->mutable_output(), "present.0.key", op::TensorProto::FLOAT, {"batch_size", "1", "total_length", std::to_string(Dh)});
    return m;
}

void expectAttention(const TraceTensor& t, const ByHand& want)
{
    const int64_t T = int64_t(want.attention[0].size());
    QCOMPARE(t.shape, (std::vector<int64_t>{1, H, T, T}));
    for (int h = 0; h < H; ++h)
        for (int64_t i = 0; i < T; ++i)
            for (int64_t j = 0; j < T; ++j) {
                const double got = t.values[size_t((h * T + i) * T + j)], w = want.attention[size_t(h)][size_t(i)][size_t(j)];
                QVERIFY2(std::abs(got - w) < 1e-4, qPrintable(QString("head %1 [%2, %3]: %4 vs %5").arg(h).arg(i).arg(j).arg(got).arg(w)));
            }
}

/// Greedy by hand: argmax of the last logits row until eos (id `eos`) or `steps` tokens.
std::vector<int64_t> greedy(const Weights& w, std::vector<int64_t> ids, int64_t eos, int steps)
{
    for (int s = 0; s < steps; ++s) {
        const Vec last = forward(w, ids).logits.back();
        const int64_t next = int64_t(std::max_element(last.begin(), last.end()) - last.begin());
        if (next == eos) break;
        ids.push_back(next);
    }
    return ids;
}
} // namespace

class TestOnnxDecoder : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    QString folder(const QString& name, const Weights& w, bool merged = false)
    {
        QDir(dir_.path()).mkpath(name);
        const QString f = dir_.filePath(name);
        save(f + "/model.onnx", decoder(w, merged));
        write(f + "/vocab.txt", kVocab);
        write(f + "/model.json", "{\"name\": \"tiny-llama-onnx\", \"input\": {\"type\": \"decoder\", \"vocabulary\": \"vocab.txt\", "
                                 "\"prepend\": [\"<s>\"], \"eos\": \"</s>\", \"max_new_tokens\": 4}}");
        return f;
    }

private slots:
    void groupedKvHeadsAndRotaryPositionsMatchTheAttentionByHand()
    {
        const Weights w(8);
        const QString f = folder("llama", w);
        QCOMPARE(QString::fromStdString(onnxDecoderModel(f.toStdString())), QDir(f).absoluteFilePath("model.onnx"));
        QVERIFY(isUserModelFile(f.toStdString()));
        QVERIFY(!isVisionModelFile((f + "/model.onnx").toStdString()));  // not a picture model
        ScriptModel m;
        Status st = m.load(f.toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(m.spec().decoderOnly);
        // Forced: prompt "in the" (after <s>), continuation "beginning was".
        AttentionTrace t;
        const std::string continuation = "beginning was";
        st = m.decode("in the", &continuation, t);
        QVERIFY2(st.ok, st.message.c_str());
        const ByHand want = forward(w, {2, 3, 4, 5, 6});
        const TraceTensor* self = t.find("self");
        QVERIFY(self);
        expectAttention(*self, want);
        QCOMPARE(self->labels[3], (std::vector<std::string>{"<s>", "in", "the", "beginning", "was"}));
        QCOMPARE(self->labels[0], (std::vector<std::string>{"model.layers.0.self_attn"}));
        QCOMPARE(t.meta("prompt_tokens"), std::string("3"));
        QCOMPARE(t.meta("mode"), std::string("forced"));
        QCOMPARE(t.scoreFunction, std::string("onnx"));
        // The generated rows: the steps that produced "beginning" and "was", mean over heads.
        const TraceTensor* cross = t.find("cross");
        QVERIFY(cross);
        QCOMPARE(cross->shape, (std::vector<int64_t>{2, 5}));
        for (int64_t g = 0; g < 2; ++g)
            for (int64_t j = 0; j < 5; ++j) {
                const double mean = (want.attention[0][size_t(2 + g)][size_t(j)] + want.attention[1][size_t(2 + g)][size_t(j)]) / 2;
                QVERIFY(std::abs(cross->values[size_t(g * 5 + j)] - mean) < 1e-4);
            }
    }

    void greedyGenerationFollowsTheLogitsAndStops()
    {
        const Weights w(8);
        ScriptModel m;
        QVERIFY(m.load((folder("greedy", w) + "/model.onnx").toStdString()).ok);
        AttentionTrace t;
        std::string generated;
        const Status st = m.decode("in the", nullptr, t, &generated);
        QVERIFY2(st.ok, st.message.c_str());
        const std::vector<int64_t> ids = greedy(w, {2, 3, 4}, 1, 4);
        const std::vector<std::string> names{"<pad>", "</s>", "<s>", "in", "the", "beginning", "was", "word"};
        std::string want;
        for (size_t i = 3; i < ids.size(); ++i) want += (want.empty() ? "" : " ") + names[size_t(ids[i])];
        QCOMPARE(QString::fromStdString(generated), QString::fromStdString(want));
        expectAttention(*t.find("self"), forward(w, ids));
        QCOMPARE(t.meta("mode"), std::string("free"));
        // Logits that favour eos at once: nothing generated, the prompt's attention kept.
        Weights eos = w;
        const Vec last = forward(w, {2, 3, 4}).mixed.back();
        for (int d = 0; d < D; ++d) eos.Wout[size_t(d * eos.V + 1)] = last[size_t(d)] >= 0 ? 50.0f : -50.0f;
        ScriptModel stop;
        QVERIFY(stop.load(folder("eos", eos).toStdString()).ok);
        QVERIFY(stop.decode("in the", nullptr, t, &generated).ok);
        QCOMPARE(generated, std::string());
        QCOMPARE(t.find("self")->shape[2], int64_t(3));
        QVERIFY(!t.find("cross"));  // nothing generated: no generated rows
        // Equal logits everywhere: the argmax is id 0 (<pad>), never eos; max_new_tokens (4) stops it.
        Weights flat = w;
        std::fill(flat.Wout.begin(), flat.Wout.end(), 0.0f);
        ScriptModel runs;
        QVERIFY(runs.load(folder("flat", flat).toStdString()).ok);
        QVERIFY(runs.decode("in the", nullptr, t, &generated).ok);
        QCOMPARE(generated, std::string("<pad> <pad> <pad> <pad>"));
        QCOMPARE(t.find("self")->shape[2], int64_t(7));
    }

    void ablatingAHeadOfTheGraph()
    {
        // The interpreter changes the Softmax output of the ablated head: zeroing query head 1
        // is the graph with head 1's rows of the output projection (Wout rows 0–1) zeroed.
        const Weights w(8);
        ScriptModel m;
        QVERIFY(m.load(folder("ablate", w).toStdString()).ok);
        const std::string continuation = "beginning was";
        AttentionTrace plain, same;
        QVERIFY(m.decode("in the", &continuation, plain).ok);
        const HeadAblation none;
        QVERIFY(m.decode("in the", &continuation, same, nullptr, {}, &none).ok);
        QVERIFY(same.find("self")->values == plain.find("self")->values);  // nothing ablated: bit for bit
        HeadAblation a;
        QVERIFY(parseAblation("self:1:1", a).ok);
        AttentionTrace zeroed, cut;
        std::string zeroedText, cutText;
        QVERIFY(m.decode("in the", nullptr, zeroed, &zeroedText, {}, &a).ok);
        Weights rows = w;
        for (int v = 0; v < w.V; ++v) rows.Wout[size_t(v)] = rows.Wout[size_t(w.V + v)] = 0.0f;
        ScriptModel reference;
        QVERIFY(reference.load(folder("cutrows", rows).toStdString()).ok);
        QVERIFY(reference.decode("in the", nullptr, cut, &cutText).ok);
        QCOMPARE(QString::fromStdString(zeroedText), QString::fromStdString(cutText));
        const TraceTensor& z = *zeroed.find("self");
        const TraceTensor& c = *cut.find("self");
        QCOMPARE(z.shape, c.shape);
        const size_t perHead = size_t(z.shape[2] * z.shape[3]);
        for (size_t i = 0; i < perHead; ++i) {
            QCOMPARE(z.values[i], 0.0f);                          // head 1: zero
            QCOMPARE(z.values[perHead + i], c.values[perHead + i]);  // head 2: untouched
        }
        QCOMPARE(zeroed.meta("ablation"), std::string("self L1 H1 (zero)"));
        // Uniform: head 1's rows spread over the keys the causal mask leaves.
        a.mode = HeadAblation::Mode::Uniform;
        AttentionTrace uniform;
        QVERIFY(m.decode("in the", &continuation, uniform, nullptr, {}, &a).ok);
        const TraceTensor& u = *uniform.find("self");
        const int64_t T = u.shape[2];
        for (int64_t i = 0; i < T; ++i) {
            double sum = 0;
            for (int64_t j = 0; j < T; ++j) sum += u.values[size_t(i * T + j)];
            QVERIFY(std::abs(sum - 1.0) < 1e-6);
            QVERIFY(std::abs(u.values[size_t(i * T)] - 1.0 / double(i + 1)) < 1e-6);
        }
        // Heads the model does not have are named with its ranges.
        HeadAblation far, kind;
        QVERIFY(parseAblation("self:2:1", far).ok && parseAblation("cross_attention:1:1", kind).ok);
        Status st = m.decode("in the", nullptr, zeroed, nullptr, {}, &far);
        QVERIFY2(!st.ok && st.message.find("self has layers 1–1 (asked 2)") != std::string::npos, st.message.c_str());
        st = m.decode("in the", nullptr, zeroed, nullptr, {}, &kind);
        QVERIFY2(!st.ok && st.message.find("self (1 layers × 2 heads)") != std::string::npos, st.message.c_str());
    }

    void aLlamaFolderOpensWithoutASidecar()
    {
        // Llama's files as Optimum writes them: model.onnx, config.json (LlamaForCausalLM, bos,
        // eos, max_position_embeddings) and SentencePiece's tokenizer.model (spm_train here).
        QDir(dir_.path()).mkpath("tinyllama");
        const QString f = dir_.filePath("tinyllama");
        QByteArray text;
        for (int i = 0; i < 30; ++i) text += "In the beginning was the Word . God is love .\n";
        write(f + "/text.txt", text);
        QString trainError;
        QVERIFY2(spmTrain({"--input=" + f + "/text.txt", "--model_prefix=" + f + "/tokenizer", "--vocab_size=24",
                                  "--hard_vocab_limit=false", "--character_coverage=1.0"}, &trainError), qPrintable(trainError));
        QFile vocabFile(f + "/tokenizer.vocab");
        QVERIFY(vocabFile.open(QIODevice::ReadOnly));
        const int V = int(vocabFile.readAll().trimmed().split('\n').size());
        save(f + "/model.onnx", decoder(Weights(V)));
        write(f + "/config.json", "{\"architectures\": [\"LlamaForCausalLM\"], \"model_type\": \"llama\", \"bos_token_id\": 1, "
                                  "\"eos_token_id\": 2, \"max_position_embeddings\": 64}");
        if (qEnvironmentVariableIsSet("ATTNSCOPE_ONNX_DECODER_OUT"))  // for trying the export by hand (CLI, GUI)
            for (const char* name : {"model.onnx", "config.json", "tokenizer.model"})
                QFile::copy(f + "/" + name, qEnvironmentVariable("ATTNSCOPE_ONNX_DECODER_OUT") + "/" + name);
        QCOMPARE(QString::fromStdString(onnxDecoderModel(f.toStdString())), QDir(f).absoluteFilePath("model.onnx"));
        ScriptModel m;
        Status st = m.load(f.toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(m.spec().prepend, (std::vector<std::string>{"<s>"}));
        QCOMPARE(m.spec().eos, std::string("</s>"));
        QCOMPARE(m.spec().maxTokens, 64);
        QCOMPARE(m.spec().maxNewTokens, 40);
        AttentionTrace t;
        st = m.decode("In the beginning", nullptr, t);
        QVERIFY2(st.ok, st.message.c_str());
        const TraceTensor* self = t.find("self");
        QVERIFY(self);
        QCOMPARE(self->labels[3].front(), std::string("<s>"));
        QVERIFY2(self->labels[3][1].rfind("\xe2\x96\x81", 0) == 0, self->labels[3][1].c_str());  // SentencePiece's ▁
        // attnscope.json changes one key; the rest still comes from the folder.
        write(f + "/attnscope.json", "{\"input\": {\"max_new_tokens\": 2}}");
        st = m.load(f.toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(m.spec().maxNewTokens, 2);
        QCOMPARE(m.spec().eos, std::string("</s>"));
        QVERIFY(m.decode("In the beginning", nullptr, t).ok);
        QVERIFY(t.find("self")->shape[2] <= int64_t(t.find("self")->labels[3].size()));
        QFile::remove(f + "/attnscope.json");
        // A wrong eos id and a missing tokenizer are named.
        write(f + "/config.json", "{\"architectures\": [\"LlamaForCausalLM\"], \"model_type\": \"llama\", \"eos_token_id\": 999}");
        st = m.load(f.toStdString());
        QVERIFY2(!st.ok && st.message.find("eos_token_id (999) is not a token of the vocabulary") != std::string::npos, st.message.c_str());
        QFile::remove(f + "/tokenizer.model");
        st = m.load(f.toStdString());
        QVERIFY2(!st.ok && st.message.find("not SentencePiece") != std::string::npos, st.message.c_str());
        // A vision export's folder is not a decoder.
        write(f + "/config.json", "{\"architectures\": [\"ViTForImageClassification\"], \"model_type\": \"vit\"}");
        QVERIFY(onnxDecoderModel(f.toStdString()).empty());
    }

    void badDecodersAreNamed()
    {
        const Weights w(8);
        ScriptModel m;
        Status st = m.load(folder("merged", w, true).toStdString());
        QVERIFY2(!st.ok && st.message.find("merged decoder") != std::string::npos, st.message.c_str());
        const QString padded = folder("padded", w);
        write(padded + "/model.json", "{\"input\": {\"type\": \"decoder\", \"vocabulary\": \"vocab.txt\", \"pad_to\": 8}}");
        st = m.load(padded.toStdString());
        QVERIFY2(!st.ok && st.message.find("drop \"pad_to\"") != std::string::npos, st.message.c_str());
        write(padded + "/model.json", "{\"input\": {\"type\": \"decoder\", \"vocabulary\": \"vocab.txt\", \"eos\": \"<eos>\"}}");
        st = m.load(padded.toStdString());
        QVERIFY2(!st.ok && st.message.find("\"eos\" '<eos>' is not in the vocabulary") != std::string::npos, st.message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestOnnxDecoder)
#include "test_onnxdecoder.moc"
