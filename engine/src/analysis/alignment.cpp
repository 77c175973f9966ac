// Alignment extraction, AER and BLEU.
#include "attnscope/alignment.h"

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

namespace attnscope {

void AlignmentScore::add(const AlignmentScore& o)
{
    predicted += o.predicted;
    gold += o.gold;
    hits += o.hits;
    possibleHits += o.possibleHits;
}
double AlignmentScore::precision() const { return predicted ? double(possibleHits) / double(predicted) : 0.0; }
double AlignmentScore::recall() const { return gold ? double(hits) / double(gold) : 0.0; }
double AlignmentScore::aer() const
{
    return (predicted + gold) ? 1.0 - double(hits + possibleHits) / double(predicted + gold) : 0.0;
}

const std::vector<LinkMethod>& linkMethods()
{
    static const std::vector<LinkMethod> all{LinkMethod::Argmax, LinkMethod::Threshold, LinkMethod::Gdfa,
                                             LinkMethod::Shift};
    return all;
}

std::string linkMethodName(LinkMethod m)
{
    switch (m) {
    case LinkMethod::Argmax: return "argmax";
    case LinkMethod::Threshold: return "threshold";
    case LinkMethod::Gdfa: return "gdfa";
    case LinkMethod::Shift: return "shift";
    }
    return "argmax";
}

bool parseLinkMethod(const std::string& name, LinkMethod& out)
{
    for (LinkMethod m : linkMethods())
        if (linkMethodName(m) == name) {
            out = m;
            return true;
        }
    return false;
}

std::string describeLinks(const LinkOptions& o)
{
    if (o.method != LinkMethod::Threshold) return linkMethodName(o.method);
    char buf[48];
    std::snprintf(buf, sizeof buf, "threshold τ=%.2f", o.threshold);
    return buf;
}

std::vector<AlignmentLink> argmaxLinks(const float* matrix, int rows, int cols, int stride)
{
    std::vector<AlignmentLink> links;
    if (cols <= 0) return links;
    for (int t = 0; t < rows; ++t) {
        const float* row = matrix + size_t(t) * size_t(stride);
        links.push_back({int(std::max_element(row, row + cols) - row), t});
    }
    return links;
}

std::vector<AlignmentLink> thresholdLinks(const float* matrix, int rows, int cols, int stride, double tau)
{
    std::vector<AlignmentLink> links;
    for (int t = 0; t < rows; ++t) {
        const float* row = matrix + size_t(t) * size_t(stride);
        for (int s = 0; s < cols; ++s)
            if (double(row[s]) >= tau) links.push_back({s, t});
    }
    return links;
}

std::vector<AlignmentLink> columnArgmaxLinks(const float* matrix, int rows, int cols, int stride)
{
    std::vector<AlignmentLink> links;
    if (rows <= 0) return links;
    for (int s = 0; s < cols; ++s) {
        int best = 0;
        for (int t = 1; t < rows; ++t)
            if (matrix[size_t(t) * size_t(stride) + size_t(s)] > matrix[size_t(best) * size_t(stride) + size_t(s)])
                best = t;
        links.push_back({s, best});
    }
    return links;
}

std::vector<AlignmentLink> shiftLinks(const float* matrix, int rows, int words, int cols, int stride)
{
    std::vector<AlignmentLink> links;
    if (cols <= 0) return links;
    for (int j = 0; j < words && j + 1 < rows; ++j) {
        const float* row = matrix + size_t(j + 1) * size_t(stride);
        links.push_back({int(std::max_element(row, row + cols) - row), j});
    }
    return links;
}

std::vector<AlignmentLink> growDiagFinalAnd(const std::vector<AlignmentLink>& a, const std::vector<AlignmentLink>& b,
                                            int sourceLen, int targetLen)
{
    auto inside = [&](const AlignmentLink& l) {
        return l.source >= 0 && l.target >= 0 && l.source < sourceLen && l.target < targetLen;
    };
    std::set<AlignmentLink> sa, sb;
    for (const auto& l : a)
        if (inside(l)) sa.insert(l);
    for (const auto& l : b)
        if (inside(l)) sb.insert(l);
    std::set<AlignmentLink> uni = sa, kept;
    uni.insert(sb.begin(), sb.end());
    for (const auto& l : sa)
        if (sb.count(l)) kept.insert(l);
    std::vector<int> sourceAligned(size_t(std::max(sourceLen, 0)), 0), targetAligned(size_t(std::max(targetLen, 0)), 0);
    auto keep = [&](const AlignmentLink& l) {
        kept.insert(l);
        ++sourceAligned[size_t(l.source)];
        ++targetAligned[size_t(l.target)];
    };
    for (const auto& l : kept) ++sourceAligned[size_t(l.source)], ++targetAligned[size_t(l.target)];
    // grow-diag: neighbours (including diagonal ones) of kept links, from the union, that
    // align a word not yet aligned; repeat until nothing is added. The kept set is visited in
    // grid order (target, then source: AlignmentLink's order); a link added ahead of the
    // visit is visited in the same pass, as Moses' loop over the grid does, at O(|kept|) a pass.
    static const int kNeighbours[8][2] = {{-1, 0}, {0, -1}, {1, 0}, {0, 1}, {-1, -1}, {-1, 1}, {1, -1}, {1, 1}};
    for (bool added = true; added;) {
        added = false;
        for (auto it = kept.begin(); it != kept.end(); ++it) {  // std::set insertions keep `it` valid
            const AlignmentLink l = *it;
            for (const auto& d : kNeighbours) {
                const AlignmentLink n{l.source + d[0], l.target + d[1]};
                if (!inside(n) || kept.count(n) || !uni.count(n)) continue;
                if (sourceAligned[size_t(n.source)] && targetAligned[size_t(n.target)]) continue;
                keep(n);
                added = true;
            }
        }
    }
    // final-and: a remaining link of either direction whose two words are both unaligned.
    for (const auto* dir : {&sa, &sb})
        for (const auto& l : *dir)
            if (!kept.count(l) && !sourceAligned[size_t(l.source)] && !targetAligned[size_t(l.target)]) keep(l);
    return {kept.begin(), kept.end()};
}

std::vector<AlignmentLink> diagonalLinks(const std::vector<uint8_t>& se, const std::vector<uint8_t>& te)
{
    std::vector<AlignmentLink> links;
    const double n = double(se.size()), m = double(te.size());
    for (size_t j = 0; j < te.size(); ++j) {
        if (!te[j]) continue;
        const double pt = (double(j) + 0.5) / m;
        int best = -1;
        double bestDist = 1e9;
        for (size_t i = 0; i < se.size(); ++i) {
            if (!se[i]) continue;
            const double d = std::abs((double(i) + 0.5) / n - pt);
            if (d < bestDist) bestDist = d, best = int(i);
        }
        if (best >= 0) links.push_back({best, int(j)});
    }
    return links;
}

AlignmentScore scoreLinks(const std::vector<AlignmentLink>& predicted, const std::vector<AlignmentLink>& gold,
                          const std::vector<uint8_t>& se, const std::vector<uint8_t>& te,
                          const std::vector<AlignmentLink>& possible)
{
    auto evaluated = [&](const AlignmentLink& l) {
        return l.source >= 0 && l.target >= 0 && size_t(l.source) < se.size() && size_t(l.target) < te.size() &&
               se[size_t(l.source)] && te[size_t(l.target)];
    };
    std::set<AlignmentLink> a, g, p;
    for (const auto& l : predicted)
        if (evaluated(l)) a.insert(l);
    for (const auto& l : gold)
        if (evaluated(l)) g.insert(l), p.insert(l);
    for (const auto& l : possible)
        if (evaluated(l)) p.insert(l);
    AlignmentScore s;
    s.predicted = long(a.size());
    s.gold = long(g.size());
    for (const auto& l : a) {
        s.hits += g.count(l);
        s.possibleHits += p.count(l);
    }
    return s;
}

std::string toPharaoh(const std::vector<AlignmentLink>& links)
{
    std::ostringstream os;
    for (size_t k = 0; k < links.size(); ++k) os << (k ? " " : "") << links[k].source << '-' << links[k].target;
    return os.str();
}

std::vector<AlignmentLink> traceLinks(const AttentionTrace& trace, const LinkOptions& options)
{
    const TraceTensor* x = trace.find("cross");
    return x ? headLinks(*x, options) : std::vector<AlignmentLink>{};
}

bool goldFits(const AttentionTrace& trace, const TraceTensor& head)
{
    if (head.shape.size() != 2 || !trace.hasGold() || trace.targetEvaluated.size() != size_t(head.shape[0]) ||
        trace.sourceEvaluated.size() != size_t(head.shape[1]))
        return false;
    const TraceTensor* cross = trace.find("cross");
    if (!cross || cross->labels.size() != 2 || head.labels.size() != 2) return true;
    return (head.labels[0].empty() || head.labels[0] == cross->labels[0]) &&
           (head.labels[1].empty() || head.labels[1] == cross->labels[1]);
}

AlignmentScore scoreAgainstGold(const std::vector<AlignmentLink>& links, const AttentionTrace& trace)
{
    return scoreLinks(links, trace.goldLinks, trace.sourceEvaluated, trace.targetEvaluated, trace.possibleLinks);
}

bool scoreHead(const TraceTensor& head, const AttentionTrace& goldSource, AlignmentScore& out,
               const LinkOptions& options)
{
    if (!goldFits(goldSource, head)) return false;
    out = scoreAgainstGold(headLinks(head, options), goldSource);
    return true;
}

namespace {
/// The word rows and columns of a 2-D head: a final </s> row or column (translation
/// traces) carries no word and is left out.
void wordExtents(const TraceTensor& head, int& rows, int& cols)
{
    auto endsWithEos = [&](size_t axis) {
        return head.labels.size() == 2 && !head.labels[axis].empty() && head.labels[axis].back() == "</s>";
    };
    rows = int(head.shape[0]) - (endsWithEos(0) ? 1 : 0);
    cols = int(head.shape[1]) - (endsWithEos(1) ? 1 : 0);
}
} // namespace

std::vector<AlignmentLink> headLinks(const TraceTensor& head, const LinkOptions& options)
{
    if (head.shape.size() != 2 || head.shape[0] < 1 || head.shape[1] < 1 ||
        head.values.size() < size_t(head.shape[0] * head.shape[1]))
        return {};
    int rows = 0, cols = 0;
    wordExtents(head, rows, cols);
    const float* m = head.values.data();
    const int stride = int(head.shape[1]);
    switch (options.method) {
    case LinkMethod::Argmax: return argmaxLinks(m, rows, cols, stride);
    case LinkMethod::Threshold: return thresholdLinks(m, rows, cols, stride, options.threshold);
    case LinkMethod::Gdfa:
        return growDiagFinalAnd(argmaxLinks(m, rows, cols, stride), columnArgmaxLinks(m, rows, cols, stride), cols, rows);
    case LinkMethod::Shift: return shiftLinks(m, int(head.shape[0]), rows, cols, stride);
    }
    return {};
}

std::vector<AlignmentLink> symmetrizedLinks(const TraceTensor& forward, const TraceTensor& reverse)
{
    if (forward.shape.size() != 2 || reverse.shape.size() != 2) return {};
    int fr = 0, fc = 0, rr = 0, rc = 0;
    wordExtents(forward, fr, fc);
    wordExtents(reverse, rr, rc);
    if (fr != rc || fc != rr) return {};
    std::vector<AlignmentLink> back;
    for (const auto& l : headLinks(reverse)) back.push_back({l.target, l.source});
    return growDiagFinalAnd(headLinks(forward), back, fc, fr);
}

AlignmentScore scoreTrace(const AttentionTrace& trace, const LinkOptions& options)
{
    AlignmentScore s;
    if (const TraceTensor* x = trace.find("cross")) scoreHead(*x, trace, s, options);
    return s;
}

AlignmentScore scoreDiagonal(const AttentionTrace& trace)
{
    if (!trace.hasGold()) return {};
    // The masks carry a 0 for the trailing </s>; the baseline sees the verse's words only.
    const std::vector<uint8_t> se(trace.sourceEvaluated.begin(), trace.sourceEvaluated.end() - 1);
    const std::vector<uint8_t> te(trace.targetEvaluated.begin(), trace.targetEvaluated.end() - 1);
    return scoreLinks(diagonalLinks(se, te), trace.goldLinks, se, te, trace.possibleLinks);
}

void BleuStats::add(const std::vector<std::string>& h, const std::vector<std::string>& r)
{
    hypothesisLength += double(h.size());
    referenceLength += double(r.size());
    for (int n = 1; n <= 4; ++n) {
        std::map<std::vector<std::string>, int> refCounts;
        for (size_t i = 0; i + size_t(n) <= r.size(); ++i)
            ++refCounts[std::vector<std::string>(r.begin() + long(i), r.begin() + long(i) + n)];
        for (size_t i = 0; i + size_t(n) <= h.size(); ++i) {
            auto it = refCounts.find(std::vector<std::string>(h.begin() + long(i), h.begin() + long(i) + n));
            if (it != refCounts.end() && it->second > 0) {
                --it->second;
                matches[n - 1] += 1;
            }
            totals[n - 1] += 1;
        }
    }
}

BleuStats& BleuStats::operator+=(const BleuStats& o)
{
    for (int n = 0; n < 4; ++n) {
        matches[n] += o.matches[n];
        totals[n] += o.totals[n];
    }
    hypothesisLength += o.hypothesisLength;
    referenceLength += o.referenceLength;
    return *this;
}

double BleuStats::bleu() const
{
    if (hypothesisLength == 0) return 0.0;
    double logPrecision = 0;
    for (int n = 0; n < 4; ++n) {
        if (matches[n] == 0 || totals[n] == 0) return 0.0;
        logPrecision += std::log(matches[n] / totals[n]) / 4.0;
    }
    const double bp = hypothesisLength < referenceLength ? std::exp(1.0 - referenceLength / hypothesisLength) : 1.0;
    return 100.0 * bp * std::exp(logPrecision);
}

double corpusBleu(const std::vector<std::vector<std::string>>& hyps, const std::vector<std::vector<std::string>>& refs)
{
    BleuStats stats;
    for (size_t k = 0; k < hyps.size() && k < refs.size(); ++k) stats.add(hyps[k], refs[k]);
    return stats.bleu();
}

} // namespace attnscope
