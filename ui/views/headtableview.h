#pragma once
// Head table: one row per head of a [layer, head, query, key] tensor with its mean entropy
// and where it looks (Clark et al. 2019, "What Does BERT Look At?"): the fraction of
// attention to the same, previous and next position, to punctuation and to the
// end-of-sentence token; its AER on this sentence when the trace carries gold over the
// same tokens, and its AER over the dev split once that has been computed (setDevAer).
// Sortable by any column; clicking a row emits headActivated.
#include "attnscope/headstats.h"
#include "attnscope/trace.h"

#include <QTableWidget>

namespace attnscope::ui {

class HeadTableView : public QTableWidget {
    Q_OBJECT
public:
    enum Column { Layer, Head, Entropy, Same, Previous, Next, Punctuation, Eos, Aer, DevAer, ColumnCount };
    explicit HeadTableView(QWidget* parent = nullptr);
    /// Fills the table with the numbers of every head, computed once by analyzeHeads
    /// (attnscope/headstats.h; the AER column as its LinkOptions read the links).
    void setAnalysis(const HeadAnalysis& analysis);
    /// Dev-split AER per head, row-major [layer][head] (NaN = not scored); empty clears it.
    void setDevAer(int layers, int heads, const std::vector<double>& aer);
    /// The number shown in `column` for (layer, head); NaN when empty or absent.
    double value(int layer, int head, Column column) const;

signals:
    void headActivated(int layer, int head);
};

} // namespace attnscope::ui
