#pragma once
// A small CNN for 28×28 grey images with a pluggable attention block after each conv stage
// (none | SE | ECA | CBAM). Internal engine header (torch).
#include "attention/channel.h"
#include "attnscope/resources.h"
#include "attnscope/status.h"
#include "attnscope/trace.h"
#include "attnscope/translator.h"
#include "attnscope/fmnist.h"

#include <torch/torch.h>

#include <array>
#include <filesystem>
#include <string>
#include <vector>

namespace attnscope {

struct CnnConfig {
    BlockKind block = BlockKind::None;
    std::array<int64_t, 3> channels{32, 64, 128};
    int64_t reduction = 8;  ///< r of the SE / CBAM channel MLP
    int64_t hidden = 256;   ///< classifier hidden units
    double dropout = 0.3;
    int64_t classes = 10;
    int64_t inputSize = 28;  ///< side of the square input (28; 42 / 60 for the distorted canvases)
};

/// What the blocks did, per stage (index 0..2), for one forward pass.
struct CnnAttention {
    std::vector<torch::Tensor> features;    ///< U [B, C, H, W]: the block's input feature maps
    std::vector<torch::Tensor> excitation;  ///< [B, C]
    std::vector<torch::Tensor> spatial;     ///< [B, H, W] (CBAM) or undefined
};

/// Stage s: conv3×3 (pad 1) → batch norm → ReLU → attention block → 2×2 max pool.
/// 28×28 → 14×14 → 7×7 → 3×3 (42 → 5×5, 60 → 7×7); then flatten → dropout → linear(hidden) → ReLU → dropout →
/// linear(classes). Input: x [B, 1, 28, 28], normalised with kFmnistMean / kFmnistStd.
class AttnCnnImpl : public torch::nn::Module {
public:
    explicit AttnCnnImpl(const CnnConfig& cfg);
    torch::Tensor forward(const torch::Tensor& x, CnnAttention* att = nullptr);
    const CnnConfig& config() const { return cfg_; }

private:
    CnnConfig cfg_;
    std::vector<torch::nn::Conv2d> convs_;
    std::vector<torch::nn::BatchNorm2d> norms_;
    std::vector<AttentionBlock> blocks_;
    torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
    torch::nn::Dropout drop_{nullptr};
};
TORCH_MODULE(AttnCnn);

/// Block kind of a built-in image model name (fmnist-cnn|se|eca|cbam); false for others.
bool imageModelBlock(const std::string& name, BlockKind& out);

/// Fashion-MNIST train-set pixel mean and standard deviation (of pixel/255).
constexpr float kFmnistMean = 0.2860f;
constexpr float kFmnistStd = 0.3530f;

/// Weights file: torch archive with every parameter and buffer (float16 when `half`) and an
/// int64 "format" tensor {3, block, c1, c2, c3, reduction, hidden, classes, inputSize}
/// (files without inputSize are 28×28 models).
void saveCnn(AttnCnn& m, const std::string& path, bool half);
/// Throws std::runtime_error naming the file and what is wrong.
AttnCnn loadCnn(const std::string& path);

/// Shared by the image-model weights files: every parameter and buffer of `m` (float16 when
/// `half`); reading checks each one's presence and shape (std::runtime_error naming `path`).
void writeModule(torch::serialize::OutputArchive& a, torch::nn::Module& m, bool half);
/// Every weights file is written through here: the archive is serialised in memory and written
/// through AtomicFile (attnscope/savefile.h), so a failed write leaves the previous file.
/// Throws std::runtime_error("cannot write PATH: REASON").
void saveArchive(torch::serialize::OutputArchive& a, const std::string& path);
void readModule(torch::serialize::InputArchive& a, torch::nn::Module& m, const std::string& path);
/// Loads the archive and returns its int64 "format" record; throws on a foreign file.
torch::Tensor readFormat(torch::serialize::InputArchive& a, const std::string& path);

/// A tensor as a named trace tensor (float32, row-major, empty labels per axis).
TraceTensor traceTensor(const std::string& name, std::vector<std::string> axes, const torch::Tensor& t);
/// Adds "probabilities" [class] (Fashion-MNIST class names) and the metadata "prediction"
/// and "confidence" for softmax output `probs` [10].
void addPrediction(AttentionTrace& trace, const torch::Tensor& probs);
/// Images [first, first + count) of `set` as [count, 1, 28, 28] in [0, 1] (normalised with
/// kFmnistMean / kFmnistStd when `normalise`), and their labels as int64 [count].
torch::Tensor imageBatch(const FashionMnist& set, int first, int count, bool normalise);
torch::Tensor labelBatch(const FashionMnist& set, int first, int count);

/// Trainable parameters of a module.
int64_t countParameters(torch::nn::Module& m);

/// Loads an image model: a built-in name accepted by `isKind` (its weights under resources/)
/// or a weights file, through `load(path)` (which throws std::runtime_error with a readable
/// message). `what` names the kind in errors. Sets `net` and `name` on success.
template <typename Net, typename Load>
Status loadImageModel(const std::string& nameOrPath, bool (*isKind)(const std::string&), const std::string& what, Load load,
                      Net& net, std::string& name)
{
    initEngineThreads();
    std::string path = nameOrPath, shown = nameOrPath;
    if (const ModelInfo* info = findModel(nameOrPath)) {
        if (!isKind(info->name)) return Status::error(nameOrPath + " is not a " + what + " (" + info->kind + " model)");
        path = resourcePath(info->weightsFile);
        if (path.empty())
            return Status::error("weights of " + nameOrPath + " (resources/" + info->weightsFile +
                                 ") are missing; train them with `attnscope train " + nameOrPath + "`");
    } else {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(nameOrPath, ec))
            return Status::error("no " + what + " named " + nameOrPath + " and no such file");
        shown = std::filesystem::path(nameOrPath).stem().string();
    }
    try {
        net = load(path);
    } catch (const std::exception& e) {
        return Status::error(e.what());
    }
    name = shown;
    return Status::success();
}

/// True for a built-in name accepted by `isKind`, or a file `load` reads without throwing.
template <typename Load>
bool isModelFile(const std::string& nameOrPath, bool (*isKind)(const std::string&), Load load)
{
    if (isKind(nameOrPath)) return true;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(nameOrPath, ec)) return false;
    try {
        load(nameOrPath);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

} // namespace attnscope
