#pragma once
// Spanish→English parallel Bible corpus with gold word alignments from Strong's numbers.
// Source: SWORD modules spaRV1909eb (Reina-Valera 1909) and engWEB2015eb (World English
// Bible), read with libsword; verses paired by content within each book (pairVerses): the
// two modules do not number alike (Psalm titles, Jonah 2, …), and the English module's
// Strong's numbers follow the Spanish numbering, not its own text, so the content is compared
// through a lexicon (Spanish Strong's number → English words) learnt from the whole Bible.
#include "attnscope/status.h"
#include "attnscope/trace.h"

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace attnscope {

/// One word or punctuation token with the Strong's numbers of its enclosing <w> element.
/// Strong's numbers are encoded as ints: Hebrew H430 → 430, Greek G2316 → 100000 + 2316
/// (so H0430 and H430 are the same number).
struct Token {
    std::string text;
    std::vector<int> strongs;
    bool evaluated = false;  ///< scored by the alignment metric (see isEvaluated)
};

struct Verse {
    std::string ref;   ///< "Ruth 1:16" (the Spanish verse's reference)
    /// The English verse(s) paired with it when they are numbered otherwise ("Jonah 1:17",
    /// "Jonah 2:9–10"); empty when the reference is the same.
    std::string targetRef;
    std::string book;  ///< "Ruth"
    int chapter = 0;
    int verse = 0;
    std::vector<Token> source;  ///< Spanish
    std::vector<Token> target;  ///< English
    /// Gold given explicitly (a corpus of your own with Pharaoh links) instead of read from
    /// Strong's numbers: sure links and possible-only links, word indices (0-based).
    bool explicitGold = false;
    std::vector<AlignmentLink> sure, possible;

    std::vector<std::string> sourceWords() const;
    std::vector<std::string> targetWords() const;
    std::string sourceText() const;  ///< tokens joined for display/input
    std::string targetText() const;
};

enum class Split { Train, Dev, Test };
std::string splitName(Split s);
bool parseSplit(const std::string& name, Split& out);
/// Fixed split by book. test: Ruth, Jonah, Philippians, Titus, Jude;
/// dev: Obadiah, Haggai, Colossians, Philemon; train: every other book.
Split splitOfBook(const std::string& book);

/// Tokenises as `\w+(?:['’]\w+)*` (Unicode word characters) or single punctuation marks.
std::vector<std::string> tokenize(const std::string& text);

/// Parses one verse of OSIS markup: drops notes, titles and milestones, keeps the text
/// of <w> elements with their Strong's numbers (lemma="strong:H0430 strong:H853").
/// Element boundaries are token boundaries.
std::vector<Token> parseOsis(const std::string& osis);

/// Stop-word lists (resources/stopwords/{es,en}.txt), lower-case.
const std::set<std::string>& stopWords(bool spanish);
/// Evaluated token: carries a Strong's number, is alphabetic, is not a stop word.
bool isEvaluated(const Token& t, bool spanish);
/// Marks `evaluated` on every token of the verse.
void markEvaluated(Verse& v);

/// Gold links: pairs of evaluated tokens that share a Strong's number (the verse's sure
/// links when its gold is explicit).
std::vector<AlignmentLink> goldLinks(const Verse& v);

/// Adds the verse's gold links and evaluated masks to a forced-decoding trace of it
/// (masks get a trailing 0 for the </s> label).
void attachGold(const Verse& v, AttentionTrace& trace);

struct Corpus;
/// Reads your own parallel corpus with gold alignments: `sourcePath` and `targetPath` hold
/// one sentence per line, tokenised, tokens separated by white space (as the model reads
/// them); `goldPath` one line of Pharaoh links per sentence pair: "i-j" a sure link,
/// "i?j", "ipj" or "i-j-p" a possible link ("i-j-s" sure), i a source and j a target word
/// index, from 0, or from 1 when `oneBased`. Every word is evaluated (no stop words). The
/// verses are named "<file stem> N" (N = line, from 1) and belong to no Bible split.
/// Errors name the file and line: a missing file, line counts that differ (both counts),
/// an empty sentence, a malformed link, an index past the sentence (index and length).
Status loadPharaohCorpus(const std::string& sourcePath, const std::string& targetPath, const std::string& goldPath,
                         bool oneBased, Corpus& out);

/// Parses one line of Pharaoh links (see loadPharaohCorpus) into sure and possible-only
/// links, 0-based. Errors name the malformed token.
Status parsePharaohLine(const std::string& line, bool oneBased, std::vector<AlignmentLink>& sure,
                        std::vector<AlignmentLink>& possible);

/// One bead of a verse alignment: source verses [source, source + sourceCount) paired with
/// target verses [target, target + targetCount); counts 1 or 2 (a verse split differently
/// in the two modules), or 0 for a verse left unpaired.
struct VersePairing {
    int source = 0, sourceCount = 1, target = 0, targetCount = 1;
};
/// A bead's similarity: source verses [sourceFirst, sourceFirst + sourceCount) against
/// target verses [targetFirst, targetFirst + targetCount), counts 1 or 2; higher is closer.
using BeadSimilarity = std::function<double(int sourceFirst, int sourceCount, int targetFirst, int targetCount)>;
/// Pairs the verses of one book by content: a monotone alignment (dynamic programming over
/// 1–1, 1–2, 2–1, 1–0 and 0–1 beads, as Gale & Church 1993 align sentences) that maximises
/// the summed similarity of its beads, plus a small bonus for a 1–1 bead whose two keys
/// ("chapter:verse") are equal, so verses keep their reference pairing unless the content
/// says otherwise. Beads of 1–0 / 0–1 (counts 0) are returned too. The search is limited to
/// a band of ±24 verses around the diagonal.
std::vector<VersePairing> pairVerses(const std::vector<std::string>& sourceKeys, const std::vector<std::string>& targetKeys,
                                     const BeadSimilarity& similarity);

struct Corpus {
    std::vector<Verse> verses;
    /// Verses paired with another English verse than the one of the same reference (or with
    /// two), over the books read (loadBibleCorpus).
    int pairsChanged = 0;
    std::vector<const Verse*> split(Split s) const;
    const Verse* findRef(const std::string& ref) const;
};

/// Reads both SWORD modules through libsword and pairs verses by reference.
/// Only verses whose book is in `splits` are kept. Errors when a module is missing
/// (install sword-text-sparv and sword-text-web).
Status loadBibleCorpus(Corpus& out, const std::set<Split>& splits, const ProgressFn& progress = {});

/// Lower-cases UTF-8 text (Unicode aware).
std::string toLower(const std::string& s);

} // namespace attnscope
