#pragma once
// Head table: one row per head of a [layer, head, query, key] tensor with its mean entropy
// and where it looks (Clark et al. 2019, "What Does BERT Look At?"): the fraction of
// attention to the same, previous and next position, to punctuation and to the
// end-of-sentence token; its AER on this sentence when the trace carries gold over the
// same tokens, its AER over the dev split once that has been computed (setDevAer), and its
// importance over the dev split once measured (setImportance; Michel et al. 2019).
// Sortable by any column; clicking a row emits headActivated; its context menu ablates a head.
#include "attnscope/headstats.h"
#include "attnscope/trace.h"

#include <QTableWidget>

namespace attnscope::ui {

class HeadTableView : public QTableWidget {
    Q_OBJECT
public:
    enum Column { Layer, Head, Entropy, Same, Previous, Next, Punctuation, Eos, Aer, DevAer, Importance, ColumnCount };
    explicit HeadTableView(QWidget* parent = nullptr);
    /// Fills the table with the numbers of every head, computed once by analyzeHeads
    /// (attnscope/headstats.h; the AER column as its LinkOptions read the links).
    void setAnalysis(const HeadAnalysis& analysis);
    /// Dev-split AER per head as a fraction, row-major [layer][head] (NaN = not scored), shown
    /// in percent like the sentence's AER; empty clears it.
    void setDevAer(int layers, int heads, const std::vector<double>& aer);
    /// Head importance per head, row-major [layer][head] (larger = the head matters more; NaN =
    /// not measured); `header` names the method, `tip` says what the number is; empty clears it.
    void setImportance(int layers, int heads, const std::vector<double>& importance, const QString& header, const QString& tip);
    /// The number shown in `column` for (layer, head) (AER columns in percent); NaN when empty or absent.
    double value(int layer, int head, Column column) const;

signals:
    void headActivated(int layer, int head);
    /// The context menu: ablate this head, or restore it when it is ablated (as Alt+click in the grid).
    void headAblationToggled(int layer, int head);
    /// The context menu's "Restore every head".
    void ablationsReset();

protected:
    void contextMenuEvent(QContextMenuEvent* e) override;

private:
    /// Fills `column` from row-major [layer][head] values (NaN, or past the end: "—").
    void setColumn(Column column, int layers, int heads, const std::vector<double>& values, int decimals);
};

} // namespace attnscope::ui
