#pragma once
// Models → Model manager: the built-in models and your own TorchScript models (a .pt with
// a JSON sidecar), with what each takes and produces and whether it is ready. Added user
// models are checked by loading them, then remembered in the settings across runs.
#include <QDialog>

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

signals:
    void modelsChanged();

private:
    void refresh();
    QTableWidget* table_;
};

} // namespace attnscope::ui
