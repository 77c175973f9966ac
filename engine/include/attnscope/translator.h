#pragma once
// Translator: loads a built-in NMT model — the GRU encoder–decoder with additive attention
// (Bahdanau et al. 2015) or the Transformer encoder–decoder (Vaswani et al. 2017) — and
// produces AttentionTraces. Thread-compatible: one Translator per thread, or external locking.
#include "attnscope/corpus.h"
#include "attnscope/headstats.h"
#include "attnscope/status.h"
#include "attnscope/alignment.h"
#include "attnscope/trace.h"

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attnscope {

struct ModelInfo {
    std::string name;         ///< e.g. "gru-bahdanau"
    std::string kind;         ///< the id of the kind that runs it (attnscope/kinds.h: kinds::kText, …)
    std::string description;
    std::string weightsFile;  ///< relative to resources/, e.g. "models/gru-bahdanau.pt"
    std::string takes;        ///< what the model reads, e.g. "Spanish text (word level)"
    std::string produces;     ///< the attention tensors of its traces
};

/// The built-in models (whether or not their weights are present).
const std::vector<ModelInfo>& builtinModels();
const ModelInfo* findModel(const std::string& name);
/// The built-in models of kind `kindId` (kinds::kText, …), in table order.
std::vector<const ModelInfo*> builtinModelsOf(const std::string& kindId);

struct HeadImportance;
enum class ImportanceMethod;
struct ImportancePartial;
struct PruningCurve;
struct PruningPartial;
struct Shard;

/// Limits on one input (a clear error beyond them).
constexpr int kMaxSourceTokens = 1024;

/// What corpus evaluation (eval, align, heads, the GUI's dev-split scores) needs from a
/// translator: forced or free decoding of a verse and greedy translations. Implemented by
/// the built-in Translator and by UserTranslator (a seq2seq TorchScript model).
class VerseDecoder {
public:
    virtual ~VerseDecoder() = default;
    virtual std::string modelName() const = 0;
    virtual std::string scoreFunction() const = 0;
    /// Forced (or free) decoding of a corpus verse; forced traces carry gold links when the
    /// model's tokens are the verse's words.
    virtual Status decodeVerse(const Verse& verse, bool forced, AttentionTrace& out, const ProgressFn& cancel = {}) const = 0;
    /// Greedy translations of many verses, as lower-cased token lists.
    virtual Status translateBatch(const std::vector<std::vector<std::string>>& sources,
                                  std::vector<std::vector<std::string>>& out, const ProgressFn& progress = {}) const = 0;
    /// Why this model cannot take `verse` at all (forced decoding): an empty side, more tokens or
    /// decoder steps than its positions (pad_to, max_tokens, kMaxSourceTokens), sizes named;
    /// empty when it can. Batch work (evaluate, headTable, align, run --split) skips such a
    /// verse with this reason and counts it; only a broken model or file stops a batch.
    virtual std::string cannotTake(const Verse& verse) const;

    /// Head importance over `verses` (Michel et al. 2019), one shard of the work (ImportancePartial;
    /// shard 0/1 is the whole run): by ablation — each head alone zeroed, the mean Δ
    /// log-likelihood of the references under forced decoding and ΔBLEU of greedy translations;
    /// by gradient (built-in Transformer) — |∂L/∂ξ_h| per verse. Verses the model cannot take
    /// are left out. `progress` counts heads (ablation) or verses (gradient). Default: an error
    /// saying the model has no heads to ablate. Errors also: no verse, "cancelled".
    virtual Status headImportanceShard(const std::vector<const Verse*>& verses, ImportanceMethod method, const Shard& shard,
                                       ImportancePartial& out, const ProgressFn& progress = {}) const;
    /// Pruning curves (Michel et al. 2019, §4): heads zeroed in the order `importance` ranks them
    /// (least important first: the largest Δ log-likelihood, or the smallest gradient score) and
    /// in `randomSeeds` random orders, at 0, 10, …, 100 % of the heads; this shard's verses
    /// (whole greedy batches, batch c to shard c mod N) translated greedily and their BLEU
    /// statistics kept (PruningPartial). `progress` counts translation passes. Default: an error
    /// as above. Errors also: an empty importance list, no verse, "cancelled".
    virtual Status pruningCurvesShard(const std::vector<const Verse*>& verses, const std::vector<HeadImportance>& importance,
                                      ImportanceMethod ranked, int randomSeeds, const Shard& shard, PruningPartial& out,
                                      const ProgressFn& progress = {}) const;
    /// Which lenses the calls that follow record (schema::lens): "grad" adds attention ×
    /// gradient (forced decoding adds "<kind>.grad" tensors, one backward pass per target token);
    /// any other lens name goes back to the lenses that need no request (norm, ALTI, rollout —
    /// recorded where the model allows); "raw" records the attention alone (the built-in models:
    /// the lenses' cost baseline). Default: "grad" is an error naming the model, the rest succeed.
    virtual Status enableLens(const std::string& lens);
    /// The whole run: shard 0/1, merged (mergeImportance, mergePruning).
    Status headImportance(const std::vector<const Verse*>& verses, ImportanceMethod method, std::vector<HeadImportance>& out,
                          const ProgressFn& progress = {}) const;
    Status pruningCurves(const std::vector<const Verse*>& verses, const std::vector<HeadImportance>& importance, ImportanceMethod ranked,
                         int randomSeeds, std::vector<PruningCurve>& out, const ProgressFn& progress = {}) const;
};

/// A verse a batch skipped, and why (VerseDecoder::cannotTake).
struct SkippedVerse {
    std::string ref;
    std::string reason;
};
/// Runs `decode` (one verse's forced decoding, or both directions with `reverse`); only when it
/// fails are the models asked whether they cannot take `v` at all (cannotTake), so a batch
/// tokenises each verse once. Such a verse goes to `skipped` and `skip` is set; any other
/// failure (a broken model or file, "cancelled") is returned.
Status decodeOrSkip(const VerseDecoder& t, const VerseDecoder* reverse, const Verse& v, const std::function<Status()>& decode,
                    std::vector<SkippedVerse>& skipped, bool& skip);
/// "304 of 307 verses aligned; 3 skipped: 3 longer than the model's positions" — `done` of the
/// verses, what was done to them ("aligned", "scored"), and the skipped ones grouped by kind.
std::string batchSummary(int done, const std::vector<SkippedVerse>& skipped, const std::string& what);

class ScriptModel;
struct HeadAblation;

/// An encoder–decoder user model (TorchScript + a "seq2seq" sidecar, attnscope/scriptmodel.h)
/// as a VerseDecoder: the verse's words joined by spaces go through the model's tokenizers;
/// gold links are attached when the model's tokens are the verse's words (a word-level
/// vocabulary; subword pieces are not scored).
class UserTranslator : public VerseDecoder {
public:
    UserTranslator();
    ~UserTranslator() override;
    /// Errors: the ScriptModel's load errors; a model whose sidecar is not "seq2seq".
    Status load(const std::string& modulePath);
    const ScriptModel& model() const;
    std::string modelName() const override;
    std::string scoreFunction() const override { return "torchscript"; }
    Status decodeVerse(const Verse& verse, bool forced, AttentionTrace& out, const ProgressFn& cancel = {}) const override;
    Status translateBatch(const std::vector<std::vector<std::string>>& sources, std::vector<std::vector<std::string>>& out,
                          const ProgressFn& progress = {}) const override;
    std::string cannotTake(const Verse& verse) const override;
    /// Importance by ablation and pruning curves through the model's own head ablation
    /// (ScriptModel::decode: ONNX exports, TorchScript modules with head-mask arguments); the
    /// forced log-likelihood needs the module's logits. By gradient: ONNX encoder–decoder
    /// exports, through the interpreter (ScriptModel::headGradients). Errors also: a model that
    /// cannot ablate its heads or take gradients (ScriptModel's message).
    Status headImportanceShard(const std::vector<const Verse*>& verses, ImportanceMethod method, const Shard& shard,
                               ImportancePartial& out, const ProgressFn& progress = {}) const override;
    Status pruningCurvesShard(const std::vector<const Verse*>& verses, const std::vector<HeadImportance>& importance,
                              ImportanceMethod ranked, int randomSeeds, const Shard& shard, PruningPartial& out,
                              const ProgressFn& progress = {}) const override;

private:
    /// translateBatch with `ablation` applied (null: none).
    Status greedyWords(const std::vector<std::vector<std::string>>& sources, std::vector<std::vector<std::string>>& out,
                       const ProgressFn& progress, const HeadAblation* ablation) const;
    std::unique_ptr<ScriptModel> model_;
};

/// Attaches a verse's gold to a user model's forced-decoding trace when its "cross" is over
/// the verse's words (one token per word; a trailing </s> column allowed). Subword pieces
/// (SentencePiece ▁, WordPiece ##, byte-level BPE Ġ) are first turned into words
/// (wordLevelTrace: the whole trace becomes word level). Otherwise a "warning" metadata entry
/// says why there is no gold. True when attached.
bool attachWordGold(const Verse& verse, AttentionTrace& trace);

/// A built-in translator (name or weights file) or a seq2seq user model (a .pt with its
/// sidecar), loaded.
Status loadVerseDecoder(const std::string& nameOrPath, std::unique_ptr<VerseDecoder>& out);

struct HeadAblation;

/// One head's importance over a corpus (Michel, Levy & Neubig 2019, "Are Sixteen Heads Really
/// Better than One?"). Layers and heads 0-based; the value the method does not give is NaN.
struct HeadImportance {
    std::string kind;  ///< encoder_self, decoder_self or cross_attention
    int layer = 0, head = 0;
    /// Ablation: the mean over the verses of Δ log-likelihood of the reference under forced
    /// decoding (nats per verse) with this head alone zeroed; negative when the head helps.
    double deltaLogLikelihood = 0;
    /// Gradient: I_h = E_x |∂L(x)/∂ξ_h| for a gate ξ_h = 1 on the head (eq. 2–3), L the
    /// reference's negative log-likelihood, divided by the l2 norm of its layer's scores.
    double gradient = 0;
    /// Ablation: corpus BLEU (points, corpusBleu) of the greedy translations with this head alone
    /// zeroed minus the unablated model's; negative when the head helps. NaN when not measured.
    double deltaBleu = std::numeric_limits<double>::quiet_NaN();
};
enum class ImportanceMethod { Ablation, Gradient };

/// The importance table as CSV: "kind,layer,head,delta_log_likelihood,delta_bleu" (ablation)
/// or "kind,layer,head,gradient_importance" (gradient), one row per head, layers and heads
/// 1-based, values to 6 significant digits — what `attnscope heads --importance`, `merge` and
/// the GUI's export write.
std::string importanceCsv(const std::vector<HeadImportance>& heads, ImportanceMethod method);

/// BLEU of greedy translations as heads are removed (zeroed) a fraction at a time: in
/// importance order (least important first) or, for contrast, in a random order.
struct PruningCurve {
    std::string order;              ///< "importance" or "random (seed N)"
    std::vector<double> fractions;  ///< 0, 0.1, …, 1
    std::vector<int> removed;       ///< heads zeroed at each fraction
    std::vector<double> bleu;       ///< corpus BLEU (0…100, corpusBleu) at each fraction
};

/// Shard K of N of a corpus-wide measurement, K 0-based as Slurm's SLURM_ARRAY_TASK_ID
/// (`sbatch --array=0-N-1`). Shards are disjoint and together cover the work exactly once.
struct Shard {
    int index = 0, count = 1;
};
/// "K/N" (0 ≤ K < N, N ≥ 1) into `out`; else an error naming the form and the range.
Status parseShard(const std::string& spec, Shard& out);

/// What one shard of a head-importance run measured (Translator::headImportanceShard); the
/// shards' partials merge (mergeImportance) into exactly the table one run gives.
///   ablation — shard K measures the heads whose index in `heads` is ≡ K (mod N), each over
///              every verse;
///   gradient — shard K measures verses whose index is ≡ K (mod N), every head.
struct ImportancePartial {
    ImportanceMethod method = ImportanceMethod::Ablation;
    Shard shard;
    int verses = 0;  ///< the verses measured over (the split after the ones the model cannot take)
    /// Every head of the model in the table's order; ablation: this shard's heads carry their
    /// Δ log-likelihood and ΔBLEU, the others NaN; gradient: values unset (the layout).
    std::vector<HeadImportance> heads;
    /// Gradient: verse index (0-based, of the `verses`) → |∂L/∂ξ_h| per head in `heads`' order.
    std::map<int, std::vector<float>> gradients;
};
/// The importance table from every shard's partial, exactly as one run computes it (the
/// gradient partials are summed in verse order). Errors: no part, parts of different
/// methods, shard counts, verse counts or head layouts, a shard missing or given twice.
Status mergeImportance(const std::vector<ImportancePartial>& parts, std::vector<HeadImportance>& out);

/// What one shard of a pruning run measured (Translator::pruningCurvesShard): the BLEU
/// statistics of its verses (chunks of the greedy batch, chunk c to shard c mod N) at every
/// point of every order.
struct PruningPartial {
    Shard shard;
    int verses = 0;                           ///< the whole split's
    std::vector<std::string> orders;          ///< as PruningCurve::order
    std::vector<double> fractions;            ///< 0, 0.1, …, 1
    std::vector<int> removed;                 ///< heads zeroed at each fraction
    std::vector<std::vector<BleuStats>> stats;  ///< [order][fraction], this shard's verses
};
/// The pruning curves from every shard's partial (BLEU statistics added up, then BLEU), exactly
/// as one run computes them. Errors as mergeImportance.
Status mergePruning(const std::vector<PruningPartial>& parts, std::vector<PruningCurve>& out);

class Translator : public VerseDecoder {
public:
    Translator();
    ~Translator();
    Translator(const Translator&) = delete;
    Translator& operator=(const Translator&) = delete;

    /// Loads a built-in model by name, or a weights file by path. Errors name the file
    /// and the reason (missing, corrupt, wrong format).
    Status load(const std::string& modelNameOrPath);
    bool loaded() const;
    std::string modelName() const override;
    std::string scoreFunction() const override;

    /// Free (greedy) decoding. The trace holds "cross" [target, source] with labels;
    /// the last source label and last target label are "</s>".
    /// Errors: empty input, only punctuation, > kMaxSourceTokens tokens, cancelled.
    Status translate(const std::string& source, AttentionTrace& out,
                     const ProgressFn& cancel = {}) const;
    /// Forced decoding of `reference`: rows are the reference's tokens plus </s>.
    Status forceDecode(const std::string& source, const std::string& reference,
                       AttentionTrace& out, const ProgressFn& cancel = {}) const;
    /// Forced (or free) decoding of a corpus verse; forced traces carry gold links.
    Status decodeVerse(const Verse& verse, bool forced, AttentionTrace& out,
                       const ProgressFn& cancel = {}) const override;

    /// The encoder's self-attention over one long token sequence (e.g. a whole book) in Q/K
    /// mode: a trace with "encoder_self" [layers, heads, n, n] (n = tokens + </s>) whose store
    /// holds each layer's queries, keys and row normalisers, computed blockwise so that n × n
    /// scores are never held (MultiHeadAttention::attendBlockwise). Transformer models only.
    /// Errors: the GRU model, empty input, "cancelled".
    Status encodeLong(const std::vector<std::string>& tokens, AttentionTrace& out, const ProgressFn& progress = {}) const;

    /// Head ablation for the calls that follow (attnscope/ablation.h): Transformer models, by
    /// the trace's kinds (encoder_self, decoder_self, cross_attention); an empty ablation
    /// restores the model. Errors: the GRU model (one attention, no heads), heads the model
    /// does not have (the valid ranges named).
    Status setAblation(const HeadAblation& ablation);

    /// Head importance and pruning curves (VerseDecoder), Transformer models: by ablation, one
    /// forced-decoding pass (batched 16 at a time) and one greedy pass (batched 32 at a time)
    /// over the verses per head; by gradient, one forward and backward pass per verse. Errors
    /// also: the GRU model (one attention, no heads). The model is left unablated.
    Status headImportanceShard(const std::vector<const Verse*>& verses, ImportanceMethod method, const Shard& shard,
                               ImportancePartial& out, const ProgressFn& progress = {}) const override;
    Status pruningCurvesShard(const std::vector<const Verse*>& verses, const std::vector<HeadImportance>& importance,
                              ImportanceMethod ranked, int randomSeeds, const Shard& shard, PruningPartial& out,
                              const ProgressFn& progress = {}) const override;
    /// "grad": Transformer models. Errors: "grad" for the GRU model, an unknown lens.
    Status enableLens(const std::string& lens) override;

    /// Greedy translations of many verses (batched), as token lists.
    Status translateBatch(const std::vector<std::vector<std::string>>& sources,
                          std::vector<std::vector<std::string>>& out,
                          const ProgressFn& progress = {}) const override;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

/// Corpus evaluation of a translator (CLI `eval`).
struct EvalResult {
    int verses = 0;                    ///< scored (the skipped ones are not counted)
    std::vector<SkippedVerse> skipped;  ///< verses the model cannot take
    AlignmentScore model;     ///< alignments from forced decoding of the reference
    AlignmentScore diagonal;  ///< the diagonal baseline on the same verses
    double bleu = 0;          ///< greedy translation, lower-cased tokens, BLEU-4
};
/// `links` chooses how links are read from the "cross" alignment; with a `reverse` model
/// (target → source, e.g. trained on the swapped corpus) each verse is also force-decoded
/// in the other direction and the two argmax alignments are symmetrised with
/// grow-diag-final-and (symmetrizedLinks; `links` is then not used).
Status evaluate(const VerseDecoder& t, const std::vector<const Verse*>& verses, EvalResult& out,
                bool computeBleu, const ProgressFn& progress = {}, const LinkOptions& links = {},
                const VerseDecoder* reverse = nullptr);
/// The verse with its source and target sides (and gold links) swapped: the input of a
/// reverse model's forced decoding.
Verse swappedVerse(const Verse& v);
/// Links of one verse by both models symmetrised (see evaluate); `forwardTrace` receives the
/// forward forced-decoding trace (with gold).
Status symmetrizedVerseLinks(const VerseDecoder& forward, const VerseDecoder& reverse, const Verse& v,
                             AttentionTrace& forwardTrace, std::vector<AlignmentLink>& links);

/// Head table over corpus verses (CLI `heads`, the GUI's dev-split AER column): forced
/// decoding of each verse, then per multi-head tensor of the traces (encoder_self,
/// decoder_self, cross_attention for the Transformer; the 2-D "cross" as one layer with
/// one head for the GRU) the per-head means and summed alignment counts, plus the same for
/// the mean over heads of each layer ("<name> · mean over heads") and, for several layers,
/// the mean of every head of every layer ("<name> · mean of all heads", one layer × one head).
struct HeadTableResult {
    std::vector<std::pair<std::string, HeadTableAccumulator>> tensors;  ///< in trace order
    int verses = 0;
    std::vector<SkippedVerse> skipped;  ///< verses the model cannot take
    AlignmentScore diagonal;  ///< the diagonal baseline on the same verses
    const HeadTableAccumulator* find(const std::string& name) const;
};
Status headTable(const VerseDecoder& t, const std::vector<const Verse*>& verses, HeadTableResult& out,
                 const ProgressFn& progress = {}, const LinkOptions& links = {});

} // namespace attnscope
