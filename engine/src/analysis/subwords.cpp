// Subword pieces → words (attnscope/subwords.h).
#include "attnscope/subwords.h"

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

} // namespace attnscope
