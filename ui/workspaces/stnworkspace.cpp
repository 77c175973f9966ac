#include "workspaces/stnworkspace.h"

#include "attnscope/translator.h"
#include "figureexport.h"
#include "views/messagebanner.h"
#include "views/stnview.h"

#include <QCheckBox>
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
        .arg(QString::fromStdString(t.meta("prediction")))
        .arg(100.0 * QString::fromStdString(t.meta("confidence")).toDouble(), 0, 'f', 1);
}
} // namespace

StnWorkspace::StnWorkspace(ImageWorker* worker, QWidget* parent) : QWidget(parent), worker_(worker)
{
    auto* outer = new QVBoxLayout(this);
    banner_ = new MessageBanner(this);
    outer->addWidget(banner_);
    auto* bar = new QHBoxLayout;
    model_ = new QComboBox(this);
    model_->setObjectName("stnModel");
    for (const char* d : {"rts", "r", "cluttered"}) model_->addItem(QStringLiteral("fmnist-stn-%1").arg(d));
    model_->setToolTip(tr("ST-CNN trained on rotated (R), rotated–translated–scaled (RTS) or cluttered Fashion-MNIST"));
    index_ = new QSpinBox(this);
    index_->setRange(0, 9999);
    index_->setPrefix(tr("test #"));
    index_->setToolTip(tr("A Fashion-MNIST test image, distorted as the model's fixed test set distorts it"));
    auto* random = new QPushButton(tr("Random"), this);
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
    manual_->setToolTip(tr("Drag the frame's corners, centre and red rotation handle to set θ yourself"));
    auto* reset = new QPushButton(tr("Reset θ"), this);
    reset->setToolTip(tr("Back to the network's θ"));
    auto* anim = new QPushButton(tr("Animate"), this);
    anim->setToolTip(tr("Move from the identity to θ, interpolating rotation, scale, shear and translation"));
    for (QWidget* w : std::initializer_list<QWidget*>{new QLabel(tr("Model:"), this), model_, index_, random, open, gridLines_, bilinear_,
                                                      manual_, reset, anim})
        bar->addWidget(w);
    bar->addStretch(1);
    outer->addLayout(bar);

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
    auto* randomDist = new QPushButton(tr("Random distortion"), this);
    distortionText_ = new QLabel(this);
    dist->addWidget(new QLabel(tr("Distort:"), this));
    for (auto [label, s] : {std::pair{tr("rotate"), rotation_}, std::pair{tr("scale"), scale_}, std::pair{tr("x"), dx_}, std::pair{tr("y"), dy_}}) {
        dist->addWidget(new QLabel(label, this));
        dist->addWidget(s);
    }
    dist->addWidget(randomDist);
    dist->addWidget(distortionText_, 1);
    outer->addLayout(dist);

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
    outer->addLayout(body, 1);

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

    connect(worker_, &ImageWorker::stnClassified, this, &StnWorkspace::onResult, Qt::QueuedConnection);
    connect(worker_, &ImageWorker::failed, this, [this](quint64 g, int slot, const QString& m) {
        if (slot != 2 || g != generation_) return;
        banner_->showMessage(MessageBanner::Level::Error, m);
        emit errorShown(m);
    }, Qt::QueuedConnection);
    connect(model_, &QComboBox::currentTextChanged, this, [this] { request(); });
    connect(index_, &QSpinBox::editingFinished, this, [this] { showTestImage(index_->value()); });
    connect(random, &QPushButton::clicked, this, [this] { showTestImage(int(QRandomGenerator::global()->bounded(10000))); });
    connect(open, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open image"), {}, tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;All files (*)"));
        if (!p.isEmpty()) openImage(p);
    });
    connect(gridLines_, &QSpinBox::valueChanged, view_, &StnView::setGridLines);
    connect(bilinear_, &QCheckBox::toggled, this, &StnWorkspace::setBilinear);
    connect(manual_, &QCheckBox::toggled, this, &StnWorkspace::setManual);
    connect(reset, &QPushButton::clicked, this, &StnWorkspace::resetTheta);
    connect(anim, &QPushButton::clicked, this, &StnWorkspace::animate);
    for (QSlider* s : {rotation_, scale_, dx_, dy_}) connect(s, &QSlider::valueChanged, this, &StnWorkspace::sliderMoved);
    connect(randomDist, &QPushButton::clicked, this, [this] {
        auto* g = QRandomGenerator::global();
        setDistortion(g->bounded(-90, 91), g->bounded(70, 121) / 100.0, g->bounded(-8, 9), g->bounded(-8, 9));
    });
    connect(view_, &StnView::thetaEdited, this, [this](const Theta& t) {
        showTheta(t);
        request();  // the prediction for the hand-made θ (the warp itself is already on screen)
    });
}

void StnWorkspace::showTestImage(int index)
{
    index_->setValue(index);
    testIndex_ = index;
    path_.clear();
    userDistortion_ = false;
    request();
}

void StnWorkspace::openImage(const QString& path)
{
    path_ = path;
    userDistortion_ = false;
    request();
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
    view_->setEditable(manual);
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
    r.generation = ++generation_;
    r.model = model_->currentText();
    r.path = path_;
    r.testIndex = testIndex_;
    r.userDistortion = userDistortion_;
    r.rotation = rotation_->value();
    r.scale = scale_->value() / 100.0;
    r.dx = dx_->value();
    r.dy = dy_->value();
    r.manual = manual_->isChecked();
    r.theta = view_->theta();
    r.bilinear = bilinear_->isChecked();
    worker_->supersede(2, r.generation);
    QMetaObject::invokeMethod(worker_, "classifyStn", Qt::QueuedConnection, Q_ARG(attnscope::ui::StnRequest, r));
}

void StnWorkspace::onResult(const StnResult& r)
{
    if (r.generation != generation_) return;
    banner_->clearMessage();
    trace_ = r.trace;
    identity_ = r.identity;
    networkTheta_ = r.networkTheta;
    view_->setInput(*r.canvas);
    if (!manual_->isChecked()) view_->setTheta(networkTheta_);
    showTheta(view_->theta());
    sourceText_->setText(tr("<b>Input</b>: %1 (%2×%2)").arg(r.source.toHtmlEscaped()).arg(r.canvas->width));
    const bool manual = trace_->meta("theta_source") == "manual";
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

bool StnWorkspace::exportCurrentView(const QString& path, int dpi, QString* error)
{
    if (!trace_) {
        if (error) *error = tr("Nothing to export yet.");
        return false;
    }
    return exportWidgetFigure(*this, size(), path, dpi, error);
}

} // namespace attnscope::ui
