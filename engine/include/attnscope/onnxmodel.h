#pragma once
// ONNX models read with Debian's libonnx (ONNX 1.12): parse, check (onnx::checker), infer
// shapes (onnx::shape_inference), and find the attention in the graph — every Softmax whose
// output has a head axis and two position axes, and every sigmoid gate that scales a feature
// map per channel (SE blocks). Reading only: running a graph with ATen is not implemented yet.
#include "attnscope/status.h"

#include <map>
#include <string>
#include <vector>

namespace attnscope {

/// A graph input or output: its name, element type and dimensions (−1: dynamic, with the
/// symbolic name in `symbols` when the graph gives one).
struct OnnxValue {
    std::string name;
    std::string elementType;  ///< "float", "int64", …
    std::vector<int64_t> dims;
    std::vector<std::string> symbols;
};

/// An attention tensor found in the graph.
struct OnnxAttention {
    enum class Kind { Softmax, ChannelGate };
    Kind kind = Kind::Softmax;
    std::string node;    ///< the node's name (or "<op> #index" when unnamed)
    std::string output;  ///< the tensor it produces
    int layer = 0;       ///< 0-based, in graph order among tensors of its kind
    std::vector<int64_t> shape;  ///< inferred; −1 where dynamic
    /// Softmax: heads (from [batch, head, query, key], or from a Reshape that splits
    /// [batch·head, query, key] into heads; 0 when not recovered). Channel gate: channels.
    int64_t heads = 0;
};

struct OnnxInspection {
    int64_t irVersion = 0;
    int64_t opset = 0;  ///< default domain
    std::string producer;
    std::vector<OnnxValue> inputs, outputs;
    std::map<std::string, int> operatorCounts;  ///< op type → nodes
    /// Operators outside the set the ATen interpreter is to cover (onnxOperatorSet), with
    /// the first node using each: "Hardmax (node h1)".
    std::vector<std::string> outsideOperatorSet;
    std::vector<OnnxAttention> attention;
    int64_t parameters = 0;  ///< elements of the initializers
    std::vector<std::string> warnings;  ///< e.g. shape inference gave up
};

/// The ONNX operators AttnScope's operator map is to run (issue 17 §1: common transformer,
/// ViT and CNN exports). Listed so that `inspect` can say which operators a model needs
/// beyond them.
const std::vector<std::string>& onnxOperatorSet();

/// Newest default-domain opset this ONNX library knows.
int64_t onnxMaxOpset();

/// Reads and checks an ONNX model and finds its attention. Errors (each a sentence): a
/// missing or unreadable file, larger than 2 GiB, bytes that are not an ONNX ModelProto
/// (truncated or random), a model the checker rejects (its message), an opset newer than
/// this library knows (both versions), weights in an external-data file that is missing.
Status inspectOnnx(const std::string& path, OnnxInspection& out);

/// The inspection as text for `attnscope inspect`.
std::string describeOnnx(const OnnxInspection& inspection);

} // namespace attnscope

namespace attnscope {

/// A float tensor in or out of an ONNX graph (row-major).
struct OnnxTensor {
    std::vector<int64_t> shape;
    std::vector<float> values;
};

/// The operators runOnnx maps onto ATen calls so far (a first part of onnxOperatorSet).
const std::vector<std::string>& onnxOperatorsRunnable();

/// Runs an ONNX graph on CPU with ATen, one function per operator (the ONNX spec's attributes
/// and numpy broadcasting): inputs by name (float), initializers from the file (float or
/// int64, raw or typed). Returns every value the graph computes that is a graph output or an
/// attention tensor inspectOnnx finds (Softmax outputs, channel gates), by name. Errors before
/// anything runs: the file's own errors (inspectOnnx), operators not in
/// onnxOperatorsRunnable (each named with its first node), a missing input or one of the wrong
/// size; while running: the operator and node that failed, with ATen's message.
Status runOnnx(const std::string& path, const std::map<std::string, OnnxTensor>& inputs,
               std::map<std::string, OnnxTensor>& out);

} // namespace attnscope
