// ImageClassifier: the Fashion-MNIST CNNs behind a plain C++ API; results as AttentionTraces.
#include "attnscope/imagemodel.h"

#include "attnscope/resources.h"
#include "attnscope/translator.h"
#include "models/cnn.h"

#include <cmath>
#include <filesystem>

namespace attnscope {

bool imageModelBlock(const std::string& name, BlockKind& out)
{
    if (name == "fmnist-cnn") out = BlockKind::None;
    else if (name == "fmnist-se") out = BlockKind::SE;
    else if (name == "fmnist-eca") out = BlockKind::ECA;
    else if (name == "fmnist-cbam") out = BlockKind::CBAM;
    else return false;
    return true;
}

bool isImageModelFile(const std::string& nameOrPath) { return isModelFile(nameOrPath, isImageModel, loadCnn); }

struct ImageClassifier::Impl {
    AttnCnn net{nullptr};
    std::string name;
};

ImageClassifier::ImageClassifier() : d(std::make_unique<Impl>()) {}
ImageClassifier::~ImageClassifier() = default;

Status ImageClassifier::load(const std::string& nameOrPath)
{
    return loadImageModel(nameOrPath, isImageModel, "channel-attention image classifier", loadCnn, d->net, d->name);
}

bool ImageClassifier::loaded() const { return !d->net.is_empty(); }
std::string ImageClassifier::modelName() const { return d->name; }
std::string ImageClassifier::blockKind() const { return loaded() ? blockName(d->net->config().block) : ""; }
int64_t ImageClassifier::parameters() const { return loaded() ? countParameters(*d->net) : 0; }

namespace {
std::vector<std::string> channelLabels(int64_t n)
{
    std::vector<std::string> l;
    for (int64_t c = 0; c < n; ++c) l.push_back("c" + std::to_string(c));
    return l;
}

std::vector<std::string> classLabels()
{
    const auto& n = fashionMnistClasses();
    return {n.begin(), n.end()};
}

} // namespace

Status ImageClassifier::classify(const PreparedImage& image, AttentionTrace& out) const
{
    if (!loaded()) return Status::error("no image model loaded");
    if (image.pixels.size() != 28 * 28)
        return Status::error("the classifier takes a 28×28 image; got " + std::to_string(image.pixels.size()) + " pixels");
    torch::NoGradGuard ng;
    auto x = torch::from_blob(const_cast<float*>(image.pixels.data()), {1, 1, 28, 28}, torch::kFloat32).clone();
    x.sub_(kFmnistMean).div_(kFmnistStd);
    CnnAttention att;
    const auto probs = torch::softmax(d->net->forward(x, &att), 1)[0];

    AttentionTrace t;
    t.model = d->name;
    t.scoreFunction = blockKind();
    t.metadata["kind"] = "image";
    t.metadata["input"] = image.source;
    t.metadata["block"] = blockKind();
    std::string notes;
    for (const auto& n : image.notes) notes += (notes.empty() ? "" : "; ") + n;
    t.metadata["preprocessing"] = notes;
    auto input = traceTensor("input", {"row", "col"}, x[0][0]);
    t.tensors.push_back(std::move(input));
    addPrediction(t, probs);
    if (image.label >= 0 && image.label < 10) t.metadata["label"] = fashionMnistClasses()[size_t(image.label)];
    for (size_t b = 0; b < att.excitation.size(); ++b) {
        const std::string n = "block" + std::to_string(b + 1);
        auto e = traceTensor(n + ".excitation", {"channel"}, att.excitation[b][0]);
        e.labels[0] = channelLabels(e.shape[0]);
        t.tensors.push_back(std::move(e));
        auto f = traceTensor(n + ".features", {"channel", "row", "col"}, att.features[b][0]);
        f.labels[0] = channelLabels(f.shape[0]);
        t.tensors.push_back(std::move(f));
        if (att.spatial[b].defined()) t.tensors.push_back(traceTensor(n + ".spatial", {"row", "col"}, att.spatial[b][0]));
    }
    out = std::move(t);
    return Status::success();
}

Status ImageClassifier::accuracy(const FashionMnist& set, int limit, double& out, const ProgressFn& progress) const
{
    if (!loaded()) return Status::error("no image model loaded");
    const int n = limit > 0 ? std::min(limit, set.images.count) : set.images.count;
    if (n == 0) return Status::error("no images to evaluate");
    torch::NoGradGuard ng;
    int64_t correct = 0;
    constexpr int kBatch = 250;
    for (int i = 0; i < n; i += kBatch) {
        if (!keepGoing(progress, i, n)) return Status::error("cancelled");
        const int m = std::min(kBatch, n - i);
        const auto pred = d->net->forward(imageBatch(set, i, m, true)).argmax(1);
        const auto y = labelBatch(set, i, m);
        correct += pred.eq(y).sum().item<int64_t>();
    }
    keepGoing(progress, n, n);
    out = double(correct) / n;
    return Status::success();
}

Status ImageClassifier::classProfiles(const FashionMnist& set, int limit, AttentionTrace& out, const ProgressFn& progress) const
{
    if (!loaded()) return Status::error("no image model loaded");
    const int n = limit > 0 ? std::min(limit, set.images.count) : set.images.count;
    if (n == 0) return Status::error("no images for class profiles");
    torch::NoGradGuard ng;
    const size_t blocks = d->net->config().channels.size();
    std::vector<torch::Tensor> sum(blocks), sumSq(blocks);
    auto count = torch::zeros({10}, torch::kFloat64);
    for (size_t b = 0; b < blocks; ++b) {
        sum[b] = torch::zeros({10, d->net->config().channels[b]}, torch::kFloat64);
        sumSq[b] = torch::zeros_like(sum[b]);
    }
    constexpr int kBatch = 250;
    for (int i = 0; i < n; i += kBatch) {
        if (!keepGoing(progress, i, n)) return Status::error("cancelled");
        const int m = std::min(kBatch, n - i);
        CnnAttention att;
        d->net->forward(imageBatch(set, i, m, true), &att);
        const auto y = labelBatch(set, i, m);
        const auto onehot = torch::one_hot(y, 10).to(torch::kFloat64);  // [m, 10]
        count += onehot.sum(0);
        for (size_t b = 0; b < blocks; ++b) {
            const auto e = att.excitation[b].to(torch::kFloat64);  // [m, C]
            sum[b] += onehot.t().mm(e);
            sumSq[b] += onehot.t().mm(e * e);
        }
    }
    keepGoing(progress, n, n);
    AttentionTrace t;
    t.model = d->name;
    t.scoreFunction = blockKind();
    t.metadata["kind"] = "class-profiles";
    t.metadata["images"] = std::to_string(n);
    const auto denom = count.clamp_min(1.0).unsqueeze(1);
    for (size_t b = 0; b < blocks; ++b) {
        const std::string name = "block" + std::to_string(b + 1);
        const auto mean = sum[b] / denom;
        const auto var = (sumSq[b] / denom - mean * mean).clamp_min(0.0);
        auto pm = traceTensor(name + ".profile", {"class", "channel"}, mean);
        pm.labels = {classLabels(), channelLabels(pm.shape[1])};
        auto ps = traceTensor(name + ".profile_std", {"class", "channel"}, var.sqrt());
        ps.labels = pm.labels;
        t.tensors.push_back(std::move(pm));
        t.tensors.push_back(std::move(ps));
    }
    out = std::move(t);
    return Status::success();
}

} // namespace attnscope
