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

std::string regionLabel(int64_t i, int64_t g) { return "r" + std::to_string(i / g) + "c" + std::to_string(i % g); }
} // namespace

struct SceneCaptioner::Impl {
    SceneCaptionerNet net{nullptr};
    std::string name;

    torch::Tensor encode(const GreyImage& scene) { return net->encoder->forward(sceneTensor(scene)); }

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

Status SceneCaptioner::caption(const GreyImage& scene, const CaptionOptions& opt, AttentionTrace& out) const
{
    if (!loaded()) return Status::error("no captioner loaded");
    if (scene.width < 1 || scene.height < 1 || scene.pixels.size() != size_t(scene.width) * size_t(scene.height))
        return Status::error("the scene image is empty or its size does not match its pixels");
    torch::NoGradGuard ng;
    const auto a = d->encode(scene);
    const int64_t L = a.size(1), g = d->net->config().grid;
    std::vector<std::string> regions;
    for (int64_t i = 0; i < L; ++i) regions.push_back(regionLabel(i, g));
    AttentionTrace t;
    t.model = d->name;
    if (auto st = decodeCaption(*d->net->decoder, a, opt, captionVocabulary(), "region", regions, t); !st) return st;
    t.tensors.push_back(traceTensor("input", {"row", "col"}, sceneTensor(scene)[0][0] * kFmnistStd + kFmnistMean));
    t.metadata["grid"] = std::to_string(g) + "x" + std::to_string(g);
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
