#pragma once
// AskBar: "Ask: [caption…] [Score caption] [Generate]" — the forced-decoding row of the
// captioning and video workspaces. Enter or Score asks with the typed caption; Generate asks
// with an empty one (the model's own caption).
#include <QWidget>

class QLineEdit;

namespace attnscope::ui {

class AskBar : public QWidget {
    Q_OBJECT
public:
    AskBar(const QString& placeholder, QWidget* parent = nullptr);
    QString text() const;
    void setText(const QString& text);  ///< no signal

signals:
    void asked(const QString& caption);

private:
    QLineEdit* edit_;
};

} // namespace attnscope::ui
