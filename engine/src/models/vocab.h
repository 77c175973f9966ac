#pragma once
// Word vocabulary (lower-cased words) with <pad>=0, <unk>=1, <s>=2, </s>=3.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace attnscope {

class Vocab {
public:
    static constexpr int64_t kPad = 0, kUnk = 1, kBos = 2, kEos = 3;
    Vocab();
    /// Builds from token lists: the `maxSize` most frequent lower-cased words (min count 2).
    static Vocab build(const std::vector<std::vector<std::string>>& sentences, int maxSize);
    int64_t id(const std::string& word) const;  ///< lower-cases; kUnk when unknown
    bool known(const std::string& word) const;
    const std::string& word(int64_t id) const;
    int64_t size() const { return int64_t(words_.size()); }
    std::string serialize() const;  ///< newline-separated words
    static bool deserialize(const std::string& text, Vocab& out);

private:
    std::vector<std::string> words_;
    std::unordered_map<std::string, int64_t> index_;
};

} // namespace attnscope
