// Defensive parsers for attention dumps. No torch here: these are also fuzz targets.
#include "attnscope/dumps.h"
#include "attnscope/schema.h"

#include "long/npyformat.h"
#include "long/storage.h"

#include <QByteArray>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include "attnscope/savefile.h"

#include <zip.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <limits>
#include <iterator>
#include <map>
#include <set>

namespace attnscope {

namespace dumpformat {
float halfToFloat(uint16_t h) { return longattn::halfToFloat(h); }

float bf16ToFloat(uint16_t b)
{
    const uint32_t bits = uint32_t(b) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

int64_t checkedCount(const std::vector<int64_t>& shape)
{
    int64_t n = 1;
    for (int64_t d : shape) {
        if (d < 0 || (d > 0 && n > kMaxDumpElements / d)) return -1;
        n *= d;
    }
    return n;
}

size_t itemSize(DType t) { return t == DType::F64 ? 8 : t == DType::F32 ? 4 : 2; }

void convert(const char* src, DType t, int64_t n, float* out)
{
    switch (t) {
    case DType::F32: longattn::decode(StorageType::Float32, src, n, out); break;
    case DType::F16: longattn::decode(StorageType::Float16, src, n, out); break;
    case DType::BF16: longattn::decode(StorageType::BFloat16, src, n, out); break;
    case DType::F64:
        for (int64_t i = 0; i < n; ++i) {
            double d;
            std::memcpy(&d, src + size_t(i) * 8, 8);
            out[i] = float(d);
        }
        break;
    }
}

void convert(const char* src, DType t, int64_t n, std::vector<float>& out)
{
    out.resize(size_t(n));
    convert(src, t, n, out.data());
}

std::string shapeText(const std::vector<int64_t>& s)
{
    std::string t = "[";
    for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + "]";
}

std::string headerField(const std::string& h, const std::string& key)
{
    const auto k = h.find("'" + key + "'");
    if (k == std::string::npos) return {};
    auto p = h.find(':', k);
    if (p == std::string::npos) return {};
    ++p;
    int depth = 0;
    std::string v;
    for (; p < h.size(); ++p) {
        const char c = h[p];
        if (c == '(' || c == '[') ++depth;
        if (c == ')' || c == ']') --depth;
        if ((c == ',' || c == '}') && depth <= 0) break;
        v += c;
    }
    const auto b = v.find_first_not_of(" "), e = v.find_last_not_of(" ");
    return b == std::string::npos ? std::string() : v.substr(b, e - b + 1);
}

bool naturalLess(const std::string& a, const std::string& b)
{
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
            size_t ie = i, je = j;
            while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
            while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
            const std::string x = a.substr(i, ie - i), y = b.substr(j, je - j);
            const auto xs = x.find_first_not_of('0'), ys = y.find_first_not_of('0');
            const std::string xn = xs == std::string::npos ? "" : x.substr(xs), yn = ys == std::string::npos ? "" : y.substr(ys);
            if (xn.size() != yn.size()) return xn.size() < yn.size();
            if (xn != yn) return xn < yn;
            i = ie;
            j = je;
        } else {
            if (a[i] != b[j]) return a[i] < b[j];
            ++i;
            ++j;
        }
    }
    return a.size() - i < b.size() - j;
}

Status readAll(const std::string& path, QByteArray& data)
{
    QFile f(QString::fromStdString(path));
    if (!f.exists()) return Status::error("file not found: " + path);
    if (!f.open(QIODevice::ReadOnly)) return Status::error("cannot read " + path + ": " + f.errorString().toStdString());
    if (f.size() > (int64_t(8) << 30)) return Status::error(path + " is larger than 8 GiB");
    data = f.readAll();
    return Status::success();
}

Status readNpyHeader(const char* data, size_t size, const std::string& name, NpyHeader& out)
{
    static const char magic[] = "\x93NUMPY";
    if (size < 10 || std::memcmp(data, magic, 6) != 0) return Status::error(name + ": not a .npy array (bad magic)");
    const int major = uint8_t(data[6]);
    size_t headerLen = 0, start = 0;
    if (major == 1) {
        headerLen = uint8_t(data[8]) | (size_t(uint8_t(data[9])) << 8);
        start = 10;
    } else if (major == 2 || major == 3) {
        if (size < 12) return Status::error(name + ": truncated .npy header");
        headerLen = uint8_t(data[8]) | (size_t(uint8_t(data[9])) << 8) | (size_t(uint8_t(data[10])) << 16) |
                    (size_t(uint8_t(data[11])) << 24);
        start = 12;
    } else {
        return Status::error(name + ": unsupported .npy version " + std::to_string(major));
    }
    if (headerLen > size - start) return Status::error(name + ": truncated .npy header");
    const std::string header(data + start, headerLen);
    out.descr = headerField(header, "descr");
    if (headerField(header, "fortran_order") != "False")
        return Status::error(name + ": Fortran-order arrays are not supported; save with np.ascontiguousarray");
    const std::string shapeField = headerField(header, "shape");
    if (shapeField.size() < 2 || shapeField.front() != '(' || shapeField.back() != ')')
        return Status::error(name + ": .npy header has no shape");
    out.shape.clear();
    const std::string inner = shapeField.substr(1, shapeField.size() - 2);
    size_t i = 0;
    while (i < inner.size()) {
        while (i < inner.size() && (inner[i] == ' ' || inner[i] == ',')) ++i;
        if (i >= inner.size()) break;
        if (!std::isdigit(static_cast<unsigned char>(inner[i]))) return Status::error(name + ": bad shape " + shapeField);
        int64_t d = 0;
        while (i < inner.size() && std::isdigit(static_cast<unsigned char>(inner[i]))) {
            d = d * 10 + (inner[i] - '0');
            if (d > kMaxDumpElements) return Status::error(name + ": shape " + shapeField + " is too large");
            ++i;
        }
        out.shape.push_back(d);
    }
    out.dataStart = start + headerLen;
    return Status::success();
}

bool npyDType(const std::string& descr, DType& t)
{
    if (descr == "'<f4'" || descr == "'=f4'") t = DType::F32;
    else if (descr == "'<f8'" || descr == "'=f8'") t = DType::F64;
    else if (descr == "'<f2'" || descr == "'=f2'") t = DType::F16;
    else return false;
    return true;
}

bool readScalar(char kind, size_t bytes, const char* p, double& out)
{
    const auto get = [&](auto v) {
        std::memcpy(&v, p, sizeof v);
        out = double(v);
        return true;
    };
    switch (kind) {
    case 'b': return bytes == 1 && get(uint8_t{}) && (out = out != 0 ? 1 : 0, true);
    case 'i': return bytes == 1 ? get(int8_t{}) : bytes == 2 ? get(int16_t{}) : bytes == 4 ? get(int32_t{}) : bytes == 8 && get(int64_t{});
    case 'u': return bytes == 1 ? get(uint8_t{}) : bytes == 2 ? get(uint16_t{}) : bytes == 4 ? get(uint32_t{}) : bytes == 8 && get(uint64_t{});
    case 'f':
        if (bytes == 2) {
            uint16_t h;
            std::memcpy(&h, p, 2);
            out = halfToFloat(h);
            return true;
        }
        return bytes == 4 ? get(float{}) : bytes == 8 && get(double{});
    case 'B': {  // bfloat16
        if (bytes != 2) return false;
        uint16_t h;
        std::memcpy(&h, p, 2);
        out = bf16ToFloat(h);
        return true;
    }
    default: return false;
    }
}

bool safetensorsDType(const std::string& name, DType& t)
{
    if (name == "F32") t = DType::F32;
    else if (name == "F64") t = DType::F64;
    else if (name == "F16") t = DType::F16;
    else if (name == "BF16") t = DType::BF16;
    else return false;
    return true;
}
} // namespace dumpformat

using namespace dumpformat;

namespace {

/// '<U7' → (true, 7); '|S7' / '<S7' → (false, 7); anything else → width 0.
std::pair<bool, size_t> stringDtype(const std::string& descr)
{
    if (descr.size() < 5 || descr.front() != '\'' || descr.back() != '\'') return {false, 0};
    const std::string d = descr.substr(1, descr.size() - 2);
    if (d.size() < 3 || (d[0] != '<' && d[0] != '|' && d[0] != '=')) return {false, 0};
    const char kind = d[1];
    if (kind != 'U' && kind != 'S') return {false, 0};
    size_t width = 0;
    for (size_t i = 2; i < d.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(d[i])) || width > 100000) return {false, 0};
        width = width * 10 + size_t(d[i] - '0');
    }
    return {kind == 'U', width};
}

void appendUtf8(std::string& s, uint32_t c)
{
    if (c < 0x80) {
        s += char(c);
    } else if (c < 0x800) {
        s += char(0xC0 | (c >> 6));
        s += char(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        s += char(0xE0 | (c >> 12));
        s += char(0x80 | ((c >> 6) & 0x3F));
        s += char(0x80 | (c & 0x3F));
    } else if (c < 0x110000) {
        s += char(0xF0 | (c >> 18));
        s += char(0x80 | ((c >> 12) & 0x3F));
        s += char(0x80 | ((c >> 6) & 0x3F));
        s += char(0x80 | (c & 0x3F));
    }
}
} // namespace

bool isNpyStringArray(const char* data, size_t size)
{
    NpyHeader h;
    return readNpyHeader(data, size, "array", h) && stringDtype(h.descr).second > 0;
}

Status parseNpyStrings(const char* data, size_t size, const std::string& name, DumpStrings& out)
{
    NpyHeader h;
    if (auto st = readNpyHeader(data, size, name, h); !st) return st;
    const auto [unicode, width] = stringDtype(h.descr);
    if (width == 0) return Status::error(name + ": not a string array (dtype " + h.descr + ")");
    if (h.shape.size() != 1) return Status::error(name + ": string arrays of labels must be 1-D, not " + shapeText(h.shape));
    const int64_t n = h.shape[0];
    const size_t item = unicode ? 4 * width : width;
    if (n > kMaxDumpElements / int64_t(std::max<size_t>(item, 1)) || size - h.dataStart != size_t(n) * item)
        return Status::error(name + ": " + std::to_string(n) + " strings of " + std::to_string(item) + " bytes do not fit the file");
    out.name = name;
    out.values.clear();
    for (int64_t i = 0; i < n; ++i) {
        const char* p = data + h.dataStart + size_t(i) * item;
        std::string s;
        if (unicode) {
            for (size_t k = 0; k < width; ++k) {
                uint32_t c = 0;
                std::memcpy(&c, p + 4 * k, 4);  // UTF-32, little-endian hosts only
                if (c == 0) break;
                appendUtf8(s, c);
            }
        } else {
            s.assign(p, strnlen(p, width));
        }
        out.values.push_back(std::move(s));
    }
    return Status::success();
}

Status parseNpy(const char* data, size_t size, const std::string& name, DumpArray& out)
{
    NpyHeader h;
    if (auto st = readNpyHeader(data, size, name, h); !st) return st;
    const std::string& descr = h.descr;
    DType t;
    if (!npyDType(descr, t)) {
        if (descr.size() > 1 && descr[1] == '>') return Status::error(name + ": big-endian arrays are not supported (" + descr + ")");
        return Status::error(name + ": unsupported dtype " + (descr.empty() ? "(none)" : descr) + " (float16, float32 or float64 expected)");
    }
    const std::vector<int64_t>& shape = h.shape;
    if (shape.empty()) return Status::error(name + ": a scalar is not an attention tensor");
    const size_t start = h.dataStart, headerLen = 0;
    const int64_t n = checkedCount(shape);
    if (n < 0) return Status::error(name + ": shape " + shapeText(shape) + " is too large");
    const size_t need = size_t(n) * itemSize(t);
    if (size - start - headerLen != need)
        return Status::error(name + ": shape " + shapeText(shape) + " needs " + std::to_string(need) + " bytes of data, the file has " +
                             std::to_string(size - start - headerLen));
    out.name = name;
    out.shape = shape;
    convert(data + start + headerLen, t, n, out.values);
    return Status::success();
}

namespace {
/// A 0-d .npy of any numeric dtype → a DumpArray of shape {} and one value.
Status parseNpyScalar(const char* data, size_t size, const std::string& name, const NpyHeader& h, DumpArray& out)
{
    std::string d = h.descr;
    if (d.size() >= 2 && d.front() == '\'' && d.back() == '\'') d = d.substr(1, d.size() - 2);
    if (d.size() < 3 || (d[0] != '<' && d[0] != '|' && d[0] != '='))
        return Status::error(name + ": unsupported scalar dtype " + h.descr + " (little-endian bool, int, uint or float expected)");
    const size_t bytes = size_t(std::atoi(d.c_str() + 2));
    double v = 0;
    if (size < h.dataStart + bytes || !readScalar(d[1], bytes, data + h.dataStart, v))
        return Status::error(name + ": unsupported or truncated scalar (" + h.descr + ")");
    out.name = name;
    out.shape.clear();
    out.values = {float(v)};
    return Status::success();
}
} // namespace

Status parseSafetensors(const char* data, size_t size, std::vector<DumpArray>& out, std::vector<DumpArray>* scalars)
{
    if (size < 8) return Status::error("not a safetensors file (too short)");
    uint64_t n = 0;
    std::memcpy(&n, data, 8);
    if (n > size - 8 || n > (uint64_t(100) << 20)) return Status::error("safetensors header length is larger than the file");
    QJsonParseError err{};
    const auto doc = QJsonDocument::fromJson(QByteArray(data + 8, qsizetype(n)), &err);
    if (!doc.isObject()) return Status::error("safetensors header is not a JSON object: " + err.errorString().toStdString());
    const char* base = data + 8 + n;
    const uint64_t dataSize = size - 8 - n;
    const QJsonObject h = doc.object();
    out.clear();
    for (auto it = h.begin(); it != h.end(); ++it) {
        if (it.key() == "__metadata__") continue;
        const std::string name = it.key().toStdString();
        const QJsonObject o = it.value().toObject();
        const QString dt = o["dtype"].toString();
        const QJsonArray dims = o["shape"].toArray();
        if (scalars && dims.isEmpty()) {
            static const std::map<QString, std::pair<char, size_t>> kinds{
                {"BOOL", {'b', 1}}, {"I8", {'i', 1}}, {"I16", {'i', 2}}, {"I32", {'i', 4}}, {"I64", {'i', 8}},
                {"U8", {'u', 1}},   {"U16", {'u', 2}}, {"U32", {'u', 4}}, {"U64", {'u', 8}}, {"F16", {'f', 2}},
                {"BF16", {'B', 2}}, {"F32", {'f', 4}}, {"F64", {'f', 8}}};
            const QJsonArray offsets = o["data_offsets"].toArray();
            const int64_t b = offsets.size() == 2 ? offsets[0].toInteger(-1) : -1;
            const auto kind = kinds.find(dt);
            double v = 0;
            if (kind == kinds.end() || b < 0 || uint64_t(b) + kind->second.second > dataSize ||
                !readScalar(kind->second.first, kind->second.second, base + b, v))
                return Status::error(name + ": unsupported or truncated scalar (" + dt.toStdString() + ")");
            DumpArray a;
            a.name = name;
            a.values = {float(v)};
            scalars->push_back(std::move(a));
            continue;
        }
        DType t;
        if (!safetensorsDType(dt.toStdString(), t)) return Status::error(name + ": unsupported dtype " + dt.toStdString() + " (F16, BF16, F32, F64 expected)");
        DumpArray a;
        a.name = name;
        for (const auto& d : dims) a.shape.push_back(d.toInteger(-1));
        const int64_t count = checkedCount(a.shape);
        if (count < 0 || a.shape.empty()) return Status::error(name + ": invalid or too large shape " + shapeText(a.shape));
        const QJsonArray offsets = o["data_offsets"].toArray();
        if (offsets.size() != 2) return Status::error(name + ": data_offsets missing");
        const int64_t b = offsets[0].toInteger(-1), e = offsets[1].toInteger(-1);
        if (b < 0 || e < b || uint64_t(e) > dataSize) return Status::error(name + ": data_offsets point outside the file");
        if (uint64_t(e - b) != uint64_t(count) * itemSize(t))
            return Status::error(name + ": " + std::to_string(e - b) + " bytes for shape " + shapeText(a.shape));
        convert(base + b, t, count, a.values);
        out.push_back(std::move(a));
    }
    if (out.empty()) return Status::error("the safetensors file holds no tensors");
    return Status::success();
}

namespace {
/// Flattens rectangular nested JSON arrays of numbers; fills shape on the first descent.
Status flatten(const QJsonValue& v, size_t depth, std::vector<int64_t>& shape, std::vector<float>& values)
{
    if (v.isDouble()) {
        if (depth != shape.size()) return Status::error("attention lists are ragged (a number at depth " + std::to_string(depth) + ")");
        values.push_back(float(v.toDouble()));
        if (int64_t(values.size()) > kMaxDumpElements) return Status::error("attention has too many values");
        return Status::success();
    }
    if (!v.isArray()) return Status::error("attention must be nested lists of numbers");
    const QJsonArray a = v.toArray();
    if (depth == shape.size()) {
        if (values.empty() && depth < 8) shape.push_back(a.size());
        else return Status::error("attention lists are ragged");
    }
    if (a.size() != shape[depth]) return Status::error("attention lists are ragged (lengths " + std::to_string(a.size()) + " and " + std::to_string(shape[depth]) + ")");
    for (const auto& x : a)
        if (auto st = flatten(x, depth + 1, shape, values); !st) return st;
    return Status::success();
}

std::vector<std::string> strings(const QJsonValue& v)
{
    std::vector<std::string> out;
    for (const auto& x : v.toArray()) out.push_back(x.toString().toStdString());
    return out;
}
} // namespace

Status parseJsonDump(const char* data, size_t size, std::vector<DumpArray>& out, std::vector<std::string>& queryTokens,
                     std::vector<std::string>& keyTokens, std::string* note, std::string* unused)
{
    QJsonParseError err{};
    const auto doc = QJsonDocument::fromJson(QByteArray(data, qsizetype(size)), &err);
    if (!doc.isObject()) return Status::error("not a JSON object: " + err.errorString().toStdString());
    const QJsonObject o = doc.object();
    if (!o.contains("attention")) return Status::error("JSON dump has no \"attention\" field");
    DumpArray a;
    a.name = "attention";
    if (auto st = flatten(o["attention"], 0, a.shape, a.values); !st) return st;
    if (a.values.empty()) return Status::error("the attention lists are empty");
    // The label names in use: ours, BertViz's (encoder_tokens / decoder_tokens), plain
    // source / target, and the usual abbreviations. Queries are the target (decoder) side.
    static const char* const kBoth[] = {"tokens", "input_tokens", "words", "labels"};
    static const char* const kQuery[] = {"target_tokens", "decoder_tokens", "target", "tgt_tokens", "query_tokens"};
    static const char* const kKey[] = {"source_tokens", "encoder_tokens", "source", "src_tokens", "key_tokens"};
    const auto isStringList = [](const QJsonValue& v) {
        const QJsonArray a = v.toArray();
        return v.isArray() && !a.isEmpty() && std::all_of(a.begin(), a.end(), [](const QJsonValue& x) { return x.isString(); });
    };
    std::set<QString> used;
    const auto first = [&](const char* const* names, size_t n) -> QString {
        for (size_t i = 0; i < n; ++i)
            if (isStringList(o[QLatin1String(names[i])])) return QLatin1String(names[i]);
        return {};
    };
    const QString both = first(kBoth, std::size(kBoth));
    QString q = first(kQuery, std::size(kQuery)), k = first(kKey, std::size(kKey));
    if (q.isEmpty()) q = both;
    if (k.isEmpty()) k = both;
    queryTokens = q.isEmpty() ? std::vector<std::string>{} : strings(o[q]);
    keyTokens = k.isEmpty() ? std::vector<std::string>{} : strings(o[k]);
    std::string said;
    if (!q.isEmpty()) used.insert(q), said = "query labels from \"" + q.toStdString() + "\"";
    if (!k.isEmpty()) used.insert(k), said += (said.empty() ? "" : ", ") + std::string("key labels from \"") + k.toStdString() + "\"";
    // Any other key holding a list of strings was not used: say so, never ignore it silently.
    std::string ignored;
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!used.count(it.key()) && isStringList(it.value()))
            ignored += std::string(ignored.empty() ? "" : ", ") + "\"" + it.key().toStdString() + "\"";
    if (!ignored.empty())
        ignored = "the string list" + std::string(ignored.find(',') == std::string::npos ? " " : "s ") + ignored +
                  " not used as labels (query labels: target_tokens, decoder_tokens or target; key labels: source_tokens, "
                  "encoder_tokens or source; both: tokens)";
    if (note) *note = said;
    if (unused) *unused = ignored;
    out = {std::move(a)};
    return Status::success();
}

Status parseNpz(const char* data, size_t size, std::vector<DumpArray>& out, std::vector<DumpStrings>* strings,
                std::vector<DumpArray>* scalars)
{
    zip_error_t zerr;
    zip_error_init(&zerr);
    zip_source_t* src = zip_source_buffer_create(data, size, 0, &zerr);
    if (!src) return Status::error("cannot read the .npz archive");
    zip_t* z = zip_open_from_source(src, ZIP_RDONLY, &zerr);
    if (!z) {
        zip_source_free(src);
        const std::string msg = zip_error_strerror(&zerr);
        zip_error_fini(&zerr);
        return Status::error("not a valid .npz (zip) file: " + msg);
    }
    Status st = Status::success();
    out.clear();
    const zip_int64_t entries = zip_get_num_entries(z, 0);
    for (zip_int64_t i = 0; i < entries && st.ok; ++i) {
        zip_stat_t s;
        if (zip_stat_index(z, zip_uint64_t(i), 0, &s) != 0 || !(s.valid & ZIP_STAT_SIZE) || !(s.valid & ZIP_STAT_NAME)) {
            st = Status::error("corrupt .npz entry");
            break;
        }
        std::string name = s.name;
        if (name.size() < 4 || name.compare(name.size() - 4, 4, ".npy") != 0) continue;
        if (s.size > uint64_t(kMaxDumpElements) * 8 + 4096) {
            st = Status::error(name + " is too large");
            break;
        }
        zip_file_t* f = zip_fopen_index(z, zip_uint64_t(i), 0);
        if (!f) {
            st = Status::error("cannot open " + name + " in the .npz");
            break;
        }
        std::vector<char> buf(size_t(s.size));
        const zip_int64_t got = buf.empty() ? 0 : zip_fread(f, buf.data(), s.size);
        zip_fclose(f);
        if (got < 0 || uint64_t(got) != s.size) {
            st = Status::error(name + " is truncated or corrupt in the .npz");
            break;
        }
        const std::string arrayName = name.substr(0, name.size() - 4);
        if (isNpyStringArray(buf.data(), buf.size())) {
            // Tokens saved beside the attention (np.array(tokens): '<U…' or '|S…'): labels.
            DumpStrings labels;
            st = parseNpyStrings(buf.data(), buf.size(), arrayName, labels);
            if (st && strings) strings->push_back(std::move(labels));
            continue;
        }
        DumpArray a;
        NpyHeader h;
        if (scalars && readNpyHeader(buf.data(), buf.size(), arrayName, h) && h.shape.empty()) {
            st = parseNpyScalar(buf.data(), buf.size(), arrayName, h, a);
            if (st) scalars->push_back(std::move(a));
            continue;
        }
        st = parseNpy(buf.data(), buf.size(), arrayName, a);
        if (st) out.push_back(std::move(a));
    }
    zip_close(z);  // also frees the source
    if (st && out.empty()) st = Status::error("the .npz holds no .npy arrays");
    return st;
}

Status readDump(const std::string& path, Dump& out)
{
    QByteArray data;
    if (auto st = readAll(path, data); !st) return st;
    const QString ext = QFileInfo(QString::fromStdString(path)).suffix().toLower();
    std::vector<DumpArray> arrays;
    out = Dump{};
    out.path = path;
    Status st;
    if (ext == "npy") {
        arrays.resize(1);
        st = parseNpy(data.constData(), size_t(data.size()), "attention", arrays[0]);
    } else if (ext == "npz") {
        st = parseNpz(data.constData(), size_t(data.size()), arrays, &out.labelArrays);
        // String arrays named like tokens label the axes; the others are matched by length later.
        for (auto it = out.labelArrays.begin(); it != out.labelArrays.end();) {
            const std::string& n = it->name;
            const bool both = n == "tokens" || n == "input_tokens" || n == "labels" || n == "words";
            const bool keys = n == "source_tokens" || n == "src_tokens" || n == "key_tokens";
            const bool queries = n == "target_tokens" || n == "tgt_tokens" || n == "query_tokens";
            if (!both && !keys && !queries) {
                ++it;
                continue;
            }
            if (both || queries) out.queryTokens = it->values;
            if (both || keys) out.keyTokens = it->values;
            out.labelNote += (out.labelNote.empty() ? "" : "; ") + std::string("labels from the string array '") + n + "' (" +
                             std::to_string(it->values.size()) + " tokens)";
            it = out.labelArrays.erase(it);
        }
    } else if (ext == "safetensors") {
        st = parseSafetensors(data.constData(), size_t(data.size()), arrays);
    } else if (ext == "json") {
        st = parseJsonDump(data.constData(), size_t(data.size()), arrays, out.queryTokens, out.keyTokens, &out.labelNote,
                           &out.labelWarning);
    } else {
        return Status::error("unknown dump type ." + ext.toStdString() + " (npy, npz, safetensors, json)");
    }
    if (!st) return Status::error(path + ": " + st.message);
    if (arrays.size() == 1) {
        out.array = std::move(arrays[0]);
        return Status::success();
    }
    // Several arrays: one per layer, stacked in natural name order ("layer_2" before "layer_10").
    std::sort(arrays.begin(), arrays.end(), [](const DumpArray& x, const DumpArray& y) { return naturalLess(x.name, y.name); });
    for (const auto& x : arrays)
        if (x.shape != arrays[0].shape)
            return Status::error(path + ": arrays '" + arrays[0].name + "' " + shapeText(arrays[0].shape) + " and '" + x.name +
                                 "' " + shapeText(x.shape) + " differ in shape; cannot stack them as layers");
    DumpArray& a = out.array;
    a.name = "stacked";
    a.shape = arrays[0].shape;
    a.shape.insert(a.shape.begin(), int64_t(arrays.size()));
    if (checkedCount(a.shape) < 0) return Status::error(path + ": the stacked layers are too large");
    for (auto& x : arrays) a.values.insert(a.values.end(), x.values.begin(), x.values.end());
    return Status::success();
}

std::vector<std::string> defaultAxes(size_t rank)
{
    switch (rank) {
    case 2: return {"query", "key"};
    case 3: return {"head", "query", "key"};
    case 4: return {"layer", "head", "query", "key"};
    case 5: return {"layer", "batch", "head", "query", "key"};
    default: return {};
    }
}

Status mapDump(const Dump& dump, const ImportOptions& options, AttentionTrace& out)
{
    const std::string& path = dump.path;
    const DumpArray& a = dump.array;
    std::vector<std::string> qTokens = dump.queryTokens, kTokens = dump.keyTokens;
    // Axis mapping → [layer, head, query, key].
    std::vector<std::string> axes = options.axes.empty() ? defaultAxes(a.shape.size()) : options.axes;
    if (axes.empty())
        return Status::error(path + ": cannot map shape " + shapeText(a.shape) +
                             " to layer/head/query/key; give the axes (e.g. --axes batch,layer,head,query,key)");
    if (axes.size() != a.shape.size())
        return Status::error(path + ": " + std::to_string(axes.size()) + " axis names for shape " + shapeText(a.shape));
    int pos[4] = {-1, -1, -1, -1};
    const char* wanted[4] = {"layer", "head", "query", "key"};
    for (size_t d = 0; d < axes.size(); ++d) {
        bool known = axes[d] == "batch";
        for (int w = 0; w < 4; ++w)
            if (axes[d] == wanted[w]) {
                if (pos[w] >= 0) return Status::error(path + ": axis '" + axes[d] + "' given twice");
                pos[w] = int(d);
                known = true;
            }
        if (!known) return Status::error(path + ": unknown axis name '" + axes[d] + "' (layer, head, query, key, batch)");
    }
    if (pos[2] < 0 || pos[3] < 0) return Status::error(path + ": the axes must include query and key");
    std::vector<int64_t> strides(a.shape.size(), 1);
    for (int d = int(a.shape.size()) - 2; d >= 0; --d) strides[size_t(d)] = strides[size_t(d) + 1] * a.shape[size_t(d) + 1];
    auto extent = [&](int w) { return pos[w] >= 0 ? a.shape[size_t(pos[w])] : int64_t(1); };
    auto stride = [&](int w) { return pos[w] >= 0 ? strides[size_t(pos[w])] : int64_t(0); };
    const int64_t L = extent(0), H = extent(1), Q = extent(2), K = extent(3);
    if (L * H * Q * K == 0) return Status::error(path + ": the attention tensor is empty");

    TraceTensor t;
    t.name = options.name;
    t.axes = {"layer", "head", "query", "key"};
    t.shape = {L, H, Q, K};
    t.values.reserve(size_t(L * H * Q * K));
    double worstRow = 0;
    for (int64_t l = 0; l < L; ++l)
        for (int64_t h = 0; h < H; ++h)
            for (int64_t q = 0; q < Q; ++q) {
                double sum = 0;
                for (int64_t k = 0; k < K; ++k) {  // batch axes stay at index 0
                    const float v = a.values[size_t(l * stride(0) + h * stride(1) + q * stride(2) + k * stride(3))];
                    if (std::isnan(v) || std::isinf(v)) return Status::error(path + ": the attention contains NaN or infinite values");
                    if (v < 0) return Status::error(path + ": the attention contains negative weights (" + std::to_string(v) + ")");
                    sum += v;
                    t.values.push_back(v);
                }
                worstRow = std::max(worstRow, std::abs(sum - 1.0));
            }
    // Labels: tokens from the options or the file; string arrays without a token name by length.
    std::string labelNote = dump.labelNote;
    if (!options.tokens.empty()) {
        qTokens = kTokens = options.tokens;
        labelNote = "labels from the tokens given (" + std::to_string(options.tokens.size()) + ")";
    }
    for (const auto& c : dump.labelArrays) {
        const auto note = [&](const char* axis) {
            labelNote += (labelNote.empty() ? "" : "; ") + std::string(axis) + " labels from the string array '" + c.name +
                         "' (matched by length, " + std::to_string(c.values.size()) + ")";
        };
        if (qTokens.empty() && int64_t(c.values.size()) == Q) qTokens = c.values, note("query");
        if (kTokens.empty() && int64_t(c.values.size()) == K) kTokens = c.values, note("key");
    }
    // Labels that do not fit are refused with both sizes, never dropped silently.
    if (!qTokens.empty() && int64_t(qTokens.size()) != Q)
        return Status::error(path + ": " + std::to_string(qTokens.size()) + " query (target) labels for " + std::to_string(Q) +
                             " query rows of the attention " + shapeText(a.shape));
    if (!kTokens.empty() && int64_t(kTokens.size()) != K)
        return Status::error(path + ": " + std::to_string(kTokens.size()) + " key (source) labels for " + std::to_string(K) +
                             " key columns of the attention " + shapeText(a.shape));
    t.labels.assign(4, {});
    t.labels[2] = qTokens;
    t.labels[3] = kTokens;
    out = AttentionTrace{};
    out.model = "imported";
    out.metadata["input"] = path;
    out.metadata["source_shape"] = shapeText(a.shape);
    if (!labelNote.empty()) out.metadata[schema::kLabelsMeta] = labelNote;
    addTraceWarning(out, dump.labelWarning);
    if (worstRow > 1e-3) {
        addTraceWarning(out, "rows do not sum to 1 (largest deviation " + std::to_string(worstRow) + "); shown as given");
    }
    out.tensors.push_back(std::move(t));
    return Status::success();
}

Status writeNpy(const std::string& path, const std::vector<int64_t>& shape, const std::vector<float>& values)
{
    const int64_t n = checkedCount(shape);
    if (shape.empty() || n < 0 || n != int64_t(values.size())) return Status::error("writeNpy: shape and values disagree");
    std::string dims;
    for (size_t i = 0; i < shape.size(); ++i) dims += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
    while ((10 + header.size() + 1) % 64) header += ' ';  // numpy pads the header to 64 bytes
    header += '\n';
    QByteArray data("\x93NUMPY\x01\x00", 8);
    const uint16_t len = uint16_t(header.size());
    data.append(reinterpret_cast<const char*>(&len), 2).append(header.c_str(), qsizetype(header.size()));
    data.append(reinterpret_cast<const char*>(values.data()), qsizetype(values.size() * sizeof(float)));
    return saveFileAtomically(path, data.constData(), size_t(data.size()));
}

Status importDump(const std::string& path, const ImportOptions& options, AttentionTrace& out)
{
    Dump dump;
    if (auto st = readDump(path, dump); !st) return st;
    return mapDump(dump, options, out);
}

} // namespace attnscope
