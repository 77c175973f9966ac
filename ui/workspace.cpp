#include "workspace.h"
#include "attnscope/schema.h"

#include "views/messagebanner.h"

#include "attnscope/kinds.h"
#include "workspaces/registry.h"

#include <QAction>
#include <QCoreApplication>
#include <QFileInfo>

namespace attnscope::ui {

ViewData ViewData::none(const QString& error)
{
    ViewData d;
    d.error = error;
    return d;
}

FileType imageFiles(const QKeySequence& openShortcut)
{
    return {QCoreApplication::translate("attnscope::ui::Workspace", "Images"),
            {"png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp", "pgm", "ppm", "pbm"},
            openShortcut};
}

Workspace::Workspace(WorkspaceInfo info, QWidget* parent)
    : QWidget(parent), banner_(new MessageBanner(this)), info_(std::move(info))
{
    // A kind's workspace says only its id: title and description are the kind's (attnscope/kinds.h).
    registerBuiltinKinds();
    if (const KindDescriptor* k = KindCatalogue::global().find(info_.id.toStdString())) {
        if (info_.title.isEmpty()) info_.title = QString::fromStdString(k->title);
        if (info_.description.isEmpty()) info_.description = QString::fromStdString(k->description);
    }
}

void Workspace::showResultWarning(const AttentionTrace& trace)
{
    const QString w = QString::fromStdString(trace.meta(schema::kWarningMeta));
    if (w.isEmpty()) {
        banner_->clearMessage();
        return;
    }
    banner_->showMessage(MessageBanner::Level::Warning, w);
    emit logMessage(tr("Warning: %1").arg(w));
}

void Workspace::showError(const QString& message)
{
    banner_->showMessage(MessageBanner::Level::Error, message);
    emit logMessage(tr("Error: %1").arg(message));
    emit errorShown(message);
}

QImage Workspace::renderCurrentView(int dpi, QString* error) { return renderFigure(currentFigure(), dpi, error); }

bool Workspace::exportCurrentView(const QString& path, int dpi, QString* error)
{
    return writeFigure(currentFigure(), path, dpi, error);
}

bool Workspace::exportData(const QString& path, QString* error) const
{
    const ViewData d = currentData();
    if (!d.error.isEmpty()) {
        if (error) *error = d.error;
        return false;
    }
    return writeDataTable(d.table, path, error);
}

bool Workspace::acceptsFile(const QString& path) const
{
    const QString ext = QFileInfo(path).suffix().toLower();
    for (const FileType& t : fileTypes())
        if (t.suffixes.contains(ext)) return true;
    return false;
}

QList<QAction*> Workspace::commands() const
{
    QList<QAction*> out;
    for (QAction* a : actions())
        if (a->property("workspaceCommand").toBool()) out << a;
    return out;
}

QList<ShortcutInfo> Workspace::shortcuts() const
{
    QList<ShortcutInfo> out;
    for (QAction* a : commands()) {
        if (a->shortcut().isEmpty()) continue;
        QString text = a->text();
        text.remove('&');
        out.append({a->shortcut().toString(QKeySequence::NativeText), text});
    }
    out += viewKeys();
    return out;
}

QAction* Workspace::addCommand(const QString& text, const QKeySequence& shortcut, const QString& toolTip)
{
    auto* a = new QAction(text, this);
    a->setShortcut(shortcut);
    // Window context on an action that belongs to this (hidden when not in front) widget:
    // the shortcut works from anywhere in the window while this workspace is the tab in front.
    a->setShortcutContext(Qt::WindowShortcut);
    a->setToolTip(toolTip);
    a->setProperty("workspaceCommand", true);
    addAction(a);
    return a;
}

} // namespace attnscope::ui
