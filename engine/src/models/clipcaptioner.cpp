#include "models/clipcaptioner.h"

#include "models/cnn.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace attnscope {

const std::vector<std::string>& clipVocabulary()
{
    static const std::vector<std::string> v = [] {
        std::vector<std::string> w = {"<pad>", "<s>", "</s>", "<unk>", "a", ",", "then", "moves", "pair", "of"};
        for (int c = 0; c < 10; ++c) w.push_back(itemWord(c));
        for (const char* s : {"left", "right", "up", "down"}) w.emplace_back(s);
        return w;
    }();
    return v;
}

ClipEncoderImpl::ClipEncoderImpl(const CaptionerConfig& cfg, int64_t samples)
{
    const int64_t chans[4] = {16, 32, 64, 64};
    int64_t in = 2;
    for (int s = 0; s < 4; ++s) {
        const std::string n = std::to_string(s + 1);
        convs_.push_back(register_module(
            "conv" + n, torch::nn::Conv2d(torch::nn::Conv2dOptions(in, chans[s], 3).padding(1).stride(s == 0 ? 2 : 1).bias(false))));
        norms_.push_back(register_module("bn" + n, torch::nn::BatchNorm2d(chans[s])));
        in = chans[s];
    }
    fc_ = register_module("fc", torch::nn::Linear(64 * 4 * 4, cfg.features));
    position_ = register_parameter("position", torch::zeros({samples, cfg.features}));
}

torch::Tensor ClipEncoderImpl::forward(const torch::Tensor& x)
{
    const int64_t B = x.size(0), T = x.size(1);
    auto h = x.reshape({B * T, 2, kClipSize, kClipSize});
    for (size_t s = 0; s < convs_.size(); ++s) {
        h = torch::relu(norms_[s]->forward(convs_[s]->forward(h)));
        if (s > 0) h = torch::max_pool2d(h, 2);
    }
    h = torch::relu(fc_->forward(h.flatten(1)));
    return h.reshape({B, T, -1}) + position_;
}

ClipCaptionerNetImpl::ClipCaptionerNetImpl(const CaptionerConfig& cfg, int64_t samples) : cfg_(cfg), samples_(samples)
{
    encoder = register_module("encoder", ClipEncoder(cfg, samples));
    decoder = register_module("decoder", AttentionDecoder(cfg));
}

void saveClipCaptioner(ClipCaptionerNet& m, const std::string& path, bool half)
{
    torch::serialize::OutputArchive a;
    writeModule(a, *m, half);
    const auto& c = m->config();
    a.write("format", torch::tensor({int64_t(6), c.vocab, c.embedding, c.hidden, c.attention, c.features, m->samples(),
                                     vocabularyChecksum(clipVocabulary()), int64_t(c.contextToLstm), int64_t(c.initFromAnnotations)}));
    saveArchive(a, path);
}

ClipCaptionerNet loadClipCaptioner(const std::string& path)
{
    torch::serialize::InputArchive a;
    const torch::Tensor f = readFormat(a, path);
    if (f.size(0) != 10 || f[0].item<int64_t>() != 6) throw std::runtime_error(path + ": not a clip-captioner weights file");
    CaptionerConfig c = readCaptionerConfig(f, clipVocabulary(), path);
    const int64_t samples = f[6].item<int64_t>();
    c.contextToLstm = f[8].item<int64_t>() != 0;
    c.initFromAnnotations = f[9].item<int64_t>() != 0;
    if (samples != kClipSamples) throw std::runtime_error(path + ": the model must read " + std::to_string(kClipSamples) + " frames");
    ClipCaptionerNet m(c, samples);
    readModule(a, *m, path);
    m->eval();
    return m;
}

torch::Tensor clipTensor(const std::vector<const ClipInput*>& inputs)
{
    const int64_t B = int64_t(inputs.size()), T = kClipSamples, P = int64_t(kClipSize) * kClipSize;
    auto x = torch::zeros({B, T, 2, kClipSize, kClipSize});
    auto acc = x.accessor<float, 5>();
    for (int64_t b = 0; b < B; ++b) {
        const ClipInput& in = *inputs[size_t(b)];
        for (int64_t t = 0; t < T && t < int64_t(in.frames.size()); ++t) {
            const auto& f = in.frames[size_t(t)].pixels;
            const auto& p = in.previous[size_t(t)].pixels;
            if (int64_t(f.size()) != P || int64_t(p.size()) != P) continue;
            for (int64_t i = 0; i < P; ++i) {
                acc[b][t][0][i / kClipSize][i % kClipSize] = (f[size_t(i)] - kFmnistMean) / kFmnistStd;
                acc[b][t][1][i / kClipSize][i % kClipSize] = (f[size_t(i)] - p[size_t(i)]) / kFmnistStd;
            }
        }
    }
    return x;
}

} // namespace attnscope
