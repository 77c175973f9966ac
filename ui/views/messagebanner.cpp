#include "views/messagebanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace attnscope::ui {

MessageBanner::MessageBanner(QWidget* parent) : QFrame(parent)
{
    setObjectName("messageBanner");
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    label_ = new QLabel(this);
    label_->setWordWrap(true);
    label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* close = new QToolButton(this);
    close->setText(QStringLiteral("✕"));
    close->setToolTip(tr("Dismiss this message"));
    close->setAutoRaise(true);
    layout->addWidget(label_, 1);
    layout->addWidget(close);
    connect(close, &QToolButton::clicked, this, &MessageBanner::clearMessage);
    hide();
}

void MessageBanner::showMessage(Level level, const QString& text)
{
    setStyleSheet(level == Level::Error
                      ? "#messageBanner { background: #fdecea; border: 1px solid #e57373; border-radius: 4px; } QLabel { color: #8e0000; }"
                      : "#messageBanner { background: #fff8e1; border: 1px solid #ffb300; border-radius: 4px; } QLabel { color: #6d4c00; }");
    label_->setText(text);
    show();
}

void MessageBanner::clearMessage()
{
    label_->clear();
    hide();
}

QString MessageBanner::text() const { return isVisible() || !label_->text().isEmpty() ? label_->text() : QString(); }

} // namespace attnscope::ui
