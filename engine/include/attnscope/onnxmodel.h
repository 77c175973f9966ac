#pragma once
// ONNX models read with Debian's libonnx (ONNX 1.12): parse, check (onnx::checker), infer
// shapes (onnx::shape_inference), convert old opsets (onnx::version_conversion), find the
// attention in the graph — every Softmax of Q·Kᵀ whose output has a head axis and two position
// axes, and every sigmoid gate that scales a feature map per channel (SE blocks) — and run the
// graph on CPU with ATen (OnnxModel: the operator map of engine/src/io/onnxops.cpp, one
// function per operator onto the LibTorch call; ONNX operator spec, onnx.ai/onnx/operators).
#include "attnscope/status.h"

#include <map>
#include <memory>
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
    std::vector<int64_t> shape;  ///< inferred (−1 where dynamic; empty when unknown until run)
    int64_t axis = -1;           ///< Softmax: the normalised axis as written (may be negative)
    /// Channel gate: the feature map it scales (the Mul's other input).
    std::string gated;
    /// Softmax: the Reshape that splits [batch·head, query, key] into heads, when one follows.
    std::string headSplit;
    /// Softmax: heads (from [batch, head, query, key], or from a Reshape that splits
    /// [batch·head, query, key] into heads; 0 when not recovered). Channel gate: channels.
    int64_t heads = 0;
    /// Softmax, the norm lens's pattern (Kobayashi et al. 2020): V — the other input of the MatMul
    /// that weights by these probabilities — and W^O — the initializer of the MatMul after the
    /// heads are merged (Transpose / Reshape). Empty when not found; `lensMissing` says where the
    /// pattern broke, naming the node.
    std::string values, outputProjection, lensMissing;
};

struct OnnxInspection {
    int64_t irVersion = 0;
    int64_t opset = 0;  ///< default domain
    std::string producer;
    std::vector<OnnxValue> inputs, outputs;
    std::map<std::string, int> operatorCounts;  ///< op type → nodes
    /// Operators the operator map does not run (onnxOperatorsRunnable), with the first node
    /// using each: "Hardmax (node h1)".
    std::vector<std::string> unsupported;
    std::vector<OnnxAttention> attention;
    int64_t parameters = 0;  ///< elements of the initializers
    std::vector<std::string> warnings;  ///< e.g. shape inference gave up
    /// Initializers (stored in the file, float types) holding NaN or ±Inf: "'W' (3 of 64 values)".
    std::vector<std::string> nonFiniteWeights;
};

/// The operator set of common transformer, ViT and CNN exports that the operator map must
/// cover (issue 17 §1); a test checks that each is in onnxOperatorsRunnable.
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

/// A tensor in or out of an ONNX graph (row-major): float32 values, or — for an int64 input
/// such as input_ids — int64Values. Outputs are always float32 values.
struct OnnxTensor {
    std::vector<int64_t> shape;
    std::vector<float> values;
    std::vector<int64_t> int64Values;
};

/// The operators the ONNX operator map runs with ATen (engine/src/io/onnxops.cpp), sorted.
const std::vector<std::string>& onnxOperatorsRunnable();

/// Oldest default-domain opset the operator map reads as is; older models are brought forward
/// with ONNX's version converter (onnx::version_conversion::ConvertVersion) to
/// kOnnxConvertTarget when loaded.
constexpr int64_t kOnnxOldestOpset = 7;
constexpr int64_t kOnnxConvertTarget = 11;

/// What one run of an ONNX graph gives.
struct OnnxRunResult {
    /// Graph outputs, attention tensors (Softmax outputs, channel gates) and the feature maps
    /// the gates scale, by tensor name.
    std::map<std::string, OnnxTensor> values;
    /// The attention found, confirmed with the shapes of this run: a Softmax candidate whose
    /// output turned out to have fewer than 3 axes, or not to normalise the last one, is
    /// dropped; heads are filled in from the run ([batch, head, query, key], or the Reshape
    /// that splits [batch·head, query, key]).
    std::vector<OnnxAttention> attention;
    /// Time inside the operators' ATen calls, in total and per operator type (ms): the rest of
    /// a run is the interpreter's own (input checks, value lookups, liveness, outputs).
    /// With OnnxRunOptions::normLens: Softmax output → why its norm lens could not be read.
    std::map<std::string, std::string> lensUnavailable;
    double kernelMilliseconds = 0;
    std::map<std::string, double> operatorMilliseconds;
};

/// Interventions in one run: head ablation (attnscope/ablation.h). Each Softmax output named
/// here has the listed heads (0-based; the head axis is 1 of [batch, head, query, key], or 0
/// of [head, query, key] at batch 1) zeroed — HuggingFace head_mask semantics, A_h × 0 — or,
/// with `uniform`, replaced by the uniform distribution over the keys the softmax left
/// non-zero. Everything downstream (A·V, the outputs) and the recorded attention see the
/// changed weights.
struct OnnxRunOptions {
    std::map<std::string, std::vector<int64_t>> ablate;  ///< Softmax output tensor → heads
    bool uniform = false;
    /// The norm lens of every Softmax attention whose pattern was found (OnnxAttention::values,
    /// outputProjection): α_ij ‖f_h(x_j)‖, f_h(v) = v_h W^O_h (Kobayashi et al. 2020, eq. 5; V
    /// already holds x W^V + b^V), as OnnxRunResult::values["<output>.norm"], the Softmax
    /// output's shape.
    bool normLens = false;
};

struct OnnxTensorRun;

/// An ONNX model loaded for running on CPU with ATen: parsed, checked, converted when older
/// than kOnnxOldestOpset, every operator mapped (or refused), initializers read once.
/// Thread-compatible: run() is const and may be called from one thread at a time per model
/// (LibTorch's intra-op threads do the parallel work).
class OnnxModel {
public:
    OnnxModel();
    ~OnnxModel();
    OnnxModel(const OnnxModel&) = delete;
    OnnxModel& operator=(const OnnxModel&) = delete;

    /// Errors: the file's own (inspectOnnx); an opset the converter cannot bring forward;
    /// operators not in onnxOperatorsRunnable, each named with its first node ("Hardmax (node
    /// odd)"), before anything runs; initializers of an element type not read.
    Status load(const std::string& path);
    bool loaded() const;
    const OnnxInspection& inspection() const;
    std::string path() const;
    /// Non-empty when the model was converted: "opset 6 converted to 11 by ONNX's version converter".
    std::string conversionNote() const;

    /// Runs the graph once (ONNX semantics per operator, numpy broadcasting). Inputs by name
    /// (float32, or int64 where the graph takes int64), each with its concrete shape: a dynamic axis takes whatever size is given,
    /// a fixed one must match. `progress(node, nodes)` after each node; returning false
    /// cancels ("cancelled"). Errors: a missing input, a wrong rank or axis size or value
    /// count; the node and operator that failed with ATen's message; an ablated head past the
    /// Softmax's head count.
    Status run(const std::map<std::string, OnnxTensor>& inputs, OnnxRunResult& out, const ProgressFn& progress = {},
               const OnnxRunOptions& options = {}) const;
    /// Engine-internal: the same walk on LibTorch tensors with autograd on, Softmax outputs
    /// scaled per head by gates (OnnxTensorRun, runtimes/onnx/onnxops.h) — head importance by
    /// gradient through the interpreter. Errors: as run().
    Status runTensors(OnnxTensorRun& io) const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

/// Loads the model at `path` and runs it once (OnnxModel::load + run): graph outputs and
/// attention tensors by name.
Status runOnnx(const std::string& path, const std::map<std::string, OnnxTensor>& inputs,
               std::map<std::string, OnnxTensor>& out);

} // namespace attnscope
