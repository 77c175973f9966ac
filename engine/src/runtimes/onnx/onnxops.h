#pragma once
// The map from ONNX operators onto ATen calls (engine-internal; includes LibTorch). One
// function per operator, following the ONNX operator spec (https://onnx.ai/onnx/operators/):
// attributes, optional inputs, opset-dependent forms (an attribute before opset 10/11/13, an
// input after) and numpy-style broadcasting (which ATen's own broadcasting implements).
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace attnscope::onnxops {

/// What a kernel sees besides its inputs: the node (attributes) and the model's opset.
struct Context {
    const ONNX_NAMESPACE::NodeProto& node;
    int64_t opset;
};

/// Inputs in node order; an absent optional input (empty name) is an undefined tensor.
using Kernel = std::function<std::vector<torch::Tensor>(const Context&, const std::vector<torch::Tensor>&)>;

/// Operator type → kernel.
const std::unordered_map<std::string, Kernel>& kernels();

/// A TensorProto (initializer or Constant value) as a tensor: float, double, float16 (read as
/// float), int64, int32, int8, uint8, bool; raw_data or the typed fields. Throws for other
/// element types and for data stored externally (`dir` is where external files are looked for).
torch::Tensor fromProto(const ONNX_NAMESPACE::TensorProto& t, const std::string& dir = {});

} // namespace attnscope::onnxops

namespace attnscope {
/// OnnxModel::runTensors' inputs and outputs: gradients flow from the outputs back to the gates
/// (and to any input that requires them, e.g. an encoder's states fed to a decoder).
struct OnnxTensorRun {
    std::unordered_map<std::string, torch::Tensor> inputs;  ///< by graph input name
    /// Softmax output name → gate ξ [heads]: each head's probabilities × ξ_h (Michel et al. 2019,
    /// eq. 2: ξ_h = 1 leaves the model as it is, ∂L/∂ξ_h is the head's importance).
    std::unordered_map<std::string, torch::Tensor> gates;
    std::unordered_map<std::string, torch::Tensor> outputs;  ///< the graph outputs
};

struct OnnxInspection;
struct Status;
/// Parses the ONNX file at `path` (errors: missing, unreadable, over 2 GiB, not a ModelProto).
Status readOnnxFile(const std::string& path, ONNX_NAMESPACE::ModelProto& model);
/// inspectOnnx on a parsed model (shape inference writes value_info into `model`); `path`
/// names it in messages and locates external-data files.
Status inspectOnnxModel(ONNX_NAMESPACE::ModelProto& model, const std::string& path, OnnxInspection& out);
} // namespace attnscope
