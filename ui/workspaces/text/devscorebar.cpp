#include "workspaces/text/devscorebar.h"

#include "attnscope/scriptmodel.h"

#include <QFileInfo>

#include "attnscope/corpus.h"
#include "jobs/jobtracker.h"
#include "settings.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

#include <cmath>

namespace attnscope::ui {

namespace {
QString percent(double x) { return QString::number(100.0 * x, 'f', 1) + "%"; }
} // namespace

DevScoreBar::DevScoreBar(QWidget* parent) : QWidget(parent)
{
    jobs_ = new JobTracker(this, JobLane::Background);
    button_ = new QPushButton(tr("Score heads on the &dev split"), this);
    button_->setObjectName("devScoreButton");
    button_->setToolTip(tr("Forced-decode every dev verse with this model and fill the table's \"AER (dev split)\" column "
                           "(runs in the background; starts by itself the first time the Heads tab opens)"));
    progress_ = new QProgressBar(this);
    progress_->setObjectName("devProgress");
    progress_->setFormat(tr("dev verse %v of %m"));
    progress_->setVisible(false);
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setToolTip(tr("Stop scoring the dev split"));
    cancel_->setVisible(false);
    status_ = new QLabel(this);
    status_->setObjectName("devStatus");
    status_->setWordWrap(true);
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(button_);
    row->addWidget(progress_, 1);
    row->addWidget(cancel_);
    row->addWidget(status_, 2);

    connect(button_, &QPushButton::clicked, this, [this] { score(model_); });
    connect(cancel_, &QPushButton::clicked, this, [this] {
        jobs_->cancel();
        idle();
        status_->setText(tr("Dev-split scoring cancelled."));
    });
    connect(jobs_, &JobTracker::progress, this, [this](int done, int total) {
        progress_->setRange(0, total);
        progress_->setValue(done);
    });
}

bool DevScoreBar::running() const { return jobs_->running(); }

void DevScoreBar::idle()
{
    progress_->setVisible(false);
    cancel_->setVisible(false);
    button_->setEnabled(true);
}

void DevScoreBar::score(const QString& model, int limit)
{
    if (limit <= 0) limit = settings::get(settings::DevScoreLimit);
    if (!scorable(model)) {
        status_->setText(tr("Dev-split scores need a translator: a built-in one or an encoder–decoder user model."));
        return;
    }
    button_->setEnabled(false);
    progress_->setRange(0, 0);  // busy until the verses are read
    progress_->setVisible(true);
    cancel_->setVisible(true);
    status_->setText(tr("Scoring the heads of %1 on the dev split (links by %2)…")
                         .arg(model, QString::fromStdString(describeLinks(links_))));
    scoring_ = key(model);
    struct Out {
        Status status;
        std::shared_ptr<const HeadTableResult> table;
    };
    jobs_->start(
        [name = model.toStdString(), limit, links = links_](const JobContext& job) {
            Out out;
            std::unique_ptr<VerseDecoder> t;
            Corpus corpus;
            const ProgressFn progress = job.progress();
            out.status = loadVerseDecoder(name, t);
            if (out.status) out.status = loadBibleCorpus(corpus, {Split::Dev}, [&](int64_t, int64_t) { return !job.cancelled(); });
            if (!out.status) return out;
            auto verses = corpus.split(Split::Dev);
            if (limit > 0 && int(verses.size()) > limit) verses.resize(size_t(limit));
            auto result = std::make_shared<HeadTableResult>();
            out.status = headTable(*t, verses, *result, progress, links);
            out.table = result;
            return out;
        },
        [this, model, key = key(model)](Out out) {
            idle();
            if (!out.status) {
                status_->setText(tr("Could not score %1 on the dev split: %2").arg(model, QString::fromStdString(out.status.message)));
                emit failed(QString::fromStdString(out.status.message));
                return;
            }
            tables_[key] = out.table;
            show(model_, kind_);
            emit scored(model, out.table->verses);
        });
}

bool DevScoreBar::scorable(const QString& model)
{
    if (findModel(model.toStdString())) return true;
    if (!onnxPairFolder(model.toStdString()).empty()) return true;  // an ONNX encoder–decoder export
    if (!QFileInfo(model).isFile() || sidecarPath(model.toStdString()).empty()) return false;
    ScriptModelSpec spec;
    return parseSidecar(sidecarPath(model.toStdString()), spec).ok && spec.seq2seq;
}

QString DevScoreBar::key(const QString& model) const
{
    return model + QStringLiteral(" · ") + QString::fromStdString(describeLinks(links_));
}

void DevScoreBar::setLinkOptions(const LinkOptions& links)
{
    links_ = links;
    show(model_, kind_);
}

void DevScoreBar::scoreIfNew(const QString& model)
{
    if (!scorable(model) || tables_.count(key(model)) || (jobs_->running() && scoring_ == key(model))) return;
    score(model);
}

void DevScoreBar::show(const QString& model, const QString& kind)
{
    model_ = model;
    kind_ = kind;
    const auto it = tables_.find(key(model));
    if (it == tables_.end()) {
        if (!jobs_->running()) status_->clear();
        emit devAer(0, 0, {});
        return;
    }
    const HeadTableAccumulator* acc = it->second->find(kind.toStdString());
    if (!acc) {
        emit devAer(0, 0, {});
        status_->setText(tr("No dev-split scores for %1.").arg(kind));
        return;
    }
    std::vector<double> aer;
    double best = 2;
    int bestIndex = -1;
    for (int l = 0; l < acc->layers(); ++l)
        for (int h = 0; h < acc->heads(); ++h) {
            const HeadSummary s = acc->mean(l, h);
            aer.push_back(s.scored ? s.score.aer() : std::nan(""));
            if (s.scored && s.score.aer() < best) {
                best = s.score.aer();
                bestIndex = int(aer.size()) - 1;
            }
        }
    emit devAer(acc->layers(), acc->heads(), aer);
    if (bestIndex < 0) {
        status_->setText(tr("Dev split, %1 verses: this attention has no gold alignment to score.").arg(it->second->verses));
        return;
    }
    status_->setText(tr("Dev split, %1 verses: best head layer %2 head %3, AER <b>%4</b> · diagonal baseline %5")
                         .arg(it->second->verses)
                         .arg(bestIndex / acc->heads() + 1)
                         .arg(bestIndex % acc->heads() + 1)
                         .arg(percent(best), percent(it->second->diagonal.aer())));
}

} // namespace attnscope::ui
