#pragma once
// The Compare tab: head A of the trace on screen (any kind, layer, head or the layer's mean)
// against head B of the same trace or of another built-in model, which a job
// decodes on the same sentence forced to the same target tokens. Shows HeadCompareView.
#include "attnscope/headstats.h"
#include "attnscope/trace.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QSpinBox;

namespace attnscope::ui {

class HeadCompareView;
class JobTracker;

using TracePtr = std::shared_ptr<const AttentionTrace>;

class ComparePanel : public QWidget {
    Q_OBJECT
public:
    explicit ComparePanel(QWidget* parent = nullptr);
    HeadCompareView* view() const { return view_; }
    /// The trace on screen (head A's source, and head B's when no other model is chosen). The
    /// comparison shown is dropped; once one was asked for, the same heads are compared again on
    /// the new trace (another model decodes the new sentence).
    void setTrace(TracePtr trace);
    /// Compares as the controls would (head −1 = mean over the layer's heads); with another
    /// model the comparison follows asynchronously. comparisonShown or failed follows.
    void compareHeads(const HeadRef& a, const QString& modelB, const HeadRef& b);
    /// Shows a comparison chosen elsewhere (Shift+click in the head grid) in the selectors, so
    /// that pressing Compare compares the same heads again. False when they cannot express it.
    bool setSelection(const HeadRef& a, const HeadRef& b);
    /// Model B's choices: this trace, the built-in translators, and the user models (files)
    /// whose sidecar is "seq2seq" (they decode the same sentence and target too).
    void setUserModels(const QStringList& paths);

signals:
    void comparisonShown(const QString& summary);
    void failed(const QString& message);

private:
    void fillKinds(QComboBox* box, const AttentionTrace* trace);
    void syncRanges(QComboBox* kind, QSpinBox* layer, QComboBox* head, const AttentionTrace* trace);
    void onComparisonReady(const TracePtr& trace);
    void run(const AttentionTrace& traceB);
    const AttentionTrace* traceB() const;
    /// The selectors set to the comparison shown, so they always say what the label says.
    void reflect(const HeadRef& a, const QString& modelB, const HeadRef& b);

    HeadCompareView* view_;
    QComboBox *kindA_, *headA_, *modelB_, *kindB_, *headB_;
    QSpinBox *layerA_, *layerB_;
    QLabel* status_;
    TracePtr trace_;
    TracePtr otherTrace_;  ///< model B's trace over the same tokens
    JobTracker* jobs_;  ///< model B's forced decoding (latest wins)
    struct Pending {
        HeadRef a, b;
        QString modelB;
    } pending_;
    bool compared_ = false;  ///< a comparison was asked for: a new trace compares the same heads again
};

} // namespace attnscope::ui
