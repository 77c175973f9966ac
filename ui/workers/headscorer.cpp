#include "workers/headscorer.h"

#include "attnscope/corpus.h"

namespace attnscope::ui {

HeadScorer::HeadScorer(QObject* parent) : BackgroundJob(parent) { qRegisterMetaType<HeadTablePtr>(); }

void HeadScorer::start(const QString& model, int limit)
{
    model_ = model;
    launch(QStringLiteral("head scorer"), [this, model, limit](const std::function<bool()>& live, const ProgressFn& progress) {
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
        const auto st = headTable(t, verses, *result, progress);
        if (!live()) return;
        if (!st) emit failed(model, QString::fromStdString(st.message));
        else emit finished(model, result);
    });
}

} // namespace attnscope::ui
