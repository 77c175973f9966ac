#pragma once
// The Heads tab of the Text workspace: which multi-head attention of the trace to show (each
// [layer, head, query, key] tensor, its means over heads and over layers) and through which
// lens (raw weights, norm, grad, rollout, norm-based rollout, ALTI; schema.h), every head of
// it in a grid and a table, their dev-split scores and importance, and a line on the head
// under the cursor. It draws what the trace holds; opening a head in the matrix or
// a comparison is the workspace's (headOpened, compareRequested).
#include "attnscope/alignment.h"
#include "attnscope/trace.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;

namespace attnscope::ui {

class DevScoreBar;
class ImportanceBar;
class HeadGridView;
class HeadTableView;

class HeadsPanel : public QWidget {
    Q_OBJECT
public:
    explicit HeadsPanel(QWidget* parent = nullptr);

    /// Lists the trace's multi-head tensors and their aggregations and shows the first — the
    /// cross-attention when gold can score it. False when the trace has none (the grid clears).
    bool setTrace(const std::shared_ptr<const AttentionTrace>& trace);
    /// What the selectors show, e.g. "cross_attention · mean over heads", or through a lens
    /// "cross_attention.norm · mean over heads" (the lens tensor's name).
    QString entry() const;
    /// Selects an entry (restoring a workspace; "X · rollout" of older files reads as X's rollout
    /// lens); false when the trace has no such entry.
    bool setEntry(const QString& entry);
    /// The lens chosen: "raw" or a schema lens name ("norm", "grad", "rollout", "norm_rollout", "alti").
    QString lens() const;
    /// Selects a lens for the attention shown (false when the trace has none for it, except
    /// "grad" when it can be computed: then lensRequested asks for it).
    bool setLens(const QString& lens);
    /// Whether the grad lens can be computed for the trace shown (a built-in Transformer, forced).
    void setGradComputable(bool computable);
    /// The tensor behind an entry: a trace tensor (an attention or a lens) or an aggregation
    /// (mean over heads [layer, 1, query, key], mean over layers [1, head, query, key]; headstats.h).
    bool selectedTensor(const QString& entry, TraceTensor& out) const;
    /// Attention gold can score: target tokens over source tokens, with the labels of the
    /// trace's own 2-D alignment ("cross").
    bool scorableKind(const QString& entry) const;
    /// One sentence on what an attention kind is (cross, encoder self, decoder self, other).
    QString kindDescription(const QString& entry) const;
    /// "transformer · encoder_self · layer 1, head 3", "… · layer 2, mean over heads", "… · rollout up to layer 3".
    QString headTitle(const QString& entry, int layer, int head) const;
    /// The line under the grid.
    void setInfo(const QString& text);
    /// How links are read for the table's AER and the dev-split scores; the heads shown follow.
    void setLinkOptions(const LinkOptions& links);

    HeadGridView* grid() const { return grid_; }
    HeadTableView* table() const { return table_; }
    DevScoreBar* devBar() const { return devBar_; }
    ImportanceBar* importanceBar() const { return importanceBar_; }

signals:
    /// A head was clicked, or Enter pressed on it, in the grid or the table.
    void headOpened(const QString& entry, int layer, int head);
    /// Shift+click or Shift+Enter on a head (pick for a comparison).
    void compareRequested(int layer, int head);
    /// The user chose another entry; the grid and table already show it.
    void entryChanged(const QString& entry);
    /// The user chose a lens the trace does not hold yet but the model can compute ("grad").
    void lensRequested(const QString& lens);

private:
    void showEntry(const QString& entry);
    /// Enables the lenses the trace holds for the attention chosen, with a tooltip on the others.
    void updateLenses();
    /// The attention chosen without its aggregation, e.g. "cross_attention".
    QString baseKind() const;

    std::shared_ptr<const AttentionTrace> trace_;
    LinkOptions links_;
    QComboBox* kind_;
    QComboBox* lens_;
    QString wantedLens_ = QStringLiteral("raw");  ///< the user's choice, kept across traces
    bool gradComputable_ = false;
    QLabel* kindInfo_;
    HeadGridView* grid_;
    HeadTableView* table_;
    DevScoreBar* devBar_;
    ImportanceBar* importanceBar_;
    QLabel* info_;
};

} // namespace attnscope::ui
