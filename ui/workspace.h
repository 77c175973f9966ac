#pragma once
// Workspace: what every workspace tab offers the main window, after Tiled's abstract Editor.
// MainWindow knows workspaces only through this interface and the registry
// (workspaces/registry.h): tabs, menus, Ctrl+1…N, file routing, Copy image, Export view and
// data, colour map, theme, saving, autosave and Help → Keyboard shortcuts all loop over it.
// A new kind of workspace is one folder under workspaces/ and one registry line.
#include "attnscope/trace.h"

#include <QJsonObject>
#include <QKeySequence>
#include <QList>
#include <QStringList>
#include <QWidget>

#include <map>
#include <memory>

class QAction;

namespace attnscope::ui {

using TracePtr = std::shared_ptr<const AttentionTrace>;

/// One workspace's part of a workspace file (.attnws): its state as JSON, and the traces it
/// keeps, which the file stores in the binary .attn format next to the JSON (never as text).
struct WorkspaceSection {
    QJsonObject state;
    std::map<QString, TracePtr> traces;  ///< by name, e.g. "trace"
};

/// A key or key combination and what it does, for Help → Keyboard shortcuts.
struct ShortcutInfo {
    QString keys;
    QString description;
};

/// Files a workspace opens: a name for dialogs ("Images"), lower-case suffixes without the
/// dot, and the shortcut of File → Open <name>… (optional).
struct FileType {
    QString name;
    QStringList suffixes;
    QKeySequence openShortcut;
};

class Workspace : public QWidget {
    Q_OBJECT
public:
    using QWidget::QWidget;

    // --- What it is
    /// Stable id, used in workspace files and settings: "text", "image", "stn", "caption", "video".
    virtual QString id() const = 0;
    virtual QString title() const = 0;        ///< tab title
    virtual QString description() const = 0;  ///< tab tooltip and the About box: one sentence
    virtual QList<FileType> fileTypes() const { return {}; }
    bool acceptsFile(const QString& path) const;

    // --- Input
    /// Shows its built-in input (the demo verse, test image #0, test clip #0, …).
    virtual void showDefault() = 0;
    /// True once something is shown or asked for (then showDefault is not needed).
    virtual bool hasInput() const = 0;
    /// Opens a file of one of its fileTypes(). Errors appear in the workspace's banner; false
    /// when the file cannot be taken at all.
    virtual bool openFile(const QString& path) = 0;
    /// Called when the user models (Model manager) or preferences changed.
    virtual void reloadModels() {}

    // --- Output
    virtual TracePtr currentTrace() const = 0;
    /// A short name of the view in front, for file names: "alignment", "channels", "stn", …
    virtual QString currentViewName() const = 0;
    /// The view in front as an image, exactly what Export view writes as PNG at `dpi` (Copy
    /// image uses 96 dpi). Null with a message when there is nothing to show.
    virtual QImage renderCurrentView(int dpi, QString* error) = 0;
    /// Export view: PNG (renderCurrentView at `dpi`), SVG or PDF by the extension of `path`.
    virtual bool exportCurrentView(const QString& path, int dpi, QString* error) = 0;
    /// Export data: the workspace's own numbers (channel excitations, α maps, word × frame,
    /// θ, the matrix …), CSV with labels or NumPy .npy by extension.
    virtual bool exportData(const QString& path, QString* error) = 0;
    /// Suggested file name for Export data, e.g. "channel-excitation.csv".
    virtual QString dataFileName() const = 0;
    /// What Export data writes, for the menu's tooltip and the save dialog.
    virtual QString dataDescription() const = 0;

    // --- Appearance
    virtual void setColorMap(const QString& name) = 0;
    virtual void setDarkTheme(bool) {}

    // --- State
    /// Its inputs, settings and view state (and traces worth keeping) for a workspace file.
    virtual WorkspaceSection saveState() const = 0;
    /// Restores what saveState wrote; results that need the engine follow asynchronously.
    /// False with a message for a section it cannot read.
    virtual bool restoreState(const WorkspaceSection& section, QString* error) = 0;

    // --- Keys
    /// Its own commands (QActions with shortcuts, active while it is in front); MainWindow
    /// shows them in the Workspace menu.
    virtual QList<QAction*> commands() const;
    /// Keys handled by its views (arrow keys, Esc, …) besides its commands, for the Help list.
    virtual QList<ShortcutInfo> viewKeys() const { return {}; }
    /// Everything a user can press in this workspace: its commands, then its view keys.
    QList<ShortcutInfo> shortcuts() const;

signals:
    /// The trace on screen changed (the Trace panel follows).
    void traceShown();
    void logMessage(const QString& line);
    /// An error was shown in the banner (the status bar repeats it).
    void errorShown(const QString& message);

protected:
    /// A command of this workspace: active (its shortcut included) only while the workspace
    /// is the tab in front, listed in the Workspace menu and the Help list.
    QAction* addCommand(const QString& text, const QKeySequence& shortcut, const QString& toolTip);
};

} // namespace attnscope::ui
