#pragma once
// The Token flow tab of the Text workspace: a layer selector, one check box per head (in the
// head's colour) and the flow of one layer's heads between the two token rows.
#include "attnscope/trace.h"

#include <QWidget>

class QSpinBox;

namespace attnscope::ui {

class TokenFlowView;

class FlowPanel : public QWidget {
    Q_OBJECT
public:
    explicit FlowPanel(QWidget* parent = nullptr);
    /// Draws `t` ([layer, head, query, key]) at the chosen layer; false when it cannot be drawn.
    bool setTensor(const TraceTensor& t);
    TokenFlowView* view() const { return flow_; }

private:
    void makeHeadBoxes();

    TokenFlowView* flow_;
    QSpinBox* layer_;
    QWidget* heads_;
};

} // namespace attnscope::ui
