#include "workspaces/imageworkspace.h"

#include "attnscope/translator.h"
#include "figureexport.h"
#include "imagetrace.h"
#include "views/channelbarview.h"
#include "views/classprofileview.h"
#include "views/mapstripview.h"
#include "views/messagebanner.h"
#include "views/probabilityview.h"
#include "views/spatialoverlayview.h"
#include "workspaces/imagecomparepanel.h"

#include <QCheckBox>
#include <QComboBox>
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

ImageWorkspace::ImageWorkspace(ImageWorker* worker, QWidget* parent) : QWidget(parent), worker_(worker)
{
    scorer_ = new ProfileScorer(this);
    auto* outer = new QVBoxLayout(this);
    banner_ = new MessageBanner(this);
    outer->addWidget(banner_);

    // Controls.
    auto* bar = new QHBoxLayout;
    model_ = new QComboBox(this);
    model_->setObjectName("imageModel");
    model_->setToolTip(tr("Image classifier: a small CNN with an SE, ECA or CBAM block after each conv stage, or none"));
    for (const auto& m : builtinModels())
        if (isImageModel(m.name)) model_->addItem(QString::fromStdString(m.name));
    model_->setCurrentText("fmnist-se");
    auto* open = new QPushButton(tr("Open image…"), this);
    open->setToolTip(tr("Classify an image file (PNG, JPEG, BMP, TIFF, WebP) — Ctrl+Shift+I; or drop it on the window"));
    testIndex_ = new QSpinBox(this);
    testIndex_->setRange(0, 9999);
    testIndex_->setPrefix(tr("test #"));
    testIndex_->setToolTip(tr("A Fashion-MNIST test image (press Enter to show it)"));
    auto* random = new QPushButton(tr("Random"), this);
    random->setToolTip(tr("A random Fashion-MNIST test image — Ctrl+R"));
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
    bar->addWidget(testIndex_);
    bar->addWidget(random);
    bar->addSpacing(12);
    bar->addWidget(block_);
    bar->addWidget(sort_);
    bar->addStretch(1);
    outer->addLayout(bar);

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
    outer->addWidget(split, 1);

    connect(worker_, &ImageWorker::classified, this, &ImageWorkspace::onClassified, Qt::QueuedConnection);
    connect(worker_, &ImageWorker::failed, this, &ImageWorkspace::onFailed, Qt::QueuedConnection);
    connect(worker_, &ImageWorker::log, this, &ImageWorkspace::logMessage, Qt::QueuedConnection);
    connect(open, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open image"), {}, tr(kImageFilter));
        if (!p.isEmpty()) openImage(p);
    });
    connect(testIndex_, &QSpinBox::editingFinished, this, [this] { showTestImage(testIndex_->value()); });
    connect(random, &QPushButton::clicked, this, [this] { showTestImage(int(QRandomGenerator::global()->bounded(10000))); });
    auto* randomShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_R), this);
    randomShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(randomShortcut, &QShortcut::activated, random, &QPushButton::click);
    for (int b = 0; b < 3; ++b) {
        auto* s = new QShortcut(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + b)), this);
        s->setContext(Qt::WidgetWithChildrenShortcut);
        connect(s, &QShortcut::activated, this, [this, b] { setBlock(b); });
    }
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

QWidget* ImageWorkspace::buildChannelsTab()
{
    auto* page = new QWidget(this);
    auto* l = new QVBoxLayout(page);
    bars_ = new ChannelBarView(page);
    bars_->setObjectName("channelBars");
    l->addWidget(bars_, 3);
    auto* row = new QHBoxLayout;
    auto* fmBox = new QGroupBox(tr("Feature map (hover or click a bar)"), page);
    auto* fl = new QVBoxLayout(fmBox);
    featureMap_ = new MapStripView(fmBox);
    featureMap_->setToolTip(tr("The channel's feature map U_c (after conv, batch norm, ReLU), before the block rescaled it"));
    fl->addWidget(featureMap_);
    auto* exBox = new QGroupBox(tr("Most and least excited channels"), page);
    auto* el = new QVBoxLayout(exBox);
    topStrip_ = new MapStripView(exBox);
    topStrip_->setToolTip(tr("Feature maps of the channels with the largest excitation (click one to select it)"));
    bottomStrip_ = new MapStripView(exBox);
    bottomStrip_->setToolTip(tr("Feature maps of the channels with the smallest excitation (click one to select it)"));
    el->addWidget(new QLabel(tr("most excited:"), exBox));
    el->addWidget(topStrip_, 1);
    el->addWidget(new QLabel(tr("least excited:"), exBox));
    el->addWidget(bottomStrip_, 1);
    row->addWidget(fmBox, 1);
    row->addWidget(exBox, 3);
    l->addLayout(row, 2);
    connect(bars_, &ChannelBarView::channelHovered, this, [this](int c) {
        if (c >= 0) showChannel(c);
    });
    connect(bars_, &ChannelBarView::channelClicked, this, &ImageWorkspace::showChannel);
    for (auto* s : {topStrip_, bottomStrip_})
        connect(s, &MapStripView::tileClicked, this, [this](int c) {
            bars_->setSelectedChannel(c);
            showChannel(c);
        });
    return page;
}

QWidget* ImageWorkspace::buildProfilesTab()
{
    auto* page = new QWidget(this);
    auto* l = new QVBoxLayout(page);
    auto* row = new QHBoxLayout;
    profileStatus_ = new QLabel(page);
    profileProgress_ = new QProgressBar(page);
    profileProgress_->setMaximumWidth(260);
    profileCancel_ = new QPushButton(tr("Cancel"), page);
    profileCancel_->setToolTip(tr("Stop computing the class profiles"));
    auto* again = new QPushButton(tr("Compute"), page);
    again->setToolTip(tr("Compute the class profiles over the 10,000 test images"));
    row->addWidget(profileStatus_, 1);
    row->addWidget(profileProgress_);
    row->addWidget(profileCancel_);
    row->addWidget(again);
    l->addLayout(row);
    profileView_ = new ClassProfileView(page);
    l->addWidget(profileView_, 1);
    profileProgress_->hide();
    profileCancel_->hide();
    connect(profileCancel_, &QPushButton::clicked, this, [this] {
        scorer_->cancel();
        profileProgress_->hide();
        profileCancel_->hide();
        profileStatus_->setText(tr("Cancelled. Press Compute to start again."));
    });
    connect(again, &QPushButton::clicked, this, &ImageWorkspace::startProfiles);
    connect(scorer_, &ProfileScorer::progress, this, [this](int done, int total) {
        profileProgress_->setRange(0, total);
        profileProgress_->setValue(done);
    });
    connect(scorer_, &ProfileScorer::finished, this, [this](const QString& model, const TracePtr& p) {
        profileCache_[model] = p;
        profileProgress_->hide();
        profileCancel_->hide();
        refreshProfiles();
    });
    connect(scorer_, &ProfileScorer::failed, this, [this](const QString&, const QString& message) {
        profileProgress_->hide();
        profileCancel_->hide();
        profileStatus_->setText(tr("Class profiles failed: %1").arg(message));
    });
    return page;
}

QWidget* ImageWorkspace::buildSpatialTab()
{
    auto* page = new QWidget(this);
    auto* l = new QVBoxLayout(page);
    auto* row = new QHBoxLayout;
    spatialNote_ = new QLabel(page);
    spatialNote_->setWordWrap(true);
    opacity_ = new QSlider(Qt::Horizontal, page);
    opacity_->setRange(0, 100);
    opacity_->setValue(60);
    opacity_->setMaximumWidth(220);
    opacity_->setToolTip(tr("Opacity of the attention map over the image"));
    row->addWidget(spatialNote_, 1);
    row->addWidget(new QLabel(tr("Opacity:"), page));
    row->addWidget(opacity_);
    l->addLayout(row);
    spatial_ = new SpatialOverlayView(page);
    l->addWidget(spatial_, 1);
    connect(opacity_, &QSlider::valueChanged, this, [this](int v) { spatial_->setOpacity(v / 100.0); });
    return page;
}

void ImageWorkspace::request(int slot, const QString& path, int testIndex)
{
    pendingSource_[slot] = {path, testIndex};
    ImageRequest r;
    r.generation = ++generation_[slot];
    r.slot = slot;
    r.model = model_->currentText();
    r.path = path;
    r.testIndex = testIndex;
    worker_->supersede(slot, r.generation);
    QMetaObject::invokeMethod(worker_, "classify", Qt::QueuedConnection, Q_ARG(attnscope::ui::ImageRequest, r));
}

void ImageWorkspace::openImage(const QString& path) { request(0, path, -1); }

void ImageWorkspace::showTestImage(int index)
{
    testIndex_->setValue(index);
    request(0, QString(), index);
}

void ImageWorkspace::openImageB(const QString& path)
{
    tabs_->setCurrentWidget(compare_);
    request(1, path, -1);
}

void ImageWorkspace::showTestImageB(int index)
{
    compare_->testIndexB()->setValue(index);
    request(1, QString(), index);
}

bool ImageWorkspace::setModel(const QString& name)
{
    const int i = model_->findText(name);
    if (i < 0) return false;
    model_->setCurrentIndex(i);
    return true;
}

QString ImageWorkspace::model() const { return model_->currentText(); }

void ImageWorkspace::setBlock(int block)
{
    if (block >= 0 && block < block_->count()) block_->setCurrentIndex(block);
}

int ImageWorkspace::block() const { return std::max(0, block_->currentIndex()); }

void ImageWorkspace::onFailed(quint64 generation, int slot, const QString& message)
{
    if (generation != generation_[slot & 1]) return;
    banner_->showMessage(MessageBanner::Level::Error, message);
    emit errorShown(message);
    emit logMessage(tr("Image %1: %2").arg(slot ? "B" : "A", message));
}

void ImageWorkspace::onClassified(const ImageResult& r)
{
    if (r.generation != generation_[r.slot & 1]) return;
    banner_->clearMessage();
    shownSource_[r.slot & 1] = pendingSource_[r.slot & 1];
    if (r.slot == 1) {
        traceB_ = r.trace;
        imageB_ = r.image;
        compare_->setTraces(trace_, traceB_, block(), sort_->isChecked());
        emit imageShown(1);
        return;
    }
    trace_ = r.trace;
    image_ = r.image;
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
    QString pred = tr("<b>%1</b> (%2%)").arg(QString::fromStdString(t.meta("prediction"))).arg(100.0 * QString::fromStdString(t.meta("confidence")).toDouble(), 0, 'f', 1);
    if (!t.meta("label").empty()) pred += tr(" · true class: %1").arg(QString::fromStdString(t.meta("label")));
    prediction_->setText(pred);
    // Block choices (keep the selection).
    const int keep = block();
    block_->blockSignals(true);
    block_->clear();
    for (int b = 0; b < blockCount(t); ++b) block_->addItem(blockLabel(t, b));
    block_->setCurrentIndex(std::min(keep, block_->count() - 1));
    block_->blockSignals(false);
    refreshBlock();
    emit logMessage(tr("%1 → %2 (%3 ms)").arg(QString::fromStdString(image_->source), QString::fromStdString(t.meta("prediction"))).arg(r.milliseconds, 0, 'f', 1));
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
    const bool baseline = t.meta("block") == "none";
    bars_->setTitle(baseline ? tr("%1 — no attention block (baseline): every channel keeps weight 1").arg(blockLabel(t, b))
                             : tr("%1 — %2 excitation per channel").arg(blockLabel(t, b), QString::fromStdString(t.meta("block"))));
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
                                  .arg(model_->currentText()));
        return;
    }
    spatial_->setTitle(tr("%1 — CBAM spatial attention M_s (%2×%3) over the model input").arg(blockLabel(*trace_, block())).arg(s.cols).arg(s.rows));
    spatialNote_->setText(tr("M_s = σ(conv7×7([mean; max] over channels)), upsampled bilinearly to the image (Woo et al. 2018, eq. 3)."));
    spatial_->setMap(s.values, s.rows, s.cols);
}

void ImageWorkspace::startProfiles()
{
    const QString m = model_->currentText();
    if (profileCache_.count(m)) return refreshProfiles();
    if (scorer_->running() && profileModel_ == m) return;
    profileModel_ = m;
    profileStatus_->setText(tr("Computing the mean excitation per class over the Fashion-MNIST test set (%1)…").arg(m));
    profileProgress_->setRange(0, 0);
    profileProgress_->show();
    profileCancel_->show();
    scorer_->start(m);
}

void ImageWorkspace::refreshProfiles()
{
    const auto it = profileCache_.find(model_->currentText());
    if (it == profileCache_.end()) {
        profileView_->clear();
        return;
    }
    const AttentionTrace& p = *it->second;
    const TraceTensor* t = p.find("block" + std::to_string(block() + 1) + ".profile");
    if (!t || t->shape.size() != 2) return;
    QStringList names;
    for (const auto& l : t->labels[0]) names << QString::fromStdString(l);
    profileView_->setProfiles(t->values, int(t->shape[0]), int(t->shape[1]), names);
    if (trace_) profileView_->setCurrent(blockExcitation(*trace_, block()), tr("this image"));
    profileStatus_->setText(tr("Mean excitation per class over %1 test images, block %2 of %3. Black: the current image.")
                                .arg(QString::fromStdString(p.meta("images")))
                                .arg(block() + 1)
                                .arg(it->first));
}

QString ImageWorkspace::currentViewName() const
{
    static const char* names[] = {"channels", "class-profiles", "compare-images", "spatial"};
    return names[std::clamp(tabs_->currentIndex(), 0, 3)];
}

bool ImageWorkspace::exportCurrentView(const QString& path, int dpi, QString* error)
{
    QWidget* w = tabs_->currentWidget();
    if (!trace_) {
        if (error) *error = tr("Nothing to export yet: open an image first.");
        return false;
    }
    return exportWidgetFigure(*w, w->size(), path, dpi, error);
}

void ImageWorkspace::setColorMap(const QString& name)
{
    bars_->setColorMap(name);
    spatial_->setColorMap(name);
}

} // namespace attnscope::ui
