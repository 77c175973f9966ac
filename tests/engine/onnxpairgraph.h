#pragma once
// A Marian-shaped translator as Optimum exports it, built with ONNX's protobuf API: one
// encoder layer (self-attention) and one decoder layer (causal self-attention, the mask made by
// Trilu, then cross-attention over the encoder's states), d = 4, a word vocabulary of 8, and an
// attnscope.json naming the tokenizers. Shared by test_onnxtranslator (which checks it against
// the same function by hand) and the UI tests that open such a folder.
#include "onnxgraph.h"

namespace onnxpair {
using namespace onnxgraph;

inline int V = 8;  // vocabulary: <pad> </s> dios es amor god is love (the Marian test sets its own)
constexpr int D = 4;
inline const char* const kVocab = "<pad>\n</s>\ndios\nes\namor\ngod\nis\nlove\n";

struct Weights {
    std::vector<float> E = weights(V, D, 0.1f), Wq = weights(D, D, 1.3f), Wk = weights(D, D, 2.2f);
    std::vector<float> Et = weights(V, D, 3.1f), Wq2 = weights(D, D, 4.4f), Wk2 = weights(D, D, 5.3f), Wc = weights(D, D, 6.2f);
    std::vector<float> Wout = weights(D, V, 7.7f);
};

/// encoder_model.onnx: input_ids, attention_mask → last_hidden_state = softmax(XWq·(XWk)ᵀ)·X.
inline op::ModelProto encoder(const Weights& w)
{
    op::ModelProto m = model("encoder");
    auto* g = m.mutable_graph();
    addValue(g->mutable_input(), "input_ids", op::TensorProto::INT64, {"1", "encoder_sequence_length"});
    addValue(g->mutable_input(), "attention_mask", op::TensorProto::INT64, {"1", "encoder_sequence_length"});
    floats(g, "E", {V, D}, w.E);
    floats(g, "Wq", {D, D}, w.Wq);
    floats(g, "Wk", {D, D}, w.Wk);
    node(g, "Gather", "embed", {"E", "input_ids"}, {"X"});
    node(g, "MatMul", "q", {"X", "Wq"}, {"Q"});
    node(g, "MatMul", "k", {"X", "Wk"}, {"K"});
    perm(node(g, "Transpose", "kt", {"K"}, {"Kt"}), {0, 2, 1});
    node(g, "MatMul", "scores", {"Q", "Kt"}, {"S"});
    intAttr(node(g, "Softmax", "encoder.layers.0.self_attn", {"S"}, {"A"}), "axis", -1);
    node(g, "MatMul", "mix", {"A", "X"}, {"last_hidden_state"});
    addValue(g->mutable_output(), "last_hidden_state", op::TensorProto::FLOAT, {"1", "encoder_sequence_length", std::to_string(D)});
    return m;
}

/// decoder_model.onnx: causal self-attention (Trilu mask) then cross-attention over the
/// encoder's states, logits = (cross · H) · Wout.
inline op::ModelProto decoder(const Weights& w)
{
    op::ModelProto m = model("decoder");
    auto* g = m.mutable_graph();
    addValue(g->mutable_input(), "input_ids", op::TensorProto::INT64, {"1", "decoder_sequence_length"});
    addValue(g->mutable_input(), "encoder_attention_mask", op::TensorProto::INT64, {"1", "encoder_sequence_length"});
    addValue(g->mutable_input(), "encoder_hidden_states", op::TensorProto::FLOAT, {"1", "encoder_sequence_length", std::to_string(D)});
    floats(g, "Et", {V, D}, w.Et);
    floats(g, "Wq2", {D, D}, w.Wq2);
    floats(g, "Wk2", {D, D}, w.Wk2);
    floats(g, "Wc", {D, D}, w.Wc);
    floats(g, "Wout", {D, V}, w.Wout);
    floats(g, "one", {}, {1.0f});
    floats(g, "big", {}, {10000.0f});
    node(g, "Gather", "embed", {"Et", "input_ids"}, {"Y"});
    node(g, "MatMul", "q", {"Y", "Wq2"}, {"Qs"});
    node(g, "MatMul", "k", {"Y", "Wk2"}, {"Ks"});
    perm(node(g, "Transpose", "kt", {"Ks"}, {"Kst"}), {0, 2, 1});
    node(g, "MatMul", "self_scores", {"Qs", "Kst"}, {"S1"});
    const std::string masked = causalMask(g, "S1", "self_", "one", "big");
    intAttr(node(g, "Softmax", "decoder.layers.0.self_attn", {masked}, {"As"}), "axis", -1);
    node(g, "MatMul", "self_mix", {"As", "Y"}, {"Z"});
    node(g, "MatMul", "cq", {"Z", "Wc"}, {"Qc"});
    perm(node(g, "Transpose", "ht", {"encoder_hidden_states"}, {"Ht"}), {0, 2, 1});
    node(g, "MatMul", "cross_scores", {"Qc", "Ht"}, {"S2"});
    intAttr(node(g, "Softmax", "decoder.layers.0.encoder_attn", {"S2"}, {"Ac"}), "axis", -1);
    node(g, "MatMul", "cross_mix", {"Ac", "encoder_hidden_states"}, {"C"});
    node(g, "MatMul", "out", {"C", "Wout"}, {"logits"});
    addValue(g->mutable_output(), "logits", op::TensorProto::FLOAT, {"1", "decoder_sequence_length", std::to_string(V)});
    return m;
}

inline const char* const kSidecar =
    "{\"name\": \"tiny-marian-onnx\", \"input\": {\"type\": \"seq2seq\", \"source\": {\"vocabulary\": \"vocab.txt\", "
    "\"append\": [\"</s>\"]}, \"target\": {\"vocabulary\": \"vocab.txt\"}, \"pad\": \"<pad>\", \"decoder_start\": \"<pad>\", "
    "\"eos\": \"</s>\", \"max_new_tokens\": 5}}";

/// Writes the pair, its vocabulary and attnscope.json into `folder` (false when a file cannot be written).
inline bool writeFolder(const QString& folder, const Weights& w = Weights())
{
    return save(folder + "/encoder_model.onnx", encoder(w)) && save(folder + "/decoder_model.onnx", decoder(w)) &&
           write(folder + "/vocab.txt", kVocab) && write(folder + "/attnscope.json", kSidecar);
}

} // namespace onnxpair
