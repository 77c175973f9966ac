#include "workspace.h"

#include <QAction>
#include <QFileInfo>

namespace attnscope::ui {

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
