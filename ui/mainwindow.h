#pragma once
// Main window: menus, the text workspace, the log panel, and the engine worker thread.
#include "attnscope/trace.h"

#include <QMainWindow>
#include <QThread>

#include <memory>

class QPlainTextEdit;
class QDockWidget;
class QTreeWidget;
class QMenu;
class QActionGroup;
class QTabWidget;

namespace attnscope::ui {

class EngineWorker;
class ImageWorker;
class ImageWorkspace;
class StnWorkspace;
class CaptionWorkspace;
class VideoWorkspace;
class TextWorkspace;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    /// `loadDemo`: read the verse list and show the built-in demo verse (Ruth 1:16).
    explicit MainWindow(bool loadDemo = true, QWidget* parent = nullptr);
    ~MainWindow() override;

    TextWorkspace* textWorkspace() const { return text_; }
    ImageWorkspace* imageWorkspace() const { return image_; }
    StnWorkspace* stnWorkspace() const { return stn_; }
    CaptionWorkspace* captionWorkspace() const { return caption_; }
    VideoWorkspace* videoWorkspace() const { return video_; }
    /// The workspace tabs: 0 = text (translation), 1 = image (channel attention),
    /// 2 = spatial transformer, 3 = captioning, 4 = video.
    QTabWidget* workspaces() const { return workspaces_; }
    /// Opens an image file in the image workspace in front (the spatial-transformer or the
    /// captioning workspace when one of them is in front, else the channel-attention one).
    void openImage(const QString& path);
    QPlainTextEdit* logPanel() const { return log_; }
    /// The Trace panel (dock): model, metadata and every tensor of the trace on screen.
    QTreeWidget* tracePanel() const { return traceInfo_; }
    EngineWorker* engineWorker() const { return worker_; }
    /// Opens a .attn or .json trace into the matrix view; false + banner on error.
    bool openTrace(const QString& path);
    /// Imports an attention dump through the import dialog (modal: not for tests).
    void importDumpDialog();
    /// Opens a dropped or command-line file: .attn/.json traces, or dumps (.npy .npz
    /// .safetensors, and .json files that are not traces) with the default axis mapping;
    /// images (.png .jpg .bmp .tif .webp …) go to the image workspace.
    bool openFile(const QString& path);
    /// Saves / opens the whole workspace (.attnws). False with a message in the log on failure.
    bool saveWorkspaceTo(const QString& path);
    bool openWorkspace(const QString& path);
    /// Autosave file of this user (crash recovery); removed on a clean exit.
    static QString autosavePath();
    /// Writes the autosave now (also done every 30 s while something is shown).
    bool autosaveNow();
    /// Light or dark palette (Fusion style) for the whole app, remembered (settings::Theme).
    void setTheme(const QString& name);
    /// Applies a colour map to every view and remembers it (settings::ColorMap).
    void setColorMap(const QString& name);

protected:
    void closeEvent(QCloseEvent* e) override;

    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;

public slots:
    void appendLog(const QString& line);

private:
    /// Shows a loaded trace, or reports the failure in the log and status bar.
    bool showLoaded(const QString& path, const Status& st, std::shared_ptr<AttentionTrace> trace, const QString& done);
    void createMenus();
    void exportData();
    void rememberFile(const QString& path);
    void updateRecentMenu();
    void exportView();
    void saveTrace();
    void openTraceDialog();
    void updateTracePanel();

    QThread engineThread_;
    EngineWorker* worker_ = nullptr;
    TextWorkspace* text_ = nullptr;
    ImageWorker* imageWorker_ = nullptr;
    ImageWorkspace* image_ = nullptr;
    StnWorkspace* stn_ = nullptr;
    CaptionWorkspace* caption_ = nullptr;
    VideoWorkspace* video_ = nullptr;
    QTabWidget* workspaces_ = nullptr;
    /// Calls `f` with the workspace in front (each has currentTrace, currentViewName and
    /// exportCurrentView).
    template <typename F>
    auto onFront(F f) const;
    /// The trace of the workspace in front.
    std::shared_ptr<const AttentionTrace> frontTrace() const;
    QPlainTextEdit* log_ = nullptr;
    QDockWidget* logDock_ = nullptr;
    QTreeWidget* traceInfo_ = nullptr;
    QDockWidget* traceDock_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QActionGroup* colorMaps_ = nullptr;
    bool recovered_ = false;
};

} // namespace attnscope::ui
