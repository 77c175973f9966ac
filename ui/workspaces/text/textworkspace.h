#pragma once
// Text workspace: Spanish input (typed or picked from the dev/test verses), model picker,
// free / forced decoding, the translation, per-verse alignment quality against gold, and the
// views in tabs: alignment matrix, heads (grid, table, dev-split scores), comparison
// (ComparePanel), token flow. Translations run through the translation pipeline as
// latest-wins jobs; the verse list is read once into the shared cache.
#include "attnscope/alignment.h"
#include "attnscope/headstats.h"
#include "workspace.h"
#include "workspaces/text/versepicker.h"

#include <QJsonObject>
#include <QList>

#include <memory>
#include <optional>

namespace attnscope {
struct Corpus;
}

class QComboBox;
class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QTabWidget;
class QTimer;

namespace attnscope::ui {

class AlignmentMatrixView;
class DevScoreBar;
class ComparePanel;
class FlowPanel;
class HeadsPanel;
class AblationControl;
class LinkOptionsBar;
class TextInputPanel;
class HeadCompareView;
class HeadGridView;
class HeadTableView;
class InputFileButton;
class JobTracker;
class MessageBanner;
class TokenFlowView;

class TextWorkspace : public Workspace {
    Q_OBJECT
    ATTNSCOPE_WORKSPACE_INTERFACE
    QStringList statePathKeys() const override { return {QStringLiteral("gold_corpus/source"), QStringLiteral("gold_corpus/target"), QStringLiteral("gold_corpus/gold")}; }
public:
    /// The head ablation of the runs (Alt+click in the head grid; Workspace → Restore every head).
    AblationControl* ablation() const { return ablation_; }
    explicit TextWorkspace(QWidget* parent = nullptr);

    void reloadModels() override;
    bool pickModel(const QString& id) override;
    /// Traces and dumps of up to 2,048 tokens a side; longer ones go to the Long attention workspace.
    bool acceptsFile(const QString& path) const override;
    QString currentViewName() const override;
    /// The matrix draws itself (QCustomPlot's own PNG, SVG and PDF); the other tabs are figures.
    QImage renderCurrentView(int dpi, QString* error) override;
    bool exportCurrentView(const QString& path, int dpi, QString* error) override;

    AlignmentMatrixView* matrixView() const { return matrix_; }
    HeadGridView* headGrid() const;
    /// Opens one head of a [layer, head, query, key] tensor of the current trace in the matrix view.
    bool showHead(const QString& tensor, int layer, int head);
    HeadCompareView* compareView() const;
    HeadTableView* headTable() const;
    TokenFlowView* tokenFlow() const;
    /// Picks head A, then head B, of the current multi-head tensor; the second pick opens
    /// the comparison. Returns true when a comparison was shown.
    bool pickForComparison(int layer, int head);
    /// Compares head A of the trace on screen with head B of the trace on screen or, when
    /// `modelB` names another built-in model, of that model's forced decoding of the same
    /// sentence and target (asynchronous: comparisonShown follows). Head −1 = mean over heads.
    void compareHeads(const HeadRef& a, const QString& modelB, const HeadRef& b);
    /// Starts scoring the current model's heads on the dev split (progress in the Heads tab);
    /// `limit` > 0 scores only the first verses (tests).
    void scoreHeadsOnDev(int limit = 0);
    /// Selects a model by built-in name or user-model path.
    void setModel(const QString& model);
    QString translation() const;
    QString bannerText() const;

    /// How alignment links are read from attention in every view of the workspace (matrix
    /// links, metrics, head table, comparison, dev-split scores): argmax, threshold τ, gdfa, shift.
    void setLinkOptions(const LinkOptions& links);
    const LinkOptions& linkOptions() const { return links_; }

    void setSourceText(const QString& text);
    void setReferenceText(const QString& text);
    void setForced(bool forced);
    /// Reads the dev and test verses for the verse picker (once; in the background).
    void loadVerses();
    /// Picks a dev/test verse (e.g. "Ruth 1:16"): fills source and reference, forced mode.
    bool selectVerse(const QString& ref);
    /// Your own corpus with Pharaoh gold (loadPharaohCorpus) as the verse picker's source,
    /// after the dev/test verses; picks its first sentence pair, forced (asynchronous:
    /// goldCorpusOpened, or an error in the banner).
    void openGoldCorpus(const QString& source, const QString& target, const QString& gold, bool oneBased,
                        bool pickFirst = true);
    /// The dialog behind "Open gold corpus…" (modal: not for tests).
    void openGoldCorpusDialog();
    /// Shows a trace opened from a file (no model involved).
    void showTrace(TracePtr trace);
    /// Opens an attention dump through the import dialog (modal: not for tests).
    void importDumpDialog();

public slots:
    void translateNow();

signals:
    void comparisonShown();
    void devScoresShown();
    void versesShown();
    void goldCorpusOpened(int sentences);

private:
    void onTranslated(const TracePtr& trace, const QString& translation, double milliseconds);
    void onFailed(const QString& message);
    /// Long traces (isLongTrace) go to the Long attention workspace: true when `trace` was one.
    bool handOffLongTrace(const TracePtr& trace);
    void onVersePicked(const VerseEntry& verse);
    void updateMetrics();
    /// Shows a trace without touching the inputs (restoring a workspace keeps its own).
    void displayTrace(TracePtr trace);
    /// Shows the trace's own alignment ("cross") in the matrix again.
    void showAlignment();
    /// "transformer · alignment = cross_attention layer 2 head 1 (…)", "gru-bahdanau · alignment = its additive attention".
    QString alignmentTitle() const;
    void updatePinned(int row);
    void updateHeadsTab();
    void updateFlowTab();
    void scheduleTranslate();
    /// Leaves the picked verse (its reference and forced decoding too) once the text is no longer its.
    void leaveVerseIfEdited();
    void applyDevScores();
    void createCommands();
    /// The constructor's parts: the result labels and the tabs (matrix, heads, compare, flow);
    /// what the inputs do; what the views and panels do.
    void createViews();
    void connectInputs();
    void connectViews();

    void applyLinkOptions();
    /// Shows `trace`'s 2-D alignment in the matrix with its links read by the workspace's link
    /// options (the one place they are read for the matrix); `keepZoom` keeps the zoom.
    /// `selfAttention`: a head of self-attention — queries over keys, no alignment links drawn.
    void showInMatrix(const AttentionTrace& trace, bool keepZoom = false, bool selfAttention = false);
    /// The form of `trace` the views show: its words when the Words toggle is on and its
    /// labels carry subword marks (wordLevelTrace), else the trace itself. Keeps `trace` as
    /// pieces_ and shows the toggle only for subword traces.
    TracePtr shownForm(const TracePtr& trace);
    /// The model the dev-split scores are for: the trace's built-in model, or the user
    /// model file in the picker (its traces carry only the sidecar's name).
    QString scoringModel() const;
    void refreshViews();

    TracePtr pieces_;                 ///< the trace as the model gave it (pieces)
    AttentionTrace matrixTrace_;      ///< what the matrix shows (its "cross" and gold)
    LinkOptions links_;
    LinkOptionsBar* linkBar_ = nullptr;
    JobTracker* translateJobs_;
    /// Heads ablated by the user (Alt+click in the grid) and the unablated run to compare with.
    AblationControl* ablation_;
    /// What makes two requests the same run, but for ablation: model, input, reference, mode.
    QString requestKey() const;
    VersePicker* versePicker_;
    QComboBox* modelPicker_;
    TextInputPanel* inputs_;
    QPlainTextEdit* source_;
    QPlainTextEdit* reference_;
    QRadioButton* freeMode_;
    QRadioButton* forcedMode_;
    QPushButton* backToAlignment_;
    QLabel* translation_;
    QLabel* metrics_;
    QLabel* pinned_;
    AlignmentMatrixView* matrix_;
    QTabWidget* tabs_;
    HeadsPanel* heads_;
    ComparePanel* compare_ = nullptr;
    FlowPanel* flow_;
    std::optional<HeadRef> pickedA_;  ///< head A (of the Heads tab's entry) while waiting for B
    QTimer* debounce_;

    bool updatingInputs_ = false;
    bool userEdited_ = false;
    bool demoWanted_ = false;  ///< show the demo verse once the verses are read
    bool gradLens_ = false;    ///< the grad lens is shown: forced decodings compute it
    bool matrixSelf_ = false;  ///< the matrix shows a self-attention head (no links)
    QString inputNotice_;      ///< "Your own text: left the verse …", kept until a verse is picked
};

} // namespace attnscope::ui
