#pragma once
// HeadScorer: scores every head of a model on the dev split (forced decoding of each dev
// verse, per-head AER and position statistics) on its own thread, so the GUI and the
// engine worker stay responsive. One job at a time; a new start() or cancel() stops the
// running one. Results are cached by the caller.
#include "attnscope/translator.h"

#include <QObject>
#include <QThread>

#include <atomic>
#include <memory>

namespace attnscope::ui {

using HeadTablePtr = std::shared_ptr<const HeadTableResult>;

class HeadScorer : public QObject {
    Q_OBJECT
public:
    explicit HeadScorer(QObject* parent = nullptr);
    ~HeadScorer() override;
    /// Starts scoring `model` on the dev split (at most `limit` verses, 0 = all).
    void start(const QString& model, int limit = 0);
    void cancel();
    bool running() const;
    QString model() const { return model_; }

signals:
    void progress(int done, int total);
    void finished(const QString& model, const attnscope::ui::HeadTablePtr& result);
    void failed(const QString& model, const QString& message);

private:
    QThread* thread_ = nullptr;
    std::atomic<quint64> job_{0};
    QString model_;
};

} // namespace attnscope::ui

Q_DECLARE_METATYPE(attnscope::ui::HeadTablePtr)
