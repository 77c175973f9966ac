// Head ablation specs (attnscope/ablation.h): parsing, checking against a model's attention.
#include "attnscope/ablation.h"
#include "attnscope/schema.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace attnscope {

namespace {
/// A whole number ≥ 1 (1-based on the command line), or −1 for a malformed one.
int positive(const std::string& s)
{
    if (s.empty() || s.size() > 6 || !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); })) return -1;
    const int v = std::stoi(s);
    return v >= 1 ? v : -1;
}

std::vector<std::string> split(const std::string& s, char sep)
{
    std::vector<std::string> out;
    std::string part;
    std::istringstream in(s);
    while (std::getline(in, part, sep)) out.push_back(part);
    if (!s.empty() && s.back() == sep) out.emplace_back();
    return out;
}
} // namespace

std::string HeadAblation::describe() const
{
    std::string s;
    for (const auto& [kind, layers] : heads)
        for (const auto& [layer, hs] : layers) {
            s += (s.empty() ? "" : "; ") + kind + " L" + std::to_string(layer + 1) + " ";
            if (hs.size() == 1 && hs.front() < 0) {
                s += "all heads";
                continue;
            }
            s += "H";
            for (size_t i = 0; i < hs.size(); ++i) s += (i ? "," : "") + std::to_string(hs[i] + 1);
        }
    return s.empty() ? "nothing" : s + (mode == Mode::Zero ? " (zero)" : " (uniform)");
}

Status parseAblation(const std::string& spec, HeadAblation& out)
{
    const std::vector<std::string> parts = split(spec, ':');
    if (parts.size() != 3 || parts[0].empty())
        return Status::error("--ablate '" + spec + "': expected KIND:LAYER:HEADS, e.g. cross_attention:2:1,3 or encoder_self:1:all");
    const int layer = positive(parts[1]);
    if (layer < 0) return Status::error("--ablate '" + spec + "': the layer '" + parts[1] + "' is not a whole number ≥ 1 (layers count from 1)");
    std::vector<int>& heads = out.heads[parts[0]][layer - 1];
    if (parts[2] == "all") {
        heads = {-1};
        return Status::success();
    }
    for (const std::string& h : split(parts[2], ',')) {
        const int v = positive(h);
        if (v < 0) return Status::error("--ablate '" + spec + "': the head '" + h + "' is not a whole number ≥ 1 (heads count from 1) or 'all'");
        if (std::find(heads.begin(), heads.end(), v - 1) == heads.end()) heads.push_back(v - 1);
    }
    std::sort(heads.begin(), heads.end());
    return Status::success();
}

Status parseAblationMode(const std::string& name, HeadAblation::Mode& mode)
{
    if (name == "zero") mode = HeadAblation::Mode::Zero;
    else if (name == "uniform") mode = HeadAblation::Mode::Uniform;
    else return Status::error("--ablation '" + name + "': zero (the head's attention × 0, HuggingFace head_mask) or uniform");
    return Status::success();
}

AttentionShapes attentionShapes(const AttentionTrace& trace)
{
    AttentionShapes out;
    for (const auto& t : trace.tensors)  // a lens is read off an attention: not a kind of its own to ablate
        if (t.shape.size() == 4 && t.axes.size() == 4 && t.axes[0] == "layer" && t.axes[1] == "head" && !schema::isLens(t.name))
            out[t.name] = {t.shape[0], t.shape[1]};
    return out;
}

Status resolveAblation(HeadAblation& ablation, const AttentionShapes& shapes)
{
    for (auto& [kind, layers] : ablation.heads) {
        const auto it = shapes.find(kind);
        if (it == shapes.end()) {
            std::string known;
            for (const auto& [k, s] : shapes)
                known += (known.empty() ? "" : ", ") + k + " (" + std::to_string(s.first) + " layers × " + std::to_string(s.second) + " heads)";
            return Status::error("no attention kind '" + kind + "' in this model; it has " + (known.empty() ? "none" : known));
        }
        const auto [L, H] = it->second;
        for (auto& [layer, heads] : layers) {
            if (layer >= L)
                return Status::error(kind + " has layers 1–" + std::to_string(L) + " (asked " + std::to_string(layer + 1) + ")");
            if (heads.size() == 1 && heads.front() < 0) {
                heads.clear();
                for (int h = 0; h < H; ++h) heads.push_back(h);
            }
            for (int h : heads)
                if (h >= H)
                    return Status::error(kind + " layer " + std::to_string(layer + 1) + " has heads 1–" + std::to_string(H) + " (asked " +
                                         std::to_string(h + 1) + ")");
        }
    }
    return Status::success();
}

} // namespace attnscope
