#pragma once
// Statistics of attention heads on plain row-major float matrices [rows, cols] whose rows
// are attention distributions (non-negative, summing to 1).
#include "attnscope/alignment.h"
#include "attnscope/trace.h"

#include <cmath>
#include <cstddef>
#include <vector>

namespace attnscope {

/// Shannon entropy of one attention row, in bits. Zero weights contribute 0.
double rowEntropy(const float* row, int n);
/// Mean row entropy of a [rows, cols] head, in bits.
double meanEntropy(const float* m, int rows, int cols);

/// Jensen–Shannon divergence per row between heads P and Q ([rows, cols] each), base 2,
/// so each value is in [0, 1]: JSD = ½ KL(P‖M) + ½ KL(Q‖M), M = ½(P + Q) (Lin 1991).
std::vector<double> jsDivergenceRows(const float* p, const float* q, int rows, int cols);
/// Mean of jsDivergenceRows.
double jsDivergence(const float* p, const float* q, int rows, int cols);

/// Pearson correlation of two equally long arrays; 0 when either is constant.
double pearson(const float* a, const float* b, size_t n);

/// Attention rollout (Abnar & Zuidema 2020, §3): for layers 1..L of [n, n] self-attention
/// (heads already averaged), Ã_l = ½A_l + ½I with rows renormalised, R = Ã_L · … · Ã_1.
/// Returns R [n, n] row-major. `layers` are in bottom-to-top order.
std::vector<float> rollout(const std::vector<const float*>& layers, int n);

/// Where a head looks (Clark et al. 2019, "What Does BERT Look At?", §3): the mean
/// attention mass, over query rows, on the same position, the previous one, the next one,
/// on punctuation keys and on the end-of-sentence key (`eosCol`, −1 if none).
struct HeadPositionStats {
    double same = 0, previous = 0, next = 0, punctuation = 0, eos = 0;
};
HeadPositionStats positionStats(const float* m, int rows, int cols, const std::vector<bool>& punctuationCols,
                                int eosCol);

/// The head-table numbers of one head: mean entropy (bits), Clark et al. position stats
/// (eos is NaN when the key axis has no end-of-sentence token), and the alignment score of
/// its links (argmax unless the caller's LinkOptions say otherwise) when gold over the same tokens is known (`scored`).
struct HeadSummary {
    double entropy = 0, same = 0, previous = 0, next = 0, punctuation = 0;
    double eos = 0;
    bool hasEos = false;
    AlignmentScore score;
    bool scored = false;
};
/// True for a label made only of punctuation (no letter or digit); "</s>" is not.
bool isPunctuationLabel(const std::string& label);
/// Summary of head (layer, head) of a [layer, head, query, key] tensor; `gold` may be null.
/// Punctuation keys come from the key labels; the end-of-sentence key is a last key label
/// "</s>", "[SEP]", "<eos>" or "<|endoftext|>". Errors on other shapes or indices.
Status summarizeHead(const TraceTensor& t, int layer, int head, const AttentionTrace* gold, HeadSummary& out,
                     const LinkOptions& links = {});

/// What the head views draw of one [layer, head, query, key] tensor, computed once (analyzeHeads)
/// and handed to the head grid and the head table, which only draw it: per head, in
/// layer-major order, its HeadSummary (entropy in bits, position fractions, AER when gold over
/// the same tokens is known) and its largest weight.
struct HeadAnalysis {
    int layers = 0, heads = 0;
    std::vector<HeadSummary> summaries;
    std::vector<float> maxWeight;
    const HeadSummary& at(int layer, int head) const { return summaries[size_t(layer * heads + head)]; }
};
/// The analysis of every head of `t` (summarizeHead for each, links read by `links`); `gold`
/// may be null. Errors: a tensor that is not [layer, head, query, key] or whose values do not fill it.
Status analyzeHeads(const TraceTensor& t, const AttentionTrace* gold, const LinkOptions& links, HeadAnalysis& out);

/// Two heads of the same [query, key] shape compared, for the compare view: the Jensen–Shannon
/// divergence of each row and its mean (bits, Lin 1991), Pearson's r over all cells, each head's
/// mean row entropy (bits) and, when `gold` has links over the same tokens, each head's AER
/// (links read by the LinkOptions given; NaN otherwise).
struct HeadComparison {
    std::vector<double> jsdRows;
    double jsd = 0;
    double pearson = 0;
    double entropyA = 0, entropyB = 0;
    double aerA = std::nan(""), aerB = std::nan("");
};
/// Errors: heads that are not 2-D, empty, or of different shapes ("only heads of the same 2-D
/// shape can be compared").
Status compareHeadPair(const TraceTensor& a, const TraceTensor& b, const AttentionTrace* gold, const LinkOptions& links,
                       HeadComparison& out);

/// Head table over many sentences (CLI `heads`, the GUI's dev-split scoring): per head,
/// the mean of each number over the sentences added and the summed alignment counts (so
/// the AER is the corpus AER of that head).
class HeadTableAccumulator {
public:
    /// Adds one sentence's 4-D tensor; the first call fixes layers × heads, later calls
    /// with another layout are refused.
    Status add(const TraceTensor& t, const AttentionTrace* gold, const LinkOptions& links = {});
    int layers() const { return layers_; }
    int heads() const { return heads_; }
    int sentences() const { return count_; }
    /// Means over the sentences added (score: summed counts). Empty summary before any add.
    HeadSummary mean(int layer, int head) const;

private:
    int layers_ = 0, heads_ = 0, count_ = 0;
    std::vector<HeadSummary> sum_;
    std::vector<int> eosCount_;
};

/// The attention tensor a view means by `kind`: that tensor when named, else "cross" when it
/// is 2-D, else the first [layer, head, query, key] tensor; null when there is none.
const TraceTensor* attentionTensor(const AttentionTrace& trace, const std::string& kind);

/// Picks one 2-D attention map [query, key] out of a trace: tensor `kind` (empty: "cross"
/// when it is 2-D, else the first [layer, head, query, key] tensor), then for a 4-D tensor
/// head `head` of layer `layer` (0-based), or the mean over that layer's heads when
/// `head` < 0. The result is named "cross" and keeps the query/key labels. Errors name the
/// missing tensor or the valid layer × head range.
Status selectHead(const AttentionTrace& trace, const std::string& kind, int layer, int head, TraceTensor& out);

/// Which attention a view shows — the one value the matrix, the head views, a comparison and a
/// figure are told: a tensor of the trace (`kind`; empty: "cross" when it is 2-D, else the
/// first [layer, head, query, key] tensor), a layer and a head (0-based; head −1 = the mean over
/// the layer's heads).
struct HeadRef {
    std::string kind;
    int layer = 0;
    int head = 0;
    bool meanOverHeads() const { return head < 0; }
    bool operator==(const HeadRef& o) const { return kind == o.kind && layer == o.layer && head == o.head; }
};
/// selectHead for the head `ref` names.
inline Status selectHead(const AttentionTrace& trace, const HeadRef& ref, TraceTensor& out)
{
    return selectHead(trace, ref.kind, ref.layer, ref.head, out);
}

/// Aggregations of a [layer, head, query, key] tensor, returned in the same 4-D layout so
/// every view takes them: mean over heads → [L, 1, Q, K]; mean over layers → [1, H, Q, K];
/// rollout (self-attention, Q == K) of the head-mean up to each layer → [L, 1, Q, K], so
/// layer l of the result is R_l = Ã_l · … · Ã_1 (Abnar & Zuidema 2020).
/// Errors on other shapes; rollout also when Q != K.
Status meanOverHeads(const TraceTensor& t, TraceTensor& out);
/// `t` with negative values set to 0 and every row (last axis) scaled to sum to 1, a zero row
/// left 0: a lens (schema::lens) read as a distribution for the head statistics and thresholds.
/// Any shape.
TraceTensor rowNormalised(const TraceTensor& t);
Status meanOverLayers(const TraceTensor& t, TraceTensor& out);
Status rolloutTensor(const TraceTensor& t, TraceTensor& out);

/// Adds to a translation trace the lenses derived from what it holds (schema.h), each a
/// [layer, head, query, key] tensor whose rows sum to 1, so files, views and the CLI see them:
///  - "<self>.rollout" of every self-attention (Q == K, the same labels on both axes) and, when
///    its norm lens is there, "<self>.norm_rollout" (rolloutTensor of its normalised rows);
///  - for every other attention whose keys are the tokens of a self-attention S (cross-attention
///    over the encoder's tokens): "<cross>.rollout" / ".norm_rollout" / ".alti" = each head's
///    rows (raw; the normalised norm lens for the last two) times S's rollout / norm-based
///    rollout / ALTI ("<S>.alti", when the model gave it) at S's top layer, so a target token is
///    read over the input words rather than the encoder's mixed states (Chefer et al. 2021).
/// Lenses already in the trace are kept. Errors: a tensor whose values do not fill its shape.
Status addDerivedLenses(AttentionTrace& trace);

} // namespace attnscope
