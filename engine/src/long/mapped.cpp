// Dumps too large to copy: .npy and .safetensors attention read straight from a memory map,
// and their import into a tiled .attn file band by band. No torch here.
#include "long/npyformat.h"
#include "attnscope/schema.h"
#include "long/storage.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <zip.h>

#include <algorithm>
#include <cstring>

namespace attnscope {

using namespace longattn;
using dumpformat::DType;

namespace {

class MappedMatrix final : public AttentionMatrix {
public:
    MappedMatrix(std::shared_ptr<const void> keepAlive, const char* base, DType t, int64_t rows, int64_t cols)
        : keepAlive_(std::move(keepAlive)), base_(base), type_(t), rows_(rows), cols_(cols)
    {
    }
    int64_t rows() const override { return rows_; }
    int64_t cols() const override { return cols_; }
    std::string kind() const override { return "mapped"; }
    void releaseRows(int64_t r0, int64_t n) const override
    {
        const size_t item = dumpformat::itemSize(type_);
        releasePages(base_ + size_t(r0 * cols_) * item, uint64_t(n * cols_) * item);
    }
    const char* storedRows(int64_t r0, int64_t n, StorageType t) const override
    {
        const bool same = (t == StorageType::Float16 && type_ == DType::F16) ||
                          (t == StorageType::BFloat16 && type_ == DType::BF16) ||
                          (t == StorageType::Float32 && type_ == DType::F32);
        if (!same || r0 < 0 || n < 0 || r0 + n > rows_) return nullptr;
        return base_ + size_t(r0 * cols_) * dumpformat::itemSize(type_);
    }

protected:
    Status readStored(int64_t, BlockReduce, int64_t r0, int64_t c0, int64_t nr, int64_t nc, float* out,
                      const ProgressFn& cancel) const override
    {
        const size_t item = dumpformat::itemSize(type_);
        for (int64_t i = 0; i < nr; ++i) {
            if ((i & 1023) == 0 && !keepGoing(cancel, i, nr)) return Status::error("cancelled");
            const char* src = base_ + size_t((r0 + i) * cols_ + c0) * item;
            dumpformat::convert(src, type_, nc, out + i * nc);
        }
        return Status::success();
    }

private:
    std::shared_ptr<const void> keepAlive_;
    const char* base_;
    DType type_;
    int64_t rows_, cols_;
};

/// A mapped dump as a TensorStore, so the .attn writer can read it like any tensor.
class MappedStore final : public TensorStore {
public:
    explicit MappedStore(const MappedDump& d, StorageType t, uint64_t bytes) : d_(d), type_(t), bytes_(bytes) {}
    std::string layout() const override { return "mapped"; }
    StorageType storageType() const override { return type_; }
    int64_t layers() const override { return d_.layers; }
    int64_t heads() const override { return d_.heads; }
    int64_t rows() const override { return d_.rows; }
    int64_t cols() const override { return d_.cols; }
    uint64_t bytes() const override { return bytes_; }
    MatrixPtr matrix(int64_t l, int64_t h) const override
    {
        if (l < 0 || h < 0 || l >= d_.layers || h >= d_.heads) return nullptr;
        return d_.matrices[size_t(l * d_.heads + h)];
    }

private:
    MappedDump d_;
    StorageType type_;
    uint64_t bytes_;
};

struct MappedArray {
    std::string name;
    DType type = DType::F32;
    std::vector<int64_t> shape;
    const char* data = nullptr;
};

/// Element count with overflow and a generous bound (mapped arrays are not copied).
int64_t mappedCount(const std::vector<int64_t>& shape)
{
    int64_t n = 1;
    for (int64_t d : shape)
        if (d < 0 || __builtin_mul_overflow(n, d, &n) || n > (int64_t(1) << 40)) return -1;
    return n;
}

Status npyArrays(const Mapping& m, const std::string& path, std::vector<MappedArray>& out)
{
    dumpformat::NpyHeader h;
    if (auto st = dumpformat::readNpyHeader(m.data, size_t(m.size), path, h); !st) return st;
    MappedArray a;
    a.name = "attention";
    if (!dumpformat::npyDType(h.descr, a.type))
        return Status::error(path + ": unsupported dtype " + (h.descr.empty() ? "(none)" : h.descr) +
                             " (float16, float32 or float64 expected)");
    a.shape = h.shape;
    const int64_t n = mappedCount(a.shape);
    if (a.shape.empty() || n < 0) return Status::error(path + ": shape " + dumpformat::shapeText(a.shape) + " is not an attention tensor");
    const uint64_t need = uint64_t(n) * dumpformat::itemSize(a.type);
    if (m.size - h.dataStart != need)
        return Status::error(path + ": shape " + dumpformat::shapeText(a.shape) + " needs " + std::to_string(need) +
                             " bytes of data, the file has " + std::to_string(m.size - h.dataStart));
    a.data = m.data + h.dataStart;
    out = {a};
    return Status::success();
}

Status safetensorsArrays(const Mapping& m, const std::string& path, std::vector<MappedArray>& out)
{
    if (m.size < 8) return Status::error(path + ": not a safetensors file (too short)");
    uint64_t n = 0;
    std::memcpy(&n, m.data, 8);
    if (n > m.size - 8 || n > (uint64_t(100) << 20)) return Status::error(path + ": safetensors header length is larger than the file");
    QJsonParseError err{};
    const auto doc = QJsonDocument::fromJson(QByteArray(m.data + 8, qsizetype(n)), &err);
    if (!doc.isObject()) return Status::error(path + ": safetensors header is not a JSON object: " + err.errorString().toStdString());
    const char* base = m.data + 8 + n;
    const uint64_t dataSize = m.size - 8 - n;
    const QJsonObject h = doc.object();
    out.clear();
    for (auto it = h.begin(); it != h.end(); ++it) {
        if (it.key() == "__metadata__") continue;
        const QJsonObject o = it.value().toObject();
        MappedArray a;
        a.name = it.key().toStdString();
        if (!dumpformat::safetensorsDType(o["dtype"].toString().toStdString(), a.type))
            return Status::error(path + ": " + a.name + ": unsupported dtype " + o["dtype"].toString().toStdString() +
                                 " (F16, BF16, F32, F64 expected)");
        for (const auto& d : o["shape"].toArray()) a.shape.push_back(d.toInteger(-1));
        const int64_t count = mappedCount(a.shape);
        if (count < 0 || a.shape.empty()) return Status::error(path + ": " + a.name + ": invalid shape " + dumpformat::shapeText(a.shape));
        const QJsonArray offsets = o["data_offsets"].toArray();
        const int64_t b = offsets.size() == 2 ? offsets[0].toInteger(-1) : -1, e = offsets.size() == 2 ? offsets[1].toInteger(-1) : -1;
        if (b < 0 || e < b || uint64_t(e) > dataSize) return Status::error(path + ": " + a.name + ": data_offsets point outside the file");
        if (uint64_t(e - b) != uint64_t(count) * dumpformat::itemSize(a.type))
            return Status::error(path + ": " + a.name + ": " + std::to_string(e - b) + " bytes for shape " + dumpformat::shapeText(a.shape));
        a.data = base + b;
        out.push_back(std::move(a));
    }
    if (out.empty()) return Status::error(path + ": the safetensors file holds no tensors");
    std::sort(out.begin(), out.end(), [](const MappedArray& x, const MappedArray& y) { return dumpformat::naturalLess(x.name, y.name); });
    for (const auto& x : out)
        if (x.shape != out[0].shape || x.type != out[0].type)
            return Status::error(path + ": arrays '" + out[0].name + "' " + dumpformat::shapeText(out[0].shape) + " and '" + x.name +
                                 "' " + dumpformat::shapeText(x.shape) + " differ; cannot stack them as layers");
    return Status::success();
}

} // namespace

Status mapDumpFile(const std::string& path, const ImportOptions& options, MappedDump& out)
{
    const std::string ext = QFileInfo(QString::fromStdString(path)).suffix().toLower().toStdString();
    if (ext != "npy" && ext != "safetensors")
        return Status::error(path + ": only .npy and .safetensors dumps are read through a memory map");
    Mapping m;
    if (auto st = mapFile(path, m); !st) return st;
    std::vector<MappedArray> arrays;
    if (auto st = ext == "npy" ? npyArrays(m, path, arrays) : safetensorsArrays(m, path, arrays); !st) return st;
    // The virtual shape: several arrays are stacked along a leading axis.
    const bool stacked = arrays.size() > 1;
    std::vector<int64_t> shape = arrays[0].shape;
    if (stacked) shape.insert(shape.begin(), int64_t(arrays.size()));
    const std::vector<std::string> axes = options.axes.empty() ? defaultAxes(shape.size()) : options.axes;
    if (axes.size() != shape.size())
        return Status::error(path + ": " + std::to_string(axes.size()) + " axis names for shape " + dumpformat::shapeText(shape) +
                             (axes.empty() ? "; give the axes (e.g. --axes layer,batch,head,query,key)" : ""));
    const size_t r = shape.size();
    if (r < 2 || axes[r - 2] != "query" || axes[r - 1] != "key")
        return Status::error(path + ": not mappable: the last two axes must be query, key (read it whole instead)");
    int layerAxis = -1, headAxis = -1;
    for (size_t d = 0; d + 2 < r; ++d) {
        if (axes[d] == "layer" && layerAxis < 0) layerAxis = int(d);
        else if (axes[d] == "head" && headAxis < 0) headAxis = int(d);
        else if (axes[d] != "batch")
            return Status::error(path + ": unknown or repeated axis name '" + axes[d] + "' (layer, head, query, key, batch)");
    }
    out = MappedDump{};
    out.path = path;
    out.shape = shape;
    out.layers = layerAxis >= 0 ? shape[size_t(layerAxis)] : 1;
    out.heads = headAxis >= 0 ? shape[size_t(headAxis)] : 1;
    out.rows = shape[r - 2];
    out.cols = shape[r - 1];
    if (out.layers * out.heads * out.rows * out.cols == 0) return Status::error(path + ": the attention tensor is empty");
    out.keepAlive = m.keepAlive;
    // Element strides of the virtual shape within one array (the stacking axis picks the array).
    std::vector<int64_t> strides(r, 0);
    int64_t s = 1;
    for (size_t d = r; d-- > (stacked ? 1 : 0);) {
        strides[d] = s;
        s *= shape[d];
    }
    const size_t item = dumpformat::itemSize(arrays[0].type);
    for (int64_t l = 0; l < out.layers; ++l)
        for (int64_t h = 0; h < out.heads; ++h) {
            int64_t index[8] = {};
            if (layerAxis >= 0) index[layerAxis] = l;
            if (headAxis >= 0) index[headAxis] = h;
            const MappedArray& a = arrays[stacked ? size_t(index[0]) : 0];
            int64_t offset = 0;
            for (size_t d = stacked ? 1 : 0; d + 2 < r; ++d) offset += index[d] * strides[d];
            out.matrices.push_back(std::make_shared<MappedMatrix>(m.keepAlive, a.data + size_t(offset) * item, a.type, out.rows, out.cols));
        }
    if (!options.tokens.empty()) {
        if (int64_t(options.tokens.size()) != out.rows || int64_t(options.tokens.size()) != out.cols)
            return Status::error(path + ": " + std::to_string(options.tokens.size()) + " tokens for " + std::to_string(out.rows) +
                                 " query rows and " + std::to_string(out.cols) + " key columns of the attention " +
                                 dumpformat::shapeText(shape));
        out.tokens = options.tokens;
    }
    return Status::success();
}

Status importDumpToFile(const std::string& dumpPath, const ImportOptions& importOptions, const std::string& attnPath,
                        const SaveOptions& saveOptions, std::string* warning)
{
    MappedDump d;
    if (auto st = mapDumpFile(dumpPath, importOptions, d); !st) return st;
    AttentionTrace t;
    t.model = "imported";
    t.metadata[schema::kInputMeta] = dumpPath;
    t.metadata["source_shape"] = dumpformat::shapeText(d.shape);
    if (!d.tokens.empty()) t.metadata[schema::kLabelsMeta] = "labels from the tokens given (" + std::to_string(d.tokens.size()) + ")";
    TraceTensor x;
    x.name = importOptions.name;
    x.axes = {"layer", "head", "query", "key"};
    x.shape = {d.layers, d.heads, d.rows, d.cols};
    x.labels = {{}, {}, d.tokens, d.tokens};
    x.store = std::make_shared<MappedStore>(d, StorageType::Float32, uint64_t(d.layers * d.heads * d.rows * d.cols) * 4);
    t.tensors.push_back(std::move(x));
    SaveOptions o = saveOptions;
    o.tiledFromCells = 0;  // written tiled, whatever the size
    if (auto st = saveTrace(t, attnPath, o); !st) return st;
    if (warning) {
        AttentionTrace saved;
        if (auto st = loadTrace(attnPath, saved); !st) return st;
        float worst = 0;
        const auto& store = *saved.tensors[0].store;
        for (int64_t l = 0; l < store.layers(); ++l)
            for (int64_t h = 0; h < store.heads(); ++h) worst = std::max(worst, store.matrix(l, h)->stats().rowSumDeviation);
        warning->clear();
        if (worst > 1e-3f) *warning = "rows do not sum to 1 (largest deviation " + std::to_string(worst) + "); shown as given";
    }
    return Status::success();
}

namespace {
bool longShape(const std::vector<int64_t>& shape, int64_t tokens)
{
    const size_t r = shape.size();
    return r >= 2 && (shape[r - 1] > tokens || shape[r - 2] > tokens);
}
} // namespace

bool isLongAttentionFile(const std::string& path, int64_t tokens)
{
    const QString ext = QFileInfo(QString::fromStdString(path)).suffix().toLower();
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly)) return false;
    if (ext == "attn") {
        const QByteArray head = f.read(20);
        if (head.size() < 20 || !head.startsWith("ATTNSCOP")) return false;
        uint64_t len = 0;
        std::memcpy(&len, head.constData() + 12, 8);
        if (len > (uint64_t(256) << 20)) return false;
        const auto doc = QJsonDocument::fromJson(f.read(qint64(len)));
        for (const auto& v : doc.object()["tensors"].toArray()) {
            const QJsonObject o = v.toObject();
            const QString layout = o["storage"].toObject()["layout"].toString();
            if (layout == "tiled" || layout == "qk") return true;
            std::vector<int64_t> shape;
            for (const auto& d : o["shape"].toArray()) shape.push_back(d.toInteger());
            if ((shape.size() == 2 || shape.size() == 4) && longShape(shape, tokens)) return true;
        }
        return false;
    }
    if (ext == "npy") {
        const QByteArray head = f.read(65536);
        dumpformat::NpyHeader h;
        return dumpformat::readNpyHeader(head.constData(), size_t(head.size()), path, h) && longShape(h.shape, tokens);
    }
    if (ext == "safetensors") {
        uint64_t len = 0;
        if (f.read(reinterpret_cast<char*>(&len), 8) != 8 || len > (uint64_t(100) << 20)) return false;
        const QJsonObject h = QJsonDocument::fromJson(f.read(qint64(len))).object();
        if ((h.contains("q") || h.contains("queries")) && (h.contains("k") || h.contains("keys"))) return true;
        for (auto it = h.begin(); it != h.end(); ++it) {
            std::vector<int64_t> shape;
            for (const auto& d : it.value().toObject()["shape"].toArray()) shape.push_back(d.toInteger());
            if (longShape(shape, tokens)) return true;
        }
        return false;
    }
    if (ext == "npz") {
        f.close();
        int err = 0;
        zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
        if (!z) return false;
        bool q = false, k = false, long_ = false;
        const zip_int64_t n = zip_get_num_entries(z, 0);
        for (zip_int64_t i = 0; i < n && !long_; ++i) {
            const char* name = zip_get_name(z, zip_uint64_t(i), 0);
            const std::string s = name ? name : "";
            q = q || s == "q.npy" || s == "queries.npy";
            k = k || s == "k.npy" || s == "keys.npy";
            zip_file_t* zf = zip_fopen_index(z, zip_uint64_t(i), 0);
            if (!zf) continue;
            char buf[4096];
            const zip_int64_t got = zip_fread(zf, buf, sizeof buf);
            zip_fclose(zf);
            dumpformat::NpyHeader h;
            if (got > 0 && dumpformat::readNpyHeader(buf, size_t(got), s, h)) long_ = longShape(h.shape, tokens);
        }
        zip_close(z);
        return long_ || (q && k);
    }
    return false;
}

} // namespace attnscope
