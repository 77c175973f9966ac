#include "workspaces/text/textworkspace.h"

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

TextWorkspace::TextWorkspace(QWidget* parent)
    : Workspace({QStringLiteral("text"), tr("Text · translation"),
                 tr("Sentences through the NMT models: alignment matrix, heads, comparison (Ctrl+1)"),
                 {{tr("Traces"), {"attn", "json"}, {}}, {tr("Attention dumps"), {"npy", "npz", "safetensors"}, {}}}},
                parent)
{
    translateJobs_ = new JobTracker(this);
    verseJobs_ = new JobTracker(this, JobLane::Background);
    goldJobs_ = new JobTracker(this, JobLane::Background);
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

    linkMethod_ = new QComboBox(this);
    linkMethod_->setObjectName("linkMethod");
    for (LinkMethod m : linkMethods()) linkMethod_->addItem(QString::fromStdString(linkMethodName(m)), int(m));
    linkMethod_->setToolTip(tr("How alignment links are read from attention, in the matrix, the metrics, the head table and "
                               "the dev-split scores:\n"
                               "argmax — each target word links to its most-attended source word\n"
                               "threshold — every cell with weight ≥ τ\n"
                               "gdfa — row-argmax and column-argmax links combined by grow-diag-final-and (Koehn et al. 2003)\n"
                               "shift — target word j read from the step where j is the decoder input (Chen et al. 2020)"));
    linkThreshold_ = new QDoubleSpinBox(this);
    linkThreshold_->setObjectName("linkThreshold");
    linkThreshold_->setRange(0.01, 1.0);
    linkThreshold_->setSingleStep(0.05);
    linkThreshold_->setDecimals(2);
    linkThreshold_->setValue(links_.threshold);
    linkThreshold_->setPrefix(QStringLiteral("τ = "));
    linkThreshold_->setToolTip(tr("Threshold τ: every cell with attention weight ≥ τ is a link"));
    linkThreshold_->setVisible(false);

    wordsToggle_ = new QCheckBox(tr("&Words"), this);
    wordsToggle_->setObjectName("wordsToggle");
    wordsToggle_->setToolTip(tr("Show subword pieces (SentencePiece ▁, WordPiece ##, byte-level BPE Ġ) as words: a word's "
                                "attention to another is the sum over the key word's pieces, averaged over the query "
                                "word's pieces (Zenkel et al. 2019; Garg et al. 2019). Every view follows."));
    wordsToggle_->setVisible(false);

    translateButton_ = new QPushButton(tr("&Translate"), this);
    translateButton_->setObjectName("translateButton");
    translateButton_->setToolTip(tr("Translate now (Ctrl+Return)"));
    translateButton_->setDefault(true);

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
    kindInfo_ = new QLabel(heads);
    kindInfo_->setObjectName("headKindInfo");
    kindInfo_->setWordWrap(true);
    headsLayout->addWidget(kindInfo_);
    headTable_ = new HeadTableView(heads);
    headTable_->setObjectName("headTable");
    auto* split = new QSplitter(Qt::Vertical, heads);
    split->addWidget(headGrid_);
    split->addWidget(headTable_);
    split->setStretchFactor(0, 2);  // the grid gets most of the height; the table scrolls
    split->setStretchFactor(1, 1);
    headsLayout->addWidget(split, 1);
    // Dev-split AER of every head, computed in the background.
    devBar_ = new DevScoreBar(heads);
    headsLayout->addWidget(devBar_);
    headsLayout->addWidget(headInfo_);
    tabs_ = new QTabWidget(this);
    tabs_->setObjectName("viewTabs");
    // The matrix tab: the matrix, and the way back to the model's own alignment after a head
    // from the Heads tab or an aggregation was opened in it.
    auto* matrixTab = new QWidget(this);
    auto* matrixLayout = new QVBoxLayout(matrixTab);
    matrixLayout->setContentsMargins(0, 0, 0, 0);
    backToAlignment_ = new QPushButton(tr("← Back to the alignment head"), matrixTab);
    backToAlignment_->setObjectName("backToAlignment");
    backToAlignment_->setToolTip(tr("Show the model's own alignment matrix again (Ctrl+Backspace)"));
    backToAlignment_->hide();
    auto* backRow = new QHBoxLayout;
    backRow->addWidget(backToAlignment_);
    backRow->addStretch(1);
    matrixLayout->addLayout(backRow);
    matrixLayout->addWidget(matrix_, 1);
    tabs_->addTab(matrixTab, tr("Alignment matrix"));
    tabs_->addTab(heads, tr("Heads"));
    compare_ = new ComparePanel(this);
    compare_->setUserModels(settings::get(settings::UserModels));
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
    auto* sourceLabel = new QLabel(tr("&Spanish:"), this);
    sourceLabel->setBuddy(source_);
    inputs->addRow(sourceLabel, sourceRow);
    inputs->addRow(tr("&Reference:"), reference_);
    auto* modeRow = new QHBoxLayout;
    modeRow->addWidget(freeMode_);
    modeRow->addWidget(forcedMode_);
    modeRow->addStretch(1);
    auto* linksLabel = new QLabel(tr("&Links:"), this);
    linksLabel->setBuddy(linkMethod_);
    modeRow->addWidget(linksLabel);
    modeRow->addWidget(linkMethod_);
    modeRow->addWidget(linkThreshold_);
    modeRow->addWidget(wordsToggle_);
    modeRow->addSpacing(12);
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

    connect(linkMethod_, &QComboBox::currentIndexChanged, this, [this] {
        LinkOptions o = links_;
        o.method = LinkMethod(linkMethod_->currentData().toInt());
        setLinkOptions(o);
    });
    connect(wordsToggle_, &QCheckBox::toggled, this, [this] {
        if (!pieces_) return;
        trace_ = shownForm(pieces_);
        refreshViews();
        emit traceShown();
    });
    connect(linkThreshold_, &QDoubleSpinBox::valueChanged, this, [this](double tau) {
        LinkOptions o = links_;
        o.threshold = tau;
        setLinkOptions(o);
    });

    debounce_ = new QTimer(this);
    debounce_->setSingleShot(true);
    debounce_->setInterval(350);
    connect(debounce_, &QTimer::timeout, this, &TextWorkspace::translateNow);
    connect(translateButton_, &QPushButton::clicked, this, &TextWorkspace::translateNow);
    connect(source_, &QPlainTextEdit::textChanged, this, [this] {
        if (!updatingInputs_) {
            userEdited_ = true;
            leaveVerseIfEdited();
        }
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
        kindInfo_->setText(kindDescription(name));
        applyDevScores();
        updateFlowTab();
        if (tabs_->currentIndex() == 1 && scorableKind(name)) devBar_->scoreIfNew(scoringModel());
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
        // The first visit of the Heads tab for a built-in model starts its dev scoring — of the
        // attention gold can score (cross-attention), never for self-attention.
        if (index == 1 && trace_ && scorableKind(headKind_->currentText())) devBar_->scoreIfNew(scoringModel());
    });

    connect(backToAlignment_, &QPushButton::clicked, this, &TextWorkspace::showAlignment);
    createCommands();
    setModel(settings::get(settings::DefaultModel));
}

void TextWorkspace::createCommands()
{
    QAction* translate = addCommand(tr("&Translate now"), QKeySequence(Qt::CTRL | Qt::Key_Return),
                                    tr("Translate the Spanish input now"));
    connect(translate, &QAction::triggered, this, &TextWorkspace::translateNow);
    QAction* import = addCommand(tr("&Import attention dump…"), QKeySequence(Qt::CTRL | Qt::Key_I),
                                 tr("Attention saved from PyTorch, JAX or TensorFlow: .npy .npz .safetensors .json, "
                                    "its axes mapped in a dialog"));
    import->setObjectName("importDump");
    connect(import, &QAction::triggered, this, &TextWorkspace::importDumpDialog);
    QAction* unpin = addCommand(tr("&Unpin row"), QKeySequence(Qt::Key_Escape), tr("Unpin the pinned row of the matrix"));
    connect(unpin, &QAction::triggered, this, [this] { matrix_->setPinnedRow(-1); });
    connect(addCommand(tr("&Back to the alignment head"), QKeySequence(Qt::CTRL | Qt::Key_Backspace),
                       tr("Show the model's own alignment matrix again")),
            &QAction::triggered, this, &TextWorkspace::showAlignment);
    QAction* gold = addCommand(tr("Open &gold corpus…"), {},
                               tr("Your own sentence pairs with Pharaoh gold alignments as the verse picker's source: "
                                  "AER with sure and possible links"));
    gold->setObjectName("openGoldCorpus");
    connect(gold, &QAction::triggered, this, &TextWorkspace::openGoldCorpusDialog);
    QAction* dev = addCommand(tr("Score heads on the &dev split"), {}, tr("Forced-decode every dev verse and fill the "
                                                                         "head table's AER column (background)"));
    connect(dev, &QAction::triggered, this, [this] { scoreHeadsOnDev(); });
}

QList<ShortcutInfo> TextWorkspace::viewKeys() const
{
    return {{tr("Click"), tr("Matrix: pin the target row under the mouse")},
            {tr("Up / Down"), tr("Matrix: move the pinned row")},
            {tr("Wheel, drag"), tr("Matrix: zoom, pan")},
            {tr("Home, double-click"), tr("Matrix: show the whole matrix")},
            {tr("Arrow keys, Enter"), tr("Heads: move between heads, open one in the matrix")},
            {tr("Shift+Enter, Shift+click"), tr("Heads: pick two heads to compare")}};
}

QString TextWorkspace::headTitle(const QString& entry, int layer, int head) const
{
    const QString model = QString::fromStdString(trace_->model);
    const QString name = entry.section(QStringLiteral(" · "), 0, 0);
    QString which;
    if (entry.endsWith(tr(" · mean over heads"))) which = tr("layer %1, mean over heads").arg(layer + 1);
    else if (entry.endsWith(tr(" · mean over layers"))) which = tr("head %1, mean over layers").arg(head + 1);
    else if (entry.endsWith(tr(" · rollout"))) which = tr("rollout up to layer %1").arg(layer + 1);
    else which = tr("layer %1, head %2").arg(layer + 1).arg(head + 1);
    return tr("%1 · %2 · %3").arg(model, name, which);
}

bool TextWorkspace::scorableKind(const QString& entry) const
{
    // Gold links are (source, target) pairs: only attention of target tokens over source tokens
    // — the labels of the trace's own alignment — can be scored.
    TraceTensor t;
    const TraceTensor* cross = trace_ ? trace_->find(schema::translation::kCross) : nullptr;
    if (!cross || cross->labels.size() != 2 || !selectedTensor(entry, t) || t.shape.size() != 4 || t.labels.size() != 4) return false;
    return t.labels[2] == cross->labels[0] && t.labels[3] == cross->labels[1] && cross->labels[0] != cross->labels[1];
}

QString TextWorkspace::kindDescription(const QString& entry) const
{
    QString name = entry.section(QStringLiteral(" · "), 0, 0);
    if (name == QLatin1String(schema::translation::kCrossAttention))
        return tr("cross-attention: each target (English) token as the decoder writes it, over the source (Spanish) "
                  "tokens — the alignment; scored against gold on the dev split");
    if (name == QLatin1String(schema::translation::kEncoderSelf))
        return tr("encoder self-attention: each source token over the source tokens (no gold: not an alignment)");
    if (name == QLatin1String(schema::translation::kDecoderSelf))
        return tr("decoder self-attention: each target token over the target tokens before it (causal; no gold)");
    return tr("%1: queries (rows) over keys (columns)").arg(name);
}

QString TextWorkspace::alignmentTitle() const
{
    if (!trace_ || !trace_->find(schema::translation::kCross)) return {};
    const QString model = QString::fromStdString(trace_->model);
    const QString from = QString::fromStdString(trace_->meta("cross_from"));  // e.g. "cross_attention layer 2 head 1"
    if (!from.isEmpty()) return tr("%1 · alignment = %2").arg(model, from);
    const QString score = QString::fromStdString(trace_->scoreFunction);
    return score.isEmpty() ? tr("%1 · alignment (cross)").arg(model) : tr("%1 · alignment = its %2 attention").arg(model, score);
}

void TextWorkspace::showAlignment()
{
    if (!trace_) return;
    matrix_->setTrace(*trace_);
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

void TextWorkspace::loadVerses()
{
    if (versesRequested_) return;
    versesRequested_ = true;
    versePicker_->lineEdit()->setPlaceholderText(tr("reading verses…"));
    struct Out {
        Status status;
        QList<VerseEntry> verses;
        qint64 ms = 0;
    };
    verseJobs_->start(
        [](const JobContext& job) {
            QElapsedTimer timer;
            timer.start();
            Out out;
            auto corpus = bibleCorpus(sharedModels(), {Split::Dev, Split::Test}, out.status,
                                      [&job](int64_t, int64_t) { return !job.cancelled(); });
            if (!corpus) return out;
            for (const auto& v : corpus->verses)
                out.verses.append({QString::fromStdString(v.ref), QString::fromStdString(splitName(splitOfBook(v.book))),
                                   QString::fromStdString(v.sourceText()), QString::fromStdString(v.targetText()),
                                   QString::fromStdString(v.targetRef)});
            out.ms = timer.elapsed();
            return out;
        },
        [this](Out out) {
            if (!out.status) {
                versesRequested_ = false;
                if (out.status.message != "cancelled")
                    onFailed(tr("Verse picker unavailable: %1").arg(QString::fromStdString(out.status.message)));
                return;
            }
            emit logMessage(tr("Read %1 dev/test verses from the SWORD modules in %2 ms").arg(out.verses.size()).arg(out.ms));
            bibleVerses_ = out.verses;
            QList<VerseEntry> all = bibleVerses_;
            for (const auto& v : verses_)
                if (v.split == tr("your corpus")) all.append(v);
            onVersesReady(all);
        });
}

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
    if (currentVerse_.isEmpty()) return;
    const auto it = std::find_if(verses_.begin(), verses_.end(), [&](const VerseEntry& v) { return v.ref == currentVerse_; });
    if (it != verses_.end() && it->source == source_->toPlainText().trimmed()) return;
    const QString left = currentVerse_;
    updatingInputs_ = true;
    currentVerse_.clear();
    versePicker_->setCurrentIndex(-1);
    versePicker_->lineEdit()->clear();
    reference_->clear();
    freeMode_->setChecked(true);
    updatingInputs_ = false;
    banner_->showMessage(MessageBanner::Level::Warning,
                         tr("Your own text: left the verse %1 and its English reference; decoding freely. Type a reference to "
                            "force-decode it.").arg(left));
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
    req.verse = currentVerse_.toStdString();
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
        TracePtr trace;
        QString translation;
        double ms = 0;
    };
    // Latest wins: starting this job cancels the running one at its next decoding step.
    // A sentence pair of your gold corpus is looked up there; a verse in the shared Bible corpus.
    std::shared_ptr<const Corpus> own = ownCorpus_ && ownCorpus_->findRef(req.verse) ? ownCorpus_ : nullptr;
    translateJobs_->start(
        [req, own](const JobContext& job) {
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
            out.status = runTranslation(cache, own ? own.get() : corpus.get(), req, r, job.progress());
            out.trace = r.trace;
            out.translation = QString::fromStdString(r.translation);
            out.ms = double(timer.nsecsElapsed()) / 1e6;
            return out;
        },
        [this](Out out) {
            if (!out.status) return onFailed(QString::fromStdString(out.status.message));
            onTranslated(out.trace, out.translation, out.ms);
        });
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
    struct Out {
        Status status;
        std::shared_ptr<const Corpus> corpus;
    };
    goldJobs_->start(
        [s = source.toStdString(), t = target.toStdString(), g = gold.toStdString(), oneBased](const JobContext&) {
            Out out;
            auto c = std::make_shared<Corpus>();
            out.status = loadPharaohCorpus(s, t, g, oneBased, *c);
            if (out.status) out.corpus = std::move(c);
            return out;
        },
        [this, source, target, gold, oneBased, pickFirst](Out out) {
            if (!out.status) return onFailed(tr("Gold corpus not opened: %1").arg(QString::fromStdString(out.status.message)));
            ownCorpus_ = out.corpus;
            ownCorpusFiles_ = QJsonObject{{"source", source}, {"target", target}, {"gold", gold}, {"one_based", oneBased}};
            QList<VerseEntry> all = bibleVerses_;
            for (const auto& v : ownCorpus_->verses)
                all.append({QString::fromStdString(v.ref), tr("your corpus"), QString::fromStdString(v.sourceText()),
                            QString::fromStdString(v.targetText()), QString()});
            const QString keep = currentVerse_;
            onVersesReady(all);
            const int n = int(ownCorpus_->verses.size());
            emit logMessage(tr("Opened %1 sentence pairs with Pharaoh gold from %2").arg(n).arg(QFileInfo(gold).fileName()));
            if (pickFirst && n > 0) selectVerse(QString::fromStdString(ownCorpus_->verses.front().ref));
            else if (!keep.isEmpty()) {
                // Restoring: the picker shows the sentence pair again without translating.
                const int i = versePicker_->findData(keep);
                if (i >= 0) versePicker_->setCurrentIndex(i);
            }
            emit goldCorpusOpened(n);
        });
}

void TextWorkspace::onVersesReady(const QList<VerseEntry>& verses)
{
    verses_ = verses;
    versePicker_->clear();
    for (const auto& v : verses) {
        const QString english = v.targetRef.isEmpty() ? QString() : tr(" (English %1)").arg(v.targetRef);
        versePicker_->addItem(QStringLiteral("%1%2 · %3").arg(v.ref, english, v.split), v.ref);
    }
    versePicker_->setCurrentIndex(-1);
    versePicker_->lineEdit()->setPlaceholderText(tr("pick a dev/test verse…"));
    emit logMessage(tr("%1 dev/test verses available in the verse picker").arg(verses.size()));
    // The built-in demo: a test verse, translated and aligned against gold.
    // (Not when the user already typed or opened a trace while the verses were loading.)
    emit versesShown();
    if (demoWanted_ && !userEdited_ && !trace_ && source_->toPlainText().isEmpty()) selectVerse(QStringLiteral("Ruth 1:16"));
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
    // The inputs on screen belong to the previous sentence: show the trace's own (or none).
    updatingInputs_ = true;
    currentVerse_.clear();
    versePicker_->setCurrentIndex(-1);
    versePicker_->lineEdit()->clear();
    source_->setPlainText(QString::fromStdString(trace->meta(schema::kInputMeta)));
    reference_->setPlainText(QString::fromStdString(trace->meta(schema::translation::kReferenceMeta)));
    (trace->meta(schema::kModeMeta) == schema::kForced ? forcedMode_ : freeMode_)->setChecked(true);
    updatingInputs_ = false;
    debounce_->stop();
    userEdited_ = true;  // the demo must not replace an opened trace
    displayTrace(std::move(trace));
}

void TextWorkspace::displayTrace(TracePtr trace)
{
    translateJobs_->cancel();  // drop any result still on its way
    if (handOffLongTrace(trace)) return;
    trace_ = shownForm(trace);
    banner_->clearMessage();
    matrix_->setTrace(*trace_);
    matrix_->setTitle(alignmentTitle());
    backToAlignment_->hide();
    updatePinned(-1);
    updateHeadsTab();
    QStringList about;  // only the fields the trace has
    for (const auto& [key, label] : {std::pair<const char*, QString>{schema::translation::kVerseMeta, tr("verse")},
                                     {schema::kModeMeta, tr("decoding")}, {schema::kInputMeta, tr("from")}})
        if (!trace_->meta(key).empty()) about << label + " " + QString::fromStdString(trace_->meta(key)).left(80);
    translation_->setText(tr("<b>Opened trace</b> · model %1%2")
                              .arg(QString::fromStdString(trace_->model).toHtmlEscaped(),
                                   about.isEmpty() ? QString() : " · " + about.join(" · ").toHtmlEscaped()));
    if (!trace_->meta(schema::kWarningMeta).empty())
        banner_->showMessage(MessageBanner::Level::Warning, QString::fromStdString(trace_->meta(schema::kWarningMeta)));
    updateMetrics();
    emit traceShown();
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
    wordsToggle_->setVisible(subwords);
    if (!subwords || !wordsToggle_->isChecked()) return trace;
    auto words = std::make_shared<AttentionTrace>();
    if (auto st = wordLevelTrace(*trace, *words); !st) {
        banner_->showMessage(MessageBanner::Level::Warning, tr("Pieces shown: %1").arg(QString::fromStdString(st.message)));
        return trace;
    }
    return words;
}

void TextWorkspace::refreshViews()
{
    matrix_->setTrace(*trace_);
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
    if (linkMethod_->currentData().toInt() != int(links.method))
        linkMethod_->setCurrentIndex(linkMethod_->findData(int(links.method)));
    if (linkThreshold_->value() != links.threshold) linkThreshold_->setValue(links.threshold);
    linkThreshold_->setVisible(links.method == LinkMethod::Threshold);
    applyLinkOptions();
    emit logMessage(tr("Alignment links read by %1").arg(QString::fromStdString(describeLinks(links_))));
}

void TextWorkspace::applyLinkOptions()
{
    matrix_->setLinkOptions(links_);
    headTable_->setLinkOptions(links_);
    compare_->view()->setLinkOptions(links_);
    devBar_->setLinkOptions(links_);
    updateMetrics();
    if (trace_) updateHeadsTab();
}

WorkspaceSection TextWorkspace::saveState() const
{
    WorkspaceSection s;
    const QRectF z = matrix_->zoomRanges();
    s.state = QJsonObject{{"source", source_->toPlainText()},
                          {"reference", reference_->toPlainText()},
                          {"verse", currentVerse_},
                          {"model", modelPicker_->currentData().toString()},
                          {"forced", forcedMode_->isChecked()},
                          {"head_kind", headKind_->currentText()},
                          {"links", QString::fromStdString(linkMethodName(links_.method))},
                          {"gold_corpus", ownCorpusFiles_},
                          {"link_threshold", links_.threshold},
                          {"tab", tabs_->currentIndex()},
                          {"pinned_row", matrix_->pinnedRow()},
                          {"zoom", QJsonObject{{"x_lower", z.left()}, {"x_upper", z.right()}, {"y_lower", z.top()}, {"y_upper", z.bottom()}}}};
    if (pieces_) s.traces["trace"] = pieces_;  // kept: a trace from a file cannot be computed again
    s.state["words"] = wordsToggle_->isChecked();
    return s;
}

bool TextWorkspace::restoreState(const WorkspaceSection& section, QString* error)
{
    Q_UNUSED(error);
    const QJsonObject& o = section.state;
    updatingInputs_ = true;  // no translation requests while the inputs are filled in
    source_->setPlainText(o["source"].toString());
    reference_->setPlainText(o["reference"].toString());
    (o["forced"].toBool() ? forcedMode_ : freeMode_)->setChecked(true);
    const QString model = o["model"].toString();
    if (modelPicker_->findData(model) >= 0) modelPicker_->setCurrentIndex(modelPicker_->findData(model));
    updatingInputs_ = false;
    debounce_->stop();
    currentVerse_ = o["verse"].toString();
    LinkOptions links;
    if (!parseLinkMethod(o["links"].toString("argmax").toStdString(), links.method)) links.method = LinkMethod::Argmax;
    links.threshold = std::clamp(o["link_threshold"].toDouble(0.1), 0.01, 1.0);
    setLinkOptions(links);
    {
        const QSignalBlocker block(wordsToggle_);  // displayTrace below shows the right form
        wordsToggle_->setChecked(o["words"].toBool(false));
    }
    const QJsonObject gc = o["gold_corpus"].toObject();
    if (!gc.isEmpty())
        openGoldCorpus(gc["source"].toString(), gc["target"].toString(), gc["gold"].toString(), gc["one_based"].toBool(),
                       false);
    userEdited_ = true;  // the demo must not replace a restored workspace
    const auto it = section.traces.find("trace");
    if (it != section.traces.end() && it->second) {
        displayTrace(it->second);
        const QString kind = o["head_kind"].toString();
        if (!kind.isEmpty() && headKind_->findText(kind) >= 0) headKind_->setCurrentText(kind);
        const QJsonObject z = o["zoom"].toObject();
        matrix_->setZoomRanges(QRectF(QPointF(z["x_lower"].toDouble(), z["y_lower"].toDouble()),
                                      QPointF(z["x_upper"].toDouble(), z["y_upper"].toDouble())));
        matrix_->setPinnedRow(o["pinned_row"].toInt(-1));
        const int tab = o["tab"].toInt();
        if (tabs_->isTabEnabled(tab)) tabs_->setCurrentIndex(tab);
    }
    return true;
}

bool TextWorkspace::handOffLongTrace(const TracePtr& trace)
{
    if (!isLongTrace(*trace)) return false;
    // Attention past 2,048 tokens (or kept as queries and keys): saved to the cache and opened in
    // the Long attention workspace, which reads it without holding n × n weights.
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + QStringLiteral("/long");
    QDir().mkpath(dir);
    const QString path = dir + QStringLiteral("/%1-%2.attn").arg(QString::fromStdString(trace->model).replace('/', '_')).arg(
                                                           QDateTime::currentMSecsSinceEpoch());
    banner_->showMessage(MessageBanner::Level::Warning, tr("This attention is long (more than 2,048 tokens a side, or queries and keys): "
                                                        "it opens in the Long attention workspace."));
    auto* jobs = new JobTracker(this, JobLane::Background);
    jobs->start([trace, path](const JobContext&) { return saveTrace(*trace, path.toStdString()); },
                [this, path, jobs](Status st) {
                    jobs->deleteLater();
                    if (!st) return showError(QString::fromStdString(st.message));
                    emit fileForAnotherWorkspace(path);
                });
    return true;
}

void TextWorkspace::onTranslated(const TracePtr& trace, const QString& translation, double milliseconds)
{
    if (handOffLongTrace(trace)) return;
    trace_ = shownForm(trace);
    matrix_->setTrace(*trace_);
    matrix_->setTitle(alignmentTitle());
    backToAlignment_->hide();
    updateHeadsTab();
    translation_->setText(tr("<b>Translation:</b> %1").arg(translation.toHtmlEscaped()));
    const QString unknown = QString::fromStdString(trace_->meta(schema::translation::kUnknownWordsMeta));
    if (!unknown.isEmpty())
        banner_->showMessage(MessageBanner::Level::Warning,
                             tr("Words the model never saw in training (read as <unk>): %1").arg(unknown));
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
    if (message.startsWith(tr("Verse picker unavailable"))) {
        // The verse list could not be read (e.g. SWORD modules missing): say so where the
        // verses would be, and still show a demo sentence without gold.
        versePicker_->lineEdit()->setPlaceholderText(tr("verses unavailable — see the log"));
        emit logMessage(tr("Error: %1").arg(message));
        if (demoWanted_ && !userEdited_ && !trace_ && source_->toPlainText().isEmpty()) {
            setSourceText(QStringLiteral("En el principio crió Dios los cielos y la tierra."));
            translateNow();
        }
        return;
    }
    showError(message);
}

void TextWorkspace::updateHeadsTab()
{
    headKind_->blockSignals(true);
    headKind_->clear();
    int preferred = -1;
    for (const auto& t : trace_->tensors) {
        if (t.shape.size() != 4) continue;
        const QString name = QString::fromStdString(t.name);
        const QString about = kindDescription(name);
        // Translators open on their cross-attention: the alignment, the one gold can score.
        if (preferred < 0 && scorableKind(name)) preferred = headKind_->count();
        for (const QString& entry : {name, name + tr(" · mean over heads"), name + tr(" · mean over layers")}) {
            headKind_->addItem(entry);
            headKind_->setItemData(headKind_->count() - 1, about, Qt::ToolTipRole);
        }
        if (t.shape[2] == t.shape[3]) {  // self-attention only
            headKind_->addItem(name + tr(" · rollout"));
            headKind_->setItemData(headKind_->count() - 1, tr("Attention rollout (Abnar & Zuidema 2020): how much each "
                                                              "token's representation at this layer draws on each input token"),
                                   Qt::ToolTipRole);
        }
    }
    if (preferred >= 0) headKind_->setCurrentIndex(preferred);
    headKind_->blockSignals(false);
    kindInfo_->setText(kindDescription(headKind_->currentText()));
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
    if (matrix_->isEmpty()) {
        // No 2-D alignment to show: head 1 of layer 1 in the matrix; the grid first when there
        // is more than one head to choose from.
        showHead(headKind_->currentText(), 0, 0);
        tabs_->setCurrentIndex(first.shape.size() == 4 && first.shape[0] * first.shape[1] > 1 ? 1 : 0);
    }
    updateFlowTab();
}

void TextWorkspace::updateFlowTab()
{
    // The selected multi-head tensor, else the 2-D "cross" as one layer with one head.
    TraceTensor t;
    if (!(headKind_->count() > 0 && selectedTensor(headKind_->currentText(), t))) {
        const TraceTensor* cross = trace_ ? trace_->find(schema::translation::kCross) : nullptr;
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
    one.tensors.push_back(std::move(slice));
    matrix_->setTrace(one);
    matrix_->setTitle(headTitle(tensor, layer, head));
    backToAlignment_->setVisible(trace_->find(schema::translation::kCross) != nullptr);
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
    // The Compare tab's selectors follow: a raw tensor directly, the mean over heads as head "mean".
    const QString meanSuffix = tr(" · mean over heads");
    const bool mean = kind.endsWith(meanSuffix);
    const QString raw = mean ? kind.left(kind.size() - meanSuffix.size()) : kind;
    if (!compare_->setSelection(raw, compareLayer_, mean ? -1 : compareHead_, raw, layer, mean ? -1 : head))
        emit logMessage(tr("The Compare tab's selectors cannot express %1; they keep their choice").arg(kind));
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
                          .arg(trace_->meta("gold") == "pharaoh" ? tr("your Pharaoh gold, all words") : tr("content words"),
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

void TextWorkspace::compareHeads(const QString& kindA, int layerA, int headA, const QString& modelB,
                                 const QString& kindB, int layerB, int headB)
{
    compare_->compareHeads(kindA, layerA, headA, modelB, kindB, layerB, headB);
}

void TextWorkspace::scoreHeadsOnDev(int limit)
{
    devBar_->score(trace_ ? scoringModel() : QString(), limit);
}

void TextWorkspace::applyDevScores()
{
    if (trace_) devBar_->show(scoringModel(), headKind_->currentText());
}

QString TextWorkspace::currentViewName() const
{
    static const char* names[] = {"alignment", "heads", "comparison", "token-flow"};
    const int i = tabs_->currentIndex();
    return QString::fromLatin1(i >= 0 && i < 4 ? names[i] : "view");
}

BuiltFigure TextWorkspace::currentFigure()
{
    QWidget* view = nullptr;
    switch (tabs_->currentIndex()) {
    case 1: view = headGrid_->layers() > 0 ? headGrid_ : nullptr; break;
    case 2: view = compare_->view()->isEmpty() ? nullptr : compare_->view(); break;
    case 3: view = flow_; break;
    default: break;
    }
    return view ? BuiltFigure::of(view) : BuiltFigure::none(tr("nothing to export: the %1 view is empty").arg(currentViewName()));
}

QImage TextWorkspace::renderCurrentView(int dpi, QString* error)
{
    if (tabs_->currentIndex() != 0) return Workspace::renderCurrentView(dpi, error);
    if (!matrix_->isEmpty()) return matrix_->renderImage(0, 0, dpi);
    if (error) *error = tr("nothing to export: the %1 view is empty").arg(currentViewName());
    return {};
}

bool TextWorkspace::exportCurrentView(const QString& path, int dpi, QString* error)
{
    if (tabs_->currentIndex() != 0) return Workspace::exportCurrentView(path, dpi, error);
    return matrix_->exportTo(path, 0, 0, error, dpi);
}

ViewData TextWorkspace::currentData() const
{
    if (matrix_->isEmpty()) return ViewData::none(tr("nothing to export: the matrix is empty"));
    return {matrix_->dataTable(), QStringLiteral("attention.csv"),
            tr("The matrix on screen (target rows × source columns) as CSV with token labels, or .npy"), {}};
}

void TextWorkspace::setColorMap(const QString& name)
{
    matrix_->setColorMap(name);
    headGrid_->setColorMap(matrix_->colorMapName());
    compare_->view()->setColorMap(matrix_->colorMapName());
}

bool TextWorkspace::acceptsFile(const QString& path) const
{
    return Workspace::acceptsFile(path) && !isLongAttentionFile(path.toStdString());
}

bool TextWorkspace::openFile(const QString& path)
{
    // Traces first (.attn, and .json in the trace format), then dumps (.npy .npz .safetensors
    // and .json dumps) with the default axis mapping.
    auto trace = std::make_shared<AttentionTrace>();
    const QString ext = QFileInfo(path).suffix().toLower();
    Status st = Status::error("not a trace");
    if (ext == "attn" || ext == "json") st = loadTraceAuto(path.toStdString(), *trace);
    const bool imported = !st && ext != "attn";
    if (imported) st = importDump(path.toStdString(), {}, *trace);
    if (!st) {
        const QString message = QString::fromStdString(st.message);
        showError(message);
        return false;
    }
    const QString labels = QString::fromStdString(trace->meta("labels"));
    showTrace(std::move(trace));
    emit logMessage((imported ? tr("Imported %1") : tr("Opened %1")).arg(path) + (labels.isEmpty() ? QString() : " — " + labels));
    return true;
}

void TextWorkspace::importDumpDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import attention dump"), {},
                                                      tr("Attention dumps (*.npy *.npz *.safetensors *.json)"));
    if (path.isEmpty()) return;
    ImportDumpDialog dialog(this);
    QString error;
    if (!dialog.load(path, &error)) {
        QMessageBox::warning(this, tr("Import failed"), error);
        return;
    }
    if (dialog.exec() != QDialog::Accepted || !dialog.trace()) return;
    showTrace(dialog.trace());
    emit logMessage(tr("Imported %1").arg(path));
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
        if (path.endsWith(".onnx", Qt::CaseInsensitive) && isVisionModelFile(path.toStdString())) continue;  // the Vision workspace
        modelPicker_->addItem(tr("%1 (yours)").arg(QFileInfo(path).completeBaseName()), path);
        modelPicker_->setItemData(modelPicker_->count() - 1, path, Qt::ToolTipRole);
    }
    if (modelPicker_->findData(keep) >= 0) modelPicker_->setCurrentIndex(modelPicker_->findData(keep));
    if (compare_) compare_->setUserModels(settings::get(settings::UserModels));
    updatingInputs_ = was;
}

} // namespace attnscope::ui
