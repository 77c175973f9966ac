#include "models/stn.h"
#include "models/cnn.h"

#include "attnscope/resources.h"
#include "attnscope/translator.h"

#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <stdexcept>

namespace attnscope {

StCnnImpl::StCnnImpl(const StnConfig& cfg) : cfg_(cfg)
{
    CnnConfig cc;
    cc.inputSize = cfg.transformer ? cfg.output : cfg.canvas;
    classifier_ = register_module("classifier", AttnCnn(cc));
    if (!cfg.transformer) return;
    // Localisation network: two conv/pool stages, a 4×4 average pool and two linear layers.
    loc1_ = register_module("loc1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 16, 5).padding(2)));
    loc2_ = register_module("loc2", torch::nn::Conv2d(torch::nn::Conv2dOptions(16, 32, 5).padding(2)));
    locFc1_ = register_module("locFc1", torch::nn::Linear(32 * 4 * 4, 64));
    locFc2_ = register_module("locFc2", torch::nn::Linear(64, 6));
    // θ starts at the identity: zero weights, identity bias (Jaderberg et al. 2015, §4).
    torch::NoGradGuard ng;
    locFc2_->weight.zero_();
    locFc2_->bias.copy_(torch::tensor({1.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f}));
}

torch::Tensor StCnnImpl::forward(const torch::Tensor& x, torch::Tensor* theta, torch::Tensor* warped, const torch::Tensor* fixedTheta,
                                 bool bilinear)
{
    auto norm = [](const torch::Tensor& v) { return (v - kFmnistMean) / kFmnistStd; };
    if (!cfg_.transformer) return classifier_->forward(norm(x));
    const int64_t B = x.size(0);
    torch::Tensor th;
    if (fixedTheta) {
        th = *fixedTheta;
    } else {
        auto h = torch::relu(torch::max_pool2d(loc1_->forward(norm(x)), 2));
        h = torch::relu(torch::max_pool2d(loc2_->forward(h), 2));
        h = torch::adaptive_avg_pool2d(h, {4, 4}).flatten(1);
        th = locFc2_->forward(torch::relu(locFc1_->forward(h))).view({B, 2, 3});
    }
    namespace F = torch::nn::functional;
    const auto grid = F::affine_grid(th, {B, 1, cfg_.output, cfg_.output}, /*align_corners=*/false);
    auto opts = F::GridSampleFuncOptions().padding_mode(torch::kZeros).align_corners(false);
    if (bilinear) opts.mode(torch::kBilinear);
    else opts.mode(torch::kNearest);
    const auto w = F::grid_sample(x, grid, opts);
    if (theta) *theta = th;
    if (warped) *warped = w;
    return classifier_->forward(norm(w));
}

void saveStn(StCnn& m, const std::string& path, bool half)
{
    torch::serialize::OutputArchive a;
    writeModule(a, *m, half);
    const auto& c = m->config();
    a.write("format", torch::tensor({int64_t(4), int64_t(c.distortion), int64_t(c.transformer), c.canvas, c.output}));
    saveArchive(a, path);
}

StCnn loadStn(const std::string& path)
{
    torch::serialize::InputArchive a;
    const torch::Tensor f = readFormat(a, path);
    if (f.size(0) != 5 || f[0].item<int64_t>() != 4) throw std::runtime_error(path + ": not a spatial-transformer weights file");
    StnConfig c;
    const int64_t d = f[1].item<int64_t>();
    if (d < 0 || d > 2) throw std::runtime_error(path + ": unknown distortion " + std::to_string(d));
    c.distortion = Distortion(d);
    c.transformer = f[2].item<int64_t>() != 0;
    c.canvas = f[3].item<int64_t>();
    c.output = f[4].item<int64_t>();
    if (c.canvas != canvasSize(c.distortion) || c.output != 28) throw std::runtime_error(path + ": implausible configuration");
    StCnn m(c);
    readModule(a, *m, path);
    m->eval();
    return m;
}

bool stnModelConfig(const std::string& name, StnConfig& out)
{
    const std::string stn = "fmnist-stn-", cnn = "fmnist-cnn-";
    StnConfig c;
    std::string rest;
    if (name.rfind(stn, 0) == 0) {
        c.transformer = true;
        rest = name.substr(stn.size());
    } else if (name.rfind(cnn, 0) == 0) {
        c.transformer = false;
        rest = name.substr(cnn.size());
    } else {
        return false;
    }
    if (!parseDistortion(rest, c.distortion)) return false;
    c.canvas = canvasSize(c.distortion);
    out = c;
    return true;
}

bool isStnModel(const std::string& name)
{
    StnConfig c;
    return stnModelConfig(name, c);
}

bool isStnModelFile(const std::string& nameOrPath) { return isModelFile(nameOrPath, isStnModel, loadStn); }

struct StnClassifier::Impl {
    StCnn net{nullptr};
    std::string name;
};

StnClassifier::StnClassifier() : d(std::make_unique<Impl>()) {}
StnClassifier::~StnClassifier() = default;
bool StnClassifier::loaded() const { return !d->net.is_empty(); }
std::string StnClassifier::modelName() const { return d->name; }
bool StnClassifier::hasTransformer() const { return loaded() && d->net->config().transformer; }
Distortion StnClassifier::distortion() const { return loaded() ? d->net->config().distortion : Distortion::RTS; }
int StnClassifier::inputSize() const { return loaded() ? int(d->net->config().canvas) : 0; }
int64_t StnClassifier::parameters() const { return loaded() ? countParameters(*d->net) : 0; }

Status StnClassifier::load(const std::string& nameOrPath)
{
    return loadImageModel(nameOrPath, isStnModel, "spatial-transformer experiment model", loadStn, d->net, d->name);
}


Status StnClassifier::classify(const GreyImage& canvas, AttentionTrace& out, const Theta* theta, bool bilinear) const
{
    if (!loaded()) return Status::error("no model loaded");
    if (canvas.width < 1 || canvas.height < 1 || canvas.pixels.size() != size_t(canvas.width) * size_t(canvas.height))
        return Status::error("the image is empty or its size does not match its pixels");
    const int n = inputSize();
    cv::Mat m(canvas.height, canvas.width, CV_32F, const_cast<float*>(canvas.pixels.data()));
    cv::Mat in = m;
    if (canvas.width != n || canvas.height != n) cv::resize(m, in, cv::Size(n, n), 0, 0, cv::INTER_AREA);
    torch::NoGradGuard ng;
    const auto x = torch::from_blob(in.ptr<float>(), {1, 1, n, n}, torch::kFloat32).clone();
    torch::Tensor th, warped;
    torch::Tensor fixed;
    if (theta) fixed = torch::tensor(std::vector<float>(theta->begin(), theta->end())).view({1, 2, 3});
    const auto probs = torch::softmax(d->net->forward(x, &th, &warped, theta ? &fixed : nullptr, bilinear), 1)[0];
    AttentionTrace t;
    t.model = d->name;
    t.scoreFunction = hasTransformer() ? "spatial transformer" : "none";
    t.metadata["kind"] = "stn";
    t.metadata["distortion"] = distortionName(distortion());
    t.tensors.push_back(traceTensor("input", {"row", "col"}, x[0][0]));
    if (hasTransformer()) {
        t.tensors.push_back(traceTensor("warped", {"row", "col"}, warped[0][0]));
        t.tensors.push_back(traceTensor("theta", {"row", "col"}, th[0]));
        t.metadata["theta_source"] = theta ? "manual" : "network";
    }
    addPrediction(t, probs);
    out = std::move(t);
    return Status::success();
}

Status StnClassifier::testError(const FashionMnist& test, int limit, double& out, const ProgressFn& progress,
                                const Theta* theta) const
{
    if (!loaded()) return Status::error("no model loaded");
    const int n = limit > 0 ? std::min(limit, test.images.count) : test.images.count;
    const int side = inputSize();
    torch::NoGradGuard ng;
    int64_t wrong = 0;
    constexpr int kBatch = 200;
    for (int i = 0; i < n; i += kBatch) {
        if (!keepGoing(progress, i, n)) return Status::error("cancelled");
        const int m = std::min(kBatch, n - i);
        auto x = torch::empty({m, 1, side, side});
        for (int k = 0; k < m; ++k) {
            const GreyImage g = distortedTestSample(test, i + k, distortion());
            std::memcpy(x[k].data_ptr<float>(), g.pixels.data(), g.pixels.size() * sizeof(float));
        }
        torch::Tensor fixed;
        if (theta) fixed = torch::tensor(std::vector<float>(theta->begin(), theta->end())).view({1, 2, 3}).expand({m, 2, 3}).contiguous();
        const auto pred = d->net->forward(x, nullptr, nullptr, theta ? &fixed : nullptr).argmax(1);
        const auto y = labelBatch(test, i, m);
        wrong += pred.ne(y).sum().item<int64_t>();
    }
    keepGoing(progress, n, n);
    out = double(wrong) / n;
    return Status::success();
}

} // namespace attnscope
