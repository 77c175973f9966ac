// How the Long attention workspace is built and wired: its views (heads, sinks, the matrix, the
// strips), what its controls do, and its commands and keys.
#include "workspaces/long/longworkspace.h"
#include "attnscope/schema.h"
#include "attnscope/kinds.h"
#include "attnscope/longattention.h"
#include "attnscope/pipelines.h"
#include "attnscope/qk.h"
#include "jobs/jobtracker.h"
#include "jobs/models.h"
#include "views/attentionstripview.h"
#include "views/colormaps.h"
#include "views/largematrixview.h"
#include "views/messagebanner.h"
#include "workspaces/long/headthumbgrid.h"
#include "workspaces/long/longcontrols.h"
#include "workspaces/long/stripspanel.h"
#include <QAction>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QDateTime>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace attnscope::ui {

QWidget* LongWorkspace::createViews()
{
    // Left: heads; centre: the matrix over the row and column strips.
    auto* split = new QSplitter(Qt::Horizontal, this);
    auto* left = new QWidget(split);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    grid_ = new HeadThumbGrid(left);
    auto* gridScroll = new QScrollArea(left);
    gridScroll->setWidget(grid_);
    gridScroll->setWidgetResizable(false);
    allHeads_ = new QPushButton(tr("Overview of every head"), left);
    allHeads_->setToolTip(tr("Traces kept as queries and keys: compute every head's overview in the background (one pass per head)"));
    sinks_ = new QLabel(left);
    sinks_->setWordWrap(true);
    sinks_->setTextFormat(Qt::RichText);
    sinks_->setObjectName("sinks");
    leftLayout->addWidget(new QLabel(tr("<b>Heads</b>"), left));
    leftLayout->addWidget(gridScroll, 2);
    leftLayout->addWidget(allHeads_);
    leftLayout->addWidget(new QLabel(tr("<b>Attention sinks</b>"), left));
    leftLayout->addWidget(sinks_, 1);
    auto* centre = new QSplitter(Qt::Vertical, split);
    view_ = new LargeMatrixView(centre);
    view_->setScale(ScaleMode::Log);
    strips_ = new StripsPanel(view_, centre);
    centre->setStretchFactor(0, 4);
    centre->setStretchFactor(1, 1);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setSizes({300, 1000});
    status_ = new QLabel(this);
    status_->setObjectName("longStatus");
    return split;
}

void LongWorkspace::connectControls()
{
    connect(controls_->open, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open long attention"), QString(),
                                                          tr("Attention (*.attn *.npy *.npz *.safetensors)"));
        if (!path.isEmpty()) openFile(path);
    });
    connect(encode_, &QPushButton::clicked, this, [this] { encodeBook(book_->currentText()); });
    connect(controls_->goTo, &QLineEdit::returnPressed, this, [this] { goToToken(controls_->goTo->text()); });
    connect(cancel_, &QPushButton::clicked, this, [this] {
        openJobs_->cancel();
        thumbJobs_->cancel();
        view_->cancelOverview();
        idle();
    });
    const auto headChanged = [this] { showHead(tensor_->currentText(), layer_->value() - 1, head_->value() - 1); };
    connect(tensor_, &QComboBox::currentTextChanged, this, [this, headChanged] {
        const TraceTensor* t = trace_ ? trace_->find(tensor_->currentText().toStdString()) : nullptr;
        if (!t) return;
        int layers, heads;
        extents(*t, layers, heads);
        for (QSpinBox* s : {layer_, head_}) s->blockSignals(true);
        layer_->setRange(1, layers);
        head_->setRange(1, heads);
        layer_->setValue(1);
        head_->setValue(1);
        for (QSpinBox* s : {layer_, head_}) s->blockSignals(false);
        std::vector<int> kv(static_cast<size_t>(heads));
        for (int h = 0; h < heads; ++h) kv[size_t(h)] = t->store ? int(t->store->kvHeadOf(h)) : h;
        grid_->setHeads(layers, heads, kv);
        grid_->resize(grid_->sizeHint());
        headChanged();
        startThumbnails(false);
    });
    connect(layer_, qOverload<int>(&QSpinBox::valueChanged), this, headChanged);
    connect(head_, qOverload<int>(&QSpinBox::valueChanged), this, headChanged);
    connect(grid_, &HeadThumbGrid::headClicked, this, [this](int l, int h) {
        for (QSpinBox* s : {layer_, head_}) s->blockSignals(true);
        layer_->setValue(l + 1);
        head_->setValue(h + 1);
        for (QSpinBox* s : {layer_, head_}) s->blockSignals(false);
        showHead(tensor_->currentText(), l, h);
    });
    const auto scaleChanged = [this] {
        const auto mode = ScaleMode(scale_->currentData().toInt());
        percentile_->setEnabled(mode == ScaleMode::Percentile);
        view_->setScale(mode, percentile_->value());
        strips_->updateColors();
    };
    connect(scale_, qOverload<int>(&QComboBox::currentIndexChanged), this, scaleChanged);
    connect(percentile_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, scaleChanged);
    connect(reduce_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { view_->setReduce(BlockReduce(reduce_->currentData().toInt())); });
    connect(sinkShare_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &LongWorkspace::updateSinks);
}

void LongWorkspace::connectViews()
{
    connect(view_, &LargeMatrixView::rowSelected, this, [this](qint64 r) { fetchRow(r); });
    connect(view_, &LargeMatrixView::columnSelected, this, [this](qint64 c) { fetchColumn(c); });
    connect(view_, &LargeMatrixView::overviewArrived, this, [this] {
        if (view_->overviewExact() && !loading_) idle();
        updateSinks();
        applyPendingView();
        updateStatus();
    });
    connect(view_, &LargeMatrixView::overviewProgress, this, [this](int done, int total) {
        // A Q/K overview pass: progress and Cancel (the sampled overview stays meanwhile).
        if (loading_) return;
        progress_->setVisible(true);
        cancel_->setVisible(true);
        progress_->setRange(0, std::max(1, total));
        progress_->setValue(done);
        activity_->setText(tr("exact overview of this head"));
    });
    connect(view_, &LargeMatrixView::loadingChanged, this, &LongWorkspace::updateStatus);
    connect(view_, &LargeMatrixView::viewChanged, this, &LongWorkspace::updateStatus);
    connect(strips_, &StripsPanel::keyPicked, this, [this](qint64 key) {
        view_->selectColumn(key);
        view_->centerOn(view_->selectedRow(), key, 1.0 / 20);
    });
    connect(strips_, &StripsPanel::queryPicked, this, [this](qint64 query) {
        view_->selectRow(query);
        view_->centerOn(query, view_->selectedColumn(), 1.0 / 20);
    });
    connect(strips_, &StripsPanel::rowShown, this, &LongWorkspace::rowShown);
    connect(strips_, &StripsPanel::columnShown, this, &LongWorkspace::columnShown);
    connect(strips_, &StripsPanel::failed, this, &LongWorkspace::showError);
    connect(allHeads_, &QPushButton::clicked, this, &LongWorkspace::computeAllHeads);
    connect(sinks_, &QLabel::linkActivated, this, [this](const QString& link) {
        const int64_t key = link.mid(4).toLongLong();
        view_->selectColumn(key);
        view_->centerOn(view_->selectedRow() >= 0 ? view_->selectedRow() : key, key);
    });
    for (JobTracker* j : {openJobs_, thumbJobs_})
        connect(j, &JobTracker::progress, this, [this](int done, int total) {
            progress_->setRange(0, std::max(1, total));
            progress_->setValue(done);
        });
}

void LongWorkspace::createCommands()
{
    connect(addCommand(tr("&Encode the book"), QKeySequence(Qt::CTRL | Qt::Key_Return),
                       tr("Run the Transformer's encoder over the chosen book as one sequence")),
            &QAction::triggered, this, [this] { encodeBook(book_->currentText()); });
    connect(addCommand(tr("Next &head"), QKeySequence(Qt::ALT | Qt::Key_Right), tr("The next head (then the next layer)")),
            &QAction::triggered, this, [this] {
                if (head_->value() < head_->maximum()) head_->setValue(head_->value() + 1);
                else if (layer_->value() < layer_->maximum()) {
                    head_->blockSignals(true);
                    head_->setValue(1);
                    head_->blockSignals(false);
                    layer_->setValue(layer_->value() + 1);
                }
            });
    connect(addCommand(tr("&Previous head"), QKeySequence(Qt::ALT | Qt::Key_Left), tr("The previous head (then the previous layer)")),
            &QAction::triggered, this, [this] {
                if (head_->value() > 1) head_->setValue(head_->value() - 1);
                else if (layer_->value() > 1) {
                    head_->blockSignals(true);
                    head_->setValue(head_->maximum());
                    head_->blockSignals(false);
                    layer_->setValue(layer_->value() - 1);
                }
            });
    connect(addCommand(tr("&Whole matrix"), QKeySequence(Qt::CTRL | Qt::Key_0), tr("Zoom out to the whole matrix")),
            &QAction::triggered, view_, &LargeMatrixView::fit);
    connect(addCommand(tr("Next colour &scale"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L), tr("Linear → log → per row → percentile")),
            &QAction::triggered, this, [this] { scale_->setCurrentIndex((scale_->currentIndex() + 1) % scale_->count()); });
}


QList<ShortcutInfo> LongWorkspace::viewKeys() const
{
    return {{tr("Wheel"), tr("Zoom the matrix at the cursor")},
            {tr("Drag"), tr("Pan the matrix")},
            {tr("Click"), tr("Pick a query row: what it looks at (strip and top keys below)")},
            {tr("Shift+click, right click"), tr("Pick a key column: who looks at it")},
            {tr("+ / −"), tr("Zoom in / out")},
            {tr("Arrows"), tr("Pan")},
            {tr("Home"), tr("The whole matrix")},
            {tr("Esc"), tr("Clear the picked row and column")}};
}


} // namespace attnscope::ui
