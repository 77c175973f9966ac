// The generating kinds of user models (attnscope/scriptmodel.h): an encoder–decoder decoded
// forced or greedily, and a decoder-only model generating from a prompt, one module call per
// token.
#include "scriptmodelimpl.h"
#include "attnscope/schema.h"
#include "attnscope/ablation.h"

#include "attnscope/corpus.h"
#include "attnscope/headstats.h"

#include <QFileInfo>

#include <functional>

namespace attnscope {

using scriptmodel::pickTensor;
using scriptmodel::readAttention;
using scriptmodel::shapeOf;

namespace {
/// Greedy decoding's next token: the argmax of the logits at position `length` − 1. The logits
/// output must be [1, ≥ length, vocabulary]; `axis` names its second axis in the message.
Status greedyNext(const torch::jit::IValue& result, const ScriptModelSpec& spec, int64_t length, int64_t vocabulary,
                  const std::string& axis, int64_t& next)
{
    torch::Tensor logits;
    if (auto st = pickTensor(result, spec.logits, false, spec.name + " logits", logits); !st) return st;
    if (logits.dim() != 3 || logits.size(0) != 1 || logits.size(1) < length || logits.size(2) != vocabulary)
        return Status::error(spec.name + " logits: expected [1, " + axis + ", " + std::to_string(vocabulary) +
                             "] (the " + (axis == "target" ? "target " : "") + "vocabulary), got " + shapeOf(logits));
    next = logits[0][length - 1].argmax().item<int64_t>();
    return Status::success();
}
} // namespace

Status ScriptModel::decode(const std::string& source, const std::string* reference, AttentionTrace& out,
                           std::string* translation, const ProgressFn& cancel, const HeadAblation* ablation) const
{
    if (!d->loaded) return Status::error("no model loaded");
    if (ablation && ablation->empty()) ablation = nullptr;
    if (ablation && !d->onnx && !d->encoderGraph && d->spec.headMasks.empty())
        return Status::error(d->spec.name + " is a TorchScript module: its attention is computed inside its own code, so "
                                            "AttnScope cannot ablate its heads unless its sidecar names a head-mask argument "
                                            "(\"arguments\": [… \"head_mask\"], \"head_mask\": {\"head_mask\": [layers, heads]}); "
                                            "ONNX exports can always be ablated");
    if (d->spec.decoderOnly) return d->generate(source, reference, out, translation, cancel, ablation);
    if (!d->spec.seq2seq)
        return Status::error(d->spec.name + " is neither an encoder–decoder nor a decoder-only model: its sidecar's input "
                                            "type is not \"seq2seq\" or \"decoder\"");
    if (d->encoderGraph) return d->decodeOnnxPair(source, reference, out, translation, cancel, ablation);
    return d->decodeSeq2Seq(source, reference, out, translation, cancel, ablation);
}

std::string ScriptModel::cannotDecode(const std::string& source, const std::string* reference) const
{
    const ScriptModelSpec& spec = d->spec;
    if (!spec.seq2seq) return {};
    if (tokenize(source).empty()) return "the source is empty";
    std::vector<std::string> tok;
    std::vector<int64_t> ids;
    if (!d->encode(source, tok, ids)) return {};  // not a length problem: decode reports it
    const int64_t S = int64_t(ids.size()), P = spec.padTo;
    if (P > 0 && S > P)
        return "the source has " + std::to_string(S) + " tokens, more than the " + std::to_string(P) + " positions " + spec.name +
               " was traced at (pad_to)";
    if (P == 0 && S > spec.maxTokens)
        return "the source has " + std::to_string(S) + " tokens; " + spec.name + " takes at most " + std::to_string(spec.maxTokens);
    if (!reference) return {};
    if (!encodeWith(spec.target, d->targetVocab, *reference, tok, ids)) return {};
    if (!ids.empty() && spec.eos == tok.back()) ids.pop_back();
    if (ids.empty()) return "the reference is empty";
    const int64_t T = int64_t(ids.size()) + 1;  // decoder_start + the reference
    if (P > 0 && T > P)
        return "the target has " + std::to_string(T) + " decoder steps, more than the " + std::to_string(P) + " positions " +
               spec.name + " was traced at (pad_to)";
    return {};
}

Status ScriptModel::Impl::encodeSource(const std::string& source, std::vector<std::string>& tokens, std::vector<int64_t>& ids) const
{
    if (tokenize(source).empty()) return Status::error("Nothing to translate: the input is empty.");
    if (auto st = encode(source, tokens, ids); !st) return Status::error("source: " + st.message);
    const int64_t S = int64_t(ids.size()), P = spec.padTo;
    if (P > 0 && S > P)
        return Status::error("The source has " + std::to_string(S) + " tokens but pad_to is " + std::to_string(P) +
                             " (the length " + spec.name + " was traced at).");
    if (P == 0 && S > spec.maxTokens)
        return Status::error("The source has " + std::to_string(S) + " tokens; " + spec.name + " takes at most " +
                             std::to_string(spec.maxTokens) + ".");
    return Status::success();
}

Status ScriptModel::Impl::headMaskArguments(const HeadAblation* ablation, std::map<std::string, torch::Tensor>& out) const
{
    out.clear();
    AttentionShapes shapes;
    for (const auto& m : spec.headMasks) shapes[m.kind] = {m.layers, m.heads};
    HeadAblation resolved;
    if (ablation && !ablation->empty()) {
        if (ablation->mode == HeadAblation::Mode::Uniform)
            return Status::error(spec.name + " is ablated through its head_mask arguments, which can only zero heads "
                                             "(--ablation zero); uniform attention needs the model as ONNX");
        resolved = *ablation;
        if (auto st = resolveAblation(resolved, shapes); !st) return Status::error(spec.name + "'s head masks: " + st.message);
    }
    for (const auto& m : spec.headMasks) {
        auto mask = torch::ones({m.layers, m.heads});
        const auto kind = resolved.heads.find(m.kind);
        if (kind != resolved.heads.end())
            for (const auto& [layer, heads] : kind->second)
                for (int h : heads) mask[layer][h] = 0.0f;
        out[m.argument] = mask;
    }
    return Status::success();
}

Status ScriptModel::Impl::decodeSeq2Seq(const std::string& source, const std::string* reference, AttentionTrace& out,
                                        std::string* translation, const ProgressFn& cancel, const HeadAblation* ablation) const
{
    std::vector<std::string> srcTok;
    std::vector<int64_t> srcIds;
    if (auto st = encodeSource(source, srcTok, srcIds); !st) return st;
    const int64_t S = int64_t(srcIds.size());
    const int64_t P = spec.padTo;
    const int64_t startId = targetVocab.ids.at(spec.decoderStart), eosId = targetVocab.ids.at(spec.eos);
    const int64_t srcPad = P > 0 ? vocab.ids.at(spec.pad) : 0, tgtPad = P > 0 ? targetVocab.ids.at(spec.pad) : 0;

    std::map<std::string, torch::Tensor> headMasks;
    if (auto st = headMaskArguments(ablation, headMasks); !st) return st;
    // One forward call: the arguments in the sidecar's order, padded to pad_to and masked.
    auto forward = [&](const std::vector<int64_t>& dec, torch::jit::IValue& result) -> Status {
        auto padded = [&](const std::vector<int64_t>& ids, int64_t pad) {
            std::vector<int64_t> v = ids;
            if (P > 0) v.resize(size_t(P), pad);
            return torch::tensor(v, torch::kInt64).unsqueeze(0);
        };
        auto mask = [&](size_t real) {
            std::vector<int64_t> v(P > 0 ? size_t(P) : real, 0);
            std::fill(v.begin(), v.begin() + long(real), 1);
            return torch::tensor(v, torch::kInt64).unsqueeze(0);
        };
        std::vector<torch::jit::IValue> args;
        for (const auto& a : spec.arguments) {
            if (a == "input_ids") args.emplace_back(padded(srcIds, srcPad));
            else if (a == "attention_mask") args.emplace_back(mask(srcIds.size()));
            else if (a == "decoder_input_ids") args.emplace_back(padded(dec, tgtPad));
            else if (a == "decoder_attention_mask") args.emplace_back(mask(dec.size()));
            else if (a == "token_type_ids") args.emplace_back(torch::zeros({1, P > 0 ? P : S}, torch::kInt64));
            else if (headMasks.count(a)) args.emplace_back(headMasks.at(a));
        }
        return this->forward(std::move(args), result);
    };

    std::vector<int64_t> tgtIds;
    std::vector<std::string> tgtTok;
    if (reference) {
        if (auto st = encodeWith(spec.target, targetVocab, *reference, tgtTok, tgtIds); !st) return Status::error("target: " + st.message);
        if (!tgtIds.empty() && tgtIds.back() == eosId) tgtIds.pop_back(), tgtTok.pop_back();  // eos is the last step's label
        if (tgtIds.empty()) return Status::error("forced decoding needs a target: the reference is empty");
    } else {
        // Greedy: one forward call per generated token, the argmax of the last step's logits.
        for (int step = 0; step < spec.maxNewTokens; ++step) {
            if (!keepGoing(cancel, step, spec.maxNewTokens)) return Status::error("cancelled");
            std::vector<int64_t> dec{startId};
            dec.insert(dec.end(), tgtIds.begin(), tgtIds.end());
            if (P > 0 && int64_t(dec.size()) > P) break;  // the traced length is reached
            torch::jit::IValue result;
            if (auto st = forward(dec, result); !st) return st;
            int64_t next = 0;
            if (auto st = greedyNext(result, spec, int64_t(dec.size()), int64_t(targetVocab.tokens.size()), "target", next); !st)
                return st;
            if (next == eosId) break;
            tgtIds.push_back(next);
            tgtTok.push_back(targetVocab.tokens[size_t(next)]);
        }
    }
    std::vector<int64_t> dec{startId};
    dec.insert(dec.end(), tgtIds.begin(), tgtIds.end());
    const int64_t T = int64_t(dec.size());
    if (P > 0 && T > P)
        return Status::error("The target has " + std::to_string(T) + " decoder steps but pad_to is " + std::to_string(P) + ".");
    torch::jit::IValue result;
    if (auto st = forward(dec, result); !st) return st;

    std::vector<std::string> rowLabels = tgtTok;
    rowLabels.push_back(spec.eos);  // step t predicts target token t; the last step predicts eos
    AttentionTrace trace = scriptmodel::translationTrace(spec, source, reference, "torchscript");
    if (ablation && !ablation->empty()) trace.metadata[schema::kAblationMeta] = ablation->describe();
    torch::Tensor logits;  // forced: the reference's log-likelihood, when the module gives logits
    if (reference && pickTensor(result, spec.logits, false, spec.name + " logits", logits) && logits.dim() == 3 &&
        logits.size(1) >= T && logits.size(2) == int64_t(targetVocab.tokens.size())) {
        std::vector<int64_t> next = tgtIds;
        next.push_back(eosId);
        trace.metadata[schema::translation::kLogLikelihoodMeta] = std::to_string(scriptmodel::referenceLogLikelihood(logits[0], next, 0));
    }
    for (const auto& a : spec.attention) {
        const std::string what = spec.name + " output '" + a.name + "'";
        // Decoder self-attention: keys are the decoder inputs (start, then the target).
        std::vector<std::string> decoderInputs{spec.decoderStart};
        decoderInputs.insert(decoderInputs.end(), tgtTok.begin(), tgtTok.end());
        const auto& queries = a.querySide == "source" ? srcTok : rowLabels;
        const auto& keys = a.keySide == "source" ? srcTok : a.querySide == "target" ? decoderInputs : rowLabels;
        if (auto st = readAttention(result, a, what, queries, keys, a.querySide, a.keySide, P, "tokens", trace); !st) return st;
    }
    if (auto st = addDerivedLenses(trace); !st) return st;  // rollout through the encoder, where there is one
    // The 2-D alignment the matrix shows and gold scores: target × source.
    const ScriptAttentionSpec* chosen = nullptr;
    for (const auto& a : spec.attention)
        if (spec.alignmentTensor.empty() ? (a.querySide == "target" && a.keySide == "source") : a.name == spec.alignmentTensor) {
            chosen = &a;
            break;
        }
    if (chosen)
        if (auto st = scriptmodel::insertAlignment(trace, chosen->name, spec); !st) return st;
    if (translation) *translation = scriptmodel::joinTokens(tgtTok);
    out = std::move(trace);
    return Status::success();
}

namespace scriptmodel {
Status insertAlignment(AttentionTrace& trace, const std::string& tensor, const ScriptModelSpec& spec)
{
    const TraceTensor* x = trace.find(tensor);
    const int layers = x && x->shape.size() == 4 ? int(x->shape[0]) : 1;
    const int layer = spec.alignmentLayer >= 0 ? spec.alignmentLayer : std::max(0, layers - 2);
    TraceTensor cross;
    if (auto st = selectHead(trace, tensor, layer, spec.alignmentHead, cross); !st) return Status::error("alignment: " + st.message);
    cross.name = "cross";
    cross.axes = {"target", "source"};
    trace.tensors.insert(trace.tensors.begin(), std::move(cross));
    trace.metadata[schema::translation::kCrossFromMeta] = tensor + " layer " + std::to_string(layer + 1) +
                                  (spec.alignmentHead >= 0 ? " head " + std::to_string(spec.alignmentHead + 1) : " mean over heads");
    return Status::success();
}

AttentionTrace translationTrace(const ScriptModelSpec& spec, const std::string& source, const std::string* reference,
                                const std::string& scoreFunction)
{
    AttentionTrace trace;
    trace.model = spec.name;
    trace.scoreFunction = scoreFunction;
    trace.metadata[schema::kInputMeta] = source;
    trace.metadata[schema::kModeMeta] = reference ? schema::kForced : schema::kFree;
    if (reference) trace.metadata[schema::translation::kReferenceMeta] = *reference;
    return trace;
}

double referenceLogLikelihood(const torch::Tensor& logits, const std::vector<int64_t>& next, size_t first)
{
    const auto logp = torch::log_softmax(logits.slice(0, 0, int64_t(next.size())).to(torch::kFloat64), 1);
    double sum = 0;
    for (size_t t = first; t < next.size(); ++t) sum += logp[int64_t(t)][next[t]].item<double>();
    return sum;
}

std::string joinTokens(const std::vector<std::string>& tokens)
{
    std::string s;
    for (const auto& w : tokens) s += (s.empty() ? "" : " ") + w;
    return s;
}
} // namespace scriptmodel

} // namespace attnscope

namespace attnscope {

Status ScriptModel::Impl::generate(const std::string& prompt, const std::string* continuation, AttentionTrace& out,
                                   std::string* generated, const ProgressFn& cancel, const HeadAblation* ablation) const
{
    if (tokenize(prompt).empty()) return Status::error("Nothing to generate from: the prompt is empty.");
    std::vector<std::string> tokens;
    std::vector<int64_t> ids;
    if (auto st = encode(prompt, tokens, ids); !st) return st;
    const int64_t promptLen = int64_t(ids.size());
    const int64_t P = spec.padTo;
    const int64_t limit = P > 0 ? P : spec.maxTokens;
    if (promptLen > limit)
        return Status::error("The prompt has " + std::to_string(promptLen) + " tokens but " +
                             (P > 0 ? "pad_to is " : "max_tokens is ") + std::to_string(limit) + ".");
    const int64_t eosId = vocab.ids.at(spec.eos), padId = P > 0 ? vocab.ids.at(spec.pad) : 0;
    // The runtime's two calls over the tokens so far: the greedy next token, and the trace's
    // attention tensors. A TorchScript module is called with the sidecar's arguments, padded
    // to pad_to; an ONNX decoder (onnxdecoder.cpp) with input_ids, attention_mask,
    // position_ids and empty past key values.
    std::function<Status(int64_t&)> nextToken;
    std::function<Status(AttentionTrace&)> attention;
    std::map<std::string, torch::Tensor> headMasks;  // a TorchScript module's head_mask argument
    if (!onnx)
        if (auto st = headMaskArguments(ablation, headMasks); !st) return st;
    auto forward = [&](torch::jit::IValue& result) -> Status {
        std::vector<int64_t> v = ids;
        if (P > 0) v.resize(size_t(P), padId);
        std::vector<int64_t> m(v.size(), 0);
        std::fill(m.begin(), m.begin() + long(ids.size()), 1);
        std::vector<torch::jit::IValue> args;
        for (const auto& a : spec.arguments) {
            if (a == "input_ids") args.emplace_back(torch::tensor(v, torch::kInt64).unsqueeze(0));
            else if (a == "attention_mask") args.emplace_back(torch::tensor(m, torch::kInt64).unsqueeze(0));
            else if (headMasks.count(a)) args.emplace_back(headMasks.at(a));
            else args.emplace_back(torch::zeros({1, int64_t(v.size())}, torch::kInt64));
        }
        return this->forward(std::move(args), result);
    };
    OnnxRunOptions options;
    if (onnx && ablation) {
        if (auto st = ablationRunOptions(*ablation, {"self"}, [&] {
                AttentionTrace probe;  // the prompt alone names the layers
                return onnxDecoderAttention(ids, tokens, probe, {});
            }, options);
            !st)
            return st;
    }
    if (onnx) {
        nextToken = [&](int64_t& next) { return onnxDecoderNext(ids, next, options); };
        attention = [&](AttentionTrace& trace) { return onnxDecoderAttention(ids, tokens, trace, options); };
    } else {
        nextToken = [&](int64_t& next) -> Status {
            torch::jit::IValue result;
            if (auto st = forward(result); !st) return st;
            return greedyNext(result, spec, int64_t(ids.size()), int64_t(vocab.tokens.size()), "tokens", next);
        };
        attention = [&](AttentionTrace& trace) -> Status {
            torch::jit::IValue result;
            if (auto st = forward(result); !st) return st;
            trace.scoreFunction = "torchscript";
            for (const auto& a : spec.attention) {
                const std::string what = spec.name + " output '" + a.name + "'";
                if (auto st = readAttention(result, a, what, tokens, tokens, "input", "input", P, "tokens", trace); !st) return st;
            }
            return Status::success();
        };
    }
    if (continuation) {
        std::vector<std::string> more;
        std::vector<int64_t> moreIds;
        ScriptTokenizer bare = sourceTokenizer();
        bare.prepend.clear();
        bare.append.clear();
        if (auto st = encodeWith(bare, vocab, *continuation, more, moreIds); !st) return st;
        tokens.insert(tokens.end(), more.begin(), more.end());
        ids.insert(ids.end(), moreIds.begin(), moreIds.end());
        if (int64_t(ids.size()) > limit)
            return Status::error("Prompt and continuation have " + std::to_string(ids.size()) + " tokens but the limit is " +
                                 std::to_string(limit) + ".");
    } else {
        // Greedy: one call per token, the argmax of the last position's logits.
        for (int step = 0; step < spec.maxNewTokens && int64_t(ids.size()) < limit; ++step) {
            if (!keepGoing(cancel, step, spec.maxNewTokens)) return Status::error("cancelled");
            int64_t next = 0;
            if (auto st = nextToken(next); !st) return st;
            if (next == eosId) break;
            ids.push_back(next);
            tokens.push_back(vocab.tokens[size_t(next)]);
        }
    }
    const int64_t T = int64_t(ids.size());
    AttentionTrace trace;
    if (auto st = attention(trace); !st) return st;
    trace.model = spec.name;
    trace.metadata[schema::kInputMeta] = prompt;
    trace.metadata[schema::kModeMeta] = continuation ? schema::kForced : schema::kFree;
    trace.metadata[schema::translation::kPromptTokensMeta] = std::to_string(promptLen);
    if (ablation) trace.metadata[schema::kAblationMeta] = ablation->describe();
    // "cross": the rows of the steps that produced each generated token, over every key.
    const int64_t G = T - promptLen;
    if (!trace.tensors.empty() && G > 0) {
        const TraceTensor* x = spec.alignmentTensor.empty() ? &trace.tensors.front() : trace.find(spec.alignmentTensor);
        if (x && x->shape.size() == 4) {
            const int layers = int(x->shape[0]);
            const int layer = spec.alignmentLayer >= 0 ? spec.alignmentLayer : std::max(0, layers - 2);
            TraceTensor all;
            if (auto st = selectHead(trace, x->name, layer, spec.alignmentHead, all); !st) return Status::error("alignment: " + st.message);
            TraceTensor cross;
            cross.name = "cross";
            cross.axes = {"generated", "key"};
            cross.shape = {G, T};
            cross.values.assign(all.values.begin() + (promptLen - 1) * T, all.values.begin() + (promptLen - 1 + G) * T);
            cross.labels = {std::vector<std::string>(tokens.begin() + promptLen, tokens.end()), tokens};
            const std::string name = x->name;  // x points into trace.tensors, which the insert moves
            trace.tensors.insert(trace.tensors.begin(), std::move(cross));
            trace.metadata[schema::translation::kCrossFromMeta] = name + " layer " + std::to_string(layer + 1) +
                                          (spec.alignmentHead >= 0 ? " head " + std::to_string(spec.alignmentHead + 1) : " mean over heads");
        }
    }
    if (generated) {
        generated->clear();
        for (int64_t k = promptLen; k < T; ++k) *generated += (generated->empty() ? "" : " ") + tokens[size_t(k)];
    }
    out = std::move(trace);
    return Status::success();
}

} // namespace attnscope
