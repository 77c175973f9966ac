// Head importance (Michel, Levy & Neubig 2019, "Are Sixteen Heads Really Better than One?"):
// by ablation — the change of the references' log-likelihood under forced decoding when one
// head alone is zeroed — and by gradient — I_h = E_x |∂L(x)/∂ξ_h| for a gate ξ_h = 1 on each
// head (their eq. 2–3), with LibTorch autograd, normalised per layer by the l2 norm as they do.
#include "models/importance.h"

#include "attnscope/ablation.h"
#include "models/decode.h"
#include "models/vocab.h"

#include "attnscope/alignment.h"
#include "attnscope/corpus.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <limits>

namespace attnscope {

namespace {
/// Verses as padded id batches: src [B, S+1] (</s> last), decoder input [B, T+1] (<s> first),
/// decoder output [B, T+1] (</s> last); padding 0 (<pad>) everywhere.
struct Batch {
    torch::Tensor src, in, target;
};

std::vector<Batch> batchesOf(ModelBundle& b, const std::vector<const Verse*>& verses, size_t size)
{
    std::vector<Batch> out;
    for (size_t start = 0; start < verses.size(); start += size) {
        std::vector<std::vector<int64_t>> src, tgt;
        size_t S = 0, T = 0;
        for (size_t i = start; i < std::min(verses.size(), start + size); ++i) {
            std::vector<int64_t> s, t;
            for (const auto& w : verses[i]->sourceWords()) s.push_back(b.source.id(w));
            for (const auto& w : verses[i]->targetWords()) t.push_back(b.target.id(w));
            s.push_back(Vocab::kEos);
            S = std::max(S, s.size());
            T = std::max(T, t.size() + 1);
            src.push_back(std::move(s));
            tgt.push_back(std::move(t));
        }
        const int64_t B = int64_t(src.size());
        Batch batch{torch::zeros({B, int64_t(S)}, torch::kInt64), torch::zeros({B, int64_t(T)}, torch::kInt64),
                    torch::zeros({B, int64_t(T)}, torch::kInt64)};
        for (int64_t i = 0; i < B; ++i) {
            for (size_t k = 0; k < src[size_t(i)].size(); ++k) batch.src[i][int64_t(k)] = src[size_t(i)][k];
            batch.in[i][0] = Vocab::kBos;
            for (size_t k = 0; k < tgt[size_t(i)].size(); ++k) {
                batch.in[i][int64_t(k) + 1] = tgt[size_t(i)][k];
                batch.target[i][int64_t(k)] = tgt[size_t(i)][k];
            }
            batch.target[i][int64_t(tgt[size_t(i)].size())] = Vocab::kEos;
        }
        out.push_back(std::move(batch));
    }
    return out;
}

/// Σ over the batch's target tokens of log p(token | source, prefix) (forced decoding).
torch::Tensor logLikelihood(TransformerNMT& net, const Batch& batch)
{
    const auto logits = net->forward(batch.src, batch.in);  // [B, T, V]
    const auto logp = torch::log_softmax(logits, -1).gather(-1, batch.target.unsqueeze(-1)).squeeze(-1);
    return (logp * (batch.target != 0).to(logp.scalar_type())).sum();
}

struct Kind {
    const char* name;
    int64_t layers;
};
} // namespace

Status headImportanceOf(ModelBundle& b, const std::vector<const Verse*>& all, ImportanceMethod method,
                        std::vector<HeadImportance>& out, const ProgressFn& progress)
{
    out.clear();
    if (!b.isTransformer()) return Status::error(b.name + " (GRU) has one attention, not heads: head importance needs a Transformer");
    std::vector<const Verse*> verses;
    for (const Verse* v : all)
        if (!v->sourceWords().empty() && !v->targetWords().empty() && int(v->sourceWords().size()) <= kMaxSourceTokens) verses.push_back(v);
    if (verses.empty()) return Status::error("no verse to measure the heads on");
    auto& net = b.transformer;
    net->eval();
    const TransformerConfig& c = net->config();
    const std::vector<Kind> kinds{{"encoder_self", c.encoderLayers}, {"decoder_self", c.decoderLayers}, {"cross_attention", c.decoderLayers}};
    const double nan = std::numeric_limits<double>::quiet_NaN();
    int64_t total = 0;
    for (const auto& k : kinds) total += k.layers * c.heads;

    if (method == ImportanceMethod::Ablation) {
        torch::NoGradGuard noGrad;
        const auto batches = batchesOf(b, verses, 16);
        const auto corpusLL = [&] {
            double sum = 0;
            for (const auto& batch : batches) sum += logLikelihood(net, batch).item<double>();
            return sum;
        };
        const double base = corpusLL();
        int64_t done = 0;
        for (const auto& k : kinds)
            for (int l = 0; l < k.layers; ++l)
                for (int h = 0; h < c.heads; ++h) {
                    if (!keepGoing(progress, done, total)) {
                        net->setAblation(HeadAblation{});
                        return Status::error("cancelled");
                    }
                    HeadAblation one;
                    one.heads[k.name][l] = {h};
                    if (auto st = net->setAblation(one); !st) return st;
                    const double ll = corpusLL();
                    out.push_back({k.name, l, h, (ll - base) / double(verses.size()), nan});
                    ++done;
                }
        net->setAblation(HeadAblation{});
        keepGoing(progress, total, total);
        return Status::success();
    }

    // Gradient: gates ξ = 1 per head; per verse |∂L/∂ξ|, averaged; then per layer ÷ l2 norm.
    std::map<std::string, torch::Tensor> gates, sum;
    for (const auto& k : kinds) {
        gates[k.name] = torch::ones({k.layers, c.heads}, torch::requires_grad());
        sum[k.name] = torch::zeros({k.layers, c.heads});
    }
    std::vector<bool> wanted;
    for (auto& p : net->parameters()) {
        wanted.push_back(p.requires_grad());
        p.requires_grad_(false);  // only the gates' gradients are needed
    }
    const auto restore = [&] {
        net->setGates({});
        size_t i = 0;
        for (auto& p : net->parameters()) p.requires_grad_(wanted[i++]);
    };
    net->setGates(gates);
    const auto one = batchesOf(b, verses, 1);
    std::vector<torch::Tensor> leaves;
    for (const auto& k : kinds) leaves.push_back(gates[k.name]);
    try {
        torch::AutoGradMode grad(true);
        for (size_t i = 0; i < one.size(); ++i) {
            if (!keepGoing(progress, int64_t(i), int64_t(one.size()))) {
                restore();
                return Status::error("cancelled");
            }
            const auto loss = -logLikelihood(net, one[i]);
            const auto grads = torch::autograd::grad({loss}, leaves);
            for (size_t g = 0; g < kinds.size(); ++g) sum[kinds[g].name] += grads[g].abs().detach();
        }
    } catch (const std::exception& e) {
        restore();
        return Status::error(std::string("gradient importance: ") + e.what());
    }
    restore();
    for (const auto& k : kinds) {
        const auto mean = sum[k.name] / double(one.size());
        const auto norm = mean.norm(2, 1, true).clamp_min(1e-20);  // per layer
        const auto scores = mean / norm;
        for (int l = 0; l < k.layers; ++l)
            for (int h = 0; h < c.heads; ++h) out.push_back({k.name, l, h, nan, scores[l][h].item<double>()});
    }
    keepGoing(progress, int64_t(one.size()), int64_t(one.size()));
    return Status::success();
}

Status pruningCurvesOf(ModelBundle& b, const std::vector<const Verse*>& verses, const std::vector<HeadImportance>& importance,
                       ImportanceMethod ranked, int randomSeeds, std::vector<PruningCurve>& out, const ProgressFn& progress)
{
    out.clear();
    if (!b.isTransformer()) return Status::error(b.name + " (GRU) has one attention, not heads: pruning needs a Transformer");
    if (importance.empty()) return Status::error("pruning needs the heads' importance first");
    if (verses.empty()) return Status::error("no verse to translate");
    std::vector<std::vector<std::string>> sources, references;
    for (const Verse* v : verses) {
        sources.push_back(v->sourceWords());
        references.push_back(v->targetWords());
        for (auto& w : references.back()) w = toLower(w);  // the model writes lower case
    }
    // The orders: least important first, then random permutations with fixed seeds.
    std::vector<std::vector<HeadImportance>> orders{importance};
    std::stable_sort(orders[0].begin(), orders[0].end(), [&](const HeadImportance& x, const HeadImportance& y) {
        return ranked == ImportanceMethod::Ablation ? x.deltaLogLikelihood > y.deltaLogLikelihood : x.gradient < y.gradient;
    });
    std::vector<std::string> names{"importance"};
    for (int s = 1; s <= randomSeeds; ++s) {
        std::vector<HeadImportance> shuffled = importance;
        std::mt19937 rng{static_cast<uint32_t>(s)};
        std::shuffle(shuffled.begin(), shuffled.end(), rng);
        orders.push_back(std::move(shuffled));
        names.push_back("random (seed " + std::to_string(s) + ")");
    }
    const int N = int(importance.size());
    constexpr int kSteps = 10;
    const int64_t total = int64_t(orders.size()) * (kSteps + 1);
    int64_t done = 0;
    auto& net = b.transformer;
    for (size_t o = 0; o < orders.size(); ++o) {
        PruningCurve curve;
        curve.order = names[o];
        for (int step = 0; step <= kSteps; ++step) {
            if (!keepGoing(progress, done, total)) {
                net->setAblation(HeadAblation{});
                return Status::error("cancelled");
            }
            const int k = int(std::lround(double(N) * step / kSteps));
            HeadAblation a;
            for (int i = 0; i < k; ++i) a.heads[orders[o][size_t(i)].kind][orders[o][size_t(i)].layer].push_back(orders[o][size_t(i)].head);
            for (auto& [kind, layers] : a.heads)
                for (auto& [layer, heads] : layers) std::sort(heads.begin(), heads.end());
            if (auto st = net->setAblation(a); !st) return st;
            std::vector<std::vector<std::string>> hyps;
            const Status st = greedyBatch(b, sources, hyps, {});
            net->setAblation(HeadAblation{});
            if (!st) return st;
            curve.fractions.push_back(double(step) / kSteps);
            curve.removed.push_back(k);
            curve.bleu.push_back(corpusBleu(hyps, references));
            ++done;
        }
        out.push_back(std::move(curve));
    }
    keepGoing(progress, total, total);
    return Status::success();
}

} // namespace attnscope
