#pragma once
// Import an attention dump (.npy .npz .safetensors .json): shows the array's shape, maps
// each dimension to layer / head / query / key / batch, takes token labels from the file
// or a text file, and validates before anything is drawn (inline message, OK disabled).
#include "attnscope/dumps.h"

#include <QDialog>

#include <memory>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QPushButton;

namespace attnscope::ui {

class ImportDumpDialog : public QDialog {
    Q_OBJECT
public:
    explicit ImportDumpDialog(QWidget* parent = nullptr);

    /// Reads the dump; false with the message when it cannot be read.
    bool load(const QString& path, QString* error);
    /// Axis name chosen for each dimension.
    QStringList axes() const;
    void setAxes(const QStringList& axes);
    /// Tokens from a text file (whitespace-separated); false when unreadable.
    bool setTokensFile(const QString& path);
    /// The trace for the current choices, or null with the message shown in the dialog.
    std::shared_ptr<AttentionTrace> trace() const { return trace_; }
    QString message() const;

private:
    void revalidate();

    Dump dump_;
    std::vector<std::string> tokens_;
    std::shared_ptr<AttentionTrace> trace_;
    QLabel* info_;
    QWidget* axesBox_;
    QList<QComboBox*> axisCombos_;
    QLabel* tokensInfo_;
    QLabel* message_;
    QDialogButtonBox* buttons_;
};

} // namespace attnscope::ui
