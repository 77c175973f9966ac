#include "workers/headscorer.h"

#include "attnscope/corpus.h"

namespace attnscope::ui {

HeadScorer::HeadScorer(QObject* parent) : QObject(parent) { qRegisterMetaType<HeadTablePtr>(); }

HeadScorer::~HeadScorer()
{
    cancel();
    if (thread_) thread_->wait();
}

bool HeadScorer::running() const { return thread_ && thread_->isRunning(); }

void HeadScorer::cancel() { ++job_; }

void HeadScorer::start(const QString& model, int limit)
{
    cancel();
    if (thread_) {
        thread_->wait();  // the previous job stops at its next verse
        delete thread_;
        thread_ = nullptr;
    }
    const quint64 job = ++job_;
    model_ = model;
    thread_ = QThread::create([this, job, model, limit] {
        const auto live = [this, job] { return job_.load() == job; };
        Translator t;
        if (auto st = t.load(model.toStdString()); !st) {
            if (live()) emit failed(model, QString::fromStdString(st.message));
            return;
        }
        Corpus corpus;
        if (auto st = loadBibleCorpus(corpus, {Split::Dev}, [&](int64_t, int64_t) { return live(); }); !st) {
            if (live()) emit failed(model, QString::fromStdString(st.message));
            return;
        }
        auto verses = corpus.split(Split::Dev);
        if (limit > 0 && int(verses.size()) > limit) verses.resize(size_t(limit));
        auto result = std::make_shared<HeadTableResult>();
        int lastReported = -1;
        const auto st = headTable(t, verses, *result, [&](int64_t done, int64_t total) {
            if (!live()) return false;
            if (int(done) != lastReported) {
                lastReported = int(done);
                emit progress(int(done), int(total));
            }
            return true;
        });
        if (!live()) return;
        if (!st) emit failed(model, QString::fromStdString(st.message));
        else emit finished(model, result);
    });
    thread_->setObjectName(QStringLiteral("head scorer"));
    thread_->start(QThread::LowPriority);
}

} // namespace attnscope::ui
