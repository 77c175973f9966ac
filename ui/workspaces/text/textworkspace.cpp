#include "workspaces/text/textworkspace.h"
#include "workspaces/ablationcontrol.h"
#include "workspaces/text/flowpanel.h"
#include "workspaces/text/headspanel.h"
#include "workspaces/text/linkoptionsbar.h"
#include "workspaces/text/textinputpanel.h"
#include "workspaces/text/versepicker.h"

#include "attnscope/kinds.h"
#include "workspaces/modelpicker.h"

#include "attnscope/longattention.h"

#include "attnscope/alignment.h"
#include "attnscope/dumps.h"
#include "attnscope/headstats.h"
#include "attnscope/pipelines.h"
#include "attnscope/schema.h"
#include "attnscope/visionmodel.h"
#include "attnscope/scriptmodel.h"
#include "attnscope/subwords.h"
#include "attnscope/translator.h"
#include "dialogs/importdumpdialog.h"
#include "jobs/jobtracker.h"
#include "jobs/models.h"
#include "settings.h"
#include "views/alignmentmatrixview.h"
#include "views/figurewriter.h"
#include "views/headcompareview.h"
#include "views/headgridview.h"
#include "views/headtableview.h"
#include "views/messagebanner.h"
#include "views/tokenflowview.h"
#include "workspaces/text/comparepanel.h"
#include "workspaces/text/devscorebar.h"
#include "workspaces/text/importancebar.h"
#include "workspaces/text/goldcorpusdialog.h"
#include "workspaces/text/inputfilebutton.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QDir>
#include <QStandardPaths>
#include <QAction>
#include <QCompleter>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonObject>
#include <QMessageBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QCheckBox>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace attnscope::ui {

namespace {
QString percent(double x) { return QString::number(100.0 * x, 'f', 1) + "%"; }
} // namespace


TextWorkspace::TextWorkspace(QWidget* parent)
    : Workspace({kinds::kText, {}, {},
                 {{tr("Traces"), {"attn", "json"}, {}}, {tr("Attention dumps"), {"npy", "npz", "safetensors"}, {}}}},
                parent)
{
    translateJobs_ = new JobTracker(this);
    ablation_ = new AblationControl(this);
    inputs_ = new TextInputPanel(links_, this);
    versePicker_ = inputs_->versePicker();
    modelPicker_ = inputs_->modelPicker();
    source_ = inputs_->source();
    reference_ = inputs_->reference();
    freeMode_ = inputs_->freeMode();
    forcedMode_ = inputs_->forcedMode();
    linkBar_ = inputs_->linkBar();
    reloadModels();

    createViews();
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(inputs_);
    layout->addWidget(banner_);
    layout->addWidget(translation_);
    layout->addWidget(metrics_);
    layout->addWidget(tabs_, 1);
    layout->addWidget(pinned_);

    connectInputs();
    connectViews();
    createCommands();
    setModel(settings::get(settings::DefaultModel));
}

QString TextWorkspace::alignmentTitle() const
{
    if (!trace_ || !trace_->find(schema::translation::kCross)) return {};
    const QString model = QString::fromStdString(trace_->model);
    const QString from = QString::fromStdString(trace_->meta(schema::translation::kCrossFromMeta));  // e.g. "cross_attention layer 2 head 1"
    if (!from.isEmpty()) return tr("%1 · alignment = %2").arg(model, from);
    const QString score = QString::fromStdString(trace_->scoreFunction);
    return score.isEmpty() ? tr("%1 · alignment (cross)").arg(model) : tr("%1 · alignment = its %2 attention").arg(model, score);
}

void TextWorkspace::showAlignment()
{
    if (!trace_) return;
    showInMatrix(*trace_);
    matrix_->setTitle(alignmentTitle());
    backToAlignment_->hide();
    tabs_->setCurrentIndex(0);
    updateMetrics();
}

void TextWorkspace::showDefault()
{
    demoWanted_ = true;
    loadVerses();
}

bool TextWorkspace::hasInput() const
{
    return trace_ || translateJobs_->running() || !source_->toPlainText().trimmed().isEmpty();
}

void TextWorkspace::loadVerses() { versePicker_->load(); }

QString TextWorkspace::translation() const { return translation_->text(); }
QString TextWorkspace::bannerText() const { return banner_->text(); }

void TextWorkspace::setSourceText(const QString& text) { source_->setPlainText(text); }
void TextWorkspace::setReferenceText(const QString& text) { reference_->setPlainText(text); }
void TextWorkspace::setForced(bool forced) { (forced ? forcedMode_ : freeMode_)->setChecked(true); }

void TextWorkspace::scheduleTranslate() { debounce_->start(); }

void TextWorkspace::leaveVerseIfEdited()
{
    // Own text is never force-decoded against an unrelated verse's English: once the Spanish is
    // no longer the verse's, the verse, its reference and forced decoding go.
    const QString left = versePicker_->current();
    if (left.isEmpty()) return;
    const VerseEntry* v = versePicker_->entry(left);
    if (v && v->source == source_->toPlainText().trimmed()) return;
    updatingInputs_ = true;
    versePicker_->leave();
    reference_->clear();
    freeMode_->setChecked(true);
    updatingInputs_ = false;
    inputNotice_ = tr("Your own text: left the verse %1 and its English reference; decoding freely. Type a reference to "
                      "force-decode it.").arg(left);
    banner_->showMessage(MessageBanner::Level::Warning, inputNotice_);
    emit logMessage(tr("Left the verse %1: the Spanish no longer matches it").arg(left));
}

void TextWorkspace::translateNow()
{
    debounce_->stop();
    TranslationRequest req;
    req.model = modelPicker_->currentData().toString().toStdString();
    req.source = source_->toPlainText().toStdString();
    req.reference = reference_->toPlainText().toStdString();
    req.forced = forcedMode_->isChecked();
    req.verse = versePicker_->current().toStdString();
    req.ablation = ablation_->ablation();
    req.gradLens = gradLens_ && req.forced && !isUserModelFile(req.model);
    if (source_->toPlainText().trimmed().isEmpty()) {
        banner_->showMessage(MessageBanner::Level::Warning, tr("Nothing to translate: type a Spanish sentence or pick a verse."));
        return;
    }
    if (req.forced && reference_->toPlainText().trimmed().isEmpty()) {
        banner_->showMessage(MessageBanner::Level::Warning, tr("Forced decoding needs an English reference: type one or switch to free decoding."));
        return;
    }
    struct Out {
        Status status;
        TracePtr trace, baseline;  ///< baseline: the same request unablated, when it is not kept yet
        QString translation, baselineTranslation;
        double ms = 0;
    };
    const QString key = requestKey();
    const bool needBaseline = !req.ablation.empty() && ablation_->baselineKey() != key;
    // Latest wins: starting this job cancels the running one at its next decoding step.
    // A sentence pair of your gold corpus is looked up there; a verse in the shared Bible corpus.
    std::shared_ptr<const Corpus> own = versePicker_->ownCorpus();
    if (own && !own->findRef(req.verse)) own = nullptr;
    translateJobs_->start(
        [req, own, needBaseline](const JobContext& job) {
            QElapsedTimer timer;
            timer.start();
            Out out;
            ModelCache& cache = sharedModels();
            ModelCache::Lease<Corpus> corpus;
            if (!req.verse.empty() && !own) {
                corpus = bibleCorpus(cache, {Split::Dev, Split::Test}, out.status);
                if (!corpus) return out;
            }
            TranslationResult r;
            if (needBaseline) {
                TranslationRequest plain = req;
                plain.ablation = HeadAblation{};
                out.status = runTranslation(cache, own ? own.get() : corpus.get(), plain, r, job.progress());
                if (!out.status) return out;
                out.baseline = r.trace;
                out.baselineTranslation = QString::fromStdString(r.translation);
            }
            out.status = runTranslation(cache, own ? own.get() : corpus.get(), req, r, job.progress());
            out.trace = r.trace;
            out.translation = QString::fromStdString(r.translation);
            out.ms = double(timer.nsecsElapsed()) / 1e6;
            return out;
        },
        [this, key, ablated = !req.ablation.empty()](Out out) {
            if (!out.status) return onFailed(QString::fromStdString(out.status.message));
            if (out.baseline) ablation_->remember(key, out.baselineTranslation, out.baseline);
            if (!ablated) ablation_->remember(key, out.translation, out.trace);
            onTranslated(out.trace, out.translation, out.ms);
            if (ablated) translation_->setText(ablation_->describe(out.translation, *out.trace));
        });
}

QString TextWorkspace::requestKey() const
{
    return QStringList{modelPicker_->currentData().toString(), source_->toPlainText(), reference_->toPlainText(),
                       forcedMode_->isChecked() ? "forced" : "free", versePicker_->current()}
        .join(QChar(0x1f));
}

void TextWorkspace::openGoldCorpusDialog()
{
    GoldCorpusDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted) return;
    openGoldCorpus(dialog.sourcePath(), dialog.targetPath(), dialog.goldPath(), dialog.oneBased());
}

void TextWorkspace::openGoldCorpus(const QString& source, const QString& target, const QString& gold, bool oneBased,
                                   bool pickFirst)
{
    versePicker_->openGoldCorpus(source, target, gold, oneBased, pickFirst);
}

bool TextWorkspace::selectVerse(const QString& ref) { return versePicker_->select(ref); }

void TextWorkspace::onVersePicked(const VerseEntry& v)
{
    updatingInputs_ = true;
    source_->setPlainText(v.source);
    reference_->setPlainText(v.target);
    forcedMode_->setChecked(true);
    updatingInputs_ = false;
    userEdited_ = false;
    inputNotice_.clear();
    translateNow();
}

QString TextWorkspace::scoringModel() const
{
    // A user model's trace carries its sidecar name; scoring needs the file the picker holds.
    const QString name = QString::fromStdString(trace_->model);
    const QString picked = modelPicker_->currentData().toString();
    if (!findModel(name.toStdString()) && QFileInfo(picked).isFile() && !sidecarPath(picked.toStdString()).empty())
        return picked;
    return name;
}

TracePtr TextWorkspace::shownForm(const TracePtr& trace)
{
    pieces_ = trace;
    bool subwords = false;
    for (const auto& t : trace->tensors) {
        const size_t r = t.shape.size();
        if ((r == 2 || r == 4) && !t.store && t.labels.size() == r &&
            (detectSubwords(t.labels[r - 2]) != SubwordScheme::None || detectSubwords(t.labels[r - 1]) != SubwordScheme::None)) {
            subwords = true;
            break;
        }
    }
    linkBar_->setWordsAvailable(subwords);
    if (!subwords || !linkBar_->words()) return trace;
    auto words = std::make_shared<AttentionTrace>();
    if (auto st = wordLevelTrace(*trace, *words); !st) {
        banner_->showMessage(MessageBanner::Level::Warning, tr("Pieces shown: %1").arg(QString::fromStdString(st.message)));
        return trace;
    }
    return words;
}

void TextWorkspace::refreshViews()
{
    showInMatrix(*trace_);
    matrix_->setTitle(alignmentTitle());
    backToAlignment_->hide();
    updatePinned(-1);
    updateHeadsTab();
    updateMetrics();
}

void TextWorkspace::setLinkOptions(const LinkOptions& links)
{
    if (links.method == links_.method && links.threshold == links_.threshold) return;
    links_ = links;
    linkBar_->setOptions(links);
    applyLinkOptions();
    emit logMessage(tr("Alignment links read by %1").arg(QString::fromStdString(describeLinks(links_))));
}

void TextWorkspace::showInMatrix(const AttentionTrace& trace, bool keepZoom, bool selfAttention)
{
    matrixSelf_ = selfAttention;
    if (!keepZoom) matrix_->setColorBarLabel(tr("attention weight α"));  // a redraw keeps it; showHead names a lens
    // What the matrix draws, kept for redrawing when the link method changes: the 2-D alignment
    // and the gold (the 4-D tensors stay in the trace).
    AttentionTrace shown;  // built first: `trace` may be matrixTrace_ itself
    if (const TraceTensor* t = trace.find(schema::translation::kCross)) shown.tensors.push_back(*t);
    shown.goldLinks = trace.goldLinks;
    shown.possibleLinks = trace.possibleLinks;
    shown.sourceEvaluated = trace.sourceEvaluated;
    shown.targetEvaluated = trace.targetEvaluated;
    shown.metadata = trace.metadata;
    matrixTrace_ = std::move(shown);
    const QRectF zoom = matrix_->zoomRanges();
    // Self-attention is no alignment: queries over keys, and no links to read off it.
    matrix_->setAxisTitles(selfAttention ? tr("keys") : tr("source"), selfAttention ? tr("queries") : tr("target"));
    matrix_->setTrace(matrixTrace_, selfAttention ? std::vector<AlignmentLink>{} : traceLinks(matrixTrace_, links_),
                      links_);  // the links read once, here
    if (keepZoom) matrix_->setZoomRanges(zoom);
}

void TextWorkspace::applyLinkOptions()
{
    if (!matrix_->isEmpty()) showInMatrix(matrixTrace_, true, matrixSelf_);
    heads_->setLinkOptions(links_);
    compare_->view()->setLinkOptions(links_);
    updateMetrics();
    if (trace_) updateHeadsTab();
}

bool TextWorkspace::handOffLongTrace(const TracePtr& trace)
{
    if (!isLongTrace(*trace)) return false;
    // Attention past 2,048 tokens (or kept as queries and keys): handed, in memory, to the
    // Long attention workspace, which reads it without drawing n × n cells at once.
    banner_->showMessage(MessageBanner::Level::Warning, tr("This attention is long (more than 2,048 tokens a side, or queries and keys): "
                                                        "it opens in the Long attention workspace."));
    emit traceForAnotherWorkspace(trace);
    return true;
}

void TextWorkspace::onTranslated(const TracePtr& trace, const QString& translation, double milliseconds)
{
    if (handOffLongTrace(trace)) return;
    trace_ = shownForm(trace);
    showInMatrix(*trace_);
    matrix_->setTitle(alignmentTitle());
    backToAlignment_->hide();
    // The grad lens can be computed for a built-in Transformer (its 4-D cross-attention) under forced decoding.
    heads_->setGradComputable(trace_->meta(schema::kModeMeta) == schema::kForced &&
                              !isUserModelFile(modelPicker_->currentData().toString().toStdString()) &&
                              trace_->find(schema::translation::kCrossAttention));
    updateHeadsTab();
    heads_->grid()->setAblated(ablation_->headsOf(heads_->entry()));
    translation_->setText(tr("<b>Translation:</b> %1").arg(translation.toHtmlEscaped()));
    const QString unknown = QString::fromStdString(trace_->meta(schema::translation::kUnknownWordsMeta));
    // The notice about the input (own text) stays with its results; a result's own warning joins it.
    if (!unknown.isEmpty())
        banner_->showMessage(MessageBanner::Level::Warning,
                             (inputNotice_.isEmpty() ? QString() : inputNotice_ + QStringLiteral(" ")) +
                                 tr("Words the model never saw in training (read as <unk>): %1").arg(unknown));
    else if (!inputNotice_.isEmpty())
        banner_->showMessage(MessageBanner::Level::Warning, inputNotice_);
    else
        banner_->clearMessage();
    updateMetrics();
    updatePinned(-1);
    emit logMessage(tr("%1 decoding of %2 source tokens in %3 ms")
                        .arg(QString::fromStdString(trace_->meta(schema::kModeMeta)))
                        .arg(matrix_->columns() - 1)
                        .arg(milliseconds, 0, 'f', 1));
    emit traceShown();
}

void TextWorkspace::onFailed(const QString& message)
{
    if (message == QLatin1String("cancelled")) return;
    showError(message);
}

void TextWorkspace::updateHeadsTab()
{
    const bool any = heads_->setTrace(trace_);
    tabs_->setTabEnabled(1, any);
    tabs_->setTabEnabled(2, !trace_->tensors.empty());
    pickedA_.reset();
    compare_->setTrace(trace_);
    if (!any) {
        if (tabs_->currentIndex() != 3) tabs_->setCurrentIndex(0);
        updateFlowTab();
        return;
    }
    applyDevScores();
    TraceTensor first;
    if (matrix_->isEmpty() && heads_->selectedTensor(heads_->entry(), first)) {
        // No 2-D alignment to show: head 1 of layer 1 in the matrix; the grid first when there
        // is more than one head to choose from.
        showHead(heads_->entry(), 0, 0);
        tabs_->setCurrentIndex(first.shape.size() == 4 && first.shape[0] * first.shape[1] > 1 ? 1 : 0);
    }
    updateFlowTab();
}

void TextWorkspace::updateFlowTab()
{
    // The selected multi-head tensor, else the 2-D "cross" as one layer with one head.
    TraceTensor t;
    if (!heads_->selectedTensor(heads_->entry(), t)) {
        const TraceTensor* cross = trace_ ? trace_->find(schema::translation::kCross) : nullptr;
        if (!cross || cross->shape.size() != 2) {
            tabs_->setTabEnabled(3, false);
            return;
        }
        t = asMultiHead(*cross);
    }
    tabs_->setTabEnabled(3, flow_->setTensor(t));
}

bool TextWorkspace::showHead(const QString& tensor, int layer, int head)
{
    TraceTensor selected;
    if (!trace_ || !heads_->selectedTensor(tensor, selected)) return false;
    const TraceTensor* t = &selected;
    TraceTensor slice;
    if (auto st = sliceHead(*t, layer, head, schema::translation::kCross, slice); !st) {
        banner_->showMessage(MessageBanner::Level::Error, QString::fromStdString(st.message));
        return false;
    }
    // The matrix shows this head with the trace's metadata, and its gold when it fits.
    AttentionTrace one;
    one.model = trace_->model;
    one.scoreFunction = trace_->scoreFunction;
    one.metadata = trace_->metadata;
    if (goldFits(*trace_, slice)) {
        one.goldLinks = trace_->goldLinks;
        one.sourceEvaluated = trace_->sourceEvaluated;
        one.targetEvaluated = trace_->targetEvaluated;
    }
    // A lens is drawn as the scores read it — negatives 0, rows normalised — and the bar says so.
    const std::string lens = schema::lensOf(tensor.section(QStringLiteral(" · "), 0, 0).toStdString());
    one.tensors.push_back(lens.empty() ? std::move(slice) : rowNormalised(slice));
    const bool self = selected.shape.size() == 4 && selected.shape[2] == selected.shape[3] && selected.labels.size() == 4 &&
                      selected.labels[2] == selected.labels[3];
    showInMatrix(one, false, self);
    matrix_->setColorBarLabel(lens.empty() ? tr("attention weight α") : tr("%1 lens, rows normalised").arg(QString::fromStdString(lens)));
    matrix_->setTitle(heads_->headTitle(tensor, layer, head));
    backToAlignment_->setVisible(trace_->find(schema::translation::kCross) != nullptr);
    heads_->setInfo(tr("Showing %1 · %2 in the matrix view").arg(tensor, heads_->grid()->headSummary(layer, head)));
    tabs_->setCurrentIndex(0);
    emit logMessage(tr("Opened %1 layer %2 head %3 in the matrix view").arg(tensor).arg(layer + 1).arg(head + 1));
    return true;
}

bool TextWorkspace::pickForComparison(int layer, int head)
{
    const QString kind = heads_->entry();
    TraceTensor selected;
    if (!trace_ || !heads_->selectedTensor(kind, selected)) return false;
    const TraceTensor* t = &selected;
    const HeadRef picked{kind.toStdString(), layer, head};  // a head of the entry's tensor
    if (!pickedA_) {
        pickedA_ = picked;
        heads_->setInfo(tr("Comparing: A = layer %1, head %2. Shift+click head B.").arg(layer + 1).arg(head + 1));
        return false;
    }
    const HeadRef first = *pickedA_;
    pickedA_.reset();
    TraceTensor a, b;
    sliceHead(*t, first.layer, first.head, "A", a);
    sliceHead(*t, layer, head, "B", b);
    const QString nameA = tr("%1 L%2 H%3").arg(kind).arg(first.layer + 1).arg(first.head + 1);
    const QString nameB = tr("%1 L%2 H%3").arg(kind).arg(layer + 1).arg(head + 1);
    // The Compare tab's selectors follow: a raw tensor directly, the mean over heads as head "mean".
    const QString meanSuffix = tr(" · mean over heads");
    const bool mean = kind.endsWith(meanSuffix);
    const QString raw = mean ? kind.left(kind.size() - meanSuffix.size()) : kind;
    if (!compare_->setSelection({raw.toStdString(), first.layer, mean ? -1 : first.head}, {raw.toStdString(), layer, mean ? -1 : head}))
        emit logMessage(tr("The Compare tab's selectors cannot express %1; they keep their choice").arg(kind));
    HeadComparison comparison;
    const Status compared = compareHeadPair(a, b, trace_.get(), links_, comparison);
    QString error = QString::fromStdString(compared.message);
    if (!compared || !compare_->view()->setHeads(a, nameA, b, nameB, comparison, &error)) {
        banner_->showMessage(MessageBanner::Level::Error, error);
        return false;
    }
    tabs_->setTabEnabled(2, true);
    tabs_->setCurrentIndex(2);
    heads_->setInfo(tr("Compared %1 with %2: %3").arg(nameA, nameB, compare_->view()->summary()));
    emit logMessage(tr("Compared %1 with %2: %3").arg(nameA, nameB, compare_->view()->summary()));
    return true;
}

void TextWorkspace::updateMetrics()
{
    if (!trace_ || !trace_->hasGold()) {
        metrics_->setText(trace_ && trace_->meta(schema::kModeMeta) == schema::kForced
                              ? tr("No gold alignment for typed text: pick a verse (and leave its text as is) to measure AER.")
                              : tr("Gold alignment is known for dev/test verses in forced decoding."));
        return;
    }
    const AlignmentScore s = scoreTrace(*trace_, links_);
    const AlignmentScore d = scoreDiagonal(*trace_);
    const auto c = matrix_->linkCounts();
    metrics_->setText(tr("<b>%1</b> against gold (%9), links by %10: AER <b>%2</b> · precision %3 · recall %4 · "
                         "diagonal baseline AER %5 &nbsp;|&nbsp; <span style='color:#00a844'>■ %6 hits</span> "
                         "<span style='color:#e07b00'>□ %7 misses</span> <span style='color:#e0002c'>✕ %8 false links</span>")
                          .arg(QString::fromStdString(trace_->meta(schema::translation::kVerseMeta)), percent(s.aer()), percent(s.precision()),
                               percent(s.recall()), percent(d.aer()))
                          .arg(c.hits)
                          .arg(c.misses)
                          .arg(c.falseLinks)
                          .arg(trace_->meta(schema::translation::kGoldMeta) == schema::translation::kPharaohGold ? tr("your Pharaoh gold, all words") : tr("content words"),
                               QString::fromStdString(describeLinks(links_).c_str())));
}

void TextWorkspace::updatePinned(int row)
{
    if (row < 0) {
        pinned_->setText(tr("Click a target row to pin it and list the source words it attends to."));
        return;
    }
    QStringList parts;
    const QStringList cols = matrix_->columnLabels();
    for (const auto& [c, w] : matrix_->attendedColumns(row, 0.05)) parts << QStringLiteral("<b>%1</b> %2").arg(cols[c].toHtmlEscaped()).arg(w, 0, 'f', 2);
    pinned_->setText(tr("Pinned <b>%1</b> ← %2").arg(matrix_->rowLabels()[row].toHtmlEscaped(), parts.join(QStringLiteral(", "))));
}

HeadCompareView* TextWorkspace::compareView() const { return compare_->view(); }
HeadGridView* TextWorkspace::headGrid() const { return heads_->grid(); }
HeadTableView* TextWorkspace::headTable() const { return heads_->table(); }
TokenFlowView* TextWorkspace::tokenFlow() const { return flow_->view(); }

void TextWorkspace::compareHeads(const HeadRef& a, const QString& modelB, const HeadRef& b) { compare_->compareHeads(a, modelB, b); }

void TextWorkspace::scoreHeadsOnDev(int limit)
{
    heads_->devBar()->score(trace_ ? scoringModel() : QString(), limit);
}

void TextWorkspace::applyDevScores()
{
    if (!trace_) return;
    heads_->devBar()->show(scoringModel(), heads_->entry());
    heads_->importanceBar()->show(scoringModel(), heads_->entry());
}

void TextWorkspace::setColorMap(const QString& name)
{
    matrix_->setColorMap(name);
    heads_->grid()->setColorMap(matrix_->colorMapName());
    compare_->view()->setColorMap(matrix_->colorMapName());
}

void TextWorkspace::setModel(const QString& model)
{
    const int index = modelPicker_->findData(model);
    if (index < 0) return;
    const bool idle = !trace_;  // before the first trace: no translation request yet
    updatingInputs_ = idle;
    modelPicker_->setCurrentIndex(index);
    updatingInputs_ = false;
}

bool TextWorkspace::pickModel(const QString& id)
{
    if (modelPicker_->findData(id) < 0) return false;
    setModel(id);
    return true;
}

void TextWorkspace::reloadModels()
{
    const QString keep = modelPicker_->currentData().toString();
    const bool was = updatingInputs_;
    updatingInputs_ = true;
    fillModelPicker(modelPicker_, kinds::kText);
    if (modelPicker_->findData(keep) >= 0) modelPicker_->setCurrentIndex(modelPicker_->findData(keep));
    if (compare_) compare_->setUserModels(settings::get(settings::UserModels));
    updatingInputs_ = was;
}

} // namespace attnscope::ui
