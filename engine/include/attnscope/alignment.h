#pragma once
// Alignment extraction and quality: argmax links from attention, the diagonal baseline,
// precision / recall / AER (Och & Ney 2003, with sure = possible = gold), Pharaoh format.
#include "attnscope/trace.h"

#include <string>
#include <vector>

namespace attnscope {

/// Counts summed over a split: |A|, |G|, |A∩G|.
struct AlignmentScore {
    long long predicted = 0;
    long long gold = 0;
    long long hits = 0;

    void add(const AlignmentScore& o);
    double precision() const;  ///< |A∩G| / |A|
    double recall() const;     ///< |A∩G| / |G|
    double aer() const;        ///< 1 − 2|A∩G| / (|A| + |G|)
};

/// Each target row t in [0, rows) links to argmax over source columns [0, cols).
/// `matrix` is [rows, cols] row-major (e.g. the "cross" tensor minus its </s> row/column).
std::vector<AlignmentLink> argmaxLinks(const float* matrix, int rows, int cols, int stride);

/// Diagonal baseline: each evaluated target word links to the evaluated source word
/// nearest its relative position ((j+½)/m vs (i+½)/n).
std::vector<AlignmentLink> diagonalLinks(const std::vector<uint8_t>& sourceEvaluated,
                                         const std::vector<uint8_t>& targetEvaluated);

/// Scores predicted links A against gold G, keeping only links between evaluated tokens.
AlignmentScore scoreLinks(const std::vector<AlignmentLink>& predicted,
                          const std::vector<AlignmentLink>& gold,
                          const std::vector<uint8_t>& sourceEvaluated,
                          const std::vector<uint8_t>& targetEvaluated);

/// Pharaoh format: "i-j" pairs (source-target, 0-based) separated by spaces.
std::string toPharaoh(const std::vector<AlignmentLink>& links);

/// Predicted links of a 2-D head [target, source]: argmax of each row over the source
/// columns; a final row or column labelled </s> (translation traces) is excluded.
std::vector<AlignmentLink> headLinks(const TraceTensor& head);
/// headLinks of the trace's "cross" tensor (empty when it has none or it is not 2-D).
std::vector<AlignmentLink> traceLinks(const AttentionTrace& trace);

/// True when `trace` carries gold over the tokens of a 2-D `head`: the evaluated masks have
/// the head's extents and, when both are labelled, the head's labels are those of the
/// trace's "cross" tensor (so a self-attention head of equal size is not scored against
/// translation gold).
bool goldFits(const AttentionTrace& trace, const TraceTensor& head);
/// Scores a 2-D head against the gold of `goldSource` (a trace over the same tokens).
/// False, and nothing scored, when that gold does not fit the head's shape.
bool scoreHead(const TraceTensor& head, const AttentionTrace& goldSource, AlignmentScore& out);

/// Scores a forced-decoding trace that carries gold (hasGold()): its argmax links, and
/// the diagonal baseline over the same words (the trailing </s> is excluded from both).
/// Zero counts when the trace has no gold.
AlignmentScore scoreTrace(const AttentionTrace& trace);
AlignmentScore scoreDiagonal(const AttentionTrace& trace);

/// Corpus BLEU-4 (Papineni et al. 2002) with brevity penalty, on tokens, in [0, 100].
double corpusBleu(const std::vector<std::vector<std::string>>& hypotheses,
                  const std::vector<std::vector<std::string>>& references);

} // namespace attnscope
