#include "workspacefile.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace attnscope::ui {

bool WorkspaceState::operator==(const WorkspaceState& o) const
{
    const bool traces = (!trace && !o.trace) || (trace && o.trace && *trace == *o.trace);
    return source == o.source && reference == o.reference && verse == o.verse && model == o.model &&
           colorMap == o.colorMap && headKind == o.headKind && forced == o.forced && tab == o.tab &&
           pinnedRow == o.pinnedRow && xLower == o.xLower && xUpper == o.xUpper && yLower == o.yLower &&
           yUpper == o.yUpper && traces;
}

bool saveWorkspace(const QString& path, const WorkspaceState& s, QString* error)
{
    QJsonObject o{{"format", "attnscope-workspace"}, {"version", 1},       {"source", s.source},
                  {"reference", s.reference},         {"verse", s.verse},  {"model", s.model},
                  {"color_map", s.colorMap},          {"head_kind", s.headKind}, {"forced", s.forced},
                  {"tab", s.tab},                     {"pinned_row", s.pinnedRow},
                  {"zoom", QJsonObject{{"x_lower", s.xLower}, {"x_upper", s.xUpper}, {"y_lower", s.yLower}, {"y_upper", s.yUpper}}}};
    if (s.trace) o["trace"] = QJsonDocument::fromJson(QByteArray::fromStdString(traceToJson(*s.trace))).object();
    QSaveFile f(path);
    const QByteArray data = QJsonDocument(o).toJson(QJsonDocument::Compact);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size() || !f.commit()) {
        if (error) *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

bool loadWorkspace(const QString& path, WorkspaceState& s, QString* error)
{
    auto fail = [&](const QString& m) {
        if (error) *error = path + ": " + m;
        return false;
    };
    QFile f(path);
    if (!f.exists()) return fail(QStringLiteral("file not found"));
    if (!f.open(QIODevice::ReadOnly)) return fail(f.errorString());
    QJsonParseError err{};
    const auto doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (!doc.isObject()) return fail(QStringLiteral("not a workspace file (%1)").arg(err.errorString()));
    const QJsonObject o = doc.object();
    if (o["format"].toString() != "attnscope-workspace") return fail(QStringLiteral("not an AttnScope workspace"));
    if (o["version"].toInt() != 1) return fail(QStringLiteral("unsupported workspace version %1").arg(o["version"].toInt()));
    WorkspaceState w;
    w.source = o["source"].toString();
    w.reference = o["reference"].toString();
    w.verse = o["verse"].toString();
    w.model = o["model"].toString();
    w.colorMap = o["color_map"].toString();
    w.headKind = o["head_kind"].toString();
    w.forced = o["forced"].toBool();
    w.tab = o["tab"].toInt();
    w.pinnedRow = o["pinned_row"].toInt(-1);
    const QJsonObject z = o["zoom"].toObject();
    w.xLower = z["x_lower"].toDouble();
    w.xUpper = z["x_upper"].toDouble();
    w.yLower = z["y_lower"].toDouble();
    w.yUpper = z["y_upper"].toDouble();
    if (o.contains("trace")) {
        w.trace = std::make_shared<AttentionTrace>();
        const auto st = traceFromJson(QJsonDocument(o["trace"].toObject()).toJson().toStdString(), *w.trace);
        if (!st) return fail(QString::fromStdString(st.message));
    }
    s = std::move(w);
    return true;
}

} // namespace attnscope::ui
