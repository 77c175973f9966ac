#pragma once
// ScriptModel's inside (engine-internal; LibTorch and OpenCV types), shared by
// torchscript.cpp (loading, single-call models, ONNX text models) and scriptgenerate.cpp (the
// generating kinds: encoder–decoder and decoder-only).
#include "attnscope/ablation.h"
#include "attnscope/onnxmodel.h"
#include "attnscope/scriptmodel.h"
#include "runtimes/onnx/onnxtext.h"
#include "scripttokens.h"

#include <functional>
#include <mutex>

#include <opencv2/core.hpp>
#include <torch/script.h>

#include <memory>

namespace attnscope {

struct ScriptModel::Impl {
    ScriptModelSpec spec;

    /// pixel_values [1, C, H, W] of the image file at `path`, and one label per patch.
    Status imageInput(const std::string& path, torch::Tensor& input, std::vector<std::string>& labels) const;

    /// pixel_values [1, T, C, H, W] of `frames` frames sampled evenly over the video at `path`,
    /// labelled with their frame indices.
    Status videoInput(const std::string& path, torch::Tensor& input, std::vector<std::string>& labels) const;

    /// One decoded image (OpenCV BGR / BGRA / grey, any depth) as [C, H, W], converted as the
    /// sidecar says (prepareVisionInput).
    torch::Tensor pixels(const cv::Mat& img) const;

    mutable torch::jit::Module module;
    /// One call of the module without gradients; an exception becomes "… failed on this input".
    Status forward(std::vector<torch::jit::IValue> args, torch::jit::IValue& result) const;
    std::unique_ptr<OnnxModel> onnx;  ///< an ONNX text model instead of the module
    /// An ONNX encoder–decoder pair instead of the module (onnxtranslator.cpp).
    std::unique_ptr<OnnxModel> encoderGraph, decoderGraph;
    Status loadOnnxPair(const std::string& folder);
    Status decodeOnnxPair(const std::string& source, const std::string* reference, AttentionTrace& out,
                          std::string* translation, const ProgressFn& cancel, const HeadAblation* ablation = nullptr) const;
    /// ScriptModel::headGradients of an ONNX pair.
    Status onnxHeadGradients(const std::string& source, const std::string& reference, const std::vector<std::string>& kinds,
                             std::vector<float>& out) const;

    /// An ONNX decoder-only model in `onnx` (onnxdecoder.cpp): loading (its sidecar, or the
    /// spec its folder implies), the greedy next token after `ids`, and the trace's
    /// self-attention over `ids` ([layer, head, query, key] "self", labelled with `tokens`).
    Status loadOnnxDecoder(const std::string& modelPath);
    Status onnxDecoderNext(const std::vector<int64_t>& ids, int64_t& next, const OnnxRunOptions& options) const;
    Status onnxDecoderAttention(const std::vector<int64_t>& ids, const std::vector<std::string>& tokens, AttentionTrace& trace,
                                const OnnxRunOptions& options) const;

    Status runOnnx(const std::string& text, const std::vector<std::string>& tokens, const std::vector<int64_t>& ids,
                   AttentionTrace& out, const HeadAblation* ablation = nullptr) const;

    /// Head ablation of ONNX models (onnxtext.cpp). The Softmax output tensor of each layer of
    /// each kind, and the kind's [layers, heads], are learnt from an unablated run
    /// (rememberSoftmaxes); ablationRunOptions turns `ablation`'s heads of `kinds` into run
    /// options for the graph that computes them, calling `probe` (an unablated run of the same
    /// input) first when they are not known yet. Errors: those of resolveAblation (the valid
    /// ranges named), a kind ablated that this model does not have.
    mutable std::mutex softmaxMutex;
    mutable std::map<std::string, std::vector<std::string>> softmaxOutputs;
    mutable std::map<std::string, std::pair<int64_t, int64_t>> softmaxShapes;
    void rememberSoftmaxes(const std::map<std::string, std::vector<onnxtext::FoundHead>>& kinds) const;
    Status ablationRunOptions(const HeadAblation& ablation, const std::vector<std::string>& kinds, const std::function<Status()>& probe,
                              OnnxRunOptions& out) const;
    Vocabulary vocab, targetVocab;
    bool loaded = false;

    /// The source side's tokenizer (the spec's own fields).
    ScriptTokenizer sourceTokenizer() const;

    /// Tokens and their ids, or an error for an unknown word with no unknown token.
    Status encode(const std::string& text, std::vector<std::string>& tokens, std::vector<int64_t>& ids) const;

    /// A seq2seq source's tokens and ids, or why not: empty, an unknown word, longer than
    /// pad_to / max_tokens (both sizes named).
    Status encodeSource(const std::string& source, std::vector<std::string>& tokens, std::vector<int64_t>& ids) const;
    Status decodeSeq2Seq(const std::string& source, const std::string* reference, AttentionTrace& out,
                         std::string* translation, const ProgressFn& cancel, const HeadAblation* ablation = nullptr) const;
    /// The sidecar's head-mask arguments (spec.headMasks) as float [layers, heads] tensors:
    /// ones, and 0 for the heads `ablation` (may be null) zeroes — HuggingFace's head_mask.
    /// Errors: uniform ablation (a mask can only zero), heads or kinds the masks do not have
    /// (resolveAblation's message with the valid ranges).
    Status headMaskArguments(const HeadAblation* ablation, std::map<std::string, torch::Tensor>& out) const;
    Status generate(const std::string& prompt, const std::string* continuation, AttentionTrace& out,
                    std::string* generated, const ProgressFn& cancel, const HeadAblation* ablation = nullptr) const;
};

namespace scriptmodel {
/// "2 × 8 × 40" (or "a scalar"), for messages.
std::string shapeOf(const torch::Tensor& t);
/// The output `o` of a module's result; `perLayer`: a tuple/list of equally shaped tensors
/// stacked as a leading layer axis. Errors name `what` and the mismatch.
Status pickTensor(const torch::jit::IValue& result, const ScriptOutput& o, bool perLayer, const std::string& what,
                  torch::Tensor& out);
/// One (non-Q/K) attention entry of the sidecar read from a module's result into `trace`:
/// picked, checked against the sidecar's axes, its query and key axes cut to the real token
/// counts (an extent of `padded` > 0 is padding) and labelled; with "value_norms", its norm
/// lens "<name>.norm" beside it; a warning of the conversion goes to the trace's metadata.
/// Errors name the axis and both sizes.
Status readAttention(const torch::jit::IValue& result, const ScriptAttentionSpec& a, const std::string& what,
                     const std::vector<std::string>& queryTokens, const std::vector<std::string>& keyTokens,
                     const std::string& querySide, const std::string& keySide, int64_t padded, const std::string& unit,
                     AttentionTrace& trace);
/// The 2-D alignment the matrix shows and gold scores, "cross" [target, source], inserted first:
/// `tensor`'s penultimate layer (or the sidecar's "alignment" layer), mean over heads (or its
/// head), as Garg et al. (2019) read a Transformer; metadata "cross_from" says which
/// (schema::translation::kCrossFromMeta), so the matrix's title names it.
Status insertAlignment(AttentionTrace& trace, const std::string& tensor, const ScriptModelSpec& spec);
/// An empty translation trace of `spec`'s model: input, mode (forced when `reference` is
/// given, else free) and reference in its metadata, `scoreFunction` ("torchscript", "onnx").
AttentionTrace translationTrace(const ScriptModelSpec& spec, const std::string& source, const std::string* reference,
                                const std::string& scoreFunction);
/// Forced decoding's log-likelihood of the reference (nats): Σ_t log softmax(logits[t])[next[t]]
/// for t ≥ `first` (skipping tokens the decoder is given, e.g. NLLB's language code).
/// `logits` [≥ next.size(), vocabulary]; the last of `next` is eos. Written to the trace as
/// metadata schema::translation::kLogLikelihoodMeta (head importance by ablation reads it).
double referenceLogLikelihood(const torch::Tensor& logits, const std::vector<int64_t>& next, size_t first);
/// Tokens joined by spaces (a translation as the CLI and the workspace show it).
std::string joinTokens(const std::vector<std::string>& tokens);
} // namespace scriptmodel

} // namespace attnscope
