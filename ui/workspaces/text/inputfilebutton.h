#pragma once
// InputFileButton: for user models that read a file rather than text (a TorchScript model
// whose sidecar says "type": "image" or "video"), a "Choose image…" / "Choose video…" button
// next to the input box; hidden for text models. Its dialog filters by the input type.
#include <QPushButton>

namespace attnscope::ui {

class InputFileButton : public QPushButton {
    Q_OBJECT
public:
    explicit InputFileButton(QWidget* parent = nullptr);
    /// `model`: a built-in name or a user model's .pt path (its sidecar decides).
    void setModel(const QString& model);
    /// "image", "video" or "" (text).
    QString inputKind() const { return kind_; }

signals:
    void fileChosen(const QString& path);

private:
    QString kind_;
};

} // namespace attnscope::ui
