#pragma once
// Image classification with channel / spatial attention: the built-in Fashion-MNIST CNNs
// with SE (Hu et al. 2018), ECA (Wang et al. 2020) or CBAM (Woo et al. 2018) blocks after
// each conv stage, or none (the baseline). Plain C++ header (no torch, OpenCV or Qt types).
#include "attnscope/fmnist.h"
#include "attnscope/status.h"
#include "attnscope/trace.h"

#include <memory>
#include <string>
#include <vector>

namespace attnscope {

/// True for the built-in image classifiers: fmnist-cnn, fmnist-se, fmnist-eca, fmnist-cbam.
bool isImageModel(const std::string& name);

/// True for a built-in image model name, or a weights file written by `attnscope train` for
/// one of them (checked by reading the file's format record).
bool isImageModelFile(const std::string& nameOrPath);

/// Largest image AttnScope decodes (pixels); larger files get a clear error before decoding.
constexpr int64_t kMaxImagePixels = 100'000'000;

/// An image converted the way the classifiers expect, plus what was done to it.
struct PreparedImage {
    std::string source;                ///< file path, or "Fashion-MNIST test #123"
    int originalWidth = 0, originalHeight = 0;
    std::string originalFormat;        ///< e.g. "8-bit, 3 channels"
    /// The original for display: RGB888, row-major, at most 512 pixels on the long side.
    std::vector<uint8_t> preview;
    int previewWidth = 0, previewHeight = 0;
    /// Model input before normalisation: size×size (28×28 unless asked otherwise) in [0, 1],
    /// 1 = brightest (ink), 0 = background.
    std::vector<float> pixels;
    int size = 28;
    std::vector<std::string> notes;    ///< each conversion step, e.g. "inverted: light background"
    std::vector<std::string> warnings; ///< what the user should know, e.g. a JPEG whose data ends early
    int label = -1;                    ///< known class (Fashion-MNIST), else −1
};

/// Reads an image file through OpenCV (PNG, JPEG, BMP, TIFF, WebP, … as OpenCV decodes them)
/// and converts it: 16-bit and float images to 8 bits, transparency composited on white,
/// colour to grey (ITU-R BT.601 luma), light backgrounds inverted (Fashion-MNIST items are
/// light on black), the item cropped to its bounding box, resized (area filter) to fit
/// 28×28 with its aspect ratio kept, and centred. Errors: missing or 0-byte file, not an
/// image OpenCV can decode, more than kMaxImagePixels pixels, an empty (blank) image is
/// accepted with a note.
/// `size` and `cropToItem` change the last steps: the spatial-transformer models take the
/// whole scene (no crop) at their canvas size (28, 42 or 60).
Status prepareImageFile(const std::string& path, PreparedImage& out, int size = 28, bool cropToItem = true);
/// Image `index` of a Fashion-MNIST split, as is (no conversion), with its label.
Status prepareFashionMnist(const FashionMnist& set, int index, const std::string& splitName, PreparedImage& out);

/// A built-in (or saved) image classifier. Thread-compatible: one per thread.
class ImageClassifier {
public:
    ImageClassifier();
    ~ImageClassifier();
    ImageClassifier(const ImageClassifier&) = delete;
    ImageClassifier& operator=(const ImageClassifier&) = delete;

    /// Loads a built-in model by name (fmnist-se, …) or a weights file written by
    /// `attnscope train`. Errors name the file and the reason.
    Status load(const std::string& modelNameOrPath);
    bool loaded() const;
    std::string modelName() const;
    std::string blockKind() const;   ///< "none", "SE", "ECA" or "CBAM"
    int64_t parameters() const;         ///< trainable parameters

    /// One forward pass. The trace holds
    ///  - "input" [row, col] 28×28: the exact tensor the model saw, (pixel − 0.2860) / 0.3530;
    ///  - "probabilities" [class]: softmax over the 10 classes (labels: class names);
    ///  - per block b = 1..3: "block<b>.excitation" [channel] — the weight s_c ∈ (0, 1) that
    ///    scaled channel c (all ones for the baseline); "block<b>.features" [channel, row, col] —
    ///    the block's input feature maps U (after conv, batch norm, ReLU); for CBAM
    ///    "block<b>.spatial" [row, col] — the spatial attention map M_s;
    ///  - metadata "input", "prediction", "confidence", "label" (when known), "block",
    ///    "preprocessing".
    Status classify(const PreparedImage& image, AttentionTrace& out) const;

    /// Test accuracy over the first `limit` images of `set` (0 = all).
    Status accuracy(const FashionMnist& set, int limit, double& out, const ProgressFn& progress = {}) const;

    /// Class profiles (the SE paper's Fig. 6): per block, the mean excitation of every channel
    /// over the images of each class of `set` (first `limit` images, 0 = all). The trace holds
    /// "block<b>.profile" [class, channel] and "block<b>.profile_std" [class, channel].
    Status classProfiles(const FashionMnist& set, int limit, AttentionTrace& out,
                         const ProgressFn& progress = {}) const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace attnscope
