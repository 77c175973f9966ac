#pragma once
// Checkpoints shared by every training loop: the network's weights (written by the model's
// own save function) plus a second archive "<path>.opt" with the optimizer state and the
// progress; both written to temporary files and renamed, so a session that ends mid-write
// leaves the previous checkpoint intact. Internal engine header (torch).
#include "attnscope/status.h"

#include <torch/torch.h>

#include <functional>
#include <string>

namespace attnscope {

struct TrainProgress {
    int epoch = 0, batch = 0;  ///< where to continue
    int64_t step = 0;          ///< batches run so far
};

/// `saveWeights(path)` writes the network (float32) to `path`.
void writeCheckpoint(const std::string& path, const std::function<void(const std::string&)>& saveWeights,
                     torch::optim::Optimizer& opt, const TrainProgress& progress);

/// After each batch: a checkpoint every `every` steps (0 = never), and when `stepsRun` reached
/// `maxSteps` (> 0) a checkpoint and true — the loop then returns (tests and short runs).
/// `next` is where training continues.
bool checkpointAfterStep(const std::string& path, const std::function<void(const std::string&)>& saveWeights,
                         torch::optim::Optimizer& opt, const TrainProgress& next, int every, int maxSteps, int stepsRun);

/// The end of every training run: `saveHalf(path)` writes the final float16 weights to
/// "<out>.partial", which is then renamed to `out` (a session ending mid-write leaves no
/// half-written weights file); logs "weights written to <out>".
void writeFinalWeights(const std::string& out, const std::function<void(const std::string&)>& saveHalf, const LogFn& log);

/// Copies every parameter (and buffer) of `from` into `to`. Returns false when a name or a
/// shape differs (another model configuration).
bool copyWeights(torch::nn::Module& from, torch::nn::Module& to);

/// Resumes from `ckpt` when it and its ".opt" exist (else leaves `progress` at zero):
/// `restore(ckpt)` checks the checkpoint fits the network being trained and copies its
/// weights (returning an error that says what differs); then the optimizer state and the
/// progress are read. Corrupt files give an error naming the checkpoint.
Status resumeFromCheckpoint(const std::string& ckpt, const std::function<Status(const std::string&)>& restore,
                            torch::optim::Optimizer& opt, TrainProgress& progress, const LogFn& log);

} // namespace attnscope
