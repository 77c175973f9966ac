#include "models/captioner.h"

#include "models/cnn.h"

#include "attnscope/schema.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
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

std::vector<int64_t> captionIds(const std::vector<std::string>& words, std::vector<std::string>* unknown,
                                const std::vector<std::string>& v)
{
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

int64_t vocabularyChecksum(const std::vector<std::string>& vocab)
{
    uint32_t h = 2166136261u;
    for (const auto& w : vocab)
        for (const char c : w + '\n') h = (h ^ uint8_t(c)) * 16777619u;
    return int64_t(h);
}

Status forcedIds(const std::string& target, const std::vector<std::string>& vocab, std::vector<int64_t>& out)
{
    const std::vector<std::string> words = captionWords(target);
    if (words.empty()) return Status::error("the caption to score is empty");
    if (words.size() > 200) return Status::error("the caption to score has " + std::to_string(words.size()) + " words (at most 200)");
    std::vector<std::string> unknown;
    out = captionIds(words, &unknown, vocab);
    if (unknown.empty()) return Status::success();
    std::string list, known;
    for (const auto& w : unknown) list += (list.empty() ? "'" : ", '") + w + "'";
    for (size_t i = 4; i < vocab.size(); ++i) known += (i > 4 ? " " : "") + vocab[i];
    return Status::error("unknown word" + std::string(unknown.size() > 1 ? "s " : " ") + list + "; the model knows: " + known);
}

std::pair<torch::Tensor, torch::Tensor> teacherForcing(const std::vector<std::string>& captions, const std::vector<std::string>& vocab)
{
    const int64_t B = int64_t(captions.size());
    std::vector<std::vector<int64_t>> ids;
    size_t T = 0;
    for (const auto& c : captions) {
        ids.push_back(captionIds(captionWords(c), nullptr, vocab));
        T = std::max(T, ids.back().size() + 1);
    }
    auto inputs = torch::full({B, int64_t(T)}, kCapPad, torch::kInt64);
    auto targets = torch::full({B, int64_t(T)}, kCapPad, torch::kInt64);
    auto in = inputs.accessor<int64_t, 2>();
    auto tg = targets.accessor<int64_t, 2>();
    for (int64_t i = 0; i < B; ++i) {
        const auto& w = ids[size_t(i)];
        in[i][0] = kCapBos;
        for (size_t t = 0; t < w.size(); ++t) {
            in[i][int64_t(t + 1)] = w[t];
            tg[i][int64_t(t)] = w[t];
        }
        tg[i][int64_t(w.size())] = kCapEos;
    }
    return {inputs, targets};
}

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
    lstm_ = register_module("lstm", torch::nn::LSTMCell(cfg.embedding + (cfg.contextToLstm ? cfg.features : 0), cfg.hidden));
    outH_ = register_module("out_h", Linear(cfg.hidden, cfg.embedding));
    outZ_ = register_module("out_z", Linear(cfg.features, cfg.embedding));
    outO_ = register_module("out_o", Linear(cfg.embedding, cfg.vocab));
    drop_ = register_module("drop", torch::nn::Dropout(cfg.dropout));
}

DecoderState AttentionDecoderImpl::init(const torch::Tensor& a)
{
    if (!cfg_.initFromAnnotations) {
        const auto zero = torch::zeros({a.size(0), cfg_.hidden}, a.options());
        return {zero, zero.clone()};
    }
    const auto mean = a.mean(1);
    return {torch::tanh(initH_->forward(mean)), torch::tanh(initC_->forward(mean))};
}

torch::Tensor AttentionDecoderImpl::keys(const torch::Tensor& a) { return attA_->forward(a); }

DecoderStep AttentionDecoderImpl::step(const torch::Tensor& prev, DecoderState& state, const torch::Tensor& a,
                                       const torch::Tensor& keys, AttentionMode mode, torch::Generator* gen, CaptionAblation ablate)
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
    if (ablate == CaptionAblation::Zero) r.used = torch::zeros_like(r.alpha);
    else if (ablate == CaptionAblation::Uniform) r.used = torch::full_like(r.alpha, 1.0 / double(r.alpha.size(1)));
    const auto z = r.beta.unsqueeze(1) * torch::bmm(r.used.unsqueeze(1), a).squeeze(1);  // [B, D]
    const auto emb = embed_->forward(prev);
    auto hc = lstm_->forward(cfg_.contextToLstm ? torch::cat({emb, z}, 1) : emb, std::make_tuple(state.h, state.c));
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

CaptionerConfig readCaptionerConfig(const torch::Tensor& f, const std::vector<std::string>& vocab, const std::string& path)
{
    CaptionerConfig c;
    c.vocab = f[1].item<int64_t>();
    c.embedding = f[2].item<int64_t>();
    c.hidden = f[3].item<int64_t>();
    c.attention = f[4].item<int64_t>();
    c.features = f[5].item<int64_t>();
    if (c.vocab != int64_t(vocab.size()) || f[7].item<int64_t>() != vocabularyChecksum(vocab))
        throw std::runtime_error(path + ": trained with another caption vocabulary");
    for (auto v : {c.embedding, c.hidden, c.attention, c.features})
        if (v < 1 || v > 4096) throw std::runtime_error(path + ": implausible model configuration");
    return c;
}

void saveCaptioner(SceneCaptionerNet& m, const std::string& path, bool half)
{
    torch::serialize::OutputArchive a;
    writeModule(a, *m, half);
    const auto& c = m->config();
    a.write("format", torch::tensor({int64_t(5), c.vocab, c.embedding, c.hidden, c.attention, c.features, c.grid, vocabularyChecksum(captionVocabulary())}));
    saveArchive(a, path);
}

SceneCaptionerNet loadCaptioner(const std::string& path)
{
    torch::serialize::InputArchive a;
    const torch::Tensor f = readFormat(a, path);
    if (f.size(0) != 8 || f[0].item<int64_t>() != 5) throw std::runtime_error(path + ": not a scene-captioner weights file");
    CaptionerConfig c = readCaptionerConfig(f, captionVocabulary(), path);
    c.grid = f[6].item<int64_t>();
    if (c.grid != 7) throw std::runtime_error(path + ": the encoder's grid must be 7×7 for 84×84 scenes");
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
    CaptionBatch b;
    b.images = torch::empty({B, 1, kSceneSize, kSceneSize});
    std::vector<std::string> captions;
    for (int64_t i = 0; i < B; ++i) {
        const auto& s = scenes[size_t(i)];
        std::memcpy(b.images[i].data_ptr<float>(), s.image.pixels.data(), s.image.pixels.size() * sizeof(float));
        captions.push_back(s.caption);
    }
    std::tie(b.inputs, b.targets) = teacherForcing(captions, captionVocabulary());
    b.images.sub_(kFmnistMean).div_(kFmnistStd);
    return b;
}


namespace {
const char* modeName(AttentionMode m)
{
    return m == AttentionMode::Soft ? "soft" : m == AttentionMode::HardArgmax ? "hard-argmax" : "hard-sample";
}
} // namespace

/// Greedy decoding (or forced decoding of `forced` when not empty).
DecodedCaption greedyDecode(AttentionDecoderImpl& dec, const torch::Tensor& a, AttentionMode mode, int maxWords, uint64_t seed,
                            const std::vector<int64_t>& forced, CaptionAblation ablate)
{
    DecoderState st = dec.init(a);
    const auto keys = dec.keys(a);
    torch::Generator gen = torch::make_generator<torch::CPUGeneratorImpl>(seed);
    DecodedCaption d;
    int64_t prev = kCapBos;
    const size_t steps = forced.empty() ? size_t(maxWords) : forced.size() + 1;
    for (size_t t = 0; t < steps; ++t) {
        auto s = dec.step(torch::tensor({prev}), st, a, keys, mode, &gen, ablate);
        const auto logp = torch::log_softmax(s.logits[0], 0);
        const int64_t y = forced.empty() ? logp.argmax().item<int64_t>() : t < forced.size() ? forced[t] : int64_t(kCapEos);
        d.logProb += logp[y].item<double>();
        if (y == kCapEos) break;
        d.ids.push_back(y);
        d.alpha.push_back(s.alpha[0]);
        d.used.push_back(s.used[0]);
        d.beta.push_back(s.beta[0].item<float>());
        d.prob.push_back(float(std::exp(logp[y].item<double>())));
        prev = y;
    }
    return d;
}

/// Beam search of width k (soft or hard-argmax attention); the finished hypothesis with the
/// best length-normalised log-probability wins (Wu et al. 2016 style, α = 1).
DecodedCaption beamDecode(AttentionDecoderImpl& dec, const torch::Tensor& a, AttentionMode mode, int k, int maxWords,
                          CaptionAblation ablate)
{
    struct Hyp {
        DecodedCaption d;
        int64_t prev = kCapBos;
    };
    std::vector<Hyp> live(1), done;
    DecoderState st = dec.init(a);
    for (int t = 0; t < maxWords && !live.empty(); ++t) {
        const int64_t n = int64_t(live.size());
        const auto an = a.expand({n, a.size(1), a.size(2)});
        const auto keys = dec.keys(an);
        std::vector<int64_t> prev;
        for (const auto& h : live) prev.push_back(h.prev);
        auto s = dec.step(torch::tensor(prev), st, an, keys, mode, nullptr, ablate);
        const auto logp = torch::log_softmax(s.logits, 1);  // [n, V]
        struct Cand {
            double score;
            int64_t beam, word;
        };
        std::vector<Cand> cands;
        const auto top = logp.topk(k, 1);
        const auto vals = std::get<0>(top), idx = std::get<1>(top);
        for (int64_t b = 0; b < n; ++b)
            for (int j = 0; j < k; ++j)
                cands.push_back({live[size_t(b)].d.logProb + vals[b][j].item<double>(), b, idx[b][j].item<int64_t>()});
        std::sort(cands.begin(), cands.end(), [](const Cand& x, const Cand& y) { return x.score > y.score; });
        std::vector<Hyp> next;
        std::vector<int64_t> keep;
        for (const auto& c : cands) {
            if (int(next.size()) >= k || int(done.size()) >= k) break;
            Hyp h = live[size_t(c.beam)];
            h.d.logProb = c.score;
            if (c.word == kCapEos) {
                done.push_back(std::move(h));
                continue;
            }
            h.d.ids.push_back(c.word);
            h.d.alpha.push_back(s.alpha[c.beam]);
            h.d.used.push_back(s.used[c.beam]);
            h.d.beta.push_back(s.beta[c.beam].item<float>());
            h.d.prob.push_back(float(std::exp(logp[c.beam][c.word].item<double>())));
            h.prev = c.word;
            next.push_back(std::move(h));
            keep.push_back(c.beam);
        }
        if (int(done.size()) >= k || next.empty()) break;
        const auto sel = torch::tensor(keep);
        st.h = st.h.index_select(0, sel);
        st.c = st.c.index_select(0, sel);
        live = std::move(next);
    }
    if (done.empty()) done = live;  // nothing finished within maxWords
    const auto norm = [](const Hyp& h) { return h.d.logProb / double(h.d.ids.size() + 1); };
    return std::max_element(done.begin(), done.end(), [&](const Hyp& x, const Hyp& y) { return norm(x) < norm(y); })->d;
}

Status decodeCaption(AttentionDecoderImpl& dec, const torch::Tensor& a, const CaptionOptions& opt, const std::vector<std::string>& vocab,
                     const std::string& axis, const std::vector<std::string>& columns, AttentionTrace& t)
{
    if (opt.maxWords < 1 || opt.maxWords > 200) return Status::error("maximum caption length must be 1–200 words");
    if (opt.beamWidth < 1 || opt.beamWidth > 20) return Status::error("beam width must be 1–20");
    std::vector<int64_t> forced;
    const bool isForced = !opt.target.empty();
    if (isForced)
        if (auto st = forcedIds(opt.target, vocab, forced); !st) return st;
    HeadAblation ablation = opt.ablation;
    if (auto st = resolveAblation(ablation, {{"attention", {1, 1}}}); !st) return st;
    const CaptionAblation ablate = ablation.empty()                            ? CaptionAblation::None
                                   : ablation.mode == HeadAblation::Mode::Zero ? CaptionAblation::Zero
                                                                               : CaptionAblation::Uniform;
    const int64_t L = a.size(1);
    const bool useBeam = !isForced && opt.beamWidth > 1 && opt.mode != AttentionMode::HardSample;
    const DecodedCaption d = useBeam ? beamDecode(dec, a, opt.mode, opt.beamWidth, opt.maxWords, ablate)
                                     : greedyDecode(dec, a, opt.mode, opt.maxWords, opt.sampleSeed, forced, ablate);
    t.scoreFunction = "additive";
    std::vector<std::string> labels;
    for (auto id : d.ids) labels.push_back(vocab[size_t(id)]);
    std::string cap;
    for (const auto& w : labels) cap += (cap.empty() ? "" : " ") + w;
    auto rows = [&](const std::string& name, const std::vector<torch::Tensor>& r) {
        auto tt = traceTensor(name, {"word", axis}, r.empty() ? torch::zeros({0, L}) : torch::stack(r));
        tt.labels = {labels, columns};
        return tt;
    };
    t.tensors.push_back(rows("attention", d.used));
    if (opt.mode != AttentionMode::Soft) t.tensors.push_back(rows("soft_attention", d.alpha));
    auto vec = [&](const std::string& name, const std::vector<float>& v) {
        auto tt = traceTensor(name, {"word"}, torch::tensor(v.empty() ? std::vector<float>{} : v));
        tt.shape = {int64_t(v.size())};
        tt.labels = {labels};
        return tt;
    };
    t.tensors.push_back(vec("gate", d.beta));
    t.tensors.push_back(vec("word_probability", d.prob));
    auto cov = traceTensor("coverage", {axis}, d.used.empty() ? torch::zeros({L}) : torch::stack(d.used).sum(0));
    cov.labels = {columns};
    t.tensors.push_back(cov);
    t.metadata["caption"] = cap;
    t.metadata["mode"] = isForced ? "forced" : "free";
    t.metadata["attention"] = modeName(opt.mode);
    t.metadata["decoding"] = isForced ? "forced" : useBeam ? "beam " + std::to_string(opt.beamWidth) : "greedy";
    char lp[32];
    std::snprintf(lp, sizeof lp, "%.4f", d.logProb);
    t.metadata["log_probability"] = lp;
    if (!ablation.empty()) t.metadata[schema::kAblationMeta] = ablation.describe();
    return Status::success();
}

} // namespace attnscope
