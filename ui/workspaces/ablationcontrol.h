#pragma once
// A workspace's head ablation (attnscope/ablation.h), shared by the kinds that have heads (Text,
// Vision): which heads the user has ablated (Alt+click in the head grid), the unablated run of
// the same request to compare against, and what the comparison shows — the output text (a
// translation, the text a recogniser reads) with the words that changed highlighted, ΔAER
// against gold, Δ log-probability of the reference (forced decoding), Δ CTC confidence. The
// workspace puts ablation() into each request; runs come back through remember() (unablated)
// or describe() (ablated). Saved with the workspace.
#include "attnscope/ablation.h"
#include "attnscope/trace.h"

#include <QJsonArray>
#include <QObject>
#include <QString>

#include <memory>
#include <set>

class QComboBox;
class QWidget;

namespace attnscope::ui {

/// A classifier's probability of the class named `name` (trace "class_probability"); NaN when
/// the trace has no such class.
double classProbability(const AttentionTrace& trace, const std::string& name);

class AblationControl : public QObject {
    Q_OBJECT
public:
    explicit AblationControl(QObject* parent = nullptr) : QObject(parent) {}

    const HeadAblation& ablation() const { return ablation_; }
    bool empty() const { return ablation_.empty(); }
    /// Ablates head (layer, head) of `kind` (0-based), or restores it when it is ablated.
    /// False with `why` for an entry that is not one kind's heads (a mean over heads).
    bool toggle(const QString& kind, int layer, int head, QString* why);
    void reset();
    void setMode(HeadAblation::Mode mode);
    /// For a kind with one attention head (the captioners' "attention"): a chooser "Attention as
    /// trained / Ablated: zero / Ablated: uniform" that sets this control, and follows it (a
    /// restored workspace).
    QComboBox* singleHeadChooser(const QString& kind, QWidget* parent);
    /// The ablated heads of `kind`, for the head grid.
    std::set<std::pair<int, int>> headsOf(const QString& kind) const;

    /// The unablated run of the request `key` (model, input, mode): kept to compare with.
    void remember(const QString& key, const QString& translation, const std::shared_ptr<const AttentionTrace>& trace);
    /// The key whose unablated run is kept ("" before any).
    QString baselineKey() const { return key_; }
    /// HTML for the output label of an ablated run: `label` ("Translation", "Reads"), the words
    /// that differ from the unablated output highlighted, then what was ablated, ΔAER when both
    /// runs have gold, Δ log p(reference) when both are forced decodings of a built-in
    /// Transformer, Δ mean CTC confidence when both read text, Δ log p of the caption when both are
    /// captions, Δ probability of the unablated prediction when both classify.
    QString describe(const QString& translation, const AttentionTrace& ablated) const { return describe(tr("Translation"), translation, ablated); }
    QString describe(const QString& label, const QString& text, const AttentionTrace& ablated) const;

    /// ["cross_attention:2:1", …] (1-based, the CLI's form) and the mode, for workspace files.
    QJsonObject toJson() const;
    /// `notify` false: restored() instead of changed() — a workspace that re-runs once itself.
    void fromJson(const QJsonObject& o, bool notify = true);

signals:
    /// The ablated set changed (the workspace re-runs).
    void changed();
    /// fromJson(…, false) replaced the set (views follow; nothing re-runs).
    void restored();

private:
    HeadAblation ablation_;
    QString key_, translation_;
    std::shared_ptr<const AttentionTrace> trace_;
};

} // namespace attnscope::ui
