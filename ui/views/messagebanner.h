#pragma once
// Inline, non-modal message banner (errors in red, warnings in amber) with a close button.
#include <QFrame>

class QLabel;

namespace attnscope::ui {

class MessageBanner : public QFrame {
    Q_OBJECT
public:
    enum class Level { Warning, Error };
    explicit MessageBanner(QWidget* parent = nullptr);
    void showMessage(Level level, const QString& text);
    void clearMessage();
    QString text() const;

private:
    QLabel* label_;
};

} // namespace attnscope::ui
