#include "workspaces/text/headspanel.h"

#include "attnscope/headstats.h"
#include "attnscope/schema.h"
#include "views/headgridview.h"
#include "views/headtableview.h"
#include "workspaces/text/devscorebar.h"
#include "workspaces/text/importancebar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSplitter>
#include <QVBoxLayout>

namespace attnscope::ui {

HeadsPanel::HeadsPanel(QWidget* parent) : QWidget(parent)
{
    kind_ = new QComboBox(this);
    kind_->setObjectName("headKind");
    kind_->setToolTip(tr("Which multi-head attention tensor of the trace to show"));
    grid_ = new HeadGridView(this);
    info_ = new QLabel(tr("Hover a head for its numbers; click it to open it in the matrix."), this);
    kindInfo_ = new QLabel(this);
    kindInfo_->setObjectName("headKindInfo");
    kindInfo_->setWordWrap(true);
    table_ = new HeadTableView(this);
    table_->setObjectName("headTable");
    devBar_ = new DevScoreBar(this);  // dev-split AER of every head, computed in the background
    importanceBar_ = new ImportanceBar(this);  // and how much each head matters

    auto* kindRow = new QHBoxLayout;
    kindRow->addWidget(new QLabel(tr("Attention:"), this));
    kindRow->addWidget(kind_, 1);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(grid_);
    split->addWidget(table_);
    split->setStretchFactor(0, 2);  // the grid gets most of the height; the table scrolls
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(kindRow);
    layout->addWidget(kindInfo_);
    layout->addWidget(split, 1);
    layout->addWidget(devBar_);
    layout->addWidget(importanceBar_);
    layout->addWidget(info_);

    connect(kind_, &QComboBox::currentTextChanged, this, [this](const QString& entry) {
        if (!trace_) return;
        showEntry(entry);
        emit entryChanged(entry);
    });
    connect(grid_, &HeadGridView::headClicked, this, [this](int layer, int head) { emit headOpened(entry(), layer, head); });
    connect(grid_, &HeadGridView::headCompareRequested, this, &HeadsPanel::compareRequested);
    connect(grid_, &HeadGridView::currentHeadChanged, this, [this](int layer, int head) {
        info_->setText(grid_->headSummary(layer, head) + tr(" — Enter opens it, Shift+Enter picks it for a comparison"));
    });
    connect(table_, &HeadTableView::headActivated, this, [this](int layer, int head) { emit headOpened(entry(), layer, head); });
    // The table's context menu ablates as the grid's does (the workspace listens to the grid).
    connect(table_, &HeadTableView::headAblationToggled, grid_, &HeadGridView::headAblationToggled);
    connect(table_, &HeadTableView::ablationsReset, grid_, &HeadGridView::ablationsReset);
    connect(devBar_, &DevScoreBar::devAer, table_, &HeadTableView::setDevAer);
    connect(importanceBar_, &ImportanceBar::importance, this,
            [this](int layers, int heads, const std::vector<double>& values, const QString& label, const QString& tip) {
                grid_->setImportance(values, label);
                table_->setImportance(layers, heads, values, label, tip);
            });
    connect(importanceBar_, &ImportanceBar::sortToggled, grid_, &HeadGridView::setSortedByImportance);
}

bool HeadsPanel::setTrace(const std::shared_ptr<const AttentionTrace>& trace)
{
    trace_ = trace;
    const QSignalBlocker block(kind_);
    kind_->clear();
    int preferred = -1;
    for (const auto& t : trace_ ? trace_->tensors : std::vector<TraceTensor>{}) {
        if (t.shape.size() != 4) continue;
        const QString name = QString::fromStdString(t.name);
        const QString about = kindDescription(name);
        // Translators open on their cross-attention: the alignment, the one gold can score.
        if (preferred < 0 && scorableKind(name)) preferred = kind_->count();
        for (const QString& entry : {name, name + tr(" · mean over heads"), name + tr(" · mean over layers")}) {
            kind_->addItem(entry);
            kind_->setItemData(kind_->count() - 1, about, Qt::ToolTipRole);
        }
        if (t.shape[2] == t.shape[3]) {  // self-attention only
            kind_->addItem(name + tr(" · rollout"));
            kind_->setItemData(kind_->count() - 1, tr("Attention rollout (Abnar & Zuidema 2020): how much each "
                                                      "token's representation at this layer draws on each input token"),
                               Qt::ToolTipRole);
        }
    }
    if (preferred >= 0) kind_->setCurrentIndex(preferred);
    kindInfo_->setText(kindDescription(kind_->currentText()));
    if (kind_->count() == 0) {
        grid_->clear();
        return false;
    }
    showEntry(kind_->currentText());
    return true;
}

QString HeadsPanel::entry() const { return kind_->currentText(); }

bool HeadsPanel::setEntry(const QString& entry)
{
    if (kind_->findText(entry) < 0) return false;
    kind_->setCurrentText(entry);
    return true;
}

void HeadsPanel::showEntry(const QString& entry)
{
    TraceTensor t;
    if (!selectedTensor(entry, t)) return;
    // The numbers of every head, computed once here; the grid and the table only draw them.
    HeadAnalysis analysis;
    if (auto st = analyzeHeads(t, trace_.get(), links_, analysis); !st) return setInfo(QString::fromStdString(st.message));
    grid_->setTensor(t, analysis);
    table_->setAnalysis(analysis);
    kindInfo_->setText(kindDescription(entry));
}

void HeadsPanel::setLinkOptions(const LinkOptions& links)
{
    links_ = links;
    devBar_->setLinkOptions(links);
    if (trace_ && kind_->count() > 0) showEntry(entry());
}

void HeadsPanel::setInfo(const QString& text) { info_->setText(text); }

bool HeadsPanel::selectedTensor(const QString& entry, TraceTensor& out) const
{
    if (!trace_) return false;
    for (const auto& t : trace_->tensors) {
        const QString name = QString::fromStdString(t.name);
        if (entry == name) {
            out = t;
            return true;
        }
        Status st = Status::error("");
        if (entry == name + tr(" · mean over heads")) st = meanOverHeads(t, out);
        else if (entry == name + tr(" · mean over layers")) st = meanOverLayers(t, out);
        else if (entry == name + tr(" · rollout"))  // a lens's rows normalised first: the norm-based rollout
            st = rolloutTensor(schema::isLens(t.name) ? rowNormalised(t) : t, out);
        if (st) return true;
    }
    return false;
}

bool HeadsPanel::scorableKind(const QString& entry) const
{
    TraceTensor t;
    const TraceTensor* cross = trace_ ? trace_->find(schema::translation::kCross) : nullptr;
    if (!cross || cross->labels.size() != 2 || !selectedTensor(entry, t) || t.shape.size() != 4 || t.labels.size() != 4) return false;
    return t.labels[2] == cross->labels[0] && t.labels[3] == cross->labels[1] && cross->labels[0] != cross->labels[1];
}

QString HeadsPanel::kindDescription(const QString& entry) const
{
    const QString name = entry.section(QStringLiteral(" · "), 0, 0);
    if (schema::isLens(name.toStdString()))
        return tr("norm lens of %1: α_ij ‖f(x_j)‖, the weight times the norm of what key j sends through the head's value "
                  "and output projection (Kobayashi et al. 2020) — unnormalised; scores read its rows normalised")
            .arg(name.section('.', 0, 0));
    if (name == QLatin1String(schema::translation::kCrossAttention))
        return tr("cross-attention: each target (English) token as the decoder writes it, over the source (Spanish) "
                  "tokens — the alignment; scored against gold on the dev split");
    if (name == QLatin1String(schema::translation::kEncoderSelf))
        return tr("encoder self-attention: each source token over the source tokens (no gold: not an alignment)");
    if (name == QLatin1String(schema::translation::kDecoderSelf))
        return tr("decoder self-attention: each target token over the target tokens before it (causal; no gold)");
    return tr("%1: queries (rows) over keys (columns)").arg(name);
}

QString HeadsPanel::headTitle(const QString& entry, int layer, int head) const
{
    const QString model = trace_ ? QString::fromStdString(trace_->model) : QString();
    const QString name = entry.section(QStringLiteral(" · "), 0, 0);
    QString which;
    if (entry.endsWith(tr(" · mean over heads"))) which = tr("layer %1, mean over heads").arg(layer + 1);
    else if (entry.endsWith(tr(" · mean over layers"))) which = tr("head %1, mean over layers").arg(head + 1);
    else if (entry.endsWith(tr(" · rollout"))) which = tr("rollout up to layer %1").arg(layer + 1);
    else which = tr("layer %1, head %2").arg(layer + 1).arg(head + 1);
    return tr("%1 · %2 · %3").arg(model, name, which);
}

} // namespace attnscope::ui
