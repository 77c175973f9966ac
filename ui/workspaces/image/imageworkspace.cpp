#include "workspaces/image/imageworkspace.h"

#include "attnscope/kinds.h"
#include "workspaces/modelpicker.h"

#include "attnscope/pipelines.h"
#include "attnscope/schema.h"
#include "attnscope/visionmodel.h"
#include "attnscope/translator.h"
#include "jobs/jobtracker.h"
#include "jobs/models.h"
#include "jobs/pipelinejob.h"
#include "views/datawriter.h"
#include "views/figurewriter.h"
#include "workspaces/image/imagetrace.h"
#include "views/channelbarview.h"
#include "views/classprofileview.h"
#include "views/mapstripview.h"
#include "views/messagebanner.h"
#include "views/probabilityview.h"
#include "views/spatialoverlayview.h"
#include "views/testitempicker.h"
#include "workspaces/image/imagecomparepanel.h"

#include <QCheckBox>
#include <QAction>
#include <QComboBox>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QShortcut>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

namespace attnscope::ui {

namespace {
const char* kImageFilter = "Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.pgm *.ppm);;All files (*)";
constexpr int kStrip = 6;  ///< feature maps in the most / least excited strips
} // namespace

ImageWorkspace::ImageWorkspace(QWidget* parent)
    : Workspace({kinds::kImage, {}, {},
                 {imageFiles(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_I))}},
                parent)
{
    jobs_[0] = new JobTracker(this);
    jobs_[1] = new JobTracker(this);
    profileJobs_ = new JobTracker(this, JobLane::Background);
    auto* outer = new QVBoxLayout(this);
    outer->addWidget(banner_);

    outer->addLayout(createControls());
    outer->addWidget(createViews(), 1);
    connectViews();
}

QHBoxLayout* ImageWorkspace::createControls()
{
    auto* bar = new QHBoxLayout;
    model_ = new QComboBox(this);
    model_->setObjectName("imageModel");
    model_->setToolTip(tr("Image classifier: a small CNN with an SE, ECA or CBAM block after each conv stage, or none"));
    fillModelPicker(model_, kinds::kImage);  // the classifiers, and PaddleOCR's models for their SE gates
    model_->setCurrentText("fmnist-se");
    auto* open = new QPushButton(tr("Open image…"), this);
    open->setToolTip(tr("Classify an image file (PNG, JPEG, BMP, TIFF, WebP) — Ctrl+Shift+I; or drop it on the window"));
    picker_ = new TestItemPicker(tr("test #"), 10000, tr("A Fashion-MNIST test image"), this);
    picker_->setObjectName("testItem");
    block_ = new QComboBox(this);
    block_->setObjectName("block");
    block_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    block_->setMinimumContentsLength(30);
    block_->setToolTip(tr("Which attention block (after which conv stage) the views show — Alt+1/2/3"));
    sort_ = new QCheckBox(tr("Sort by excitation"), this);
    sort_->setToolTip(tr("Order the channels by their weight, largest first"));
    bar->addWidget(new QLabel(tr("Model:"), this));
    bar->addWidget(model_);
    bar->addWidget(open);
    bar->addWidget(picker_);
    bar->addSpacing(12);
    bar->addWidget(block_);
    bar->addWidget(sort_);
    bar->addStretch(1);
    connect(open, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open image"), {}, tr(kImageFilter));
        if (!p.isEmpty()) openFile(p);
    });
    return bar;
}

QWidget* ImageWorkspace::createViews()
{
    // Left: input and prediction.
    auto* left = new QWidget(this);
    auto* ll = new QVBoxLayout(left);
    ll->setContentsMargins(0, 0, 0, 0);
    auto* inBox = new QGroupBox(tr("Input"), left);
    auto* il = new QVBoxLayout(inBox);
    source_ = new QLabel(inBox);
    source_->setWordWrap(true);
    preview_ = new QLabel(inBox);
    preview_->setMinimumSize(120, 120);
    preview_->setAlignment(Qt::AlignCenter);
    preview_->setToolTip(tr("The image as opened"));
    inputView_ = new MapStripView(inBox);
    inputView_->setMinimumSize(150, 150);
    inputView_->setToolTip(tr("The exact tensor the model saw: 28×28, (pixel − 0.286) / 0.353, after the conversions listed below"));
    inputInfo_ = new QLabel(inBox);
    inputInfo_->setWordWrap(true);
    il->addWidget(source_);
    il->addWidget(preview_, 1);
    il->addWidget(new QLabel(tr("Model input tensor:"), inBox));
    il->addWidget(inputView_, 1);
    il->addWidget(inputInfo_);
    auto* predBox = new QGroupBox(tr("Prediction"), left);
    auto* pl = new QVBoxLayout(predBox);
    prediction_ = new QLabel(predBox);
    prediction_->setWordWrap(true);
    probs_ = new ProbabilityView(predBox);
    pl->addWidget(prediction_);
    pl->addWidget(probs_);
    ll->addWidget(inBox, 3);
    ll->addWidget(predBox, 1);
    left->setMinimumWidth(230);
    left->setMaximumWidth(340);

    tabs_ = new QTabWidget(this);
    tabs_->addTab(buildChannelsTab(), tr("Channels"));
    tabs_->addTab(buildProfilesTab(), tr("Class profiles"));
    compare_ = new ImageComparePanel(this);
    tabs_->addTab(compare_, tr("Compare images"));
    tabs_->addTab(buildSpatialTab(), tr("Spatial (CBAM)"));

    auto* split = new QSplitter(this);
    split->addWidget(left);
    split->addWidget(tabs_);
    split->setStretchFactor(1, 1);
    return split;
}

void ImageWorkspace::connectViews()
{
    connect(picker_, &TestItemPicker::itemPicked, this, &ImageWorkspace::showTestImage);
    connect(addCommand(tr("&Random test image"), QKeySequence(Qt::CTRL | Qt::Key_R), tr("A random Fashion-MNIST test image")),
            &QAction::triggered, picker_->randomButton(), &QPushButton::click);
    for (int b = 0; b < 3; ++b)
        connect(addCommand(tr("Block &%1").arg(b + 1), QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + b)),
                           tr("Show the attention block after conv stage %1").arg(b + 1)),
                &QAction::triggered, this, [this, b] { setBlock(b); });
    connect(addCommand(tr("Open image &B…"), {}, tr("A second image for the Compare images tab")), &QAction::triggered, this,
            [this] {
                const QString p = QFileDialog::getOpenFileName(this, tr("Open image B"), {}, tr(kImageFilter));
                if (!p.isEmpty()) openImageB(p);
            });
    connect(model_, &QComboBox::currentTextChanged, this, [this] {
        // The same inputs through the new model.
        for (int slot : {0, 1})
            if (shownSource_[slot]) request(slot, shownSource_[slot]->first, shownSource_[slot]->second);
        if (tabs_->currentIndex() == 1) startProfiles();
    });
    connect(block_, &QComboBox::currentIndexChanged, this, [this] { refreshBlock(); });
    connect(sort_, &QCheckBox::toggled, this, [this] { refreshBlock(); });
    connect(tabs_, &QTabWidget::currentChanged, this, [this](int i) {
        if (i == 1) startProfiles();
    });
    connect(compare_, &ImageComparePanel::openImageBRequested, this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open image B"), {}, tr(kImageFilter));
        if (!p.isEmpty()) openImageB(p);
    });
    connect(compare_, &ImageComparePanel::testImageBRequested, this, &ImageWorkspace::showTestImageB);
}

ImageWorkspace::~ImageWorkspace() = default;

void ImageWorkspace::request(int slot, const QString& path, int testIndex)
{
    pendingSource_[slot] = {path, testIndex};
    ImageRequest r;
    r.model = model_->currentData().toString().toStdString();
    r.path = path.toStdString();
    r.testIndex = testIndex;
    runPipeline<ImageResult>(
        jobs_[slot], r, runImage, [this, slot](const ImageResult& result, double ms) { onClassified(slot, result, ms); },
        [this, slot](const QString& message) { onFailed(slot, message); });
}

bool ImageWorkspace::openFile(const QString& path)
{
    request(0, path, -1);
    return true;
}

void ImageWorkspace::showTestImage(int index)
{
    request(0, QString(), index);
}

void ImageWorkspace::openImageB(const QString& path)
{
    tabs_->setCurrentWidget(compare_);
    request(1, path, -1);
}

void ImageWorkspace::showTestImageB(int index)
{
    request(1, QString(), index);
}

bool ImageWorkspace::setModel(const QString& name)
{
    const int i = model_->findText(name);
    if (i < 0) return false;
    model_->setCurrentIndex(i);
    return true;
}

QString ImageWorkspace::model() const { return model_->currentData().toString(); }

void ImageWorkspace::setBlock(int block)
{
    if (block >= 0 && block < block_->count()) block_->setCurrentIndex(block);
}

int ImageWorkspace::block() const { return std::max(0, block_->currentIndex()); }

void ImageWorkspace::onFailed(int slot, const QString& message)
{
    showError(message);
    emit logMessage(tr("Image %1: %2").arg(slot ? "B" : "A", message));
}

void ImageWorkspace::onClassified(int slot, const ImageResult& r, double milliseconds)
{
    banner_->clearMessage();
    shownSource_[slot] = pendingSource_[slot];
    // The picker says what is on screen: a test image's number, or the file.
    TestItemPicker* picker = slot == 0 ? picker_ : compare_->pickerB();
    if (shownSource_[slot]->first.isEmpty()) picker->showItem(shownSource_[slot]->second);
    else picker->showFile(shownSource_[slot]->first);
    if (slot == 1) {
        traceB_ = r.trace;
        imageB_ = r.image;
        compare_->setTraces(trace_, traceB_, block(), sort_->isChecked());
        emit imageShown(1);
        return;
    }
    trace_ = r.trace;
    image_ = r.image;
    showResultWarning(*trace_);
    const AttentionTrace& t = *trace_;
    source_->setText(tr("<b>%1</b><br>%2×%3, %4")
                         .arg(QFileInfo(QString::fromStdString(image_->source)).fileName().toHtmlEscaped())
                         .arg(image_->originalWidth)
                         .arg(image_->originalHeight)
                         .arg(QString::fromStdString(image_->originalFormat)));
    source_->setToolTip(QString::fromStdString(image_->source));
    const QImage prev = previewImage(*image_);
    preview_->setPixmap(QPixmap::fromImage(prev.scaled(preview_->size().boundedTo(QSize(300, 300)).expandedTo(QSize(112, 112)),
                                                       Qt::KeepAspectRatio,
                                                       prev.width() < 100 ? Qt::FastTransformation : Qt::SmoothTransformation)));
    inputView_->setTiles({inputTile(t)});
    QStringList notes;
    for (const auto& n : image_->notes) notes << QString::fromStdString(n);
    inputInfo_->setText(notes.join(QStringLiteral("; ")));
    QStringList names;
    const auto p = ui::probabilities(t, &names);
    probs_->setProbabilities(p, names, image_->label);
    QString pred = tr("<b>%1</b> (%2%)").arg(QString::fromStdString(t.meta(schema::image::kPredictionMeta))).arg(100.0 * QString::fromStdString(t.meta(schema::image::kConfidenceMeta)).toDouble(), 0, 'f', 1);
    if (!t.meta(schema::image::kLabelMeta).empty()) pred += tr(" · true class: %1").arg(QString::fromStdString(t.meta(schema::image::kLabelMeta)));
    prediction_->setText(pred);
    // Block choices (keep the selection).
    const int keep = restoredBlock_ >= 0 ? restoredBlock_ : block();
    restoredBlock_ = -1;
    block_->blockSignals(true);
    block_->clear();
    for (int b = 0; b < blockCount(t); ++b) block_->addItem(blockLabel(t, b));
    block_->setCurrentIndex(std::min(keep, block_->count() - 1));
    block_->blockSignals(false);
    refreshBlock();
    emit logMessage(tr("%1 → %2 (%3 ms)").arg(QString::fromStdString(image_->source), QString::fromStdString(t.meta(schema::image::kPredictionMeta))).arg(milliseconds, 0, 'f', 1));
    emit imageShown(0);
    emit traceShown();
}

void ImageWorkspace::refreshBlock()
{
    if (!trace_) return;
    const AttentionTrace& t = *trace_;
    const int b = block();
    bars_->setSortByValue(sort_->isChecked());
    bars_->setValues(blockExcitation(t, b));
    const bool baseline = t.meta(schema::image::kBlockMeta) == "none";
    bars_->setTitle(baseline ? tr("%1 — no attention block (baseline): every channel keeps weight 1").arg(blockLabel(t, b))
                             : tr("%1 — %2 excitation per channel").arg(blockLabel(t, b), QString::fromStdString(t.meta(schema::image::kBlockMeta))));
    topStrip_->setTiles(extremeTiles(t, b, kStrip, true));
    bottomStrip_->setTiles(extremeTiles(t, b, kStrip, false));
    const auto top = extremeTiles(t, b, 1, true);
    if (!top.empty()) showChannel(top.front().id);
    compare_->setTraces(trace_, traceB_, b, sort_->isChecked());
    refreshSpatial();
    refreshProfiles();
}

void ImageWorkspace::showChannel(int channel)
{
    if (!trace_) return;
    featureMap_->setTiles({featureTile(*trace_, block(), channel)});
}

void ImageWorkspace::refreshSpatial()
{
    if (!trace_ || !image_) return;
    spatial_->setImage(inputImage(*image_));
    const MapTile s = spatialTile(*trace_, block());
    if (s.values.empty()) {
        spatial_->clearMap();
        spatial_->setTitle({});
        spatialNote_->setText(tr("%1 has no spatial attention: only CBAM (fmnist-cbam) weighs positions as well as channels.")
                                  .arg(model_->currentData().toString()));
        return;
    }
    spatial_->setTitle(tr("%1 — CBAM spatial attention M_s (%2×%3) over the model input").arg(blockLabel(*trace_, block())).arg(s.cols).arg(s.rows));
    spatialNote_->setText(tr("M_s = σ(conv7×7([mean; max] over channels)), upsampled bilinearly to the image (Woo et al. 2018, eq. 3)."));
    spatial_->setMap(s.values, s.rows, s.cols);
}

void ImageWorkspace::startProfiles()
{
    const QString m = model_->currentData().toString();
    if (isVisionModelName(m.toStdString())) {
        profileStatus_->setText(tr("Class profiles are for the Fashion-MNIST classifiers; %1 has no classes.").arg(m));
        profileView_->clear();
        return;
    }
    if (profileCache_.count(m)) return refreshProfiles();
    if (profileJobs_->running() && profileModel_ == m) return;
    profileModel_ = m;
    profileStatus_->setText(tr("Computing the mean excitation per class over the Fashion-MNIST test set (%1)…").arg(m));
    profileProgress_->setRange(0, 0);
    profileProgress_->show();
    profileCancel_->show();
    struct Out {
        Status status;
        TracePtr profiles;
    };
    // A private copy of the model: the shared one stays free for classifying while this runs.
    profileJobs_->start(
        [name = m.toStdString()](const JobContext& job) {
            Out out;
            ImageClassifier model;
            out.status = model.load(name);
            if (!out.status) return out;
            auto test = fashionMnistTest(sharedModels(), out.status);
            if (!test) return out;
            FashionMnist set = *test;  // a copy: the lease is not held for the whole pass
            test = {};
            auto result = std::make_shared<AttentionTrace>();
            out.status = model.classProfiles(set, 0, *result, job.progress());
            out.profiles = result;
            return out;
        },
        [this, m](Out out) {
            profileProgress_->hide();
            profileCancel_->hide();
            if (!out.status) {
                profileStatus_->setText(tr("Class profiles failed: %1").arg(QString::fromStdString(out.status.message)));
                return;
            }
            profileCache_[m] = out.profiles;
            refreshProfiles();
            emit profilesShown(m);
        });
}

void ImageWorkspace::refreshProfiles()
{
    const auto it = profileCache_.find(model_->currentData().toString());
    if (it == profileCache_.end()) {
        profileView_->clear();
        return;
    }
    const AttentionTrace& p = *it->second;
    const TraceTensor* t = p.find(schema::image::profile(block()));
    if (!t || t->shape.size() != 2) return;
    QStringList names;
    for (const auto& l : t->labels[0]) names << QString::fromStdString(l);
    profileView_->setProfiles(t->values, int(t->shape[0]), int(t->shape[1]), names);
    if (trace_) profileView_->setCurrent(blockExcitation(*trace_, block()), tr("this image"));
    profileStatus_->setText(tr("Mean excitation per class over %1 test images, block %2 of %3. Black: the current image.")
                                .arg(QString::fromStdString(p.meta(schema::image::kImagesMeta)))
                                .arg(block() + 1)
                                .arg(it->first));
}

bool ImageWorkspace::hasInput() const { return trace_ || jobs_[0]->running(); }

void ImageWorkspace::showDefault() { showTestImage(0); }

QList<ShortcutInfo> ImageWorkspace::viewKeys() const
{
    return {{tr("Hover / click a bar"), tr("Channels: show that channel's feature map")},
            {tr("Click a tile"), tr("Channels: select that channel")}};
}

QString ImageWorkspace::currentViewName() const
{
    static const char* names[] = {"channels", "class-profiles", "compare-images", "spatial"};
    return names[std::clamp(tabs_->currentIndex(), 0, 3)];
}

BuiltFigure ImageWorkspace::currentFigure()
{
    if (!trace_) return BuiltFigure::none(tr("Nothing to export yet: open an image first."));
    return BuiltFigure::of(tabs_->currentWidget());
}

ViewData ImageWorkspace::currentData() const
{
    if (!trace_) return ViewData::none(tr("Nothing to export yet: open an image first."));
    const int b = block();
    const std::vector<float> e = blockExcitation(*trace_, b);
    QStringList channels;
    for (size_t c = 0; c < e.size(); ++c) channels << QStringLiteral("c%1").arg(c);
    ViewData d;
    switch (tabs_->currentIndex()) {
    case 0:  // excitation of the block on screen, one row per channel
        d.table = {tr("channel"), channels, {tr("excitation")}, e, {int64_t(e.size())}};
        d.fileName = QStringLiteral("channel-excitation.csv");
        d.description = tr("Block %1's excitation per channel").arg(b + 1);
        break;
    case 1: {
        const auto it = profileCache_.find(model_->currentData().toString());
        const TraceTensor* p = it == profileCache_.end() ? nullptr : it->second->find(schema::image::profile(b));
        if (!p || p->shape.size() != 2) return ViewData::none(tr("The class profiles are not computed yet."));
        QStringList classes;
        for (const auto& l : p->labels[0]) classes << QString::fromStdString(l);
        d.table = {tr("class \\ channel"), classes, channels, p->values, {}};
        d.fileName = QStringLiteral("class-profiles.csv");
        d.description = tr("Block %1's mean excitation per class and channel").arg(b + 1);
        break;
    }
    case 2: {
        if (!traceB_) return ViewData::none(tr("Open image B first."));
        const std::vector<float> eb = blockExcitation(*traceB_, b);
        if (eb.size() != e.size()) return ViewData::none(tr("Images A and B went through different models."));
        std::vector<float> v;
        for (size_t c = 0; c < e.size(); ++c) v.insert(v.end(), {e[c], eb[c], e[c] - eb[c]});
        d.table = {tr("channel"), channels, {tr("A"), tr("B"), tr("A − B")}, v, {}};
        d.fileName = QStringLiteral("compare-excitation.csv");
        d.description = tr("Images A's and B's excitation per channel of block %1").arg(b + 1);
        break;
    }
    default: {
        const MapTile s = spatialTile(*trace_, b);
        if (s.values.empty()) return ViewData::none(tr("%1 has no spatial attention (only CBAM models do).").arg(model_->currentData().toString()));
        for (int r = 0; r < s.rows; ++r) d.table.rowLabels << QStringLiteral("row %1").arg(r);
        for (int c = 0; c < s.cols; ++c) d.table.columnLabels << QStringLiteral("col %1").arg(c);
        d.table.corner = tr("M_s");
        d.table.values = s.values;
        d.fileName = QStringLiteral("spatial-attention.csv");
        d.description = tr("CBAM's spatial attention map M_s of block %1").arg(b + 1);
        break;
    }
    }
    return d;
}

void ImageWorkspace::setColorMap(const QString& name)
{
    bars_->setColorMap(name);
    spatial_->setColorMap(name);
    compare_->pairBars()->setColorMap(name);
}

namespace {
QJsonObject sourceJson(const std::optional<std::pair<QString, int>>& s)
{
    if (!s) return {};
    return s->first.isEmpty() ? QJsonObject{{"test_index", s->second}} : QJsonObject{{"file", s->first}};
}
} // namespace

WorkspaceSection ImageWorkspace::saveState() const
{
    WorkspaceSection s;
    s.state = QJsonObject{{"model", model_->currentData().toString()},
                          {"block", block()},
                          {"tab", tabs_->currentIndex()},
                          {"sort", sort_->isChecked()},
                          {"image", sourceJson(shownSource_[0] ? shownSource_[0] : std::optional(pendingSource_[0]))},
                          {"image_b", sourceJson(shownSource_[1])}};
    return s;
}

bool ImageWorkspace::restoreState(const WorkspaceSection& section, QString* error)
{
    const QJsonObject& o = section.state;
    if (model_->findText(o["model"].toString()) < 0) {
        if (error) *error = tr("image workspace: unknown model '%1'").arg(o["model"].toString());
        return false;
    }
    model_->blockSignals(true);
    model_->setCurrentText(o["model"].toString());
    model_->blockSignals(false);
    sort_->setChecked(o["sort"].toBool());
    restoredBlock_ = o["block"].toInt();
    tabs_->setCurrentIndex(std::clamp(o["tab"].toInt(), 0, tabs_->count() - 1));
    for (int slot : {0, 1}) {
        const QJsonObject src = o[slot ? "image_b" : "image"].toObject();
        if (src.contains("file")) request(slot, src["file"].toString(), -1);
        else if (src.contains("test_index")) {
            request(slot, QString(), src["test_index"].toInt());
        }
    }
    return true;
}

} // namespace attnscope::ui
