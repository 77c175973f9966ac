#include "workspaces/text/linkoptionsbar.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>

namespace attnscope::ui {

LinkOptionsBar::LinkOptionsBar(const LinkOptions& initial, QWidget* parent) : QWidget(parent), links_(initial)
{
    method_ = new QComboBox(this);
    method_->setObjectName("linkMethod");
    for (LinkMethod m : linkMethods()) method_->addItem(QString::fromStdString(linkMethodName(m)), int(m));
    method_->setCurrentIndex(method_->findData(int(links_.method)));
    method_->setToolTip(tr("How alignment links are read from attention, in the matrix, the metrics, the head table and "
                           "the dev-split scores:\n"
                           "argmax — each target word links to its most-attended source word\n"
                           "threshold — every cell with weight ≥ τ\n"
                           "gdfa — row-argmax and column-argmax links combined by grow-diag-final-and (Koehn et al. 2003)\n"
                           "shift — target word j read from the step where j is the decoder input (Chen et al. 2020)"));
    threshold_ = new QDoubleSpinBox(this);
    threshold_->setObjectName("linkThreshold");
    threshold_->setRange(0.01, 1.0);
    threshold_->setSingleStep(0.05);
    threshold_->setDecimals(2);
    threshold_->setValue(links_.threshold);
    threshold_->setPrefix(QStringLiteral("τ = "));
    threshold_->setToolTip(tr("Threshold τ: every cell with attention weight ≥ τ is a link"));
    threshold_->setVisible(links_.method == LinkMethod::Threshold);
    words_ = new QCheckBox(tr("&Words"), this);
    words_->setObjectName("wordsToggle");
    words_->setToolTip(tr("Show subword pieces (SentencePiece ▁, WordPiece ##, byte-level BPE Ġ) as words: a word's "
                          "attention to another is the sum over the key word's pieces, averaged over the query "
                          "word's pieces (Zenkel et al. 2019; Garg et al. 2019). Every view follows."));
    words_->setVisible(false);

    auto* label = new QLabel(tr("&Links:"), this);
    label->setBuddy(method_);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(label);
    layout->addWidget(method_);
    layout->addWidget(threshold_);
    layout->addWidget(words_);

    connect(method_, &QComboBox::currentIndexChanged, this, [this] {
        LinkOptions o = links_;
        o.method = LinkMethod(method_->currentData().toInt());
        threshold_->setVisible(o.method == LinkMethod::Threshold);
        links_ = o;
        emit optionsChanged(o);
    });
    connect(threshold_, &QDoubleSpinBox::valueChanged, this, [this](double tau) {
        links_.threshold = tau;
        emit optionsChanged(links_);
    });
    connect(words_, &QCheckBox::toggled, this, &LinkOptionsBar::wordsToggled);
}

void LinkOptionsBar::setOptions(const LinkOptions& links)
{
    links_ = links;
    const QSignalBlocker a(method_), b(threshold_);
    method_->setCurrentIndex(method_->findData(int(links.method)));
    threshold_->setValue(links.threshold);
    threshold_->setVisible(links.method == LinkMethod::Threshold);
}

bool LinkOptionsBar::words() const { return words_->isChecked(); }

void LinkOptionsBar::setWords(bool on)
{
    const QSignalBlocker block(words_);
    words_->setChecked(on);
}

void LinkOptionsBar::setWordsAvailable(bool available) { words_->setVisible(available); }

} // namespace attnscope::ui
