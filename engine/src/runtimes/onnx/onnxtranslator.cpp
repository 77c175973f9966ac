// An encoder–decoder translator exported as two ONNX graphs (Optimum's layout:
// encoder_model.onnx: input_ids, attention_mask → last_hidden_state; decoder_model.onnx:
// input_ids, encoder_attention_mask, encoder_hidden_states → logits), run on the ATen
// interpreter. The attention exists only as the graphs' Softmax nodes (OnnxModel finds them);
// it is named as for a TorchScript translator: the encoder's Softmax nodes are encoder_self,
// the decoder's are cross_attention when their keys are the source, else decoder_self; layers
// numbered in graph order within each kind, heads from the run, [layer, head, query, key].
// Forced decoding is one decoder call over the whole target; greedy generation one call per
// token until eos or max_new_tokens.
#include "onnxops.h"
#include "onnxtext.h"
#include "runtimes/torchscript/scriptmodelimpl.h"
#include "runtimes/torchscript/sidecarjson.h"

#include "attnscope/corpus.h"
#include "attnscope/headstats.h"
#include "attnscope/resources.h"
#include "attnscope/schema.h"

#include <QFileInfo>

#include <algorithm>
#include <tuple>

namespace attnscope {

using namespace onnxtext;

Status ScriptModel::Impl::loadOnnxPair(const std::string& folder)
{
    if (auto st = exportFolderSpec(folder, false, spec); !st) return st;
    const std::string sidecar = sidecarPath(folder);
    const std::string where = sidecar.empty() ? folder + "/config.json" : sidecar;
    if (!spec.seq2seq) return Status::error(where + ": an encoder–decoder export needs \"input\": {\"type\": \"seq2seq\", …}");
    if (spec.encoderGraph.empty() || spec.decoderGraph.empty())
        return Status::error(folder + ": the encoder or decoder graph is missing (encoder_model.onnx and decoder_model.onnx, or "
                                      "\"encoder\" / \"decoder\" in attnscope.json)");
    if (spec.padTo > 0) return Status::error(where + ": an ONNX pair takes any length; drop \"pad_to\"");
    initEngineThreads();
    const auto open = [&](const std::string& path, std::unique_ptr<OnnxModel>& m) -> Status {
        if (QFileInfo(QString::fromStdString(path)).fileName() == QLatin1String("decoder_model_merged.onnx"))
            return Status::error(path + " is Optimum's merged decoder (an If over two subgraphs, for the KV cache), which "
                                        "AttnScope does not run: name decoder_model.onnx as \"decoder\"");
        if (!QFileInfo::exists(QString::fromStdString(path))) return Status::error(path + " is missing");
        m = std::make_unique<OnnxModel>();
        return m->load(path);
    };
    if (auto st = open(spec.encoderGraph, encoderGraph); !st) return st;
    if (auto st = open(spec.decoderGraph, decoderGraph); !st) return st;
    if (!hasInput(*encoderGraph, "input_ids"))
        return Status::error(spec.encoderGraph + " has no input 'input_ids': not an Optimum encoder graph");
    for (const auto& v : encoderGraph->inspection().inputs)
        if (v.name != "input_ids" && v.name != "attention_mask")
            return Status::error(spec.encoderGraph + ": the input '" + v.name + "' is not one AttnScope fills (input_ids, attention_mask)");
    for (const char* need : {"input_ids", "encoder_hidden_states"})
        if (!hasInput(*decoderGraph, need))
            return Status::error(spec.decoderGraph + " has no input '" + need + "': not an Optimum decoder graph" +
                                 (hasInput(*decoderGraph, "past_key_values.0.key") ? " (it is the one with past key values)" : ""));
    for (const auto& v : decoderGraph->inspection().inputs)
        if (v.name != "input_ids" && v.name != "encoder_attention_mask" && v.name != "encoder_hidden_states" && v.name != "attention_mask")
            return Status::error(spec.decoderGraph + ": the input '" + v.name +
                                 "' is not one AttnScope fills (input_ids, encoder_attention_mask, encoder_hidden_states)");
    if (auto st = loadVocabulary(sourceTokenizer(), vocab); !st) return st;
    if (auto st = loadVocabulary(spec.target, targetVocab); !st) return st;
    for (const auto& t : spec.target.prepend)
        if (!targetVocab.ids.count(t))
            return Status::error(where + ": the target's first token '" + t + "' is not in the target vocabulary (" +
                                 std::to_string(targetVocab.tokens.size()) + " tokens)");
    for (const auto& [field, token] : {std::pair<const char*, const std::string*>{"decoder_start", &spec.decoderStart}, {"eos", &spec.eos}})
        if (!targetVocab.ids.count(*token))
            return Status::error(where + ": \"" + field + "\" '" + *token + "' is not in the target vocabulary (" +
                                 std::to_string(targetVocab.tokens.size()) + " tokens)");
    loaded = true;
    return Status::success();
}

void ScriptModel::Impl::rememberSoftmaxes(const std::map<std::string, std::vector<FoundHead>>& kinds) const
{
    const std::lock_guard<std::mutex> lock(softmaxMutex);
    for (const auto& [kind, found] : kinds) {
        if (found.empty()) continue;
        std::vector<std::string>& outputs = softmaxOutputs[kind];
        outputs.clear();
        for (const auto& f : found) outputs.push_back(f.output);
        softmaxShapes[kind] = {int64_t(found.size()), found.front().heads};
    }
}

Status ScriptModel::Impl::ablationRunOptions(const HeadAblation& ablation, const std::vector<std::string>& kinds,
                                             const std::function<Status()>& probe, OnnxRunOptions& out) const
{
    out = OnnxRunOptions{};
    bool known = false;
    {
        const std::lock_guard<std::mutex> lock(softmaxMutex);
        known = !softmaxShapes.empty();
    }
    if (!known)
        if (auto st = probe(); !st) return st;
    HeadAblation resolved = ablation;
    std::map<std::string, std::vector<std::string>> outputs;
    {
        const std::lock_guard<std::mutex> lock(softmaxMutex);
        outputs = softmaxOutputs;
        if (auto st = resolveAblation(resolved, softmaxShapes); !st) return st;
    }
    out.uniform = ablation.mode == HeadAblation::Mode::Uniform;
    for (const auto& [kind, layers] : resolved.heads) {
        if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) continue;  // computed by another graph
        for (const auto& [layer, heads] : layers) {
            std::vector<int64_t>& list = out.ablate[outputs.at(kind).at(size_t(layer))];
            list.insert(list.end(), heads.begin(), heads.end());
        }
    }
    return Status::success();
}

Status ScriptModel::Impl::decodeOnnxPair(const std::string& source, const std::string* reference, AttentionTrace& out,
                                         std::string* translation, const ProgressFn& cancel, const HeadAblation* ablation) const
{
    // Head ablation: the encoder's heads in the encoder run, the decoder's in every decoder run.
    OnnxRunOptions encoderOptions, decoderOptions;
    encoderOptions.normLens = decoderOptions.normLens = true;
    if (ablation) {
        const auto probe = [&] {
            AttentionTrace unablated;
            return decodeOnnxPair(source, reference, unablated, nullptr, cancel, nullptr);
        };
        if (auto st = ablationRunOptions(*ablation, {"encoder_self"}, probe, encoderOptions); !st) return st;
        if (auto st = ablationRunOptions(*ablation, {"decoder_self", "cross_attention"}, probe, decoderOptions); !st) return st;
        encoderOptions.normLens = decoderOptions.normLens = true;
    }
    std::vector<std::string> srcTok;
    std::vector<int64_t> srcIds;
    if (auto st = encodeSource(source, srcTok, srcIds); !st) return st;
    const int64_t S = int64_t(srcIds.size());
    // The encoder once.
    std::map<std::string, OnnxTensor> encIn{{"input_ids", int64Row(srcIds)}};
    if (hasInput(*encoderGraph, "attention_mask")) encIn["attention_mask"] = int64Row(std::vector<int64_t>(size_t(S), 1));
    OnnxRunResult enc;
    if (auto st = encoderGraph->run(encIn, enc, {}, encoderOptions); !st) return Status::error("encoder: " + st.message);
    const std::string hiddenName = encoderGraph->inspection().outputs.at(0).name;
    const OnnxTensor& hidden = enc.values.at(hiddenName);
    const std::string logits = logitsName(*decoderGraph);
    const int64_t startId = targetVocab.ids.at(spec.decoderStart), eosId = targetVocab.ids.at(spec.eos);
    // One decoder call over the decoder inputs so far.
    const auto decode = [&](const std::vector<int64_t>& dec, OnnxRunResult& r) -> Status {
        std::map<std::string, OnnxTensor> in{{"input_ids", int64Row(dec)}, {"encoder_hidden_states", hidden}};
        if (hasInput(*decoderGraph, "encoder_attention_mask"))
            in["encoder_attention_mask"] = int64Row(std::vector<int64_t>(size_t(S), 1));
        if (hasInput(*decoderGraph, "attention_mask")) in["attention_mask"] = int64Row(std::vector<int64_t>(dec.size(), 1));
        if (auto st = decoderGraph->run(in, r, {}, decoderOptions); !st) return Status::error("decoder: " + st.message);
        return Status::success();
    };
    std::vector<int64_t> tgtIds;
    std::vector<std::string> tgtTok;
    OnnxRunResult last;
    bool haveLast = false;
    if (reference) {
        if (auto st = encodeWith(spec.target, targetVocab, *reference, tgtTok, tgtIds); !st) return Status::error("target: " + st.message);
        if (!tgtIds.empty() && tgtIds.back() == eosId) tgtIds.pop_back(), tgtTok.pop_back();
        if (tgtIds.size() <= spec.target.prepend.size()) return Status::error("forced decoding needs a target: the reference is empty");
    } else {
        // Greedy: one call per generated token, the argmax of the last step's logits. The
        // target's own first tokens (NLLB's language code: forced_bos_token_id) are given.
        for (const auto& t : spec.target.prepend) {
            tgtTok.push_back(t);
            tgtIds.push_back(targetVocab.ids.at(t));
        }
        for (int step = 0; step < spec.maxNewTokens; ++step) {
            if (!keepGoing(cancel, step, spec.maxNewTokens)) return Status::error("cancelled");
            std::vector<int64_t> dec{startId};
            dec.insert(dec.end(), tgtIds.begin(), tgtIds.end());
            if (auto st = decode(dec, last); !st) return st;
            haveLast = true;
            int64_t next = 0;
            if (auto st = argmaxAt(last.values.at(logits), int64_t(dec.size()) - 1, int64_t(targetVocab.tokens.size()),
                                   spec.name + " (decoder)", next);
                !st)
                return st;
            if (next == eosId) break;
            tgtIds.push_back(next);
            tgtTok.push_back(targetVocab.tokens[size_t(next)]);
            haveLast = false;  // the final call must see this token too
        }
    }
    std::vector<int64_t> dec{startId};
    dec.insert(dec.end(), tgtIds.begin(), tgtIds.end());
    if (!haveLast)
        if (auto st = decode(dec, last); !st) return st;  // forced: the one call over the whole target
    const int64_t T = int64_t(dec.size());

    std::vector<std::string> rowLabels = tgtTok;
    rowLabels.push_back(spec.eos);  // step t predicts target token t; the last step predicts eos
    std::vector<std::string> decoderInputs{spec.decoderStart};
    decoderInputs.insert(decoderInputs.end(), tgtTok.begin(), tgtTok.end());
    AttentionTrace trace = scriptmodel::translationTrace(spec, source, reference, "onnx");
    // Name the decoder's Softmax nodes by their keys: the source (cross) or the decoder inputs
    // (self). When S = T the extents cannot tell: a node name saying encoder/cross decides,
    // else the layers' usual order (self, then cross).
    std::vector<FoundHead> encSelf, decSelf, cross;
    for (const auto& f : softmaxes(enc))
        if (f.queries == S && f.keys == S) encSelf.push_back(f);
    bool nextIsSelf = true;
    for (const auto& f : softmaxes(last)) {
        if (f.queries != T || (f.keys != S && f.keys != T)) continue;
        bool isCross = f.keys == S && S != T;
        if (S == T) {
            QString n = QString::fromStdString(f.node).toLower();
            isCross = n.contains("encoder_attn") || n.contains("cross") || n.contains("encdec") ? true
                      : n.contains("self_attn")                                                 ? false
                                                                                                : !nextIsSelf;
        }
        (isCross ? cross : decSelf).push_back(f);
        nextIsSelf = isCross;
    }
    if (!ablation) rememberSoftmaxes({{"encoder_self", encSelf}, {"decoder_self", decSelf}, {"cross_attention", cross}});
    else trace.metadata[schema::kAblationMeta] = ablation->describe();
    if (reference) {  // the reference's log-likelihood (the given language codes not counted)
        const OnnxTensor& l = last.values.at(logits);
        const int64_t V = int64_t(targetVocab.tokens.size());
        if (l.shape.size() == 3 && l.shape[1] >= T && l.shape[2] == V) {
            const auto x = torch::from_blob(const_cast<float*>(l.values.data()), {l.shape[1], V}, torch::kFloat32);
            std::vector<int64_t> next = tgtIds;
            next.push_back(eosId);
            trace.metadata[schema::translation::kLogLikelihoodMeta] =
                std::to_string(scriptmodel::referenceLogLikelihood(x, next, spec.target.prepend.size()));
        }
    }
    if (cross.empty())
        return Status::error(spec.name + ": the decoder graph has no Softmax over the " + std::to_string(S) +
                             " source tokens (no cross-attention found; `attnscope inspect` lists what it found)");
    std::vector<TraceTensor> lenses;
    std::string lensNote;
    for (const auto& [name, found, queries, keys, run] :
         {std::tuple<const char*, const std::vector<FoundHead>*, const std::vector<std::string>*, const std::vector<std::string>*,
                     const OnnxRunResult*>{"encoder_self", &encSelf, &srcTok, &srcTok, &enc},
          {"decoder_self", &decSelf, &rowLabels, &decoderInputs, &last},
          {"cross_attention", &cross, &rowLabels, &srcTok, &last}}) {
        if (found->empty()) continue;
        TraceTensor x;
        if (auto st = stack(name, *found, *queries, *keys, x); !st) return st;
        trace.tensors.push_back(std::move(x));
        // The norm lens beside it (Kobayashi et al. 2020), or why the graph does not allow it.
        TraceTensor lens;
        std::string why;
        if (stackNormLens(*run, name, *found, *queries, *keys, lens, why)) lenses.push_back(std::move(lens));
        else if (lensNote.empty()) lensNote = "no norm lens for " + std::string(name) + ": " + why;
    }
    for (auto& l : lenses) trace.tensors.push_back(std::move(l));
    if (!lensNote.empty()) trace.metadata[schema::kLensNoteMeta] = lensNote;
    if (auto st = addDerivedLenses(trace); !st) return st;  // rollout and norm-based rollout through the encoder
    // The 2-D alignment the matrix shows and gold scores: the penultimate cross-attention
    // layer's mean over heads (Garg et al. 2019), as for TorchScript translators.
    if (auto st = scriptmodel::insertAlignment(trace, "cross_attention", spec); !st) return st;
    addTraceWarning(trace, nonFiniteReport(trace));
    // The language codes (NLLB) are not words: the 2-D alignment that gold scores starts at the
    // first word on both sides; the 4-D tensors keep them.
    const size_t cutRows = spec.target.prepend.size(), cutCols = spec.prepend.size();
    if (cutRows + cutCols > 0) {
        TraceTensor& a = trace.tensors.front();  // "cross", [target, source]
        const int64_t R = a.shape[0], C = a.shape[1], r0 = int64_t(cutRows), c0 = int64_t(cutCols);
        std::vector<float> kept;
        for (int64_t r = r0; r < R; ++r) kept.insert(kept.end(), a.values.begin() + r * C + c0, a.values.begin() + (r + 1) * C);
        a.values = std::move(kept);
        a.shape = {R - r0, C - c0};
        a.labels[0].erase(a.labels[0].begin(), a.labels[0].begin() + r0);
        a.labels[1].erase(a.labels[1].begin(), a.labels[1].begin() + c0);
    }
    if (translation) *translation = scriptmodel::joinTokens(std::vector<std::string>(tgtTok.begin() + long(cutRows), tgtTok.end()));
    out = std::move(trace);
    return Status::success();
}

Status ScriptModel::headGradients(const std::string& source, const std::string& reference, const std::vector<std::string>& kinds,
                                  std::vector<float>& out) const
{
    out.clear();
    if (!d->loaded) return Status::error("no model loaded");
    if (!d->encoderGraph)
        return Status::error(d->spec.name + ": gradient importance goes through AttnScope's ONNX interpreter, so it is measured "
                                            "for ONNX encoder–decoder exports and the built-in Transformer; use --importance ablation");
    return d->onnxHeadGradients(source, reference, kinds, out);
}

Status ScriptModel::Impl::onnxHeadGradients(const std::string& source, const std::string& reference, const std::vector<std::string>& kinds,
                                            std::vector<float>& out) const
{
    // Which Softmax output each layer of each kind is: learnt from an unablated run.
    std::map<std::string, std::vector<std::string>> outputs;
    std::map<std::string, std::pair<int64_t, int64_t>> shapes;
    for (int attempt = 0; attempt < 2; ++attempt) {
        {
            const std::lock_guard<std::mutex> lock(softmaxMutex);
            outputs = softmaxOutputs;
            shapes = softmaxShapes;
        }
        if (!shapes.empty()) break;
        AttentionTrace probe;
        if (auto st = decodeOnnxPair(source, &reference, probe, nullptr, {}); !st) return st;
    }
    std::vector<std::string> srcTok, tgtTok;
    std::vector<int64_t> srcIds, tgtIds;
    if (auto st = encodeSource(source, srcTok, srcIds); !st) return st;
    if (auto st = encodeWith(spec.target, targetVocab, reference, tgtTok, tgtIds); !st) return Status::error("target: " + st.message);
    const int64_t startId = targetVocab.ids.at(spec.decoderStart), eosId = targetVocab.ids.at(spec.eos);
    if (!tgtIds.empty() && tgtIds.back() == eosId) tgtIds.pop_back();
    if (tgtIds.size() <= spec.target.prepend.size()) return Status::error("forced decoding needs a target: the reference is empty");

    // A gate ξ = 1 per head of every layer of every kind, on the graph that computes it.
    OnnxTensorRun enc, dec;
    std::vector<torch::Tensor> leaves;
    for (const auto& kind : kinds) {
        const auto it = shapes.find(kind);
        if (it == shapes.end()) return Status::error(spec.name + " has no " + kind + " attention");
        for (const auto& name : outputs.at(kind)) {
            leaves.push_back(torch::ones({it->second.second}, torch::requires_grad()));
            (kind == "encoder_self" ? enc : dec).gates[name] = leaves.back();
        }
    }
    const auto row = [](const std::vector<int64_t>& ids) { return torch::tensor(ids, torch::kInt64).unsqueeze(0); };
    const int64_t S = int64_t(srcIds.size());
    enc.inputs["input_ids"] = row(srcIds);
    if (hasInput(*encoderGraph, "attention_mask")) enc.inputs["attention_mask"] = torch::ones({1, S}, torch::kInt64);
    if (auto st = encoderGraph->runTensors(enc); !st) return Status::error("encoder: " + st.message);
    std::vector<int64_t> decIds{startId};
    decIds.insert(decIds.end(), tgtIds.begin(), tgtIds.end());
    dec.inputs["input_ids"] = row(decIds);
    dec.inputs["encoder_hidden_states"] = enc.outputs.at(encoderGraph->inspection().outputs.at(0).name);
    if (hasInput(*decoderGraph, "encoder_attention_mask")) dec.inputs["encoder_attention_mask"] = torch::ones({1, S}, torch::kInt64);
    if (hasInput(*decoderGraph, "attention_mask"))
        dec.inputs["attention_mask"] = torch::ones({1, int64_t(decIds.size())}, torch::kInt64);
    if (auto st = decoderGraph->runTensors(dec); !st) return Status::error("decoder: " + st.message);
    const torch::Tensor logits = dec.outputs.at(logitsName(*decoderGraph));
    if (logits.dim() != 3 || logits.size(1) < int64_t(decIds.size()))
        return Status::error(spec.name + ": the decoder's logits are not [1, target, vocabulary]");
    std::vector<int64_t> next = tgtIds;
    next.push_back(eosId);
    const auto logp = torch::log_softmax(logits[0].slice(0, 0, int64_t(next.size())), 1);
    const auto first = int64_t(spec.target.prepend.size());
    const auto picked = logp.slice(0, first).gather(1, torch::tensor(next, torch::kInt64).slice(0, first).unsqueeze(1));
    const torch::Tensor loss = -picked.sum();
    try {
        const auto grads = torch::autograd::grad({loss}, leaves, {}, false, false, true);  // a head the loss never reads: 0
        for (size_t i = 0; i < grads.size(); ++i) {
            const torch::Tensor g = grads[i].defined() ? grads[i].abs().to(torch::kFloat32).contiguous() : torch::zeros_like(leaves[i]);
            out.insert(out.end(), g.data_ptr<float>(), g.data_ptr<float>() + g.numel());
        }
    } catch (const std::exception& e) {
        return Status::error(std::string("gradient importance: ") + e.what());
    }
    return Status::success();
}

} // namespace attnscope
