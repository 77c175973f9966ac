// How far an input's intensity histogram is from a training domain's (see familiarity.h).
#include "attnscope/familiarity.h"

#include "attnscope/caption.h"
#include "attnscope/video.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <mutex>

namespace attnscope {

namespace {
constexpr int kBins = 16;
constexpr int kFeatures = 4;
constexpr float kBlack = 0.05f;
using Features = std::array<double, kFeatures>;

/// Share of the ink's bounding box (pixels ≥ kBlack) that is black background: an item is not
/// a rectangle (a sleeve, a gap between trousers, a bag's handle leave black inside its box;
/// 9 of Fashion-MNIST's 10,000 test items have < 1 %), while a photo fills its frame — a
/// letterboxed photo's black bars lie outside the box (butterfly.jpg: 0.2 %).
double backgroundInBox(const GreyImage& g)
{
    int x0 = g.width, x1 = -1, y0 = g.height, y1 = -1;
    for (int y = 0; y < g.height; ++y)
        for (int x = 0; x < g.width; ++x)
            if (g.at(x, y) >= kBlack) x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    if (x1 < 0) return 1;  // no ink at all
    double black = 0;
    for (int y = y0; y <= y1; ++y)
        for (int x = x0; x <= x1; ++x) black += g.at(x, y) < kBlack ? 1 : 0;
    return black / (double(x1 - x0 + 1) * double(y1 - y0 + 1));
}

/// What tells a training input from anything else: the share of black background pixels
/// (< kBlack), the mean of the outer 2-pixel ring (items sit on black), the distance of the
/// intensity histogram from the domain's mean histogram, and log(0.005 + the black share of the
/// ink's bounding box) — a log, as the feature is bounded by 0 where photos sit and z-scores
/// need the tail spread out (issue 28: butterfly.jpg, whose bars made it look like a bag, was
/// within every other feature's range). Averaged over the frames of a clip.
Features features(const std::vector<const GreyImage*>& images, const std::vector<double>& meanHistogram)
{
    Features f{0, 0, 0, 0};
    for (const GreyImage* g : images) {
        double black = 0, ring = 0, ringN = 0;
        for (int y = 0; y < g->height; ++y)
            for (int x = 0; x < g->width; ++x) {
                const float v = g->at(x, y);
                black += v < kBlack ? 1 : 0;
                if (x < 2 || y < 2 || x >= g->width - 2 || y >= g->height - 2) ring += v, ringN += 1;
            }
        f[0] += black / std::max<double>(1, g->pixels.size());
        f[1] += ringN > 0 ? ring / ringN : 0;
        f[3] += std::log(0.005 + backgroundInBox(*g));
    }
    for (int k : {0, 1, 3}) f[size_t(k)] /= double(std::max<size_t>(1, images.size()));
    f[2] = meanHistogram.empty() ? 0 : histogramDistance(intensityHistogram(images), meanHistogram);
    return f;
}

struct Reference {
    std::vector<double> histogram;
    Features mean{}, spread{};
    double threshold = 0;
    /// Largest |z| of the features: how many spreads from the domain's typical input.
    double score(const Features& f) const
    {
        double z = 0;
        for (int k = 0; k < kFeatures; ++k) z = std::max(z, std::abs(f[size_t(k)] - mean[size_t(k)]) / spread[size_t(k)]);
        return z;
    }
};

/// Mean histogram and feature statistics from the even samples, the threshold (99th percentile
/// of the score) from the odd ones, so the threshold is measured on inputs the statistics did
/// not see.
Reference buildReference(const std::vector<std::vector<GreyImage>>& samples)
{
    Reference r;
    const auto ptrs = [](const std::vector<GreyImage>& s) {
        std::vector<const GreyImage*> p;
        for (const auto& g : s) p.push_back(&g);
        return p;
    };
    r.histogram.assign(kBins, 0.0);
    int fit = 0;
    for (size_t i = 0; i < samples.size(); i += 2, ++fit) {
        const auto h = intensityHistogram(ptrs(samples[i]));
        for (int b = 0; b < kBins; ++b) r.histogram[size_t(b)] += h[size_t(b)];
    }
    for (double& x : r.histogram) x /= std::max(1, fit);
    std::vector<Features> f;
    for (size_t i = 0; i < samples.size(); i += 2) f.push_back(features(ptrs(samples[i]), r.histogram));
    for (int k = 0; k < kFeatures; ++k) {
        double m = 0, v = 0;
        for (const auto& x : f) m += x[size_t(k)] / double(f.size());
        for (const auto& x : f) v += (x[size_t(k)] - m) * (x[size_t(k)] - m) / double(std::max<size_t>(1, f.size() - 1));
        r.mean[size_t(k)] = m;
        r.spread[size_t(k)] = std::max(std::sqrt(v), 0.01);
    }
    std::vector<double> scores;
    for (size_t i = 1; i < samples.size(); i += 2) scores.push_back(r.score(features(ptrs(samples[i]), r.histogram)));
    std::sort(scores.begin(), scores.end());
    r.threshold = scores.empty() ? 0 : scores[size_t(std::floor(0.99 * double(scores.size() - 1)))];
    return r;
}

GreyImage item(const FashionMnist& test, int i)
{
    GreyImage g{test.images.cols, test.images.rows, {}};
    const uint8_t* p = test.images.image(i);
    g.pixels.resize(size_t(g.width) * size_t(g.height));
    for (size_t k = 0; k < g.pixels.size(); ++k) g.pixels[k] = float(p[k]) / 255.0f;
    return g;
}

const Reference& reference(TrainingDomain domain, const FashionMnist& test)
{
    static std::mutex mutex;
    static std::array<std::unique_ptr<Reference>, 3> cache;
    std::lock_guard<std::mutex> lock(mutex);
    auto& slot = cache[size_t(domain)];
    if (slot) return *slot;
    std::vector<std::vector<GreyImage>> samples;
    const int n = test.images.count;
    switch (domain) {
    case TrainingDomain::FashionMnistItems:
        for (int i = 0; i < std::min(n, 2000); ++i) samples.push_back({item(test, i)});
        break;
    case TrainingDomain::Scenes:
        for (int i = 0; i < 400 && n > 0; ++i) samples.push_back({testScene(test, i).image});
        break;
    case TrainingDomain::Clips:
        for (int i = 0; i < 120 && n > 0; ++i) samples.push_back(clipInput(testClip(test, i)).frames);
        break;
    }
    slot = std::make_unique<Reference>(buildReference(samples));
    return *slot;
}

const char* domainText(TrainingDomain d)
{
    switch (d) {
    case TrainingDomain::FashionMnistItems: return "Fashion-MNIST items (28×28 grey clothing, light on a black background)";
    case TrainingDomain::Scenes: return "scenes of Fashion-MNIST items on black (84×84, grey)";
    case TrainingDomain::Clips: return "clips of Fashion-MNIST items moving over black (64×64 grey frames)";
    }
    return "";
}
} // namespace

std::vector<double> intensityHistogram(const std::vector<const GreyImage*>& images)
{
    std::vector<double> h(kBins, 0.0);
    double n = 0;
    for (const GreyImage* g : images)
        for (float v : g->pixels) {
            const int b = std::clamp(int(std::floor(double(std::clamp(v, 0.0f, 1.0f)) * kBins)), 0, kBins - 1);
            h[size_t(b)] += 1;
            n += 1;
        }
    if (n > 0)
        for (double& x : h) x /= n;
    return h;
}

double histogramDistance(const std::vector<double>& a, const std::vector<double>& b)
{
    double d = 0;
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) d += std::abs(a[i] - b[i]);
    return 0.5 * d;
}

Familiarity familiarity(TrainingDomain domain, const FashionMnist& test, const std::vector<const GreyImage*>& images)
{
    Familiarity f;
    if (images.empty() || test.images.count == 0) return f;
    const Reference& r = reference(domain, test);
    const Features x = features(images, r.histogram);
    f.distance = r.score(x);
    f.threshold = r.threshold;
    f.outside = f.distance > f.threshold;
    if (f.outside) {
        char buf[300];
        std::snprintf(buf, sizeof buf, "%.0f%% black background vs %.0f%% typically, border brightness %.2f vs %.2f, "
                      "%.1f%% background inside the picture's outline vs %.0f%% typically; "
                      "%.1f spreads from a typical input, where 99%% of them are within %.1f",
                      100 * x[0], 100 * r.mean[0], x[1], r.mean[1], 100 * std::max(0.0, std::exp(x[3]) - 0.005),
                      100 * std::max(0.0, std::exp(r.mean[3]) - 0.005), f.distance, f.threshold);
        f.warning = std::string("This model was trained on ") + domainText(domain) + "; this input is unlike them (" + buf +
                    "), so its answer is a guess — read it with care.";
    }
    return f;
}

} // namespace attnscope
