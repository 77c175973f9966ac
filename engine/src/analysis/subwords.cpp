// Subword pieces → words (attnscope/subwords.h).
#include "attnscope/subwords.h"

#include <QString>

#include <algorithm>

namespace attnscope {

namespace {
const std::string kSpm = "\xE2\x96\x81";  // ▁ U+2581
const std::string kBpe = "\xC4\xA0";      // Ġ U+0120

bool startsWith(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

bool isSpecial(const std::string& t)
{
    return t.size() >= 3 && ((t.front() == '<' && t.back() == '>') || (t.front() == '[' && t.back() == ']'));
}
} // namespace

std::string subwordSchemeName(SubwordScheme s)
{
    switch (s) {
    case SubwordScheme::None: return "none";
    case SubwordScheme::SentencePiece: return "sentencepiece";
    case SubwordScheme::WordPiece: return "wordpiece";
    case SubwordScheme::ByteBpe: return "bpe";
    }
    return "none";
}

bool parseSubwordScheme(const std::string& name, SubwordScheme& out)
{
    for (SubwordScheme s : {SubwordScheme::None, SubwordScheme::SentencePiece, SubwordScheme::WordPiece, SubwordScheme::ByteBpe})
        if (subwordSchemeName(s) == name) {
            out = s;
            return true;
        }
    return false;
}

SubwordScheme detectSubwords(const std::vector<std::string>& tokens)
{
    bool spm = false, wp = false, bpe = false;
    for (const auto& t : tokens) {
        spm = spm || startsWith(t, kSpm);
        wp = wp || (startsWith(t, "##") && t.size() > 2);
        bpe = bpe || startsWith(t, kBpe);
    }
    return spm ? SubwordScheme::SentencePiece : wp ? SubwordScheme::WordPiece : bpe ? SubwordScheme::ByteBpe : SubwordScheme::None;
}

WordGrouping groupPieces(const std::vector<std::string>& pieces, SubwordScheme scheme)
{
    WordGrouping g;
    bool pending = false;      // the last word is a bare "▁" waiting for its piece
    bool lastSpecial = false;  // the last piece was a special token (a word of its own)
    auto newWord = [&](const std::string& text) {
        g.words.push_back(text);
        g.wordOf.push_back(int(g.words.size()) - 1);
    };
    for (const auto& p : pieces) {
        if (scheme == SubwordScheme::None || isSpecial(p)) {
            newWord(p);
            lastSpecial = isSpecial(p);
            pending = false;
            continue;
        }
        bool starts = true;
        std::string text = p;
        if (scheme == SubwordScheme::SentencePiece) {
            if (p == kSpm) {
                newWord("");
                pending = true;
                lastSpecial = false;
                continue;
            }
            const bool mark = startsWith(p, kSpm);
            if (mark) text = p.substr(kSpm.size());
            if (pending) {  // the bare "▁" before this piece starts its word
                g.words.back() += text;
                g.wordOf.push_back(int(g.words.size()) - 1);
                pending = false;
                continue;
            }
            starts = mark;
        } else if (scheme == SubwordScheme::WordPiece) {
            starts = !(startsWith(p, "##") && p.size() > 2);
            if (!starts) text = p.substr(2);
        } else {
            starts = startsWith(p, kBpe);
            if (starts) text = p.substr(kBpe.size());
        }
        if (starts || g.words.empty() || lastSpecial) newWord(text);
        else {
            g.words.back() += text;
            g.wordOf.push_back(int(g.words.size()) - 1);
        }
        lastSpecial = false;
    }
    return g;
}

Status wordLevelTensor(const TraceTensor& t, const WordGrouping& query, const WordGrouping& key, TraceTensor& out)
{
    const size_t rank = t.shape.size();
    if (rank != 2 && rank != 4) return Status::error("tensor '" + t.name + "' is neither [query, key] nor [layer, head, query, key]");
    const int64_t Q = t.shape[rank - 2], K = t.shape[rank - 1];
    if (int64_t(query.wordOf.size()) != Q || int64_t(key.wordOf.size()) != K)
        return Status::error("tensor '" + t.name + "': " + std::to_string(query.wordOf.size()) + " query and " +
                             std::to_string(key.wordOf.size()) + " key pieces for a " + std::to_string(Q) + " × " +
                             std::to_string(K) + " map");
    const int64_t W = int64_t(query.words.size()), V = int64_t(key.words.size());
    const int64_t maps = rank == 4 ? t.shape[0] * t.shape[1] : 1;
    std::vector<int> count(size_t(W), 0);
    for (int w : query.wordOf) ++count[size_t(w)];
    out = TraceTensor{};
    out.name = t.name;
    out.axes = t.axes;
    out.shape = t.shape;
    out.shape[rank - 2] = W;
    out.shape[rank - 1] = V;
    out.values.assign(size_t(maps * W * V), 0.0f);
    for (int64_t m = 0; m < maps; ++m) {
        const float* in = t.values.data() + size_t(m * Q * K);
        float* o = out.values.data() + size_t(m * W * V);
        for (int64_t q = 0; q < Q; ++q) {
            const int wq = query.wordOf[size_t(q)];
            const float share = 1.0f / float(count[size_t(wq)]);
            for (int64_t k = 0; k < K; ++k) o[wq * V + key.wordOf[size_t(k)]] += in[q * K + k] * share;
        }
    }
    out.labels.assign(rank, {});
    out.labels[rank - 2] = query.words;
    out.labels[rank - 1] = key.words;
    return Status::success();
}

Status wordLevelTrace(const AttentionTrace& trace, AttentionTrace& out, bool* changed, SubwordScheme scheme)
{
    AttentionTrace r = trace;
    r.tensors.clear();
    r.goldLinks.clear();
    r.possibleLinks.clear();
    r.sourceEvaluated.clear();
    r.targetEvaluated.clear();
    bool any = false;
    for (const auto& t : trace.tensors) {
        const size_t rank = t.shape.size();
        if ((rank != 2 && rank != 4) || t.store || t.labels.size() != rank || t.labels[rank - 2].empty() ||
            t.labels[rank - 1].empty()) {
            if (!t.store) r.tensors.push_back(t);
            continue;
        }
        const auto& ql = t.labels[rank - 2];
        const auto& kl = t.labels[rank - 1];
        const SubwordScheme qs = scheme != SubwordScheme::None ? scheme : detectSubwords(ql);
        const SubwordScheme ks = scheme != SubwordScheme::None ? scheme : detectSubwords(kl);
        if (qs == SubwordScheme::None && ks == SubwordScheme::None) {
            r.tensors.push_back(t);
            continue;
        }
        TraceTensor w;
        if (auto st = wordLevelTensor(t, groupPieces(ql, qs), groupPieces(kl, ks), w); !st) return st;
        r.tensors.push_back(std::move(w));
        any = true;
    }
    if (changed) *changed = any;
    if (!any) {
        out = trace;
        return Status::success();
    }
    r.metadata["units"] = "words";
    out = std::move(r);
    return Status::success();
}

namespace {
/// A word as two tokenisations can agree on it: case-folded; empty for special tokens.
std::string comparable(const std::string& w) { return isSpecial(w) ? std::string() : QString::fromStdString(w).toCaseFolded().toStdString(); }

/// Index pairs (i in x, j in y) of a longest common subsequence of the non-empty entries.
std::vector<std::pair<int, int>> commonWords(const std::vector<std::string>& x, const std::vector<std::string>& y)
{
    const size_t n = x.size(), m = y.size();
    std::vector<std::vector<int>> L(n + 1, std::vector<int>(m + 1, 0));
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            L[i][j] = !x[i].empty() && x[i] == y[j] ? L[i + 1][j + 1] + 1 : std::max(L[i + 1][j], L[i][j + 1]);
    std::vector<std::pair<int, int>> out;
    for (size_t i = 0, j = 0; i < n && j < m;) {
        if (!x[i].empty() && x[i] == y[j]) out.emplace_back(int(i++), int(j++));
        else if (L[i + 1][j] >= L[i][j + 1]) ++i;
        else ++j;
    }
    return out;
}

/// The words of one axis no pair keeps, for the note ("</s>", "Dios").
std::string dropped(const std::vector<std::string>& words, const std::vector<int>& kept)
{
    std::string out;
    int listed = 0;
    for (size_t i = 0; i < words.size(); ++i)
        if (std::find(kept.begin(), kept.end(), int(i)) == kept.end() && listed++ < 4) out += (out.empty() ? "" : ", ") + words[i];
    if (listed > 4) out += ", …";
    return out;
}
} // namespace

Status sharedWordGrid(const TraceTensor& a, const TraceTensor& b, TraceTensor& outA, TraceTensor& outB, std::string& note)
{
    TraceTensor w[2];
    const TraceTensor* in[2] = {&a, &b};
    for (int s = 0; s < 2; ++s) {
        const TraceTensor& t = *in[s];
        if (t.shape.size() != 2 || t.labels.size() != 2 || int64_t(t.labels[0].size()) != t.shape[0] ||
            int64_t(t.labels[1].size()) != t.shape[1])
            return Status::error("only labelled 2-D heads can be put on shared words");
        const WordGrouping q = groupPieces(t.labels[0], detectSubwords(t.labels[0]));
        const WordGrouping k = groupPieces(t.labels[1], detectSubwords(t.labels[1]));
        if (auto st = wordLevelTensor(t, q, k, w[s]); !st) return st;
    }
    std::vector<int> keep[2][2];  // [head][axis]
    for (int axis = 0; axis < 2; ++axis) {
        std::vector<std::string> x, y;
        for (const auto& l : w[0].labels[size_t(axis)]) x.push_back(comparable(l));
        for (const auto& l : w[1].labels[size_t(axis)]) y.push_back(comparable(l));
        for (const auto& [i, j] : commonWords(x, y)) {
            keep[0][axis].push_back(i);
            keep[1][axis].push_back(j);
        }
        if (keep[0][axis].empty())
            return Status::error(std::string("the two heads share no ") + (axis == 0 ? "query" : "key") +
                                 " word (compared case-folded, special tokens dropped)");
    }
    const bool merged[2] = {w[0].shape != a.shape, w[1].shape != b.shape};  // before the outputs (which may be a, b)
    TraceTensor* out[2] = {&outA, &outB};
    for (int s = 0; s < 2; ++s) {
        const TraceTensor& t = w[s];
        const auto& rows = keep[s][0];
        const auto& cols = keep[s][1];
        TraceTensor& o = *out[s];
        o = TraceTensor{};
        o.name = t.name;
        o.axes = t.axes;
        o.shape = {int64_t(rows.size()), int64_t(cols.size())};
        o.labels.assign(2, {});
        for (int r : rows) o.labels[0].push_back(t.labels[0][size_t(r)]);
        for (int c : cols) o.labels[1].push_back(t.labels[1][size_t(c)]);
        for (int r : rows) {
            double sum = 0;
            for (int c : cols) sum += t.values[size_t(r * t.shape[1] + c)];
            for (int c : cols) o.values.push_back(sum > 0 ? float(t.values[size_t(r * t.shape[1] + c)] / sum) : 0.0f);
        }
    }
    // What was merged (pieces into words) or dropped, said once.
    note = "compared on the " + std::to_string(keep[0][0].size()) + " × " + std::to_string(keep[0][1].size()) +
           " words both share (case-folded, special tokens dropped, rows renormalised)";
    const char* axisName[2] = {"row", "column"};
    for (int s = 0; s < 2; ++s)
        for (int axis = 0; axis < 2; ++axis)
            if (const std::string d = dropped(w[s].labels[size_t(axis)], keep[s][axis]); !d.empty())
                note += std::string("; dropped ") + (s == 0 ? "A's " : "B's ") + axisName[axis] + (d.find(',') == std::string::npos ? " " : "s ") + d;
    for (int s = 0; s < 2; ++s)
        if (merged[s]) note += std::string("; ") + (s == 0 ? "A's" : "B's") + " subword pieces merged into words";
    return Status::success();
}

} // namespace attnscope
