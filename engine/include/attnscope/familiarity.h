#pragma once
// How far an input is from what a built-in model was trained on. The built-in image, STN,
// captioning and video models know Fashion-MNIST items (grey clothing, light on a black
// background); a photo gets a confident answer all the same. The measure here: four statistics
// of the input — its share of black background pixels, the brightness of its outer ring, the
// total-variation distance ½·Σ|p − q| of its 16-bin intensity histogram from the domain's mean
// histogram, and the log of the black share inside the ink's bounding box (items are not
// rectangles; photos, letterboxed or not, fill their frame) — each as a z-score against the
// domain's own test inputs; the input's score is
// the largest |z|. It is called outside when the score is beyond the 99th percentile of the
// scores of held-out test inputs of the domain — the result is still shown, with a warning.
// Plain C++ header.
#include "attnscope/fmnist.h"
#include "attnscope/stn.h"

#include <string>
#include <vector>

namespace attnscope {

enum class TrainingDomain {
    FashionMnistItems,  ///< 28×28 items (the classifiers, the STN's item)
    Scenes,             ///< 84×84 generated scenes (the scene captioner)
    Clips,              ///< 64×64 frames of generated clips (the clip captioner)
};

struct Familiarity {
    double distance = 0;   ///< largest |z| of the input's statistics against the domain's
    double threshold = 0;  ///< 99th percentile of that score over held-out test inputs of the domain
    bool outside = false;  ///< distance > threshold
    std::string warning;   ///< when outside: what the model was trained on and how far this input is
};

/// 16-bin histogram of intensities in [0, 1] (values outside are clamped), summing to 1.
std::vector<double> intensityHistogram(const std::vector<const GreyImage*>& images);
/// Total-variation distance between two histograms of the same length.
double histogramDistance(const std::vector<double>& a, const std::vector<double>& b);
/// `images` (one image, or a clip's frames, pixels in [0, 1] with ink bright) against `domain`.
/// The domain's reference is computed once per process from `test` (the Fashion-MNIST test
/// split: 1,000 items, 300 generated scenes or 100 generated clips); thread-safe.
Familiarity familiarity(TrainingDomain domain, const FashionMnist& test, const std::vector<const GreyImage*>& images);

} // namespace attnscope
