#pragma once
// Workspace → Pruning curves…: the Text workspace's pruning curves (Michel et al. 2019, §4) of a
// built-in Transformer over the dev verses — heads zeroed 0, 10, …, 100 % at a time, least
// important first (by gradient or ablation importance) and in random orders, BLEU of the greedy
// translations at each point — measured in the background (count, time left, Cancel), drawn as
// a QCustomPlot chart, exported as PNG/SVG/PDF or CSV (the files `attnscope prune` writes).
#include "cli/clipruning.h"

#include <QDialog>

class QComboBox;
class QCustomPlot;
class QLabel;
class QPushButton;
class QSpinBox;

namespace attnscope::ui {

class BackgroundRow;

class PruningDialog : public QDialog {
    Q_OBJECT
public:
    /// For the built-in translator `model` (the workspace's).
    explicit PruningDialog(const QString& model, QWidget* parent = nullptr);
    /// Starts the measurement over the first `limit` dev verses (0: the dev-score setting's count).
    void measure(int limit = 0);
    void setMethod(const QString& method);  ///< "gradient" or "ablation"
    void setSeeds(int seeds);
    /// What was measured last (empty before).
    const cli::PruningTable& table() const { return table_; }
    QCustomPlot* plot() const { return plot_; }
    /// Writes the chart (.png .svg .pdf) or the table (.csv); false with `error`.
    bool exportTo(const QString& path, QString* error) const;

signals:
    void measured();

private:
    QString model_;
    QComboBox* method_;
    QSpinBox* seeds_;
    BackgroundRow* run_;
    QCustomPlot* plot_;
    QLabel* summary_;
    QPushButton* exportButton_;
    cli::PruningTable table_;
};

} // namespace attnscope::ui
