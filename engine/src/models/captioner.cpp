#include "models/captioner.h"

#include "models/cnn.h"

#include <stdexcept>

namespace attnscope {

const std::vector<std::string>& captionVocabulary()
{
    static const std::vector<std::string> v = [] {
        std::vector<std::string> w = {"<pad>", "<s>", "</s>", "<unk>", "a", ",", "and"};
        for (int c = 0; c < 10; ++c) w.push_back(itemWord(c));
        for (const char* s : {"top", "bottom", "centre", "left", "right", "in", "the", "middle"}) w.emplace_back(s);
        return w;
    }();
    return v;
}

std::vector<int64_t> captionIds(const std::vector<std::string>& words, std::vector<std::string>* unknown)
{
    const auto& v = captionVocabulary();
    std::vector<int64_t> ids;
    for (const auto& w : words) {
        const auto it = std::find(v.begin() + 4, v.end(), w);
        if (it == v.end()) {
            if (unknown) unknown->push_back(w);
            ids.push_back(kCapUnk);
        } else {
            ids.push_back(int64_t(it - v.begin()));
        }
    }
    return ids;
}

namespace {
/// FNV-1a of the joined vocabulary: a weights file is only read with the vocabulary it was
/// trained with.
int64_t vocabularyChecksum()
{
    uint32_t h = 2166136261u;
    for (const auto& w : captionVocabulary())
        for (const char c : w + '\n') h = (h ^ uint8_t(c)) * 16777619u;
    return int64_t(h);
}
} // namespace

SceneEncoderImpl::SceneEncoderImpl(const CaptionerConfig& cfg)
{
    const int64_t chans[5] = {16, 32, 64, 128, cfg.features};
    int64_t in = 1;
    for (int s = 0; s < 5; ++s) {
        const std::string n = std::to_string(s + 1);
        convs_.push_back(register_module("conv" + n, torch::nn::Conv2d(torch::nn::Conv2dOptions(in, chans[s], 3).padding(1).bias(false))));
        norms_.push_back(register_module("bn" + n, torch::nn::BatchNorm2d(chans[s])));
        in = chans[s];
    }
    position_ = register_parameter("position", torch::zeros({cfg.grid * cfg.grid, cfg.features}));
}

torch::Tensor SceneEncoderImpl::forward(const torch::Tensor& x)
{
    static const int pools[5] = {2, 2, 3, 1, 1};
    auto h = x;
    for (size_t s = 0; s < convs_.size(); ++s) {
        h = torch::relu(norms_[s]->forward(convs_[s]->forward(h)));
        if (pools[s] > 1) h = torch::max_pool2d(h, pools[s]);
    }
    // [B, D, g, g] → [B, g·g, D], row-major cells (r0c0, r0c1, …).
    return h.flatten(2).transpose(1, 2) + position_;
}

AttentionDecoderImpl::AttentionDecoderImpl(const CaptionerConfig& cfg) : cfg_(cfg)
{
    using torch::nn::Linear;
    embed_ = register_module("embed", torch::nn::Embedding(cfg.vocab, cfg.embedding));
    initH_ = register_module("init_h", Linear(cfg.features, cfg.hidden));
    initC_ = register_module("init_c", Linear(cfg.features, cfg.hidden));
    attA_ = register_module("att_a", Linear(torch::nn::LinearOptions(cfg.features, cfg.attention).bias(false)));
    attH_ = register_module("att_h", Linear(cfg.hidden, cfg.attention));
    attV_ = register_module("att_v", Linear(torch::nn::LinearOptions(cfg.attention, 1).bias(false)));
    gate_ = register_module("gate", Linear(cfg.hidden, 1));
    lstm_ = register_module("lstm", torch::nn::LSTMCell(cfg.embedding + cfg.features, cfg.hidden));
    outH_ = register_module("out_h", Linear(cfg.hidden, cfg.embedding));
    outZ_ = register_module("out_z", Linear(cfg.features, cfg.embedding));
    outO_ = register_module("out_o", Linear(cfg.embedding, cfg.vocab));
    drop_ = register_module("drop", torch::nn::Dropout(cfg.dropout));
}

DecoderState AttentionDecoderImpl::init(const torch::Tensor& a)
{
    const auto mean = a.mean(1);
    return {torch::tanh(initH_->forward(mean)), torch::tanh(initC_->forward(mean))};
}

torch::Tensor AttentionDecoderImpl::keys(const torch::Tensor& a) { return attA_->forward(a); }

DecoderStep AttentionDecoderImpl::step(const torch::Tensor& prev, DecoderState& state, const torch::Tensor& a,
                                       const torch::Tensor& keys, AttentionMode mode, torch::Generator* gen)
{
    DecoderStep r;
    const auto e = attV_->forward(torch::tanh(keys + attH_->forward(state.h).unsqueeze(1))).squeeze(2);  // [B, L]
    r.alpha = torch::softmax(e, 1);
    r.beta = torch::sigmoid(gate_->forward(state.h)).squeeze(1);  // [B]
    if (mode == AttentionMode::Soft) {
        r.used = r.alpha;
    } else {
        torch::Tensor s;
        if (mode == AttentionMode::HardSample && gen)
            s = torch::multinomial(r.alpha, 1, false, *gen).squeeze(1);
        else
            s = r.alpha.argmax(1);
        r.used = torch::one_hot(s, r.alpha.size(1)).to(r.alpha.dtype());
    }
    const auto z = r.beta.unsqueeze(1) * torch::bmm(r.used.unsqueeze(1), a).squeeze(1);  // [B, D]
    const auto emb = embed_->forward(prev);
    auto hc = lstm_->forward(torch::cat({emb, z}, 1), std::make_tuple(state.h, state.c));
    state.h = std::get<0>(hc);
    state.c = std::get<1>(hc);
    r.logits = outO_->forward(drop_->forward(emb + outH_->forward(state.h) + outZ_->forward(z)));
    return r;
}

std::pair<torch::Tensor, torch::Tensor> AttentionDecoderImpl::forward(const torch::Tensor& a, const torch::Tensor& in)
{
    auto state = init(a);
    const auto k = keys(a);
    std::vector<torch::Tensor> logits, alphas;
    for (int64_t t = 0; t < in.size(1); ++t) {
        auto s = step(in.select(1, t), state, a, k);
        logits.push_back(s.logits);
        alphas.push_back(s.alpha);
    }
    return {torch::stack(logits, 1), torch::stack(alphas, 1)};
}

SceneCaptionerNetImpl::SceneCaptionerNetImpl(const CaptionerConfig& cfg) : cfg_(cfg)
{
    encoder = register_module("encoder", SceneEncoder(cfg));
    decoder = register_module("decoder", AttentionDecoder(cfg));
}

CaptionLoss captionLoss(const torch::Tensor& logits, const torch::Tensor& alpha, const torch::Tensor& target, double lambda)
{
    CaptionLoss r;
    r.crossEntropy = torch::nn::functional::cross_entropy(
        logits.flatten(0, 1), target.flatten(), torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kCapPad));
    const auto mask = target.ne(kCapPad).to(alpha.dtype()).unsqueeze(2);  // [B, T, 1]
    const auto coverage = (alpha * mask).sum(1);                           // [B, L]
    r.regulariser = (1.0 - coverage).pow(2).mean();
    r.total = r.crossEntropy + lambda * r.regulariser;
    return r;
}

void saveCaptioner(SceneCaptionerNet& m, const std::string& path, bool half)
{
    torch::serialize::OutputArchive a;
    writeModule(a, *m, half);
    const auto& c = m->config();
    a.write("format", torch::tensor({int64_t(5), c.vocab, c.embedding, c.hidden, c.attention, c.features, c.grid, vocabularyChecksum()}));
    a.save_to(path);
}

SceneCaptionerNet loadCaptioner(const std::string& path)
{
    torch::serialize::InputArchive a;
    const torch::Tensor f = readFormat(a, path);
    if (f.size(0) != 8 || f[0].item<int64_t>() != 5) throw std::runtime_error(path + ": not a scene-captioner weights file");
    CaptionerConfig c;
    c.vocab = f[1].item<int64_t>();
    c.embedding = f[2].item<int64_t>();
    c.hidden = f[3].item<int64_t>();
    c.attention = f[4].item<int64_t>();
    c.features = f[5].item<int64_t>();
    c.grid = f[6].item<int64_t>();
    if (c.vocab != int64_t(captionVocabulary().size()) || f[7].item<int64_t>() != vocabularyChecksum())
        throw std::runtime_error(path + ": trained with another caption vocabulary");
    if (c.grid != 7) throw std::runtime_error(path + ": the encoder's grid must be 7×7 for 84×84 scenes");
    for (auto v : {c.embedding, c.hidden, c.attention, c.features})
        if (v < 1 || v > 4096) throw std::runtime_error(path + ": implausible model configuration");
    SceneCaptionerNet m(c);
    readModule(a, *m, path);
    m->eval();
    return m;
}

torch::Tensor sceneTensor(const GreyImage& scene)
{
    auto x = torch::from_blob(const_cast<float*>(scene.pixels.data()), {1, 1, scene.height, scene.width}, torch::kFloat32).clone();
    if (scene.width != kSceneSize || scene.height != kSceneSize)
        x = torch::nn::functional::interpolate(
            x, torch::nn::functional::InterpolateFuncOptions().size(std::vector<int64_t>{kSceneSize, kSceneSize}).mode(torch::kBilinear).align_corners(false));
    return x.sub_(kFmnistMean).div_(kFmnistStd);
}

CaptionBatch captionBatch(const std::vector<Scene>& scenes)
{
    const int64_t B = int64_t(scenes.size());
    std::vector<std::vector<int64_t>> ids;
    size_t T = 0;
    for (const auto& s : scenes) {
        ids.push_back(captionIds(captionWords(s.caption)));
        T = std::max(T, ids.back().size() + 1);
    }
    CaptionBatch b;
    b.images = torch::empty({B, 1, kSceneSize, kSceneSize});
    b.inputs = torch::full({B, int64_t(T)}, kCapPad, torch::kInt64);
    b.targets = torch::full({B, int64_t(T)}, kCapPad, torch::kInt64);
    auto in = b.inputs.accessor<int64_t, 2>();
    auto tg = b.targets.accessor<int64_t, 2>();
    for (int64_t i = 0; i < B; ++i) {
        const auto& s = scenes[size_t(i)];
        std::memcpy(b.images[i].data_ptr<float>(), s.image.pixels.data(), s.image.pixels.size() * sizeof(float));
        const auto& w = ids[size_t(i)];
        in[i][0] = kCapBos;
        for (size_t t = 0; t < w.size(); ++t) {
            in[i][int64_t(t + 1)] = w[t];
            tg[i][int64_t(t)] = w[t];
        }
        tg[i][int64_t(w.size())] = kCapEos;
    }
    b.images.sub_(kFmnistMean).div_(kFmnistStd);
    return b;
}

} // namespace attnscope
