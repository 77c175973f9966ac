#include "attention/channel.h"

#include <cmath>

namespace attnscope {

const char* blockName(BlockKind k)
{
    switch (k) {
    case BlockKind::SE: return "SE";
    case BlockKind::ECA: return "ECA";
    case BlockKind::CBAM: return "CBAM";
    default: return "none";
    }
}

int ecaKernelSize(int64_t channels)
{
    const double t = std::log2(double(channels)) / 2.0 + 1.0 / 2.0;
    int k = int(std::fabs(t));
    if (k % 2 == 0) ++k;
    return std::max(1, k);
}

AttentionBlockImpl::AttentionBlockImpl(BlockKind kind, int64_t channels, int64_t reduction) : kind_(kind)
{
    const int64_t hidden = std::max<int64_t>(1, channels / reduction);
    if (kind == BlockKind::SE || kind == BlockKind::CBAM) {
        fc1 = register_module("fc1", torch::nn::Linear(channels, hidden));
        fc2 = register_module("fc2", torch::nn::Linear(hidden, channels));
    }
    if (kind == BlockKind::ECA) {
        const int k = ecaKernelSize(channels);
        conv1d = register_module("conv1d", torch::nn::Conv1d(torch::nn::Conv1dOptions(1, 1, k).padding(k / 2).bias(false)));
    }
    if (kind == BlockKind::CBAM)
        spatialConv = register_module("spatial", torch::nn::Conv2d(torch::nn::Conv2dOptions(2, 1, 7).padding(3).bias(false)));
}

BlockOutput AttentionBlockImpl::forward(const torch::Tensor& u)
{
    const int64_t B = u.size(0), C = u.size(1);
    BlockOutput r;
    switch (kind_) {
    case BlockKind::None:
        r.out = u;
        r.excitation = torch::ones({B, C}, u.options());
        return r;
    case BlockKind::SE: {
        const auto z = u.mean({2, 3});
        r.excitation = torch::sigmoid(fc2->forward(torch::relu(fc1->forward(z))));
        r.out = u * r.excitation.view({B, C, 1, 1});
        return r;
    }
    case BlockKind::ECA: {
        const auto y = u.mean({2, 3}).unsqueeze(1);  // [B, 1, C]: channels as a 1-D signal
        r.excitation = torch::sigmoid(conv1d->forward(y)).squeeze(1);
        r.out = u * r.excitation.view({B, C, 1, 1});
        return r;
    }
    case BlockKind::CBAM: {
        auto mlp = [&](const torch::Tensor& v) { return fc2->forward(torch::relu(fc1->forward(v))); };
        r.excitation = torch::sigmoid(mlp(u.mean({2, 3})) + mlp(u.amax({2, 3})));
        const auto u1 = u * r.excitation.view({B, C, 1, 1});
        const auto pooled = torch::cat({u1.mean(1, true), u1.amax(1, true)}, 1);  // [B, 2, H, W]
        const auto ms = torch::sigmoid(spatialConv->forward(pooled));             // [B, 1, H, W]
        r.spatial = ms.squeeze(1);
        r.out = u1 * ms;
        return r;
    }
    }
    return r;
}

} // namespace attnscope
