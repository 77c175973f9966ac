#pragma once
// Subword pieces → words: detect how a tokenizer marks word boundaries, group pieces into
// words, and aggregate attention to word level so that alignments can be read and scored
// over words.
#include "attnscope/status.h"
#include "attnscope/trace.h"

#include <string>
#include <vector>

namespace attnscope {

/// How pieces mark words: SentencePiece "▁" starts a word, WordPiece "##" continues one,
/// byte-level BPE "Ġ" starts one (GPT-2, RoBERTa); None: every token is a word.
enum class SubwordScheme { None, SentencePiece, WordPiece, ByteBpe };
/// "none", "sentencepiece", "wordpiece", "bpe".
std::string subwordSchemeName(SubwordScheme s);
bool parseSubwordScheme(const std::string& name, SubwordScheme& out);

/// The scheme of a list of tokens: the mark found on at least one token ("▁" first, then
/// "##", then "Ġ"); None when no token carries one.
SubwordScheme detectSubwords(const std::vector<std::string>& tokens);

/// Pieces grouped into words: wordOf[p] is the word of piece p (non-decreasing), words[w]
/// the word's text (pieces joined, marks removed). Special tokens (<s>, </s>, [CLS], <pad>, …:
/// "<…>" or "[…]") are words of their own; a bare "▁" joins the piece after it.
struct WordGrouping {
    std::vector<int> wordOf;
    std::vector<std::string> words;
};
WordGrouping groupPieces(const std::vector<std::string>& pieces, SubwordScheme scheme);

/// Word-level attention of a tensor whose last two axes are [query, key] (2-D, or 4-D
/// [layer, head, query, key]): A_word[i][j] = mean over the query pieces of word i of the
/// sum over the key pieces of word j — rows stay distributions. This is the aggregation of
/// Zenkel et al. 2019 ("Adding Interpretable Attention to NMT Models to Improve Word
/// Alignment") and Garg et al. 2019 ("Jointly Learning to Align and Translate with
/// Transformer Models", §5: subword alignments to words), written as weights. Errors on
/// groupings that do not cover the query or key extents.
Status wordLevelTensor(const TraceTensor& t, const WordGrouping& query, const WordGrouping& key, TraceTensor& out);

/// The trace with every attention tensor at word level, each axis grouped by the scheme of
/// its labels (`scheme` None: detected per axis). Tensors stored lazily (long traces) are
/// left out. Gold is dropped (it is over pieces or words, unknown here). False in `changed`
/// when no axis had subword marks (the trace is returned as it is).
Status wordLevelTrace(const AttentionTrace& trace, AttentionTrace& out, bool* changed = nullptr,
                      SubwordScheme scheme = SubwordScheme::None);

/// Two 2-D heads [query, key] of different tokenisations (two models' traces of one
/// sentence) put on the grid of the words they share, so they can be compared cell by cell:
/// each axis is read at word level (wordLevelTensor, scheme detected per axis), special tokens
/// (</s>, <s>, [CLS], …) are dropped, labels are compared case-folded, and the words kept are
/// a longest common subsequence of the two label sequences. Rows are renormalised over the
/// columns kept. `note` says what was merged or dropped ("compared on 9 of 10 × 11 of 12
/// words; dropped: A's </s> column"). Errors: not 2-D or unlabelled, no shared word on an axis.
Status sharedWordGrid(const TraceTensor& a, const TraceTensor& b, TraceTensor& outA, TraceTensor& outB, std::string& note);

} // namespace attnscope
