// SceneCaptioner: greedy / beam-search / forced decoding with soft or hard attention, the
// trace it writes, and the attention metrics against the generated scenes' item boxes.
#include "attnscope/caption.h"

#include "models/captioner.h"
#include "models/cnn.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace attnscope {

namespace {
bool isCaptionerName(const std::string& n) { return n == "scene-captioner"; }

/// One decoded sequence: its words (ids) and, per word, what the decoder did.
struct Decoded {
    std::vector<int64_t> ids;
    std::vector<torch::Tensor> alpha, used;  ///< [L] each
    std::vector<float> beta, prob;
    double logProb = 0;                       ///< Σ log p over the words and </s> (when reached)
};

std::string regionLabel(int64_t i, int64_t g) { return "r" + std::to_string(i / g) + "c" + std::to_string(i % g); }
} // namespace

struct SceneCaptioner::Impl {
    SceneCaptionerNet net{nullptr};
    std::string name;

    torch::Tensor encode(const GreyImage& scene) { return net->encoder->forward(sceneTensor(scene)); }

    /// Greedy decoding (or forced decoding of `forced` when not empty).
    Decoded greedy(const torch::Tensor& a, AttentionMode mode, int maxWords, uint64_t seed, const std::vector<int64_t>& forced)
    {
        auto& dec = net->decoder;
        DecoderState st = dec->init(a);
        const auto keys = dec->keys(a);
        torch::Generator gen = torch::make_generator<torch::CPUGeneratorImpl>(seed);
        Decoded d;
        int64_t prev = kCapBos;
        const size_t steps = forced.empty() ? size_t(maxWords) : forced.size() + 1;
        for (size_t t = 0; t < steps; ++t) {
            auto s = dec->step(torch::tensor({prev}), st, a, keys, mode, &gen);
            const auto logp = torch::log_softmax(s.logits[0], 0);
            const int64_t y = forced.empty() ? logp.argmax().item<int64_t>() : t < forced.size() ? forced[t] : int64_t(kCapEos);
            d.logProb += logp[y].item<double>();
            if (y == kCapEos) break;
            d.ids.push_back(y);
            d.alpha.push_back(s.alpha[0]);
            d.used.push_back(s.used[0]);
            d.beta.push_back(s.beta[0].item<float>());
            d.prob.push_back(float(std::exp(logp[y].item<double>())));
            prev = y;
        }
        return d;
    }

    /// Beam search of width k (soft or hard-argmax attention); the finished hypothesis with the
    /// best length-normalised log-probability wins (Wu et al. 2016 style, α = 1).
    Decoded beam(const torch::Tensor& a, AttentionMode mode, int k, int maxWords)
    {
        auto& dec = net->decoder;
        struct Hyp {
            Decoded d;
            int64_t prev = kCapBos;
        };
        std::vector<Hyp> live(1), done;
        DecoderState st = dec->init(a);
        for (int t = 0; t < maxWords && !live.empty(); ++t) {
            const int64_t n = int64_t(live.size());
            const auto an = a.expand({n, a.size(1), a.size(2)});
            const auto keys = dec->keys(an);
            std::vector<int64_t> prev;
            for (const auto& h : live) prev.push_back(h.prev);
            auto s = dec->step(torch::tensor(prev), st, an, keys, mode);
            const auto logp = torch::log_softmax(s.logits, 1);  // [n, V]
            struct Cand {
                double score;
                int64_t beam, word;
            };
            std::vector<Cand> cands;
            const auto top = logp.topk(k, 1);
            const auto vals = std::get<0>(top), idx = std::get<1>(top);
            for (int64_t b = 0; b < n; ++b)
                for (int j = 0; j < k; ++j)
                    cands.push_back({live[size_t(b)].d.logProb + vals[b][j].item<double>(), b, idx[b][j].item<int64_t>()});
            std::sort(cands.begin(), cands.end(), [](const Cand& x, const Cand& y) { return x.score > y.score; });
            std::vector<Hyp> next;
            std::vector<int64_t> keep;
            for (const auto& c : cands) {
                if (int(next.size()) >= k || int(done.size()) >= k) break;
                Hyp h = live[size_t(c.beam)];
                h.d.logProb = c.score;
                if (c.word == kCapEos) {
                    done.push_back(std::move(h));
                    continue;
                }
                h.d.ids.push_back(c.word);
                h.d.alpha.push_back(s.alpha[c.beam]);
                h.d.used.push_back(s.used[c.beam]);
                h.d.beta.push_back(s.beta[c.beam].item<float>());
                h.d.prob.push_back(float(std::exp(logp[c.beam][c.word].item<double>())));
                h.prev = c.word;
                next.push_back(std::move(h));
                keep.push_back(c.beam);
            }
            if (int(done.size()) >= k || next.empty()) break;
            const auto sel = torch::tensor(keep);
            st.h = st.h.index_select(0, sel);
            st.c = st.c.index_select(0, sel);
            live = std::move(next);
        }
        if (done.empty()) done = live;  // nothing finished within maxWords
        const auto norm = [](const Hyp& h) { return h.d.logProb / double(h.d.ids.size() + 1); };
        return std::max_element(done.begin(), done.end(), [&](const Hyp& x, const Hyp& y) { return norm(x) < norm(y); })->d;
    }
};

bool isCaptionerFile(const std::string& nameOrPath) { return isModelFile(nameOrPath, isCaptionerName, loadCaptioner); }

SceneCaptioner::SceneCaptioner() : d(std::make_unique<Impl>()) {}
SceneCaptioner::~SceneCaptioner() = default;

Status SceneCaptioner::load(const std::string& modelNameOrPath)
{
    return loadImageModel(modelNameOrPath, &isCaptionerName, "scene captioner", loadCaptioner, d->net, d->name);
}
bool SceneCaptioner::loaded() const { return !d->net.is_empty(); }
std::string SceneCaptioner::modelName() const { return d->name; }
int SceneCaptioner::gridSize() const { return loaded() ? int(d->net->config().grid) : 7; }
int64_t SceneCaptioner::parameters() const { return loaded() ? countParameters(*d->net) : 0; }
const std::vector<std::string>& SceneCaptioner::vocabulary() const { return captionVocabulary(); }

namespace {
const char* modeName(AttentionMode m)
{
    return m == AttentionMode::Soft ? "soft" : m == AttentionMode::HardArgmax ? "hard-argmax" : "hard-sample";
}

TraceTensor rows(const std::string& name, const std::vector<torch::Tensor>& r, int64_t L)
{
    return traceTensor(name, {"word", "region"}, r.empty() ? torch::zeros({0, L}) : torch::stack(r));
}
} // namespace

Status SceneCaptioner::caption(const GreyImage& scene, const CaptionOptions& opt, AttentionTrace& out) const
{
    if (!loaded()) return Status::error("no captioner loaded");
    if (scene.width < 1 || scene.height < 1 || scene.pixels.size() != size_t(scene.width) * size_t(scene.height))
        return Status::error("the scene image is empty or its size does not match its pixels");
    if (opt.maxWords < 1 || opt.maxWords > 200) return Status::error("maximum caption length must be 1–200 words");
    if (opt.beamWidth < 1 || opt.beamWidth > 20) return Status::error("beam width must be 1–20");
    std::vector<std::string> words = captionWords(opt.target);
    std::vector<int64_t> forced;
    const bool isForced = !opt.target.empty();
    if (isForced) {
        if (words.empty()) return Status::error("the caption to score is empty");
        if (words.size() > 200) return Status::error("the caption to score has " + std::to_string(words.size()) + " words (at most 200)");
        std::vector<std::string> unknown;
        forced = captionIds(words, &unknown);
        if (!unknown.empty()) {
            std::string list, vocab;
            for (const auto& w : unknown) list += (list.empty() ? "'" : ", '") + w + "'";
            for (size_t i = 4; i < captionVocabulary().size(); ++i) vocab += (i > 4 ? " " : "") + captionVocabulary()[i];
            return Status::error("unknown word" + std::string(unknown.size() > 1 ? "s " : " ") + list +
                                 "; the captioner knows: " + vocab);
        }
    }
    torch::NoGradGuard ng;
    const auto a = d->encode(scene);
    const int64_t L = a.size(1), g = d->net->config().grid;
    const bool useBeam = !isForced && opt.beamWidth > 1 && opt.mode != AttentionMode::HardSample;
    const Decoded dec = useBeam ? d->beam(a, opt.mode, opt.beamWidth, opt.maxWords)
                                : d->greedy(a, opt.mode, opt.maxWords, opt.sampleSeed, forced);

    AttentionTrace t;
    t.model = d->name;
    t.scoreFunction = "additive";
    const auto& vocab = captionVocabulary();
    std::vector<std::string> labels;
    for (auto id : dec.ids) labels.push_back(vocab[size_t(id)]);
    std::string cap;
    for (const auto& w : labels) cap += (cap.empty() ? "" : " ") + w;
    std::vector<std::string> regions;
    for (int64_t i = 0; i < L; ++i) regions.push_back(regionLabel(i, g));

    auto att = rows("attention", dec.used, L);
    att.labels = {labels, regions};
    t.tensors.push_back(att);
    if (opt.mode != AttentionMode::Soft) {
        auto soft = rows("soft_attention", dec.alpha, L);
        soft.labels = {labels, regions};
        t.tensors.push_back(soft);
    }
    auto vec = [&](const std::string& name, const std::vector<float>& v) {
        auto tt = traceTensor(name, {"word"}, torch::tensor(v.empty() ? std::vector<float>{} : v));
        tt.shape = {int64_t(v.size())};
        tt.labels = {labels};
        return tt;
    };
    t.tensors.push_back(vec("gate", dec.beta));
    t.tensors.push_back(vec("word_probability", dec.prob));
    auto cov = traceTensor("coverage", {"region"}, dec.used.empty() ? torch::zeros({L}) : torch::stack(dec.used).sum(0));
    cov.labels = {regions};
    t.tensors.push_back(cov);
    auto in = traceTensor("input", {"row", "col"}, sceneTensor(scene)[0][0] * kFmnistStd + kFmnistMean);
    t.tensors.push_back(in);
    t.metadata["caption"] = cap;
    t.metadata["mode"] = isForced ? "forced" : "free";
    t.metadata["attention"] = modeName(opt.mode);
    t.metadata["decoding"] = isForced ? "forced" : useBeam ? "beam " + std::to_string(opt.beamWidth) : "greedy";
    t.metadata["grid"] = std::to_string(g) + "x" + std::to_string(g);
    char lp[32];
    std::snprintf(lp, sizeof lp, "%.4f", dec.logProb);
    t.metadata["log_probability"] = lp;
    if (auto st = t.validate(); !st) return st;
    out = std::move(t);
    return Status::success();
}

CaptionScore scoreCaptionAttention(const AttentionTrace& trace, const Scene& scene)
{
    CaptionScore s;
    const TraceTensor* att = trace.find("attention");
    if (!att || att->shape.size() != 2 || att->labels.size() != 2) return s;
    const int64_t L = att->shape[1];
    const int64_t g = std::lround(std::sqrt(double(L)));
    if (g * g != L) return s;
    const double cell = double(kSceneSize) / double(g);
    size_t k = 0;
    for (int64_t w = 0; w < att->shape[0] && k < scene.items.size(); ++w) {
        if (itemLabel(att->labels[0][size_t(w)]) < 0) continue;
        const SceneItem& it = scene.items[k++];
        int64_t best = 0;
        double mass = 0;
        for (int64_t i = 0; i < L; ++i) {
            const double v = att->at(w, i);
            if (v > att->at(w, best)) best = i;
            const double x0 = double(i % g) * cell, y0 = double(i / g) * cell;
            const double ox = std::max(0.0, std::min(x0 + cell, double(it.x + it.width)) - std::max(x0, double(it.x)));
            const double oy = std::max(0.0, std::min(y0 + cell, double(it.y + it.height)) - std::max(y0, double(it.y)));
            mass += v * ox * oy / (cell * cell);
        }
        ++s.itemWords;
        if (it.contains((double(best % g) + 0.5) * cell, (double(best / g) + 0.5) * cell)) ++s.peakHits;
        s.mass += mass;
        s.uniformMass += double(it.width) * it.height / (double(kSceneSize) * kSceneSize);
    }
    return s;
}

namespace {
void add(CaptionScore& a, const CaptionScore& b)
{
    a.itemWords += b.itemWords;
    a.peakHits += b.peakHits;
    a.mass += b.mass;
    a.uniformMass += b.uniformMass;
}
} // namespace

Status SceneCaptioner::evaluate(const FashionMnist& test, int count, CaptionMetrics& out, const ProgressFn& progress, int beamWidth) const
{
    if (!loaded()) return Status::error("no captioner loaded");
    if (count < 1) return Status::error("scene count must be positive");
    if (test.images.count < 1) return Status::error("no test images");
    CaptionMetrics m;
    m.beamWidth = beamWidth;
    for (int i = 0; i < count; ++i) {
        if (!keepGoing(progress, i, count)) return Status::error("cancelled");
        const Scene s = testScene(test, i);
        AttentionTrace t;
        CaptionOptions o;
        o.target = s.caption;
        if (auto st = caption(s.image, o, t); !st) return st;
        add(m.forced, scoreCaptionAttention(t, s));
        o.mode = AttentionMode::HardArgmax;
        if (auto st = caption(s.image, o, t); !st) return st;
        add(m.hardForced, scoreCaptionAttention(t, s));

        const auto gold = captionWords(s.caption);
        o = CaptionOptions{};
        if (auto st = caption(s.image, o, t); !st) return st;
        const auto hyp = captionWords(t.meta("caption"));
        if (hyp == gold) ++m.exactMatches;
        for (size_t w = 0; w < gold.size(); ++w) {
            const bool ok = w < hyp.size() && hyp[w] == gold[w];
            ++m.goldWords;
            m.correctWords += ok;
            if (itemLabel(gold[w]) >= 0) {
                ++m.goldItemWords;
                m.correctItemWords += ok;
            }
        }
        o.beamWidth = beamWidth;
        if (auto st = caption(s.image, o, t); !st) return st;
        if (captionWords(t.meta("caption")) == gold) ++m.beamExactMatches;
        o.beamWidth = 1;
        o.mode = AttentionMode::HardArgmax;
        if (auto st = caption(s.image, o, t); !st) return st;
        if (captionWords(t.meta("caption")) == gold) ++m.hardExactMatches;
        ++m.scenes;
    }
    keepGoing(progress, count, count);
    out = m;
    return Status::success();
}

} // namespace attnscope
