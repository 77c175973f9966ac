#pragma once
// The main window: the shell around the workspaces. It knows them only through the Workspace
// interface and a WorkspaceRegistry: it makes one tab per registered workspace and loops over
// them for the menus (Ctrl+1…N, File → Open <type>…, the Workspace menu of the tab in front),
// file routing, Copy image, Export view and data, colour map, theme, the Trace panel, saving
// and opening workspace files, autosave with crash recovery, and Help → Keyboard shortcuts.
#include "workspace.h"

#include <QMainWindow>

#include <atomic>
#include <memory>

class QActionGroup;
class QDockWidget;
class QProgressDialog;
class QMenu;
class QPlainTextEdit;
class QTabWidget;
class QTreeWidget;

namespace attnscope::ui {

class JobTracker;
class WorkspaceRegistry;
struct WorkspaceFile;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    /// `loadDemo`: the workspace in front shows its built-in input (the demo verse) at start
    /// and every workspace its default input when first brought to the front.
    /// `registry`: the workspaces to show (one per registered kind by default).
    explicit MainWindow(bool loadDemo = true, const WorkspaceRegistry* registry = nullptr, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// The workspace tabs, in registry order.
    QTabWidget* workspaces() const { return tabs_; }
    const QList<Workspace*>& allWorkspaces() const { return list_; }
    Workspace* workspace(const QString& id) const;
    /// The first workspace of type W (tests and callers that know the kind).
    template <typename W> W* workspace() const
    {
        for (Workspace* w : list_)
            if (auto* x = qobject_cast<W*>(w)) return x;
        return nullptr;
    }
    Workspace* frontWorkspace() const;
    void showWorkspace(const QString& id);

    QPlainTextEdit* logPanel() const { return log_; }
    /// The Trace panel (dock): model, metadata and every tensor of the trace on screen.
    QTreeWidget* tracePanel() const { return traceInfo_; }

    /// Opens a dropped, command-line or recent file: a workspace file, or a file of a
    /// workspace's types — in the workspace in front when it takes the file, else the first
    /// that does (which comes to the front). False with a message when nothing takes it.
    bool openFile(const QString& path);
    /// A model given as a file or folder (an ONNX export folder or one of its graphs, a
    /// TorchScript module with its sidecar): added to the user models (Model manager) and picked
    /// in the workspace that runs it. Its files are read when it runs; errors appear there.
    bool openModel(const QString& path);
    /// Shows a trace one workspace made in the first workspace that accepts it
    /// (Workspace::acceptsTrace), in memory, and brings that workspace to the front. False with a
    /// message when none does.
    bool openTrace(const TracePtr& trace);
    /// Saves every workspace (.attnws) in the background; workspaceSaved follows. False when
    /// the save could not start.
    bool saveWorkspaceTo(const QString& path);
    /// Reads a workspace file in the background and restores every workspace in it;
    /// workspaceOpened follows.
    bool openWorkspace(const QString& path);
    /// Autosave file of this user (crash recovery); removed on a clean exit.
    static QString autosavePath();
    /// The last session, written on a clean quit and opened at the next start unless
    /// Preferences → "Start fresh" (settings::RestoreSession) says otherwise.
    static QString sessionPath();
    /// Writes the autosave now in the background (also done every 30 s when anything
    /// changed). False when there is nothing to save, nothing changed, or one is running.
    bool autosaveNow();
    /// True while a workspace save or autosave is being written.
    bool saving() const;
    /// Aborts the saves being written, as a kill would: the previous files stay intact.
    void abortSaving();
    /// File → Export view / Export data / Save trace without their dialogs: the view in front
    /// to a figure (PNG at `dpi`, SVG, PDF), its data (CSV, NPY), its trace (.attn in the
    /// background, .json). Every write is whole or nothing (attnscope/savefile.h); a failure
    /// keeps the previous file and shows the reason in the front workspace's banner, the log
    /// and the status bar. saveTraceTo reports through traceSaved.
    bool exportViewTo(const QString& path, int dpi);
    bool exportDataTo(const QString& path);
    void saveTraceTo(const QString& path);
    /// Light or dark palette (Fusion style) for the whole app, remembered (settings::Theme).
    void setTheme(const QString& name);
    /// Applies a colour map to every workspace and remembers it (settings::ColorMap).
    void setColorMap(const QString& name);
    QString colorMap() const { return colorMap_; }
    /// Help → Keyboard shortcuts: every key of the menus and of every workspace.
    QList<ShortcutInfo> windowShortcuts() const;
    void showShortcuts();

signals:
    void workspaceSaved(const QString& path, bool ok, const QString& message);
    void workspaceOpened(const QString& path, bool ok);
    void traceSaved(const QString& path, bool ok, const QString& message);

public slots:
    void appendLog(const QString& line);

protected:
    void closeEvent(QCloseEvent* e) override;
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;

private:
    void addWorkspace(Workspace* w);
    void createMenus();
    void rebuildWorkspaceMenu();
    void onFrontChanged();
    void exportView();
    void exportData();
    void copyImage();
    void saveTrace();
    void rememberFile(const QString& path);
    void updateRecentMenu();
    void updateTracePanel();
    void showError(const QString& message);
    /// Every workspace's state, cheap (traces are shared, not copied): what a save writes.
    WorkspaceFile snapshot() const;
    /// Writes `file` to `path` on the background lane; `autosave` only logs failures.
    void startSave(const QString& path, WorkspaceFile file, bool autosave);
    void applyWorkspaceFile(const QString& path, const WorkspaceFile& file, bool recovering);
    /// closeEvent while a save is being written: close when it reports back (progress, Cancel).
    void finishSavesThenClose();

    QTabWidget* tabs_ = nullptr;
    QList<Workspace*> list_;
    bool loadDemo_ = true;
    QString colorMap_;
    QPlainTextEdit* log_ = nullptr;
    QDockWidget* logDock_ = nullptr;
    QTreeWidget* traceInfo_ = nullptr;
    QDockWidget* traceDock_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QMenu* workspaceMenu_ = nullptr;
    QActionGroup* colorMaps_ = nullptr;
    JobTracker* saveJobs_ = nullptr;
    JobTracker* openJobs_ = nullptr;
    JobTracker* saveTraceJobs_ = nullptr;  ///< File → Save trace (long traces take seconds)
    /// Saves being written, and a flag that aborts them; shared with the writing jobs.
    struct SaveState {
        std::atomic<int> pending{0};
        std::atomic<bool> abort{false};
    };
    std::shared_ptr<SaveState> saves_;
    QProgressDialog* closeProgress_ = nullptr;  ///< while closing waits for a save
    std::shared_ptr<const WorkspaceFile> lastAutosave_;  ///< what the last autosave wrote
    bool sessionKept_ = false;  ///< closing: the session was written (or there was none to write)
};

} // namespace attnscope::ui
