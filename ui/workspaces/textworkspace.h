#pragma once
// Text workspace: Spanish input (typed or picked from the dev/test verses), model picker,
// free / forced decoding, the translation, per-verse alignment quality against gold, and the
// views in tabs: alignment matrix, heads (grid, table, dev-split scores), comparison
// (ComparePanel), token flow. All engine work goes to the EngineWorker (latest wins).
#include "workers/enginejobs.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QTabWidget;
class QTimer;

namespace attnscope::ui {

struct WorkspaceState;
class AlignmentMatrixView;
class EngineWorker;
class DevScoreBar;
class ComparePanel;
class HeadCompareView;
class HeadGridView;
class HeadTableView;
class TokenFlowView;
class MessageBanner;

class InputFileButton;

class TextWorkspace : public QWidget {
    Q_OBJECT
public:
    TextWorkspace(EngineWorker* worker, QWidget* parent = nullptr);

    AlignmentMatrixView* matrixView() const { return matrix_; }
    HeadGridView* headGrid() const { return headGrid_; }
    /// Opens one head of a [layer, head, query, key] tensor of the current trace in the matrix view.
    bool showHead(const QString& tensor, int layer, int head);
    HeadCompareView* compareView() const;
    HeadTableView* headTable() const { return headTable_; }
    TokenFlowView* tokenFlow() const { return flow_; }
    /// Picks head A, then head B, of the current multi-head tensor; the second pick opens
    /// the comparison. Returns true when a comparison was shown.
    bool pickForComparison(int layer, int head);
    TracePtr currentTrace() const { return trace_; }
    /// Compares head A of the trace on screen with head B of the trace on screen or, when
    /// `modelB` names another built-in model, of that model's forced decoding of the same
    /// sentence and target (asynchronous: comparisonShown follows). Head −1 = mean over heads.
    void compareHeads(const QString& kindA, int layerA, int headA, const QString& modelB, const QString& kindB,
                      int layerB, int headB);
    /// Starts scoring the current model's heads on the dev split (progress in the Heads tab);
    /// `limit` > 0 scores only the first verses (tests).
    void scoreHeadsOnDev(int limit = 0);
    /// Exports the view of the current tab (matrix, head grid, comparison, token flow) as
    /// PNG (at `dpi`), SVG or PDF. False with a message when the view is empty or unwritable.
    bool exportCurrentView(const QString& path, int dpi, QString* error);
    QString currentViewName() const;
    /// Selects a model by built-in name or user-model path.
    void setModel(const QString& model);
    /// Refills the model picker: built-in models, then the user models of the settings.
    void reloadModels();
    QString translation() const;
    QString bannerText() const;

    void setSourceText(const QString& text);
    void setReferenceText(const QString& text);
    void setForced(bool forced);
    /// Picks a dev/test verse (e.g. "Ruth 1:16"): fills source and reference, forced mode.
    bool selectVerse(const QString& ref);
    /// Shows a trace opened from a file (no model involved).
    void showTrace(TracePtr trace);
    /// The inputs, trace and view state, for workspace files (colour map filled by the caller).
    WorkspaceState state() const;
    /// Restores a saved state without running the model: the saved trace is shown as it was.
    void restore(const WorkspaceState& s);

public slots:
    void translateNow();

signals:
    void traceShown();
    void errorShown(const QString& message);
    void logMessage(const QString& line);
    void translateRequested(const attnscope::ui::TranslateRequest& request);
    void comparisonShown();
    void devScoresShown();

private:
    void onVersesReady(const QList<VerseEntry>& verses);
    void onTranslated(const TranslateResult& r);
    void onFailed(quint64 generation, const QString& message);
    void onVersePicked(int index);
    void updateMetrics();
    void updatePinned(int row);
    void updateHeadsTab();
    void updateFlowTab();
    /// The tensor behind an entry of the attention selector: a trace tensor or an aggregation.
    bool selectedTensor(const QString& entry, TraceTensor& out) const;
    void scheduleTranslate();
    void applyDevScores();

    EngineWorker* worker_;
    QComboBox* versePicker_;
    QComboBox* modelPicker_;
    InputFileButton* inputFile_ = nullptr;
    QPlainTextEdit* source_;
    QPlainTextEdit* reference_;
    QRadioButton* freeMode_;
    QRadioButton* forcedMode_;
    QPushButton* translateButton_;
    MessageBanner* banner_;
    QLabel* translation_;
    QLabel* metrics_;
    QLabel* pinned_;
    AlignmentMatrixView* matrix_;
    QTabWidget* tabs_;
    QComboBox* headKind_;
    HeadGridView* headGrid_;
    QLabel* headInfo_;
    ComparePanel* compare_;
    HeadTableView* headTable_;
    TokenFlowView* flow_;
    QSpinBox* flowLayer_;
    QWidget* flowHeads_;
    int compareLayer_ = -1, compareHead_ = -1;  ///< head A while waiting for B
    // Dev-split scoring of the heads (background).
    DevScoreBar* devBar_;
    QTimer* debounce_;

    QList<VerseEntry> verses_;
    QString currentVerse_;
    quint64 generation_ = 0;
    TracePtr trace_;
    bool updatingInputs_ = false;
    bool userEdited_ = false;
};

} // namespace attnscope::ui
