#pragma once
// A tiny vision-transformer classifier built with ONNX's protobuf API: a 4×4 RGB picture whose
// pixels are the patches (16 tokens of 3 values), one self-attention head (Softmax of Q·Kᵀ),
// the tokens' mean through a linear layer to 3 class logits; its sidecar names the logits and
// the labels file. Zeroing the head zeroes the logits, so every class gets 1/3. Shared by
// test_onnx (VisionModel) and test_headlab (run --ablate, prune --images).
#include "onnxgraph.h"

#include <QColor>
#include <QDir>
#include <QImage>

namespace onnxclassifier {
using namespace onnxgraph;

inline const char* const kLabels[] = {"Bag", "Coat", "Shirt"};

/// Writes folder/tiny-vit.onnx, its sidecar tiny-vit.json and labels.txt; returns the model's path.
inline QString writeClassifier(const QString& folder)
{
    op::ModelProto m = model("tiny-vit");
    m.mutable_opset_import(0)->set_version(13);  // ReduceMean's axes as an attribute
    auto* g = m.mutable_graph();
    addValue(g->mutable_input(), "pixel_values", op::TensorProto::FLOAT, {"1", "3", "4", "4"});
    int64s(g, "tokens", {3}, {1, 3, 16});
    floats(g, "Wq", {3, 3}, weights(3, 3, 1.7f));
    floats(g, "Wk", {3, 3}, weights(3, 3, 2.9f));
    floats(g, "Wc", {3, 3}, {2.0f, -1.0f, 0.5f, -1.5f, 2.5f, 0.0f, 0.5f, 0.0f, 3.0f});
    node(g, "Reshape", "flatten", {"pixel_values", "tokens"}, {"P"});
    perm(node(g, "Transpose", "to_tokens", {"P"}, {"X"}), {0, 2, 1});
    node(g, "MatMul", "q", {"X", "Wq"}, {"Q"});
    node(g, "MatMul", "k", {"X", "Wk"}, {"K"});
    perm(node(g, "Transpose", "kt", {"K"}, {"Kt"}), {0, 2, 1});
    node(g, "MatMul", "scores", {"Q", "Kt"}, {"S"});
    intAttr(node(g, "Softmax", "blocks.0.attn", {"S"}, {"A"}), "axis", -1);
    node(g, "MatMul", "mix", {"A", "X"}, {"Y"});
    auto* mean = node(g, "ReduceMean", "pool", {"Y"}, {"M"});
    intsAttr(mean, "axes", {1});
    intAttr(mean, "keepdims", 0);
    node(g, "MatMul", "head", {"M", "Wc"}, {"logits"});
    addValue(g->mutable_output(), "logits", op::TensorProto::FLOAT, {"1", "3"});
    const QString path = QDir(folder).filePath("tiny-vit.onnx");
    if (!save(path, m)) return {};
    write(QDir(folder).filePath("labels.txt"), "Bag\nCoat\nShirt\n");
    write(QDir(folder).filePath("tiny-vit.json"),
          R"({"name": "tiny-vit", "input": {"type": "image", "size": [4, 4], "channels": 3, "order": "RGB",
              "mean": [0, 0, 0], "std": [1, 1, 1], "patch": 1},
              "classes": {"output": "logits", "labels": "labels.txt"}})");
    return path;
}

/// A two-head ViT block as exporters write it, for the norm lens: tokens X [1, 16, 3]; Q, K, V =
/// X W [3, 4] split into 2 heads of 2 ([1, 2, 16, 2]); Softmax(Q·Kᵀ) mixes V; the heads merge
/// (Transpose, Reshape [1, 16, 4]) into a MatMul by W^O (kWo2, 4 × 3); mean over tokens → logits.
/// Writes folder/vit2.onnx and vit2.json; returns the model's path. The lens of head h is
/// α_ij ‖V_hj · W^O_h‖, W^O_h = rows 2h, 2h + 1 of kWo2.
inline const std::vector<float> kWv2 = {0.3f, -0.8f, 1.1f, 0.4f, 0.9f, 0.2f, -0.5f, 1.3f, -0.7f, 0.6f, 0.8f, -0.2f};
inline const std::vector<float> kWo2 = {0.5f, -1.0f, 2.0f, 1.5f, 0.0f, -0.5f, 0.25f, 1.0f, 1.0f, -0.75f, 0.5f, 0.125f};
inline QString writeTwoHeadVit(const QString& folder)
{
    op::ModelProto m = model("vit2");
    m.mutable_opset_import(0)->set_version(13);
    auto* g = m.mutable_graph();
    addValue(g->mutable_input(), "pixel_values", op::TensorProto::FLOAT, {"1", "3", "4", "4"});
    int64s(g, "tokens", {3}, {1, 3, 16});
    int64s(g, "split", {4}, {1, 16, 2, 2});
    int64s(g, "merged", {3}, {1, 16, 4});
    floats(g, "Wq", {3, 4}, weights(3, 4, 1.7f));
    floats(g, "Wk", {3, 4}, weights(3, 4, 2.9f));
    floats(g, "Wv", {3, 4}, kWv2);
    floats(g, "Wo", {4, 3}, kWo2);
    floats(g, "Wc", {3, 3}, {2.0f, -1.0f, 0.5f, -1.5f, 2.5f, 0.0f, 0.5f, 0.0f, 3.0f});
    node(g, "Reshape", "flatten", {"pixel_values", "tokens"}, {"P"});
    perm(node(g, "Transpose", "to_tokens", {"P"}, {"X"}), {0, 2, 1});
    for (const char* w : {"q", "k", "v"}) {
        const std::string W = std::string("W") + w, name(w);
        node(g, "MatMul", name, {"X", W}, {name + "_flat"});
        node(g, "Reshape", name + "_split", {name + "_flat", "split"}, {name + "_heads0"});
        perm(node(g, "Transpose", name + "_heads", {name + "_heads0"}, {name + "_h"}), {0, 2, 1, 3});
    }
    perm(node(g, "Transpose", "kt", {"k_h"}, {"Kt"}), {0, 1, 3, 2});
    node(g, "MatMul", "scores", {"q_h", "Kt"}, {"S"});
    intAttr(node(g, "Softmax", "blocks.0.attn", {"S"}, {"A"}), "axis", -1);
    node(g, "MatMul", "mix", {"A", "v_h"}, {"C"});
    perm(node(g, "Transpose", "merge", {"C"}, {"Ct"}), {0, 2, 1, 3});
    node(g, "Reshape", "heads_merged", {"Ct", "merged"}, {"M0"});
    node(g, "MatMul", "out_proj", {"M0", "Wo"}, {"Y"});
    auto* mean = node(g, "ReduceMean", "pool", {"Y"}, {"M"});
    intsAttr(mean, "axes", {1});
    intAttr(mean, "keepdims", 0);
    node(g, "MatMul", "head", {"M", "Wc"}, {"logits"});
    addValue(g->mutable_output(), "logits", op::TensorProto::FLOAT, {"1", "3"});
    const QString path = QDir(folder).filePath("vit2.onnx");
    if (!save(path, m)) return {};
    write(QDir(folder).filePath("vit2.json"),
          R"({"name": "vit2", "input": {"type": "image", "size": [4, 4], "channels": 3, "order": "RGB",
              "mean": [0, 0, 0], "std": [1, 1, 1], "patch": 1}})");
    return path;
}
/// A 4×4 picture of one colour (red, green or blue by `colour` 0–2) with a lighter top row.
inline bool writePicture(const QString& path, int colour)
{
    QImage img(4, 4, QImage::Format_RGB888);
    img.fill(QColor(colour == 0 ? 230 : 20, colour == 1 ? 230 : 20, colour == 2 ? 230 : 20));
    for (int x = 0; x < 4; ++x) img.setPixelColor(x, 0, QColor(200, 200, 200));
    return img.save(path);
}

} // namespace onnxclassifier
