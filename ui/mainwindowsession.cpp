// The main window's session: autosave every 30 s with crash recovery, the last session kept
// on a clean quit and restored at the next start (Preferences: "Start fresh"), and saving and
// opening workspace files in the background.
#include "mainwindow.h"
#include "views/messagebanner.h"

#include "attnscope/resources.h"
#include "jobs/jobtracker.h"
#include "settings.h"
#include "workspacefile.h"

#include <QCloseEvent>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProgressDialog>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>

namespace attnscope::ui {

void MainWindow::finishSavesThenClose()
{
    // Called from closeEvent while a save is being written: the window stays open (and
    // responsive) until the save's job reports back, then closes; the event loop waits, never a
    // sleep on the GUI thread. Cancel aborts the save (the previous file is kept: QSaveFile).
    if (closeProgress_) return;
    statusBar()->showMessage(tr("Finishing the workspace save before closing…"));
    closeProgress_ = new QProgressDialog(tr("Finishing the workspace save before closing…"), tr("Close without saving"), 0, 0, this);
    closeProgress_->setObjectName("closeProgress");
    closeProgress_->setWindowModality(Qt::WindowModal);
    closeProgress_->setMinimumDuration(300);  // a short save closes without flashing a dialog
    connect(closeProgress_, &QProgressDialog::canceled, this, [this] { abortSaving(); });
    connect(this, &MainWindow::workspaceSaved, closeProgress_, [this] {
        if (saving()) return;
        closeProgress_->deleteLater();
        closeProgress_ = nullptr;
        QTimer::singleShot(0, this, &QWidget::close);
    });
}

QString MainWindow::autosavePath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dir);
    return dir + "/autosave.attnws";
}

QString MainWindow::sessionPath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dir);
    return dir + "/session.attnws";
}

WorkspaceFile MainWindow::snapshot() const
{
    WorkspaceFile f;
    f.colorMap = colorMap_;
    if (Workspace* w = frontWorkspace()) f.current = w->id();
    for (Workspace* w : list_)
        if (w->hasInput()) f.sections[w->id()] = w->saveState();
    return f;
}

namespace {
/// The same states and the very same traces (pointers): nothing to autosave again.
bool sameSnapshot(const WorkspaceFile& a, const WorkspaceFile& b)
{
    if (a.colorMap != b.colorMap || a.current != b.current || a.sections.size() != b.sections.size()) return false;
    for (const auto& [id, s] : a.sections) {
        const auto it = b.sections.find(id);
        if (it == b.sections.end() || s.state != it->second.state || s.traces != it->second.traces) return false;
    }
    return true;
}
} // namespace

bool MainWindow::autosaveNow()
{
    if (saves_->pending.load() > 0) return false;  // the previous one is still being written
    if (closeProgress_) return false;               // closing: no new save
    WorkspaceFile f = snapshot();
    if (f.sections.empty()) return false;
    if (lastAutosave_ && sameSnapshot(*lastAutosave_, f)) return false;
    lastAutosave_ = std::make_shared<const WorkspaceFile>(f);
    startSave(autosavePath(), std::move(f), true);
    return true;
}

bool MainWindow::saveWorkspaceTo(const QString& path)
{
    WorkspaceFile f = snapshot();
    startSave(path, std::move(f), false);
    return true;
}

bool MainWindow::saving() const { return saves_->pending.load() > 0; }

void MainWindow::abortSaving() { saves_->abort.store(true); }

void MainWindow::startSave(const QString& path, WorkspaceFile file, bool autosave)
{
    // Input files inside the workspace file's folder are named relative to it (they move with it).
    for (auto& [id, section] : file.sections)
        if (Workspace* w = workspace(id)) relativizeStatePaths(section.state, w->statePathKeys(), QFileInfo(path).absolutePath());
    // The snapshot shares the traces (immutable) with the workspaces: nothing is copied on the
    // GUI thread, whatever their size; the writer streams them to disk on the background lane.
    saves_->abort.store(false);
    ++saves_->pending;
    struct Out {
        bool ok = false;
        QString error;
        qint64 ms = 0;
    };
    auto saves = saves_;
    auto shared = std::make_shared<const WorkspaceFile>(std::move(file));
    // Each save is its own tracker job; a newer one never aborts an older write (only abortSaving does).
    auto* tracker = new JobTracker(this, JobLane::Background);
    tracker->start(
        [saves, shared, path](const JobContext&) {
            Out out;
            QElapsedTimer t;
            t.start();
            out.ok = writeWorkspaceFile(path, *shared, &out.error, [saves](int64_t, int64_t) { return !saves->abort.load(); });
            out.ms = t.elapsed();
            --saves->pending;
            return out;
        },
        [this, path, autosave, tracker](Out out) {
            tracker->deleteLater();
            if (!out.ok) {
                if (autosave) lastAutosave_.reset();
                showError(out.error);
                emit workspaceSaved(path, false, out.error);
                return;
            }
            if (!autosave) {
                appendLog(tr("Saved the workspace to %1 (%2 ms, in the background)").arg(path).arg(out.ms));
                rememberFile(QFileInfo(path).absoluteFilePath());
            }
            emit workspaceSaved(path, true, {});
        });
}

bool MainWindow::openWorkspace(const QString& path)
{
    struct Out {
        bool ok = false;
        QString error;
        std::shared_ptr<WorkspaceFile> file;
    };
    // Our own files (crash recovery, the last session) may name input files anywhere.
    const bool recovering = path == autosavePath() || path == sessionPath();
    openJobs_->start(
        [path](const JobContext&) {
            Out out;
            out.file = std::make_shared<WorkspaceFile>();
            out.ok = readWorkspaceFile(path, *out.file, &out.error);
            return out;
        },
        [this, path, recovering](Out out) {
            if (!out.ok) {
                showError(out.error);
                if (recovering) {
                    appendLog(tr("The previous session's autosave could not be read; it is kept as %1.bad").arg(path));
                    QFile::remove(path + ".bad");
                    QFile::rename(path, path + ".bad");
                    if (loadDemo_ && frontWorkspace() && !frontWorkspace()->hasInput()) frontWorkspace()->showDefault();
                }
                emit workspaceOpened(path, false);
                return;
            }
            applyWorkspaceFile(path, *out.file, recovering);
            emit workspaceOpened(path, true);
        });
    return true;
}

void MainWindow::applyWorkspaceFile(const QString& path, const WorkspaceFile& file, bool recovering)
{
    if (!file.colorMap.isEmpty()) setColorMap(file.colorMap);
    QStringList unknown;
    for (const auto& [id, section] : file.sections) {
        Workspace* w = workspace(id);
        if (!w) {
            unknown << id;
            continue;
        }
        // Every input file it names must be inside its folder (our own autosave may name files
        // anywhere) and a regular file; a refused one is dropped and said.
        WorkspaceSection confined = section;
        const QStringList refused = confineStatePaths(confined.state, w->statePathKeys(), QFileInfo(path).absolutePath(),
                                                      recovering, QFileInfo(path).fileName() + " (" + w->title() + ")",
                                                      {QStandardPaths::writableLocation(QStandardPaths::CacheLocation),
                                                       QString::fromStdString(resourcePath(""))});
        QString error;
        if (!w->restoreState(confined, &error)) showError(error);
        for (const QString& r : refused) appendLog(tr("Warning: %1; not opened").arg(r));
        if (!refused.isEmpty())
            w->banner()->showMessage(MessageBanner::Level::Warning, tr("%1; not opened").arg(refused.join("; ")));
    }
    if (!unknown.isEmpty()) appendLog(tr("The workspace file has sections this build has no workspace for: %1").arg(unknown.join(", ")));
    if (Workspace* w = workspace(file.current)) tabs_->setCurrentWidget(w);
    if (path == sessionPath()) {
        appendLog(tr("Restored the last session (Preferences → Start fresh opens the demo instead)"));
        statusBar()->showMessage(tr("Restored the last session"), 8000);
    } else if (recovering) {
        appendLog(tr("Recovered the workspace of the previous session, which did not exit cleanly"));
        statusBar()->showMessage(tr("Recovered the previous session's workspace"), 8000);
    } else {
        appendLog(tr("Opened the workspace %1").arg(path));
        rememberFile(QFileInfo(path).absoluteFilePath());
    }
    if (loadDemo_ && frontWorkspace() && !frontWorkspace()->hasInput()) frontWorkspace()->showDefault();
}

void MainWindow::closeEvent(QCloseEvent* e)
{
    if (saving()) {
        // An autosave finishing after the autosave file is removed would bring it back: close
        // once the save reports back.
        e->ignore();
        finishSavesThenClose();
        return;
    }
    settings::set(settings::WindowGeometry, saveGeometry());  // at once: the next window reads them
    settings::set(settings::WindowState, saveState());
    // A clean quit keeps the session for the next start: written in the background like any
    // save, the window closing once it is on disk (finishSavesThenClose).
    if (!sessionKept_) {
        sessionKept_ = true;
        WorkspaceFile f = snapshot();
        if (settings::get(settings::RestoreSession) && !f.sections.empty()) {
            startSave(sessionPath(), std::move(f), true);
            e->ignore();
            finishSavesThenClose();
            return;
        }
        QFile::remove(sessionPath());  // nothing on screen: the next start shows the demo
    }
    QFile::remove(autosavePath());  // a clean exit: nothing to recover
    QMainWindow::closeEvent(e);
}

} // namespace attnscope::ui
