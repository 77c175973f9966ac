#pragma once
// BackgroundJob: one long engine computation at a time on its own low-priority thread
// (scoring a split, class profiles over a test set), with progress and cancel, so the GUI
// and the engine worker stay responsive. Starting a new job cancels the running one; a
// cancelled job's results are never emitted. Subclasses add start() and result signals.
#include "attnscope/status.h"

#include <QObject>
#include <QThread>

#include <atomic>
#include <functional>

namespace attnscope::ui {

class BackgroundJob : public QObject {
    Q_OBJECT
public:
    explicit BackgroundJob(QObject* parent = nullptr);
    ~BackgroundJob() override;
    void cancel();
    bool running() const;
    /// Cancels and waits for the thread to end. Subclasses call it in their destructor, so no
    /// signal of theirs is emitted from a half-destroyed object.
    void stop();

signals:
    void progress(int done, int total);

protected:
    /// `live()` is true while this job is the current one; `progress` reports (done, total) and
    /// returns live(), so engine calls stop at their next step once the job is cancelled.
    using Work = std::function<void(const std::function<bool()>& live, const ProgressFn& progress)>;
    /// Stops the previous job (it ends at its next progress check) and runs `work`.
    void launch(const QString& threadName, Work work);

private:
    QThread* thread_ = nullptr;
    std::atomic<quint64> job_{0};
};

} // namespace attnscope::ui
