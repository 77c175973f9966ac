#include "views/datawriter.h"

#include "attnscope/dumps.h"

#include <QFileInfo>
#include "attnscope/savefile.h"
#include <QTextStream>

namespace attnscope::ui {

bool writeDataTable(const DataTable& t, const QString& path, QString* error)
{
    const auto fail = [&](const QString& m) {
        if (error) *error = m;
        return false;
    };
    if (t.rows() == 0 || t.columns() == 0 || t.values.size() != size_t(t.rows()) * size_t(t.columns()))
        return fail(QStringLiteral("nothing to export: the view is empty"));
    const QString ext = QFileInfo(path).suffix().toLower();
    if (ext == "npy") {
        const std::vector<int64_t> shape = t.npyShape.empty() ? std::vector<int64_t>{t.rows(), t.columns()} : t.npyShape;
        const auto st = writeNpy(path.toStdString(), shape, t.values);
        return st ? true : fail(QString::fromStdString(st.message));
    }
    if (ext != "csv") return fail(QStringLiteral("unknown data type .%1 (csv, npy)").arg(ext));
    auto quote = [](QString s) { return '"' + s.replace('"', "\"\"") + '"'; };
    QByteArray bytes;
    QTextStream out(&bytes);
    out << quote(t.corner);
    for (const auto& c : t.columnLabels) out << ',' << quote(c);
    out << '\n';
    for (int r = 0; r < t.rows(); ++r) {
        out << quote(t.rowLabels[r]);
        for (int c = 0; c < t.columns(); ++c) out << ',' << QString::number(t.values[size_t(r) * size_t(t.columns()) + size_t(c)], 'g', 9);
        out << '\n';
    }
    out.flush();
    const auto st = saveFileAtomically(path.toStdString(), bytes.constData(), size_t(bytes.size()));
    return st ? true : fail(QString::fromStdString(st.message));
}

} // namespace attnscope::ui
