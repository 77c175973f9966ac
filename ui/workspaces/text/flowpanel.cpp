#include "workspaces/text/flowpanel.h"

#include "views/tokenflowview.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace attnscope::ui {

FlowPanel::FlowPanel(QWidget* parent) : QWidget(parent)
{
    flow_ = new TokenFlowView(this);
    layer_ = new QSpinBox(this);
    layer_->setPrefix(tr("layer "));
    layer_->setToolTip(tr("Which layer's heads to draw"));
    heads_ = new QWidget(this);
    new QHBoxLayout(heads_);
    heads_->layout()->setContentsMargins(0, 0, 0, 0);
    auto* top = new QHBoxLayout;
    top->addWidget(layer_);
    top->addWidget(heads_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(flow_, 1);
    connect(layer_, &QSpinBox::valueChanged, this, [this](int v) { flow_->setLayer(v - 1); });
}

bool FlowPanel::setTensor(const TraceTensor& t)
{
    const bool ok = flow_->setTensor(t, layer_->value() - 1);
    layer_->setRange(1, std::max(1, flow_->layers()));
    makeHeadBoxes();
    return ok;
}

void FlowPanel::makeHeadBoxes()
{
    QLayoutItem* item;
    while ((item = heads_->layout()->takeAt(0))) {
        delete item->widget();
        delete item;
    }
    for (int h = 0; h < flow_->heads() && flow_->heads() > 1; ++h) {
        auto* box = new QCheckBox(tr("head %1").arg(h + 1), heads_);
        box->setChecked(true);
        const QColor c = TokenFlowView::headColor(h);
        box->setStyleSheet(QStringLiteral("QCheckBox { color: %1; font-weight: bold; }").arg(c.name()));
        box->setToolTip(tr("Show or hide the lines of head %1").arg(h + 1));
        connect(box, &QCheckBox::toggled, this, [this, h](bool on) { flow_->setHeadVisible(h, on); });
        heads_->layout()->addWidget(box);
    }
    static_cast<QHBoxLayout*>(heads_->layout())->addStretch(1);
}

} // namespace attnscope::ui
