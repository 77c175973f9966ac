#pragma once
// Models → Model manager: the built-in models (PaddleOCR PP-OCRv4 among them, when cached) and
// your own TorchScript models (a .pt with a JSON sidecar) and ONNX models (.onnx, attention
// found in the graph; Attention… chooses which to show), with what each takes and produces
// and whether it is ready. Added user
// models are checked by loading them, then remembered in the settings across runs.
#include <QDialog>

class QPushButton;
class QTableWidget;

namespace attnscope::ui {

class ModelManagerDialog : public QDialog {
    Q_OBJECT
public:
    explicit ModelManagerDialog(QWidget* parent = nullptr);
    /// Validates and adds a user model; false with the reason in *error (no sidecar,
    /// bad sidecar, unloadable module, already listed).
    bool addModel(const QString& path, QString* error);
    void removeModel(const QString& path);
    QTableWidget* table() const { return table_; }
    QPushButton* attentionButton() const { return attention_; }
    /// The attention chooser for an ONNX model (path, or ppocr-rec / ppocr-det).
    void chooseAttention(const QString& model);

signals:
    void modelsChanged();

protected:
    void resizeEvent(QResizeEvent* e) override;

private:
    void refresh();
    void fitColumns();
    QTableWidget* table_;
    QPushButton* attention_;
};

} // namespace attnscope::ui
