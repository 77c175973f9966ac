#pragma once
// The Heads tab's dev-split row (a BackgroundRow): "Score heads on the dev split", a progress
// bar with the count, time left and Cancel, and the best head. Scores run as a background job (the model and the dev verses loaded
// privately, so the shared model is never held for minutes) and are cached per model; show()
// picks the numbers of one model's attention kind for the head table.
#include "attnscope/translator.h"

#include "views/backgroundrow.h"

#include <map>
#include <memory>
#include <vector>

namespace attnscope::ui {

class JobContext;

/// What a Heads-tab job reads first: the model (loaded privately, so the shared one is never
/// held for minutes) and the first `limit` dev verses (0: all), stopping when `job` is cancelled.
Status loadModelAndDev(const std::string& model, int limit, const JobContext& job, std::unique_ptr<VerseDecoder>& decoder,
                       Corpus& corpus, std::vector<const Verse*>& verses);

class DevScoreBar : public BackgroundRow {
    Q_OBJECT
public:
    explicit DevScoreBar(QWidget* parent = nullptr);
    /// Starts scoring a built-in `model` (`limit` > 0: only the first verses; 0: the setting).
    void score(const QString& model, int limit = 0);
    /// Scores `model` unless it is cached or already being scored.
    void scoreIfNew(const QString& model);
    /// Emits devAer for `kind` of `model` (empty vector when not scored) and says the best head.
    void show(const QString& model, const QString& kind);
    /// How links are read for the AER (scores are kept per model and method).
    void setLinkOptions(const LinkOptions& links);

signals:
    /// Dev-split AER per head, row-major [layer][head], NaN where not scored.
    void devAer(int layers, int heads, const std::vector<double>& aer);
    /// A model's scores arrived (after devAer for the current kind).
    void scored(const QString& model, int verses);
    void failed(const QString& message);

private:
    QString scoring_;        ///< the model being scored
    QString model_, kind_;  ///< what show() last asked for
    /// "model · method" → its dev-split table.
    QString key(const QString& model) const;
    /// A built-in translator, or a user model file whose sidecar is "seq2seq".
    static bool scorable(const QString& model);
    LinkOptions links_;
    std::map<QString, std::shared_ptr<const HeadTableResult>> tables_;
};

} // namespace attnscope::ui
