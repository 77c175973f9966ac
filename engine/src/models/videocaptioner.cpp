// ClipCaptioner: soft temporal attention over the sampled frames of a clip or video, and
// the temporal hit rate against the generated clips' item visibility.
#include "attnscope/video.h"

#include "models/clipcaptioner.h"
#include "models/cnn.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {
bool isClipCaptionerName(const std::string& n) { return n == "clip-captioner"; }
} // namespace

bool isClipCaptionerFile(const std::string& nameOrPath) { return isModelFile(nameOrPath, isClipCaptionerName, loadClipCaptioner); }

struct ClipCaptioner::Impl {
    ClipCaptionerNet net{nullptr};
    std::string name;
};

ClipCaptioner::ClipCaptioner() : d(std::make_unique<Impl>()) {}
ClipCaptioner::~ClipCaptioner() = default;

Status ClipCaptioner::load(const std::string& modelNameOrPath)
{
    return loadImageModel(modelNameOrPath, &isClipCaptionerName, "clip captioner", loadClipCaptioner, d->net, d->name);
}
bool ClipCaptioner::loaded() const { return !d->net.is_empty(); }
std::string ClipCaptioner::modelName() const { return d->name; }
int64_t ClipCaptioner::parameters() const { return loaded() ? countParameters(*d->net) : 0; }
const std::vector<std::string>& ClipCaptioner::vocabulary() const { return clipVocabulary(); }

Status ClipCaptioner::caption(const ClipInput& input, const CaptionOptions& opt, AttentionTrace& out) const
{
    if (!loaded()) return Status::error("no clip captioner loaded");
    if (input.frames.size() != size_t(kClipSamples) || input.previous.size() != input.frames.size() ||
        input.frameIndices.size() != input.frames.size())
        return Status::error("the clip captioner reads " + std::to_string(kClipSamples) + " sampled frames; got " +
                             std::to_string(input.frames.size()));
    for (size_t i = 0; i < input.frames.size(); ++i)
        if (input.frames[i].width != kClipSize || input.frames[i].height != kClipSize ||
            input.frames[i].pixels.size() != size_t(kClipSize) * kClipSize || input.previous[i].pixels.size() != input.frames[i].pixels.size())
            return Status::error("sampled frame " + std::to_string(i) + " is not " + std::to_string(kClipSize) + "×" +
                                 std::to_string(kClipSize));
    torch::NoGradGuard ng;
    const auto a = d->net->encoder->forward(clipTensor({&input}));
    std::vector<std::string> columns;
    std::string frames;
    for (int f : input.frameIndices) {
        columns.push_back("f" + std::to_string(f));
        frames += (frames.empty() ? "" : ",") + std::to_string(f);
    }
    AttentionTrace t;
    t.model = d->name;
    if (auto st = decodeCaption(*d->net->decoder, a, opt, clipVocabulary(), "frame", columns, t); !st) return st;
    t.metadata["frames"] = frames;
    t.metadata["input"] = input.source;
    if (auto st = t.validate(); !st) return st;
    out = std::move(t);
    return Status::success();
}

ClipMetrics scoreClipAttention(const AttentionTrace& trace, const Clip& clip)
{
    ClipMetrics m;
    const TraceTensor* att = trace.find("attention");
    if (!att || att->shape.size() != 2 || att->labels.size() != 2 || att->labels[1].size() != size_t(att->shape[1])) return m;
    std::vector<int> frameOf;
    for (const auto& l : att->labels[1]) frameOf.push_back(l.size() > 1 ? std::atoi(l.c_str() + 1) : -1);
    const int64_t F = att->shape[1];
    size_t k = 0;
    for (int64_t w = 0; w < att->shape[0] && k < clip.items.size(); ++w) {
        if (itemLabel(att->labels[0][size_t(w)]) < 0) continue;
        const ClipItem& it = clip.items[k++];
        int64_t best = 0;
        double mass = 0;
        int visible = 0;
        for (int64_t f = 0; f < F; ++f) {
            if (att->at(w, f) > att->at(w, best)) best = f;
            if (it.visible(frameOf[size_t(f)])) {
                mass += att->at(w, f);
                ++visible;
            }
        }
        ++m.itemWords;
        m.peakHits += it.visible(frameOf[size_t(best)]);
        m.mass += mass;
        m.uniformMass += double(visible) / double(F);
    }
    return m;
}

Status ClipCaptioner::evaluate(const FashionMnist& test, int count, ClipMetrics& out, const ProgressFn& progress) const
{
    if (!loaded()) return Status::error("no clip captioner loaded");
    if (count < 1) return Status::error("clip count must be positive");
    if (test.images.count < 1) return Status::error("no test images");
    ClipMetrics m;
    for (int i = 0; i < count; ++i) {
        if (!keepGoing(progress, i, count)) return Status::error("cancelled");
        const Clip c = testClip(test, i);
        const ClipInput in = clipInput(c);
        AttentionTrace t;
        CaptionOptions o;
        o.target = c.caption;
        if (auto st = caption(in, o, t); !st) return st;
        const ClipMetrics s = scoreClipAttention(t, c);
        m.itemWords += s.itemWords;
        m.peakHits += s.peakHits;
        m.mass += s.mass;
        m.uniformMass += s.uniformMass;
        if (auto st = caption(in, {}, t); !st) return st;
        const auto gold = captionWords(c.caption), hyp = captionWords(t.meta("caption"));
        m.exactMatches += hyp == gold;
        for (size_t w = 0; w < gold.size(); ++w) {
            ++m.goldWords;
            m.correctWords += w < hyp.size() && hyp[w] == gold[w];
        }
        ++m.clips;
    }
    keepGoing(progress, count, count);
    out = m;
    return Status::success();
}

} // namespace attnscope
