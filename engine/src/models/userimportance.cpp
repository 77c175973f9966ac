// Head importance and pruning curves of your own translators (UserTranslator): the corpus loop of
// importance.cpp over a HeadProbe that decodes through the model's own head ablation (ONNX
// exports: the interpreter scales the Softmax outputs; TorchScript: head-mask arguments), and
// gradient importance through the ONNX interpreter (ScriptModel::headGradients).
#include "attnscope/ablation.h"
#include "attnscope/schema.h"
#include "attnscope/scriptmodel.h"
#include "attnscope/translator.h"
#include "models/importance.h"
#include "runtimes/torchscript/scriptmodelimpl.h"

#include <algorithm>
#include <limits>

namespace attnscope {

using scriptmodel::joinTokens;

namespace {
/// A user translator as a HeadProbe: its heads as its forced-decoding trace of `first` names
/// them (encoder_self, decoder_self, cross_attention first, then any other [layer, head, …]
/// tensor), its ablation through ScriptModel::decode.
Status userProbe(const UserTranslator& t, const ScriptModel& m, const Verse& first,
                 const std::function<Status(const std::vector<std::vector<std::string>>&, std::vector<std::vector<std::string>>&,
                                            const HeadAblation*)>& greedy,
                 HeadProbe& out)
{
    AttentionTrace trace;
    if (auto st = t.decodeVerse(first, true, trace); !st) return st;
    if (trace.meta(schema::translation::kLogLikelihoodMeta).empty())
        return Status::error(t.modelName() + " gives no logits over the target in forced decoding, so the reference's "
                                             "log-likelihood (what importance by ablation measures) cannot be read");
    const AttentionShapes shapes = attentionShapes(trace);
    std::vector<std::string> kinds;
    for (const char* k : {"encoder_self", "decoder_self", "cross_attention"})
        if (shapes.count(k)) kinds.push_back(k);
    for (const auto& x : trace.tensors)
        if (shapes.count(x.name) && std::find(kinds.begin(), kinds.end(), x.name) == kinds.end()) kinds.push_back(x.name);
    if (kinds.empty()) return Status::error(t.modelName() + ": its traces hold no [layer, head, query, key] attention to ablate");
    out.layout.clear();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (const auto& k : kinds)
        for (int l = 0; l < int(shapes.at(k).first); ++l)
            for (int h = 0; h < int(shapes.at(k).second); ++h) out.layout.push_back({k, l, h, nan, nan, nan});
    out.logLikelihood = [&m](const HeadAblation& a, const std::vector<const Verse*>& verses, double& sum) -> Status {
        sum = 0;
        for (const Verse* v : verses) {
            const std::string source = joinTokens(v->sourceWords()), reference = joinTokens(v->targetWords());
            AttentionTrace forced;
            if (auto st = m.decode(source, &reference, forced, nullptr, {}, a.empty() ? nullptr : &a); !st) return st;
            sum += std::stod(forced.meta(schema::translation::kLogLikelihoodMeta));
        }
        return Status::success();
    };
    out.greedy = [greedy](const HeadAblation& a, const std::vector<std::vector<std::string>>& sources,
                          std::vector<std::vector<std::string>>& hyps) { return greedy(sources, hyps, a.empty() ? nullptr : &a); };
    return Status::success();
}
} // namespace

Status UserTranslator::headImportanceShard(const std::vector<const Verse*>& all, ImportanceMethod method, const Shard& shard,
                                           ImportancePartial& out, const ProgressFn& progress) const
{
    out = ImportancePartial{};
    std::vector<const Verse*> verses;
    for (const Verse* v : all)
        if (cannotTake(*v).empty()) verses.push_back(v);
    if (verses.empty()) return Status::error("no verse to measure the heads on");
    if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count) return Status::error("no such shard");
    HeadProbe probe;
    const auto greedy = [this](const auto& s, auto& o, const HeadAblation* a) { return greedyWords(s, o, {}, a); };
    if (auto st = userProbe(*this, *model_, *verses.front(), greedy, probe); !st) return st;
    if (method == ImportanceMethod::Ablation) return ablationImportance(probe, verses, shard, out, progress);
    // Gradient: |∂L/∂ξ_h| per verse of this shard, through the model's own run (ONNX exports).
    out.method = method;
    out.shard = shard;
    out.verses = int(verses.size());
    out.heads = probe.layout;
    std::vector<std::string> kinds;
    for (const auto& h : probe.layout)
        if (kinds.empty() || kinds.back() != h.kind) kinds.push_back(h.kind);
    const size_t N = size_t(shard.count), K = size_t(shard.index);
    const int64_t total = int64_t((verses.size() + N - 1 - K) / N);
    int64_t done = 0;
    for (size_t i = K; i < verses.size(); i += N, ++done) {
        if (!keepGoing(progress, done, total)) return Status::error("cancelled");
        std::vector<float> g;
        const std::string reference = joinTokens(verses[i]->targetWords());
        if (auto st = model_->headGradients(joinTokens(verses[i]->sourceWords()), reference, kinds, g); !st) return st;
        if (g.size() != probe.layout.size()) return Status::error(modelName() + ": its heads differ from verse to verse");
        out.gradients[int(i)] = std::move(g);
    }
    keepGoing(progress, total, total);
    return Status::success();
}

Status UserTranslator::pruningCurvesShard(const std::vector<const Verse*>& all, const std::vector<HeadImportance>& importance,
                                          ImportanceMethod ranked, int randomSeeds, const Shard& shard, PruningPartial& out,
                                          const ProgressFn& progress) const
{
    out = PruningPartial{};
    std::vector<const Verse*> verses;
    for (const Verse* v : all)
        if (cannotTake(*v).empty()) verses.push_back(v);
    if (verses.empty()) return Status::error("no verse to translate");
    HeadProbe probe;
    const auto greedy = [this](const auto& s, auto& o, const HeadAblation* a) { return greedyWords(s, o, {}, a); };
    if (auto st = userProbe(*this, *model_, *verses.front(), greedy, probe); !st) return st;
    return pruningCurvesWith(probe, verses, importance, ranked, randomSeeds, shard, out, progress);
}

} // namespace attnscope
