// Fashion-MNIST classifier training — the channel-attention CNNs (flips and ±2 px shifts)
// and the spatial-transformer experiments (a fresh random distortion of every image each
// epoch): fixed seed, Adam, the same learning-rate schedule as the translators (constant
// for the first half of the epochs, then halved every epoch), checkpoints every N batches
// (atomic), resume.
#include "train/trainimage.h"

#include "train/checkpoint.h"

#include "attnscope/fmnist.h"
#include "attnscope/imagemodel.h"
#include "attnscope/resources.h"
#include "models/cnn.h"
#include "models/stn.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <random>

namespace attnscope {

namespace {
void saveNet(AttnCnn& m, const std::string& path, bool half) { saveCnn(m, path, half); }
void saveNet(StCnn& m, const std::string& path, bool half) { saveStn(m, path, half); }
/// The checkpoint's network when it is of the same kind as `current`, else nullptr-module.
AttnCnn loadSameKind(const AttnCnn& current, const std::string& path)
{
    auto saved = loadCnn(path);
    return saved->config().block == current->config().block ? saved : AttnCnn(nullptr);
}
StCnn loadSameKind(const StCnn& current, const std::string& path)
{
    auto saved = loadStn(path);
    const auto &a = saved->config(), &b = current->config();
    return a.distortion == b.distortion && a.transformer == b.transformer ? saved : StCnn(nullptr);
}

/// Random horizontal flips and shifts of up to ±2 pixels (zero-padded), per image.
torch::Tensor augment(const torch::Tensor& x, std::mt19937& rng)
{
    const int64_t B = x.size(0);
    auto padded = torch::constant_pad_nd(x, {2, 2, 2, 2}, (0.0 - kFmnistMean) / kFmnistStd);
    auto out = torch::empty_like(x);
    std::uniform_int_distribution<int> shift(0, 4), coin(0, 1);
    for (int64_t i = 0; i < B; ++i) {
        const int dy = shift(rng), dx = shift(rng);
        auto crop = padded[i].slice(1, dy, dy + 28).slice(2, dx, dx + 28);
        out[i].copy_(coin(rng) ? crop.flip({2}) : crop);
    }
    return out;
}
} // namespace

namespace {
/// The loop shared by every image model: `makeBatch(indices, epoch, step)` returns the input
/// batch for `net` (already augmented or distorted).
template <typename Net, typename MakeBatch>
Status runTraining(const TrainConfig& cfg, Net& net, const torch::Tensor& labels, MakeBatch makeBatch, TrainReport& report,
                   const ProgressFn& progress, const LogFn& log)
{
    auto say = [&](const std::string& s) {
        if (log) log(s);
    };
    const std::string ckpt = cfg.checkpoint.empty() ? cfg.out + ".ckpt" : cfg.checkpoint;
    const int64_t N = labels.size(0);
    torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(cfg.learningRate));
    const auto save = [&net](const std::string& path) { saveNet(net, path, /*half=*/false); };
    const int64_t perEpoch = (N + cfg.batchSize - 1) / cfg.batchSize;
    const int64_t total = perEpoch * cfg.epochs;
    TrainProgress resumed;
    if (cfg.resume) {
        const auto restore = [&](const std::string& path) {
            auto saved = loadSameKind(net, path);
            if (saved.is_empty()) return Status::error("checkpoint " + path + " holds another kind of model; delete it to start over");
            if (!copyWeights(*saved, *net))
                return Status::error("checkpoint " + path + " has another model configuration; delete it to start over");
            return Status::success();
        };
        if (auto st = resumeFromCheckpoint(ckpt, restore, opt, resumed, log); !st) return st;
    }
    const int startEpoch = resumed.epoch, startBatch = resumed.batch;
    int64_t step = resumed.step;

    report = TrainReport{};
    const auto t0 = std::chrono::steady_clock::now();
    double running = 0;
    int runningN = 0, correct = 0, seen = 0;
    for (int epoch = startEpoch; epoch < cfg.epochs; ++epoch) {
        const int half = cfg.epochs / 2;
        const double lr = cfg.learningRate * (epoch < half ? 1.0 : std::pow(0.5, epoch - half + 1));
        for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
        std::vector<int64_t> order(static_cast<size_t>(N));
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), std::mt19937(cfg.seed + unsigned(epoch)));
        const auto perm = torch::tensor(order);
        net->train();
        for (int bi = (epoch == startEpoch ? startBatch : 0); bi < perEpoch; ++bi) {
            if (!keepGoing(progress, step, total)) {
                writeCheckpoint(ckpt, save, opt, {epoch, bi, step});
                say("cancelled; checkpoint written to " + ckpt);
                return Status::error("cancelled");
            }
            torch::manual_seed(cfg.seed * 1000003ull + uint64_t(step));  // dropout reproducible on resume
            const auto idx = perm.slice(0, bi * cfg.batchSize, std::min<int64_t>(N, (bi + 1) * cfg.batchSize));
            const torch::Tensor x = makeBatch(idx, epoch, step);
            const auto y = labels.index_select(0, idx);
            opt.zero_grad();
            const torch::Tensor logits = net->forward(x);
            const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
            loss.backward();
            opt.step();
            const double l = loss.item<double>();
            correct += int(logits.argmax(1).eq(y).sum().item<int64_t>());
            seen += int(y.size(0));
            if (report.stepsRun == 0) report.firstLoss = l;
            report.lastLoss = l;
            ++report.stepsRun;
            ++step;
            running += l;
            ++runningN;
            if (step % 50 == 0) {
                const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                char buf[200];
                std::snprintf(buf, sizeof buf, "epoch %d/%d batch %d/%lld loss %.3f train acc %.1f%% lr %.2g  %.3f s/batch",
                              epoch + 1, cfg.epochs, bi + 1, (long long)perEpoch, running / runningN,
                              100.0 * correct / std::max(1, seen), lr, secs / report.stepsRun);
                say(buf);
                running = 0;
                runningN = correct = seen = 0;
            }
            if (checkpointAfterStep(ckpt, save, opt, {epoch, bi + 1, step}, cfg.checkpointEvery, cfg.maxSteps, report.stepsRun))
                return Status::success();
        }
        writeCheckpoint(ckpt, save, opt, {epoch + 1, 0, step});
        say("epoch " + std::to_string(epoch + 1) + " done");
    }
    net->eval();
    writeFinalWeights(cfg.out, [&](const std::string& path) { saveNet(net, path, /*half=*/true); }, log);
    report.finished = true;
    return Status::success();
}
} // namespace

Status trainImageClassifier(const TrainConfig& cfg, TrainReport& report, const ProgressFn& progress, const LogFn& log)
{
    auto say = [&](const std::string& s) {
        if (log) log(s);
    };
    BlockKind kind = BlockKind::None;
    StnConfig stn;
    const bool isStn = stnModelConfig(cfg.model, stn);
    if (!isStn && !imageModelBlock(cfg.model, kind)) return Status::error("unknown image model " + cfg.model);
    if (cfg.out.empty()) return Status::error("no output path for the weights (--out)");
    initEngineThreads();

    auto data = std::make_shared<FashionMnist>();
    say("reading Fashion-MNIST (train split, 60,000 images)...");
    if (auto st = loadFashionMnist(true, *data); !st) return st;
    const int64_t N = data->images.count;
    const auto labels = labelBatch(*data, 0, int(N));
    torch::manual_seed(cfg.seed);
    if (isStn) {
        // A fresh distortion of every image in every epoch, reproducible from (seed, epoch, image).
        StCnn net(stn);
        say(std::string(stn.transformer ? "ST-CNN" : "plain CNN") + " on " + distortionName(stn.distortion) + " (" +
            std::to_string(stn.canvas) + "×" + std::to_string(stn.canvas) + ")");
        const int64_t side = stn.canvas;
        auto makeBatch = [&, data](const torch::Tensor& idx, int epoch, int64_t) {
            const int64_t B = idx.size(0);
            auto x = torch::empty({B, 1, side, side});
            for (int64_t k = 0; k < B; ++k) {
                const int i = int(idx[k].item<int64_t>());
                const uint64_t seed = (uint64_t(cfg.seed) << 32) ^ (uint64_t(epoch) * 60000ull + uint64_t(i));
                const GreyImage g = distortedSample(*data, i, stn.distortion, seed);
                std::memcpy(x[k].data_ptr<float>(), g.pixels.data(), g.pixels.size() * sizeof(float));
            }
            return x;
        };
        return runTraining(cfg, net, labels, makeBatch, report, progress, log);
    }
    const auto images = imageBatch(*data, 0, int(N), /*normalise=*/true);
    CnnConfig cc;
    cc.block = kind;
    cc.reduction = cfg.reduction;
    cc.dropout = cfg.dropout;
    AttnCnn net(cc);
    auto makeBatch = [&](const torch::Tensor& idx, int, int64_t step) {
        std::mt19937 rng(cfg.seed * 7919u + unsigned(step));
        return augment(images.index_select(0, idx), rng);
    };
    return runTraining(cfg, net, labels, makeBatch, report, progress, log);
}

} // namespace attnscope
