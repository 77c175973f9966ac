// What the ONNX text runtimes share (onnxtext.h).
#include "onnxtext.h"

#include <QFile>
#include <QJsonDocument>

#include <algorithm>

namespace attnscope::onnxtext {

bool hasInput(const OnnxModel& m, const std::string& name)
{
    for (const auto& v : m.inspection().inputs)
        if (v.name == name) return true;
    return false;
}

OnnxTensor int64Row(const std::vector<int64_t>& ids)
{
    OnnxTensor t;
    t.shape = {1, int64_t(ids.size())};
    t.int64Values = ids;
    return t;
}

std::vector<FoundHead> softmaxes(const OnnxRunResult& r)
{
    std::vector<FoundHead> out;
    for (const auto& a : r.attention) {
        if (a.kind != OnnxAttention::Kind::Softmax || a.shape.size() < 3) continue;
        const auto it = r.values.find(a.output);
        if (it == r.values.end()) continue;
        FoundHead f;
        f.node = a.node;
        f.output = a.output;
        f.queries = a.shape[a.shape.size() - 2];
        f.keys = a.shape.back();
        f.heads = a.heads > 0 ? a.heads : (a.shape.size() == 4 ? a.shape[1] : a.shape[0]);
        f.values = &it->second.values;
        if (f.heads * f.queries * f.keys != int64_t(f.values->size())) continue;  // a batch > 1 is not ours
        out.push_back(f);
    }
    return out;
}

std::vector<FoundHead> selfAttention(const OnnxRunResult& r, int64_t tokens)
{
    std::vector<FoundHead> out;
    for (const auto& f : softmaxes(r))
        if (f.queries == tokens && f.keys == tokens && (out.empty() || f.heads == out.front().heads)) out.push_back(f);
    return out;
}

Status stack(const std::string& name, const std::vector<FoundHead>& layers, const std::vector<std::string>& queries,
             const std::vector<std::string>& keys, TraceTensor& out)
{
    out = TraceTensor{};
    if (layers.empty()) return Status::error(name + ": no Softmax attention found");
    out.name = name;
    out.axes = {"layer", "head", "query", "key"};
    const int64_t H = layers.front().heads;
    std::vector<std::string> layerNames, headNames;
    for (const auto& l : layers) {
        if (l.heads != H)
            return Status::error(name + ": the Softmax nodes have different head counts (" + std::to_string(H) + " and " +
                                 std::to_string(l.heads) + " at " + l.node + ")");
        out.values.insert(out.values.end(), l.values->begin(), l.values->end());
        layerNames.push_back(l.node);
    }
    for (int64_t h = 0; h < H; ++h) headNames.push_back("h" + std::to_string(h + 1));
    out.shape = {int64_t(layers.size()), H, int64_t(queries.size()), int64_t(keys.size())};
    out.labels = {layerNames, headNames, queries, keys};
    return out.validate();
}

bool stackNormLens(const OnnxRunResult& r, const std::string& name, const std::vector<FoundHead>& layers,
                   const std::vector<std::string>& queries, const std::vector<std::string>& keys, TraceTensor& out, std::string& why)
{
    std::vector<FoundHead> lens = layers;
    for (auto& f : lens) {
        const auto it = r.values.find(f.output + ".norm");
        if (it == r.values.end() || it->second.values.size() != f.values->size()) {
            const auto m = r.lensUnavailable.find(f.output);
            why = m != r.lensUnavailable.end() ? m->second : f.node + ": no norm lens";
            return false;
        }
        f.values = &it->second.values;
    }
    if (!stack(name + ".norm", lens, queries, keys, out)) return false;
    return true;
}

std::string logitsName(const OnnxModel& m)
{
    for (const auto& o : m.inspection().outputs)
        if (o.name == "logits") return o.name;
    return m.inspection().outputs.at(0).name;
}

Status argmaxAt(const OnnxTensor& logits, int64_t position, int64_t vocabulary, const std::string& what, int64_t& next)
{
    const int64_t V = logits.shape.empty() ? 0 : logits.shape.back();
    if (V < vocabulary || logits.shape.size() != 3 || logits.shape[0] != 1 || logits.shape[1] <= position ||
        int64_t(logits.values.size()) != logits.shape[1] * V)
        return Status::error(what + ": the logits are " + std::to_string(V) + " wide over " +
                             std::to_string(logits.shape.size() > 1 ? logits.shape[1] : 0) + " positions but the vocabulary has " +
                             std::to_string(vocabulary) + " tokens and position " + std::to_string(position + 1) + " is needed");
    const float* row = logits.values.data() + position * V;
    next = int64_t(std::max_element(row, row + vocabulary) - row);
    return Status::success();
}

QJsonObject readJson(const QDir& dir, const char* name, std::string& error)
{
    QFile f(dir.filePath(QLatin1String(name)));
    if (!f.exists()) return {};
    if (!f.open(QIODevice::ReadOnly) || f.size() > (1 << 22)) {
        error = f.fileName().toStdString() + " cannot be read";
        return {};
    }
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (!doc.isObject()) error = f.fileName().toStdString() + " is not a JSON object (" + err.errorString().toStdString() + ")";
    return doc.object();
}

} // namespace attnscope::onnxtext
