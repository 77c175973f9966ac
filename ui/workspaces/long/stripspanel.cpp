#include "workspaces/long/stripspanel.h"

#include "jobs/jobtracker.h"
#include "views/colormaps.h"
#include "views/colorscale.h"
#include "views/largematrixview.h"

#include <QGridLayout>
#include <QHeaderView>
#include <QTreeWidget>

namespace attnscope::ui {

StripsPanel::StripsPanel(LargeMatrixView* view, QWidget* parent) : QWidget(parent), view_(view)
{
    rowJobs_ = new JobTracker(this, JobLane::Interactive);
    columnJobs_ = new JobTracker(this, JobLane::Interactive);
    rows_ = new AttentionStripView(this);
    columns_ = new AttentionStripView(this);
    columns_->setData(AttentionStripView::Mode::Column, -1, {}, {}, false);
    topKeys_ = new QTreeWidget(this);
    topQueries_ = new QTreeWidget(this);
    for (QTreeWidget* t : {topKeys_, topQueries_}) {
        t->setRootIsDecorated(false);
        t->setMaximumHeight(96);
        t->setMinimumWidth(260);
        t->header()->setStretchLastSection(true);
    }
    topKeys_->setHeaderLabels({tr("top key"), tr("token"), tr("weight")});
    topQueries_->setHeaderLabels({tr("top query"), tr("token"), tr("weight")});
    topKeys_->setToolTip(tr("The keys the picked query gives the most weight; click one to go to its cell"));
    topQueries_->setToolTip(tr("The queries that give the picked key the most weight; click one to go to its cell"));
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(rows_, 0, 0);
    layout->addWidget(topKeys_, 0, 1);
    layout->addWidget(columns_, 1, 0);
    layout->addWidget(topQueries_, 1, 1);
    layout->setColumnStretch(0, 1);

    connect(rows_, &AttentionStripView::positionClicked, this, &StripsPanel::keyPicked);
    connect(columns_, &AttentionStripView::positionClicked, this, &StripsPanel::queryPicked);
    connect(topKeys_, &QTreeWidget::itemClicked, this,
            [this](QTreeWidgetItem* item) { emit keyPicked(item->data(0, Qt::UserRole).toLongLong()); });
    connect(topQueries_, &QTreeWidget::itemClicked, this,
            [this](QTreeWidgetItem* item) { emit queryPicked(item->data(0, Qt::UserRole).toLongLong()); });
}

void StripsPanel::clear()
{
    rows_->clear();
    columns_->clear();
    topKeys_->clear();
    topQueries_->clear();
}

void StripsPanel::updateColors()
{
    for (AttentionStripView* s : {rows_, columns_}) s->setColorScale(view_->scale(), colorTable(view_->colorMapName()));
}

void StripsPanel::fetch(AttentionStripView::Mode mode, int64_t index, bool causal)
{
    const bool row = mode == AttentionStripView::Mode::Row;
    AttentionStripView* strip = row ? rows_ : columns_;
    QTreeWidget* top = row ? topKeys_ : topQueries_;
    const MatrixPtr m = view_->matrix();
    if (!m || index < 0) {
        strip->clear();
        top->clear();
        return;
    }
    struct Strip {
        Status status;
        std::vector<float> values;
    };
    (row ? rowJobs_ : columnJobs_)
        ->start(
            [m, index, row](const JobContext&) {
                Strip r;
                r.values.resize(size_t(row ? m->cols() : m->rows()));
                r.status = row ? m->readRow(index, r.values.data()) : m->readColumn(index, r.values.data());
                return r;
            },
            [this, mode, index, row, strip, top, causal](Strip r) {
                if (!r.status) return emit failed(QString::fromStdString(r.status.message));
                const QStringList& labels = row ? view_->columnLabels() : view_->rowLabels();
                strip->setData(mode, index, std::move(r.values), labels, causal);
                strip->setColorScale(view_->scale(), colorTable(view_->colorMapName()));
                top->clear();
                for (const auto& [position, w] : strip->topK(20)) {
                    auto* item = new QTreeWidgetItem(top, {countText(position), labels.value(int(position)), weightText(w)});
                    item->setData(0, Qt::UserRole, qlonglong(position));
                }
                if (row) emit rowShown();
                else emit columnShown();
            });
}

} // namespace attnscope::ui
