#include "workers/engineworker.h"

#include "attnscope/corpus.h"
#include "attnscope/scriptmodel.h"
#include "attnscope/translator.h"
#include "settings.h"

#include <QElapsedTimer>

namespace attnscope::ui {

EngineWorker::EngineWorker()
{
    qRegisterMetaType<TranslateRequest>();
    qRegisterMetaType<TranslateResult>();
    qRegisterMetaType<QList<VerseEntry>>();
    qRegisterMetaType<CompareRequest>();
    qRegisterMetaType<TracePtr>();
}

EngineWorker::~EngineWorker() = default;

namespace {
/// The model of `cache` loaded from `key`, loading it on first use; null with *error on failure.
/// At most settings::ModelsKept models stay loaded per cache; the least recently used go.
template <typename Model>
Model* cached(std::map<QString, std::unique_ptr<Model>>& cache, const QString& key, QString* error, qint64* loadMs,
              std::map<QString, quint64>& lastUse, quint64 tick)
{
    lastUse[key] = tick;
    auto it = cache.find(key);
    if (it != cache.end()) return it->second.get();
    const size_t keep = size_t(std::max(1, settings::get(settings::ModelsKept)));
    while (cache.size() >= keep) {
        auto oldest = cache.begin();
        for (auto c = cache.begin(); c != cache.end(); ++c)
            if (lastUse[c->first] < lastUse[oldest->first]) oldest = c;
        cache.erase(oldest);
    }
    auto m = std::make_unique<Model>();
    QElapsedTimer timer;
    timer.start();
    if (auto st = m->load(key.toStdString()); !st) {
        *error = QString::fromStdString(st.message);
        return nullptr;
    }
    *loadMs = timer.elapsed();
    return cache.emplace(key, std::move(m)).first->second.get();
}
} // namespace

Translator* EngineWorker::translator(const QString& model, QString* error)
{
    qint64 ms = -1;
    Translator* t = cached(translators_, model, error, &ms, lastUse_, ++useTick_);
    if (t && ms >= 0) emit log(tr("Loaded model %1 (%2 attention) in %3 ms").arg(model, QString::fromStdString(t->scoreFunction())).arg(ms));
    return t;
}

void EngineWorker::loadVerses()
{
    QElapsedTimer timer;
    timer.start();
    auto corpus = std::make_unique<Corpus>();
    // Cancelled when the window closes (supersede(max) from the GUI thread).
    const auto keepReading = [this](int64_t, int64_t) { return latest_.load() != ~quint64(0); };
    if (auto st = loadBibleCorpus(*corpus, {Split::Dev, Split::Test}, keepReading); !st) {
        if (st.message == "cancelled") return;
        emit failed(0, tr("Verse picker unavailable: %1").arg(QString::fromStdString(st.message)));
        return;
    }
    QList<VerseEntry> entries;
    for (const auto& v : corpus->verses)
        entries.append({QString::fromStdString(v.ref), QString::fromStdString(splitName(splitOfBook(v.book))),
                        QString::fromStdString(v.sourceText()), QString::fromStdString(v.targetText())});
    corpus_ = std::move(corpus);
    emit log(tr("Read %1 dev/test verses from the SWORD modules in %2 ms").arg(entries.size()).arg(timer.elapsed()));
    emit versesReady(entries);
}

ScriptModel* EngineWorker::scriptModel(const QString& path, QString* error)
{
    qint64 ms = -1;
    ScriptModel* m = cached(scripts_, path, error, &ms, lastUse_, ++useTick_);
    if (m && ms >= 0) emit log(tr("Loaded your model %1 (%2) in %3 ms").arg(QString::fromStdString(m->spec().name), path).arg(ms));
    return m;
}

void EngineWorker::runScriptModel(const TranslateRequest& req)
{
    QElapsedTimer timer;
    timer.start();
    QString error;
    ScriptModel* m = scriptModel(req.model, &error);
    if (!m) {
        emit failed(req.generation, error);
        return;
    }
    auto trace = std::make_shared<AttentionTrace>();
    if (auto st = m->run(req.source.toStdString(), *trace); !st) {
        emit failed(req.generation, QString::fromStdString(st.message));
        return;
    }
    if (req.generation < latest_.load()) return;
    TranslateResult r;
    r.generation = req.generation;
    QStringList tokens;
    for (const auto& t : m->tokens(req.source.toStdString())) tokens << QString::fromStdString(t);
    r.translation = tr("(%1 reads %2 tokens: %3)").arg(QString::fromStdString(m->spec().name)).arg(tokens.size()).arg(tokens.join(' '));
    r.trace = trace;
    r.milliseconds = double(timer.nsecsElapsed()) / 1e6;
    emit translated(r);
}

void EngineWorker::translate(const TranslateRequest& req)
{
    if (req.generation < latest_.load()) return;  // superseded while queued
    if (!findModel(req.model.toStdString())) return runScriptModel(req);
    QElapsedTimer timer;
    timer.start();
    QString error;
    Translator* t = translator(req.model, &error);
    if (!t) {
        emit failed(req.generation, error);
        return;
    }
    const auto cancel = [this, g = req.generation](int64_t, int64_t) { return g >= latest_.load(); };
    auto trace = std::make_shared<AttentionTrace>();
    AttentionTrace free;
    Status st;
    const Verse* verse = (corpus_ && !req.verse.isEmpty()) ? corpus_->findRef(req.verse.toStdString()) : nullptr;
    // A verse whose text the user left untouched keeps its gold alignment.
    if (verse && QString::fromStdString(verse->sourceText()) != req.source.trimmed()) verse = nullptr;
    if (verse && req.forced && QString::fromStdString(verse->targetText()) != req.reference.trimmed()) verse = nullptr;
    if (verse) st = t->decodeVerse(*verse, false, free, cancel);
    else st = t->translate(req.source.toStdString(), free, cancel);
    if (st && req.forced) {
        st = verse ? t->decodeVerse(*verse, true, *trace, cancel)
                   : t->forceDecode(req.source.toStdString(), req.reference.toStdString(), *trace, cancel);
    }
    if (req.generation < latest_.load()) return;  // superseded: drop the result
    if (!st) {
        emit failed(req.generation, QString::fromStdString(st.message));
        return;
    }
    TranslateResult r;
    r.generation = req.generation;
    QStringList words;  // the free translation, before its trace may move into the result
    if (const TraceTensor* x = free.find("cross"); x && !x->labels.empty())
        for (const auto& w : x->labels[0])
            if (w != "</s>") words << QString::fromStdString(w);
    r.translation = words.join(' ');
    if (!req.forced) *trace = std::move(free);
    r.trace = trace;
    r.milliseconds = double(timer.nsecsElapsed()) / 1e6;
    emit translated(r);
}

void EngineWorker::decodeForComparison(const CompareRequest& req)
{
    QString error;
    Translator* t = translator(req.model, &error);
    if (!t) {
        emit comparisonFailed(req.generation, error);
        return;
    }
    auto trace = std::make_shared<AttentionTrace>();
    if (auto st = t->forceDecode(req.source.toStdString(), req.target.toStdString(), *trace); !st) {
        emit comparisonFailed(req.generation, QString::fromStdString(st.message));
        return;
    }
    emit comparisonReady(req.generation, trace);
}

} // namespace attnscope::ui
