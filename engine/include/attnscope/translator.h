#pragma once
// Translator: loads a built-in NMT model — the GRU encoder–decoder with additive attention
// (Bahdanau et al. 2015) or the Transformer encoder–decoder (Vaswani et al. 2017) — and
// produces AttentionTraces. Thread-compatible: one Translator per thread, or external locking.
#include "attnscope/corpus.h"
#include "attnscope/headstats.h"
#include "attnscope/status.h"
#include "attnscope/alignment.h"
#include "attnscope/trace.h"

#include <memory>
#include <string>
#include <vector>

namespace attnscope {

struct ModelInfo {
    std::string name;         ///< e.g. "gru-bahdanau"
    std::string kind;         ///< "translation"
    std::string description;
    std::string weightsFile;  ///< relative to resources/, e.g. "models/gru-bahdanau.pt"
    std::string takes;        ///< what the model reads, e.g. "Spanish text (word level)"
    std::string produces;     ///< the attention tensors of its traces
};

/// The built-in models (whether or not their weights are present).
const std::vector<ModelInfo>& builtinModels();
const ModelInfo* findModel(const std::string& name);

/// Limits on one input (a clear error beyond them).
constexpr int kMaxSourceTokens = 1024;

class Translator {
public:
    Translator();
    ~Translator();
    Translator(const Translator&) = delete;
    Translator& operator=(const Translator&) = delete;

    /// Loads a built-in model by name, or a weights file by path. Errors name the file
    /// and the reason (missing, corrupt, wrong format).
    Status load(const std::string& modelNameOrPath);
    bool loaded() const;
    std::string modelName() const;
    std::string scoreFunction() const;

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
                       const ProgressFn& cancel = {}) const;

    /// The encoder's self-attention over one long token sequence (e.g. a whole book) in Q/K
    /// mode: a trace with "encoder_self" [layers, heads, n, n] (n = tokens + </s>) whose store
    /// holds each layer's queries, keys and row normalisers, computed blockwise so that n × n
    /// scores are never held (MultiHeadAttention::attendBlockwise). Transformer models only.
    /// Errors: the GRU model, empty input, "cancelled".
    Status encodeLong(const std::vector<std::string>& tokens, AttentionTrace& out, const ProgressFn& progress = {}) const;

    /// Greedy translations of many verses (batched), as token lists.
    Status translateBatch(const std::vector<std::vector<std::string>>& sources,
                          std::vector<std::vector<std::string>>& out,
                          const ProgressFn& progress = {}) const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

/// Corpus evaluation of a translator (CLI `eval`).
struct EvalResult {
    int verses = 0;
    AlignmentScore model;     ///< alignments from forced decoding of the reference
    AlignmentScore diagonal;  ///< the diagonal baseline on the same verses
    double bleu = 0;          ///< greedy translation, lower-cased tokens, BLEU-4
};
/// `links` chooses how links are read from the "cross" alignment; with a `reverse` model
/// (target → source, e.g. trained on the swapped corpus) each verse is also force-decoded
/// in the other direction and the two argmax alignments are symmetrised with
/// grow-diag-final-and (symmetrizedLinks; `links` is then not used).
Status evaluate(const Translator& t, const std::vector<const Verse*>& verses, EvalResult& out,
                bool computeBleu, const ProgressFn& progress = {}, const LinkOptions& links = {},
                const Translator* reverse = nullptr);
/// The verse with its source and target sides (and gold links) swapped: the input of a
/// reverse model's forced decoding.
Verse swappedVerse(const Verse& v);
/// Links of one verse by both models symmetrised (see evaluate); `forwardTrace` receives the
/// forward forced-decoding trace (with gold).
Status symmetrizedVerseLinks(const Translator& forward, const Translator& reverse, const Verse& v,
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
    AlignmentScore diagonal;  ///< the diagonal baseline on the same verses
    const HeadTableAccumulator* find(const std::string& name) const;
};
Status headTable(const Translator& t, const std::vector<const Verse*>& verses, HeadTableResult& out,
                 const ProgressFn& progress = {}, const LinkOptions& links = {});

} // namespace attnscope
