// The Image workspace's tabs: channels (excitation bars and feature maps), class profiles,
// CBAM spatial attention.
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
        profileJobs_->cancel();
        profileProgress_->hide();
        profileCancel_->hide();
        profileStatus_->setText(tr("Cancelled. Press Compute to start again."));
    });
    connect(again, &QPushButton::clicked, this, &ImageWorkspace::startProfiles);
    connect(profileJobs_, &JobTracker::progress, this, [this](int done, int total) {
        profileProgress_->setRange(0, total);
        profileProgress_->setValue(done);
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

} // namespace attnscope::ui
