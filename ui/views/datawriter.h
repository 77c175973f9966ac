#pragma once
// The shared writer of Export data: a labelled table of numbers as CSV (a header row of column
// labels, the row label first on every line) or as a NumPy .npy array (float32, any shape whose
// product is rows × columns). Every workspace's Export data goes through it.
#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace attnscope::ui {

struct DataTable {
    QString corner;                 ///< header of the label column, e.g. "target \ source"
    QStringList rowLabels;          ///< one per row
    QStringList columnLabels;       ///< one per column
    std::vector<float> values;      ///< rows × columns, row-major
    std::vector<int64_t> npyShape;  ///< shape written to .npy; empty = {rows, columns}
    int rows() const { return int(rowLabels.size()); }
    int columns() const { return int(columnLabels.size()); }
};

/// Writes `table` by the extension of `path`: .csv or .npy. False with a message for an empty
/// table, another extension, or a write failure. Written atomically.
bool writeDataTable(const DataTable& table, const QString& path, QString* error);

} // namespace attnscope::ui
