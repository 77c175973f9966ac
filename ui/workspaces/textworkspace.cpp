#include "workspaces/textworkspace.h"

#include "workspaces/inputfilebutton.h"

#include "attnscope/alignment.h"
#include "attnscope/headstats.h"
#include "attnscope/translator.h"
#include "views/alignmentmatrixview.h"
#include "views/headcompareview.h"
#include "workspaces/comparepanel.h"
#include "workspaces/devscorebar.h"
#include "views/headgridview.h"
#include "views/headtableview.h"
#include "views/tokenflowview.h"
#include "views/messagebanner.h"
#include "figureexport.h"
#include "workers/engineworker.h"
#include "settings.h"
#include "workspacefile.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QCompleter>
#include <QFileInfo>
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
QPlainTextEdit* textBox(QWidget* parent, const QString& placeholder, int lines)
{
    auto* e = new QPlainTextEdit(parent);
    e->setPlaceholderText(placeholder);
    e->setTabChangesFocus(true);
    const int h = e->fontMetrics().lineSpacing() * lines + 14;
    e->setFixedHeight(h);
    return e;
}
QString percent(double x) { return QString::number(100.0 * x, 'f', 1) + "%"; }
} // namespace

TextWorkspace::TextWorkspace(EngineWorker* worker, QWidget* parent) : QWidget(parent), worker_(worker)
{
    versePicker_ = new QComboBox(this);
    versePicker_->setObjectName("versePicker");
    versePicker_->setEditable(true);
    versePicker_->setInsertPolicy(QComboBox::NoInsert);
    versePicker_->setMinimumContentsLength(18);
    versePicker_->setToolTip(tr("Pick a dev or test verse: brings its Spanish text, the English reference and the gold alignment (type to search)"));
    versePicker_->lineEdit()->setPlaceholderText(tr("reading verses…"));
    versePicker_->completer()->setFilterMode(Qt::MatchContains);
    versePicker_->completer()->setCompletionMode(QCompleter::PopupCompletion);

    modelPicker_ = new QComboBox(this);
    modelPicker_->setObjectName("modelPicker");
    modelPicker_->setToolTip(tr("The model whose attention is shown: a built-in translator or your own TorchScript model "
                                "(Models → Model manager)"));
    reloadModels();

    source_ = textBox(this, tr("Type or paste Spanish text, e.g. «En el principio crió Dios los cielos y la tierra.»"), 3);
    source_->setObjectName("sourceEdit");
    source_->setToolTip(tr("Spanish input; translation follows as you type"));
    inputFile_ = new InputFileButton(this);
    reference_ = textBox(this, tr("English reference for forced decoding"), 2);
    reference_->setObjectName("referenceEdit");
    reference_->setToolTip(tr("Forced decoding feeds this translation to the decoder and shows where it attends for each word"));

    freeMode_ = new QRadioButton(tr("&Free decoding"), this);
    freeMode_->setToolTip(tr("Show the attention of the model's own (greedy) translation"));
    forcedMode_ = new QRadioButton(tr("F&orced decoding of the reference"), this);
    forcedMode_->setToolTip(tr("Show the attention while the decoder is fed the reference: the standard way to extract alignments"));
    auto* modes = new QButtonGroup(this);
    modes->addButton(freeMode_);
    modes->addButton(forcedMode_);
    freeMode_->setChecked(true);

    translateButton_ = new QPushButton(tr("&Translate"), this);
    translateButton_->setObjectName("translateButton");
    translateButton_->setToolTip(tr("Translate now (Ctrl+Return)"));
    translateButton_->setDefault(true);
    auto* shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    connect(shortcut, &QShortcut::activated, this, &TextWorkspace::translateNow);

    banner_ = new MessageBanner(this);
    translation_ = new QLabel(this);
    translation_->setObjectName("translationLabel");
    translation_->setWordWrap(true);
    translation_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont tf = translation_->font();
    tf.setPointSizeF(tf.pointSizeF() * 1.15);
    translation_->setFont(tf);
    metrics_ = new QLabel(this);
    metrics_->setObjectName("metricsLabel");
    metrics_->setWordWrap(true);
    metrics_->setToolTip(tr("Alignment quality of this verse against the gold Strong's-number links, content words only"));
    pinned_ = new QLabel(tr("Click a target row to pin it."), this);
    pinned_->setObjectName("pinnedLabel");
    pinned_->setWordWrap(true);
    matrix_ = new AlignmentMatrixView(this);
    // Heads tab: for traces with [layer, head, query, key] tensors (multi-head models, dumps).
    auto* heads = new QWidget(this);
    headKind_ = new QComboBox(heads);
    headKind_->setObjectName("headKind");
    headKind_->setToolTip(tr("Which multi-head attention tensor of the trace to show"));
    headGrid_ = new HeadGridView(heads);
    headInfo_ = new QLabel(tr("Hover a head for its numbers; click it to open it in the matrix."), heads);
    auto* headsLayout = new QVBoxLayout(heads);
    auto* kindRow = new QHBoxLayout;
    kindRow->addWidget(new QLabel(tr("Attention:"), heads));
    kindRow->addWidget(headKind_, 1);
    headsLayout->addLayout(kindRow);
    headTable_ = new HeadTableView(heads);
    headTable_->setObjectName("headTable");
    auto* split = new QSplitter(Qt::Vertical, heads);
    split->addWidget(headGrid_);
    split->addWidget(headTable_);
    split->setStretchFactor(0, 1);  // the grid and the table share the height
    split->setStretchFactor(1, 1);
    headsLayout->addWidget(split, 1);
    // Dev-split AER of every head, computed in the background.
    devBar_ = new DevScoreBar(heads);
    headsLayout->addWidget(devBar_);
    headsLayout->addWidget(headInfo_);
    tabs_ = new QTabWidget(this);
    tabs_->setObjectName("viewTabs");
    tabs_->addTab(matrix_, tr("Alignment matrix"));
    tabs_->addTab(heads, tr("Heads"));
    compare_ = new ComparePanel(worker_, this);
    tabs_->addTab(compare_, tr("Compare"));
    auto* flowTab = new QWidget(this);
    flow_ = new TokenFlowView(flowTab);
    flowLayer_ = new QSpinBox(flowTab);
    flowLayer_->setPrefix(tr("layer "));
    flowLayer_->setToolTip(tr("Which layer's heads to draw"));
    flowHeads_ = new QWidget(flowTab);
    new QHBoxLayout(flowHeads_);
    flowHeads_->layout()->setContentsMargins(0, 0, 0, 0);
    auto* flowTop = new QHBoxLayout;
    flowTop->addWidget(flowLayer_);
    flowTop->addWidget(flowHeads_, 1);
    auto* flowLayout = new QVBoxLayout(flowTab);
    flowLayout->addLayout(flowTop);
    flowLayout->addWidget(flow_, 1);
    tabs_->addTab(flowTab, tr("Token flow"));
    connect(flowLayer_, &QSpinBox::valueChanged, this, [this](int v) { flow_->setLayer(v - 1); });
    tabs_->setTabEnabled(1, false);
    tabs_->setTabEnabled(2, false);
    tabs_->setTabToolTip(1, tr("Every head of every layer, for traces that hold multi-head attention"));
    tabs_->setTabToolTip(2, tr("Two heads side by side — of this model or of two models on the same sentence — "
                               "with their difference and divergence (or Shift+click two heads in the Heads tab)"));

    auto* top = new QHBoxLayout;
    auto* verseLabel = new QLabel(tr("&Verse:"), this);
    verseLabel->setBuddy(versePicker_);
    top->addWidget(verseLabel);
    top->addWidget(versePicker_, 1);
    auto* modelLabel = new QLabel(tr("&Model:"), this);
    modelLabel->setBuddy(modelPicker_);
    top->addWidget(modelLabel);
    top->addWidget(modelPicker_, 1);

    auto* inputs = new QFormLayout;
    auto* sourceRow = new QHBoxLayout;
    sourceRow->addWidget(source_, 1);
    sourceRow->addWidget(inputFile_, 0, Qt::AlignTop);
    inputs->addRow(tr("&Spanish:"), sourceRow);
    inputs->addRow(tr("&Reference:"), reference_);
    auto* modeRow = new QHBoxLayout;
    modeRow->addWidget(freeMode_);
    modeRow->addWidget(forcedMode_);
    modeRow->addStretch(1);
    modeRow->addWidget(translateButton_);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(inputs);
    layout->addLayout(modeRow);
    layout->addWidget(banner_);
    layout->addWidget(translation_);
    layout->addWidget(metrics_);
    layout->addWidget(tabs_, 1);
    layout->addWidget(pinned_);

    debounce_ = new QTimer(this);
    debounce_->setSingleShot(true);
    debounce_->setInterval(350);
    connect(debounce_, &QTimer::timeout, this, &TextWorkspace::translateNow);
    connect(translateButton_, &QPushButton::clicked, this, &TextWorkspace::translateNow);
    connect(source_, &QPlainTextEdit::textChanged, this, [this] {
        if (!updatingInputs_) userEdited_ = true;
        scheduleTranslate();
    });
    connect(reference_, &QPlainTextEdit::textChanged, this, [this] {
        if (forcedMode_->isChecked()) scheduleTranslate();
    });
    connect(modes, &QButtonGroup::buttonToggled, this, [this](QAbstractButton*, bool checked) {
        if (checked && !updatingInputs_) translateNow();  // one request per mode change
    });
    connect(modelPicker_, &QComboBox::currentIndexChanged, this, [this] {
        inputFile_->setModel(modelPicker_->currentData().toString());
        if (!updatingInputs_) translateNow();
    });
    connect(inputFile_, &InputFileButton::fileChosen, source_, &QPlainTextEdit::setPlainText);
    connect(versePicker_, &QComboBox::activated, this, &TextWorkspace::onVersePicked);
    connect(matrix_, &AlignmentMatrixView::rowPinned, this, &TextWorkspace::updatePinned);
    connect(headKind_, &QComboBox::currentTextChanged, this, [this](const QString& name) {
        TraceTensor t;
        if (!trace_ || !selectedTensor(name, t)) return;
        headGrid_->setTensor(t);
        headTable_->setTensor(t, trace_.get());
        applyDevScores();
        updateFlowTab();
    });
    connect(headGrid_, &HeadGridView::headClicked, this, [this](int layer, int head) {
        showHead(headKind_->currentText(), layer, head);
    });
    connect(headGrid_, &HeadGridView::headCompareRequested, this, &TextWorkspace::pickForComparison);
    connect(headGrid_, &HeadGridView::currentHeadChanged, this, [this](int layer, int head) {
        headInfo_->setText(headGrid_->headSummary(layer, head) + tr(" — Enter opens it, Shift+Enter picks it for a comparison"));
    });
    connect(headTable_, &HeadTableView::headActivated, this, [this](int layer, int head) {
        showHead(headKind_->currentText(), layer, head);
    });

    connect(compare_, &ComparePanel::comparisonShown, this, [this](const QString& summary) {
        tabs_->setTabEnabled(2, true);
        tabs_->setCurrentIndex(2);
        emit logMessage(tr("Compared %1").arg(summary));
        emit comparisonShown();
    });
    connect(compare_, &ComparePanel::failed, this, [this](const QString& message) {
        banner_->showMessage(MessageBanner::Level::Error, message);
    });

    // Dev-split scoring.
    connect(devBar_, &DevScoreBar::devAer, headTable_, &HeadTableView::setDevAer);
    connect(devBar_, &DevScoreBar::scored, this, [this](const QString& model, int verses) {
        emit logMessage(tr("Scored the heads of %1 on %2 dev verses").arg(model).arg(verses));
        emit devScoresShown();
    });
    connect(devBar_, &DevScoreBar::failed, this, [this](const QString& message) { emit logMessage(tr("Error: %1").arg(message)); });
    connect(tabs_, &QTabWidget::currentChanged, this, [this](int index) {
        // The first visit of the Heads tab for a built-in model starts its dev scoring.
        if (index == 1 && trace_) devBar_->scoreIfNew(QString::fromStdString(trace_->model));
    });

    // Engine worker wiring: requests go out queued, results come back queued.
    connect(this, &TextWorkspace::translateRequested, worker_, &EngineWorker::translate, Qt::QueuedConnection);
    connect(worker_, &EngineWorker::translated, this, &TextWorkspace::onTranslated, Qt::QueuedConnection);
    connect(worker_, &EngineWorker::failed, this, &TextWorkspace::onFailed, Qt::QueuedConnection);
    connect(worker_, &EngineWorker::versesReady, this, &TextWorkspace::onVersesReady, Qt::QueuedConnection);
}

QString TextWorkspace::translation() const { return translation_->text(); }
QString TextWorkspace::bannerText() const { return banner_->text(); }

void TextWorkspace::setSourceText(const QString& text) { source_->setPlainText(text); }
void TextWorkspace::setReferenceText(const QString& text) { reference_->setPlainText(text); }
void TextWorkspace::setForced(bool forced) { (forced ? forcedMode_ : freeMode_)->setChecked(true); }

void TextWorkspace::scheduleTranslate() { debounce_->start(); }

void TextWorkspace::translateNow()
{
    debounce_->stop();
    TranslateRequest req;
    req.generation = ++generation_;
    req.model = modelPicker_->currentData().toString();
    req.source = source_->toPlainText();
    req.reference = reference_->toPlainText();
    req.forced = forcedMode_->isChecked();
    req.verse = currentVerse_;
    if (req.source.trimmed().isEmpty()) {
        banner_->showMessage(MessageBanner::Level::Warning, tr("Nothing to translate: type a Spanish sentence or pick a verse."));
        return;
    }
    if (req.forced && req.reference.trimmed().isEmpty()) {
        banner_->showMessage(MessageBanner::Level::Warning, tr("Forced decoding needs an English reference: type one or switch to free decoding."));
        return;
    }
    worker_->supersede(req.generation);  // cancels the running request, if any
    emit translateRequested(req);
}

void TextWorkspace::onVersesReady(const QList<VerseEntry>& verses)
{
    verses_ = verses;
    versePicker_->clear();
    for (const auto& v : verses) versePicker_->addItem(QStringLiteral("%1 · %2").arg(v.ref, v.split), v.ref);
    versePicker_->setCurrentIndex(-1);
    versePicker_->lineEdit()->setPlaceholderText(tr("pick a dev/test verse…"));
    emit logMessage(tr("%1 dev/test verses available in the verse picker").arg(verses.size()));
    // The built-in demo: a test verse, translated and aligned against gold.
    // (Not when the user already typed or opened a trace while the verses were loading.)
    if (!userEdited_ && !trace_ && source_->toPlainText().isEmpty()) selectVerse(QStringLiteral("Ruth 1:16"));
}

bool TextWorkspace::selectVerse(const QString& ref)
{
    const int index = versePicker_->findData(ref);
    if (index < 0) return false;
    versePicker_->setCurrentIndex(index);
    onVersePicked(index);
    return true;
}

void TextWorkspace::onVersePicked(int index)
{
    const QString ref = versePicker_->itemData(index).toString();
    for (const auto& v : verses_) {
        if (v.ref != ref) continue;
        updatingInputs_ = true;
        currentVerse_ = v.ref;
        source_->setPlainText(v.source);
        reference_->setPlainText(v.target);
        forcedMode_->setChecked(true);
        updatingInputs_ = false;
        userEdited_ = false;
        translateNow();
        return;
    }
}

void TextWorkspace::showTrace(TracePtr trace)
{
    ++generation_;  // drop any result still on its way
    worker_->supersede(generation_);
    trace_ = std::move(trace);
    banner_->clearMessage();
    matrix_->setTrace(*trace_);
    updateHeadsTab();
    QStringList about;  // only the fields the trace has
    for (const auto& [key, label] : {std::pair<const char*, QString>{"verse", tr("verse")}, {"mode", tr("decoding")},
                                     {"input", tr("from")}})
        if (!trace_->meta(key).empty()) about << label + " " + QString::fromStdString(trace_->meta(key)).left(80);
    translation_->setText(tr("<b>Opened trace</b> · model %1%2")
                              .arg(QString::fromStdString(trace_->model).toHtmlEscaped(),
                                   about.isEmpty() ? QString() : " · " + about.join(" · ").toHtmlEscaped()));
    if (!trace_->meta("warning").empty())
        banner_->showMessage(MessageBanner::Level::Warning, QString::fromStdString(trace_->meta("warning")));
    updateMetrics();
    emit traceShown();
}

WorkspaceState TextWorkspace::state() const
{
    WorkspaceState s;
    s.source = source_->toPlainText();
    s.reference = reference_->toPlainText();
    s.verse = currentVerse_;
    s.model = modelPicker_->currentData().toString();
    s.forced = forcedMode_->isChecked();
    s.headKind = headKind_->currentText();
    s.tab = tabs_->currentIndex();
    s.pinnedRow = matrix_->pinnedRow();
    const QRectF z = matrix_->zoomRanges();
    s.xLower = z.left();
    s.xUpper = z.right();
    s.yLower = z.top();
    s.yUpper = z.bottom();
    s.trace = trace_ ? std::make_shared<AttentionTrace>(*trace_) : nullptr;
    return s;
}

void TextWorkspace::restore(const WorkspaceState& s)
{
    updatingInputs_ = true;  // no translation requests while the inputs are filled in
    source_->setPlainText(s.source);
    reference_->setPlainText(s.reference);
    (s.forced ? forcedMode_ : freeMode_)->setChecked(true);
    if (modelPicker_->findData(s.model) >= 0) modelPicker_->setCurrentIndex(modelPicker_->findData(s.model));
    updatingInputs_ = false;
    debounce_->stop();
    currentVerse_ = s.verse;
    userEdited_ = true;  // the demo must not replace a restored workspace
    if (s.trace) {
        showTrace(s.trace);
        if (!s.headKind.isEmpty() && headKind_->findText(s.headKind) >= 0) headKind_->setCurrentText(s.headKind);
        matrix_->setZoomRanges(QRectF(QPointF(s.xLower, s.yLower), QPointF(s.xUpper, s.yUpper)));
        matrix_->setPinnedRow(s.pinnedRow);
        if (tabs_->isTabEnabled(s.tab)) tabs_->setCurrentIndex(s.tab);
    }
}

void TextWorkspace::onTranslated(const TranslateResult& r)
{
    if (r.generation != generation_) return;  // superseded
    trace_ = r.trace;
    matrix_->setTrace(*trace_);
    updateHeadsTab();
    translation_->setText(tr("<b>Translation:</b> %1").arg(r.translation.toHtmlEscaped()));
    const QString unknown = QString::fromStdString(trace_->meta("unknown_words"));
    if (!unknown.isEmpty())
        banner_->showMessage(MessageBanner::Level::Warning,
                             tr("Words the model never saw in training (read as <unk>): %1").arg(unknown));
    else
        banner_->clearMessage();
    updateMetrics();
    updatePinned(-1);
    emit logMessage(tr("%1 decoding of %2 source tokens in %3 ms")
                        .arg(QString::fromStdString(trace_->meta("mode")))
                        .arg(matrix_->columns() - 1)
                        .arg(r.milliseconds, 0, 'f', 1));
    emit traceShown();
}

void TextWorkspace::onFailed(quint64 generation, const QString& message)
{
    if (generation != 0 && generation != generation_) return;
    if (message == QLatin1String("cancelled")) return;
    if (generation == 0) {
        // The verse list could not be read (e.g. SWORD modules missing): say so where the
        // verses would be, and still show a demo sentence without gold.
        versePicker_->lineEdit()->setPlaceholderText(tr("verses unavailable — see the log"));
        emit logMessage(tr("Error: %1").arg(message));
        if (!userEdited_ && !trace_ && source_->toPlainText().isEmpty()) {
            setSourceText(QStringLiteral("En el principio crió Dios los cielos y la tierra."));
            translateNow();
        }
        return;
    }
    banner_->showMessage(MessageBanner::Level::Error, message);
    emit logMessage(tr("Error: %1").arg(message));
    emit errorShown(message);
}

void TextWorkspace::updateHeadsTab()
{
    headKind_->blockSignals(true);
    headKind_->clear();
    for (const auto& t : trace_->tensors) {
        if (t.shape.size() != 4) continue;
        const QString name = QString::fromStdString(t.name);
        headKind_->addItem(name);
        headKind_->addItem(name + tr(" · mean over heads"));
        headKind_->addItem(name + tr(" · mean over layers"));
        if (t.shape[2] == t.shape[3]) headKind_->addItem(name + tr(" · rollout"));  // self-attention only
    }
    headKind_->blockSignals(false);
    const bool any = headKind_->count() > 0;
    tabs_->setTabEnabled(1, any);
    tabs_->setTabEnabled(2, !trace_->tensors.empty());
    compareLayer_ = compareHead_ = -1;
    compare_->setTrace(trace_);
    if (!any) {
        headGrid_->clear();
        if (tabs_->currentIndex() != 3) tabs_->setCurrentIndex(0);
        updateFlowTab();
        return;
    }
    TraceTensor first;
    if (selectedTensor(headKind_->currentText(), first)) {
        headGrid_->setTensor(first);
        headTable_->setTensor(first, trace_.get());
        applyDevScores();
    }
    if (matrix_->isEmpty()) {  // no 2-D alignment to show: start with the grid and head 1 of layer 1
        showHead(headKind_->currentText(), 0, 0);
        tabs_->setCurrentIndex(1);
    }
    updateFlowTab();
}

void TextWorkspace::updateFlowTab()
{
    // The selected multi-head tensor, else the 2-D "cross" as one layer with one head.
    TraceTensor t;
    if (!(headKind_->count() > 0 && selectedTensor(headKind_->currentText(), t))) {
        const TraceTensor* cross = trace_ ? trace_->find("cross") : nullptr;
        if (!cross || cross->shape.size() != 2) {
            tabs_->setTabEnabled(3, false);
            return;
        }
        t = asMultiHead(*cross);
    }
    tabs_->setTabEnabled(3, flow_->setTensor(t, flowLayer_->value() - 1));
    flowLayer_->setRange(1, std::max(1, flow_->layers()));
    QLayoutItem* item;
    while ((item = flowHeads_->layout()->takeAt(0))) {
        delete item->widget();
        delete item;
    }
    for (int h = 0; h < flow_->heads() && flow_->heads() > 1; ++h) {
        auto* box = new QCheckBox(tr("head %1").arg(h + 1), flowHeads_);
        box->setChecked(true);
        const QColor c = TokenFlowView::headColor(h);
        box->setStyleSheet(QStringLiteral("QCheckBox { color: %1; font-weight: bold; }").arg(c.name()));
        box->setToolTip(tr("Show or hide the lines of head %1").arg(h + 1));
        connect(box, &QCheckBox::toggled, this, [this, h](bool on) { flow_->setHeadVisible(h, on); });
        flowHeads_->layout()->addWidget(box);
    }
    static_cast<QHBoxLayout*>(flowHeads_->layout())->addStretch(1);
}

bool TextWorkspace::showHead(const QString& tensor, int layer, int head)
{
    TraceTensor selected;
    if (!trace_ || !selectedTensor(tensor, selected)) return false;
    const TraceTensor* t = &selected;
    TraceTensor slice;
    if (auto st = sliceHead(*t, layer, head, "cross", slice); !st) {
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
    one.tensors.push_back(std::move(slice));
    matrix_->setTrace(one);
    headInfo_->setText(tr("Showing %1 · %2 in the matrix view").arg(tensor, headGrid_->headSummary(layer, head)));
    tabs_->setCurrentIndex(0);
    emit logMessage(tr("Opened %1 layer %2 head %3 in the matrix view").arg(tensor).arg(layer + 1).arg(head + 1));
    return true;
}

bool TextWorkspace::selectedTensor(const QString& entry, TraceTensor& out) const
{
    for (const auto& t : trace_->tensors) {
        const QString name = QString::fromStdString(t.name);
        if (entry == name) {
            out = t;
            return true;
        }
        Status st = Status::error("");
        if (entry == name + tr(" · mean over heads")) st = meanOverHeads(t, out);
        else if (entry == name + tr(" · mean over layers")) st = meanOverLayers(t, out);
        else if (entry == name + tr(" · rollout")) st = rolloutTensor(t, out);
        if (st) return true;
    }
    return false;
}

bool TextWorkspace::pickForComparison(int layer, int head)
{
    const QString kind = headKind_->currentText();
    TraceTensor selected;
    if (!trace_ || !selectedTensor(kind, selected)) return false;
    const TraceTensor* t = &selected;
    if (compareLayer_ < 0) {
        compareLayer_ = layer;
        compareHead_ = head;
        headInfo_->setText(tr("Comparing: A = layer %1, head %2. Shift+click head B.").arg(layer + 1).arg(head + 1));
        return false;
    }
    TraceTensor a, b;
    sliceHead(*t, compareLayer_, compareHead_, "A", a);
    sliceHead(*t, layer, head, "B", b);
    const QString nameA = tr("%1 L%2 H%3").arg(kind).arg(compareLayer_ + 1).arg(compareHead_ + 1);
    const QString nameB = tr("%1 L%2 H%3").arg(kind).arg(layer + 1).arg(head + 1);
    compareLayer_ = compareHead_ = -1;
    QString error;
    if (!compare_->view()->setHeads(a, nameA, b, nameB, trace_.get(), &error)) {
        banner_->showMessage(MessageBanner::Level::Error, error);
        return false;
    }
    tabs_->setTabEnabled(2, true);
    tabs_->setCurrentIndex(2);
    headInfo_->setText(tr("Compared %1 with %2: %3").arg(nameA, nameB, compare_->view()->summary()));
    emit logMessage(tr("Compared %1 with %2: %3").arg(nameA, nameB, compare_->view()->summary()));
    return true;
}

void TextWorkspace::updateMetrics()
{
    if (!trace_ || !trace_->hasGold()) {
        metrics_->setText(trace_ && trace_->meta("mode") == "forced"
                              ? tr("No gold alignment for typed text: pick a verse (and leave its text as is) to measure AER.")
                              : tr("Gold alignment is known for dev/test verses in forced decoding."));
        return;
    }
    const AlignmentScore s = scoreTrace(*trace_);
    const AlignmentScore d = scoreDiagonal(*trace_);
    const auto c = matrix_->linkCounts();
    metrics_->setText(tr("<b>%1</b> against gold (content words): AER <b>%2</b> · precision %3 · recall %4 · "
                         "diagonal baseline AER %5 &nbsp;|&nbsp; <span style='color:#00a844'>■ %6 hits</span> "
                         "<span style='color:#e07b00'>□ %7 misses</span> <span style='color:#e0002c'>✕ %8 false links</span>")
                          .arg(QString::fromStdString(trace_->meta("verse")), percent(s.aer()), percent(s.precision()),
                               percent(s.recall()), percent(d.aer()))
                          .arg(c.hits)
                          .arg(c.misses)
                          .arg(c.falseLinks));
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

void TextWorkspace::compareHeads(const QString& kindA, int layerA, int headA, const QString& modelB,
                                 const QString& kindB, int layerB, int headB)
{
    compare_->compareHeads(kindA, layerA, headA, modelB, kindB, layerB, headB);
}

void TextWorkspace::scoreHeadsOnDev(int limit)
{
    devBar_->score(trace_ ? QString::fromStdString(trace_->model) : QString(), limit);
}

void TextWorkspace::applyDevScores()
{
    if (trace_) devBar_->show(QString::fromStdString(trace_->model), headKind_->currentText());
}

QString TextWorkspace::currentViewName() const
{
    static const char* names[] = {"alignment", "heads", "comparison", "token-flow"};
    const int i = tabs_->currentIndex();
    return QString::fromLatin1(i >= 0 && i < 4 ? names[i] : "view");
}

bool TextWorkspace::exportCurrentView(const QString& path, int dpi, QString* error)
{
    switch (tabs_->currentIndex()) {
    case 0: return matrix_->exportTo(path, 0, 0, error, dpi);
    case 1:
        if (headGrid_->layers() == 0) break;
        return exportWidgetFigure(*headGrid_, headGrid_->size(), path, dpi, error);
    case 2:
        if (compare_->view()->isEmpty()) break;
        return exportWidgetFigure(*compare_->view(), compare_->view()->size(), path, dpi, error);
    case 3: return exportWidgetFigure(*flow_, flow_->size(), path, dpi, error);
    default: break;
    }
    if (error) *error = tr("nothing to export: the %1 view is empty").arg(currentViewName());
    return false;
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

void TextWorkspace::reloadModels()
{
    const QString keep = modelPicker_->currentData().toString();
    const bool was = updatingInputs_;
    updatingInputs_ = true;
    modelPicker_->clear();
    for (const auto& m : builtinModels())
        if (m.kind == "translation") {
            const QString name = QString::fromStdString(m.name);
            modelPicker_->addItem(name, name);
            modelPicker_->setItemData(modelPicker_->count() - 1, QString::fromStdString(m.description), Qt::ToolTipRole);
        }
    for (const QString& path : settings::get(settings::UserModels)) {
        modelPicker_->addItem(tr("%1 (yours)").arg(QFileInfo(path).completeBaseName()), path);
        modelPicker_->setItemData(modelPicker_->count() - 1, path, Qt::ToolTipRole);
    }
    if (modelPicker_->findData(keep) >= 0) modelPicker_->setCurrentIndex(modelPicker_->findData(keep));
    updatingInputs_ = was;
}

} // namespace attnscope::ui
