#include "views/testitempicker.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>

namespace attnscope::ui {

TestItemPicker::TestItemPicker(const QString& prefix, int count, const QString& toolTip, QWidget* parent) : QWidget(parent)
{
    spin_ = new QSpinBox(this);
    spin_->setRange(-1, std::max(0, count - 1));  // −1: a file is on screen
    spin_->setPrefix(prefix);
    spin_->setToolTip(toolTip + tr(" (type a number and press Enter)"));
    spin_->setValue(0);
    random_ = new QPushButton(tr("Random"), this);
    random_->setToolTip(tr("A random one"));
    auto* l = new QHBoxLayout(this);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(spin_);
    l->addWidget(random_);
    connect(spin_, &QSpinBox::editingFinished, this, [this] {
        if (spin_->value() >= 0) emit itemPicked(spin_->value());
    });
    connect(random_, &QPushButton::clicked, this, [this] {
        const int n = spin_->maximum() + 1;
        const int index = int(QRandomGenerator::global()->bounded(std::max(1, n)));
        showItem(index);
        emit itemPicked(index);
    });
}

void TestItemPicker::showItem(int index)
{
    spin_->blockSignals(true);
    spin_->setSpecialValueText({});
    spin_->setValue(index);
    spin_->blockSignals(false);
}

void TestItemPicker::showFile(const QString& path)
{
    spin_->blockSignals(true);
    // QSpinBox shows the special text at its minimum (−1).
    spin_->setSpecialValueText(tr("file: %1").arg(QFileInfo(path).fileName()));
    spin_->setValue(-1);
    spin_->blockSignals(false);
    spin_->setMinimumWidth(std::min(260, spin_->fontMetrics().horizontalAdvance(spin_->specialValueText()) + 40));
}

int TestItemPicker::item() const { return spin_->value(); }

bool TestItemPicker::showsFile() const { return spin_->value() < 0; }

} // namespace attnscope::ui
