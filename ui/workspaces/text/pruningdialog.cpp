#include "workspaces/text/pruningdialog.h"

#include "attnscope/corpus.h"
#include "attnscope/savefile.h"
#include "attnscope/translator.h"
#include "jobs/jobtracker.h"
#include "settings.h"
#include "views/backgroundrow.h"
#include "workspaces/text/devscorebar.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <qcustomplot.h>

namespace attnscope::ui {

PruningDialog::PruningDialog(const QString& model, QWidget* parent) : QDialog(parent), model_(model)
{
    setWindowTitle(tr("Pruning curves · %1").arg(model));
    setObjectName("pruningDialog");
    method_ = new QComboBox(this);
    method_->setObjectName("pruningMethod");
    method_->addItem(tr("least important first by gradient"), "gradient");
    method_->addItem(tr("least important first by ablation"), "ablation");
    method_->setToolTip(tr("How the heads are ranked before they are zeroed (Michel et al. 2019)"));
    seeds_ = new QSpinBox(this);
    seeds_->setRange(0, 10);
    seeds_->setValue(3);
    seeds_->setPrefix(tr("random orders: "));
    seeds_->setToolTip(tr("Random orders of the heads, for contrast (seeds 1, 2, …)"));
    run_ = new BackgroundRow(tr("&Measure"), tr("step"), this);
    run_->button()->setObjectName("pruningMeasure");
    run_->button()->setToolTip(tr("Rank the heads, then translate the dev verses greedily with 0, 10, …, 100 % of them zeroed"));
    plot_ = new QCustomPlot(this);
    plot_->setMinimumSize(640, 380);
    summary_ = new QLabel(tr("Measure to draw BLEU as heads are zeroed."), this);
    summary_->setObjectName("pruningSummary");
    exportButton_ = new QPushButton(tr("&Export…"), this);
    exportButton_->setEnabled(false);
    exportButton_->setToolTip(tr("The chart as PNG, SVG or PDF, or the table as CSV — the files `attnscope prune` writes"));
    auto* close = new QPushButton(tr("Close"), this);

    auto* options = new QHBoxLayout;
    options->addWidget(method_);
    options->addWidget(seeds_);
    options->addStretch(1);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(summary_, 1);
    bottom->addWidget(exportButton_);
    bottom->addWidget(close);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(options);
    layout->addWidget(run_);
    layout->addWidget(plot_, 1);
    layout->addLayout(bottom);

    connect(run_->button(), &QPushButton::clicked, this, [this] { measure(); });
    connect(close, &QPushButton::clicked, this, &QDialog::close);
    connect(run_, &BackgroundRow::cancelled, this, [this] { run_->status()->setText(tr("Cancelled.")); });
    connect(exportButton_, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export pruning curves"), tr("pruning-%1.png").arg(model_),
                                                          tr("PNG (*.png);;SVG (*.svg);;PDF (*.pdf);;CSV (*.csv)"));
        if (path.isEmpty()) return;
        QString error;
        run_->status()->setText(exportTo(path, &error) ? tr("Wrote %1").arg(path) : tr("Could not write %1: %2").arg(path, error));
    });
}

void PruningDialog::setMethod(const QString& method)
{
    const int i = method_->findData(method);
    if (i >= 0) method_->setCurrentIndex(i);
}

void PruningDialog::setSeeds(int seeds) { seeds_->setValue(seeds); }

void PruningDialog::measure(int limit)
{
    if (limit <= 0) limit = settings::get(settings::DevScoreLimit);
    run_->busy(tr("Ranking the heads of %1, then translating the dev verses at each step…").arg(model_));
    const bool ablation = method_->currentData().toString() == "ablation";
    struct Out {
        Status status;
        std::vector<PruningCurve> curves;
        size_t verses = 0, heads = 0;
    };
    run_->jobs()->start(
        [name = model_.toStdString(), limit, ablation, seeds = seeds_->value()](const JobContext& job) {
            Out out;
            std::unique_ptr<VerseDecoder> t;
            Corpus corpus;
            std::vector<const Verse*> verses;
            if (out.status = loadModelAndDev(name, limit, job, t, corpus, verses); !out.status) return out;
            const ImportanceMethod method = ablation ? ImportanceMethod::Ablation : ImportanceMethod::Gradient;
            std::vector<HeadImportance> importance;
            if (out.status = t->headImportance(verses, method, importance, job.progress()); !out.status) return out;
            out.status = t->pruningCurves(verses, importance, method, seeds, out.curves, job.progress());
            out.verses = verses.size();
            out.heads = importance.size();
            return out;
        },
        [this, ablation](Out out) {
            run_->idle();
            if (!out.status) {
                run_->status()->setText(tr("Could not measure: %1").arg(QString::fromStdString(out.status.message)));
                return;
            }
            table_ = cli::PruningTable{};
            table_.model = model_.toStdString();
            table_.corpus = "dev split";
            table_.items = out.verses;
            table_.heads = out.heads;
            table_.ranking = ablation ? "ablation" : "gradient";
            table_.metric = "bleu";
            table_.metricLabel = "BLEU";
            if (!out.curves.empty()) {
                table_.fractions = out.curves.front().fractions;
                table_.removed = out.curves.front().removed;
            }
            for (const auto& c : out.curves) table_.curves.push_back({c.order, c.bleu});
            cli::drawPruningChart(plot_, table_);
            exportButton_->setEnabled(true);
            run_->status()->clear();
            summary_->setText(tr("%1 dev verses, %2 heads: %3 % of the heads can be zeroed within 1 BLEU point of the full "
                                 "model (%4 BLEU), least important first by %5.")
                                  .arg(out.verses)
                                  .arg(out.heads)
                                  .arg(100 * cli::prunableFraction(table_), 0, 'f', 0)
                                  .arg(table_.curves.front().second.front(), 0, 'f', 1)
                                  .arg(QString::fromStdString(table_.ranking)));
            emit measured();
        });
}

bool PruningDialog::exportTo(const QString& path, QString* error) const
{
    if (table_.curves.empty()) {
        if (error) *error = tr("nothing measured yet");
        return false;
    }
    if (path.endsWith(".csv", Qt::CaseInsensitive)) {
        const QByteArray csv = cli::pruningCsv(table_);
        if (auto st = saveFileAtomically(path.toStdString(), csv.constData(), size_t(csv.size())); !st) {
            if (error) *error = QString::fromStdString(st.message);
            return false;
        }
        return true;
    }
    return cli::writePruningChart(table_, path, error);
}

} // namespace attnscope::ui
