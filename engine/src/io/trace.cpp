// AttentionTrace validation, binary .attn and JSON serialisation.
#include "attnscope/trace.h"

#include "long/storage.h"

#include <QByteArray>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include "attnscope/savefile.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstring>

namespace attnscope {

namespace {
constexpr char kMagic[8] = {'A', 'T', 'T', 'N', 'S', 'C', 'O', 'P'};
constexpr uint32_t kVersion = 2;      // written by saveTrace
constexpr uint32_t kStreamVersion = 1;  // written by writeTraceTo (dense float32 only)
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

// Header without values; `withValues` adds nested arrays (JSON form). `storage`, when given,
// holds each tensor's version-2 storage record.
QJsonObject header(const AttentionTrace& t, bool withValues, uint32_t version = kStreamVersion,
                   const std::vector<QJsonObject>* storage = nullptr)
{
    QJsonObject h;
    h["format"] = "attnscope-trace";
    h["version"] = int(version);
    h["model"] = q(t.model);
    h["score_function"] = q(t.scoreFunction);
    QJsonObject meta;
    for (const auto& [k, v] : t.metadata) meta[q(k)] = q(v);
    h["metadata"] = meta;
    QJsonArray gold;
    for (const auto& l : t.goldLinks) gold.append(QJsonArray{l.source, l.target});
    h["gold_links"] = gold;
    if (!t.possibleLinks.empty()) {
        QJsonArray possible;
        for (const auto& l : t.possibleLinks) possible.append(QJsonArray{l.source, l.target});
        h["possible_links"] = possible;
    }
    QJsonArray se, te;
    for (auto b : t.sourceEvaluated) se.append(int(b));
    for (auto b : t.targetEvaluated) te.append(int(b));
    h["source_evaluated"] = se;
    h["target_evaluated"] = te;
    QJsonArray tensors;
    for (size_t ti = 0; ti < t.tensors.size(); ++ti) {
        const TraceTensor& x = t.tensors[ti];
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
        if (storage) o["storage"] = (*storage)[ti];
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
    if (h["version"].toInt() != 1 && h["version"].toInt() != 2)
        return Status::error("unsupported trace version " + std::to_string(h["version"].toInt()) +
                             " (this AttnScope reads versions 1 and 2; a newer AttnScope wrote it)");
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
    for (const auto& l : h["possible_links"].toArray()) {
        const QJsonArray p = l.toArray();
        if (p.size() != 2) return Status::error("possible link is not a pair");
        t.possibleLinks.push_back({p[0].toInt(), p[1].toInt()});
    }
    for (const auto& b : h["source_evaluated"].toArray()) t.sourceEvaluated.push_back(uint8_t(b.toInt()));
    for (const auto& b : h["target_evaluated"].toArray()) t.targetEvaluated.push_back(uint8_t(b.toInt()));
    for (const auto& v : h["tensors"].toArray()) {
        const QJsonObject o = v.toObject();
        TraceTensor x;
        x.name = s(o["name"]);
        x.axes = strings(o["axes"].toArray());
        int64_t n = 1;
        const bool stored = o["storage"].toObject()["layout"].toString() == "tiled" ||
                            o["storage"].toObject()["layout"].toString() == "qk";
        for (const auto& d : o["shape"].toArray()) {
            const qint64 e = d.toInteger(-1);
            if (e < 0 || e > kMaxElements) return Status::error("tensor '" + x.name + "' has an invalid shape");
            x.shape.push_back(e);
            // Tiled and Q/K tensors stay in the file: only their extents are bounded.
            if (__builtin_mul_overflow(n, std::max<int64_t>(e, 1), &n) || n > (stored ? (int64_t(1) << 62) : kMaxElements))
                return Status::error("tensor '" + x.name + "' is too large");
        }
        for (const auto& l : o["labels"].toArray()) x.labels.push_back(strings(l.toArray()));
        if (!o.contains("storage") && o["dtype"].toString() != "float32")
            return Status::error("tensor '" + x.name + "' has unsupported dtype " + s(o["dtype"]));
        if (withValues) {
            x.values.reserve(size_t(x.numel()));
            for (const auto& row : o["values"].toArray())
                for (const auto& e : row.toArray())  // JSON has no NaN: null (Qt's NaN) or a non-number is one
                    x.values.push_back(e.isDouble() ? float(e.toDouble()) : std::numeric_limits<float>::quiet_NaN());
        }
        t.tensors.push_back(std::move(x));
    }
    return Status::success();
}

Status writeFile(const std::string& path, const QByteArray& data)
{
    return saveFileAtomically(path, data.constData(), size_t(data.size()));
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
    if (store) {
        const bool fits = (shape.size() == 4 && shape[0] == store->layers() && shape[1] == store->heads() &&
                           shape[2] == store->rows() && shape[3] == store->cols()) ||
                          (shape.size() == 2 && store->layers() == 1 && store->heads() == 1 &&
                           shape[0] == store->rows() && shape[1] == store->cols());
        if (!fits || !values.empty())
            return Status::error("tensor '" + name + "': its store does not match its shape");
    } else if (int64_t(values.size()) != numel()) {
        return Status::error("tensor '" + name + "': " + std::to_string(values.size()) + " values for shape of " +
                             std::to_string(numel()));
    }
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
           a.store == b.store && a.values.size() == b.values.size() &&
           std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(float)) == 0;
}

Status sliceHead(const TraceTensor& t, int layer, int head, const std::string& name, TraceTensor& out)
{
    if (t.store) return Status::error("tensor '" + t.name + "' is kept in tiles or as queries and keys; read it with matrixOf");
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
    if (w.find(warning) != std::string::npos) return;  // said already (a saved trace read back)
    // Each warning is a sentence of its own: "… shown. This model …", never glued with "; ".
    const char last = w.empty() ? '.' : w.back();
    w = w.empty() ? warning : w + (last == '.' || last == '!' || last == '?' ? " " : ". ") + warning;
}

std::string nonFiniteReport(const AttentionTrace& trace)
{
    std::string out;
    for (const auto& t : trace.tensors) {
        if (t.store) continue;
        int64_t count = 0, first = -1;
        for (size_t i = 0; i < t.values.size(); ++i)
            if (!std::isfinite(t.values[i])) {
                if (first < 0) first = int64_t(i);
                ++count;
            }
        if (count == 0) continue;
        // The first one's index, one coordinate per axis.
        std::vector<int64_t> at(t.shape.size());
        int64_t rest = first;
        for (size_t k = t.shape.size(); k-- > 0;) {
            const int64_t n = std::max<int64_t>(1, t.shape[k]);
            at[k] = rest % n;
            rest /= n;
        }
        std::string index;
        for (size_t k = 0; k < at.size(); ++k) index += (k ? ", " : "") + std::to_string(at[k]);
        out += (out.empty() ? "" : "; ") + t.name + ": " + std::to_string(count) + " non-finite value" + (count == 1 ? "" : "s") +
               " (NaN or ±Inf), the first at [" + index + "]; they are drawn as no value";
    }
    return out;
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
           tensors == o.tensors && goldLinks == o.goldLinks && possibleLinks == o.possibleLinks && sourceEvaluated == o.sourceEvaluated &&
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
    for (const auto& t : trace.tensors)
        if (t.store)
            return Status::error("tensor '" + t.name + "' is kept in a file (" + t.store->layout() +
                                 "); save the trace to its own .attn file instead");
    const QByteArray json = QJsonDocument(header(trace, false)).toJson(QJsonDocument::Compact);
    QByteArray head;
    head.append(kMagic, sizeof kMagic);
    const uint32_t version = kStreamVersion;  // little-endian hosts only (x86_64, arm64)
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

namespace {
using namespace longattn;

/// How one tensor is laid out in a version-2 file.
struct Plan {
    enum Layout { Dense, Tiled, Qk } layout = Dense;
    int64_t layers = 1, heads = 1, rows = 0, cols = 0;
    TiledGeometry geometry;
    uint64_t offset = 0, bytes = 0;
    QJsonObject record() const
    {
        QJsonObject o;
        o["layout"] = layout == Dense ? "dense" : layout == Tiled ? "tiled" : "qk";
        o["offset"] = qint64(offset);
        o["bytes"] = qint64(bytes);
        if (layout == Tiled) {
            o["dtype"] = storageTypeName(geometry.type);
            o["tile"] = qint64(kTileSize);
            QJsonArray blocks;
            for (const auto& l : geometry.levels) blocks.append(qint64(l.block));
            o["blocks"] = blocks;
            o["matrix_bytes"] = qint64(geometry.matrixBytes);
        } else {
            o["dtype"] = "float32";
        }
        return o;
    }
};

/// [layer, head, query, key] extents of a 2-D or 4-D tensor.
void extents(const TraceTensor& t, Plan& p)
{
    if (t.store) {
        p.layers = t.store->layers();
        p.heads = t.store->heads();
        p.rows = t.store->rows();
        p.cols = t.store->cols();
    } else if (t.shape.size() == 4) {
        p.layers = t.shape[0];
        p.heads = t.shape[1];
        p.rows = t.shape[2];
        p.cols = t.shape[3];
    } else if (t.shape.size() == 2) {
        p.rows = t.shape[0];
        p.cols = t.shape[1];
    }
}

QJsonObject qkRecord(const QkStore& q, const Plan& p)
{
    QJsonObject o = p.record();
    const auto& d = q.dims();
    o["head_dim"] = qint64(d.headDim);
    o["kv_heads"] = qint64(d.kvHeads);
    o["scale"] = d.scale;
    o["causal"] = d.causal;
    return o;
}

uint64_t qkBytes(const QkStore::Dims& d, uint64_t* kAt, uint64_t* lseAt)
{
    const uint64_t q = alignUp(4 * uint64_t(d.layers * d.heads * d.tokens * d.headDim));
    const uint64_t k = alignUp(4 * uint64_t(d.layers * d.kvHeads * d.tokens * d.headDim));
    if (kAt) *kAt = q;
    if (lseAt) *lseAt = q + k;
    return q + k + alignUp(4 * uint64_t(d.layers * d.heads * d.tokens));
}

Status writeBytes(AtomicFile& f, uint64_t at, const void* data, uint64_t size)
{
    if (!f.seek(at)) return f.failure();
    const char* p = static_cast<const char*>(data);
    for (uint64_t done = 0; done < size;) {
        const size_t n = size_t(std::min<uint64_t>(size - done, uint64_t(64) << 20));
        if (!f.write(p + done, n)) return f.failure();
        done += n;
    }
    return Status::success();
}
} // namespace

Status saveTrace(const AttentionTrace& trace, const std::string& path, const SaveOptions& options)
{
    if (auto st = trace.validate(); !st) return st;
    std::vector<Plan> plans(trace.tensors.size());
    std::vector<QJsonObject> records;
    uint64_t at = 0, total = 0;
    for (size_t i = 0; i < trace.tensors.size(); ++i) {
        const TraceTensor& t = trace.tensors[i];
        Plan& p = plans[i];
        extents(t, p);
        const auto* qk = dynamic_cast<const QkStore*>(t.store.get());
        const bool matrixShaped = t.store || t.shape.size() == 2 || t.shape.size() == 4;
        if (qk && !options.materializeQk) {
            p.layout = Plan::Qk;
            p.bytes = qkBytes(qk->dims(), nullptr, nullptr);
        } else if (t.store || (matrixShaped && p.rows * p.cols >= options.tiledFromCells && p.rows * p.cols > 0)) {
            p.layout = Plan::Tiled;
            p.geometry = TiledGeometry::make(p.rows, p.cols, options.storage, pyramidBlocks(p.rows, p.cols));
            p.bytes = uint64_t(p.layers * p.heads) * p.geometry.matrixBytes;
        } else {
            p.layout = Plan::Dense;
            p.bytes = uint64_t(t.values.size()) * 4;
        }
        p.offset = at;
        at = alignUp(at + p.bytes);
        total += p.bytes;
        records.push_back(qk && p.layout == Plan::Qk ? qkRecord(*qk, p) : p.record());
    }
    const QByteArray json = QJsonDocument(header(trace, false, kVersion, &records)).toJson(QJsonDocument::Compact);
    QByteArray head;
    head.append(kMagic, sizeof kMagic);
    const uint32_t version = kVersion;
    const uint64_t len = uint64_t(json.size());
    head.append(reinterpret_cast<const char*>(&version), sizeof version);
    head.append(reinterpret_cast<const char*>(&len), sizeof len);
    head.append(json);
    const uint64_t dataStart = alignUp(uint64_t(head.size()));
    head.append(QByteArray(qsizetype(dataStart - uint64_t(head.size())), '\0'));

    AtomicFile f(path);
    if (auto st = f.open(); !st) return st;
    const auto fail = [&](const Status& st) {
        f.cancel();
        // "cancelled" and AtomicFile's "cannot write PATH: reason" as they are
        if (st.message == "cancelled" || st.message.rfind("cannot write ", 0) == 0) return st;
        return Status::error("cannot write " + path + ": " + st.message);
    };
    if (!f.write(head.constData(), size_t(head.size()))) return fail(f.failure());
    uint64_t done = 0;
    const auto progress = [&](uint64_t bytes) { return keepGoing(options.progress, int64_t(done + bytes), int64_t(total)); };
    for (size_t i = 0; i < trace.tensors.size(); ++i) {
        const TraceTensor& t = trace.tensors[i];
        const Plan& p = plans[i];
        const uint64_t base = dataStart + p.offset;
        Status st;
        if (p.layout == Plan::Dense) {
            st = writeBytes(f, base, t.values.data(), p.bytes);
        } else if (p.layout == Plan::Qk) {
            const auto& qk = static_cast<const QkStore&>(*t.store);
            const auto& d = qk.dims();
            uint64_t kAt = 0, lseAt = 0;
            qkBytes(d, &kAt, &lseAt);
            st = writeBytes(f, base, qk.queries(0, 0), 4 * uint64_t(d.layers * d.heads * d.tokens * d.headDim));
            if (st) st = writeBytes(f, base + kAt, qk.keys(0, 0), 4 * uint64_t(d.layers * d.kvHeads * d.tokens * d.headDim));
            if (st) st = writeBytes(f, base + lseAt, qk.lse(0, 0), 4 * uint64_t(d.layers * d.heads * d.tokens));
        } else {
            auto shared = std::shared_ptr<const AttentionTrace>(&trace, [](const AttentionTrace*) {});  // not owned
            st = writeTiled(f, base, p.layers * p.heads, [&](int64_t m) -> MatrixPtr {
                MatrixPtr out;
                const int64_t l = m / p.heads, h = m % p.heads;
                if (t.store) return t.store->matrix(l, h);
                return matrixOf(shared, t.name, t.shape.size() == 4 ? l : 0, t.shape.size() == 4 ? h : 0, out) ? out : nullptr;
            }, p.geometry, progress);
        }
        if (!st) return fail(st);
        done += p.bytes;
        if (!keepGoing(options.progress, int64_t(done), int64_t(total))) return fail(Status::error("cancelled"));
    }
    // Every section is padded to 64 bytes, the last one too.
    const uint64_t end = dataStart + at;
    if (f.size() < end) {
        const std::string pad(size_t(end - f.size()), '\0');
        if (!f.seek(f.size()) || !f.write(pad)) return fail(f.failure());
    }
    return f.commit();
}

Status saveTrace(const AttentionTrace& trace, const std::string& path) { return saveTrace(trace, path, SaveOptions{}); }

namespace {
/// Reads a version-2 file's tensors; `mapping` (may be empty for a plain buffer) keeps tiled and
/// Q/K tensors readable after the call.
Status readVersion2(const char* data, size_t size, const std::string& path, const QJsonObject& h, uint64_t dataStart,
                    const Mapping* mapping, AttentionTrace& t)
{
    const QJsonArray tensors = h["tensors"].toArray();
    // The file ends where the last section's padding ends: shorter is truncated, longer corrupt.
    uint64_t end = 0;
    for (const auto& v : tensors) {
        const QJsonObject o = v.toObject()["storage"].toObject();
        const qint64 offset = o["offset"].toInteger(-1), bytes = o["bytes"].toInteger(-1);
        if (offset < 0 || bytes < 0 || offset > (qint64(1) << 50) || bytes > (qint64(1) << 50))
            return Status::error(path + ": corrupt storage record");
        end = std::max(end, alignUp(uint64_t(offset) + uint64_t(bytes)));
    }
    if (dataStart + end > size) return Status::error(path + " is truncated");
    if (dataStart + end < size) return Status::error(path + " has trailing bytes: corrupt file");
    for (size_t i = 0; i < t.tensors.size(); ++i) {
        TraceTensor& x = t.tensors[i];
        const QJsonObject o = tensors[qsizetype(i)].toObject()["storage"].toObject();
        const QString layout = o["layout"].toString();
        const qint64 offset = o["offset"].toInteger(-1), bytes = o["bytes"].toInteger(-1);
        if (offset < 0 || bytes < 0 || dataStart + uint64_t(offset) > size || uint64_t(bytes) > size - dataStart - uint64_t(offset))
            return Status::error(path + " is truncated (tensor '" + x.name + "')");
        const char* at = data + dataStart + uint64_t(offset);
        Plan p;
        extents(x, p);
        if (layout == "dense") {
            if (uint64_t(bytes) != uint64_t(x.numel()) * 4) return Status::error(path + ": tensor '" + x.name + "' has the wrong size");
            x.values.resize(size_t(x.numel()));
            if (bytes > 0) std::memcpy(x.values.data(), at, size_t(bytes));
            continue;
        }
        if (layout != "tiled" && layout != "qk")
            return Status::error(path + ": tensor '" + x.name + "' has an unknown layout '" + layout.toStdString() + "'");
        if (x.shape.size() != 2 && x.shape.size() != 4)
            return Status::error(path + ": tensor '" + x.name + "' is not [layer, head, query, key]");
        if (!mapping)
            return Status::error(path + ": tensor '" + x.name + "' is kept in tiles or as queries and keys; open the .attn file itself");
        // Bounds that keep every size below 2⁶⁴ (16 M tokens a side, a million matrices).
        if (p.rows < 1 || p.cols < 1 || p.rows > (int64_t(1) << 24) || p.cols > (int64_t(1) << 24) || p.layers * p.heads > (int64_t(1) << 20))
            return Status::error(path + ": tensor '" + x.name + "' has an implausible shape");
        if (layout == "tiled") {
            StorageType type;
            if (!parseStorageType(o["dtype"].toString().toStdString(), type))
                return Status::error(path + ": tensor '" + x.name + "' has unsupported dtype " + s(o["dtype"]));
            std::vector<int64_t> blocks;
            for (const auto& b : o["blocks"].toArray()) blocks.push_back(b.toInteger(0));
            bool ok = !blocks.empty() && blocks[0] == 1 && o["tile"].toInteger() == kTileSize;
            for (size_t k = 1; ok && k < blocks.size(); ++k) ok = blocks[k] > blocks[k - 1] && blocks[k] % blocks[k - 1] == 0;
            if (!ok) return Status::error(path + ": tensor '" + x.name + "' has a corrupt level-of-detail record");
            const TiledGeometry g = TiledGeometry::make(p.rows, p.cols, type, blocks);
            if (g.matrixBytes != uint64_t(o["matrix_bytes"].toInteger(-1)) || uint64_t(bytes) != uint64_t(p.layers * p.heads) * g.matrixBytes)
                return Status::error(path + ": tensor '" + x.name + "' has the wrong size");
            x.store = makeTiledStore(*mapping, dataStart + uint64_t(offset), p.layers, p.heads, g);
        } else {
            QkStore::Dims d;
            d.layers = p.layers;
            d.heads = p.heads;
            d.tokens = p.rows;
            d.headDim = o["head_dim"].toInteger(0);
            d.kvHeads = o["kv_heads"].toInteger(0);
            d.scale = o["scale"].toDouble();
            d.causal = o["causal"].toBool();
            if (p.rows != p.cols || d.headDim <= 0 || d.headDim > 65536 || d.kvHeads <= 0 || d.heads % d.kvHeads != 0)
                return Status::error(path + ": tensor '" + x.name + "' has a corrupt queries-and-keys record");
            uint64_t kAt = 0, lseAt = 0;
            if (qkBytes(d, &kAt, &lseAt) != uint64_t(bytes)) return Status::error(path + ": tensor '" + x.name + "' has the wrong size");
            const float* base = reinterpret_cast<const float*>(at);
            x.store = std::make_shared<QkStore>(d, base, reinterpret_cast<const float*>(at + kAt),
                                                reinterpret_cast<const float*>(at + lseAt), mapping->keepAlive);
        }
    }
    return Status::success();
}

Status parseAny(const char* data, size_t size, const std::string& path, const Mapping* mapping, AttentionTrace& out)
{
    const size_t fixed = sizeof kMagic + sizeof(uint32_t) + sizeof(uint64_t);
    if (size < fixed || std::memcmp(data, kMagic, sizeof kMagic) != 0)
        return Status::error(path + " is not an AttnScope .attn file (bad magic)");
    uint32_t version = 0;
    uint64_t len = 0;
    std::memcpy(&version, data + 8, 4);
    std::memcpy(&len, data + 12, 8);
    if (version != 1 && version != 2)
        return Status::error(path + ": unsupported .attn version " + std::to_string(version) +
                             " (this AttnScope reads versions 1 and 2)");
    if (len > uint64_t(size) - fixed) return Status::error(path + " is truncated (header)");
    QJsonParseError err{};
    const auto doc = QJsonDocument::fromJson(QByteArray::fromRawData(data + fixed, qsizetype(len)), &err);
    if (doc.isNull()) return Status::error(path + ": corrupt header: " + err.errorString().toStdString());
    AttentionTrace t;
    if (auto st = fromHeader(doc.object(), t, false); !st) return Status::error(path + ": " + st.message);
    if (version == 2) {
        if (auto st = readVersion2(data, size, path, doc.object(), alignUp(fixed + len), mapping, t); !st) return st;
    } else {
        uint64_t pos = fixed + len;
        for (auto& x : t.tensors) {
            const uint64_t bytes = uint64_t(x.numel()) * sizeof(float);
            if (bytes > uint64_t(size) - pos) return Status::error(path + " is truncated (tensor '" + x.name + "')");
            x.values.resize(size_t(x.numel()));
            if (bytes > 0) std::memcpy(x.values.data(), data + pos, bytes);  // an empty tensor has no buffer (fuzz_attn)
            pos += bytes;
        }
        if (pos != uint64_t(size)) return Status::error(path + " has trailing bytes: corrupt file");
    }
    if (auto st = t.validate(); !st) return Status::error(path + ": " + st.message);
    out = std::move(t);
    return Status::success();
}
} // namespace

Status parseTrace(const char* data, size_t size, const std::string& path, AttentionTrace& out)
{
    if (auto st = parseAny(data, size, path, nullptr, out); !st) return st;
    addTraceWarning(out, nonFiniteReport(out));
    return Status::success();
}

Status loadTrace(const std::string& path, AttentionTrace& out)
{
    // Memory-mapped: dense values are copied once from the page cache into the trace; tiled
    // and Q/K tensors keep the mapping and read from it.
    Mapping m;
    if (auto st = mapFile(path, m); !st) {
        if (st.message.rfind("cannot map", 0) != 0) return st;
        QByteArray all;
        if (auto rs = readFile(path, all); !rs) return rs;
        return parseTrace(all.constData(), size_t(all.size()), path, out);
    }
    if (auto st = parseAny(m.data, size_t(m.size), path, &m, out); !st) return st;
    addTraceWarning(out, nonFiniteReport(out));
    return Status::success();
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
    for (const auto& t : trace.tensors)
        if (t.store)
            return Status::error("tensor '" + t.name + "' is too large for JSON (" + std::to_string(t.store->rows()) + " × " +
                                 std::to_string(t.store->cols()) + " per head); save it as .attn");
    return writeFile(path, QByteArray::fromStdString(traceToJson(trace)));
}

Status loadTraceJson(const std::string& path, AttentionTrace& out)
{
    QByteArray data;
    if (auto st = readFile(path, data); !st) return st;
    if (auto st = traceFromJson(data.toStdString(), out); !st) return Status::error(path + ": " + st.message);
    addTraceWarning(out, nonFiniteReport(out));
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
