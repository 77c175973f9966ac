#include "views/askbar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace attnscope::ui {

AskBar::AskBar(const QString& placeholder, QWidget* parent) : QWidget(parent)
{
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    edit_ = new QLineEdit(this);
    edit_->setPlaceholderText(placeholder);
    edit_->setClearButtonEnabled(true);
    auto* score = new QPushButton(tr("Score caption"), this);
    score->setToolTip(tr("Forced decoding of the typed caption (Enter)"));
    auto* generate = new QPushButton(tr("Generate"), this);
    generate->setToolTip(tr("Back to the model's own caption"));
    auto* label = new QLabel(tr("&Ask:"), this);
    label->setBuddy(edit_);
    row->addWidget(label);
    row->addWidget(edit_, 1);
    row->addWidget(score);
    row->addWidget(generate);
    connect(edit_, &QLineEdit::returnPressed, this, [this] { emit asked(edit_->text()); });
    connect(score, &QPushButton::clicked, this, [this] { emit asked(edit_->text()); });
    connect(generate, &QPushButton::clicked, this, [this] { emit asked({}); });
}

QString AskBar::text() const { return edit_->text(); }

void AskBar::setText(const QString& text)
{
    if (edit_->text() != text) edit_->setText(text);
}

} // namespace attnscope::ui
