#include "models/cnn.h"

#include "attnscope/savefile.h"

#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace attnscope {

AttnCnnImpl::AttnCnnImpl(const CnnConfig& cfg) : cfg_(cfg)
{
    int64_t in = 1;
    for (size_t s = 0; s < cfg.channels.size(); ++s) {
        const int64_t c = cfg.channels[s];
        const std::string n = std::to_string(s + 1);
        convs_.push_back(register_module("conv" + n, torch::nn::Conv2d(torch::nn::Conv2dOptions(in, c, 3).padding(1).bias(false))));
        norms_.push_back(register_module("bn" + n, torch::nn::BatchNorm2d(c)));
        blocks_.push_back(register_module("block" + n, AttentionBlock(cfg.block, c, cfg.reduction)));
        in = c;
    }
    const int64_t side = cfg.inputSize / 2 / 2 / 2;
    fc1_ = register_module("fc1", torch::nn::Linear(in * side * side, cfg.hidden));
    fc2_ = register_module("fc2", torch::nn::Linear(cfg.hidden, cfg.classes));
    drop_ = register_module("drop", torch::nn::Dropout(cfg.dropout));
}

torch::Tensor AttnCnnImpl::forward(const torch::Tensor& x, CnnAttention* att)
{
    auto h = x;
    for (size_t s = 0; s < convs_.size(); ++s) {
        h = torch::relu(norms_[s]->forward(convs_[s]->forward(h)));
        auto b = blocks_[s]->forward(h);
        if (att) {
            att->features.push_back(h);
            att->excitation.push_back(b.excitation);
            att->spatial.push_back(b.spatial);
        }
        h = torch::max_pool2d(b.out, 2);
    }
    h = drop_->forward(h.flatten(1));
    h = drop_->forward(torch::relu(fc1_->forward(h)));
    return fc2_->forward(h);
}

void writeModule(torch::serialize::OutputArchive& a, torch::nn::Module& m, bool half)
{
    for (const auto& p : m.named_parameters()) a.write(p.key(), half ? p.value().detach().to(torch::kHalf) : p.value().detach());
    for (const auto& p : m.named_buffers()) {
        const bool isFloat = p.value().is_floating_point();
        a.write(p.key(), half && isFloat ? p.value().to(torch::kHalf) : p.value(), /*is_buffer=*/true);
    }
}

void saveArchive(torch::serialize::OutputArchive& a, const std::string& path)
{
    std::ostringstream bytes;
    a.save_to(bytes);
    if (auto st = saveFileAtomically(path, bytes.str()); !st) throw std::runtime_error(st.message);
}

void readModule(torch::serialize::InputArchive& a, torch::nn::Module& m, const std::string& path)
{
    torch::NoGradGuard ng;
    auto load = [&](const std::string& key, torch::Tensor& dst, bool buffer) {
        torch::Tensor t;
        try {
            a.read(key, t, buffer);
        } catch (const std::exception&) {
            throw std::runtime_error(path + ": missing weight " + key);
        }
        if (t.sizes() != dst.sizes()) throw std::runtime_error(path + ": weight " + key + " has the wrong shape");
        dst.copy_(t.to(dst.dtype()));
    };
    for (auto& p : m.named_parameters()) load(p.key(), p.value(), false);
    for (auto& p : m.named_buffers()) load(p.key(), p.value(), true);
}

torch::Tensor readFormat(torch::serialize::InputArchive& a, const std::string& path)
{
    try {
        a.load_from(path);
    } catch (const std::exception&) {
        throw std::runtime_error(path + ": not an AttnScope image model (cannot read the archive)");
    }
    torch::Tensor f;
    try {
        a.read("format", f);
    } catch (const std::exception&) {
        throw std::runtime_error(path + ": no format record; not an AttnScope image model");
    }
    if (f.dim() != 1 || f.size(0) < 1 || f.scalar_type() != torch::kInt64)
        throw std::runtime_error(path + ": corrupt format record");
    return f;
}

TraceTensor traceTensor(const std::string& name, std::vector<std::string> axes, const torch::Tensor& t)
{
    TraceTensor r;
    r.name = name;
    r.axes = std::move(axes);
    const auto c = t.detach().to(torch::kFloat32).contiguous();
    for (auto s : c.sizes()) r.shape.push_back(s);
    r.labels.resize(r.axes.size());
    r.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    return r;
}

void addPrediction(AttentionTrace& trace, const torch::Tensor& probs)
{
    const auto& names = fashionMnistClasses();
    auto p = traceTensor("probabilities", {"class"}, probs);
    p.labels[0].assign(names.begin(), names.end());
    const int best = int(probs.argmax().item<int64_t>());
    trace.metadata["prediction"] = names[size_t(best)];
    char conf[32];
    std::snprintf(conf, sizeof conf, "%.4f", probs[best].item<double>());
    trace.metadata["confidence"] = conf;
    trace.tensors.push_back(std::move(p));
}

torch::Tensor imageBatch(const FashionMnist& set, int first, int count, bool normalise)
{
    auto x = torch::from_blob(const_cast<uint8_t*>(set.images.image(first)), {count, 1, 28, 28}, torch::kUInt8)
                 .to(torch::kFloat32)
                 .div_(255.0f);
    return normalise ? x.sub_(kFmnistMean).div_(kFmnistStd) : x;
}

torch::Tensor labelBatch(const FashionMnist& set, int first, int count)
{
    return torch::from_blob(const_cast<uint8_t*>(set.labels.data() + first), {count}, torch::kUInt8).to(torch::kInt64);
}

int64_t countParameters(torch::nn::Module& m)
{
    int64_t n = 0;
    for (const auto& p : m.parameters()) n += p.numel();
    return n;
}

void saveCnn(AttnCnn& m, const std::string& path, bool half)
{
    torch::serialize::OutputArchive a;
    writeModule(a, *m, half);
    const auto& c = m->config();
    a.write("format", torch::tensor({int64_t(3), int64_t(c.block), c.channels[0], c.channels[1], c.channels[2], c.reduction,
                                     c.hidden, c.classes, c.inputSize}));
    saveArchive(a, path);
}

AttnCnn loadCnn(const std::string& path)
{
    torch::serialize::InputArchive a;
    const torch::Tensor f = readFormat(a, path);
    if ((f.size(0) != 8 && f.size(0) != 9) || f[0].item<int64_t>() != 3)
        throw std::runtime_error(path + ": not an image-classifier weights file (it may be a translation model)");
    CnnConfig c;
    const int64_t kind = f[1].item<int64_t>();
    if (kind < 0 || kind > 3) throw std::runtime_error(path + ": unknown attention block kind " + std::to_string(kind));
    c.block = BlockKind(kind);
    for (int i = 0; i < 3; ++i) c.channels[size_t(i)] = f[2 + i].item<int64_t>();
    c.reduction = f[5].item<int64_t>();
    c.hidden = f[6].item<int64_t>();
    c.classes = f[7].item<int64_t>();
    if (f.size(0) == 9) c.inputSize = f[8].item<int64_t>();
    if (c.inputSize < 8 || c.inputSize > 512) throw std::runtime_error(path + ": implausible input size");
    for (auto v : {c.channels[0], c.channels[1], c.channels[2], c.reduction, c.hidden, c.classes})
        if (v < 1 || v > 4096) throw std::runtime_error(path + ": implausible model configuration");
    AttnCnn m(c);
    readModule(a, *m, path);
    m->eval();
    return m;
}

} // namespace attnscope
