// Scene- and clip-captioner training: fresh scenes / clips from train-split items every epoch (reproducible
// from seed, epoch and index), teacher forcing, cross-entropy + the doubly stochastic
// attention regulariser, Adam with gradient-norm clipping, the translators' learning-rate
// schedule (constant for the first half of the epochs, then halved every epoch),
// checkpoints every N batches (atomic) and resume.
#include "train/trainimage.h"

#include "train/checkpoint.h"

#include "attnscope/resources.h"
#include "models/captioner.h"
#include "models/clipcaptioner.h"
#include "models/cnn.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

namespace attnscope {

namespace {
/// The loop shared by the scene and clip captioners. `makeBatch(epoch, first, last)` returns
/// {encoder input, decoder inputs, targets} for examples [first, last) of the epoch; `save`
/// and `load` write and read the network's weights file.
template <typename Net, typename MakeBatch, typename Save, typename Load>
Status runCaptionTraining(const TrainConfig& cfg, Net& net, MakeBatch makeBatch, Save saveNet, Load loadNet, TrainReport& report,
                          const ProgressFn& progress, const LogFn& log)
{
    auto say = [&](const std::string& s) {
        if (log) log(s);
    };
    const std::string ckpt = cfg.checkpoint.empty() ? cfg.out + ".ckpt" : cfg.checkpoint;
    torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(cfg.learningRate));
    const auto save = [&](const std::string& path) { saveNet(net, path, /*half=*/false); };
    const int64_t perEpoch = (cfg.scenesPerEpoch + cfg.batchSize - 1) / cfg.batchSize;
    const int64_t total = perEpoch * cfg.epochs;
    TrainProgress resumed;
    if (cfg.resume) {
        const auto restore = [&](const std::string& path) {
            Net saved{nullptr};
            try {
                saved = loadNet(path);
            } catch (const std::exception& e) {
                return Status::error(std::string(e.what()) + "; delete the checkpoint to start over");
            }
            if (!copyWeights(*saved, *net))
                return Status::error("checkpoint " + path + " has another model configuration; delete it to start over");
            return Status::success();
        };
        if (auto st = resumeFromCheckpoint(ckpt, restore, opt, resumed, log); !st) return st;
    }
    int64_t step = resumed.step;
    report = TrainReport{};
    const auto t0 = std::chrono::steady_clock::now();
    double runCe = 0, runReg = 0;
    int64_t runN = 0, correct = 0, words = 0;
    for (int epoch = resumed.epoch; epoch < cfg.epochs; ++epoch) {
        const int half = cfg.epochs / 2;
        const double lr = cfg.learningRate * (epoch < half ? 1.0 : std::pow(0.5, epoch - half + 1));
        for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
        net->train();
        for (int64_t bi = (epoch == resumed.epoch ? resumed.batch : 0); bi < perEpoch; ++bi) {
            if (!keepGoing(progress, step, total)) {
                writeCheckpoint(ckpt, save, opt, {epoch, int(bi), step});
                say("cancelled; checkpoint written to " + ckpt);
                return Status::error("cancelled");
            }
            torch::manual_seed(cfg.seed * 1000003ull + uint64_t(step));  // dropout reproducible on resume
            const int64_t first = bi * cfg.batchSize, last = std::min<int64_t>(cfg.scenesPerEpoch, first + cfg.batchSize);
            const auto [x, inputs, targets] = makeBatch(epoch, first, last);
            opt.zero_grad();
            const auto a = net->encoder->forward(x);
            const auto [logits, alpha] = net->decoder->forward(a, inputs);
            const CaptionLoss loss = captionLoss(logits, alpha, targets, cfg.attentionRegulariser);
            loss.total.backward();
            torch::nn::utils::clip_grad_norm_(net->parameters(), 5.0);
            opt.step();
            const double l = loss.total.item<double>();
            {
                torch::NoGradGuard ng;
                const auto mask = targets.ne(kCapPad);
                correct += logits.argmax(2).eq(targets).logical_and(mask).sum().template item<int64_t>();
                words += mask.sum().template item<int64_t>();
            }
            if (report.stepsRun == 0) report.firstLoss = l;
            report.lastLoss = l;
            ++report.stepsRun;
            ++step;
            runCe += loss.crossEntropy.item<double>();
            runReg += loss.regulariser.item<double>();
            ++runN;
            if (step % 50 == 0) {
                const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                char buf[240];
                std::snprintf(buf, sizeof buf,
                              "epoch %d/%d batch %lld/%lld cross-entropy %.4f regulariser %.4f word acc %.2f%% lr %.2g  %.3f s/batch",
                              epoch + 1, cfg.epochs, (long long)bi + 1, (long long)perEpoch, runCe / runN, runReg / runN,
                              100.0 * double(correct) / double(std::max<int64_t>(1, words)), lr, secs / report.stepsRun);
                say(buf);
                runCe = runReg = 0;
                runN = correct = words = 0;
            }
            if (checkpointAfterStep(ckpt, save, opt, {epoch, int(bi + 1), step}, cfg.checkpointEvery, cfg.maxSteps, report.stepsRun))
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

Status checkConfig(const TrainConfig& cfg)
{
    if (cfg.out.empty()) return Status::error("no output path for the weights (--out)");
    if (cfg.scenesPerEpoch < 1 || cfg.attentionRegulariser < 0) return Status::error("examples per epoch must be positive and λ ≥ 0");
    return Status::success();
}
} // namespace

Status trainSceneCaptioner(const TrainConfig& cfg, TrainReport& report, const ProgressFn& progress, const LogFn& log)
{
    if (auto st = checkConfig(cfg); !st) return st;
    initEngineThreads();
    FashionMnist data;
    if (log) log("reading Fashion-MNIST (train split: scene items)...");
    if (auto st = loadFashionMnist(true, data); !st) return st;
    torch::manual_seed(cfg.seed);
    CaptionerConfig cc;
    cc.vocab = int64_t(captionVocabulary().size());
    cc.hidden = cfg.hidden;
    cc.embedding = cfg.embedding;
    cc.dropout = cfg.dropout;
    SceneCaptionerNet net(cc);
    if (log)
        log("scene captioner: " + std::to_string(countParameters(*net)) + " parameters, " + std::to_string(cfg.scenesPerEpoch) +
            " scenes per epoch, λ = " + std::to_string(cfg.attentionRegulariser));
    auto makeBatch = [&](int epoch, int64_t first, int64_t last) {
        std::vector<Scene> scenes;
        for (int64_t k = first; k < last; ++k)
            scenes.push_back(generateScene(data, (uint64_t(cfg.seed) << 32) ^ (uint64_t(epoch) * 10'000'000ull + uint64_t(k))));
        CaptionBatch b = captionBatch(scenes);
        return std::make_tuple(b.images, b.inputs, b.targets);
    };
    return runCaptionTraining(cfg, net, makeBatch, saveCaptioner, loadCaptioner, report, progress, log);
}

Status trainClipCaptioner(const TrainConfig& cfg, TrainReport& report, const ProgressFn& progress, const LogFn& log)
{
    if (auto st = checkConfig(cfg); !st) return st;
    initEngineThreads();
    FashionMnist data;
    if (log) log("reading Fashion-MNIST (train split: clip items)...");
    if (auto st = loadFashionMnist(true, data); !st) return st;
    torch::manual_seed(cfg.seed);
    CaptionerConfig cc;
    cc.vocab = int64_t(clipVocabulary().size());
    cc.hidden = cfg.hidden;
    cc.embedding = cfg.embedding;
    cc.dropout = cfg.dropout;
    cc.contextToLstm = false;        // every word finds its frames itself (see CaptionerConfig)
    cc.initFromAnnotations = false;
    ClipCaptionerNet net(cc, kClipSamples);
    if (log)
        log("clip captioner: " + std::to_string(countParameters(*net)) + " parameters, " + std::to_string(cfg.scenesPerEpoch) +
            " clips per epoch, λ = " + std::to_string(cfg.attentionRegulariser));
    auto makeBatch = [&](int epoch, int64_t first, int64_t last) {
        std::vector<ClipInput> inputs;
        std::vector<std::string> captions;
        for (int64_t k = first; k < last; ++k) {
            const Clip c = generateClip(data, (uint64_t(cfg.seed) << 32) ^ (uint64_t(epoch) * 10'000'000ull + uint64_t(k)));
            inputs.push_back(clipInput(c));
            captions.push_back(c.caption);
        }
        std::vector<const ClipInput*> ptrs;
        for (const auto& i : inputs) ptrs.push_back(&i);
        auto [in, tg] = teacherForcing(captions, clipVocabulary());
        return std::make_tuple(clipTensor(ptrs), in, tg);
    };
    return runCaptionTraining(cfg, net, makeBatch, saveClipCaptioner, loadClipCaptioner, report, progress, log);
}
} // namespace attnscope
