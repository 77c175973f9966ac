#pragma once
// HeadScorer: scores every head of a model on the dev split (forced decoding of each dev
// verse, per-head AER and position statistics) as a BackgroundJob. Results are cached by
// the caller.
#include "attnscope/translator.h"
#include "workers/backgroundjob.h"

#include <memory>

namespace attnscope::ui {

using HeadTablePtr = std::shared_ptr<const HeadTableResult>;

class HeadScorer : public BackgroundJob {
    Q_OBJECT
public:
    explicit HeadScorer(QObject* parent = nullptr);
    ~HeadScorer() override { stop(); }
    /// Starts scoring `model` on the dev split (at most `limit` verses, 0 = all).
    void start(const QString& model, int limit = 0);
    QString model() const { return model_; }

signals:
    void finished(const QString& model, const attnscope::ui::HeadTablePtr& result);
    void failed(const QString& model, const QString& message);

private:
    QString model_;
};

} // namespace attnscope::ui

Q_DECLARE_METATYPE(attnscope::ui::HeadTablePtr)
