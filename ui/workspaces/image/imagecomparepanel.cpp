#include "workspaces/image/imagecomparepanel.h"

#include "attnscope/schema.h"

#include "workspaces/image/imagetrace.h"
#include "views/channelbarview.h"
#include "views/testitempicker.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

namespace attnscope::ui {

ImageComparePanel::ImageComparePanel(QWidget* parent) : QWidget(parent)
{
    auto* l = new QVBoxLayout(this);
    auto* row = new QHBoxLayout;
    auto* open = new QPushButton(tr("Open image B…"), this);
    open->setToolTip(tr("Choose the second image to compare with the one on the left"));
    pickerB_ = new TestItemPicker(tr("test #"), 10000, tr("Or a Fashion-MNIST test image as image B"), this);
    row->addWidget(new QLabel(tr("Image B:"), this));
    row->addWidget(open);
    row->addWidget(pickerB_);
    row->addStretch(1);
    l->addLayout(row);
    summary_ = new QLabel(tr("Choose an image B to compare its channel weights with A's."), this);
    summary_->setWordWrap(true);
    l->addWidget(summary_);
    pair_ = new ChannelBarView(this);
    pair_->setObjectName("pairBars");
    diff_ = new ChannelBarView(this);
    diff_->setObjectName("differenceBars");
    l->addWidget(pair_, 1);
    l->addWidget(diff_, 1);
    connect(open, &QPushButton::clicked, this, &ImageComparePanel::openImageBRequested);
    connect(pickerB_, &TestItemPicker::itemPicked, this, &ImageComparePanel::testImageBRequested);
}

void ImageComparePanel::setTraces(std::shared_ptr<const AttentionTrace> a, std::shared_ptr<const AttentionTrace> b, int block,
                                  bool sorted)
{
    if (!a || !b) {
        pair_->clear();
        diff_->clear();
        return;
    }
    const auto ea = blockExcitation(*a, block), eb = blockExcitation(*b, block);
    if (ea.empty() || ea.size() != eb.size()) {
        pair_->clear();
        diff_->clear();
        summary_->setText(tr("A and B were classified by different models; classify B again with this model."));
        return;
    }
    pair_->setSortByValue(sorted);
    diff_->setSortByValue(sorted);
    pair_->setPair(ea, eb, ChannelBarView::Mode::Pair);
    diff_->setPair(ea, eb, ChannelBarView::Mode::Difference);
    pair_->setTitle(tr("%1 — A (blue) and B (orange)").arg(blockLabel(*a, block)));
    diff_->setTitle(tr("A − B"));
    double dot = 0, na = 0, nb = 0, mad = 0;
    int maxC = 0;
    for (size_t c = 0; c < ea.size(); ++c) {
        dot += double(ea[c]) * eb[c];
        na += double(ea[c]) * ea[c];
        nb += double(eb[c]) * eb[c];
        const double d = std::fabs(double(ea[c]) - eb[c]);
        mad += d;
        if (d > std::fabs(double(ea[size_t(maxC)]) - eb[size_t(maxC)])) maxC = int(c);
    }
    const double cosine = na > 0 && nb > 0 ? dot / std::sqrt(na * nb) : 0;
    summary_->setText(tr("A: %1 → %2 · B: %3 → %4<br>cosine similarity of the excitations %5, mean |A − B| %6, "
                         "largest difference at channel %7 (%8)")
                          .arg(QString::fromStdString(a->meta(schema::kInputMeta)).toHtmlEscaped(), QString::fromStdString(a->meta(schema::image::kPredictionMeta)),
                               QString::fromStdString(b->meta(schema::kInputMeta)).toHtmlEscaped(), QString::fromStdString(b->meta(schema::image::kPredictionMeta)))
                          .arg(cosine, 0, 'f', 3)
                          .arg(mad / double(ea.size()), 0, 'f', 3)
                          .arg(maxC)
                          .arg(double(ea[size_t(maxC)] - eb[size_t(maxC)]), 0, 'f', 3));
}

} // namespace attnscope::ui
