#include "workspaces/text/importancebar.h"

#include "attnscope/corpus.h"
#include "workspaces/text/devscorebar.h"
#include "attnscope/savefile.h"
#include "jobs/jobtracker.h"
#include "settings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

#include <cmath>

namespace attnscope::ui {

ImportanceBar::ImportanceBar(QWidget* parent) : BackgroundRow(tr("Head &importance"), tr("head"), parent)
{
    setObjectName("importanceBar");
    button()->setObjectName("importanceButton");
    button()->setToolTip(tr("Measure how much each head matters over the dev split (Michel et al. 2019, \"Are Sixteen Heads "
                            "Really Better than One?\"), in the background; the grid then shows a bar per head and the table "
                            "an importance column"));
    status()->setObjectName("importanceStatus");
    progressBar()->setObjectName("importanceProgress");
    method_ = new QComboBox(this);
    method_->setObjectName("importanceMethod");
    method_->addItem(tr("by gradient"), "gradient");
    method_->addItem(tr("by ablation"), "ablation");
    method_->setItemData(0, tr("|∂L/∂ξ_h| of a gate on each head, one backward pass per verse, normalised per layer (fast)"),
                         Qt::ToolTipRole);
    method_->setItemData(1, tr("Δ log-likelihood of the references with the head alone zeroed: one pass over the verses per head"),
                         Qt::ToolTipRole);
    sort_ = new QCheckBox(tr("Sort"), this);
    sort_->setObjectName("importanceSort");
    sort_->setToolTip(tr("Order each layer's heads in the grid by importance, most important first"));
    auto* exportButton = new QPushButton(tr("Export…"), this);
    exportButton->setObjectName("importanceExport");
    exportButton->setToolTip(tr("Save the importance table as CSV (kind, layer, head, value), as `attnscope heads --importance` writes it"));
    row()->insertWidget(1, method_);
    row()->insertWidget(2, sort_);
    row()->insertWidget(3, exportButton);

    connect(button(), &QPushButton::clicked, this, [this] { measure(model_); });
    connect(method_, &QComboBox::currentIndexChanged, this, [this] { show(model_, kind_); });
    connect(sort_, &QCheckBox::toggled, this, &ImportanceBar::sortToggled);
    connect(this, &BackgroundRow::cancelled, this, [this] { status()->setText(tr("Head importance cancelled.")); });
    connect(exportButton, &QPushButton::clicked, this, [this] {
        if (!table()) {
            status()->setText(tr("Nothing to export yet: measure the heads' importance first."));
            return;
        }
        const QString path = QFileDialog::getSaveFileName(this, tr("Export head importance"), tr("importance-%1.csv").arg(method()),
                                                          tr("CSV (*.csv)"));
        if (path.isEmpty()) return;
        QString error;
        status()->setText(exportCsv(path, &error) ? tr("Wrote %1").arg(path) : tr("Could not write %1: %2").arg(path, error));
    });
}

QString ImportanceBar::method() const { return method_->currentData().toString(); }

void ImportanceBar::setMethod(const QString& method)
{
    const int i = method_->findData(method);
    if (i >= 0) method_->setCurrentIndex(i);
}

bool ImportanceBar::sorted() const { return sort_->isChecked(); }

QString ImportanceBar::key(const QString& model) const { return model + QStringLiteral(" · ") + method(); }

std::shared_ptr<const std::vector<HeadImportance>> ImportanceBar::table() const
{
    const auto it = tables_.find(key(model_));
    return it == tables_.end() ? nullptr : it->second;
}

void ImportanceBar::measure(const QString& model, int limit)
{
    if (limit <= 0) limit = settings::get(settings::DevScoreLimit);
    const bool ablation = method() == "ablation";  // a model without heads to measure: the job's message says so
    setUnit(ablation ? tr("head") : tr("dev verse"));
    busy(tr("Measuring the importance of every head of %1 %2 on the dev split…").arg(model, method_->currentText()));
    struct Out {
        Status status;
        std::shared_ptr<const std::vector<HeadImportance>> table;
        int verses = 0;
    };
    jobs()->start(
        [name = model.toStdString(), limit, ablation](const JobContext& job) {
            Out out;
            std::unique_ptr<VerseDecoder> t;
            Corpus corpus;
            std::vector<const Verse*> verses;
            if (out.status = loadModelAndDev(name, limit, job, t, corpus, verses); !out.status) return out;
            auto table = std::make_shared<std::vector<HeadImportance>>();
            out.status = t->headImportance(verses, ablation ? ImportanceMethod::Ablation : ImportanceMethod::Gradient,
                                           *table, job.progress());
            out.table = table;
            out.verses = int(verses.size());
            return out;
        },
        [this, model, key = key(model)](Out out) {
            idle();
            if (!out.status) {
                status()->setText(tr("Could not measure the heads of %1: %2").arg(model, QString::fromStdString(out.status.message)));
                emit failed(QString::fromStdString(out.status.message));
                return;
            }
            tables_[key] = out.table;
            verses_ = out.verses;
            show(model_, kind_);
            emit measured(model, int(out.table->size()));
        });
}

void ImportanceBar::show(const QString& model, const QString& kind)
{
    model_ = model;
    kind_ = kind;
    const auto t = table();
    const bool ablation = method() == "ablation";
    int layers = 0, heads = 0;
    if (t)
        for (const auto& h : *t)
            if (QString::fromStdString(h.kind) == kind) layers = std::max(layers, h.layer + 1), heads = std::max(heads, h.head + 1);
    if (layers == 0) {
        if (!running()) status()->setText(t ? tr("No importance for %1 (the decoder's and encoder's heads are measured).").arg(kind) : QString());
        emit importance(0, 0, {}, {}, {});
        return;
    }
    std::vector<double> values(size_t(layers * heads), std::nan(""));
    const HeadImportance* top = nullptr;
    for (const auto& h : *t) {
        if (QString::fromStdString(h.kind) != kind) continue;
        const double v = ablation ? -h.deltaLogLikelihood : h.gradient;
        values[size_t(h.layer * heads + h.head)] = v;
        if (!top || v > (ablation ? -top->deltaLogLikelihood : top->gradient)) top = &h;
    }
    const QString label = ablation ? tr("−Δ log-lik") : tr("gradient importance");
    const QString tip = ablation ? tr("How much the references' log-likelihood (nats per verse) drops when the head alone is zeroed")
                                 : tr("Michel et al. 2019: E|∂L/∂ξ_h| of a gate on the head, divided by its layer's l2 norm");
    emit importance(layers, heads, values, label, tip);
    status()->setText(tr("Dev split, %1 verses, %2: most important head of %3 is layer %4 head %5")
                          .arg(verses_)
                          .arg(method_->currentText(), kind)
                          .arg(top->layer + 1)
                          .arg(top->head + 1));
}

bool ImportanceBar::exportCsv(const QString& path, QString* error) const
{
    const auto t = table();
    if (!t) {
        if (error) *error = tr("nothing measured");
        return false;
    }
    const std::string csv = importanceCsv(*t, method() == "ablation" ? ImportanceMethod::Ablation : ImportanceMethod::Gradient);
    if (auto st = saveFileAtomically(path.toStdString(), csv); !st) {
        if (error) *error = QString::fromStdString(st.message);
        return false;
    }
    return true;
}

} // namespace attnscope::ui
