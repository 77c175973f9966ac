#include "jobs/jobtracker.h"

#include <QCoreApplication>
#include <QThread>
#include <QThreadPool>

namespace attnscope::ui {

namespace {
/// The two lanes of the one job pool. Interactive: requests the user waits for (a translation,
/// a classification, a frame); background: long work with progress (scoring a split, class
/// profiles, decode-ahead, whole-video analysis, saving). Created on first use, never freed
/// before exit (jobs may still hold them when windows close).
void waitForLanes();

QThreadPool& lanePool(JobLane lane)
{
    // Jobs still running when the application object goes (their trackers are gone, so they
    // stop at their next step) are waited for before static destruction begins.
    static const bool routine = [] {
        qAddPostRoutine(waitForLanes);
        return true;
    }();
    Q_UNUSED(routine);
    static QThreadPool* interactive = [] {
        auto* p = new QThreadPool;
        p->setObjectName("interactive jobs");
        p->setMaxThreadCount(2);
        p->setExpiryTimeout(-1);  // long-lived engine threads
        return p;
    }();
    static QThreadPool* background = [] {
        auto* p = new QThreadPool;
        p->setObjectName("background jobs");
        p->setMaxThreadCount(2);
        return p;
    }();
    return lane == JobLane::Interactive ? *interactive : *background;
}

void waitForLanes()
{
    lanePool(JobLane::Interactive).waitForDone(20000);
    lanePool(JobLane::Background).waitForDone(20000);
}

/// Runs `f` on the GUI thread (the application object's thread), if there still is one.
void toGui(std::function<void()> f)
{
    if (QCoreApplication* app = QCoreApplication::instance()) QMetaObject::invokeMethod(app, std::move(f), Qt::QueuedConnection);
}
} // namespace

ProgressFn JobContext::progress() const
{
    auto state = state_;
    const quint64 generation = generation_;
    auto last = std::make_shared<std::atomic<int>>(-1);
    return [state, generation, last](int64_t done, int64_t total) {
        if (state->current.load() != generation) return false;
        const int permille = total > 0 ? int(1000 * std::clamp<int64_t>(done, 0, total) / total) : 0;
        if (last->exchange(permille) != permille) {
            toGui([state, generation, done, total] {
                if (state->tracker && state->current.load() == generation) emit state->tracker->progress(int(done), int(total));
            });
        }
        return true;
    };
}

void JobContext::post(std::function<void()> f) const
{
    auto state = state_;
    const quint64 generation = generation_;
    toGui([state, generation, f = std::move(f)] {
        if (state->owner && state->tracker && state->current.load() == generation) f();
    });
}

JobTracker::JobTracker(QObject* owner, JobLane lane) : QObject(owner), state_(std::make_shared<JobState>()), lane_(lane)
{
    state_->owner = owner;
    state_->tracker = this;
}

JobTracker::~JobTracker() { state_->current.store(~quint64(0)); }

quint64 JobTracker::begin()
{
    const quint64 generation = ++next_;
    state_->current.store(generation);
    setRunning(true);
    return generation;
}

void JobTracker::submit(std::function<void()> body)
{
    lanePool(lane_).start(std::move(body), lane_ == JobLane::Interactive ? 1 : 0);
}

void JobTracker::cancel()
{
    state_->current.store(++next_);  // no job has this generation
    setRunning(false);
}

void JobTracker::setRunning(bool running)
{
    if (running_ == running) return;
    running_ = running;
    emit runningChanged(running);
}

void JobTracker::markFinished(const std::shared_ptr<JobState>& state, quint64 generation)
{
    if (state->tracker && state->current.load() == generation) state->tracker->setRunning(false);
}

void JobTracker::failed(const std::shared_ptr<JobState>& state, quint64 generation, const std::string& what)
{
    toGui([state, generation, message = QString::fromStdString(what)] {
        if (!state->tracker || state->current.load() != generation) return;
        state->tracker->setRunning(false);
        emit state->tracker->crashed(message);
    });
}

void JobTracker::waitForAll(int msecs)
{
    lanePool(JobLane::Interactive).waitForDone(msecs);
    lanePool(JobLane::Background).waitForDone(msecs);
}

} // namespace attnscope::ui
