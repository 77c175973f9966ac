#pragma once
// Pipelines: one "input + model → trace" function per kind of model. The GUI's jobs and the
// `attnscope run` command call the same function, so the two never disagree on how an input
// is read, which model decodes it or which rules decide gold and forced decoding. Every
// pipeline takes its model (and the Fashion-MNIST test split) from a ModelCache, loading it
// on first use, and stops at its next step when `cancel` returns false (message "cancelled").
// Plain C++ header (no torch, OpenCV or Qt types).
#include "attnscope/ablation.h"
#include "attnscope/caption.h"
#include "attnscope/corpus.h"
#include "attnscope/fmnist.h"
#include "attnscope/imagemodel.h"
#include "attnscope/modelcache.h"
#include "attnscope/stn.h"
#include "attnscope/trace.h"
#include "attnscope/video.h"

#include <memory>
#include <string>

namespace attnscope {

/// True for your own model that ScriptModel runs through the translation pipeline: a file with
/// a JSON sidecar (TorchScript), or an .onnx that is not a vision graph (an ONNX text model).
bool isUserModelFile(const std::string& path);
/// True for a translator the built-in Translator runs: a built-in translator name, or an
/// existing weights file that is none of the other formats (Translator::load says when it is
/// not a translator after all).
bool isTranslatorModel(const std::string& nameOrPath);
/// True for a vision model VisionModel runs: ppocr-rec, ppocr-det, or a vision .onnx graph
/// (isVisionModelFile).
bool isVisionModelName(const std::string& nameOrPath);

/// The Fashion-MNIST test split, read once into `cache` (it does not count against the
/// cache's capacity) and leased while used.
ModelCache::Lease<FashionMnist> fashionMnistTest(ModelCache& cache, Status& st);

/// The Bible corpus (SWORD modules) restricted to `splits`, read once into `cache` per set of
/// splits (not counted against the capacity) and leased while used.
ModelCache::Lease<Corpus> bibleCorpus(ModelCache& cache, const std::set<Split>& splits, Status& st,
                                      const ProgressFn& progress = {});

// ---------------------------------------------------------------------------------------
// Translation: a sentence (or a corpus verse) through a built-in translator or a user model.

struct TranslationRequest {
    std::string model;      ///< built-in translator, weights file, or user model (.pt + sidecar)
    std::string source;     ///< Spanish text; empty with `verse`: the verse's text
    std::string reference;  ///< English reference for forced decoding; empty with `verse`: the verse's
    std::string verse;      ///< corpus reference the text came from ("Ruth 1:16"), or empty
    bool forced = false;    ///< forced decoding of the reference (else free, greedy decoding)
    bool freeTranslation = true;  ///< forced mode: also decode freely, for the translation text
    /// Heads to ablate in this run (attnscope/ablation.h; ONNX user models). The free
    /// translation of a forced run is ablated too.
    HeadAblation ablation;
    /// Forced decoding adds the grad lens (attention × gradient, "<kind>.grad"; built-in
    /// Transformers): one backward pass per target token.
    bool gradLens = false;
};

struct TranslationResult {
    std::shared_ptr<AttentionTrace> trace;  ///< forced or free decoding, as asked
    std::string translation;                ///< the free translation (words joined by spaces)
    bool gold = false;                      ///< the trace carries the verse's gold links
};

/// The rules, in one place: a verse whose Spanish text is left as is (and, when forced, whose
/// English reference is left as is) is decoded through Translator::decodeVerse and carries
/// its gold alignment; edited text or a typed reference decodes without gold. `corpus` holds
/// the verses (null: no verse lookup). User models run their module on the source.
/// Errors: unknown model, a verse not in `corpus`, empty text, forced decoding without a
/// reference, the translator's own errors, "cancelled".
Status runTranslation(ModelCache& cache, const Corpus* corpus, const TranslationRequest& request,
                      TranslationResult& out, const ProgressFn& cancel = {});

/// Forced decoding of `target` (tokens joined by spaces, no </s>) by translator `model`: head
/// B of a cross-model comparison reads the same sentence and target as head A.
Status runForcedTokens(ModelCache& cache, const std::string& model, const std::string& source,
                       const std::string& target, AttentionTrace& out, const ProgressFn& cancel = {});

/// A whole book of the corpus through a translator's encoder as one long sequence.
struct BookRequest {
    std::string model = "transformer";  ///< a Transformer translator (built-in or weights file)
    std::string book;                   ///< English book name, e.g. "Ruth", "Genesis"
};
/// The encoder self-attention over every verse of `book` (the Spanish words in verse order,
/// then </s>) in Q/K mode (Translator::encodeLong): tensor "encoder_self" [layers, heads, n, n]
/// with the words as labels; metadata "input" (e.g. "Ruth, whole book: 85 verses, 2,391 tokens"),
/// "book", "verse_starts" (the token index of each verse's first word, comma-separated).
/// Errors: an unknown book, a model without self-attention, "cancelled".
Status runBookEncoder(ModelCache& cache, const BookRequest& request, AttentionTrace& out, const ProgressFn& progress = {});

// ---------------------------------------------------------------------------------------
// Images through the channel-attention classifiers (SE / ECA / CBAM).

struct ImageRequest {
    std::string model;   ///< fmnist-se, … or a weights file
    std::string path;    ///< an image file; empty: Fashion-MNIST test image `testIndex`
    int testIndex = -1;
};
struct ImageResult {
    std::shared_ptr<AttentionTrace> trace;  ///< see ImageClassifier::classify
    std::shared_ptr<PreparedImage> image;   ///< the input as converted, with its notes
};
Status runImage(ModelCache& cache, const ImageRequest& request, ImageResult& out, const ProgressFn& cancel = {});

// ---------------------------------------------------------------------------------------
// Spatial transformers.

struct StnRequest {
    std::string model;           ///< fmnist-stn-r | rts | cluttered (or fmnist-cnn-…)
    std::string path;            ///< an image file; empty: test image `testIndex` of the model's fixed test set
    int testIndex = 0;
    bool userDistortion = false; ///< distort the undistorted item with the values below
    double rotation = 0, scale = 1, dx = 0, dy = 0;  ///< degrees, factor, canvas pixels
    bool manual = false;         ///< use `theta` instead of the localisation network's
    Theta theta = kIdentityTheta;
    bool bilinear = true;
};
struct StnResult {
    std::shared_ptr<GreyImage> canvas;      ///< what the model read
    std::shared_ptr<AttentionTrace> trace;  ///< with θ (the network's, or the manual one)
    std::shared_ptr<AttentionTrace> identity;  ///< the same classifier with θ = identity ("before")
    Theta networkTheta = kIdentityTheta;
    std::string source;                     ///< e.g. "test #12 (Bag), RTS-distorted"
};
Status runStn(ModelCache& cache, const StnRequest& request, StnResult& out, const ProgressFn& cancel = {});

// ---------------------------------------------------------------------------------------
// Image captioning.

struct CaptionRequest {
    std::string model = "scene-captioner";
    std::string path;     ///< an image file; empty: generated test scene `sceneIndex`
    int sceneIndex = 0;
    CaptionOptions options;
};
struct CaptionResult {
    std::shared_ptr<AttentionTrace> trace;  ///< see SceneCaptioner::caption; metadata "input"
    std::shared_ptr<Scene> gold;            ///< the generated scene (boxes, caption); null for files
    std::shared_ptr<PreparedImage> image;   ///< the prepared file; null for test scenes
    std::string source;                     ///< "test scene 3" or the file path
};
Status runCaption(ModelCache& cache, const CaptionRequest& request, CaptionResult& out, const ProgressFn& cancel = {});

// ---------------------------------------------------------------------------------------
// Vision models the user brings (ONNX, TorchScript image models, PaddleOCR PP-OCRv4).

struct VisionRequest {
    std::string model;  ///< MODEL.onnx, a TorchScript image model, ppocr-rec or ppocr-det
    std::string path;   ///< the picture
    /// ONNX: the Softmax nodes to show (empty: all the graph's attention).
    std::vector<std::string> attention;
    /// ONNX: heads to ablate in this run (VisionModel::run).
    HeadAblation ablation;
};
struct VisionResult {
    std::shared_ptr<AttentionTrace> trace;  ///< see VisionModel::run
};
/// The model from `cache` (loaded once), run on the picture. Errors: VisionModel's, "cancelled".
Status runVision(ModelCache& cache, const VisionRequest& request, VisionResult& out, const ProgressFn& cancel = {});

// ---------------------------------------------------------------------------------------
// Video captioning (temporal attention).

struct VideoCaptionRequest {
    std::string model = "clip-captioner";
    std::string path;    ///< a video file; empty: generated test clip `clipIndex`
    int clipIndex = -1;
    CaptionOptions options;
};
struct VideoCaptionResult {
    std::shared_ptr<AttentionTrace> trace;  ///< see ClipCaptioner::caption; metadata "input"
    ClipInput input;                        ///< the sampled frames the model read
    std::shared_ptr<Clip> gold;             ///< the generated clip; null for files
    VideoInfo info;                         ///< the file's (empty for generated clips)
};
/// Samples the video (progress over the sampled frames), then captions it.
Status runVideoCaption(ModelCache& cache, const VideoCaptionRequest& request, VideoCaptionResult& out,
                       const ProgressFn& progress = {});

} // namespace attnscope
