#pragma once
// The Compare tab: head A of the trace on screen (any kind, layer, head or the layer's mean)
// against head B of the same trace or of another built-in model, which the engine worker
// decodes on the same sentence forced to the same target tokens. Shows HeadCompareView.
#include "workers/enginejobs.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QSpinBox;

namespace attnscope::ui {

class EngineWorker;
class HeadCompareView;

class ComparePanel : public QWidget {
    Q_OBJECT
public:
    ComparePanel(EngineWorker* worker, QWidget* parent = nullptr);
    HeadCompareView* view() const { return view_; }
    /// The trace on screen (head A's source, and head B's when no other model is chosen).
    void setTrace(TracePtr trace);
    /// Compares as the controls would (head −1 = mean over the layer's heads); with another
    /// model the comparison follows asynchronously. comparisonShown or failed follows.
    void compareHeads(const QString& kindA, int layerA, int headA, const QString& modelB, const QString& kindB,
                      int layerB, int headB);

signals:
    void comparisonShown(const QString& summary);
    void failed(const QString& message);
    void comparisonRequested(const attnscope::ui::CompareRequest& request);

private:
    void fillKinds(QComboBox* box, const AttentionTrace* trace);
    void syncRanges(QComboBox* kind, QSpinBox* layer, QComboBox* head, const AttentionTrace* trace);
    void onComparisonReady(quint64 generation, const TracePtr& trace);
    void run(const AttentionTrace& traceB);
    const AttentionTrace* traceB() const;

    HeadCompareView* view_;
    QComboBox *kindA_, *headA_, *modelB_, *kindB_, *headB_;
    QSpinBox *layerA_, *layerB_;
    QLabel* status_;
    TracePtr trace_;
    TracePtr otherTrace_;  ///< model B's trace over the same tokens
    quint64 generation_ = 0;
    struct Pending {
        QString kindA, kindB;
        int layerA = 0, headA = 0, layerB = 0, headB = 0;
        QString modelB;
    } pending_;
};

} // namespace attnscope::ui
