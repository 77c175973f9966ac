#pragma once
// The Heads tab's importance row (a BackgroundRow): "Head importance" by gradient (Michel et
// al. 2019, eq. 2–3: |∂L/∂ξ_h| of a gate on each head, normalised per layer) or by ablation
// (Δ log-likelihood of the references with the head alone zeroed) over the dev split, in the
// background with the count, time left and Cancel; then the grid's bars, the table's column,
// "Sort by importance" and an export of the table as CSV — the same file `attnscope heads
// --importance` writes. Built-in Transformer translators (Translator::headImportance).
#include "attnscope/translator.h"

#include "views/backgroundrow.h"

#include <map>
#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;

namespace attnscope::ui {

class ImportanceBar : public BackgroundRow {
    Q_OBJECT
public:
    explicit ImportanceBar(QWidget* parent = nullptr);
    /// Measures `model` by the chosen method over the first `limit` dev verses (0: the dev-score
    /// setting's count).
    void measure(const QString& model, int limit = 0);
    /// Emits importance for attention `kind` (a trace tensor name) of `model`: empty when not measured.
    void show(const QString& model, const QString& kind);
    /// "gradient" or "ablation".
    QString method() const;
    void setMethod(const QString& method);
    bool sorted() const;
    /// The measured table of the shown model and method as CSV (kind,layer,head,value);
    /// false with `error` when nothing is measured or the file cannot be written.
    bool exportCsv(const QString& path, QString* error) const;
    /// The table of the shown model and method (null before it is measured).
    std::shared_ptr<const std::vector<HeadImportance>> table() const;

signals:
    /// Per head of the shown kind, row-major [layer][head], larger = matters more (−Δ
    /// log-likelihood, or the gradient score); empty clears. `label` and `tip` say what it is.
    void importance(int layers, int heads, const std::vector<double>& values, const QString& label, const QString& tip);
    void sortToggled(bool sorted);
    void measured(const QString& model, int heads);
    void failed(const QString& message);

private:
    QString key(const QString& model) const;
    QComboBox* method_;
    QCheckBox* sort_;
    QString model_, kind_;
    int verses_ = 0;
    std::map<QString, std::shared_ptr<const std::vector<HeadImportance>>> tables_;  ///< "model · method"
};

} // namespace attnscope::ui
