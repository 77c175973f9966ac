// The main window's menus (File, Edit, View, Workspace, Models, Help), its keys and the recent
// files: built from the workspace registry, never per kind.
#include "mainwindow.h"
#include "attnscope/longattention.h"
#include "dialogs/modelmanagerdialog.h"
#include "dialogs/preferencesdialog.h"
#include "dialogs/shortcutsdialog.h"
#include "jobs/jobtracker.h"
#include "jobs/models.h"
#include "settings.h"
#include "views/colormaps.h"
#include "workspacefile.h"
#include "workspaces/registry.h"
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProgressDialog>
#include <QScreen>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QStyleFactory>
#include <QTabWidget>
#include <QThread>
#include <QTimer>
#include <QTreeWidget>
#include <set>

namespace attnscope::ui {

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    // Open…: every type any workspace reads, routed to the workspace that takes it.
    QStringList all;
    QList<FileType> types;  // merged by name: "Images" is taken by three workspaces
    for (Workspace* w : list_)
        for (const FileType& t : w->fileTypes()) {
            for (const QString& s : t.suffixes)
                if (!all.contains("*." + s)) all << "*." + s;
            auto it = std::find_if(types.begin(), types.end(), [&](const FileType& x) { return x.name == t.name; });
            if (it == types.end()) types << t;
            else if (it->openShortcut.isEmpty()) it->openShortcut = t.openShortcut;
        }
    QAction* open = file->addAction(tr("&Open…"), this, [this, all] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open"), {},
                                                       tr("Everything AttnScope reads (%1 *.attnws);;All files (*)").arg(all.join(' ')));
        if (!p.isEmpty()) openFile(p);
    });
    QAction* openModel = file->addAction(tr("Open &model…"), this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open a model"), {},
                                                       tr("Models (*.pt *.pth *.ts *.onnx);;All files (*)"));
        if (!p.isEmpty()) this->openModel(p);
    });
    openModel->setObjectName("openModel");
    openModel->setToolTip(tr("A TorchScript module with its sidecar, or an ONNX export's graph: added to your models and run"));
    QAction* openFolder = file->addAction(tr("Open model &folder…"), this, [this] {
        const QString p = QFileDialog::getExistingDirectory(this, tr("Open an ONNX export folder (encoder_model.onnx + "
                                                                     "decoder_model.onnx, or model.onnx)"));
        if (!p.isEmpty()) this->openModel(p);
    });
    openFolder->setObjectName("openModelFolder");
    openFolder->setToolTip(tr("An Optimum export folder (a translator's two graphs, or a decoder-only model.onnx): added to "
                              "your models and run in the Text workspace"));
    open->setObjectName("open");
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(tr("Traces, attention dumps, images, videos or a workspace: each goes to the workspace that reads it"));
    for (const FileType& t : types) {
        QStringList patterns;
        for (const QString& s : t.suffixes) patterns << "*." + s;
        QAction* a = file->addAction(tr("Open %1…").arg(t.name.toLower()), this, [this, t, patterns] {
            const QString p = QFileDialog::getOpenFileName(this, tr("Open %1").arg(t.name.toLower()), {},
                                                           tr("%1 (%2);;All files (*)").arg(t.name, patterns.join(' ')));
            if (!p.isEmpty()) openFile(p);
        });
        a->setObjectName("open_" + t.suffixes.value(0));
        a->setShortcut(t.openShortcut);
    }
    file->addSeparator();
    QAction* openWs = file->addAction(tr("Open &workspace…"), this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open workspace"), {}, tr("AttnScope workspace (*.attnws)"));
        if (!p.isEmpty()) openWorkspace(p);
    });
    openWs->setToolTip(tr("Every workspace's inputs, traces and view state saved earlier"));
    QAction* saveWs = file->addAction(tr("Save wor&kspace…"), this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, tr("Save workspace"), "workspace.attnws", tr("AttnScope workspace (*.attnws)"));
        if (!p.isEmpty()) saveWorkspaceTo(p);
    });
    saveWs->setObjectName("saveWorkspace");
    saveWs->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    saveWs->setToolTip(tr("Every workspace's inputs, traces and view state in one file (written in the background)"));
    QAction* save = file->addAction(tr("&Save trace…"), this, &MainWindow::saveTrace);
    save->setShortcut(QKeySequence::Save);
    save->setToolTip(tr("The trace of the workspace in front as .attn or .json"));
    QAction* exp = file->addAction(tr("&Export view…"), this, &MainWindow::exportView);
    exp->setObjectName("exportView");
    exp->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exp->setToolTip(tr("The view in front as PNG (at a resolution you choose), SVG or PDF"));
    QAction* data = file->addAction(tr("Export &data…"), this, &MainWindow::exportData);
    data->setObjectName("exportData");
    data->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    data->setToolTip(tr("The numbers of the view in front as CSV with labels or NumPy .npy"));
    recentMenu_ = file->addMenu(tr("Open &recent"));
    updateRecentMenu();
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* copy = edit->addAction(tr("&Copy image"), this, &MainWindow::copyImage);
    copy->setObjectName("copyImage");
    copy->setShortcut(QKeySequence::Copy);
    copy->setToolTip(tr("Copy the view in front as an image (what Export view writes at 96 dpi), to paste into slides"));
    edit->addSeparator();
    QAction* prefs = edit->addAction(tr("&Preferences…"), this, [this] {
        PreferencesDialog d(this);
        if (d.exec() != QDialog::Accepted) return;
        applyModelsKept();
        for (Workspace* w : list_) w->reloadModels();
        appendLog(tr("Preferences saved"));
    });
    prefs->setObjectName("preferences");
    prefs->setShortcut(QKeySequence::Preferences);
    prefs->setMenuRole(QAction::PreferencesRole);

    workspaceMenu_ = menuBar()->addMenu(tr("&Workspace"));
    workspaceMenu_->setObjectName("workspaceMenu");

    QMenu* models = menuBar()->addMenu(tr("&Models"));
    QAction* manager = models->addAction(tr("Model &manager…"), this, [this] {
        ModelManagerDialog d(this);
        connect(&d, &ModelManagerDialog::modelsChanged, this, [this] {
            for (Workspace* w : list_) w->reloadModels();
        });
        d.exec();
    });
    manager->setObjectName("modelManager");
    manager->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    manager->setToolTip(tr("Built-in and your own TorchScript models: what each takes and produces"));

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* logAction = logDock_->toggleViewAction();
    logAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    view->addAction(logAction);
    QAction* traceAction = traceDock_->toggleViewAction();
    traceAction->setObjectName("showTracePanel");
    traceAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    traceAction->setToolTip(tr("Show the Trace panel: model, metadata and tensors of the trace on screen"));
    view->addAction(traceAction);
    view->addSeparator();
    for (int i = 0; i < list_.size(); ++i) {
        Workspace* w = list_[i];
        QAction* a = view->addAction(w->title(), this, [this, w] { tabs_->setCurrentWidget(w); });
        a->setObjectName("showWorkspace_" + w->id());
        a->setToolTip(w->description());
        if (i < 9) a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
    }
    view->addSeparator();
    QMenu* maps = view->addMenu(tr("&Colour map"));
    colorMaps_ = new QActionGroup(this);
    for (const QString& name : colorMapNames()) {
        QAction* a = maps->addAction(name, this, [this, name] { setColorMap(name); });
        a->setCheckable(true);
        a->setObjectName("colorMap_" + name);
        colorMaps_->addAction(a);
    }
    maps->setToolTip(tr("Perceptually uniform colour maps; viridis (default) and cividis are colour-blind safe"));
    QMenu* themes = view->addMenu(tr("&Theme"));
    auto* themeGroup = new QActionGroup(this);
    for (const QString& name : {QStringLiteral("light"), QStringLiteral("dark")}) {
        QAction* a = themes->addAction(name == "light" ? tr("&Light") : tr("&Dark"), this, [this, name] { setTheme(name); });
        a->setCheckable(true);
        a->setChecked(settings::get(settings::Theme) == name);
        a->setObjectName("theme_" + name);
        themeGroup->addAction(a);
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* keys = help->addAction(tr("&Keyboard shortcuts"), this, &MainWindow::showShortcuts);
    keys->setObjectName("keyboardShortcuts");
    keys->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&About AttnScope"), this, [this] {
        QString kinds;
        for (Workspace* w : list_) kinds += QStringLiteral("<li><b>%1</b>: %2</li>").arg(w->title().toHtmlEscaped(), w->description().toHtmlEscaped());
        QMessageBox::about(this, tr("About AttnScope"),
                           tr("<b>AttnScope</b> %1 — a workbench for seeing what attention models attend to, and for "
                              "measuring it.<ul>%2</ul>Every result is an attention trace you can save, open again "
                              "without the model, export as a figure (PNG, SVG, PDF) or as numbers (CSV, .npy). "
                              "Help → Keyboard shortcuts (F1) lists every key.")
                               .arg(QApplication::applicationVersion(), kinds));
    });
}

void MainWindow::rebuildWorkspaceMenu()
{
    // Only the front workspace's commands are in the menu (and so only theirs are reachable
    // through it); their shortcuts are active while that workspace is shown.
    workspaceMenu_->clear();
    Workspace* w = frontWorkspace();
    if (!w) return;
    workspaceMenu_->setTitle(tr("&Workspace"));
    workspaceMenu_->setToolTip(w->title());
    for (QAction* a : w->commands()) workspaceMenu_->addAction(a);
    workspaceMenu_->setEnabled(!workspaceMenu_->isEmpty());
}

QList<ShortcutInfo> MainWindow::windowShortcuts() const
{
    QList<ShortcutInfo> out;
    const std::function<void(QMenu*)> walk = [&](QMenu* m) {
        for (QAction* a : m->actions()) {
            if (a->menu()) {
                walk(a->menu());
                continue;
            }
            if (a->shortcut().isEmpty() || a->property("workspaceCommand").toBool()) continue;
            QString text = a->text();
            text.remove('&');
            out.append({a->shortcut().toString(QKeySequence::NativeText), text});
        }
    };
    for (QAction* a : menuBar()->actions())
        if (a->menu() && a->menu() != workspaceMenu_) walk(a->menu());
    return out;
}

void MainWindow::showShortcuts()
{
    QList<ShortcutsDialog::Group> groups{{tr("Window"), windowShortcuts()}};
    for (Workspace* w : list_) groups.append({w->title(), w->shortcuts()});
    auto* d = new ShortcutsDialog(groups, this);
    d->setAttribute(Qt::WA_DeleteOnClose);
    d->show();  // non-modal: keep it open while trying the keys
}

void MainWindow::rememberFile(const QString& path)
{
    QStringList recent = settings::get(settings::RecentFiles);
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > settings::kMaxRecentFiles) recent.removeLast();
    settings::set(settings::RecentFiles, recent);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    recentMenu_->clear();
    const QStringList recent = settings::get(settings::RecentFiles);
    for (const QString& path : recent) recentMenu_->addAction(QFileInfo(path).fileName(), this, [this, path] { openFile(path); })->setToolTip(path);
    recentMenu_->setEnabled(!recent.isEmpty());
}

} // namespace attnscope::ui
