// How the Text workspace is built and wired: its views in tabs (matrix, heads, compare, token
// flow), what its inputs and panels do, and its commands and keys.
#include "workspaces/text/textworkspace.h"
#include "workspaces/text/flowpanel.h"
#include "workspaces/ablationcontrol.h"
#include "workspaces/text/headspanel.h"
#include "workspaces/text/devscorebar.h"
#include "workspaces/text/importancebar.h"
#include "workspaces/text/linkoptionsbar.h"
#include "workspaces/text/pruningdialog.h"
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

void TextWorkspace::createViews()
{
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
    heads_ = new HeadsPanel(this);  // for traces with [layer, head, query, key] tensors (multi-head models, dumps)
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
    tabs_->addTab(heads_, tr("Heads"));
    compare_ = new ComparePanel(this);
    compare_->setUserModels(settings::get(settings::UserModels));
    tabs_->addTab(compare_, tr("Compare"));
    flow_ = new FlowPanel(this);
    tabs_->addTab(flow_, tr("Token flow"));
    tabs_->setTabEnabled(1, false);
    tabs_->setTabEnabled(2, false);
    tabs_->setTabToolTip(1, tr("Every head of every layer, for traces that hold multi-head attention"));
    tabs_->setTabToolTip(2, tr("Two heads side by side — of this model or of two models on the same sentence — "
                               "with their difference and divergence (or Shift+click two heads in the Heads tab)"));
}

void TextWorkspace::connectInputs()
{
    debounce_ = new QTimer(this);
    debounce_->setSingleShot(true);
    debounce_->setInterval(350);
    connect(debounce_, &QTimer::timeout, this, &TextWorkspace::translateNow);
    connect(inputs_->translateButton(), &QPushButton::clicked, this, &TextWorkspace::translateNow);
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
    connect(inputs_, &TextInputPanel::modeChosen, this, [this] {
        if (!updatingInputs_) translateNow();  // one request per mode change
    });
    connect(modelPicker_, &QComboBox::currentIndexChanged, this, [this] {
        inputs_->inputFile()->setModel(modelPicker_->currentData().toString());
        if (!updatingInputs_) translateNow();
    });
    connect(inputs_->inputFile(), &InputFileButton::fileChosen, source_, &QPlainTextEdit::setPlainText);
    connect(versePicker_, &VersePicker::versePicked, this, &TextWorkspace::onVersePicked);
    connect(versePicker_, &VersePicker::logMessage, this, &Workspace::logMessage);
    connect(versePicker_, &VersePicker::failed, this, &TextWorkspace::onFailed);
    connect(versePicker_, &VersePicker::goldCorpusOpened, this, &TextWorkspace::goldCorpusOpened);
    connect(versePicker_, &VersePicker::versesShown, this, [this] {
        emit versesShown();
        // The built-in demo: a test verse, translated and aligned against gold. (Not when the
        // user already typed or opened a trace while the verses were loading.)
        if (demoWanted_ && !userEdited_ && !trace_ && source_->toPlainText().isEmpty()) selectVerse(QStringLiteral("Ruth 1:16"));
    });
    connect(versePicker_, &VersePicker::unavailable, this, [this](const QString& message) {
        // Still show a demo sentence, without gold.
        emit logMessage(tr("Error: %1").arg(message));
        if (demoWanted_ && !userEdited_ && !trace_ && source_->toPlainText().isEmpty()) {
            setSourceText(QStringLiteral("En el principio crió Dios los cielos y la tierra."));
            translateNow();
        }
    });
    connect(linkBar_, &LinkOptionsBar::optionsChanged, this, &TextWorkspace::setLinkOptions);
    connect(linkBar_, &LinkOptionsBar::wordsToggled, this, [this] {
        if (!pieces_) return;
        trace_ = shownForm(pieces_);
        refreshViews();
        emit traceShown();
    });
}

void TextWorkspace::connectViews()
{
    connect(matrix_, &AlignmentMatrixView::rowPinned, this, &TextWorkspace::updatePinned);
    connect(heads_, &HeadsPanel::entryChanged, this, [this](const QString& entry) {
        applyDevScores();
        updateFlowTab();
        if (tabs_->currentIndex() == 1 && heads_->scorableKind(entry)) heads_->devBar()->scoreIfNew(scoringModel());
    });
    connect(heads_, &HeadsPanel::headOpened, this, &TextWorkspace::showHead);
    // The grad lens is decoded again with a backward pass per target token, as a job (progress, Esc cancels).
    connect(heads_, &HeadsPanel::lensRequested, this, [this](const QString& lens) {
        if (lens != QLatin1String(schema::kGradLens)) return;
        gradLens_ = true;
        emit logMessage(tr("Computing the grad lens: one backward pass per target token"));
        translateNow();
    });
    connect(heads_, &HeadsPanel::entryChanged, this, [this] { gradLens_ = heads_->lens() == QLatin1String(schema::kGradLens); });
    // Head ablation: Alt+click or the grid's context menu; every change re-runs (latest wins).
    connect(heads_->grid(), &HeadGridView::headAblationToggled, this, [this](int layer, int head) {
        QString why;
        if (!ablation_->toggle(heads_->entry(), layer, head, &why)) banner_->showMessage(MessageBanner::Level::Warning, why);
    });
    connect(heads_->grid(), &HeadGridView::ablationsReset, ablation_, &AblationControl::reset);
    connect(heads_, &HeadsPanel::entryChanged, this, [this](const QString& entry) { heads_->grid()->setAblated(ablation_->headsOf(entry)); });
    connect(ablation_, &AblationControl::changed, this, [this] {
        heads_->grid()->setAblated(ablation_->headsOf(heads_->entry()));
        emit logMessage(ablation_->empty() ? tr("Every head restored") : tr("Ablated %1").arg(QString::fromStdString(ablation_->ablation().describe())));
        if (!updatingInputs_ && trace_) translateNow();
    });
    connect(heads_, &HeadsPanel::compareRequested, this, &TextWorkspace::pickForComparison);

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
    connect(heads_->devBar(), &DevScoreBar::scored, this, [this](const QString& model, int verses) {
        emit logMessage(tr("Scored the heads of %1 on %2 dev verses").arg(model).arg(verses));
        emit devScoresShown();
    });
    connect(heads_->devBar(), &DevScoreBar::failed, this, [this](const QString& message) { emit logMessage(tr("Error: %1").arg(message)); });
    connect(heads_->importanceBar(), &ImportanceBar::measured, this, [this](const QString& model, int heads) {
        emit logMessage(tr("Measured the importance of %1 heads of %2 (%3)").arg(heads).arg(model, heads_->importanceBar()->method()));
    });
    connect(heads_->importanceBar(), &ImportanceBar::failed, this, [this](const QString& message) { emit logMessage(tr("Error: %1").arg(message)); });
    connect(tabs_, &QTabWidget::currentChanged, this, [this](int index) {
        // The first visit of the Heads tab for a built-in model starts its dev scoring — of the
        // attention gold can score (cross-attention), never for self-attention.
        if (index == 1 && trace_ && heads_->scorableKind(heads_->entry())) heads_->devBar()->scoreIfNew(scoringModel());
    });

    connect(backToAlignment_, &QPushButton::clicked, this, &TextWorkspace::showAlignment);
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
    QAction* restore = addCommand(tr("&Restore every head"), {},
                                  tr("Undo every head ablation (Alt+click in the head grid ablates a head) and run again"));
    restore->setObjectName("restoreHeads");
    connect(restore, &QAction::triggered, ablation_, &AblationControl::reset);
    QAction* prune = addCommand(tr("&Pruning curves…"), {},
                                tr("BLEU of the built-in Transformer as its heads are zeroed, least important first and in "
                                   "random orders (Michel et al. 2019), in the background; chart and CSV export"));
    prune->setObjectName("pruningCurves");
    connect(prune, &QAction::triggered, this, [this] {
        const QString model = modelPicker_->currentData().toString();
        if (!findModel(model.toStdString())) {
            banner_->showMessage(MessageBanner::Level::Warning,
                                 tr("Pruning curves are measured for the built-in Transformer translators; pick one in the model box."));
            return;
        }
        auto* dialog = new PruningDialog(model, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
    });
}

QList<ShortcutInfo> TextWorkspace::viewKeys() const
{
    return {{tr("Click"), tr("Matrix: pin the target row under the mouse")},
            {tr("Up / Down"), tr("Matrix: move the pinned row")},
            {tr("Wheel, drag"), tr("Matrix: zoom, pan")},
            {tr("Home, double-click"), tr("Matrix: show the whole matrix")},
            {tr("Arrow keys, Enter"), tr("Heads: move between heads, open one in the matrix")},
            {tr("Shift+Enter, Shift+click"), tr("Heads: pick two heads to compare")},
            {tr("Alt+click, right-click"), tr("Heads: ablate a head (or restore it) and run again")}};
}

} // namespace attnscope::ui
