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
#include <QStandardItemModel>
#include <QVBoxLayout>

namespace attnscope::ui {

namespace {
/// Self-attention: queries and keys are the same tokens (what a rollout composes over layers).
bool selfAttention(const AttentionTrace* trace, const QString& name)
{
    const TraceTensor* t = trace ? trace->find(name.toStdString()) : nullptr;
    return t && t->shape.size() == 4 && t->shape[2] == t->shape[3] && t->labels.size() == 4 && t->labels[2] == t->labels[3];
}
} // namespace

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

    lens_ = new QComboBox(this);
    lens_->setObjectName("headLens");
    lens_->setToolTip(tr("Read the heads through a lens: what attention carries, not only its weights"));
    // The lenses (schema.h), each with its source; updateLenses() enables those the trace holds.
    const std::pair<const char*, QString> lenses[] = {
        {"raw", tr("raw α")},
        {schema::kNormLens, tr("norm ‖α f(x)‖")},
        {schema::kGradLens, tr("grad α ⊙ ∂log p/∂α")},
        {schema::kRolloutLens, tr("rollout")},
        {schema::kNormRolloutLens, tr("norm-based rollout")},
        {schema::kAltiLens, tr("ALTI")}};
    for (const auto& [id, text] : lenses) lens_->addItem(text, QString::fromLatin1(id));
    auto* kindRow = new QHBoxLayout;
    kindRow->addWidget(new QLabel(tr("Attention:"), this));
    kindRow->addWidget(kind_, 1);
    kindRow->addWidget(new QLabel(tr("Lens:"), this));
    kindRow->addWidget(lens_);
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

    connect(kind_, &QComboBox::currentTextChanged, this, [this] {
        if (!trace_) return;
        updateLenses();
        showEntry(entry());
        emit entryChanged(entry());
    });
    connect(lens_, QOverload<int>::of(&QComboBox::activated), this, [this](int index) {
        const QString lens = lens_->itemData(index).toString();
        setLens(lens);
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
    const QString previous = kind_->currentText();
    trace_ = trace;
    const QSignalBlocker block(kind_);
    kind_->clear();
    int preferred = -1;
    for (const auto& t : trace_ ? trace_->tensors : std::vector<TraceTensor>{}) {
        if (t.shape.size() != 4 || schema::isLens(t.name)) continue;  // lenses: the lens selector
        const QString name = QString::fromStdString(t.name);
        const QString about = kindDescription(name);
        // Translators open on their cross-attention: the alignment, the one gold can score.
        if (preferred < 0 && scorableKind(name)) preferred = kind_->count();
        for (const QString& entry : {name, name + tr(" · mean over heads"), name + tr(" · mean over layers")}) {
            kind_->addItem(entry);
            kind_->setItemData(kind_->count() - 1, about, Qt::ToolTipRole);
        }
    }
    if (kind_->findText(previous) >= 0) kind_->setCurrentText(previous);  // a new verse keeps the attention shown
    else if (preferred >= 0) kind_->setCurrentIndex(preferred);
    updateLenses();
    kindInfo_->setText(kindDescription(entry()));
    if (kind_->count() == 0) {
        grid_->clear();
        return false;
    }
    showEntry(entry());
    return true;
}

QString HeadsPanel::baseKind() const { return kind_->currentText().section(QStringLiteral(" · "), 0, 0); }

QString HeadsPanel::entry() const
{
    const QString lens = this->lens();
    const QString text = kind_->currentText();
    if (lens == QLatin1String("raw") || text.isEmpty()) return text;
    const QString base = baseKind();
    return base + '.' + lens + text.mid(base.size());
}

QString HeadsPanel::lens() const { return lens_->currentData().toString(); }

void HeadsPanel::updateLenses()
{
    const std::string base = baseKind().toStdString();
    const QString note = trace_ ? QString::fromStdString(trace_->meta(schema::kLensNoteMeta)) : QString();
    auto* model = qobject_cast<QStandardItemModel*>(lens_->model());
    // The lens asked for when the trace holds it, else the one shown when it still does, else raw.
    const QString shown = lens();
    int wanted = -1, keep = 0;
    for (int i = 0; i < lens_->count(); ++i) {
        const QString id = lens_->itemData(i).toString();
        const bool held = id == QLatin1String("raw") || (trace_ && trace_->find(schema::lens(base, id.toStdString())));
        const bool computable = !held && id == QLatin1String(schema::kGradLens) && gradComputable_;
        QString tip;
        if (held) tip = kindDescription(QString::fromStdString(id == QLatin1String("raw") ? base : schema::lens(base, id.toStdString())));
        else if (computable) tip = tr("Computed on request: one backward pass per target token, in the background (Esc cancels)");
        else if (id == QLatin1String(schema::kGradLens)) tip = tr("The grad lens is computed for the built-in Transformer translators under forced decoding");
        else if (id == QLatin1String(schema::kAltiLens)) tip = tr("ALTI needs the residual and LayerNorm structure: the built-in Transformer's encoder (and cross-attention through it)");
        else tip = note.isEmpty() ? tr("Not available for %1").arg(QString::fromStdString(base)) : note;
        if (model) model->item(i)->setEnabled(held || computable);
        lens_->setItemData(i, tip, Qt::ToolTipRole);
        if (id == wantedLens_ && held) wanted = i;
        if (id == shown && held) keep = i;
    }
    const QSignalBlocker block(lens_);
    lens_->setCurrentIndex(wanted >= 0 ? wanted : keep);
}

bool HeadsPanel::setLens(const QString& lens)
{
    const int index = lens_->findData(lens);
    if (index < 0 || !trace_) return false;
    wantedLens_ = lens;
    const bool held = lens == QLatin1String("raw") || trace_->find(schema::lens(baseKind().toStdString(), lens.toStdString()));
    if (!held) {
        updateLenses();  // the lens shown stays until the requested one arrives
        if (lens == QLatin1String(schema::kGradLens) && gradComputable_) {
            emit lensRequested(lens);
            return true;
        }
        return false;
    }
    {
        const QSignalBlocker block(lens_);
        lens_->setCurrentIndex(index);
    }
    showEntry(entry());
    emit entryChanged(entry());
    return true;
}

void HeadsPanel::setGradComputable(bool computable)
{
    gradComputable_ = computable;
    updateLenses();
}

bool HeadsPanel::setEntry(const QString& entry)
{
    // "X.lens · aggregation": the attention X, the lens; "X · rollout" (older files): X's rollout lens.
    QString kind = entry, lens = QStringLiteral("raw");
    const QString rolloutSuffix = QStringLiteral(" · rollout");
    if (kind.endsWith(rolloutSuffix)) {
        kind.chop(rolloutSuffix.size());
        lens = QLatin1String(schema::isLens(kind.toStdString()) ? schema::kNormRolloutLens : schema::kRolloutLens);
        kind = QString::fromStdString(schema::lensBase(kind.toStdString()));
    }
    const QString head = kind.section(QStringLiteral(" · "), 0, 0);
    if (const std::string l = schema::lensOf(head.toStdString()); !l.empty()) {
        lens = QString::fromStdString(l);
        kind = QString::fromStdString(schema::lensBase(head.toStdString())) + kind.mid(head.size());
    }
    if (kind_->findText(kind) < 0) return false;
    wantedLens_ = lens;
    kind_->setCurrentText(kind);  // updates the lenses and shows the entry
    if (this->lens() != lens) return setLens(lens);
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
    const std::string lens = schema::lensOf(name.toStdString());
    const QString base = QString::fromStdString(schema::lensBase(name.toStdString()));
    const bool self = selfAttention(trace_.get(), base);
    if (lens == schema::kNormLens)
        return tr("norm lens of %1: α_ij ‖f(x_j)‖, the weight times the norm of what key j sends through the head's value "
                  "and output projection (Kobayashi et al. 2020) — unnormalised; scores read its rows normalised").arg(base);
    if (lens == schema::kGradLens)
        return tr("grad lens of %1: α ⊙ ∂log p(y_t)/∂α for the reference token each row predicts — signed, in nats; "
                  "scores read its positive part, rows normalised").arg(base);
    if (lens == schema::kRolloutLens)
        return self ? tr("rollout of %1 (Abnar & Zuidema 2020): how much each token's representation up to this layer draws "
                         "on each input token (heads averaged, ½A + ½I per layer)").arg(base)
                    : tr("rollout through the encoder: each head's rows times the encoder's rollout, so a target token is read "
                         "over the input words (Chefer et al. 2021)");
    if (lens == schema::kNormRolloutLens)
        return self ? tr("norm-based rollout of %1: the rollout of the norm lens's normalised rows").arg(base)
                    : tr("norm-based rollout through the encoder: the norm lens's rows times the encoder's norm-based rollout");
    if (lens == schema::kAltiLens)
        return self ? tr("ALTI of %1 (Ferrando et al. 2022): each token's contribution to each representation, residual "
                         "included, measured by L1 distance and composed up to this layer; rows sum to 1").arg(base)
                    : tr("cross-attention through ALTI: the norm lens's rows times the encoder's ALTI at its top layer");
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
    else if (const std::string lens = schema::lensOf(name.toStdString());
             (lens == schema::kRolloutLens || lens == schema::kNormRolloutLens || lens == schema::kAltiLens) &&
             selfAttention(trace_.get(), QString::fromStdString(schema::lensBase(name.toStdString()))))
        which = tr("up to layer %1").arg(layer + 1);
    else which = tr("layer %1, head %2").arg(layer + 1).arg(head + 1);
    return tr("%1 · %2 · %3").arg(model, name, which);
}

} // namespace attnscope::ui
