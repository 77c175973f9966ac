#pragma once
// Pruning curves, for every kind that has them (`attnscope prune`, the Text workspace's Pruning
// curves dialog): a score
// as heads are removed a share at a time, in importance order and in random orders — printed
// as a table with the share prunable within one point, written as CSV or as a chart.
#include <QByteArray>
#include <QString>

class QCustomPlot;

#include <string>
#include <utility>
#include <vector>

namespace attnscope::cli {

struct PruningTable {
    std::string model, corpus;  ///< "transformer", "dev split" / "60 rendered lines"
    size_t items = 0;           ///< verses or lines measured
    size_t heads = 0;           ///< heads that can be removed
    std::string ranking;        ///< how the importance order was measured ("gradient", "ablation")
    std::string metric;         ///< the score's CSV name and label: "bleu" → "BLEU"; "accuracy" → "character accuracy (%)"
    std::string metricLabel;
    std::vector<double> fractions;  ///< 0, 0.1, …, 1
    std::vector<int> removed;       ///< heads removed at each fraction
    /// (order, score at each fraction): "importance" first, then "random (seed N)".
    std::vector<std::pair<std::string, std::vector<double>>> curves;
};

/// Prints the table and "prunable within 1 point: N % of the heads" (the largest share removed in
/// importance order with the score within one point of the full model's), then writes `out`:
/// .csv ("fraction,heads_removed,<metric>_importance,<metric>_random_seed_1,…") or a chart
/// (.png .svg .pdf). Returns the exit status.
int finishPruningTable(const PruningTable& table, const QString& out);

/// The largest share of heads removed in importance order with the score within one point of
/// the full model's ("prunable without loss").
double prunableFraction(const PruningTable& table);

/// True for an output `prune` writes: .csv, .png, .svg, .pdf.
bool isPruningOutput(const QString& out);

/// The table as CSV: "fraction,heads_removed,<metric>_importance,<metric>_random_seed_1,…".
QByteArray pruningCsv(const PruningTable& table);
/// Draws the curves into `plot` (cleared first): the score against the share of heads zeroed,
/// the importance order bold, random orders dashed, a title and a legend.
void drawPruningChart(QCustomPlot* plot, const PruningTable& table);
/// The chart as a figure file (.png .svg .pdf); false with `error` when it cannot be written.
bool writePruningChart(const PruningTable& table, const QString& path, QString* error);

} // namespace attnscope::cli
