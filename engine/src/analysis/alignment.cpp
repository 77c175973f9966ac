// Alignment extraction, AER and BLEU.
#include "attnscope/alignment.h"

#include <algorithm>
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
}
double AlignmentScore::precision() const { return predicted ? double(hits) / double(predicted) : 0.0; }
double AlignmentScore::recall() const { return gold ? double(hits) / double(gold) : 0.0; }
double AlignmentScore::aer() const
{
    return (predicted + gold) ? 1.0 - 2.0 * double(hits) / double(predicted + gold) : 0.0;
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
                          const std::vector<uint8_t>& se, const std::vector<uint8_t>& te)
{
    auto evaluated = [&](const AlignmentLink& l) {
        return l.source >= 0 && l.target >= 0 && size_t(l.source) < se.size() && size_t(l.target) < te.size() &&
               se[size_t(l.source)] && te[size_t(l.target)];
    };
    std::set<AlignmentLink> a, g;
    for (const auto& l : predicted)
        if (evaluated(l)) a.insert(l);
    for (const auto& l : gold)
        if (evaluated(l)) g.insert(l);
    AlignmentScore s;
    s.predicted = long(a.size());
    s.gold = long(g.size());
    for (const auto& l : a) s.hits += g.count(l);
    return s;
}

std::string toPharaoh(const std::vector<AlignmentLink>& links)
{
    std::ostringstream os;
    for (size_t k = 0; k < links.size(); ++k) os << (k ? " " : "") << links[k].source << '-' << links[k].target;
    return os.str();
}

std::vector<AlignmentLink> traceLinks(const AttentionTrace& trace)
{
    const TraceTensor* x = trace.find("cross");
    return x ? headLinks(*x) : std::vector<AlignmentLink>{};
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

bool scoreHead(const TraceTensor& head, const AttentionTrace& goldSource, AlignmentScore& out)
{
    if (!goldFits(goldSource, head)) return false;
    out = scoreLinks(headLinks(head), goldSource.goldLinks, goldSource.sourceEvaluated, goldSource.targetEvaluated);
    return true;
}

std::vector<AlignmentLink> headLinks(const TraceTensor& head)
{
    if (head.shape.size() != 2 || head.shape[0] < 1 || head.shape[1] < 1) return {};
    // A final </s> row or column (translation traces) carries no word: leave it out.
    auto endsWithEos = [&](size_t axis) {
        return head.labels.size() == 2 && !head.labels[axis].empty() && head.labels[axis].back() == "</s>";
    };
    const int rows = int(head.shape[0]) - (endsWithEos(0) ? 1 : 0);
    const int cols = int(head.shape[1]) - (endsWithEos(1) ? 1 : 0);
    return argmaxLinks(head.values.data(), rows, cols, int(head.shape[1]));
}

AlignmentScore scoreTrace(const AttentionTrace& trace)
{
    AlignmentScore s;
    if (const TraceTensor* x = trace.find("cross")) scoreHead(*x, trace, s);
    return s;
}

AlignmentScore scoreDiagonal(const AttentionTrace& trace)
{
    if (!trace.hasGold()) return {};
    // The masks carry a 0 for the trailing </s>; the baseline sees the verse's words only.
    const std::vector<uint8_t> se(trace.sourceEvaluated.begin(), trace.sourceEvaluated.end() - 1);
    const std::vector<uint8_t> te(trace.targetEvaluated.begin(), trace.targetEvaluated.end() - 1);
    return scoreLinks(diagonalLinks(se, te), trace.goldLinks, se, te);
}

double corpusBleu(const std::vector<std::vector<std::string>>& hyps, const std::vector<std::vector<std::string>>& refs)
{
    double matches[4] = {0, 0, 0, 0}, totals[4] = {0, 0, 0, 0};
    double hypLen = 0, refLen = 0;
    for (size_t k = 0; k < hyps.size() && k < refs.size(); ++k) {
        const auto& h = hyps[k];
        const auto& r = refs[k];
        hypLen += double(h.size());
        refLen += double(r.size());
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
    if (hypLen == 0) return 0.0;
    double logPrecision = 0;
    for (int n = 0; n < 4; ++n) {
        if (matches[n] == 0 || totals[n] == 0) return 0.0;
        logPrecision += std::log(matches[n] / totals[n]) / 4.0;
    }
    const double bp = hypLen < refLen ? std::exp(1.0 - refLen / hypLen) : 1.0;
    return 100.0 * bp * std::exp(logPrecision);
}

} // namespace attnscope
