#include "mainwindow.h"

#include "attnscope/dumps.h"
#include "attnscope/trace.h"
#include "dialogs/importdumpdialog.h"
#include "dialogs/modelmanagerdialog.h"
#include "dialogs/preferencesdialog.h"
#include "settings.h"
#include "workspacefile.h"
#include "views/colormaps.h"
#include "views/headgridview.h"
#include "views/alignmentmatrixview.h"
#include "workers/engineworker.h"
#include "workspaces/textworkspace.h"
#include "workspaces/imageworkspace.h"
#include "workspaces/captionworkspace.h"
#include "workspaces/videoworkspace.h"
#include "workspaces/stnworkspace.h"
#include "workers/imageworker.h"

#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>
#include <QFileDialog>
#include <QInputDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QScreen>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QTreeWidget>
#include <QStyleFactory>
#include <QTimer>
#include <QTabWidget>
#include <QDir>

namespace attnscope::ui {

template <typename F>
auto MainWindow::onFront(F f) const
{
    QWidget* w = workspaces_->currentWidget();
    if (w == image_) return f(image_);
    if (w == stn_) return f(stn_);
    if (w == caption_) return f(caption_);
    if (w == video_) return f(video_);
    return f(text_);
}


MainWindow::MainWindow(bool loadDemo, QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("AttnScope — attention workbench"));
    worker_ = new EngineWorker;
    worker_->moveToThread(&engineThread_);
    connect(&engineThread_, &QThread::finished, worker_, &QObject::deleteLater);
    engineThread_.setObjectName("engine");
    engineThread_.start();

    imageWorker_ = new ImageWorker;
    imageWorker_->moveToThread(&engineThread_);
    connect(&engineThread_, &QThread::finished, imageWorker_, &QObject::deleteLater);

    workspaces_ = new QTabWidget(this);
    workspaces_->setObjectName("workspaces");
    workspaces_->setDocumentMode(true);
    text_ = new TextWorkspace(worker_, this);
    image_ = new ImageWorkspace(imageWorker_, this);
    workspaces_->addTab(text_, tr("Text · translation"));
    workspaces_->addTab(image_, tr("Image · channel attention"));
    stn_ = new StnWorkspace(imageWorker_, this);
    workspaces_->addTab(stn_, tr("Spatial transformer"));
    caption_ = new CaptionWorkspace(imageWorker_, this);
    workspaces_->addTab(caption_, tr("Captioning"));
    workspaces_->setTabToolTip(3, tr("Show, Attend and Tell on generated scenes: click a word of the caption to see where the "
                                     "model looked; type a caption to ask where it would look (Ctrl+4)"));
    video_ = new VideoWorkspace(this);
    workspaces_->addTab(video_, tr("Video"));
    workspaces_->setTabToolTip(4, tr("A video, its caption and the word × frame attention, scrubbed in step (Ctrl+5)"));
    workspaces_->setTabToolTip(2, tr("ST-CNNs on distorted Fashion-MNIST: the sampling frame and grid, the warped input, θ; "
                                     "drag θ by hand (Ctrl+3)"));
    workspaces_->setTabToolTip(0, tr("Sentences through the NMT models: alignment matrix, heads, comparison (Ctrl+1)"));
    workspaces_->setTabToolTip(1, tr("Images through CNNs with SE, ECA or CBAM blocks: channel weights, class profiles, "
                                     "spatial attention (Ctrl+2)"));
    setCentralWidget(workspaces_);

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
    connect(text_, &TextWorkspace::traceShown, this, &MainWindow::updateTracePanel);
    connect(image_, &ImageWorkspace::traceShown, this, &MainWindow::updateTracePanel);
    connect(image_, &ImageWorkspace::logMessage, this, &MainWindow::appendLog);
    connect(image_, &ImageWorkspace::errorShown, this, [this](const QString& m) { statusBar()->showMessage(m, 8000); });
    connect(workspaces_, &QTabWidget::currentChanged, this, [this](int i) {
        updateTracePanel();
        if (i == 1 && !image_->currentTrace()) image_->showTestImage(0);  // something to look at
        if (i == 2 && !stn_->currentTrace()) stn_->showTestImage(0);
        if (i == 3 && !caption_->currentTrace()) caption_->showTestScene(0);
        if (i == 4 && video_->frameCount() == 0) video_->openTestClip(0);
    });
    connect(video_, &VideoWorkspace::traceShown, this, &MainWindow::updateTracePanel);
    connect(video_, &VideoWorkspace::logMessage, this, &MainWindow::appendLog);
    connect(video_, &VideoWorkspace::errorShown, this, [this](const QString& m) { statusBar()->showMessage(m, 8000); });
    connect(caption_, &CaptionWorkspace::traceShown, this, &MainWindow::updateTracePanel);
    connect(caption_, &CaptionWorkspace::logMessage, this, &MainWindow::appendLog);
    connect(caption_, &CaptionWorkspace::errorShown, this, [this](const QString& m) { statusBar()->showMessage(m, 8000); });
    connect(stn_, &StnWorkspace::traceShown, this, &MainWindow::updateTracePanel);
    connect(stn_, &StnWorkspace::logMessage, this, &MainWindow::appendLog);
    connect(stn_, &StnWorkspace::errorShown, this, [this](const QString& m) { statusBar()->showMessage(m, 8000); });

    connect(text_, &TextWorkspace::logMessage, this, &MainWindow::appendLog);
    connect(worker_, &EngineWorker::log, this, &MainWindow::appendLog, Qt::QueuedConnection);
    connect(text_, &TextWorkspace::errorShown, this, [this](const QString& m) { statusBar()->showMessage(m, 8000); });
    createMenus();
    setAcceptDrops(true);
    statusBar()->showMessage(tr("Reading the Bible corpus…"), 4000);
    // Most of the screen by default: the matrix wants room for its labels.
    const QSize avail = screen() ? screen()->availableSize() : QSize(1280, 900);
    resize(std::max(960, int(avail.width() * 0.9)), std::max(720, int(avail.height() * 0.9)));
    restoreGeometry(settings::get(settings::WindowGeometry));
    restoreState(settings::get(settings::WindowState));
    setColorMap(settings::get(settings::ColorMap));
    setTheme(settings::get(settings::Theme));
    text_->setModel(settings::get(settings::DefaultModel));
    // Crash recovery: an autosave left by a session that did not exit cleanly is restored
    // (instead of the demo), and said so in the log and status bar.
    if (QFileInfo::exists(autosavePath()) && openWorkspace(autosavePath())) {
        recovered_ = true;
        appendLog(tr("Recovered the workspace of the previous session, which did not exit cleanly"));
        statusBar()->showMessage(tr("Recovered the previous session's workspace"), 8000);
    }
    auto* autosave = new QTimer(this);
    autosave->setInterval(30000);
    connect(autosave, &QTimer::timeout, this, [this] { autosaveNow(); });
    autosave->start();
    if (loadDemo) QMetaObject::invokeMethod(worker_, "loadVerses", Qt::QueuedConnection);
}

MainWindow::~MainWindow()
{
    worker_->supersede(~quint64(0));  // cancel running work
    engineThread_.quit();
    engineThread_.wait();
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open trace…"), this, &MainWindow::openTraceDialog);
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(tr("Open a saved .attn or .json trace (no model needed)"));
    QAction* imp = file->addAction(tr("&Import attention dump…"), this, &MainWindow::importDumpDialog);
    imp->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    imp->setToolTip(tr("Attention saved from PyTorch, JAX or TensorFlow: .npy .npz .safetensors .json"));
    QAction* openImg = file->addAction(tr("Open i&mage…"), this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open image"), {},
                                                       tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.pgm *.ppm);;All files (*)"));
        if (!p.isEmpty()) openImage(p);
    });
    openImg->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_I));
    QAction* openVid = file->addAction(tr("Open &video…"), this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open video"), {},
                                                       tr("Videos (*.avi *.mp4 *.mkv *.webm *.mov *.mpg *.ogv);;All files (*)"));
        if (!p.isEmpty()) openFile(p);
    });
    openVid->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V));
    openVid->setToolTip(tr("Describe a video with the clip captioner and scrub its word × frame attention (video workspace)"));
    openImg->setToolTip(tr("Classify an image with the channel-attention CNNs (image workspace)"));
    QAction* openWs = file->addAction(tr("Open &workspace…"), this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open workspace"), {}, tr("AttnScope workspace (*.attnws)"));
        if (!p.isEmpty()) openWorkspace(p);
    });
    openWs->setToolTip(tr("Inputs, trace and view state saved earlier"));
    QAction* saveWs = file->addAction(tr("Save wor&kspace…"), this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, tr("Save workspace"), "workspace.attnws", tr("AttnScope workspace (*.attnws)"));
        if (!p.isEmpty()) saveWorkspaceTo(p);
    });
    saveWs->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    QAction* save = file->addAction(tr("&Save trace…"), this, &MainWindow::saveTrace);
    save->setShortcut(QKeySequence::Save);
    QAction* exp = file->addAction(tr("&Export view…"), this, &MainWindow::exportView);
    exp->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exp->setToolTip(tr("The alignment matrix as PNG, SVG or PDF, with labels and colour bar"));
    QAction* data = file->addAction(tr("Export &data…"), this, &MainWindow::exportData);
    data->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    data->setToolTip(tr("The displayed matrix as CSV (with token labels) or NumPy .npy"));
    recentMenu_ = file->addMenu(tr("Open &recent"));
    updateRecentMenu();
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* copy = edit->addAction(tr("&Copy image"), this, [this] {
        QApplication::clipboard()->setImage(text_->matrixView()->image());
        statusBar()->showMessage(tr("The alignment matrix is on the clipboard"), 3000);
    });
    copy->setObjectName("copyImage");
    copy->setShortcut(QKeySequence::Copy);
    copy->setToolTip(tr("Copy the alignment matrix as an image, to paste into slides or documents"));
    edit->addSeparator();
    QAction* prefs = edit->addAction(tr("&Preferences…"), this, [this] {
        PreferencesDialog d(this);
        if (d.exec() == QDialog::Accepted) appendLog(tr("Preferences saved"));
    });
    prefs->setObjectName("preferences");
    prefs->setShortcut(QKeySequence::Preferences);
    prefs->setMenuRole(QAction::PreferencesRole);

    QMenu* models = menuBar()->addMenu(tr("&Models"));
    QAction* manager = models->addAction(tr("Model &manager…"), this, [this] {
        ModelManagerDialog d(this);
        connect(&d, &ModelManagerDialog::modelsChanged, text_, &TextWorkspace::reloadModels);
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
    view->addAction(tr("&Text workspace"), this, [this] { workspaces_->setCurrentIndex(0); })->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    view->addAction(tr("&Image workspace"), this, [this] { workspaces_->setCurrentIndex(1); })->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    view->addAction(tr("&Spatial transformer workspace"), this, [this] { workspaces_->setCurrentIndex(2); })->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_3));
    view->addAction(tr("&Captioning workspace"), this, [this] { workspaces_->setCurrentIndex(3); })->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_4));
    view->addAction(tr("&Video workspace"), this, [this] { workspaces_->setCurrentIndex(4); })->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_5));
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
    QAction* unpin = view->addAction(tr("&Unpin row"), this, [this] { text_->matrixView()->setPinnedRow(-1); });
    unpin->setShortcut(QKeySequence(Qt::Key_Escape));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About AttnScope"), this, [this] {
        QMessageBox::about(this, tr("About AttnScope"),
                           tr("<b>AttnScope</b> — see what attention models attend to.<br>"
                              "Rows are target (English) tokens, columns source (Spanish) tokens; each row is the "
                              "attention α of the decoder step that wrote that word. Gold links come from the "
                              "Strong's numbers of the Reina-Valera 1909 and World English Bible SWORD modules."));
    });
}

void MainWindow::setColorMap(const QString& name)
{
    text_->matrixView()->setColorMap(name);
    text_->headGrid()->setColorMap(text_->matrixView()->colorMapName());
    image_->setColorMap(text_->matrixView()->colorMapName());
    settings::set(settings::ColorMap, text_->matrixView()->colorMapName());
    if (colorMaps_)
        for (QAction* a : colorMaps_->actions()) a->setChecked(a->text() == text_->matrixView()->colorMapName());
}

QString MainWindow::autosavePath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dir);
    return dir + "/autosave.attnws";
}

bool MainWindow::autosaveNow()
{
    if (!text_->currentTrace()) return false;
    WorkspaceState st = text_->state();
    st.colorMap = text_->matrixView()->colorMapName();
    return saveWorkspace(autosavePath(), st, nullptr);
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
    settings::set(settings::Theme, dark ? QStringLiteral("dark") : QStringLiteral("light"));
}

void MainWindow::closeEvent(QCloseEvent* e)
{
    QFile::remove(autosavePath());  // a clean exit: nothing to recover
    settings::set(settings::WindowGeometry, saveGeometry());
    settings::set(settings::WindowState, saveState());
    QMainWindow::closeEvent(e);
}

void MainWindow::exportData()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export data"), "attention.csv",
                                                      tr("CSV with labels (*.csv);;NumPy array (*.npy)"));
    if (path.isEmpty()) return;
    QString error;
    if (text_->matrixView()->exportData(path, &error)) appendLog(tr("Exported the matrix data to %1").arg(path));
    else QMessageBox::warning(this, tr("Export failed"), error);
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

void MainWindow::appendLog(const QString& line)
{
    log_->appendPlainText(QDateTime::currentDateTime().toString("hh:mm:ss  ") + line);
}

void MainWindow::updateTracePanel()
{
    traceInfo_->clear();
    const TracePtr t = frontTrace();
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
        add(tensors, QString::fromStdString(x.name), QStringLiteral("[%1]").arg(dims.join(QStringLiteral(" × "))));
    }
    add(nullptr, tr("gold links"), t->hasGold() ? QString::number(t->goldLinks.size()) : tr("none"));
    traceInfo_->expandAll();
    traceInfo_->resizeColumnToContents(0);
}

void MainWindow::exportView()
{
    const QString viewName = onFront([](auto* w) { return w->currentViewName(); });
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
    QString error;
    const bool ok = onFront([&](auto* w) { return w->exportCurrentView(path, dpi, &error); });
    if (ok) appendLog(tr("Exported the %1 view to %2").arg(viewName, path));
    else QMessageBox::warning(this, tr("Export failed"), error);
}

void MainWindow::saveTrace()
{
    const TracePtr trace = frontTrace();
    if (!trace) {
        statusBar()->showMessage(tr("Nothing to save yet"), 4000);
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Save trace"), "trace.attn",
                                                      tr("AttnScope trace (*.attn);;JSON trace (*.json)"));
    if (path.isEmpty()) return;
    if (auto st = saveTraceAuto(*trace, path.toStdString()); !st)
        QMessageBox::warning(this, tr("Save failed"), QString::fromStdString(st.message));
    else
        appendLog(tr("Saved the trace to %1").arg(path));
}

void MainWindow::openTraceDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open trace"), {}, tr("Traces (*.attn *.json)"));
    if (!path.isEmpty()) openTrace(path);
}

void MainWindow::importDumpDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import attention dump"), {},
                                                      tr("Attention dumps (*.npy *.npz *.safetensors *.json)"));
    if (path.isEmpty()) return;
    ImportDumpDialog dialog(this);
    QString error;
    if (!dialog.load(path, &error)) {
        QMessageBox::warning(this, tr("Import failed"), error);
        return;
    }
    if (dialog.exec() != QDialog::Accepted || !dialog.trace()) return;
    text_->showTrace(dialog.trace());
    appendLog(tr("Imported %1").arg(path));
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

bool MainWindow::saveWorkspaceTo(const QString& path)
{
    WorkspaceState st = text_->state();
    st.colorMap = text_->matrixView()->colorMapName();
    QString error;
    if (!saveWorkspace(path, st, &error)) {
        appendLog(tr("Error: %1").arg(error));
        statusBar()->showMessage(error, 8000);
        return false;
    }
    appendLog(tr("Saved the workspace to %1").arg(path));
    rememberFile(QFileInfo(path).absoluteFilePath());
    return true;
}

bool MainWindow::openWorkspace(const QString& path)
{
    WorkspaceState st;
    QString error;
    if (!loadWorkspace(path, st, &error)) {
        appendLog(tr("Error: %1").arg(error));
        statusBar()->showMessage(error, 8000);
        return false;
    }
    if (!st.colorMap.isEmpty()) setColorMap(st.colorMap);
    text_->restore(st);
    appendLog(tr("Opened the workspace %1").arg(path));
    rememberFile(QFileInfo(path).absoluteFilePath());
    return true;
}

TracePtr MainWindow::frontTrace() const
{
    return onFront([](auto* w) { return TracePtr(w->currentTrace()); });
}

void MainWindow::openImage(const QString& path)
{
    QWidget* w = workspaces_->currentWidget();
    if (w == stn_) {
        stn_->openImage(path);
    } else if (w == caption_) {
        caption_->openImage(path);
    } else {
        workspaces_->setCurrentWidget(image_);
        image_->openImage(path);
    }
    rememberFile(QFileInfo(path).absoluteFilePath());
}

bool MainWindow::openFile(const QString& path)
{
    static const QStringList imageTypes{"png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp", "pgm", "ppm", "pbm"};
    if (imageTypes.contains(QFileInfo(path).suffix().toLower())) {
        openImage(path);
        return true;
    }
    static const QStringList videoTypes{"avi", "mp4", "mkv", "webm", "mov", "mpg", "mpeg", "ogv", "m4v"};
    if (videoTypes.contains(QFileInfo(path).suffix().toLower())) {
        workspaces_->setCurrentWidget(video_);
        video_->openVideo(path);
        rememberFile(QFileInfo(path).absoluteFilePath());
        return true;
    }
    if (QFileInfo(path).suffix().toLower() == "attnws") return openWorkspace(path);
    // Traces first (.attn, and .json in the trace format), then dumps (.npy .npz .safetensors
    // and .json dumps) with the default axis mapping.
    auto trace = std::make_shared<AttentionTrace>();
    const QString ext = QFileInfo(path).suffix().toLower();
    Status st = Status::error("not a trace");
    if (ext == "attn" || ext == "json") st = loadTraceAuto(path.toStdString(), *trace);
    if (st || ext == "attn") return showLoaded(path, st, trace, tr("Opened %1"));
    return showLoaded(path, importDump(path.toStdString(), {}, *trace), trace, tr("Imported %1"));
}

bool MainWindow::openTrace(const QString& path)
{
    auto trace = std::make_shared<AttentionTrace>();
    return showLoaded(path, loadTraceAuto(path.toStdString(), *trace), trace, tr("Opened %1"));
}

bool MainWindow::showLoaded(const QString& path, const Status& st, std::shared_ptr<AttentionTrace> trace,
                            const QString& done)
{
    if (!st) {
        appendLog(tr("Error: %1").arg(QString::fromStdString(st.message)));
        statusBar()->showMessage(QString::fromStdString(st.message), 8000);
        return false;
    }
    workspaces_->setCurrentWidget(text_);
    text_->showTrace(std::move(trace));
    appendLog(done.arg(path));
    rememberFile(QFileInfo(path).absoluteFilePath());
    return true;
}

} // namespace attnscope::ui
