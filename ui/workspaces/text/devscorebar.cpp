#include "workspaces/text/devscorebar.h"

#include "attnscope/scriptmodel.h"

#include <QFileInfo>

#include "attnscope/corpus.h"
#include "jobs/jobtracker.h"
#include "settings.h"

#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

#include <cmath>

namespace attnscope::ui {

namespace {
QString percent(double x) { return QString::number(100.0 * x, 'f', 1) + "%"; }
} // namespace

Status loadModelAndDev(const std::string& model, int limit, const JobContext& job, std::unique_ptr<VerseDecoder>& decoder,
                       Corpus& corpus, std::vector<const Verse*>& verses)
{
    if (auto st = loadVerseDecoder(model, decoder); !st) return st;
    if (auto st = loadBibleCorpus(corpus, {Split::Dev}, [&](int64_t, int64_t) { return !job.cancelled(); }); !st) return st;
    verses = corpus.split(Split::Dev);
    if (limit > 0 && int(verses.size()) > limit) verses.resize(size_t(limit));
    return Status::success();
}

DevScoreBar::DevScoreBar(QWidget* parent) : BackgroundRow(tr("Score heads on the &dev split"), tr("dev verse"), parent)
{
    button()->setObjectName("devScoreButton");
    button()->setToolTip(tr("Forced-decode every dev verse with this model and fill the table's \"AER (dev split)\" column "
                            "(runs in the background; starts by itself the first time the Heads tab opens)"));
    status()->setObjectName("devStatus");
    progressBar()->setObjectName("devProgress");
    connect(button(), &QPushButton::clicked, this, [this] { score(model_); });
    connect(this, &BackgroundRow::cancelled, this, [this] { status()->setText(tr("Dev-split scoring cancelled.")); });
}

void DevScoreBar::score(const QString& model, int limit)
{
    if (limit <= 0) limit = settings::get(settings::DevScoreLimit);
    if (!scorable(model)) {
        status()->setText(tr("Dev-split scores need a translator: a built-in one or an encoder–decoder user model."));
        return;
    }
    busy(tr("Scoring the heads of %1 on the dev split (links by %2)…").arg(model, QString::fromStdString(describeLinks(links_))));
    scoring_ = key(model);
    struct Out {
        Status status;
        std::shared_ptr<const HeadTableResult> table;
    };
    jobs()->start(
        [name = model.toStdString(), limit, links = links_](const JobContext& job) {
            Out out;
            std::unique_ptr<VerseDecoder> t;
            Corpus corpus;
            std::vector<const Verse*> verses;
            if (out.status = loadModelAndDev(name, limit, job, t, corpus, verses); !out.status) return out;
            auto result = std::make_shared<HeadTableResult>();
            out.status = headTable(*t, verses, *result, job.progress(), links);
            out.table = result;
            return out;
        },
        [this, model, key = key(model)](Out out) {
            idle();
            if (!out.status) {
                status()->setText(tr("Could not score %1 on the dev split: %2").arg(model, QString::fromStdString(out.status.message)));
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
    if (!scorable(model) || tables_.count(key(model)) || (running() && scoring_ == key(model))) return;
    score(model);
}

void DevScoreBar::show(const QString& model, const QString& kind)
{
    model_ = model;
    kind_ = kind;
    const auto it = tables_.find(key(model));
    if (it == tables_.end()) {
        if (!running()) status()->clear();
        emit devAer(0, 0, {});
        return;
    }
    const HeadTableAccumulator* acc = it->second->find(kind.toStdString());
    if (!acc) {
        emit devAer(0, 0, {});
        status()->setText(tr("No dev-split scores for %1.").arg(kind));
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
        status()->setText(tr("Dev split, %1 verses: this attention has no gold alignment to score.").arg(it->second->verses));
        return;
    }
    status()->setText(tr("Dev split, %1 verses: best head layer %2 head %3, AER <b>%4</b> · diagonal baseline %5")
                         .arg(it->second->verses)
                         .arg(bestIndex / acc->heads() + 1)
                         .arg(bestIndex % acc->heads() + 1)
                         .arg(percent(best), percent(it->second->diagonal.aer())));
}

} // namespace attnscope::ui
