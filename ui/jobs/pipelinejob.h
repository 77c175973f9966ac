#pragma once
// One engine pipeline (attnscope/pipelines.h) run as a latest-wins job: the common shape of
// every workspace's request — model from the shared cache, cancellable through the job, timed —
// with the result or the error handed back on the GUI thread.
#include "jobs/jobtracker.h"
#include "jobs/models.h"

#include <QElapsedTimer>
#include <QString>

namespace attnscope::ui {

/// Runs `run(sharedModels(), request, result, progress)` on `tracker`; then, on the GUI thread
/// and only if no newer job was started, `done(result, milliseconds)` — or `failed(message)` for
/// an error. "cancelled" is dropped: a newer request or a Cancel caused it.
template <typename Result, typename Request, typename Run, typename Done, typename Failed>
void runPipeline(JobTracker* tracker, Request request, Run run, Done done, Failed failed)
{
    struct Out {
        Status status;
        Result result;
        double ms = 0;
    };
    tracker->start(
        [request = std::move(request), run](const JobContext& job) {
            QElapsedTimer timer;
            timer.start();
            Out out;
            out.status = run(sharedModels(), request, out.result, job.progress());
            out.ms = double(timer.nsecsElapsed()) / 1e6;
            return out;
        },
        [done = std::move(done), failed = std::move(failed)](Out out) {
            if (out.status) return done(out.result, out.ms);
            if (out.status.message != "cancelled") failed(QString::fromStdString(out.status.message));
        });
}

} // namespace attnscope::ui
