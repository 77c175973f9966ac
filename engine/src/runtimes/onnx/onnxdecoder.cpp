// A decoder-only model exported as one ONNX graph (Optimum's model.onnx: input_ids,
// attention_mask, position_ids [, past_key_values.N.key/value] → logits; Llama-style graphs
// with rotary positions and grouped KV heads), run on the ATen interpreter. Greedy generation
// is one call over prompt + generated tokens per new token (past key values, when the graph
// takes them, are given empty: the attention of every step is then the whole square); the
// trace is the Softmax nodes whose queries and keys are those tokens, "self" [layer, head,
// query, key], as the TorchScript decoder-only kind gives it (ScriptModel::Impl::generate).
#include "onnxtext.h"
#include "runtimes/torchscript/scriptmodelimpl.h"
#include "runtimes/torchscript/sidecarjson.h"

#include "attnscope/resources.h"

#include <QFileInfo>

namespace attnscope {

using namespace onnxtext;

namespace {
/// Optimum's past inputs: past_key_values.N.key / .value [batch, KV heads, past length, head dim].
bool isPast(const std::string& name) { return name.rfind("past_key_values.", 0) == 0; }
} // namespace

Status ScriptModel::Impl::loadOnnxDecoder(const std::string& modelPath)
{
    if (auto st = readModelSpec(modelPath, spec); !st) return st;
    const std::string sidecar = sidecarPath(modelPath);
    const std::string where = sidecar.empty() ? QFileInfo(QString::fromStdString(modelPath)).absolutePath().toStdString() : sidecar;
    if (!spec.decoderOnly) return Status::error(where + ": a decoder-only export needs \"input\": {\"type\": \"decoder\", …}");
    if (spec.padTo > 0) return Status::error(where + ": an ONNX decoder takes any length; drop \"pad_to\"");
    initEngineThreads();
    auto m = std::make_unique<OnnxModel>();
    if (auto st = m->load(modelPath); !st) return st;
    if (!hasInput(*m, "input_ids")) return Status::error(modelPath + " has no input 'input_ids': not a text decoder graph");
    for (const auto& v : m->inspection().inputs) {
        if (v.name == "use_cache_branch")
            return Status::error(modelPath + " is Optimum's merged decoder (an If over two subgraphs, for the KV cache), which "
                                             "AttnScope does not run: export without --monolith/merging, or use model.onnx");
        if (isPast(v.name)) {
            if (v.dims.size() != 4 || v.dims[1] <= 0 || v.dims[3] <= 0)
                return Status::error(modelPath + ": the past input '" + v.name + "' has no fixed [batch, KV heads, past length, "
                                                 "head dim] shape, so AttnScope cannot give it empty");
            continue;
        }
        if (v.name != "input_ids" && v.name != "attention_mask" && v.name != "position_ids")
            return Status::error(modelPath + ": the input '" + v.name + "' is not one AttnScope fills (input_ids, attention_mask, "
                                             "position_ids, past_key_values.*)");
    }
    if (auto st = loadVocabulary(sourceTokenizer(), vocab); !st) return st;
    if (!vocab.ids.count(spec.eos))
        return Status::error(where + ": \"eos\" '" + spec.eos + "' is not in the vocabulary (" + std::to_string(vocab.tokens.size()) +
                             " tokens)");
    onnx = std::move(m);
    loaded = true;
    return Status::success();
}

namespace {
Status runDecoder(const OnnxModel& m, const std::vector<int64_t>& ids, const std::string& name, OnnxRunResult& r,
                  const OnnxRunOptions& options)
{
    const int64_t T = int64_t(ids.size());
    std::map<std::string, OnnxTensor> in;
    for (const auto& v : m.inspection().inputs) {
        if (v.name == "input_ids") {
            in[v.name] = int64Row(ids);
        } else if (v.name == "attention_mask") {
            in[v.name] = int64Row(std::vector<int64_t>(size_t(T), 1));
        } else if (v.name == "position_ids") {
            std::vector<int64_t> p(static_cast<size_t>(T));
            for (int64_t i = 0; i < T; ++i) p[size_t(i)] = i;
            in[v.name] = int64Row(p);
        } else if (isPast(v.name)) {
            OnnxTensor t;  // no past: [1, KV heads, 0, head dim]
            t.shape = {1, v.dims[1], 0, v.dims[3]};
            in[v.name] = std::move(t);
        }
    }
    if (auto st = m.run(in, r, {}, options); !st) return Status::error(name + " failed on this input: " + st.message);
    return Status::success();
}
} // namespace

Status ScriptModel::Impl::onnxDecoderNext(const std::vector<int64_t>& ids, int64_t& next, const OnnxRunOptions& options) const
{
    OnnxRunResult r;
    if (auto st = runDecoder(*onnx, ids, spec.name, r, options); !st) return st;
    return argmaxAt(r.values.at(logitsName(*onnx)), int64_t(ids.size()) - 1, int64_t(vocab.tokens.size()), spec.name, next);
}

Status ScriptModel::Impl::onnxDecoderAttention(const std::vector<int64_t>& ids, const std::vector<std::string>& tokens,
                                               AttentionTrace& trace, const OnnxRunOptions& options) const
{
    OnnxRunResult r;
    if (auto st = runDecoder(*onnx, ids, spec.name, r, options); !st) return st;
    const int64_t T = int64_t(ids.size());
    trace.scoreFunction = "onnx";
    TraceTensor x;
    const auto self = selfAttention(r, T);
    if (options.ablate.empty()) rememberSoftmaxes({{"self", self}});
    if (auto st = stack("self", self, tokens, tokens, x); !st)
        return Status::error(spec.name + ": the graph has no Softmax attention over the " + std::to_string(T) +
                             " tokens (`attnscope inspect` lists what it found)");
    trace.tensors.push_back(std::move(x));
    for (const auto& w : onnx->inspection().nonFiniteWeights) addTraceWarning(trace, "the model's weights hold NaN or ±Inf: " + w);
    addTraceWarning(trace, nonFiniteReport(trace));
    return Status::success();
}

} // namespace attnscope
