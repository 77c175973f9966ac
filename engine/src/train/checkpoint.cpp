#include "train/checkpoint.h"
#include "models/cnn.h"

#include <filesystem>

namespace attnscope {

void writeCheckpoint(const std::string& path, const std::function<void(const std::string&)>& saveWeights,
                     torch::optim::Optimizer& opt, const TrainProgress& progress)
{
    const std::string tmp = path + ".tmp";
    saveWeights(tmp);
    torch::serialize::OutputArchive a;
    opt.save(a);
    a.write("progress", torch::tensor({int64_t(progress.epoch), int64_t(progress.batch), progress.step}));
    saveArchive(a, tmp + ".opt");
    std::filesystem::rename(tmp + ".opt", path + ".opt");
    std::filesystem::rename(tmp, path);
}

bool copyWeights(torch::nn::Module& from, torch::nn::Module& to)
{
    torch::NoGradGuard ng;
    auto dst = to.named_parameters();
    for (const auto& p : from.named_parameters()) {
        if (!dst.contains(p.key()) || dst[p.key()].sizes() != p.value().sizes()) return false;
        dst[p.key()].copy_(p.value());
    }
    auto dstBuf = to.named_buffers();
    for (const auto& p : from.named_buffers())
        if (dstBuf.contains(p.key()) && dstBuf[p.key()].sizes() == p.value().sizes()) dstBuf[p.key()].copy_(p.value());
    return true;
}

Status resumeFromCheckpoint(const std::string& ckpt, const std::function<Status(const std::string&)>& restore,
                            torch::optim::Optimizer& opt, TrainProgress& progress, const LogFn& log)
{
    progress = TrainProgress{};
    if (!std::filesystem::exists(ckpt) || !std::filesystem::exists(ckpt + ".opt")) return Status::success();
    try {
        if (auto st = restore(ckpt); !st) return st;
        torch::serialize::InputArchive a;
        a.load_from(ckpt + ".opt");
        opt.load(a);
        torch::Tensor prog;
        a.read("progress", prog);
        progress.epoch = int(prog[0].item<int64_t>());
        progress.batch = int(prog[1].item<int64_t>());
        progress.step = prog[2].item<int64_t>();
    } catch (const std::exception& e) {
        return Status::error("cannot resume from checkpoint " + ckpt + ": " + e.what());
    }
    if (log)
        log("resumed from " + ckpt + " at epoch " + std::to_string(progress.epoch + 1) + ", batch " +
            std::to_string(progress.batch) + " (step " + std::to_string(progress.step) + ")");
    return Status::success();
}

void writeFinalWeights(const std::string& out, const std::function<void(const std::string&)>& saveHalf, const LogFn& log)
{
    saveHalf(out);  // written whole through AtomicFile, or not at all
    if (log) log("weights written to " + out);
}

bool checkpointAfterStep(const std::string& path, const std::function<void(const std::string&)>& saveWeights,
                         torch::optim::Optimizer& opt, const TrainProgress& next, int every, int maxSteps, int stepsRun)
{
    const bool stop = maxSteps > 0 && stepsRun >= maxSteps;
    if (stop || (every > 0 && next.step % every == 0)) writeCheckpoint(path, saveWeights, opt, next);
    return stop;
}

} // namespace attnscope
