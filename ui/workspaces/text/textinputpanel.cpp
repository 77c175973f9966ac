#include "workspaces/text/textinputpanel.h"

#include "workspaces/text/inputfilebutton.h"
#include "workspaces/text/linkoptionsbar.h"
#include "workspaces/text/versepicker.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace attnscope::ui {

namespace {
QPlainTextEdit* textBox(QWidget* parent, const QString& placeholder, int lines)
{
    auto* e = new QPlainTextEdit(parent);
    e->setPlaceholderText(placeholder);
    e->setTabChangesFocus(true);
    e->setFixedHeight(e->fontMetrics().lineSpacing() * lines + 14);
    return e;
}
} // namespace

TextInputPanel::TextInputPanel(const LinkOptions& links, QWidget* parent) : QWidget(parent)
{
    verse_ = new VersePicker(this);
    model_ = new QComboBox(this);
    model_->setObjectName("modelPicker");
    model_->setToolTip(tr("The model whose attention is shown: a built-in translator or your own TorchScript model "
                          "(Models → Model manager)"));
    source_ = textBox(this, tr("Type or paste Spanish text, e.g. «En el principio crió Dios los cielos y la tierra.»"), 3);
    source_->setObjectName("sourceEdit");
    source_->setToolTip(tr("Spanish input; translation follows as you type"));
    inputFile_ = new InputFileButton(this);
    reference_ = textBox(this, tr("English reference for forced decoding"), 2);
    reference_->setObjectName("referenceEdit");
    reference_->setToolTip(tr("Forced decoding feeds this translation to the decoder and shows where it attends for each word"));
    free_ = new QRadioButton(tr("&Free decoding"), this);
    free_->setToolTip(tr("Show the attention of the model's own (greedy) translation"));
    forced_ = new QRadioButton(tr("F&orced decoding of the reference"), this);
    forced_->setToolTip(tr("Show the attention while the decoder is fed the reference: the standard way to extract alignments"));
    auto* modes = new QButtonGroup(this);
    modes->addButton(free_);
    modes->addButton(forced_);
    free_->setChecked(true);
    links_ = new LinkOptionsBar(links, this);
    translate_ = new QPushButton(tr("&Translate"), this);
    translate_->setObjectName("translateButton");
    translate_->setToolTip(tr("Translate now (Ctrl+Return)"));
    translate_->setDefault(true);

    auto* top = new QHBoxLayout;
    auto* verseLabel = new QLabel(tr("&Verse:"), this);
    verseLabel->setBuddy(verse_);
    top->addWidget(verseLabel);
    top->addWidget(verse_, 1);
    auto* modelLabel = new QLabel(tr("&Model:"), this);
    modelLabel->setBuddy(model_);
    top->addWidget(modelLabel);
    top->addWidget(model_, 1);
    auto* form = new QFormLayout;
    auto* sourceRow = new QHBoxLayout;
    sourceRow->addWidget(source_, 1);
    sourceRow->addWidget(inputFile_, 0, Qt::AlignTop);
    auto* sourceLabel = new QLabel(tr("&Spanish:"), this);
    sourceLabel->setBuddy(source_);
    form->addRow(sourceLabel, sourceRow);
    form->addRow(tr("&Reference:"), reference_);
    auto* modeRow = new QHBoxLayout;
    modeRow->addWidget(free_);
    modeRow->addWidget(forced_);
    modeRow->addStretch(1);
    modeRow->addWidget(links_);
    modeRow->addSpacing(12);
    modeRow->addWidget(translate_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addLayout(form);
    layout->addLayout(modeRow);
    connect(modes, &QButtonGroup::buttonToggled, this, [this](QAbstractButton*, bool checked) {
        if (checked) emit modeChosen();
    });
}

} // namespace attnscope::ui
