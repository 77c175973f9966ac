#pragma once
// Training of the Fashion-MNIST image classifiers (fmnist-cnn | fmnist-se | fmnist-eca |
// fmnist-cbam). Internal; reached through attnscope::train().
#include "attnscope/train.h"

namespace attnscope {
Status trainImageClassifier(const TrainConfig& cfg, TrainReport& report, const ProgressFn& progress, const LogFn& log);
/// The scene and clip captioners (train/traincaption.cpp).
Status trainSceneCaptioner(const TrainConfig& cfg, TrainReport& report, const ProgressFn& progress, const LogFn& log);
Status trainClipCaptioner(const TrainConfig& cfg, TrainReport& report, const ProgressFn& progress, const LogFn& log);
} // namespace attnscope
