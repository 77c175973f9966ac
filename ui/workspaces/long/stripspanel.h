#pragma once
// Under the Long attention workspace's matrix: the picked query's row (its weights over every
// key) and the picked key's column (every query's weight on it), each with its top 20
// positions listed beside it. Rows and columns are read on workers (a Q/K column is one
// matrix–vector product; a tiled one touches a row of every tile), latest wins.
#include "views/attentionstripview.h"

#include <QWidget>

class QTreeWidget;

namespace attnscope::ui {

class JobTracker;
class LargeMatrixView;

class StripsPanel : public QWidget {
    Q_OBJECT
public:
    /// `view`: the matrix whose rows and columns it reads, labels and colours it follows.
    StripsPanel(LargeMatrixView* view, QWidget* parent = nullptr);
    /// Reads and draws query `index`'s row (Mode::Row) or key `index`'s column; `causal`: keys
    /// after the query are drawn as unreachable. A negative index clears it.
    void fetch(AttentionStripView::Mode mode, int64_t index, bool causal);
    void clear();
    /// Follows the view's colour scale and map.
    void updateColors();

    AttentionStripView* rowView() const { return rows_; }
    AttentionStripView* columnView() const { return columns_; }
    QTreeWidget* topKeys() const { return topKeys_; }

signals:
    /// A key was clicked in the row strip or the top-key list (a query, likewise).
    void keyPicked(qint64 key);
    void queryPicked(qint64 query);
    void rowShown();
    void columnShown();
    void failed(const QString& message);

private:
    LargeMatrixView* view_;
    AttentionStripView* rows_;
    AttentionStripView* columns_;
    QTreeWidget* topKeys_;
    QTreeWidget* topQueries_;
    JobTracker* rowJobs_;
    JobTracker* columnJobs_;
};

} // namespace attnscope::ui
