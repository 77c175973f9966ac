#include "models/bundle.h"
#include "models/cnn.h"

#include <stdexcept>

namespace attnscope {

std::string ModelBundle::scoreFunction() const
{
    return isTransformer() ? std::string("scaled-dot") : scoreName(gru->config().score);
}

torch::Tensor bytesTensor(const std::string& s)
{
    return torch::from_blob(const_cast<char*>(s.data()), {int64_t(s.size())}, torch::kUInt8).clone();
}

std::string tensorBytes(const torch::Tensor& t)
{
    const auto c = t.contiguous().to(torch::kUInt8);
    return std::string(reinterpret_cast<const char*>(c.data_ptr<uint8_t>()), size_t(c.numel()));
}

namespace {
std::string key(const std::string& name)
{
    std::string k = name;
    for (auto& ch : k)
        if (ch == '.') ch = '/';
    return "p/" + k;
}
} // namespace

void saveBundle(ModelBundle& b, const std::string& path, bool half)
{
    torch::serialize::OutputArchive a;
    if (b.isTransformer()) {
        const auto& c = b.transformer->config();
        a.write("format", torch::tensor({int64_t(2), c.sourceVocab, c.targetVocab, c.dModel, c.heads, c.encoderLayers,
                                         c.decoderLayers, c.feedForward, c.alignLayer, c.alignHead}));
    } else {
        const auto& c = b.gru->config();
        a.write("format", torch::tensor({int64_t(1), c.sourceVocab, c.targetVocab, c.embedding, c.hidden, int64_t(c.score)}));
    }
    a.write("name", bytesTensor(b.name));
    a.write("vocab_source", bytesTensor(b.source.serialize()));
    a.write("vocab_target", bytesTensor(b.target.serialize()));
    for (const auto& p : b.module().named_parameters())
        a.write(key(p.key()), half ? p.value().detach().to(torch::kHalf) : p.value().detach().clone());
    saveArchive(a, path);
}

ModelBundle loadBundle(const std::string& path)
{
    torch::serialize::InputArchive a;
    try {
        a.load_from(path);
    } catch (const c10::Error&) {
        throw std::runtime_error(path + " is not a readable AttnScope weights file (corrupt or wrong format)");
    }
    torch::Tensor format, name, vs, vt;
    if (!a.try_read("format", format) || format.dim() != 1 || format.numel() < 1)
        throw std::runtime_error(path + " is not an AttnScope translation weights file (no format record)");
    const int64_t version = format[0].item<int64_t>();
    if (!((version == 1 && format.numel() == 6) || (version == 2 && format.numel() == 10)))
        throw std::runtime_error(path + ": unknown weights format (version " + std::to_string(version) + ")");
    ModelBundle b;
    if (!a.try_read("vocab_source", vs) || !a.try_read("vocab_target", vt) ||
        !Vocab::deserialize(tensorBytes(vs), b.source) || !Vocab::deserialize(tensorBytes(vt), b.target))
        throw std::runtime_error(path + ": vocabulary records are missing or corrupt");
    if (a.try_read("name", name)) b.name = tensorBytes(name);
    const auto f = [&](int i) { return format[i].item<int64_t>(); };
    const auto bad = [&] { return std::runtime_error(path + ": inconsistent model configuration"); };
    if (f(1) != b.source.size() || f(2) != b.target.size()) throw bad();
    if (version == 1) {
        Seq2SeqConfig c;
        c.sourceVocab = f(1);
        c.targetVocab = f(2);
        c.embedding = f(3);
        c.hidden = f(4);
        c.score = ScoreFunction(f(5));
        if (c.embedding <= 0 || c.hidden <= 0 || c.embedding > 4096 || c.hidden > 4096 || f(5) < 0 || f(5) > 4) throw bad();
        b.gru = Seq2Seq(c);
    } else {
        TransformerConfig c;
        c.sourceVocab = f(1);
        c.targetVocab = f(2);
        c.dModel = f(3);
        c.heads = f(4);
        c.encoderLayers = f(5);
        c.decoderLayers = f(6);
        c.feedForward = f(7);
        c.alignLayer = f(8);
        c.alignHead = f(9);
        if (c.dModel <= 0 || c.dModel > 4096 || c.dModel % 2 || c.heads <= 0 || c.heads > 64 || c.dModel % c.heads ||
            c.encoderLayers <= 0 || c.encoderLayers > 48 || c.decoderLayers <= 0 || c.decoderLayers > 48 ||
            c.feedForward <= 0 || c.feedForward > 65536 || c.alignLayer < 0 || c.alignLayer >= c.decoderLayers ||
            c.alignHead < 0 || c.alignHead >= c.heads)
            throw bad();
        b.transformer = TransformerNMT(c);
    }
    torch::NoGradGuard ng;
    for (auto& p : b.module().named_parameters()) {
        torch::Tensor t;
        if (!a.try_read(key(p.key()), t))
            throw std::runtime_error(path + ": parameter '" + p.key() + "' is missing");
        if (t.sizes() != p.value().sizes())
            throw std::runtime_error(path + ": parameter '" + p.key() + "' has the wrong shape");
        p.value().copy_(t.to(torch::kFloat));
    }
    b.module().eval();
    return b;
}

} // namespace attnscope
