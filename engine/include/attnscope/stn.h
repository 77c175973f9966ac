#pragma once
// Spatial Transformer Networks (Jaderberg et al. 2015) on distorted Fashion-MNIST: the
// distortions of the paper's MNIST experiments, the affine θ and its decomposition, the
// sampling grid and the sampler, and the ST-CNN / plain CNN classifiers. Plain C++ header.
#include "attnscope/fmnist.h"
#include "attnscope/status.h"
#include "attnscope/trace.h"

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace attnscope {

/// θ of an affine transformation in normalised coordinates (x, y ∈ [−1, 1], the convention
/// of Jaderberg et al. eq. 1 and of torch.nn.functional.affine_grid with
/// align_corners=false): the source point sampled for output point (x_t, y_t) is
///   (x_s, y_s)ᵀ = [θ11 θ12 θ13; θ21 θ22 θ23] · (x_t, y_t, 1)ᵀ.
/// Row-major {θ11, θ12, θ13, θ21, θ22, θ23}. Identity = {1, 0, 0, 0, 1, 0}.
using Theta = std::array<double, 6>;
constexpr Theta kIdentityTheta{1, 0, 0, 0, 1, 0};

/// θ's 2×2 part A = R(rotation) · [[scaleX, scaleX·shear], [0, scaleY]] and its translation.
/// rotation in degrees (counter-clockwise in image coordinates, y down), shear dimensionless.
struct ThetaParts {
    double rotation = 0, scaleX = 1, scaleY = 1, shear = 0, tx = 0, ty = 0;
};
ThetaParts decomposeTheta(const Theta& theta);
Theta composeTheta(const ThetaParts& parts);

/// The θ that maps three output points to three input points (normalised coordinates):
/// θ · (out_k, 1) = in_k, k = 0..2. Used to drag the sampling frame by its corners.
/// False when the three output points are collinear.
bool thetaFromPoints(const std::array<std::array<double, 2>, 3>& out, const std::array<std::array<double, 2>, 3>& in,
                     Theta& theta);

/// A grey image, row-major, float values (0 = background).
struct GreyImage {
    int width = 0, height = 0;
    std::vector<float> pixels;
    float at(int x, int y) const { return pixels[size_t(y) * size_t(width) + size_t(x)]; }
};

/// The sampler: output (outW × outH) where pixel (i, j) takes the input at the point θ maps
/// its normalised centre to; bilinear interpolation (Jaderberg et al. eq. 5; differentiable
/// in θ and the input) or nearest (eq. 4 with the integer kernel: not differentiable in θ).
/// Points outside the input read 0 (zero padding).
GreyImage sampleAffine(const GreyImage& input, const Theta& theta, int outW, int outH, bool bilinear = true);
/// Where output pixel centre (i, j) samples the input, in input pixel coordinates.
void gridPoint(const Theta& theta, int inW, int inH, int outW, int outH, double i, double j, double& x, double& y);

/// The distortions of the paper's distorted-MNIST experiments, on Fashion-MNIST.
enum class Distortion { R, RTS, Cluttered };
const char* distortionName(Distortion d);   ///< "R", "RTS", "cluttered"
bool parseDistortion(const std::string& s, Distortion& out);
int canvasSize(Distortion d);               ///< 28, 42, 60

/// One distorted sample: image `index` of `set`, distorted with a generator seeded by `seed`.
/// R: rotation uniform in ±90° (28×28). RTS: rotation ±45°, scale 0.7–1.2, placed at a
/// random position on a 42×42 canvas. Cluttered: the item at a random position on a 60×60
/// canvas with 4–6 random 6×6 crops of other images of `set` as clutter.
/// Returns the canvas (values in [0, 1]).
GreyImage distortedSample(const FashionMnist& set, int index, Distortion d, uint64_t seed);
/// A user-chosen distortion of any 28×28 image: rotation (degrees), scale, translation in
/// pixels of the canvas, on a canvas of `canvas` pixels (≥ 28).
GreyImage distortImage(const GreyImage& item, double rotationDeg, double scale, double dx, double dy, int canvas);

/// What an STN model reads — the scene — and the undistorted item the distortion sliders
/// start from, with a description for views and logs.
struct StnInput {
    GreyImage item;           ///< 28×28, the item alone
    GreyImage scene;          ///< canvas×canvas
    std::string description;  ///< e.g. "test #3 (Trouser), RTS-distorted"
    std::vector<std::string> warnings;  ///< e.g. a JPEG whose data ends early
};
/// An image file: the item as prepareImageFile makes it (cropped, 28×28) and the whole image
/// as the scene at `canvas` pixels (no crop). The file is decoded once. Errors as
/// prepareImageFile.
Status stnInputFromFile(const std::string& path, int canvas, StnInput& out);
/// Test image `index`: the item as stored and its fixed distortion `d` as the scene.
Status stnInputFromTest(const FashionMnist& test, int index, Distortion d, StnInput& out);
/// Replaces the scene by the item distorted with distortImage (canvas = the scene's side)
/// and says so in the description.
void applyDistortion(StnInput& in, double rotationDeg, double scale, double dx, double dy);

/// The fixed test set of a distortion: test image i distorted with seed 1'000'003·i + kind,
/// so every run (CLI, tests, README) scores the same images.
GreyImage distortedTestSample(const FashionMnist& test, int index, Distortion d);

/// A trained ST-CNN or plain CNN for one distortion (models "fmnist-stn-r", "fmnist-stn-rts",
/// "fmnist-stn-cluttered", "fmnist-cnn-r", "fmnist-cnn-rts", "fmnist-cnn-cluttered").
bool isStnModel(const std::string& name);
/// A built-in STN experiment name, or a weights file written by `attnscope train` for one.
bool isStnModelFile(const std::string& nameOrPath);

class StnClassifier {
public:
    StnClassifier();
    ~StnClassifier();
    StnClassifier(const StnClassifier&) = delete;
    StnClassifier& operator=(const StnClassifier&) = delete;

    Status load(const std::string& modelNameOrPath);
    bool loaded() const;
    std::string modelName() const;
    bool hasTransformer() const;  ///< false for the plain CNN baselines
    Distortion distortion() const;
    int inputSize() const;        ///< canvas side the model takes (28, 42 or 60)
    int64_t parameters() const;   ///< trainable parameters

    /// Classifies `canvas` (inputSize² pixels; other sizes are resized). With a spatial
    /// transformer: θ from the localisation network, or `theta` when given (manual mode).
    /// Trace: "input" [row, col], "warped" [row, col] 28×28 (what the classifier saw),
    /// "theta" [row 2, col 3], "probabilities" [class]; metadata "prediction", "confidence",
    /// "theta_source" (network | manual), "distortion".
    Status classify(const GreyImage& canvas, AttentionTrace& out, const Theta* theta = nullptr,
                    bool bilinear = true) const;
    /// Test error (1 − accuracy) on the first `limit` images of the distortion's fixed test set;
    /// with `theta`, every image is read through that θ instead of the network's (e.g. the
    /// identity: what the classifier does without the localisation network's help).
    Status testError(const FashionMnist& test, int limit, double& out, const ProgressFn& progress = {},
                     const Theta* theta = nullptr) const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace attnscope
