#pragma once
// How text becomes token ids for user models (engine-internal, Qt only): a vocabulary file (one
// token per line) or a SentencePiece model — read through Debian's spm_export_vocab /
// spm_encode tools, in their own process — or both (SentencePiece cuts, the vocabulary numbers).
#include "attnscope/scriptmodel.h"

#include <unordered_map>

namespace attnscope {

/// A token ↔ id table: a vocabulary file or a SentencePiece model's pieces.
struct Vocabulary {
    std::unordered_map<std::string, int64_t> ids;
    std::vector<std::string> tokens;  ///< by id
};

/// The table of one side's tokenizer. Errors: an unreadable or empty vocabulary, a missing
/// SentencePiece model or tool.
Status loadVocabulary(const ScriptTokenizer& tk, Vocabulary& out);

/// Tokens and ids of `text` by one side's tokenizer (prepend, pieces or words, append); an
/// error for an unknown word when the vocabulary has no unknown token.
Status encodeWith(const ScriptTokenizer& tk, const Vocabulary& vocab, const std::string& text, std::vector<std::string>& tokens,
                  std::vector<int64_t>& ids);

} // namespace attnscope
