#pragma once
// Workspace: what every workspace tab offers the main window, after Tiled's abstract Editor.
// MainWindow knows workspaces only through this interface and the registry
// (workspaces/registry.h): tabs, menus, Ctrl+1…N, file routing, Copy image, Export view and
// data, colour map, theme, saving, autosave and Help → Keyboard shortcuts all loop over it.
// A new kind is one folder under workspaces/ (docs/architecture.md, "Adding a kind").
#include "attnscope/trace.h"
#include "views/datawriter.h"
#include "views/figurewriter.h"

#include <QJsonObject>
#include <QKeySequence>
#include <QList>
#include <QStringList>
#include <QWidget>

#include <map>
#include <memory>

class QAction;

namespace attnscope::ui {

class MessageBanner;

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
/// Image files as OpenCV decodes them (PNG, JPEG, BMP, TIFF, WebP, PNM).
FileType imageFiles(const QKeySequence& openShortcut = {});

/// What a workspace is, declared once by it and kept by the base class.
struct WorkspaceInfo {
    QString id;           ///< stable, used in workspace files: the kind's id (attnscope/kinds.h)
    QString title;        ///< tab title (empty: the kind's)
    QString description;  ///< tab tooltip and the About box: one sentence (empty: the kind's)
    QList<FileType> fileTypes;  ///< files it opens
};

/// The numbers of the view in front, for Export data.
struct ViewData {
    DataTable table;
    QString fileName;     ///< suggested file name, e.g. "channel-excitation.csv"
    QString description;  ///< what the numbers are
    QString error;        ///< set when there is nothing to export
    static ViewData none(const QString& error);
};

/// Put in a workspace class after Q_OBJECT: declares the overrides every workspace
/// implements (defined in its .cpp), so the list is written once, here.
#define ATTNSCOPE_WORKSPACE_INTERFACE                                                   \
public:                                                                                 \
    void showDefault() override;                                                        \
    bool hasInput() const override;                                                     \
    bool openFile(const QString& path) override;                                        \
    BuiltFigure currentFigure() override;                                               \
    ViewData currentData() const override;                                              \
    void setColorMap(const QString& name) override;                                     \
    WorkspaceSection saveState() const override;                                        \
    bool restoreState(const WorkspaceSection& section, QString* error) override;        \
    QList<ShortcutInfo> viewKeys() const override;

class Workspace : public QWidget {
    Q_OBJECT
public:
    Workspace(WorkspaceInfo info, QWidget* parent);

    // --- What it is
    const QString& id() const { return info_.id; }
    const QString& title() const { return info_.title; }
    const QString& description() const { return info_.description; }
    const QList<FileType>& fileTypes() const { return info_.fileTypes; }
    /// True when it opens `path`: by default its suffix is one of fileTypes(); a workspace may
    /// also look inside (the Long attention workspace takes only long traces and dumps).
    virtual bool acceptsFile(const QString& path) const;

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
    /// Selects the catalogue model `id` (a built-in name or a user model's path) in this
    /// workspace's model list and runs it; false when this workspace does not run it.
    virtual bool pickModel(const QString& /*id*/) { return false; }
    /// True when this workspace shows `trace`, made by another workspace, better than the one that
    /// made it (the Long attention workspace takes traces past 2,048 tokens): MainWindow::openTrace.
    virtual bool acceptsTrace(const AttentionTrace&) const { return false; }
    /// Shows a trace another workspace made, handed over in memory (acceptsTrace was true).
    virtual void adoptTrace(const TracePtr&) {}

    // --- Output
    /// The trace on screen (null before the first result).
    TracePtr currentTrace() const { return trace_; }
    /// A short name of the view in front, for file names: "alignment", "channels", "stn", …
    /// (the workspace's id by default).
    virtual QString currentViewName() const { return id(); }
    /// The view in front as a figure: a view on screen or a figure built for export.
    virtual BuiltFigure currentFigure() = 0;
    /// The view in front as an image, exactly what Export view writes as PNG at `dpi` (Copy
    /// image uses 96 dpi). Null with a message when there is nothing to show. By default the
    /// current figure rendered.
    virtual QImage renderCurrentView(int dpi, QString* error);
    /// Export view: PNG (renderCurrentView at `dpi`), SVG or PDF by the extension of `path`.
    /// By default the current figure written.
    virtual bool exportCurrentView(const QString& path, int dpi, QString* error);
    /// The workspace's own numbers for the view in front (channel excitations, α maps, word ×
    /// frame, θ, the matrix …).
    virtual ViewData currentData() const = 0;
    /// Export data: currentData() as CSV with labels or NumPy .npy by the extension of `path`.
    bool exportData(const QString& path, QString* error) const;

    // --- Appearance
    virtual void setColorMap(const QString& name) = 0;
    virtual void setDarkTheme(bool) {}

    // --- State
    /// Its inputs, settings and view state (and traces worth keeping) for a workspace file.
    virtual WorkspaceSection saveState() const = 0;
    /// Restores what saveState wrote; results that need the engine follow asynchronously.
    /// False with a message for a section it cannot read.
    virtual bool restoreState(const WorkspaceSection& section, QString* error) = 0;
    /// The keys of saveState()'s JSON that hold input files ('/'-separated, e.g. "input/file").
    /// A workspace file names them relative to its folder; on opening, each must resolve inside
    /// that folder and be a regular file, or it is dropped with a warning (workspacefile.h).
    virtual QStringList statePathKeys() const { return {}; }

    // --- Keys
    /// Its own commands (QActions with shortcuts, active while it is in front); MainWindow
    /// shows them in the Workspace menu.
    virtual QList<QAction*> commands() const;
    /// Keys handled by its views (arrow keys, Esc, …) besides its commands, for the Help list.
    virtual QList<ShortcutInfo> viewKeys() const { return {}; }
    /// Everything a user can press in this workspace: its commands, then its view keys.
    QList<ShortcutInfo> shortcuts() const;
    /// The inline banner of its errors and warnings.
    MessageBanner* banner() const { return banner_; }

signals:
    /// The trace on screen changed (the Trace panel follows).
    void traceShown();
    void logMessage(const QString& line);
    /// An error was shown in the banner (the status bar repeats it).
    void errorShown(const QString& message);
    /// A trace this workspace made but another shows better (e.g. a user model's long
    /// attention): the window hands it, in memory, to where it belongs (MainWindow::openTrace).
    void traceForAnotherWorkspace(const TracePtr& trace);

protected:
    /// The trace on screen; set it, then emit traceShown().
    TracePtr trace_;
    /// The inline banner every workspace shows errors and warnings in (made by the base; the
    /// workspace puts it at the top of its layout).
    MessageBanner* banner_;
    /// An error in the banner, the log ("Error: …") and, through errorShown, the status bar.
    void showError(const QString& message);
    /// A result's own warning (metadata "warning": an input unlike the training data, a truncated
    /// file, …) in the banner and the log, above the result it concerns; else the banner clears.
    void showResultWarning(const AttentionTrace& trace);
    /// A command of this workspace: active (its shortcut included) only while the workspace
    /// is the tab in front, listed in the Workspace menu and the Help list.
    QAction* addCommand(const QString& text, const QKeySequence& shortcut, const QString& toolTip);

private:
    WorkspaceInfo info_;
};

} // namespace attnscope::ui
