#include "workers/backgroundjob.h"

namespace attnscope::ui {

BackgroundJob::BackgroundJob(QObject* parent) : QObject(parent) {}

BackgroundJob::~BackgroundJob() { stop(); }

void BackgroundJob::stop()
{
    cancel();
    if (thread_) thread_->wait();
}

bool BackgroundJob::running() const { return thread_ && thread_->isRunning(); }

void BackgroundJob::cancel() { ++job_; }

void BackgroundJob::launch(const QString& threadName, Work work)
{
    cancel();
    if (thread_) {
        thread_->wait();  // the previous job stops at its next progress check
        delete thread_;
        thread_ = nullptr;
    }
    const quint64 job = ++job_;
    thread_ = QThread::create([this, job, work = std::move(work)] {
        const std::function<bool()> live = [this, job] { return job_.load() == job; };
        int lastReported = -1;
        const ProgressFn report = [&](int64_t done, int64_t total) {
            if (!live()) return false;
            if (int(done) != lastReported) {
                lastReported = int(done);
                emit progress(int(done), int(total));
            }
            return true;
        };
        work(live, report);
    });
    thread_->setObjectName(threadName);
    thread_->start(QThread::LowPriority);
}

} // namespace attnscope::ui
