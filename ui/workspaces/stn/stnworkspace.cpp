#include "workspaces/stn/stnworkspace.h"

#include "attnscope/kinds.h"
#include "workspaces/modelpicker.h"

#include "attnscope/pipelines.h"
#include "attnscope/schema.h"
#include "attnscope/translator.h"
#include "jobs/jobtracker.h"
#include "jobs/models.h"
#include "jobs/pipelinejob.h"
#include "views/datawriter.h"
#include "views/figurewriter.h"
#include "views/messagebanner.h"
#include "views/stnview.h"
#include "views/testitempicker.h"
#include "workspaces/stn/stnfigure.h"

#include <algorithm>

#include <QAction>
#include <QCheckBox>
#include <QJsonArray>
#include <QJsonObject>
#include <QComboBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSlider>
#include <QSpinBox>
#include <QVariantAnimation>
#include <QVBoxLayout>

namespace attnscope::ui {

namespace {
QString prediction(const AttentionTrace& t)
{
    return QStringLiteral("<b>%1</b> (%2%)")
        .arg(QString::fromStdString(t.meta(schema::image::kPredictionMeta)))
        .arg(100.0 * QString::fromStdString(t.meta(schema::image::kConfidenceMeta)).toDouble(), 0, 'f', 1);
}
} // namespace

StnWorkspace::StnWorkspace(QWidget* parent)
    : Workspace({kinds::kStn, {}, {},
                 {imageFiles()}},
                parent)
{
    jobs_ = new JobTracker(this);
    auto* outer = new QVBoxLayout(this);
    outer->addWidget(banner_);
    outer->addLayout(createControls());
    outer->addLayout(createDistortionBar());
    outer->addLayout(createBody(), 1);
    createAnimation();
    connectViews();
}

QHBoxLayout* StnWorkspace::createControls()
{
    auto* bar = new QHBoxLayout;
    model_ = new QComboBox(this);
    model_->setObjectName("stnModel");
    fillModelPicker(model_, kinds::kStn);
    model_->setCurrentIndex(std::max(0, model_->findData(QStringLiteral("fmnist-stn-rts"))));  // the demo: rotated, translated, scaled
    model_->setToolTip(tr("ST-CNN trained on rotated (R), rotated–translated–scaled (RTS) or cluttered Fashion-MNIST"));
    picker_ = new TestItemPicker(tr("test #"), 10000, tr("A Fashion-MNIST test image, distorted as the model's fixed test set distorts it"), this);
    picker_->setObjectName("testItem");
    auto* open = new QPushButton(tr("Open image…"), this);
    open->setToolTip(tr("Any image: the whole scene at the model's canvas size"));
    gridLines_ = new QSpinBox(this);
    gridLines_->setRange(0, 28);
    gridLines_->setValue(8);
    gridLines_->setPrefix(tr("grid "));
    gridLines_->setToolTip(tr("Sampling-grid lines drawn per direction"));
    bilinear_ = new QCheckBox(tr("Bilinear"), this);
    bilinear_->setChecked(true);
    bilinear_->setToolTip(tr("Bilinear sampling (Jaderberg et al. eq. 5) is what makes the sampler differentiable in θ; "
                             "nearest-neighbour sampling gives θ no gradient"));
    manual_ = new QCheckBox(tr("Manual θ"), this);
    manual_->setToolTip(tr("θ set by hand: drag the frame's corners, centre or red rotation handle (a drag ticks this); "
                          "untick to go back to the network's θ"));
    auto* reset = new QPushButton(tr("Reset θ"), this);
    reset->setToolTip(tr("Back to the network's θ"));
    auto* anim = new QPushButton(tr("Animate"), this);
    anim->setToolTip(tr("Move from the identity to θ, interpolating rotation, scale, shear and translation"));
    for (QWidget* w : std::initializer_list<QWidget*>{new QLabel(tr("Model:"), this), model_, picker_, open, gridLines_, bilinear_,
                                                      manual_, reset, anim})
        bar->addWidget(w);
    bar->addStretch(1);

    connect(open, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open image"), {}, tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;All files (*)"));
        if (!p.isEmpty()) openFile(p);
    });
    connect(reset, &QPushButton::clicked, this, &StnWorkspace::resetTheta);
    connect(anim, &QPushButton::clicked, this, &StnWorkspace::animate);
    return bar;
}

QHBoxLayout* StnWorkspace::createDistortionBar()
{
    auto* dist = new QHBoxLayout;
    auto slider = [&](int lo, int hi, int v, const QString& tip) {
        auto* s = new QSlider(Qt::Horizontal, this);
        s->setRange(lo, hi);
        s->setValue(v);
        s->setToolTip(tip);
        s->setMinimumWidth(90);
        return s;
    };
    rotation_ = slider(-180, 180, 0, tr("Rotate the item (degrees)"));
    scale_ = slider(40, 160, 100, tr("Scale the item (%)"));
    dx_ = slider(-20, 20, 0, tr("Shift right (canvas pixels)"));
    dy_ = slider(-20, 20, 0, tr("Shift down (canvas pixels)"));
    auto* randomDist = randomDistortion_ = new QPushButton(tr("Random distortion"), this);
    distortionText_ = new QLabel(this);
    dist->addWidget(new QLabel(tr("Distort:"), this));
    for (auto [label, s] : {std::pair{tr("rotate"), rotation_}, std::pair{tr("scale"), scale_}, std::pair{tr("x"), dx_}, std::pair{tr("y"), dy_}}) {
        dist->addWidget(new QLabel(label, this));
        dist->addWidget(s);
    }
    dist->addWidget(randomDist);
    dist->addWidget(distortionText_, 1);

    connect(randomDist, &QPushButton::clicked, this, [this] {
        auto* g = QRandomGenerator::global();
        setDistortion(g->bounded(-90, 91), g->bounded(70, 121) / 100.0, g->bounded(-8, 9), g->bounded(-8, 9));
    });
    return dist;
}

QHBoxLayout* StnWorkspace::createBody()
{
    auto* body = new QHBoxLayout;
    view_ = new StnView(this);
    body->addWidget(view_, 3);
    auto* side = new QGroupBox(tr("θ and prediction"), this);
    auto* sl = new QVBoxLayout(side);
    sourceText_ = new QLabel(side);
    sourceText_->setWordWrap(true);
    thetaText_ = new QLabel(side);
    thetaText_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont mono(QStringLiteral("DejaVu Sans Mono"));
    thetaText_->setFont(mono);
    partsText_ = new QLabel(side);
    partsText_->setWordWrap(true);
    predictionText_ = new QLabel(side);
    predictionText_->setWordWrap(true);
    for (QWidget* w : std::initializer_list<QWidget*>{sourceText_, thetaText_, partsText_, predictionText_}) sl->addWidget(w);
    sl->addStretch(1);
    side->setMinimumWidth(260);
    body->addWidget(side, 1);

    return body;
}

void StnWorkspace::createAnimation()
{
    animation_ = new QVariantAnimation(this);
    animation_->setStartValue(0.0);
    animation_->setEndValue(1.0);
    animation_->setDuration(1500);
    connect(animation_, &QVariantAnimation::valueChanged, this, [this](const QVariant& v) {
        const double s = v.toDouble();
        const ThetaParts a = decomposeTheta(kIdentityTheta), b = decomposeTheta(animTarget_);
        ThetaParts m;
        m.rotation = a.rotation + s * (b.rotation - a.rotation);
        m.scaleX = a.scaleX + s * (b.scaleX - a.scaleX);
        m.scaleY = a.scaleY + s * (b.scaleY - a.scaleY);
        m.shear = a.shear + s * (b.shear - a.shear);
        m.tx = s * b.tx;
        m.ty = s * b.ty;
        const Theta t = composeTheta(m);
        view_->setTheta(t);
        showTheta(t);
    });
}

void StnWorkspace::connectViews()
{
    connect(addCommand(tr("&Random test image"), QKeySequence(Qt::CTRL | Qt::Key_R), tr("A random test image, distorted")),
            &QAction::triggered, picker_->randomButton(), &QPushButton::click);
    connect(addCommand(tr("Random &distortion"), QKeySequence(Qt::CTRL | Qt::Key_D), tr("Distort the item at random")),
            &QAction::triggered, randomDistortion_, &QPushButton::click);
    connect(addCommand(tr("&Reset θ"), QKeySequence(Qt::CTRL | Qt::Key_0), tr("Back to the network's θ")), &QAction::triggered,
            this, &StnWorkspace::resetTheta);
    connect(addCommand(tr("&Animate"), QKeySequence(Qt::CTRL | Qt::Key_Space), tr("From the identity to θ")),
            &QAction::triggered, this, &StnWorkspace::animate);
    connect(model_, &QComboBox::currentTextChanged, this, [this] { request(); });
    connect(picker_, &TestItemPicker::itemPicked, this, &StnWorkspace::showTestImage);
    connect(gridLines_, &QSpinBox::valueChanged, view_, &StnView::setGridLines);
    connect(bilinear_, &QCheckBox::toggled, this, &StnWorkspace::setBilinear);
    connect(manual_, &QCheckBox::toggled, this, &StnWorkspace::setManual);
    for (QSlider* s : {rotation_, scale_, dx_, dy_}) connect(s, &QSlider::valueChanged, this, &StnWorkspace::sliderMoved);
    // The frame can always be dragged; a drag switches to manual θ (said in the checkbox).
    view_->setEditable(true);
    connect(view_, &StnView::thetaEdited, this, [this](const Theta& t) {
        if (!manual_->isChecked()) {
            manual_->blockSignals(true);
            manual_->setChecked(true);
            manual_->blockSignals(false);
            emit logMessage(tr("Dragging the frame switched to manual θ (untick Manual θ to go back to the network's)"));
        }
        showTheta(t);
        request();  // the prediction for the hand-made θ (the warp itself is already on screen)
    });
}

void StnWorkspace::showTestImage(int index)
{
    testIndex_ = index;
    path_.clear();
    userDistortion_ = false;
    request();
}

bool StnWorkspace::openFile(const QString& path)
{
    path_ = path;
    userDistortion_ = false;
    request();
    return true;
}

bool StnWorkspace::setModel(const QString& name)
{
    const int i = model_->findText(name);
    if (i < 0) return false;
    model_->setCurrentIndex(i);
    return true;
}

void StnWorkspace::setManual(bool manual)
{
    if (manual_->isChecked() != manual) return manual_->setChecked(manual);
    if (!manual) resetTheta();
}

void StnWorkspace::setBilinear(bool bilinear)
{
    if (bilinear_->isChecked() != bilinear) return bilinear_->setChecked(bilinear);
    view_->setBilinear(bilinear);
    request();
}

void StnWorkspace::setDistortion(double rotation, double scale, double dx, double dy)
{
    updatingSliders_ = true;
    rotation_->setValue(int(std::lround(rotation)));
    scale_->setValue(int(std::lround(scale * 100)));
    dx_->setValue(int(std::lround(dx)));
    dy_->setValue(int(std::lround(dy)));
    updatingSliders_ = false;
    sliderMoved();
}

void StnWorkspace::sliderMoved()
{
    if (updatingSliders_) return;
    userDistortion_ = true;
    distortionText_->setText(tr("%1°, ×%2, (%3, %4) px").arg(rotation_->value()).arg(scale_->value() / 100.0, 0, 'f', 2).arg(dx_->value()).arg(dy_->value()));
    request();
}

void StnWorkspace::resetTheta()
{
    animation_->stop();
    view_->setTheta(networkTheta_);
    showTheta(networkTheta_);
    request();
}

void StnWorkspace::animate()
{
    animation_->stop();
    animTarget_ = manual_->isChecked() ? view_->theta() : networkTheta_;  // the θ on screen
    animation_->start();
}

void StnWorkspace::request()
{
    StnRequest r;
    r.model = model_->currentData().toString().toStdString();
    r.path = path_.toStdString();
    r.testIndex = testIndex_;
    r.userDistortion = userDistortion_;
    r.rotation = rotation_->value();
    r.scale = scale_->value() / 100.0;
    r.dx = dx_->value();
    r.dy = dy_->value();
    r.manual = manual_->isChecked();
    r.theta = view_->theta();
    r.bilinear = bilinear_->isChecked();
    runPipeline<StnResult>(
        jobs_, r, runStn,
        [this, path = path_, index = testIndex_](const StnResult& result, double) {
            shownPath_ = path;
            shownIndex_ = index;
            onResult(result);
        },
        [this](const QString& message) { showError(message); });
}

void StnWorkspace::onResult(const StnResult& r)
{
    banner_->clearMessage();
    trace_ = r.trace;
    identity_ = r.identity;
    canvas_ = r.canvas;
    showResultWarning(*trace_);
    if (shownPath_.isEmpty()) picker_->showItem(shownIndex_);
    else picker_->showFile(shownPath_);
    networkTheta_ = r.networkTheta;
    view_->setInput(*r.canvas);
    if (!manual_->isChecked()) view_->setTheta(networkTheta_);
    showTheta(view_->theta());
    sourceText_->setText(tr("<b>Input</b>: %1 (%2×%2)").arg(QString::fromStdString(r.source).toHtmlEscaped()).arg(r.canvas->width));
    const bool manual = trace_->meta(schema::stn::kThetaSourceMeta) == "manual";
    predictionText_->setText(tr("<b>Before</b> (θ = identity): %1<br><b>After</b> (%2 θ): %3")
                                 .arg(prediction(*identity_), manual ? tr("your") : tr("the network's"), prediction(*trace_)));
    view_->setCaptions(tr("input %1×%1 with the sampling frame").arg(r.canvas->width), tr("warped 28×28 (classifier input)"));
    emit resultShown();
    emit traceShown();
}

void StnWorkspace::showTheta(const Theta& t)
{
    thetaText_->setText(QStringLiteral("θ = ⎡%1 %2 %3⎤\n    ⎣%4 %5 %6⎦")
                            .arg(t[0], 7, 'f', 3)
                            .arg(t[1], 7, 'f', 3)
                            .arg(t[2], 7, 'f', 3)
                            .arg(t[3], 7, 'f', 3)
                            .arg(t[4], 7, 'f', 3)
                            .arg(t[5], 7, 'f', 3));
    const ThetaParts p = decomposeTheta(t);
    partsText_->setText(tr("rotation %1°<br>scale x %2, y %3 (the frame's size relative to the input; &lt; 1 zooms in)<br>"
                           "shear %4<br>translation (%5, %6) of the half-width")
                            .arg(p.rotation, 0, 'f', 1)
                            .arg(p.scaleX, 0, 'f', 3)
                            .arg(p.scaleY, 0, 'f', 3)
                            .arg(p.shear, 0, 'f', 3)
                            .arg(p.tx, 0, 'f', 3)
                            .arg(p.ty, 0, 'f', 3));
}

bool StnWorkspace::hasInput() const { return trace_ || jobs_->running(); }

void StnWorkspace::showDefault() { showTestImage(0); }

bool StnWorkspace::manual() const { return manual_->isChecked(); }

QList<ShortcutInfo> StnWorkspace::viewKeys() const
{
    return {{tr("Drag a corner"), tr("Manual θ: move that corner of the sampling frame")},
            {tr("Drag the centre"), tr("Manual θ: move the frame")},
            {tr("Drag the red handle"), tr("Manual θ: rotate the frame")}};
}

BuiltFigure StnWorkspace::currentFigure()
{
    if (!trace_ || !identity_ || !canvas_) return BuiltFigure::none(tr("Nothing to export yet."));
    StnFigureOptions o;
    o.gridLines = gridLines_->value();
    o.bilinear = bilinear_->isChecked();
    o.colorMap = view_->colorMap();
    // The θ on screen: the network's, or the one dragged by hand.
    AttentionTrace shown = *trace_;
    for (TraceTensor& t : shown.tensors)
        if (t.name == schema::stn::kTheta && t.values.size() == 6)
            for (size_t k = 0; k < 6; ++k) t.values[k] = float(view_->theta()[k]);
    return buildStnFigure(shown, *identity_, *canvas_, o);
}

ViewData StnWorkspace::currentData() const
{
    if (!trace_) return ViewData::none(tr("Nothing to export yet."));
    const Theta& t = view_->theta();
    ViewData d;
    d.table = {tr("θ"), {QStringLiteral("x_s"), QStringLiteral("y_s")}, {QStringLiteral("x_t"), QStringLiteral("y_t"), QStringLiteral("1")},
               {float(t[0]), float(t[1]), float(t[2]), float(t[3]), float(t[4]), float(t[5])}, {2, 3}};
    d.fileName = QStringLiteral("theta.csv");
    d.description = tr("θ on screen as a 2 × 3 matrix (rows x_s, y_s; columns x_t, y_t, 1)");
    return d;
}

void StnWorkspace::setColorMap(const QString& name) { view_->setColorMap(name); }

WorkspaceSection StnWorkspace::saveState() const
{
    WorkspaceSection s;
    QJsonArray theta;
    for (double v : view_->theta()) theta.append(v);
    QJsonObject input = path_.isEmpty() ? QJsonObject{{"test_index", testIndex_}} : QJsonObject{{"file", path_}};
    s.state = QJsonObject{{"model", model_->currentData().toString()},
                          {"input", input},
                          {"distortion", userDistortion_ ? QJsonObject{{"rotation", rotation_->value()},
                                                                       {"scale", scale_->value() / 100.0},
                                                                       {"dx", dx_->value()},
                                                                       {"dy", dy_->value()}}
                                                         : QJsonObject{}},
                          {"manual", manual_->isChecked()},
                          {"theta", theta},
                          {"bilinear", bilinear_->isChecked()},
                          {"grid_lines", gridLines_->value()}};
    return s;
}

bool StnWorkspace::restoreState(const WorkspaceSection& section, QString* error)
{
    const QJsonObject& o = section.state;
    if (model_->findText(o["model"].toString()) < 0) {
        if (error) *error = tr("spatial-transformer workspace: unknown model '%1'").arg(o["model"].toString());
        return false;
    }
    const QJsonArray t = o["theta"].toArray();
    Theta theta = kIdentityTheta;
    if (t.size() == 6)
        for (int k = 0; k < 6; ++k) theta[size_t(k)] = t[k].toDouble();
    model_->blockSignals(true);
    model_->setCurrentText(o["model"].toString());
    model_->blockSignals(false);
    bilinear_->blockSignals(true);
    bilinear_->setChecked(o["bilinear"].toBool(true));
    bilinear_->blockSignals(false);
    view_->setBilinear(bilinear_->isChecked());
    gridLines_->setValue(o["grid_lines"].toInt(8));
    const QJsonObject in = o["input"].toObject();
    path_ = in["file"].toString();
    testIndex_ = in["test_index"].toInt();
    const QJsonObject d = o["distortion"].toObject();
    updatingSliders_ = true;
    rotation_->setValue(d["rotation"].toInt());
    scale_->setValue(int(std::lround(d["scale"].toDouble(1.0) * 100)));
    dx_->setValue(d["dx"].toInt());
    dy_->setValue(d["dy"].toInt());
    updatingSliders_ = false;
    userDistortion_ = !d.isEmpty();
    manual_->blockSignals(true);
    manual_->setChecked(o["manual"].toBool());
    manual_->blockSignals(false);
    if (manual_->isChecked()) {
        view_->setTheta(theta);
        showTheta(theta);
    }
    request();
    return true;
}

} // namespace attnscope::ui
