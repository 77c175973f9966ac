#include "workspacefile.h"

#include "attnscope/confined.h"
#include "attnscope/savefile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cstring>

namespace attnscope::ui {

namespace {
constexpr char kMagic[8] = {'A', 'T', 'T', 'N', 'S', 'C', 'W', 'S'};
constexpr uint32_t kVersion = 2;
constexpr qint64 kTrailer = 8 + 8 + 8;

bool fail(QString* error, const QString& message)
{
    if (error) *error = message;
    return false;
}

/// A version 1 file: the text workspace's fields and its trace inline, as JSON.
bool readVersion1(const QString& path, const QByteArray& data, WorkspaceFile& out, QString* error)
{
    QJsonParseError err{};
    const auto doc = QJsonDocument::fromJson(data, &err);
    if (!doc.isObject()) return fail(error, path + QStringLiteral(": not a workspace file (%1)").arg(err.errorString()));
    QJsonObject o = doc.object();
    if (o["format"].toString() != "attnscope-workspace") return fail(error, path + QStringLiteral(": not an AttnScope workspace"));
    if (o["version"].toInt() != 1)
        return fail(error, path + QStringLiteral(": unsupported workspace version %1").arg(o["version"].toInt()));
    WorkspaceFile f;
    f.colorMap = o["color_map"].toString();
    f.current = QStringLiteral("text");
    WorkspaceSection text;
    if (o.contains("trace")) {
        auto t = std::make_shared<AttentionTrace>();
        const auto st = traceFromJson(QJsonDocument(o["trace"].toObject()).toJson().toStdString(), *t);
        if (!st) return fail(error, path + ": " + QString::fromStdString(st.message));
        text.traces["trace"] = t;
    }
    for (const char* k : {"format", "version", "color_map", "trace"}) o.remove(QLatin1String(k));
    text.state = o;  // source, reference, verse, model, forced, head_kind, tab, pinned_row, zoom
    f.sections[QStringLiteral("text")] = std::move(text);
    out = std::move(f);
    return true;
}
} // namespace

bool operator==(const WorkspaceSection& a, const WorkspaceSection& b)
{
    if (a.state != b.state || a.traces.size() != b.traces.size()) return false;
    for (const auto& [name, t] : a.traces) {
        const auto it = b.traces.find(name);
        if (it == b.traces.end() || bool(t) != bool(it->second) || (t && !(*t == *it->second))) return false;
    }
    return true;
}

bool writeWorkspaceFile(const QString& path, const WorkspaceFile& file, QString* error, const ProgressFn& progress)
{
    // Total bytes, for progress: the traces' values dominate.
    int64_t total = 0;
    for (const auto& [id, s] : file.sections)
        for (const auto& [name, t] : s.traces)
            if (t)
                for (const auto& x : t->tensors) total += int64_t(x.values.size() * sizeof(float));
    AtomicFile out(path.toStdString());
    if (auto st = out.open(); !st) return fail(error, QString::fromStdString(st.message));
    int64_t written = 0;
    bool aborted = false;
    const auto put = [&](const char* data, size_t size) {
        if (!out.write(data, size)) return false;
        written += int64_t(size);
        if (progress && !progress(std::min(written, total), total)) {
            aborted = true;
            return false;
        }
        return true;
    };
    const uint32_t version = kVersion;
    bool ok = put(kMagic, sizeof kMagic) && put(reinterpret_cast<const char*>(&version), sizeof version);
    QJsonObject sections;
    for (const auto& [id, s] : file.sections) {
        if (!ok) break;
        QJsonObject traces;
        for (const auto& [name, t] : s.traces) {
            if (!t) continue;
            const qint64 offset = qint64(out.pos());
            const Status st = writeTraceTo(*t, put);
            if (!st) {
                ok = false;
                const std::string reason = out.failure() ? st.message : out.failure().message;
                if (!aborted && error) *error = QStringLiteral("cannot save the %1 trace of the %2 workspace: %3")
                                                    .arg(name, id, QString::fromStdString(reason));
                break;
            }
            traces[name] = QJsonObject{{"offset", offset}, {"length", qint64(out.pos()) - offset}};
        }
        sections[id] = QJsonObject{{"state", s.state}, {"traces", traces}};
    }
    if (ok) {
        const QByteArray dir = QJsonDocument(QJsonObject{{"format", "attnscope-workspace"},
                                                         {"version", int(kVersion)},
                                                         {"color_map", file.colorMap},
                                                         {"current", file.current},
                                                         {"workspaces", sections}})
                                   .toJson(QJsonDocument::Compact);
        const uint64_t at = uint64_t(out.pos()), len = uint64_t(dir.size());
        ok = out.write(dir.constData(), size_t(dir.size())) && out.write(&at, 8) && out.write(&len, 8) &&
             out.write(kMagic, sizeof kMagic);
    }
    if (!ok) {
        out.cancel();
        if (aborted) return fail(error, QStringLiteral("saving %1 was stopped; the previous file is unchanged").arg(path));
        if (error && error->isEmpty()) *error = QString::fromStdString(out.failure().message);
        return false;
    }
    if (auto st = out.commit(); !st) return fail(error, QString::fromStdString(st.message));
    return true;
}

bool readWorkspaceFile(const QString& path, WorkspaceFile& out, QString* error)
{
    QFile f(path);
    if (!f.exists()) return fail(error, path + QStringLiteral(": file not found"));
    if (!QFileInfo(path).isFile()) return fail(error, path + QStringLiteral(": not a regular file"));
    if (!f.open(QIODevice::ReadOnly)) return fail(error, path + ": " + f.errorString());
    const qint64 size = f.size();
    if (size == 0) return fail(error, path + QStringLiteral(": the file is empty"));
    const uchar* mapped = f.map(0, size);
    QByteArray whole;
    if (!mapped) {
        whole = f.readAll();
        mapped = reinterpret_cast<const uchar*>(whole.constData());
    }
    const char* data = reinterpret_cast<const char*>(mapped);
    if (data[0] == '{') return readVersion1(path, QByteArray(data, size), out, error);
    if (size < qint64(sizeof kMagic + 4 + kTrailer) || std::memcmp(data, kMagic, sizeof kMagic) != 0)
        return fail(error, path + QStringLiteral(": not an AttnScope workspace file"));
    uint32_t version = 0;
    std::memcpy(&version, data + 8, 4);
    if (version != kVersion) return fail(error, path + QStringLiteral(": unsupported workspace version %1").arg(version));
    if (std::memcmp(data + size - 8, kMagic, sizeof kMagic) != 0)
        return fail(error, path + QStringLiteral(": the file is truncated (its directory is missing)"));
    uint64_t at = 0, len = 0;
    std::memcpy(&at, data + size - kTrailer, 8);
    std::memcpy(&len, data + size - kTrailer + 8, 8);
    // (len is bounded first: size − trailer − len must not wrap around; found by fuzz_attnws)
    if (at < 12 || len > uint64_t(size) - kTrailer || at > uint64_t(size) - kTrailer - len)
        return fail(error, path + QStringLiteral(": corrupt directory"));
    QJsonParseError err{};
    const auto doc = QJsonDocument::fromJson(QByteArray::fromRawData(data + at, qsizetype(len)), &err);
    if (!doc.isObject()) return fail(error, path + QStringLiteral(": corrupt directory (%1)").arg(err.errorString()));
    const QJsonObject o = doc.object();
    if (o["format"].toString() != "attnscope-workspace") return fail(error, path + QStringLiteral(": not an AttnScope workspace"));
    WorkspaceFile w;
    w.colorMap = o["color_map"].toString();
    w.current = o["current"].toString();
    const QJsonObject sections = o["workspaces"].toObject();
    for (auto it = sections.begin(); it != sections.end(); ++it) {
        const QJsonObject s = it.value().toObject();
        WorkspaceSection section;
        section.state = s["state"].toObject();
        const QJsonObject traces = s["traces"].toObject();
        for (auto t = traces.begin(); t != traces.end(); ++t) {
            const QJsonObject where = t.value().toObject();
            const qint64 offset = where["offset"].toInteger(-1), length = where["length"].toInteger(-1);
            if (offset < 12 || length <= 0 || uint64_t(offset + length) > at)
                return fail(error, path + QStringLiteral(": the %1 trace of the %2 workspace points outside the file").arg(t.key(), it.key()));
            auto trace = std::make_shared<AttentionTrace>();
            const std::string name = (path + " (" + it.key() + " " + t.key() + ")").toStdString();
            if (auto st = parseTrace(data + offset, size_t(length), name, *trace); !st)
                return fail(error, QString::fromStdString(st.message));
            section.traces[t.key()] = std::move(trace);
        }
        w.sections[it.key()] = std::move(section);
    }
    out = std::move(w);
    return true;
}

namespace {
/// The string at a '/'-separated key of `o`, or null.
QJsonValue valueAt(const QJsonObject& o, const QStringList& parts)
{
    QJsonValue v = o;
    for (const QString& p : parts) {
        if (!v.isObject()) return {};
        v = v.toObject().value(p);
    }
    return v;
}
/// Sets (or with an undefined value removes) the value at a '/'-separated key.
void setValueAt(QJsonObject& o, const QStringList& parts, int at, const QJsonValue& value)
{
    if (at + 1 == parts.size()) {
        if (value.isUndefined()) o.remove(parts[at]);
        else o[parts[at]] = value;
        return;
    }
    QJsonObject inner = o.value(parts[at]).toObject();
    setValueAt(inner, parts, at + 1, value);
    o[parts[at]] = inner;
}
bool hasScheme(const QString& v)
{
    static const QRegularExpression scheme(QStringLiteral("^[a-z][a-z0-9+.-]+:"));
    return scheme.match(v).hasMatch();
}
} // namespace

void relativizeStatePaths(QJsonObject& state, const QStringList& keys, const QString& folder)
{
    const QDir dir(folder);
    const QString base = QDir::cleanPath(dir.absolutePath()) + QLatin1Char('/');
    for (const QString& key : keys) {
        const QStringList parts = key.split(QLatin1Char('/'));
        const QString v = valueAt(state, parts).toString();
        if (v.isEmpty() || hasScheme(v) || !QDir::isAbsolutePath(v)) continue;
        const QString clean = QDir::cleanPath(v);
        if (clean.startsWith(base)) setValueAt(state, parts, 0, dir.relativeFilePath(clean));
    }
}

QStringList confineStatePaths(QJsonObject& state, const QStringList& keys, const QString& folder, bool trusted,
                              const QString& owner, const QStringList& ownFolders)
{
    const auto inOwnFolder = [&](const QString& v) {
        const QString clean = QDir::cleanPath(v);
        for (const QString& f : ownFolders)
            if (!f.isEmpty() && clean.startsWith(QDir::cleanPath(f) + QLatin1Char('/'))) return true;
        return false;
    };
    QStringList warnings;
    for (const QString& key : keys) {
        const QStringList parts = key.split(QLatin1Char('/'));
        const QJsonValue value = valueAt(state, parts);
        if (value.isUndefined() || value.isNull()) continue;
        const QString v = value.toString();
        if (v.isEmpty() || hasScheme(v)) continue;
        const std::string field = "\"" + key.toStdString() + "\"";
        std::string resolved;
        Status st = QDir::isAbsolutePath(v) && (trusted || inOwnFolder(v))
                        ? checkRegularFile(v.toStdString(), owner.toStdString(), field)
                        : resolveInside(folder.toStdString(), v.toStdString(), owner.toStdString(), field,
                                        "the workspace file's folder", resolved);
        if (st && resolved.empty()) resolved = QDir::cleanPath(v).toStdString();
        if (!st) {
            warnings << QString::fromStdString(st.message);
            setValueAt(state, parts, 0, QJsonValue(QJsonValue::Undefined));
        } else {
            setValueAt(state, parts, 0, QString::fromStdString(resolved));
        }
    }
    return warnings;
}

} // namespace attnscope::ui
