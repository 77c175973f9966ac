#pragma once
// EngineWorker: the long-lived engine object on its own QThread. It holds the loaded
// models and the dev/test corpus. Requests are latest-wins: each carries a generation;
// a running request is cancelled (through the engine's cancel callback) as soon as a
// newer one arrives, and results of superseded requests are never emitted.
#include "workers/enginejobs.h"

#include <QObject>

#include <atomic>
#include <map>
#include <memory>

namespace attnscope {
class ScriptModel;
class Translator;
struct Corpus;
} // namespace attnscope

namespace attnscope::ui {

class EngineWorker : public QObject {
    Q_OBJECT
public:
    EngineWorker();
    ~EngineWorker() override;

    /// Called from the GUI thread before posting a request; supersedes older ones.
    void supersede(quint64 generation) { latest_.store(generation); }
    /// Models held in memory (translators + your TorchScript models); call when idle.
    int loadedModels() const { return int(translators_.size() + scripts_.size()); }

public slots:
    /// Loads the dev and test verses for the verse picker (emits versesReady or failed).
    void loadVerses();
    void translate(const attnscope::ui::TranslateRequest& request);
    /// Forced decoding for a comparison; answers with comparisonReady or comparisonFailed.
    void decodeForComparison(const attnscope::ui::CompareRequest& request);

signals:
    void versesReady(const QList<attnscope::ui::VerseEntry>& verses);
    void translated(const attnscope::ui::TranslateResult& result);
    void failed(quint64 generation, const QString& message);
    void log(const QString& line);
    void comparisonReady(quint64 generation, const attnscope::ui::TracePtr& trace);
    void comparisonFailed(quint64 generation, const QString& message);

private:
    Translator* translator(const QString& model, QString* error);
    ScriptModel* scriptModel(const QString& path, QString* error);
    void runScriptModel(const TranslateRequest& request);

    std::atomic<quint64> latest_{0};
    std::map<QString, std::unique_ptr<Translator>> translators_;
    std::map<QString, std::unique_ptr<ScriptModel>> scripts_;
    std::map<QString, quint64> lastUse_;  ///< for evicting the least recently used model
    quint64 useTick_ = 0;
    std::unique_ptr<Corpus> corpus_;
};

} // namespace attnscope::ui
