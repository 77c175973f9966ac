#include "workspaces/text/comparepanel.h"

#include "attnscope/kinds.h"

#include "attnscope/scriptmodel.h"

#include <QSignalBlocker>

#include "attnscope/headstats.h"
#include "attnscope/pipelines.h"
#include "attnscope/schema.h"
#include "attnscope/subwords.h"
#include "attnscope/translator.h"
#include "jobs/jobtracker.h"
#include "jobs/models.h"
#include "views/headcompareview.h"
#include "workspaces/text/tracefigure.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace attnscope::ui {

ComparePanel::ComparePanel(QWidget* parent) : QWidget(parent)
{
    jobs_ = new JobTracker(this);
    view_ = new HeadCompareView(this);
    const auto headBox = [this](const QString& name) {
        auto* b = new QComboBox(this);
        b->setObjectName(name);
        b->setToolTip(tr("Head, or the mean over the layer's heads"));
        return b;
    };
    const auto layerBox = [this](const QString& name) {
        auto* b = new QSpinBox(this);
        b->setObjectName(name);
        b->setPrefix(tr("layer "));
        b->setRange(1, 1);
        return b;
    };
    kindA_ = new QComboBox(this);
    kindA_->setObjectName("compareKindA");
    kindA_->setToolTip(tr("Head A: an attention tensor of the trace on screen"));
    layerA_ = layerBox("compareLayerA");
    headA_ = headBox("compareHeadA");
    modelB_ = new QComboBox(this);
    modelB_->setObjectName("compareModelB");
    modelB_->setToolTip(tr("Head B comes from the trace on screen, or from another model forced to the same sentence and target"));
    setUserModels({});
    kindB_ = new QComboBox(this);
    kindB_->setObjectName("compareKindB");
    kindB_->setToolTip(tr("Head B's attention tensor"));
    layerB_ = layerBox("compareLayerB");
    headB_ = headBox("compareHeadB");
    auto* button = new QPushButton(tr("Co&mpare"), this);
    button->setObjectName("compareButton");
    button->setToolTip(tr("Show A and B side by side with A − B and the numbers that say how they differ"));
    status_ = new QLabel(this);
    status_->setObjectName("compareStatus");
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("<b>A</b>"), this));
    row->addWidget(kindA_, 2);
    row->addWidget(layerA_);
    row->addWidget(headA_);
    row->addSpacing(12);
    row->addWidget(new QLabel(tr("<b>B</b>"), this));
    row->addWidget(modelB_, 1);
    row->addWidget(kindB_, 2);
    row->addWidget(layerB_);
    row->addWidget(headB_);
    row->addWidget(button);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(view_, 1);
    layout->addWidget(status_);

    // The layer/head choices follow the chosen tensor.
    connect(kindA_, &QComboBox::currentTextChanged, this, [this] { syncRanges(kindA_, layerA_, headA_, trace_.get()); });
    connect(kindB_, &QComboBox::currentTextChanged, this, [this] { syncRanges(kindB_, layerB_, headB_, traceB()); });
    connect(modelB_, &QComboBox::currentIndexChanged, this, [this] {
        otherTrace_.reset();  // another model: its trace is decoded on the next comparison
        fillKinds(kindB_, traceB());
    });
    connect(button, &QPushButton::clicked, this, [this] {
        compareHeads({kindA_->currentText().toStdString(), layerA_->value() - 1, headA_->currentData().toInt()},
                     modelB_->currentData().toString(),
                     {kindB_->currentText().toStdString(), layerB_->value() - 1, headB_->currentData().toInt()});
    });
}

void ComparePanel::setUserModels(const QStringList& paths)
{
    const QString keep = modelB_->currentData().toString();
    const QSignalBlocker block(modelB_);
    modelB_->clear();
    modelB_->addItem(tr("this trace"), QString());
    for (const OfferedModel& m : KindCatalogue::global().modelsFor(kinds::kText, {}))
        modelB_->addItem(QString::fromStdString(m.label), QString::fromStdString(m.id));
    for (const QString& path : paths) {
        ScriptModelSpec spec;
        const std::string sidecar = sidecarPath(path.toStdString());
        QString name;
        if (!onnxPairFolder(path.toStdString()).empty()) name = QFileInfo(path).fileName();  // an ONNX export: its folder's name
        else if (!sidecar.empty() && parseSidecar(sidecar, spec).ok && spec.seq2seq) name = QString::fromStdString(spec.name);
        if (name.isEmpty()) continue;
        modelB_->addItem(tr("%1 (yours)").arg(name), path);
        modelB_->setItemData(modelB_->count() - 1, path, Qt::ToolTipRole);
    }
    const int i = modelB_->findData(keep);
    modelB_->setCurrentIndex(i >= 0 ? i : 0);
}

const AttentionTrace* ComparePanel::traceB() const
{
    return modelB_->currentData().toString().isEmpty() ? trace_.get() : otherTrace_.get();
}

void ComparePanel::setTrace(TracePtr trace)
{
    trace_ = std::move(trace);
    otherTrace_.reset();
    jobs_->cancel();  // model B's decoding of the previous sentence
    view_->clear();
    status_->clear();
    fillKinds(kindA_, trace_.get());
    fillKinds(kindB_, traceB());
    if (compared_ && trace_) compareHeads(pending_.a, pending_.modelB, pending_.b);  // the same heads, the new sentence
}

void ComparePanel::reflect(const HeadRef& a, const QString& modelB, const HeadRef& b)
{
    const auto pick = [](QComboBox* kind, QSpinBox* layer, QComboBox* head, const HeadRef& r) {
        if (kind->findText(QString::fromStdString(r.kind)) >= 0) kind->setCurrentText(QString::fromStdString(r.kind));  // → syncRanges
        layer->setValue(r.layer + 1);
        head->setCurrentIndex(std::max(0, head->findData(r.head)));
    };
    if (const int i = modelB_->findData(modelB); i >= 0 && i != modelB_->currentIndex()) {
        const QSignalBlocker block(modelB_);  // keeps model B's trace
        modelB_->setCurrentIndex(i);
        fillKinds(kindB_, traceB());  // B's tensors are the other model's (or this trace's) again
    }
    pick(kindA_, layerA_, headA_, a);
    pick(kindB_, layerB_, headB_, b);
}

void ComparePanel::syncRanges(QComboBox* kind, QSpinBox* layer, QComboBox* head, const AttentionTrace* trace)
{
    const TraceTensor* x = trace ? trace->find(kind->currentText().toStdString()) : nullptr;
    const int layers = x && x->shape.size() == 4 ? int(x->shape[0]) : 1;
    const int heads = x && x->shape.size() == 4 ? int(x->shape[1]) : 0;
    layer->setRange(1, std::max(1, layers));
    const int keep = head->currentData().isValid() ? head->currentData().toInt() : 0;
    head->clear();
    if (heads == 0) {
        head->addItem(tr("—"), 0);
        return;
    }
    head->addItem(tr("mean"), -1);
    for (int h = 0; h < heads; ++h) head->addItem(tr("head %1").arg(h + 1), h);
    head->setCurrentIndex(std::max(0, head->findData(std::min(keep, heads - 1))));
}

void ComparePanel::fillKinds(QComboBox* box, const AttentionTrace* trace)
{
    const QString keep = box->currentText();
    box->blockSignals(true);
    box->clear();
    // The Transformer's 2-D "cross" is one of its cross_attention heads (metadata cross_from):
    // offered under that one name only.
    const bool crossIsAHead = trace && !trace->meta(schema::translation::kCrossFromMeta).empty();
    if (trace)
        for (const auto& t : trace->tensors)
            if ((t.shape.size() == 2 || t.shape.size() == 4) && !(crossIsAHead && t.name == schema::translation::kCross))
                box->addItem(QString::fromStdString(t.name));
    if (box->findText(keep) >= 0) box->setCurrentText(keep);
    else if (box->findText(schema::translation::kCrossAttention) >= 0)  // translators: their cross-attention first
        box->setCurrentText(schema::translation::kCrossAttention);
    box->blockSignals(false);
    emit box->currentTextChanged(box->currentText());
}

bool ComparePanel::setSelection(const HeadRef& a, const HeadRef& b)
{
    if (kindA_->findText(QString::fromStdString(a.kind)) < 0 || kindB_->findText(QString::fromStdString(b.kind)) < 0) return false;
    modelB_->setCurrentIndex(0);  // this trace
    const auto pick = [](QComboBox* kind, QSpinBox* layer, QComboBox* head, const HeadRef& r) {
        kind->setCurrentText(QString::fromStdString(r.kind));  // → syncRanges
        layer->setValue(r.layer + 1);
        head->setCurrentIndex(std::max(0, head->findData(r.head)));
    };
    pick(kindA_, layerA_, headA_, a);
    pick(kindB_, layerB_, headB_, b);
    return true;
}

void ComparePanel::compareHeads(const HeadRef& a, const QString& modelB, const HeadRef& b)
{
    if (!trace_) return;
    pending_ = {a, b, modelB};
    compared_ = true;
    view_->clear();
    if (modelB.isEmpty()) return run(*trace_);
    if (otherTrace_ && QString::fromStdString(otherTrace_->model) == modelB) return run(*otherTrace_);
    // Model B decodes the same sentence, forced to the target tokens on screen.
    const TraceTensor* cross = trace_->find(schema::translation::kCross);
    const QString source = QString::fromStdString(trace_->meta(schema::kInputMeta));
    if (!cross || cross->shape.size() != 2 || cross->labels.size() != 2 || source.isEmpty()) {
        status_->setText(tr("This trace has no source text and target tokens for another model to decode."));
        return;
    }
    QStringList target;
    for (const auto& w : cross->labels[0])
        if (w != schema::translation::kEndOfSentence) target << QString::fromStdString(w);
    status_->setText(tr("Decoding the same sentence and target with %1…").arg(modelB));
    struct Out {
        Status status;
        TracePtr trace;
    };
    jobs_->start(
        [model = modelB.toStdString(), src = source.toStdString(), tgt = target.join(' ').toStdString()](const JobContext& job) {
            auto trace = std::make_shared<AttentionTrace>();
            Out out;
            out.status = runForcedTokens(sharedModels(), model, src, tgt, *trace, job.progress());
            out.trace = trace;
            return out;
        },
        [this](Out out) {
            if (!out.status) {
                status_->setText(tr("Comparison failed: %1").arg(QString::fromStdString(out.status.message)));
                emit failed(QString::fromStdString(out.status.message));
                return;
            }
            onComparisonReady(out.trace);
        });
}

void ComparePanel::onComparisonReady(const TracePtr& trace)
{
    if (!trace_) return;
    otherTrace_ = trace;
    fillKinds(kindB_, otherTrace_.get());
    if (kindB_->findText(QString::fromStdString(pending_.b.kind)) < 0)
        pending_.b = {kindB_->currentText().toStdString(), 0, 0};  // not in model B's trace: its first tensor
    kindB_->setCurrentText(QString::fromStdString(pending_.b.kind));
    run(*otherTrace_);
}

void ComparePanel::run(const AttentionTrace& b)
{
    const auto& c = pending_;
    TraceTensor headA, headB;
    const auto pick = [](const AttentionTrace& t, const HeadRef& r, TraceTensor& out) {
        const TraceTensor* x = t.find(r.kind);
        const bool single = x && x->shape.size() == 2;
        return selectHead(t, single ? HeadRef{r.kind, 0, 0} : r, out);
    };
    Status st = pick(*trace_, c.a, headA);
    if (st) st = pick(b, c.b, headB);
    // Two tokenisations (another model, lower-cased, no </s>): compared on the words they share.
    std::string mapped;
    if (st && headA.shape != headB.shape) st = sharedWordGrid(headA, headB, headA, headB, mapped);
    HeadComparison comparison;  // computed here, once; the view draws it
    if (st) st = compareHeadPair(headA, headB, trace_.get(), view_->linkOptions(), comparison);
    QString error = QString::fromStdString(st.message);
    const QString nameA = headName(*trace_, c.a);
    const QString nameB = headName(b, c.b);
    if (!st || !view_->setHeads(headA, nameA, headB, nameB, comparison, &error)) {
        status_->setText(tr("Cannot compare %1 with %2: %3").arg(nameA, nameB, error));
        return;
    }
    reflect(c.a, c.modelB, c.b);
    const QString summary = tr("%1 vs %2: %3").arg(nameA, nameB, view_->summary()) +
                            (mapped.empty() ? QString() : QStringLiteral(" · ") + QString::fromStdString(mapped));
    status_->setText(summary);
    emit comparisonShown(summary);
}

} // namespace attnscope::ui
