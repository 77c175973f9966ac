// Head ablation of attention probabilities (headablation.h).
#include "attention/headablation.h"

#include <stdexcept>

namespace attnscope {

torch::Tensor ablateHeads(const torch::Tensor& probabilities, int64_t axis, const std::vector<int64_t>& heads, bool uniform,
                          const std::string& where)
{
    torch::Tensor p = probabilities.clone();
    for (int64_t h : heads) {
        if (h < 0 || h >= p.size(axis))
            throw std::runtime_error("ablation: " + where + " has " + std::to_string(p.size(axis)) + " heads (asked head " +
                                     std::to_string(h + 1) + ")");
        torch::Tensor a = p.select(axis, h);
        if (uniform) {
            const torch::Tensor keep = (a > 0).to(a.scalar_type());
            a.copy_(keep / keep.sum(-1, true).clamp_min(1));
        } else {
            a.zero_();
        }
    }
    return p;
}

} // namespace attnscope
