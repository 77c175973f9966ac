#pragma once
// LongWorkspace: attention at LLM length (4k–32k+ tokens), with memory bounded whatever the size.
// Opens long .attn traces (tiled float16 weights with a level-of-detail pyramid, or queries and
// keys), imports .npy / .safetensors / .npz dumps into tiled traces (through a memory map, with
// progress and cancel; Q/K arrays become Q/K traces), and runs the built-in Transformer's encoder
// over a whole book of the corpus as one sequence (the demo: Ruth, 2,400 tokens; Genesis, 38,000
// tokens in Q/K mode). Views: every head's overview (grouped by KV head), the matrix
// (LargeMatrixView: overview at once, tiles as they arrive, labels when they fit), the row of a
// query ("what did token t look at", with its top keys) and the column of a key ("who looks at
// key k"), colour scales for sinks (linear, log, per row, percentile) and the attention-sink
// readout (keys taking at least a chosen share of every row's mass; Xiao et al. 2023).
#include "views/attentionstripview.h"
#include "workspace.h"

#include <QStringList>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTreeWidget;

namespace attnscope::ui {

class HeadThumbGrid;
class LongControls;
class StripsPanel;
class JobTracker;
class LargeMatrixView;

class LongWorkspace : public Workspace {
    Q_OBJECT
    ATTNSCOPE_WORKSPACE_INTERFACE
    QStringList statePathKeys() const override { return {QStringLiteral("file"), QStringLiteral("source")}; }
public:
    explicit LongWorkspace(QWidget* parent = nullptr);
    /// Long traces and dumps only (isLongAttentionFile); short ones belong to the Text workspace.
    bool acceptsFile(const QString& path) const override;
    QString currentViewName() const override { return QStringLiteral("long-attention"); }
    /// Traces past 2,048 tokens a side, or kept as queries and keys (isLongTrace).
    bool acceptsTrace(const AttentionTrace& trace) const override;
    /// Shows the trace at once; it is kept in the cache in the background so the session can
    /// restore it (file() is set when that is done).
    void adoptTrace(const TracePtr& trace) override;

    /// Runs the Transformer's encoder over `book` (cached per model and book).
    void encodeBook(const QString& book);
    /// Shows one head of one tensor of the trace on screen.
    bool showHead(const QString& tensor, int layer, int head);
    /// Overviews of every head (Q/K traces: one pass per head, in the background).
    void computeAllHeads();
    void setSinkShare(double share);
    /// "Go to token": `what` is an index (from 0) or a token's text — the next query row after
    /// the selected one with that label, from the start again at the end. The row is selected
    /// (what it looks at) and centred in the view. False (and the reason in the banner) when
    /// nothing matches.
    bool goToToken(const QString& what);

    LargeMatrixView* matrixView() const { return view_; }
    AttentionStripView* rowView() const;
    AttentionStripView* columnView() const;
    HeadThumbGrid* headGrid() const { return grid_; }
    QTreeWidget* topKeys() const;
    QLabel* sinksLabel() const { return sinks_; }
    QLabel* statusLabel() const { return status_; }
    /// The .attn file on screen (an opened trace, or the cached import or book run).
    QString file() const { return file_; }
    bool busy() const;

signals:
    /// A trace is on screen (after open, import, run or restore).
    void traceOpened();
    void rowShown();
    void columnShown();

protected:
    void showEvent(QShowEvent* e) override;

private:
    void openTrace(const QString& path);
    void importDump(const QString& path);
    /// The end of an open, import or book run: the trace on screen, or the error in the banner.
    void finishLoad(const Status& status, const TracePtr& trace, const QString& file, const std::string& warning);
    void showLoaded(const TracePtr& trace, const QString& file);
    void startThumbnails(bool qkToo);
    void fetchRow(int64_t row);
    void fetchColumn(int64_t col);
    void fetchStrip(AttentionStripView::Mode mode, int64_t index);
    void updateSinks();
    void updateStatus();
    void setBusy(const QString& what);
    void idle();
    void applyPendingView();
    /// The restored view ("view" of the saved state), once the matrix view is shown and sized.
    void applyPendingCells();
    /// The matrix on screen is causal (its store says so, or no weight lies above the diagonal).
    bool causal() const;
    static QString cachePath(const QString& name);
    /// [layers, heads] of a 2-D or 4-D tensor.
    static void extents(const TraceTensor& t, int& layers, int& heads);
    void createCommands();
    /// The constructor's parts: the heads column, the matrix and the strips (returned in a
    /// splitter); what the controls and views do.
    QWidget* createViews();
    void connectControls();
    void connectViews();

    JobTracker* openJobs_;
    JobTracker* thumbJobs_;
    LongControls* controls_;
    QComboBox* book_;
    QPushButton* encode_;
    QProgressBar* progress_;
    QPushButton* cancel_;
    QLabel* activity_;
    QComboBox* tensor_;
    QSpinBox* layer_;
    QSpinBox* head_;
    QComboBox* scale_;
    QDoubleSpinBox* percentile_;
    QComboBox* reduce_;
    QDoubleSpinBox* sinkShare_;
    HeadThumbGrid* grid_;
    QPushButton* allHeads_;
    LargeMatrixView* view_;
    StripsPanel* strips_;
    QLabel* sinks_;
    QLabel* status_;
    QString file_;
    QString source_;  ///< what the trace came from: a file, a dump, "book:Ruth"
    QJsonObject pendingView_;
    QJsonObject pendingCells_;  ///< a restored view waiting for the matrix view to be shown
    bool loading_ = false;
};

} // namespace attnscope::ui
