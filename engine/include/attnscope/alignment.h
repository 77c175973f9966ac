#pragma once
// Alignment extraction and quality: links read from attention (argmax, threshold,
// grow-diag-final-and, shift, two directions symmetrised), the diagonal baseline,
// precision / recall / AER with sure and possible links (Och & Ney 2003), Pharaoh format.
#include "attnscope/trace.h"

#include <string>
#include <vector>

namespace attnscope {

/// Counts summed over a split: |A|, |S|, |A∩S|, |A∩P| for predicted links A, sure gold
/// links S and possible gold links P ⊇ S (Och & Ney 2003, §4). With no possible-only links
/// P = S and the formulas below reduce to P = |A∩G|/|A|, R = |A∩G|/|G|, AER = 1 − 2|A∩G|/(|A|+|G|).
struct AlignmentScore {
    long long predicted = 0;     ///< |A|
    long long gold = 0;          ///< |S|
    long long hits = 0;          ///< |A∩S|
    long long possibleHits = 0;  ///< |A∩P|

    void add(const AlignmentScore& o);
    double precision() const;  ///< |A∩P| / |A|
    double recall() const;     ///< |A∩S| / |S|
    double aer() const;        ///< 1 − (|A∩S| + |A∩P|) / (|A| + |S|)
};

/// How links are read from an attention matrix [target, source] (rows: decoder steps).
enum class LinkMethod {
    Argmax,     ///< each target row links to its most-attended source column
    Threshold,  ///< every cell with weight ≥ τ is a link
    Gdfa,       ///< row-argmax and column-argmax links combined by grow-diag-final-and (Koehn et al. 2003)
    Shift,      ///< target word j read from row j+1, the step where j is the decoder input (Chen et al. 2020)
};
struct LinkOptions {
    LinkMethod method = LinkMethod::Argmax;
    double threshold = 0.1;  ///< τ of LinkMethod::Threshold (attention weight, 0..1)
};
/// "argmax", "threshold", "gdfa", "shift".
std::string linkMethodName(LinkMethod m);
bool parseLinkMethod(const std::string& name, LinkMethod& out);
const std::vector<LinkMethod>& linkMethods();
/// "argmax", "threshold τ=0.10", … for titles and tables.
std::string describeLinks(const LinkOptions& o);

/// Each target row t in [0, rows) links to argmax over source columns [0, cols).
/// `matrix` is [rows, cols] row-major (e.g. the "cross" tensor minus its </s> row/column).
std::vector<AlignmentLink> argmaxLinks(const float* matrix, int rows, int cols, int stride);

/// Every cell (t, s) with weight ≥ tau, over rows [0, rows) and columns [0, cols).
std::vector<AlignmentLink> thresholdLinks(const float* matrix, int rows, int cols, int stride, double tau);
/// Each source column s in [0, cols) links to the argmax over target rows [0, rows).
std::vector<AlignmentLink> columnArgmaxLinks(const float* matrix, int rows, int cols, int stride);
/// Shift (Chen et al. 2020, "Accurate Word Alignment Induction from Neural Machine
/// Translation", §3.1): row t of a forced-decoding matrix is the step whose decoder input is
/// target word t−1, so target word j links to the argmax of row j+1, j in [0, words).
/// `rows` must be words + 1 (the row after the last word, e.g. the </s> step); a last word
/// without a following row gets no link.
std::vector<AlignmentLink> shiftLinks(const float* matrix, int rows, int words, int cols, int stride);
/// Grow-diag-final-and (Koehn, Och & Marcu 2003; Moses' symmetrisation heuristic): start
/// from A ∩ B, repeatedly add links of A ∪ B that neighbour (8-neighbourhood) a link already
/// kept and cover a source or target word not yet aligned; then add the remaining links of
/// A, then of B, whose source and target words are both unaligned. Words in [0, sourceLen) ×
/// [0, targetLen). Links are returned sorted.
std::vector<AlignmentLink> growDiagFinalAnd(const std::vector<AlignmentLink>& a, const std::vector<AlignmentLink>& b,
                                            int sourceLen, int targetLen);

/// Diagonal baseline: each evaluated target word links to the evaluated source word
/// nearest its relative position ((j+½)/m vs (i+½)/n).
std::vector<AlignmentLink> diagonalLinks(const std::vector<uint8_t>& sourceEvaluated,
                                         const std::vector<uint8_t>& targetEvaluated);

/// Scores predicted links A against sure gold S (and possible-only links, P = S ∪
/// possible), keeping only links between evaluated tokens.
AlignmentScore scoreLinks(const std::vector<AlignmentLink>& predicted,
                          const std::vector<AlignmentLink>& gold,
                          const std::vector<uint8_t>& sourceEvaluated,
                          const std::vector<uint8_t>& targetEvaluated,
                          const std::vector<AlignmentLink>& possible = {});

/// Pharaoh format: "i-j" pairs (source-target, 0-based) separated by spaces.
std::string toPharaoh(const std::vector<AlignmentLink>& links);

/// Predicted links of a 2-D head [target, source] by `options` (default: argmax of each
/// row over the source columns); a final row or column labelled </s> (translation traces)
/// is excluded from the words (the shift method reads the </s> row for the last word).
std::vector<AlignmentLink> headLinks(const TraceTensor& head, const LinkOptions& options = {});
/// headLinks of the trace's "cross" tensor (empty when it has none or it is not 2-D).
std::vector<AlignmentLink> traceLinks(const AttentionTrace& trace, const LinkOptions& options = {});
/// Two directions symmetrised (Koehn et al. 2003): the argmax links of `forward` [target,
/// source] and of `reverse` [source, target] (a reverse model's forced decoding of the same
/// pair, its links transposed) combined by grow-diag-final-and. Empty when the word counts
/// of the two heads differ (</s> rows and columns excluded as in headLinks).
std::vector<AlignmentLink> symmetrizedLinks(const TraceTensor& forward, const TraceTensor& reverse);

/// True when `trace` carries gold over the tokens of a 2-D `head`: the evaluated masks have
/// the head's extents and, when both are labelled, the head's labels are those of the
/// trace's "cross" tensor (so a self-attention head of equal size is not scored against
/// translation gold).
bool goldFits(const AttentionTrace& trace, const TraceTensor& head);
/// Scores a 2-D head against the gold of `goldSource` (a trace over the same tokens).
/// False, and nothing scored, when that gold does not fit the head's shape.
bool scoreHead(const TraceTensor& head, const AttentionTrace& goldSource, AlignmentScore& out,
               const LinkOptions& options = {});
/// Scores given links against the gold of `trace` (sure and possible links, evaluated masks).
AlignmentScore scoreAgainstGold(const std::vector<AlignmentLink>& links, const AttentionTrace& trace);

/// Scores a forced-decoding trace that carries gold (hasGold()): its links (argmax unless
/// `options` says otherwise), and
/// the diagonal baseline over the same words (the trailing </s> is excluded from both).
/// Zero counts when the trace has no gold.
AlignmentScore scoreTrace(const AttentionTrace& trace, const LinkOptions& options = {});
AlignmentScore scoreDiagonal(const AttentionTrace& trace);

/// Corpus BLEU-4's sufficient statistics (Papineni et al. 2002): clipped n-gram matches and
/// n-gram counts for n = 1…4, hypothesis and reference lengths in tokens. Whole counts, so
/// statistics of parts of a corpus add up exactly to the whole corpus's (sharded runs).
struct BleuStats {
    double matches[4] = {0, 0, 0, 0}, totals[4] = {0, 0, 0, 0};
    double hypothesisLength = 0, referenceLength = 0;
    /// Adds one sentence pair.
    void add(const std::vector<std::string>& hypothesis, const std::vector<std::string>& reference);
    BleuStats& operator+=(const BleuStats& other);
    /// BLEU-4 with brevity penalty in [0, 100]; 0 when a precision is 0 or nothing was added.
    double bleu() const;
};

/// Corpus BLEU-4 (Papineni et al. 2002) with brevity penalty, on tokens, in [0, 100].
double corpusBleu(const std::vector<std::vector<std::string>>& hypotheses,
                  const std::vector<std::vector<std::string>>& references);

} // namespace attnscope
