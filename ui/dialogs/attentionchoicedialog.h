#pragma once
// Which attention of an ONNX model to show: every Softmax the graph has over two position axes
// (named after its node, in graph order, with its shape when known) as a check box. The choice
// is remembered per model (settings::ChosenAttention) and read by the Vision workspace.
#include <QDialog>
#include <QStringList>

class QListWidget;

namespace attnscope::ui {

class AttentionChoiceDialog : public QDialog {
    Q_OBJECT
public:
    /// `model`: an .onnx path or ppocr-rec / ppocr-det. Inspects it (on the GUI thread: the
    /// graph is parsed, not run). With nothing to choose, the list says why.
    explicit AttentionChoiceDialog(const QString& model, QWidget* parent = nullptr);
    /// The checked nodes (all checked → empty: "all").
    QStringList chosen() const;
    QListWidget* list() const { return list_; }
    /// Stores chosen() for the model (on Accept).
    void save() const;

private:
    QString model_;
    QListWidget* list_;
};

/// The nodes remembered for `model` (empty = all).
QStringList chosenAttention(const QString& model);
void setChosenAttention(const QString& model, const QStringList& nodes);

} // namespace attnscope::ui
