#pragma once
// Head grid (model view): layers × heads small multiples of one attention kind, e.g. the
// "cross" tensor [layer, head, target, source] of a Transformer. Each thumbnail is a cached
// QImage coloured once per trace, so painting 144 heads is a blit. Hover shows the layer,
// head and summary numbers; click emits headClicked to open the head in the matrix view;
// Alt+click (or the context menu) asks to ablate a head, drawn crossed out while it is. With a
// head importance (setImportance) every thumbnail carries a bar as long as its importance, and
// the heads of each layer can be sorted by it, most important first.
#include "attnscope/headstats.h"
#include "attnscope/trace.h"

#include <QImage>
#include <QWidget>

#include <set>
#include <utility>

namespace attnscope::ui {

class HeadGridView : public QWidget {
    Q_OBJECT
public:
    explicit HeadGridView(QWidget* parent = nullptr);

    /// Shows a 4-D tensor [layer, head, query, key] with the numbers of its heads, computed once
    /// by analyzeHeads (attnscope/headstats.h). Returns false (and shows nothing) for other
    /// shapes or an analysis of another layout; the message says what is wrong.
    bool setTensor(const TraceTensor& tensor, const HeadAnalysis& analysis, QString* error = nullptr);
    void clear();

    int layers() const { return layers_; }
    int heads() const { return heads_; }
    /// Head under a widget position, or false between thumbnails.
    bool headAt(const QPoint& pos, int* layer, int* head) const;
    /// Thumbnail rectangle of a head in widget coordinates.
    QRect cellRect(int layer, int head) const;
    /// "layer 2, head 3 · entropy 1.84 bits · max 0.93" (layers and heads 1-based for people).
    QString headSummary(int layer, int head) const;
    double meanEntropy(int layer, int head) const;
    void setColorMap(const QString& name);
    /// The head with keyboard focus (arrow keys move it; Enter opens it, Shift+Enter picks
    /// it for a comparison); (−1, −1) before any.
    int currentLayer() const { return curLayer_; }
    int currentHead() const { return curHead_; }
    void setCurrentHead(int layer, int head);
    /// Heads drawn crossed out: ablated in the run shown (layer, head; 0-based).
    void setAblated(const std::set<std::pair<int, int>>& heads);
    const std::set<std::pair<int, int>>& ablated() const { return ablated_; }
    /// Importance per head, row-major [layer][head], larger = matters more (NaN: not measured);
    /// `label` names it in the hover line ("gradient importance"). Empty clears the bars.
    void setImportance(const std::vector<double>& importance, const QString& label);
    /// Orders each layer's heads by importance, most important on the left (when there is one).
    void setSortedByImportance(bool sorted);
    bool sortedByImportance() const { return sorted_; }
    /// The column a head is drawn in (its head index unless sorted).
    int columnOf(int layer, int head) const;
    QSize sizeHint() const override { return {720, 560}; }

signals:
    void headClicked(int layer, int head);
    /// Shift+click: pick this head for a comparison.
    void headCompareRequested(int layer, int head);
    /// The keyboard focus moved to another head.
    void currentHeadChanged(int layer, int head);
    /// Alt+click, or the context menu: ablate this head (or restore it when ablated).
    void headAblationToggled(int layer, int head);
    /// The context menu's "Restore every head".
    void ablationsReset();

protected:
    void paintEvent(QPaintEvent*) override;
    void mouseMoveEvent(QMouseEvent*) override;
    void mousePressEvent(QMouseEvent*) override;
    void leaveEvent(QEvent*) override;
    void keyPressEvent(QKeyEvent*) override;
    void contextMenuEvent(QContextMenuEvent*) override;

private:
    void rebuildImages();

    int layers_ = 0, heads_ = 0, rows_ = 0, cols_ = 0;
    std::vector<float> values_;
    std::vector<QImage> images_;
    std::vector<double> entropy_, maxWeight_;
    QVector<QRgb> table_;
    int hoverLayer_ = -1, hoverHead_ = -1;
    int curLayer_ = -1, curHead_ = -1;
    std::set<std::pair<int, int>> ablated_;
    std::vector<double> importance_;
    QString importanceLabel_;
    bool sorted_ = false;
    std::vector<int> column_;  ///< row-major [layer][head] → column while sorted
    void sortColumns();
};

} // namespace attnscope::ui
