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
#include <cstdio>
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

/// A verse's source words to translate and its reference, lower-cased as the model writes.
void addVerse(const Verse& v, std::vector<std::vector<std::string>>& sources, std::vector<std::vector<std::string>>& references)
{
    sources.push_back(v.sourceWords());
    references.push_back(v.targetWords());
    for (auto& w : references.back()) w = toLower(w);
}

/// The Transformer's attention kinds in the importance table's order.
std::vector<Kind> kindsOf(const TransformerConfig& c)
{
    return {{"encoder_self", c.encoderLayers}, {"decoder_self", c.decoderLayers}, {"cross_attention", c.decoderLayers}};
}

} // namespace

Status ablationImportance(const HeadProbe& probe, const std::vector<const Verse*>& verses, const Shard& shard, ImportancePartial& out,
                          const ProgressFn& progress)
{
    out = ImportancePartial{};
    out.method = ImportanceMethod::Ablation;
    out.shard = shard;
    if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count) return Status::error("no such shard");
    if (verses.empty()) return Status::error("no verse to measure the heads on");
    out.verses = int(verses.size());
    out.heads = probe.layout;
    const size_t N = size_t(shard.count), K = size_t(shard.index);
    double base = 0;
    if (auto st = probe.logLikelihood(HeadAblation{}, verses, base); !st) return st;
    // Greedy translations, scored with corpus BLEU against the (lower-cased) references.
    std::vector<std::vector<std::string>> sources, references;
    for (const Verse* v : verses) addVerse(*v, sources, references);
    const auto corpusBleuNow = [&](const HeadAblation& a, double& bleu) -> Status {
        std::vector<std::vector<std::string>> hyps;
        if (auto st = probe.greedy(a, sources, hyps); !st) return st;
        bleu = corpusBleu(hyps, references);
        return Status::success();
    };
    double baseBleu = 0;
    if (auto st = corpusBleuNow(HeadAblation{}, baseBleu); !st) return st;
    const int64_t total = int64_t((out.heads.size() + N - 1 - K) / N);
    int64_t done = 0;
    for (size_t i = K; i < out.heads.size(); i += N) {
        if (!keepGoing(progress, done, total)) return Status::error("cancelled");
        HeadImportance& h = out.heads[i];
        HeadAblation one;
        one.heads[h.kind][h.layer] = {h.head};
        double ll = 0, bleu = 0;
        if (auto st = probe.logLikelihood(one, verses, ll); !st) return st;
        h.deltaLogLikelihood = (ll - base) / double(verses.size());
        if (auto st = corpusBleuNow(one, bleu); !st) return st;
        h.deltaBleu = bleu - baseBleu;
        ++done;
    }
    keepGoing(progress, total, total);
    return Status::success();
}

std::string importanceCsv(const std::vector<HeadImportance>& heads, ImportanceMethod method)
{
    const bool ablation = method == ImportanceMethod::Ablation;
    std::string csv = ablation ? "kind,layer,head,delta_log_likelihood,delta_bleu\n" : "kind,layer,head,gradient_importance\n";
    char value[64], bleu[64];
    for (const auto& h : heads) {
        std::snprintf(value, sizeof value, "%.6g", ablation ? h.deltaLogLikelihood : h.gradient);
        std::snprintf(bleu, sizeof bleu, ",%.6g", h.deltaBleu);
        csv += h.kind + ',' + std::to_string(h.layer + 1) + ',' + std::to_string(h.head + 1) + ',' + value +
               (ablation ? (std::isnan(h.deltaBleu) ? std::string(",") : std::string(bleu)) : std::string()) + '\n';
    }
    return csv;
}

Status parseShard(const std::string& spec, Shard& out)
{
    const auto slash = spec.find('/');
    const auto whole = [](const std::string& t, int& v) {
        if (t.empty() || t.size() > 6 || t.find_first_not_of("0123456789") != std::string::npos) return false;
        v = std::stoi(t);
        return true;
    };
    int k = 0, n = 0;
    if (slash == std::string::npos || !whole(spec.substr(0, slash), k) || !whole(spec.substr(slash + 1), n))
        return Status::error("--shard '" + spec + "': expected K/N, shard K (from 0) of N, e.g. 0/4");
    if (n < 1 || k >= n)
        return Status::error("--shard '" + spec + "': K runs from 0 to N-1 (as Slurm's array index) and N ≥ 1");
    out = {k, n};
    return Status::success();
}

namespace {
/// Every head of the model in the table's order (encoder_self, decoder_self, cross_attention;
/// layer, head), values NaN.
std::vector<HeadImportance> headLayout(const TransformerConfig& c)
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<HeadImportance> out;
    const std::vector<Kind> kinds = kindsOf(c);
    for (const auto& k : kinds)
        for (int l = 0; l < k.layers; ++l)
            for (int h = 0; h < c.heads; ++h) out.push_back({k.name, l, h, nan, nan});
    return out;
}

/// The parts in shard order, checked to be one run's: same method/count/verses/layout, each shard once.
template <typename Part, typename Same>
Status shardsInOrder(const std::vector<Part>& parts, std::vector<const Part*>& ordered, Same same)
{
    if (parts.empty()) return Status::error("nothing to merge");
    const int n = parts.front().shard.count;
    if (n < 1 || n > 100000) return Status::error("a part names " + std::to_string(n) + " shards (1…100000)");
    ordered.assign(size_t(n), nullptr);
    for (const Part& p : parts) {
        if (p.shard.count != n)
            return Status::error("the parts come from runs split differently (" + std::to_string(n) + " and " +
                                 std::to_string(p.shard.count) + " shards)");
        if (p.verses != parts.front().verses)
            return Status::error("the parts measured different corpora (" + std::to_string(parts.front().verses) + " and " +
                                 std::to_string(p.verses) + " verses)");
        if (auto st = same(parts.front(), p); !st) return st;
        if (p.shard.index < 0 || p.shard.index >= n) return Status::error("a part names shard " + std::to_string(p.shard.index) + " of " + std::to_string(n));
        if (ordered[size_t(p.shard.index)])
            return Status::error("shard " + std::to_string(p.shard.index) + "/" + std::to_string(n) + " is given twice");
        ordered[size_t(p.shard.index)] = &p;
    }
    std::string missing;
    for (int k = 0; k < n; ++k)
        if (!ordered[size_t(k)]) missing += (missing.empty() ? "" : ", ") + std::to_string(k) + "/" + std::to_string(n);
    if (!missing.empty()) return Status::error("shard " + missing + " missing: merge needs every shard of the run");
    return Status::success();
}

bool sameLayout(const std::vector<HeadImportance>& a, const std::vector<HeadImportance>& b)
{
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].kind != b[i].kind || a[i].layer != b[i].layer || a[i].head != b[i].head) return false;
    return true;
}

/// The built-in Transformer as a HeadProbe: its head masks (setAblation), forced log-likelihood
/// in batches of 16, greedy translations in batches of kGreedyBatch; the model is left unablated.
HeadProbe transformerProbe(ModelBundle& b)
{
    HeadProbe p;
    p.layout = headLayout(b.transformer->config());
    p.logLikelihood = [&b](const HeadAblation& a, const std::vector<const Verse*>& verses, double& sum) -> Status {
        torch::NoGradGuard noGrad;
        if (auto st = b.transformer->setAblation(a); !st) return st;
        sum = 0;
        for (const auto& batch : batchesOf(b, verses, 16)) sum += logLikelihood(b.transformer, batch).item<double>();
        return b.transformer->setAblation(HeadAblation{});
    };
    p.greedy = [&b](const HeadAblation& a, const std::vector<std::vector<std::string>>& sources,
                    std::vector<std::vector<std::string>>& out) -> Status {
        if (auto st = b.transformer->setAblation(a); !st) return st;
        const Status st = greedyBatch(b, sources, out, {});
        b.transformer->setAblation(HeadAblation{});
        return st;
    };
    return p;
}
} // namespace

Status mergeImportance(const std::vector<ImportancePartial>& parts, std::vector<HeadImportance>& out)
{
    out.clear();
    std::vector<const ImportancePartial*> shards;
    if (auto st = shardsInOrder(parts, shards, [](const ImportancePartial& a, const ImportancePartial& b) {
            if (a.method != b.method) return Status::error("the parts measured importance by different methods");
            if (!sameLayout(a.heads, b.heads)) return Status::error("the parts come from models with different heads");
            return Status::success();
        });
        !st)
        return st;
    const size_t n = shards.size();
    out = shards.front()->heads;
    if (shards.front()->method == ImportanceMethod::Ablation) {
        for (size_t i = 0; i < out.size(); ++i) {
            const HeadImportance& h = shards[i % n]->heads[i];
            if (std::isnan(h.deltaLogLikelihood))
                return Status::error("shard " + std::to_string(i % n) + " has no value for " + h.kind + " layer " +
                                     std::to_string(h.layer + 1) + " head " + std::to_string(h.head + 1));
            out[i].deltaLogLikelihood = h.deltaLogLikelihood;
            out[i].deltaBleu = h.deltaBleu;
        }
        return Status::success();
    }
    // Gradient: the verses' |∂L/∂ξ| summed in verse order (as one run does), mean, ÷ l2 per layer.
    const int verses = shards.front()->verses;
    if (verses <= 0) return Status::error("the parts measured no verse");
    auto sum = torch::zeros({int64_t(out.size())});
    for (int v = 0; v < verses; ++v) {
        const auto& grads = shards[size_t(v) % n]->gradients;
        const auto it = grads.find(v);
        if (it == grads.end() || it->second.size() != out.size())
            return Status::error("shard " + std::to_string(size_t(v) % n) + " has no gradients for verse " + std::to_string(v + 1));
        sum += torch::from_blob(const_cast<float*>(it->second.data()), {int64_t(out.size())}, torch::kFloat32);
    }
    const auto mean = sum / double(verses);
    // Per layer of each kind: the run of rows with the same kind and layer.
    for (size_t start = 0; start < out.size();) {
        size_t end = start;
        while (end < out.size() && out[end].kind == out[start].kind && out[end].layer == out[start].layer) ++end;
        const auto layer = mean.slice(0, int64_t(start), int64_t(end));
        const auto scores = layer / layer.norm(2).clamp_min(1e-20);
        for (size_t i = start; i < end; ++i) out[i].gradient = scores[int64_t(i - start)].item<double>();
        start = end;
    }
    return Status::success();
}

Status mergePruning(const std::vector<PruningPartial>& parts, std::vector<PruningCurve>& out)
{
    out.clear();
    std::vector<const PruningPartial*> shards;
    if (auto st = shardsInOrder(parts, shards, [](const PruningPartial& a, const PruningPartial& b) {
            if (a.orders != b.orders || a.removed != b.removed || a.fractions != b.fractions)
                return Status::error("the parts pruned in different orders or steps");
            if (b.stats.size() != b.orders.size()) return Status::error("a part has statistics for " + std::to_string(b.stats.size()) +
                                                                         " orders, not " + std::to_string(b.orders.size()));
            for (const auto& s : b.stats)
                if (s.size() != b.fractions.size()) return Status::error("a part has statistics for a different number of steps");
            return Status::success();
        });
        !st)
        return st;
    const PruningPartial& first = *shards.front();
    for (size_t o = 0; o < first.orders.size(); ++o) {
        PruningCurve curve{first.orders[o], first.fractions, first.removed, {}};
        for (size_t step = 0; step < first.fractions.size(); ++step) {
            BleuStats total;
            for (const PruningPartial* p : shards) total += p->stats[o][step];
            curve.bleu.push_back(total.bleu());
        }
        out.push_back(std::move(curve));
    }
    return Status::success();
}

Status headImportanceOf(ModelBundle& b, const std::vector<const Verse*>& all, ImportanceMethod method, const Shard& shard,
                        ImportancePartial& out, const ProgressFn& progress)
{
    out = ImportancePartial{};
    out.method = method;
    out.shard = shard;
    if (!b.isTransformer()) return Status::error(b.name + " (GRU) has one attention, not heads: head importance needs a Transformer");
    if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count) return Status::error("no such shard");
    std::vector<const Verse*> verses;
    for (const Verse* v : all)
        if (!v->sourceWords().empty() && !v->targetWords().empty() && int(v->sourceWords().size()) <= kMaxSourceTokens) verses.push_back(v);
    if (verses.empty()) return Status::error("no verse to measure the heads on");
    auto& net = b.transformer;
    net->eval();
    const TransformerConfig& c = net->config();
    out.verses = int(verses.size());
    out.heads = headLayout(c);
    const size_t N = size_t(shard.count), K = size_t(shard.index);

    if (method == ImportanceMethod::Ablation) {
        return ablationImportance(transformerProbe(b), verses, shard, out, progress);
    }

    // Gradient: gates ξ = 1 per head; per verse |∂L/∂ξ| (mergeImportance averages them and
    // divides by each layer's l2 norm).
    const std::vector<Kind> kinds = kindsOf(c);
    std::map<std::string, torch::Tensor> gates;
    std::vector<torch::Tensor> leaves;
    for (const auto& k : kinds) {
        gates[k.name] = torch::ones({k.layers, c.heads}, torch::requires_grad());
        leaves.push_back(gates[k.name]);
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
    std::vector<const Verse*> mine;
    for (size_t v = K; v < verses.size(); v += N) mine.push_back(verses[v]);
    const auto one = batchesOf(b, mine, 1);
    try {
        torch::AutoGradMode grad(true);
        for (size_t i = 0; i < one.size(); ++i) {
            if (!keepGoing(progress, int64_t(i), int64_t(one.size()))) {
                restore();
                return Status::error("cancelled");
            }
            const auto loss = -logLikelihood(net, one[i]);
            const auto grads = torch::autograd::grad({loss}, leaves);
            std::vector<torch::Tensor> flat;
            for (const auto& g : grads) flat.push_back(g.abs().detach().reshape({-1}));
            const auto row = torch::cat(flat).contiguous();
            out.gradients[int(K + i * N)] = std::vector<float>(row.data_ptr<float>(), row.data_ptr<float>() + row.numel());
        }
    } catch (const std::exception& e) {
        restore();
        return Status::error(std::string("gradient importance: ") + e.what());
    }
    restore();
    keepGoing(progress, int64_t(one.size()), int64_t(one.size()));
    return Status::success();
}

Status pruningCurvesOf(ModelBundle& b, const std::vector<const Verse*>& all, const std::vector<HeadImportance>& importance,
                       ImportanceMethod ranked, int randomSeeds, const Shard& shard, PruningPartial& out, const ProgressFn& progress)
{
    out = PruningPartial{};
    out.shard = shard;
    if (!b.isTransformer()) return Status::error(b.name + " (GRU) has one attention, not heads: pruning needs a Transformer");
    return pruningCurvesWith(transformerProbe(b), all, importance, ranked, randomSeeds, shard, out, progress);
}

Status pruningCurvesWith(const HeadProbe& probe, const std::vector<const Verse*>& all, const std::vector<HeadImportance>& importance,
                         ImportanceMethod ranked, int randomSeeds, const Shard& shard, PruningPartial& out, const ProgressFn& progress)
{
    out = PruningPartial{};
    out.shard = shard;
    if (importance.empty()) return Status::error("pruning needs the heads' importance first");
    if (all.empty()) return Status::error("no verse to translate");
    if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count) return Status::error("no such shard");
    out.verses = int(all.size());
    // This shard's verses: whole greedy batches, batch c to shard c mod N, so that every verse is
    // translated in the same batch as in one run.
    std::vector<std::vector<std::string>> sources, references;
    for (size_t start = kGreedyBatch * size_t(shard.index); start < all.size(); start += kGreedyBatch * size_t(shard.count))
        for (size_t v = start; v < std::min(all.size(), start + kGreedyBatch); ++v) addVerse(*all[v], sources, references);
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
    out.orders = names;
    for (int step = 0; step <= kSteps; ++step) {
        out.fractions.push_back(double(step) / kSteps);
        out.removed.push_back(int(std::lround(double(N) * step / kSteps)));
    }
    const int64_t total = int64_t(orders.size()) * (kSteps + 1);
    int64_t done = 0;
    for (size_t o = 0; o < orders.size(); ++o) {
        out.stats.emplace_back();
        for (int step = 0; step <= kSteps; ++step) {
            if (!keepGoing(progress, done, total)) return Status::error("cancelled");
            const int k = out.removed[size_t(step)];
            HeadAblation a;
            for (int i = 0; i < k; ++i) a.heads[orders[o][size_t(i)].kind][orders[o][size_t(i)].layer].push_back(orders[o][size_t(i)].head);
            for (auto& [kind, layers] : a.heads)
                for (auto& [layer, heads] : layers) std::sort(heads.begin(), heads.end());
            std::vector<std::vector<std::string>> hyps;
            if (auto st = probe.greedy(a, sources, hyps); !st) return st;
            BleuStats stats;
            for (size_t v = 0; v < hyps.size(); ++v) stats.add(hyps[v], references[v]);
            out.stats.back().push_back(stats);
            ++done;
        }
    }
    keepGoing(progress, total, total);
    return Status::success();
}

} // namespace attnscope
