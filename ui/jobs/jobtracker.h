#pragma once
// JobTracker: latest-wins background work for one consumer, after KDAB hotspot's JobTracker.
// Each start() bumps a generation counter; the job gets a JobContext whose cancelled() turns
// true as soon as a newer job starts (or the tracker is reset or destroyed), and whose
// progress() is an engine ProgressFn that stops engine calls at their next step. The result is
// posted back to the GUI thread with a queued call and handed to `done` only while its job is
// still the latest and the tracker's owner (a QPointer) still exists. Jobs run on the shared
// JobPool: interactive requests on one lane, long work (scoring, profiles, decode-ahead,
// saving) on another, so neither waits for the other.
#include "attnscope/status.h"

#include <QObject>
#include <QPointer>

#include <atomic>
#include <functional>
#include <memory>
#include <type_traits>

namespace attnscope::ui {

enum class JobLane { Interactive, Background };

class JobTracker;

/// Shared between a tracker and its jobs; outlives the tracker while jobs run.
struct JobState {
    std::atomic<quint64> current{0};  ///< generation of the latest job; ~0 once the tracker is gone
    QPointer<QObject> owner;          ///< read on the GUI thread only
    QPointer<JobTracker> tracker;     ///< read on the GUI thread only
};

/// What a running job sees of its tracker.
class JobContext {
public:
    JobContext(std::shared_ptr<JobState> state, quint64 generation) : state_(std::move(state)), generation_(generation) {}
    /// True once a newer job started, or the tracker was reset or destroyed.
    bool cancelled() const { return state_->current.load() != generation_; }
    /// An engine progress callback: reports (done, total) to the tracker's progress signal
    /// (queued, at most once per percent) and returns false once the job is cancelled.
    ProgressFn progress() const;
    /// Runs `f` on the GUI thread if this job is still the latest then (partial results).
    void post(std::function<void()> f) const;
    quint64 generation() const { return generation_; }

private:
    std::shared_ptr<JobState> state_;
    quint64 generation_;
};

class JobTracker : public QObject {
    Q_OBJECT
public:
    /// `owner`: results are delivered only while it exists (usually the workspace).
    explicit JobTracker(QObject* owner, JobLane lane = JobLane::Interactive);
    ~JobTracker() override;

    /// Runs `job(const JobContext&) → Result` on the pool; `done(Result)` follows on the GUI
    /// thread if no newer job was started meanwhile. A job superseded before it starts never
    /// runs.
    template <typename Job, typename Done> quint64 start(Job job, Done done)
    {
        using Result = std::decay_t<std::invoke_result_t<Job, const JobContext&>>;
        const quint64 generation = begin();
        auto state = state_;
        auto body = [state, generation, job = std::move(job), done = std::move(done)]() mutable {
            JobContext context(state, generation);
            if (context.cancelled()) return;  // superseded before it started
            std::shared_ptr<Result> result;
            try {
                result = std::make_shared<Result>(job(context));
            } catch (const std::exception& e) {
                return failed(state, generation, e.what());
            }
            context.post([state, generation, result, done = std::move(done)]() mutable {
                markFinished(state, generation);
                done(std::move(*result));
            });
        };
        submit(std::function<void()>(std::move(body)));
        return generation;
    }

    /// Drops the running job's result (its context reports cancelled).
    void cancel();
    /// True from start() until the latest job's result is delivered or it is cancelled.
    bool running() const { return running_; }
    quint64 generation() const { return state_->current.load(); }

    /// Waits until every job of both lanes has ended (application exit, tests).
    static void waitForAll(int msecs = 30000);

signals:
    void progress(int done, int total);
    void runningChanged(bool running);
    /// A job ended with an exception instead of a result (a bug: engine calls return a Status).
    void crashed(const QString& message);

private:
    friend class JobContext;
    quint64 begin();
    void submit(std::function<void()> body);
    void setRunning(bool running);
    static void markFinished(const std::shared_ptr<JobState>& state, quint64 generation);
    /// A job that threw: the tracker stops running and says so in its `crashed` signal.
    static void failed(const std::shared_ptr<JobState>& state, quint64 generation, const std::string& what);

    std::shared_ptr<JobState> state_;
    JobLane lane_;
    quint64 next_ = 0;
    bool running_ = false;
};

} // namespace attnscope::ui
