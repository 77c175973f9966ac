#include "mainwindow.h"
#include "views/messagebanner.h"

#include "attnscope/longattention.h"
#include "attnscope/pipelines.h"
#include "attnscope/scriptmodel.h"
#include "attnscope/visionmodel.h"
#include "attnscope/resources.h"

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

MainWindow::MainWindow(bool loadDemo, const WorkspaceRegistry* registry, QWidget* parent)
    : QMainWindow(parent), loadDemo_(loadDemo), saves_(std::make_shared<SaveState>())
{
    setWindowTitle(tr("AttnScope — attention workbench"));
    applyModelsKept();
    saveJobs_ = new JobTracker(this, JobLane::Background);
    openJobs_ = new JobTracker(this, JobLane::Background);
    saveTraceJobs_ = new JobTracker(this, JobLane::Background);

    tabs_ = new QTabWidget(this);
    tabs_->setObjectName("workspaces");
    tabs_->setDocumentMode(true);
    for (const WorkspaceFactory& make : (registry ? *registry : WorkspaceRegistry::builtin()).factories()) addWorkspace(make(this));
    setCentralWidget(tabs_);

    log_ = new QPlainTextEdit(this);
    log_->setObjectName("logPanel");
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);
    logDock_ = new QDockWidget(tr("Log"), this);
    logDock_->setObjectName("logDock");
    logDock_->setWidget(log_);
    addDockWidget(Qt::BottomDockWidgetArea, logDock_);
    logDock_->hide();
    // Trace panel: what the trace on screen holds (model, metadata, tensors with their axes).
    traceInfo_ = new QTreeWidget(this);
    traceInfo_->setObjectName("tracePanel");
    traceInfo_->setColumnCount(2);
    traceInfo_->setHeaderLabels({tr("item"), tr("value")});
    traceInfo_->setToolTip(tr("The model, metadata and attention tensors (name, axes, shape) of the trace on screen"));
    traceDock_ = new QDockWidget(tr("Trace"), this);
    traceDock_->setObjectName("traceDock");
    traceDock_->setWidget(traceInfo_);
    addDockWidget(Qt::RightDockWidgetArea, traceDock_);
    traceDock_->hide();

    connect(tabs_, &QTabWidget::currentChanged, this, &MainWindow::onFrontChanged);
    createMenus();
    setAcceptDrops(true);
    // Most of the screen by default: the matrix wants room for its labels.
    const QSize avail = screen() ? screen()->availableSize() : QSize(1280, 900);
    resize(std::max(960, int(avail.width() * 0.9)), std::max(720, int(avail.height() * 0.9)));
    restoreGeometry(settings::get(settings::WindowGeometry));
    restoreState(settings::get(settings::WindowState));
    setColorMap(settings::get(settings::ColorMap));
    setTheme(settings::get(settings::Theme));
    rebuildWorkspaceMenu();

    // Crash recovery: an autosave left by a session that did not exit cleanly is restored
    // (instead of the demo), and said so in the log and status bar; else the last session.
    if (QFileInfo::exists(autosavePath())) {
        statusBar()->showMessage(tr("Recovering the previous session's workspace…"));
        openWorkspace(autosavePath());
    } else if (loadDemo_ && settings::get(settings::RestoreSession) && QFileInfo::exists(sessionPath())) {
        statusBar()->showMessage(tr("Restoring the last session…"));  // a clean quit kept it
        openWorkspace(sessionPath());
    } else if (loadDemo_ && frontWorkspace()) {
        frontWorkspace()->showDefault();
    }
    auto* autosave = new QTimer(this);
    autosave->setInterval(30000);
    connect(autosave, &QTimer::timeout, this, [this] { autosaveNow(); });
    autosave->start();
}

MainWindow::~MainWindow()
{
    // A save on its way finishes on its own: its job holds the snapshot and the shared save state,
    // not the window. Other jobs see themselves cancelled as their trackers go with the workspaces.
}

void MainWindow::addWorkspace(Workspace* w)
{
    list_.append(w);
    const int index = tabs_->addTab(w, w->title());
    tabs_->setTabToolTip(index, index < 9 ? tr("%1 (Ctrl+%2)").arg(w->description()).arg(index + 1) : w->description());
    connect(w, &Workspace::traceShown, this, [this, w] {
        if (w == frontWorkspace()) updateTracePanel();
    });
    connect(w, &Workspace::logMessage, this, &MainWindow::appendLog);
    connect(w, &Workspace::errorShown, this, [this](const QString& m) { statusBar()->showMessage(m, 8000); });
    connect(w, &Workspace::traceForAnotherWorkspace, this, [this](const TracePtr& trace) { openTrace(trace); });
}

bool MainWindow::openTrace(const TracePtr& trace)
{
    if (!trace) return false;
    for (Workspace* w : list_)
        if (w->acceptsTrace(*trace)) {
            tabs_->setCurrentWidget(w);
            w->adoptTrace(trace);
            return true;
        }
    showError(tr("No workspace shows this trace"));
    return false;
}

Workspace* MainWindow::workspace(const QString& id) const
{
    for (Workspace* w : list_)
        if (w->id() == id) return w;
    return nullptr;
}

Workspace* MainWindow::frontWorkspace() const { return qobject_cast<Workspace*>(tabs_->currentWidget()); }

void MainWindow::showWorkspace(const QString& id)
{
    if (Workspace* w = workspace(id)) tabs_->setCurrentWidget(w);
}

void MainWindow::onFrontChanged()
{
    updateTracePanel();
    rebuildWorkspaceMenu();
    Workspace* w = frontWorkspace();
    if (w && loadDemo_ && !w->hasInput()) w->showDefault();  // something to look at
}

void MainWindow::setColorMap(const QString& name)
{
    const QStringList names = colorMapNames();
    colorMap_ = names.contains(name) ? name : names.value(0);
    for (Workspace* w : list_) w->setColorMap(colorMap_);
    settings::set(settings::ColorMap, colorMap_);
    if (colorMaps_)
        for (QAction* a : colorMaps_->actions()) a->setChecked(a->text() == colorMap_);
}

void MainWindow::setTheme(const QString& name)
{
    const bool dark = name == "dark";
    QApplication::setStyle(QStyleFactory::create("Fusion"));
    QPalette p = QApplication::style()->standardPalette();
    if (dark) {
        const QColor window(45, 45, 48), base(30, 30, 32), text(230, 230, 230), highlight(64, 128, 220);
        p.setColor(QPalette::Window, window);
        p.setColor(QPalette::WindowText, text);
        p.setColor(QPalette::Base, base);
        p.setColor(QPalette::AlternateBase, window);
        p.setColor(QPalette::Text, text);
        p.setColor(QPalette::Button, window);
        p.setColor(QPalette::ButtonText, text);
        p.setColor(QPalette::ToolTipBase, base);
        p.setColor(QPalette::ToolTipText, text);
        p.setColor(QPalette::Highlight, highlight);
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::PlaceholderText, QColor(150, 150, 150));
        p.setColor(QPalette::Disabled, QPalette::Text, QColor(120, 120, 120));
        p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(120, 120, 120));
    }
    QApplication::setPalette(p);
    for (Workspace* w : list_) w->setDarkTheme(dark);
    settings::set(settings::Theme, dark ? QStringLiteral("dark") : QStringLiteral("light"));
}

void MainWindow::showError(const QString& message)
{
    appendLog(tr("Error: %1").arg(message));
    statusBar()->showMessage(message, 8000);
    if (Workspace* w = frontWorkspace()) w->banner()->showMessage(MessageBanner::Level::Error, message);
}

void MainWindow::copyImage()
{
    Workspace* w = frontWorkspace();
    if (!w) return;
    QString error;
    const QImage img = w->renderCurrentView(96, &error);
    if (img.isNull()) {
        statusBar()->showMessage(error, 6000);
        return;
    }
    QApplication::clipboard()->setImage(img);
    statusBar()->showMessage(tr("The %1 view is on the clipboard").arg(w->currentViewName()), 3000);
}

void MainWindow::exportView()
{
    Workspace* w = frontWorkspace();
    if (!w) return;
    const QString viewName = w->currentViewName();
    const QString path = QFileDialog::getSaveFileName(this, tr("Export view"), viewName + ".png",
                                                      tr("PNG image (*.png);;SVG vector image (*.svg);;PDF document (*.pdf)"));
    if (path.isEmpty()) return;
    int dpi = settings::get(settings::ExportDpi);
    if (QFileInfo(path).suffix().compare("png", Qt::CaseInsensitive) == 0) {
        bool ok = false;
        dpi = QInputDialog::getInt(this, tr("PNG resolution"), tr("Dots per inch (96 = screen, 300 = print):"), dpi, 48, 1200,
                                   1, &ok);
        if (!ok) return;
        settings::set(settings::ExportDpi, dpi);
    }
    exportViewTo(path, dpi);
}

bool MainWindow::exportViewTo(const QString& path, int dpi)
{
    Workspace* w = frontWorkspace();
    if (!w) return false;
    QString error;
    if (!w->exportCurrentView(path, dpi, &error)) {
        showError(tr("Export failed: %1").arg(error));
        return false;
    }
    appendLog(tr("Exported the %1 view to %2").arg(w->currentViewName(), path));
    return true;
}

void MainWindow::exportData()
{
    Workspace* w = frontWorkspace();
    if (!w) return;
    const ViewData d = w->currentData();  // said before a dialog opens for nothing
    if (!d.error.isEmpty()) {
        statusBar()->showMessage(d.error, 6000);
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export data — %1").arg(d.description), d.fileName,
                                                      tr("CSV with labels (*.csv);;NumPy array (*.npy)"));
    if (path.isEmpty()) return;
    exportDataTo(path);
}

bool MainWindow::exportDataTo(const QString& path)
{
    Workspace* w = frontWorkspace();
    if (!w) return false;
    const ViewData d = w->currentData();
    QString error;
    if (!d.error.isEmpty() || !writeDataTable(d.table, path, &error)) {
        showError(tr("Export failed: %1").arg(d.error.isEmpty() ? error : d.error));
        return false;
    }
    appendLog(tr("Exported the %1 data to %2").arg(w->currentViewName(), path));
    return true;
}

void MainWindow::saveTrace()
{
    Workspace* w = frontWorkspace();
    const TracePtr trace = w ? w->currentTrace() : nullptr;
    if (!trace) {
        statusBar()->showMessage(tr("Nothing to save yet"), 4000);
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Save trace"), w->id() + ".attn",
                                                      tr("AttnScope trace (*.attn);;JSON trace (*.json)"));
    if (path.isEmpty()) return;
    saveTraceTo(path);
}

void MainWindow::saveTraceTo(const QString& path)
{
    Workspace* w = frontWorkspace();
    const TracePtr trace = w ? w->currentTrace() : nullptr;
    if (!trace) {
        emit traceSaved(path, false, tr("Nothing to save yet"));
        return;
    }
    // On the background lane: a long trace (tiles with a pyramid, gigabytes) takes seconds.
    auto* progress = new QProgressDialog(tr("Saving the trace to %1…").arg(QFileInfo(path).fileName()), tr("Cancel"), 0, 100, this);
    progress->setMinimumDuration(500);
    progress->setAttribute(Qt::WA_DeleteOnClose);
    connect(saveTraceJobs_, &JobTracker::progress, progress, [progress](int done, int total) {
        progress->setMaximum(std::max(1, total));
        progress->setValue(done);
    });
    connect(progress, &QProgressDialog::canceled, saveTraceJobs_, &JobTracker::cancel);
    const QPointer<QProgressDialog> guard(progress);
    saveTraceJobs_->start(
        [trace, path](const JobContext& job) {
            if (QFileInfo(path).suffix().toLower() != QLatin1String("attn")) return saveTraceAuto(*trace, path.toStdString());
            SaveOptions o;
            o.progress = job.progress();
            return attnscope::saveTrace(*trace, path.toStdString(), o);
        },
        [this, path, guard](Status st) {
            if (guard) guard->close();
            if (!st && st.message != "cancelled") showError(tr("Save failed: %1").arg(QString::fromStdString(st.message)));
            else if (st) appendLog(tr("Saved the trace to %1").arg(path));
            emit traceSaved(path, bool(st), QString::fromStdString(st.message));
        });
}

void MainWindow::appendLog(const QString& line)
{
    log_->appendPlainText(QDateTime::currentDateTime().toString("hh:mm:ss  ") + line);
}

void MainWindow::updateTracePanel()
{
    traceInfo_->clear();
    Workspace* w = frontWorkspace();
    const TracePtr t = w ? w->currentTrace() : nullptr;
    if (!t) return;
    const auto add = [this](QTreeWidgetItem* parent, const QString& key, const QString& value) {
        auto* item = parent ? new QTreeWidgetItem(parent, {key, value}) : new QTreeWidgetItem(traceInfo_, {key, value});
        item->setToolTip(1, value);
        return item;
    };
    add(nullptr, tr("model"), QString::fromStdString(t->model));
    add(nullptr, tr("score function"), QString::fromStdString(t->scoreFunction));
    auto* meta = add(nullptr, tr("metadata"), QString::number(t->metadata.size()));
    for (const auto& [k, v] : t->metadata) add(meta, QString::fromStdString(k), QString::fromStdString(v).left(200));
    auto* tensors = add(nullptr, tr("tensors"), QString::number(t->tensors.size()));
    for (const auto& x : t->tensors) {
        QStringList dims;
        for (size_t d = 0; d < x.shape.size(); ++d)
            dims << QStringLiteral("%1 %2").arg(d < x.axes.size() ? QString::fromStdString(x.axes[d]) : QStringLiteral("dim")).arg(x.shape[d]);
        QString what = QStringLiteral("[%1]").arg(dims.join(QStringLiteral(" × ")));
        if (x.store)
            what += x.store->layout() == "qk" ? tr(" · queries and keys (d = %1)").arg(x.store->headDim())
                                              : tr(" · %1 tiles, memory-mapped").arg(QString::fromLatin1(storageTypeName(x.store->storageType())));
        add(tensors, QString::fromStdString(x.name), what);
    }
    add(nullptr, tr("gold links"), t->hasGold() ? QString::number(t->goldLinks.size()) : tr("none"));
    traceInfo_->expandAll();
    traceInfo_->resizeColumnToContents(0);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e)
{
    if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e)
{
    for (const QUrl& url : e->mimeData()->urls())
        if (url.isLocalFile()) openFile(url.toLocalFile());
    e->acceptProposedAction();
}

bool MainWindow::openModel(const QString& path)
{
    // An export folder is kept as the folder, whichever of its graphs was chosen.
    QString model = QFileInfo(path).absoluteFilePath();
    if (const std::string pair = onnxPairFolder(path.toStdString()); !pair.empty()) model = QString::fromStdString(pair);
    else if (QFileInfo(path).isDir() && !onnxDecoderModel(path.toStdString()).empty()) model = QDir(path).absolutePath();
    QStringList models = settings::get(settings::UserModels);
    if (!models.contains(model)) {
        models << model;
        settings::set(settings::UserModels, models);
        appendLog(tr("%1 added to your models (Model manager)").arg(model));
    }
    for (Workspace* w : list_) w->reloadModels();
    for (Workspace* w : list_)
        if (w->pickModel(model)) {
            tabs_->setCurrentWidget(w);
            rememberFile(model);
            return true;
        }
    showError(tr("%1 is in your models (Model manager), but no workspace runs it: its sidecar's input type is "
                 "image or video (the Vision and Video workspaces read pictures and clips with it)")
                  .arg(QFileInfo(model).fileName()));
    return false;
}

bool MainWindow::openFile(const QString& path)
{
    if (QFileInfo(path).suffix().toLower() == "attnws") return openWorkspace(path);
    // A model rather than data: an ONNX export folder (or its graph), a TorchScript module.
    const std::string p = path.toStdString();
    if (!onnxPairFolder(p).empty() || !onnxDecoderModel(p).empty() ||
        (QStringList{"pt", "pth", "ts"}.contains(QFileInfo(path).suffix().toLower()) && isUserModelFile(p)))
        return openModel(path);
    // The workspace in front when it reads this type, else the first that does.
    Workspace* target = frontWorkspace() && frontWorkspace()->acceptsFile(path) ? frontWorkspace() : nullptr;
    for (Workspace* w : list_)
        if (!target && w->acceptsFile(path)) target = w;
    if (!target) {
        showError(tr("%1: no workspace opens .%2 files").arg(QFileInfo(path).fileName(), QFileInfo(path).suffix()));
        return false;
    }
    // Opened before it comes to the front, so it does not first show its default input.
    const bool ok = target->openFile(path);
    tabs_->setCurrentWidget(target);
    if (ok) rememberFile(QFileInfo(path).absoluteFilePath());
    return ok;
}

} // namespace attnscope::ui
