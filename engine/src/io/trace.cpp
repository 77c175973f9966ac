// AttentionTrace validation, binary .attn and JSON serialisation.
#include "attnscope/trace.h"

#include <QByteArray>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <algorithm>
#include <cstring>

namespace attnscope {

namespace {
constexpr char kMagic[8] = {'A', 'T', 'T', 'N', 'S', 'C', 'O', 'P'};
constexpr uint32_t kVersion = 1;
constexpr int64_t kMaxElements = int64_t(1) << 31;  // 8 GiB of float32: refuse beyond

QString q(const std::string& s) { return QString::fromStdString(s); }
std::string s(const QJsonValue& v) { return v.toString().toStdString(); }

QJsonArray strings(const std::vector<std::string>& v)
{
    QJsonArray a;
    for (const auto& x : v) a.append(q(x));
    return a;
}
std::vector<std::string> strings(const QJsonArray& a)
{
    std::vector<std::string> v;
    v.reserve(size_t(a.size()));
    for (const auto& x : a) v.push_back(s(x));
    return v;
}

// Header without values; `withValues` adds nested arrays (JSON form).
QJsonObject header(const AttentionTrace& t, bool withValues)
{
    QJsonObject h;
    h["format"] = "attnscope-trace";
    h["version"] = int(kVersion);
    h["model"] = q(t.model);
    h["score_function"] = q(t.scoreFunction);
    QJsonObject meta;
    for (const auto& [k, v] : t.metadata) meta[q(k)] = q(v);
    h["metadata"] = meta;
    QJsonArray gold;
    for (const auto& l : t.goldLinks) gold.append(QJsonArray{l.source, l.target});
    h["gold_links"] = gold;
    QJsonArray se, te;
    for (auto b : t.sourceEvaluated) se.append(int(b));
    for (auto b : t.targetEvaluated) te.append(int(b));
    h["source_evaluated"] = se;
    h["target_evaluated"] = te;
    QJsonArray tensors;
    for (const auto& x : t.tensors) {
        QJsonObject o;
        o["name"] = q(x.name);
        o["axes"] = strings(x.axes);
        QJsonArray shape;
        for (auto d : x.shape) shape.append(qint64(d));
        o["shape"] = shape;
        QJsonArray labels;
        for (const auto& l : x.labels) labels.append(strings(l));
        o["labels"] = labels;
        o["dtype"] = "float32";
        if (withValues) {
            // Nested by the first axis, flat within a row: [[row0...], [row1...]].
            const int64_t rows = x.shape.empty() ? 1 : x.shape[0];
            const int64_t per = rows ? x.numel() / rows : 0;
            QJsonArray vals;
            for (int64_t r = 0; r < rows; ++r) {
                QJsonArray row;
                for (int64_t c = 0; c < per; ++c) row.append(double(x.values[size_t(r * per + c)]));
                vals.append(row);
            }
            o["values"] = vals;
        }
        tensors.append(o);
    }
    h["tensors"] = tensors;
    return h;
}

Status fromHeader(const QJsonObject& h, AttentionTrace& t, bool withValues)
{
    if (h["format"].toString() != "attnscope-trace")
        return Status::error("not an AttnScope trace (format field missing)");
    if (h["version"].toInt() != int(kVersion))
        return Status::error("unsupported trace version " + std::to_string(h["version"].toInt()));
    t = AttentionTrace{};
    t.model = s(h["model"]);
    t.scoreFunction = s(h["score_function"]);
    const QJsonObject meta = h["metadata"].toObject();
    for (auto it = meta.begin(); it != meta.end(); ++it)
        t.metadata[it.key().toStdString()] = it.value().toString().toStdString();
    for (const auto& l : h["gold_links"].toArray()) {
        const QJsonArray p = l.toArray();
        if (p.size() != 2) return Status::error("gold link is not a pair");
        t.goldLinks.push_back({p[0].toInt(), p[1].toInt()});
    }
    for (const auto& b : h["source_evaluated"].toArray()) t.sourceEvaluated.push_back(uint8_t(b.toInt()));
    for (const auto& b : h["target_evaluated"].toArray()) t.targetEvaluated.push_back(uint8_t(b.toInt()));
    for (const auto& v : h["tensors"].toArray()) {
        const QJsonObject o = v.toObject();
        TraceTensor x;
        x.name = s(o["name"]);
        x.axes = strings(o["axes"].toArray());
        int64_t n = 1;
        for (const auto& d : o["shape"].toArray()) {
            const qint64 e = d.toInteger(-1);
            if (e < 0 || e > kMaxElements) return Status::error("tensor '" + x.name + "' has an invalid shape");
            x.shape.push_back(e);
            n *= std::max<int64_t>(e, 1);
            if (n > kMaxElements) return Status::error("tensor '" + x.name + "' is too large");
        }
        for (const auto& l : o["labels"].toArray()) x.labels.push_back(strings(l.toArray()));
        if (o["dtype"].toString() != "float32")
            return Status::error("tensor '" + x.name + "' has unsupported dtype " + s(o["dtype"]));
        if (withValues) {
            x.values.reserve(size_t(x.numel()));
            for (const auto& row : o["values"].toArray())
                for (const auto& e : row.toArray()) x.values.push_back(float(e.toDouble()));
        }
        t.tensors.push_back(std::move(x));
    }
    return Status::success();
}

Status writeFile(const std::string& path, const QByteArray& data)
{
    QSaveFile f(q(path));
    if (!f.open(QIODevice::WriteOnly))
        return Status::error("cannot write " + path + ": " + f.errorString().toStdString());
    if (f.write(data) != data.size() || !f.commit())
        return Status::error("cannot write " + path + ": " + f.errorString().toStdString());
    return Status::success();
}

Status readFile(const std::string& path, QByteArray& data)
{
    QFile f(q(path));
    if (!f.exists()) return Status::error("file not found: " + path);
    if (!f.open(QIODevice::ReadOnly))
        return Status::error("cannot read " + path + ": " + f.errorString().toStdString());
    data = f.readAll();
    return Status::success();
}

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
} // namespace

int64_t TraceTensor::numel() const
{
    int64_t n = 1;
    for (auto d : shape) n *= d;
    return shape.empty() ? 0 : n;
}

Status TraceTensor::validate() const
{
    if (axes.size() != shape.size())
        return Status::error("tensor '" + name + "': " + std::to_string(axes.size()) + " axis names for " +
                             std::to_string(shape.size()) + " dimensions");
    if (int64_t(values.size()) != numel())
        return Status::error("tensor '" + name + "': " + std::to_string(values.size()) + " values for shape of " +
                             std::to_string(numel()));
    if (!labels.empty() && labels.size() != shape.size())
        return Status::error("tensor '" + name + "': labels for " + std::to_string(labels.size()) + " of " +
                             std::to_string(shape.size()) + " axes");
    for (size_t a = 0; a < labels.size(); ++a)
        if (!labels[a].empty() && int64_t(labels[a].size()) != shape[a])
            return Status::error("tensor '" + name + "': axis '" + axes[a] + "' has " +
                                 std::to_string(shape[a]) + " entries but " + std::to_string(labels[a].size()) +
                                 " labels");
    return Status::success();
}

bool operator==(const TraceTensor& a, const TraceTensor& b)
{
    return a.name == b.name && a.axes == b.axes && a.shape == b.shape && a.labels == b.labels &&
           a.values.size() == b.values.size() &&
           std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(float)) == 0;
}

Status sliceHead(const TraceTensor& t, int layer, int head, const std::string& name, TraceTensor& out)
{
    if (t.shape.size() != 4 || int64_t(t.values.size()) != t.numel())
        return Status::error("tensor '" + t.name + "' is not [layer, head, query, key]");
    if (layer < 0 || head < 0 || layer >= t.shape[0] || head >= t.shape[1])
        return Status::error("tensor '" + t.name + "' has no layer " + std::to_string(layer + 1) + ", head " +
                             std::to_string(head + 1));
    const int64_t per = t.shape[2] * t.shape[3];
    const auto begin = t.values.begin() + (int64_t(layer) * t.shape[1] + head) * per;
    out = TraceTensor{};
    out.name = name;
    out.axes = {t.axes.size() == 4 ? t.axes[2] : "query", t.axes.size() == 4 ? t.axes[3] : "key"};
    out.shape = {t.shape[2], t.shape[3]};
    if (t.labels.size() == 4) out.labels = {t.labels[2], t.labels[3]};
    out.values.assign(begin, begin + per);
    return Status::success();
}

void addTraceWarning(AttentionTrace& trace, const std::string& warning)
{
    if (warning.empty()) return;
    std::string& w = trace.metadata["warning"];
    w = w.empty() ? warning : w + "; " + warning;
}

TraceTensor asMultiHead(const TraceTensor& t)
{
    if (t.shape.size() != 2) return t;
    TraceTensor out = t;
    out.axes = {"layer", "head", t.axes.size() == 2 ? t.axes[0] : "query", t.axes.size() == 2 ? t.axes[1] : "key"};
    out.shape = {1, 1, t.shape[0], t.shape[1]};
    if (t.labels.size() == 2) out.labels = {{}, {}, t.labels[0], t.labels[1]};
    return out;
}

bool AttentionTrace::operator==(const AttentionTrace& o) const
{
    return model == o.model && scoreFunction == o.scoreFunction && metadata == o.metadata &&
           tensors == o.tensors && goldLinks == o.goldLinks && sourceEvaluated == o.sourceEvaluated &&
           targetEvaluated == o.targetEvaluated;
}

const TraceTensor* AttentionTrace::find(const std::string& name) const
{
    for (const auto& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

std::string AttentionTrace::meta(const std::string& key) const
{
    auto it = metadata.find(key);
    return it == metadata.end() ? std::string() : it->second;
}

Status AttentionTrace::validate() const
{
    for (const auto& t : tensors)
        if (auto st = t.validate(); !st) return st;
    return Status::success();
}

Status writeTraceTo(const AttentionTrace& trace, const ByteSink& sink)
{
    if (auto st = trace.validate(); !st) return st;
    const QByteArray json = QJsonDocument(header(trace, false)).toJson(QJsonDocument::Compact);
    QByteArray head;
    head.append(kMagic, sizeof kMagic);
    const uint32_t version = kVersion;  // little-endian hosts only (x86_64, arm64)
    const uint64_t len = uint64_t(json.size());
    head.append(reinterpret_cast<const char*>(&version), sizeof version);
    head.append(reinterpret_cast<const char*>(&len), sizeof len);
    head.append(json);
    if (!sink(head.constData(), size_t(head.size()))) return Status::error("cancelled");
    constexpr size_t kChunk = size_t(8) << 20;
    for (const auto& t : trace.tensors) {
        const char* p = reinterpret_cast<const char*>(t.values.data());
        const size_t bytes = t.values.size() * sizeof(float);
        for (size_t at = 0; at < bytes; at += kChunk)
            if (!sink(p + at, std::min(kChunk, bytes - at))) return Status::error("cancelled");
    }
    return Status::success();
}

Status saveTrace(const AttentionTrace& trace, const std::string& path)
{
    if (auto st = trace.validate(); !st) return st;
    QSaveFile f(q(path));
    if (!f.open(QIODevice::WriteOnly)) return Status::error("cannot write " + path + ": " + f.errorString().toStdString());
    const auto st = writeTraceTo(trace, [&f](const char* data, size_t size) { return f.write(data, qint64(size)) == qint64(size); });
    if (!st || !f.commit()) {
        f.cancelWriting();
        return Status::error("cannot write " + path + ": " + (st ? f.errorString().toStdString() : st.message));
    }
    return Status::success();
}

Status parseTrace(const char* data, size_t size, const std::string& path, AttentionTrace& out)
{
    const size_t fixed = sizeof kMagic + sizeof(uint32_t) + sizeof(uint64_t);
    if (size < fixed || std::memcmp(data, kMagic, sizeof kMagic) != 0)
        return Status::error(path + " is not an AttnScope .attn file (bad magic)");
    uint32_t version = 0;
    uint64_t len = 0;
    std::memcpy(&version, data + 8, 4);
    std::memcpy(&len, data + 12, 8);
    if (version != kVersion) return Status::error(path + ": unsupported .attn version " + std::to_string(version));
    if (len > uint64_t(size) - fixed) return Status::error(path + " is truncated (header)");
    QJsonParseError err{};
    const auto doc = QJsonDocument::fromJson(QByteArray::fromRawData(data + fixed, qsizetype(len)), &err);
    if (doc.isNull()) return Status::error(path + ": corrupt header: " + err.errorString().toStdString());
    AttentionTrace t;
    if (auto st = fromHeader(doc.object(), t, false); !st) return Status::error(path + ": " + st.message);
    uint64_t pos = fixed + len;
    for (auto& x : t.tensors) {
        const uint64_t bytes = uint64_t(x.numel()) * sizeof(float);
        if (bytes > uint64_t(size) - pos) return Status::error(path + " is truncated (tensor '" + x.name + "')");
        x.values.resize(size_t(x.numel()));
        std::memcpy(x.values.data(), data + pos, bytes);
        pos += bytes;
    }
    if (pos != uint64_t(size)) return Status::error(path + " has trailing bytes: corrupt file");
    if (auto st = t.validate(); !st) return Status::error(path + ": " + st.message);
    out = std::move(t);
    return Status::success();
}

Status loadTrace(const std::string& path, AttentionTrace& out)
{
    // Memory-mapped: the values are copied once, from the page cache into the trace.
    QFile f(q(path));
    if (!f.exists()) return Status::error("file not found: " + path);
    if (!f.open(QIODevice::ReadOnly)) return Status::error("cannot read " + path + ": " + f.errorString().toStdString());
    if (f.size() == 0) return Status::error(path + " is empty");
    const uchar* data = f.map(0, f.size());
    if (!data) {
        QByteArray all = f.readAll();
        return parseTrace(all.constData(), size_t(all.size()), path, out);
    }
    const Status st = parseTrace(reinterpret_cast<const char*>(data), size_t(f.size()), path, out);
    f.unmap(const_cast<uchar*>(data));
    return st;
}

std::string traceToJson(const AttentionTrace& trace)
{
    return QJsonDocument(header(trace, true)).toJson(QJsonDocument::Indented).toStdString();
}

Status traceFromJson(const std::string& json, AttentionTrace& out)
{
    QJsonParseError err{};
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &err);
    if (doc.isNull() || !doc.isObject()) return Status::error("invalid JSON: " + err.errorString().toStdString());
    AttentionTrace t;
    if (auto st = fromHeader(doc.object(), t, true); !st) return st;
    if (auto st = t.validate(); !st) return st;
    out = std::move(t);
    return Status::success();
}

Status saveTraceJson(const AttentionTrace& trace, const std::string& path)
{
    if (auto st = trace.validate(); !st) return st;
    return writeFile(path, QByteArray::fromStdString(traceToJson(trace)));
}

Status loadTraceJson(const std::string& path, AttentionTrace& out)
{
    QByteArray data;
    if (auto st = readFile(path, data); !st) return st;
    if (auto st = traceFromJson(data.toStdString(), out); !st) return Status::error(path + ": " + st.message);
    return Status::success();
}

Status saveTraceAuto(const AttentionTrace& trace, const std::string& path)
{
    if (endsWith(path, ".json")) return saveTraceJson(trace, path);
    if (endsWith(path, ".attn")) return saveTrace(trace, path);
    return Status::error("unknown trace extension for " + path + " (use .attn or .json)");
}

Status loadTraceAuto(const std::string& path, AttentionTrace& out)
{
    if (endsWith(path, ".json")) return loadTraceJson(path, out);
    return loadTrace(path, out);
}

} // namespace attnscope
