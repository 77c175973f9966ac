#pragma once
// What the ONNX text runtimes share (engine-internal): the tokens model (one graph), the
// encoder–decoder pair (onnxtranslator.cpp) and the decoder-only generator (onnxdecoder.cpp).
#include "attnscope/onnxmodel.h"
#include "attnscope/trace.h"

#include <QDir>
#include <QJsonObject>

#include <string>
#include <vector>

namespace attnscope::onnxtext {

/// Whether the graph has an input called `name`.
bool hasInput(const OnnxModel& m, const std::string& name);

/// A [1, n] int64 tensor holding `ids`.
OnnxTensor int64Row(const std::vector<int64_t>& ids);

/// One found Softmax of a run as [heads, query, key] values (batch 1).
struct FoundHead {
    std::string node;
    std::string output;  ///< the Softmax's output tensor (what head ablation changes)
    int64_t heads = 0, queries = 0, keys = 0;
    const std::vector<float>* values = nullptr;  ///< points into the run's result
};

/// The Softmax attention of a run (batch 1), in graph order; a batch > 1 is skipped.
std::vector<FoundHead> softmaxes(const OnnxRunResult& r);

/// Self-attention over `tokens` positions: the Softmax nodes whose query and key extents are
/// both `tokens`, with the first such node's head count, in graph order.
std::vector<FoundHead> selfAttention(const OnnxRunResult& r, int64_t tokens);

/// Softmax outputs of one kind stacked as [layer, head, query, key] named `name`, layers
/// labelled with their node names, heads h1…hH, queries and keys with the tokens. Errors: an
/// empty list, layers with different head counts (both named).
Status stack(const std::string& name, const std::vector<FoundHead>& layers, const std::vector<std::string>& queries,
             const std::vector<std::string>& keys, TraceTensor& out);

/// The norm lens of found `layers` (OnnxRunOptions::normLens) stacked like stack() as
/// "<name>.norm" into `out`; false with `why` (the first node whose lens is missing) when any
/// layer has none.
bool stackNormLens(const OnnxRunResult& r, const std::string& name, const std::vector<FoundHead>& layers,
                   const std::vector<std::string>& queries, const std::vector<std::string>& keys, TraceTensor& out, std::string& why);

/// The graph's logits output: the one called "logits", else the first.
std::string logitsName(const OnnxModel& m);

/// Greedy decoding's next id: the argmax of row `position` of logits [1, positions, V] over
/// the first `vocabulary` entries (V may be padded past the tokenizer's size). Errors: the
/// logits are narrower than the vocabulary or shorter than `position` + 1 (sizes named).
Status argmaxAt(const OnnxTensor& logits, int64_t position, int64_t vocabulary, const std::string& what, int64_t& next);

/// A JSON object file `name` in `dir`: empty when the file is absent; `error` set when it is
/// unreadable, over 4 MiB or not an object.
QJsonObject readJson(const QDir& dir, const char* name, std::string& error);

} // namespace attnscope::onnxtext
