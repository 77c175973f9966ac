#include "models/vocab.h"

#include "attnscope/corpus.h"

#include <algorithm>
#include <sstream>

namespace attnscope {

Vocab::Vocab() : words_{"<pad>", "<unk>", "<s>", "</s>"}
{
    for (size_t i = 0; i < words_.size(); ++i) index_[words_[i]] = int64_t(i);
}

Vocab Vocab::build(const std::vector<std::vector<std::string>>& sentences, int maxSize)
{
    std::unordered_map<std::string, int64_t> counts;
    for (const auto& s : sentences)
        for (const auto& w : s) ++counts[toLower(w)];
    std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;  // deterministic
    });
    Vocab v;
    for (const auto& [w, c] : sorted) {
        if (v.size() >= maxSize || c < 2) break;
        if (v.index_.count(w)) continue;
        v.index_[w] = v.size();
        v.words_.push_back(w);
    }
    return v;
}

int64_t Vocab::id(const std::string& word) const
{
    auto it = index_.find(toLower(word));
    return it == index_.end() ? kUnk : it->second;
}

bool Vocab::known(const std::string& word) const { return index_.count(toLower(word)) > 0; }

const std::string& Vocab::word(int64_t id) const
{
    static const std::string unk = "<unk>";
    return (id >= 0 && id < size()) ? words_[size_t(id)] : unk;
}

std::string Vocab::serialize() const
{
    std::string out;
    for (const auto& w : words_) out += w + '\n';
    return out;
}

bool Vocab::deserialize(const std::string& text, Vocab& out)
{
    Vocab v;
    v.words_.clear();
    v.index_.clear();
    std::istringstream is(text);
    std::string line;
    while (std::getline(is, line)) {
        v.index_[line] = int64_t(v.words_.size());
        v.words_.push_back(line);
    }
    if (v.words_.size() < 4 || v.words_[0] != "<pad>" || v.words_[3] != "</s>") return false;
    out = std::move(v);
    return true;
}

} // namespace attnscope
