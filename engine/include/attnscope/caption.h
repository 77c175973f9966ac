#pragma once
// Image captioning with visual attention ("Show, Attend and Tell", Xu et al. 2015) on scenes
// generated from Fashion-MNIST items: the scene generator with its caption grammar and item
// boxes, the built-in captioner (CNN encoder → 7×7 annotation grid → LSTM decoder with soft
// additive attention), and the attention metrics. Plain C++ header (no torch, OpenCV or Qt).
#include "attnscope/ablation.h"
#include "attnscope/fmnist.h"
#include "attnscope/imagemodel.h"
#include "attnscope/status.h"
#include "attnscope/stn.h"
#include "attnscope/trace.h"

#include <memory>
#include <string>
#include <vector>

namespace attnscope {

// ---------------------------------------------------------------------------------------
// Scenes

/// Scene canvas side (pixels) and the grid of cells items are placed in.
constexpr int kSceneSize = 84;
constexpr int kSceneCells = 3;  ///< 3×3 cells of 28×28 pixels
constexpr int kSceneMinItems = 2, kSceneMaxItems = 4;

/// Where an item sits: its grid cell and the 28×28 square it was pasted into (pixels).
struct SceneItem {
    int label = 0;       ///< Fashion-MNIST class 0..9
    int sourceIndex = 0; ///< image index in the split it came from
    int row = 0, col = 0;  ///< cell, 0..2
    int x = 0, y = 0, width = 28, height = 28;  ///< box in scene pixels
    bool contains(double px, double py) const { return px >= x && px < x + width && py >= y && py < y + height; }
};

/// A generated scene: 84×84 grey pixels in [0, 1] (1 = ink, as Fashion-MNIST), its items in
/// caption order (row-major by cell) and the caption.
struct Scene {
    GreyImage image;
    std::vector<SceneItem> items;
    std::string caption;  ///< e.g. "a sneaker top left , a bag in the middle and a shirt bottom right"
};

/// Draws a scene from `set`: 2–4 items (uniform), distinct cells (uniform), items drawn
/// uniformly from the split; fully determined by `seed`.
Scene generateScene(const FashionMnist& set, uint64_t seed);
/// Scene `index` of the fixed test set (test-split items, seed 20150210 + index): the same
/// scenes every run, so metrics and the PNG files agree.
Scene testScene(const FashionMnist& test, int index);

/// The caption grammar (docs in README): items in reading order (row by row, left to
/// right), each "<article> <item word> <position>", joined by " , " and a final " and ".
/// Item words: t-shirt trousers pullover dress coat sandal shirt sneaker bag boot
/// ("trousers" takes no article, the others "a"); positions: top left, top centre, top right,
/// centre left, in the middle, centre right, bottom left, bottom centre, bottom right.
std::string sceneCaption(const std::vector<SceneItem>& items);
/// The item word of class `label` (e.g. 7 → "sneaker"); −1 when a word is no item word.
const std::string& itemWord(int label);
int itemLabel(const std::string& word);
/// Caption words as the captioner reads them (lower case; "," split off).
std::vector<std::string> captionWords(const std::string& text);

/// Writes test scenes [0, count) as 8-bit grey PNG files (white ink on black) named
/// scene-000.png … into `dir`, with `scenes.tsv` (file, caption, items as
/// label:x,y,w,h;…). Errors name the file that could not be written.
Status writeTestScenes(const FashionMnist& test, int count, const std::string& dir);

/// A scene image file as the captioner reads it: prepareImageFile(path, out, kSceneSize,
/// /*cropToItem=*/false) — decoded defensively, grey, inverted when the background is light,
/// resized to fit 84×84 with its aspect ratio kept and centred; `out.notes` lists each step.
Status loadSceneImage(const std::string& path, PreparedImage& out);
/// The prepared pixels as the captioner's input.
GreyImage sceneInput(const PreparedImage& image);

// ---------------------------------------------------------------------------------------
// Captioner

/// How the decoder reads the annotation grid at each step (Xu et al. §4).
enum class AttentionMode {
    Soft,         ///< deterministic soft attention: z_t = β_t Σ_i α_ti a_i (eq. 13 with the gate)
    HardArgmax,   ///< hard attention at inference: z_t = a_s with s = argmax_i α_ti
    HardSample,   ///< hard attention at inference: s ~ Multinoulli(α_t) (eq. 8), seeded
};

struct CaptionOptions {
    AttentionMode mode = AttentionMode::Soft;
    int beamWidth = 1;       ///< 1 = greedy; >1 = beam search (soft and hard-argmax)
    int maxWords = 40;
    uint64_t sampleSeed = 1; ///< HardSample
    /// Forced decoding: score this caption instead of generating one (teacher forcing), to
    /// ask where the model would look for each given word. Words outside the vocabulary are
    /// an error that lists them.
    std::string target;
    /// Ablation of the decoder's attention head ("attention:1:1", attnscope/ablation.h): zero
    /// (the context vector ẑ_t is 0) or uniform (1/L over the regions or frames). The trace's
    /// "attention" then holds the weights used (0 or 1/L) and metadata "ablation" says so.
    HeadAblation ablation;
};

/// One scene's attention metrics (item words only).
struct CaptionScore {
    int itemWords = 0;     ///< item words scored
    int peakHits = 0;      ///< attention peak (centre of the arg-max grid cell) inside the item's box
    double mass = 0;       ///< Σ over item words of the attention mass inside the item's box
    double uniformMass = 0;///< Σ of the box's share of the image (what uniform attention gets)
};

struct CaptionMetrics {
    int scenes = 0;
    // Forced decoding of the gold caption: attention of each item word vs that item's box.
    CaptionScore forced;
    // Greedy soft decoding against the gold caption.
    int exactMatches = 0;
    int64_t goldWords = 0, correctWords = 0;  ///< position-wise word accuracy
    int64_t goldItemWords = 0, correctItemWords = 0;
    // Beam search (width `beamWidth`) and hard-argmax greedy: exact match only.
    int beamWidth = 3;
    int beamExactMatches = 0;
    int hardExactMatches = 0;
    CaptionScore hardForced;  ///< forced decoding with hard-argmax attention (peak = the chosen cell)
};

/// True for "scene-captioner" or a weights file written by `attnscope train scene-captioner`.
bool isCaptionerFile(const std::string& nameOrPath);

/// The built-in captioner "scene-captioner" (or a weights file from `attnscope train`).
/// Thread-compatible: one per thread.
class SceneCaptioner {
public:
    SceneCaptioner();
    ~SceneCaptioner();
    SceneCaptioner(const SceneCaptioner&) = delete;
    SceneCaptioner& operator=(const SceneCaptioner&) = delete;

    Status load(const std::string& modelNameOrPath);
    bool loaded() const;
    std::string modelName() const;
    int gridSize() const;            ///< 7: the annotation grid is gridSize × gridSize
    int64_t parameters() const;
    const std::vector<std::string>& vocabulary() const;

    /// Captions (or force-decodes `opt.target` on) an 84×84 scene (other sizes are resized).
    /// Trace:
    ///  - "attention" [word, region] T × 49: α_t over the 7×7 grid for each word written
    ///    (rows sum to 1; in hard modes the one-hot location used); labels: the words, r0c0…;
    ///  - "soft_attention" [word, region]: α_t as computed (hard modes only);
    ///  - "gate" [word]: β_t (eq. in §4.2.1); "word_probability" [word]: p(y_t | …);
    ///  - "coverage" [region]: Σ_t α_ti (the doubly stochastic regulariser's quantity);
    ///  - "input" [row, col] 84×84 pixels in [0, 1];
    ///  - metadata "caption", "mode" (free | forced), "attention" (soft | hard-argmax |
    ///    hard-sample), "decoding" (greedy | beam N), "grid" ("7x7"), "log_probability".
    Status caption(const GreyImage& scene, const CaptionOptions& opt, AttentionTrace& out) const;

    /// The metrics over test scenes [0, count) (see CaptionMetrics). Cancellable.
    Status evaluate(const FashionMnist& test, int count, CaptionMetrics& out, const ProgressFn& progress = {},
                    int beamWidth = 3) const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

/// Scores the attention rows of item words in `trace` ("attention" [word, region] on a
/// g×g grid over the 84×84 scene) against `scene`'s boxes: the k-th item word of the
/// caption belongs to the k-th item. Words are the trace's row labels.
CaptionScore scoreCaptionAttention(const AttentionTrace& trace, const Scene& scene);

} // namespace attnscope
