#include "workspaces/long/longcontrols.h"

#include "attnscope/longattention.h"
#include "views/colorscale.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace attnscope::ui {

LongControls::LongControls(QWidget* parent) : QWidget(parent)
{
    // Row 1: where the attention comes from.
    open = new QPushButton(tr("Open…"), this);
    open->setToolTip(tr("A long .attn trace, or an attention dump (.npy, .npz, .safetensors) to import into tiles"));
    book = new QComboBox(this);
    book->setEditable(true);
    book->addItems({"Ruth", "Jonah", "Philippians", "Titus", "Jude", "Obadiah", "Haggai", "Esther", "Mark", "Genesis"});
    book->setToolTip(tr("A book of the corpus, read as one sequence by the Transformer's encoder (English book names)"));
    book->setObjectName("book");
    encode = new QPushButton(tr("Encode the book"), this);
    encode->setToolTip(tr("The built-in Transformer's encoder over every verse of the book as one sequence; attention is "
                          "computed in blocks of queries and kept as queries and keys, so n × n weights are never held (Ctrl+Return)"));
    progress = new QProgressBar(this);
    progress->setMaximumWidth(180);
    progress->setVisible(false);
    cancel = new QPushButton(tr("Cancel"), this);
    cancel->setVisible(false);
    activity = new QLabel(this);
    auto* bar = new QHBoxLayout;
    for (QWidget* w : std::initializer_list<QWidget*>{open, new QLabel(tr("Book:"), this), book, encode, progress, cancel, activity})
        bar->addWidget(w);
    bar->addStretch(1);

    // Row 2: which head and how it is coloured.
    tensor = new QComboBox(this);
    tensor->setToolTip(tr("Attention tensor of the trace"));
    tensor->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    tensor->setMinimumContentsLength(14);
    layer = new QSpinBox(this);
    layer->setPrefix(tr("layer "));
    head = new QSpinBox(this);
    head->setPrefix(tr("head "));
    for (QSpinBox* s : {layer, head}) s->setRange(1, 1);
    scale = newScaleModeBox(this);
    scale->setToolTip(tr("Colour scale. A few attention sinks take most of every row's mass: linear shows them and little "
                         "else; log (four decades), per row (each row by its largest weight) or a percentile clip show the rest"));
    scale->setCurrentIndex(1);  // log: at thousands of tokens most weights are tiny next to the sinks
    percentile = new QDoubleSpinBox(this);
    percentile->setRange(50, 100);
    percentile->setDecimals(1);
    percentile->setValue(99);
    percentile->setSuffix(tr(" th"));
    percentile->setToolTip(tr("Clip the colours at this percentile of the overview's values"));
    percentile->setEnabled(false);
    reduce = new QComboBox(this);
    reduce->addItem(tr("Pixel = max"), int(BlockReduce::Max));
    reduce->addItem(tr("Pixel = mean"), int(BlockReduce::Mean));
    reduce->setToolTip(tr("Zoomed out, a pixel covers a block of weights: show their largest (thin peaks stay visible) or their mean"));
    sinkShare = new QDoubleSpinBox(this);
    sinkShare->setRange(0.01, 1.0);
    sinkShare->setSingleStep(0.05);
    sinkShare->setValue(0.2);
    sinkShare->setPrefix(tr("sinks ≥ "));
    sinkShare->setToolTip(tr("Attention sinks: keys that take at least this share of the mass of every row that can see them"));
    goTo = new QLineEdit(this);
    goTo->setObjectName("goToToken");
    goTo->setPlaceholderText(tr("Go to token…"));
    goTo->setClearButtonEnabled(true);
    goTo->setMaximumWidth(160);
    goTo->setToolTip(tr("A token index (from 0), or a token's text: Enter shows what it looks at, centred in the view; "
                        "Enter again finds the next token with that text"));
    auto* bar2 = new QHBoxLayout;
    for (QWidget* w : std::initializer_list<QWidget*>{new QLabel(tr("Tensor:"), this), tensor, layer, head,
                                                      new QLabel(tr("Colours:"), this), scale, percentile, reduce, sinkShare, goTo})
        bar2->addWidget(w);
    bar2->addStretch(1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addLayout(bar2);
}

} // namespace attnscope::ui
