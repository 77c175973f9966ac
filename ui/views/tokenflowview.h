#pragma once
// Token-flow (head) view: query tokens on the left, key tokens on the right, a line from
// each query to each key whose opacity is the attention weight; one colour per head, heads
// toggleable; hovering a token keeps only its lines. Shows one layer of a
// [layer, head, query, key] tensor (a 2-D trace is one layer with one head).
#include "attnscope/trace.h"

#include <QWidget>

namespace attnscope::ui {

class TokenFlowView : public QWidget {
    Q_OBJECT
public:
    explicit TokenFlowView(QWidget* parent = nullptr);
    /// False for shapes other than 4-D; the layer is clamped to the tensor.
    bool setTensor(const TraceTensor& t, int layer = 0);
    void setLayer(int layer);
    void setHeadVisible(int head, bool visible);
    bool headVisible(int head) const;
    int heads() const { return heads_; }
    int layers() const { return layers_; }
    /// Lines drawn with the current toggles and hover (weights ≥ the drawing threshold).
    int visibleLines() const;
    /// Hover a token: side 0 = query column, 1 = key column; index −1 clears.
    void setHoveredToken(int side, int index);
    static QColor headColor(int head);
    QSize sizeHint() const override { return {520, 600}; }

protected:
    void paintEvent(QPaintEvent*) override;
    void mouseMoveEvent(QMouseEvent*) override;
    void leaveEvent(QEvent*) override;

private:
    float weight(int head, int q, int k) const;
    bool lineShown(int head, int q, int k) const;
    QPointF anchor(int side, int index) const;

    TraceTensor tensor_;
    int layers_ = 0, heads_ = 0, queries_ = 0, keys_ = 0, layer_ = 0;
    std::vector<bool> visible_;
    int hoverSide_ = -1, hoverIndex_ = -1;
};

} // namespace attnscope::ui
