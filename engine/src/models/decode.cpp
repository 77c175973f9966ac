#include "models/decode.h"

#include "attnscope/headstats.h"
#include "attnscope/schema.h"

#include <algorithm>

namespace attnscope {

torch::Tensor encodeIds(const Vocab& v, const std::vector<std::string>& words, bool addEos)
{
    std::vector<int64_t> ids;
    ids.reserve(words.size() + 1);
    for (const auto& w : words) ids.push_back(v.id(w));
    if (addEos) ids.push_back(Vocab::kEos);
    return torch::tensor(ids, torch::kInt64).unsqueeze(0);
}

namespace {
void noteUnknown(const ModelBundle& b, const std::vector<std::string>& source, AttentionTrace& out)
{
    std::string unknown;
    for (const auto& w : source)
        if (!b.source.known(w) && std::any_of(w.begin(), w.end(), [](unsigned char c) { return std::isalnum(c) || c >= 0x80; }))
            unknown += (unknown.empty() ? "" : " ") + w;
    if (!unknown.empty()) out.metadata["unknown_words"] = unknown;
}

/// The 2-D "cross" tensor [target, source] of a trace from weights `a` [T, S].
TraceTensor crossTensor(const torch::Tensor& weights, std::vector<std::string> targetLabels,
                        std::vector<std::string> sourceLabels)
{
    const auto a = weights.contiguous();
    TraceTensor x;
    x.name = "cross";
    x.axes = {"target", "source"};
    x.shape = {a.size(0), a.size(1)};
    x.labels = {std::move(targetLabels), std::move(sourceLabels)};
    x.values.assign(a.data_ptr<float>(), a.data_ptr<float>() + a.numel());
    return x;
}

/// A fresh trace of model `b` for `source`: model, score function, mode, unknown words.
AttentionTrace newTrace(const ModelBundle& b, const std::vector<std::string>& source, bool forced)
{
    AttentionTrace t;
    t.model = b.name;
    t.scoreFunction = b.scoreFunction();
    t.metadata["mode"] = forced ? "forced" : "free";
    noteUnknown(b, source, t);
    return t;
}

/// Per-layer weights [1, H, Q, K] → one TraceTensor [layer, head, Q, K].
TraceTensor stackLayers(const std::string& name, const std::vector<torch::Tensor>& layers,
                        const std::vector<std::string>& queryLabels, const std::vector<std::string>& keyLabels)
{
    const auto w = torch::cat(layers, 0).contiguous();  // [L, H, Q, K]
    TraceTensor x;
    x.name = name;
    x.axes = {"layer", "head", "query", "key"};
    x.shape = {w.size(0), w.size(1), w.size(2), w.size(3)};
    x.labels = {{}, {}, queryLabels, keyLabels};
    x.values.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
    return x;
}

Status decodeTransformer(ModelBundle& b, const std::vector<std::string>& source,
                         const std::optional<std::vector<std::string>>& reference, AttentionTrace& out,
                         const ProgressFn& cancel)
{
    auto& net = b.transformer;
    const auto src = encodeIds(b.source, source, true);
    std::vector<int64_t> emitted;  // target ids including the final </s>
    std::vector<std::string> targetLabels;
    if (reference) {
        for (const auto& w : *reference) emitted.push_back(b.target.id(w));
        targetLabels = *reference;
    } else {
        torch::Tensor mask;
        const auto memory = net->encode(src, mask, nullptr);
        DecoderCache cache;
        int64_t next = Vocab::kBos;
        const int64_t maxLen = std::min<int64_t>(2 * src.size(1) + 10, 2 * 1024);
        for (int64_t t = 0; t < maxLen; ++t) {
            if (!keepGoing(cancel, t, maxLen)) return Status::error("cancelled");
            auto logits = net->decodeStep(memory, mask, torch::full({1}, next, torch::kInt64), cache);  // [1, V]
            logits.index_put_({0, Vocab::kUnk}, -1e9);  // never emit <unk>
            next = logits.argmax(1).item<int64_t>();
            if (next == Vocab::kEos) break;
            emitted.push_back(next);
            targetLabels.push_back(b.target.word(next));
        }
    }
    emitted.push_back(Vocab::kEos);
    targetLabels.push_back("</s>");
    // One teacher-forced pass over what was emitted records every layer's weights (the
    // causal mask makes them identical to those of the step-by-step decoding).
    std::vector<int64_t> in{Vocab::kBos};
    in.insert(in.end(), emitted.begin(), emitted.end() - 1);
    TransformerAttention att;
    att.withNorms = b.lenses;
    torch::Tensor mask;
    const auto memory = net->encode(src, mask, &att);
    const auto logits = net->decode(memory, mask, torch::tensor(in, torch::kInt64).unsqueeze(0), &att, /*project=*/reference.has_value());

    std::vector<std::string> sourceLabels = source;
    sourceLabels.push_back("</s>");
    std::vector<std::string> inputLabels{"<s>"};
    inputLabels.insert(inputLabels.end(), targetLabels.begin(), targetLabels.end() - 1);
    const auto& c = net->config();
    // The 2-D "cross" alignment is the guided-alignment head (Garg et al. 2019).
    out = newTrace(b, source, reference.has_value());
    out.tensors.push_back(crossTensor(att.cross[size_t(c.alignLayer)][0][c.alignHead], targetLabels, sourceLabels));
    out.metadata[schema::translation::kCrossFromMeta] = "cross_attention layer " + std::to_string(c.alignLayer + 1) + " head " +
                                 std::to_string(c.alignHead + 1) + " (guided-alignment head)";
    out.tensors.push_back(stackLayers("encoder_self", att.encoderSelf, sourceLabels, sourceLabels));
    out.tensors.push_back(stackLayers("decoder_self", att.decoderSelf, inputLabels, inputLabels));
    out.tensors.push_back(stackLayers("cross_attention", att.cross, targetLabels, sourceLabels));
    using schema::lens;
    if (b.lenses) {
        // The norm lens of each: α_ij ‖f_h(x_j)‖ (Kobayashi et al. 2020), the weights times their keys' value norms.
        const auto weighted = [](const std::vector<torch::Tensor>& weights, const std::vector<torch::Tensor>& norms) {
            std::vector<torch::Tensor> out;
            for (size_t l = 0; l < weights.size(); ++l) out.push_back(weights[l] * norms[l].unsqueeze(2));
            return out;
        };
        out.tensors.push_back(
            stackLayers(lens("encoder_self", schema::kNormLens), weighted(att.encoderSelf, att.encoderSelfNorms), sourceLabels, sourceLabels));
        out.tensors.push_back(
            stackLayers(lens("decoder_self", schema::kNormLens), weighted(att.decoderSelf, att.decoderSelfNorms), inputLabels, inputLabels));
        out.tensors.push_back(
            stackLayers(lens("cross_attention", schema::kNormLens), weighted(att.cross, att.crossNorms), targetLabels, sourceLabels));
        // ALTI (Ferrando et al. 2022): each layer's contributions composed, R_l = C_l · … · C_1.
        std::vector<torch::Tensor> alti;
        for (const auto& c : att.encoderAlti) alti.push_back(alti.empty() ? c : torch::matmul(c, alti.back()));
        for (auto& r : alti) r = r.unsqueeze(1);  // [1, 1, S, S]: one "head"
        out.tensors.push_back(stackLayers(lens("encoder_self", schema::kAltiLens), alti, sourceLabels, sourceLabels));
    }
    if (reference && b.gradLens) {  // attention × gradient, one backward pass per target token
        int64_t done = 0;  // backward passes, one per target token (+ one for the encoder)
        const auto total = int64_t(emitted.size()) + 1;
        const GradientLens g = gradientLens(net, src, torch::tensor(in, torch::kInt64).unsqueeze(0), emitted,
                                            [&] { return keepGoing(cancel, done++, total); });
        if (!g.cross.defined()) return Status::error("cancelled");
        const auto layers = [](const torch::Tensor& t) {  // [L, H, Q, K] → per layer [1, H, Q, K]
            std::vector<torch::Tensor> out;
            for (int64_t l = 0; l < t.size(0); ++l) out.push_back(t[l].unsqueeze(0));
            return out;
        };
        out.tensors.push_back(stackLayers(lens("encoder_self", schema::kGradLens), layers(g.encoderSelf), sourceLabels, sourceLabels));
        out.tensors.push_back(stackLayers(lens("decoder_self", schema::kGradLens), layers(g.decoderSelf), inputLabels, inputLabels));
        out.tensors.push_back(stackLayers(lens("cross_attention", schema::kGradLens), layers(g.cross), targetLabels, sourceLabels));
    }
    if (reference) {  // log p(reference + </s>): what ablating a head costs the reference
        const auto ids = torch::tensor(emitted, torch::kInt64).view({1, -1, 1});
        const double ll = torch::log_softmax(logits, -1).gather(-1, ids).sum().item<double>();
        out.metadata[schema::translation::kLogLikelihoodMeta] = std::to_string(ll);
    }
    if (b.lenses) return addDerivedLenses(out);  // rollout, norm-based rollout, cross-attention through ALTI
    return Status::success();
}
} // namespace

GradientLens gradientLens(TransformerNMT& net, const torch::Tensor& src, const torch::Tensor& in, const std::vector<int64_t>& next,
                          const std::function<bool()>& keepGoing)
{
    torch::AutoGradMode grad(true);
    TransformerAttention att;
    torch::Tensor mask;
    const auto memory = net->encode(src, mask, &att);
    const auto logp = torch::log_softmax(net->decode(memory, mask, in, &att, true)[0], -1);  // [T, V]
    const int64_t T = int64_t(next.size());
    const auto picked = logp.gather(1, torch::tensor(next, torch::kInt64).unsqueeze(1)).squeeze(1);  // [T]
    std::vector<torch::Tensor> decoderWeights = att.decoderSelf;
    decoderWeights.insert(decoderWeights.end(), att.cross.begin(), att.cross.end());
    const size_t L = att.decoderSelf.size();
    // Decoder kinds: row t of each layer's α ⊙ ∂ log p(next_t)/∂α.
    std::vector<std::vector<torch::Tensor>> perRow(decoderWeights.size());
    for (int64_t t = 0; t < T; ++t) {
        if (keepGoing && !keepGoing()) return {};
        const auto g = torch::autograd::grad({picked[t]}, decoderWeights, {}, true, false, true);
        for (size_t i = 0; i < g.size(); ++i) {
            const auto& w = decoderWeights[i];  // [1, H, T, K]
            const auto gi = g[i].defined() ? g[i] : torch::zeros_like(w);
            perRow[i].push_back((w[0].select(1, t) * gi[0].select(1, t)).detach());  // [H, K]
        }
    }
    const auto stackKind = [&](size_t from, size_t count) {
        std::vector<torch::Tensor> layers;
        for (size_t i = from; i < from + count; ++i) layers.push_back(torch::stack(perRow[i], 1));  // [H, T, K]
        return torch::stack(layers, 0);                                                             // [L, H, T, K]
    };
    GradientLens out;
    out.decoderSelf = stackKind(0, L);
    out.cross = stackKind(L, L);
    // Encoder self-attention: the whole reference's log-likelihood.
    const auto g = torch::autograd::grad({picked.sum()}, att.encoderSelf, {}, false, false, true);
    std::vector<torch::Tensor> enc;
    for (size_t l = 0; l < g.size(); ++l)
        enc.push_back((att.encoderSelf[l][0] * (g[l].defined() ? g[l][0] : torch::zeros_like(att.encoderSelf[l][0]))).detach());
    out.encoderSelf = torch::stack(enc, 0);
    return out;
}

Status decodeTokens(ModelBundle& b, const std::vector<std::string>& source,
                    const std::optional<std::vector<std::string>>& reference, AttentionTrace& out,
                    const ProgressFn& cancel)
{
    torch::NoGradGuard ng;
    b.module().eval();
    if (b.isTransformer()) return decodeTransformer(b, source, reference, out, cancel);
    const auto src = encodeIds(b.source, source, true);
    const auto len = torch::tensor({src.size(1)}, torch::kInt64);
    std::vector<std::string> targetLabels;
    torch::Tensor alpha;  // [T, S]
    if (reference) {
        auto in = encodeIds(b.target, *reference, false);
        in = torch::cat({torch::full({1, 1}, Vocab::kBos, torch::kInt64), in}, 1);
        auto [logits, a] = b.gru->forward(src, len, in);
        alpha = a[0];
        targetLabels = *reference;
        targetLabels.push_back("</s>");
    } else {
        const auto enc = b.gru->encode(src, len);
        auto state = enc.initial;
        auto prev = torch::full({1}, Vocab::kBos, torch::kInt64);
        std::vector<torch::Tensor> rows;
        const int64_t maxLen = std::min<int64_t>(2 * src.size(1) + 10, 2 * 1024);
        for (int64_t t = 0; t < maxLen; ++t) {
            if (!keepGoing(cancel, t, maxLen)) return Status::error("cancelled");
            auto [logits, s, a] = b.gru->step(enc, prev, state);
            state = s;
            logits.index_put_({0, Vocab::kUnk}, -1e9);  // never emit <unk>
            const int64_t id = logits.argmax(1).item<int64_t>();
            rows.push_back(a[0]);
            targetLabels.push_back(b.target.word(id));
            if (id == Vocab::kEos) break;
            prev = torch::full({1}, id, torch::kInt64);
        }
        alpha = torch::stack(rows, 0);
    }
    std::vector<std::string> sourceLabels = source;
    sourceLabels.push_back("</s>");
    out = newTrace(b, source, reference.has_value());
    out.tensors.push_back(crossTensor(alpha, targetLabels, sourceLabels));
    // The norm lens (Kobayashi et al. 2020): the context is Σ_j α_tj h_j, so what key j sends is
    // its annotation itself: α_tj ‖h_j‖.
    const auto norms = b.gru->encode(src, len).annotations[0].norm(2, -1);  // [S]
    TraceTensor lens = crossTensor(alpha * norms.unsqueeze(0), targetLabels, sourceLabels);
    lens.name = schema::lens(schema::translation::kCross, schema::kNormLens);
    out.tensors.push_back(std::move(lens));
    return Status::success();
}

Status greedyBatch(ModelBundle& b, const std::vector<std::vector<std::string>>& sources,
                   std::vector<std::vector<std::string>>& out, const ProgressFn& progress)
{
    torch::NoGradGuard ng;
    b.module().eval();
    out.assign(sources.size(), {});
    for (size_t start = 0; start < sources.size(); start += kGreedyBatch) {
        if (!keepGoing(progress, int64_t(start), int64_t(sources.size()))) return Status::error("cancelled");
        const size_t n = std::min(kGreedyBatch, sources.size() - start);
        int64_t maxS = 0;
        for (size_t k = 0; k < n; ++k) maxS = std::max<int64_t>(maxS, int64_t(sources[start + k].size()) + 1);
        auto src = torch::zeros({int64_t(n), maxS}, torch::kInt64);
        auto lens = torch::zeros({int64_t(n)}, torch::kInt64);
        for (size_t k = 0; k < n; ++k) {
            const auto ids = encodeIds(b.source, sources[start + k], true)[0];
            src[int64_t(k)].narrow(0, 0, ids.size(0)).copy_(ids);
            lens[int64_t(k)] = ids.size(0);
        }
        // One step per token: the GRU carries its state, the Transformer its key/value cache.
        EncoderState enc;
        torch::Tensor state, memory, srcMask;
        DecoderCache cache;
        if (b.isTransformer()) {
            memory = b.transformer->encode(src, srcMask, nullptr);
        } else {
            enc = b.gru->encode(src, lens);
            state = enc.initial;
        }
        auto prev = torch::full({int64_t(n)}, Vocab::kBos, torch::kInt64);
        std::vector<bool> done(n, false);
        for (int64_t t = 0; t < 2 * maxS + 10; ++t) {
            torch::Tensor logits;
            if (b.isTransformer()) {
                logits = b.transformer->decodeStep(memory, srcMask, prev, cache);
            } else {
                auto [l, s, a] = b.gru->step(enc, prev, state);
                logits = l;
                state = s;
            }
            logits.select(1, Vocab::kUnk).fill_(-1e9);
            prev = logits.argmax(1);
            const auto ids = prev.accessor<int64_t, 1>();
            bool all = true;
            for (size_t k = 0; k < n; ++k) {
                if (done[k]) continue;
                if (ids[int64_t(k)] == Vocab::kEos) done[k] = true;
                else out[start + k].push_back(b.target.word(ids[int64_t(k)]));
                all = all && done[k];
            }
            if (all) break;
        }
    }
    keepGoing(progress, int64_t(sources.size()), int64_t(sources.size()));
    return Status::success();
}

} // namespace attnscope
