#pragma once
// Head table: one row per head of a [layer, head, query, key] tensor with its mean entropy
// and where it looks (Clark et al. 2019, "What Does BERT Look At?"): the fraction of
// attention to the same, previous and next position, to punctuation and to the
// end-of-sentence token; and its AER when the trace carries gold over the same tokens.
// Sortable by any column; activating a row emits headActivated.
#include "attnscope/trace.h"

#include <QTableWidget>

namespace attnscope::ui {

class HeadTableView : public QTableWidget {
    Q_OBJECT
public:
    explicit HeadTableView(QWidget* parent = nullptr);
    void setTensor(const TraceTensor& t, const AttentionTrace* gold);

signals:
    void headActivated(int layer, int head);
};

} // namespace attnscope::ui
