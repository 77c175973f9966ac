#include "workspaces/text/goldcorpusdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace attnscope::ui {

GoldCorpusDialog::GoldCorpusDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Open gold corpus"));
    auto* form = new QFormLayout;
    source_ = row("goldSource", tr("&Source sentences:"),
                  tr("Spanish (source) sentences, one per line, tokens separated by spaces as the model reads them"), form);
    target_ = row("goldTarget", tr("&Target sentences:"), tr("English (target) sentences, line by line with the source"), form);
    gold_ = row("goldLinks", tr("&Gold alignment:"),
                tr("Pharaoh links, one line per sentence pair: i-j sure; i?j, ipj or i-j-p possible "
                   "(i a source word, j a target word)"),
                form);
    oneBased_ = new QCheckBox(tr("Indices start at &1"), this);
    oneBased_->setToolTip(tr("Leave unchecked when the first word of a sentence is 0"));
    form->addRow(QString(), oneBased_);
    buttons_ = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons_);
    updateOk();
}

QLineEdit* GoldCorpusDialog::row(const QString& objectName, const QString& label, const QString& tip, QFormLayout* form)
{
    auto* edit = new QLineEdit(this);
    edit->setObjectName(objectName);
    edit->setToolTip(tip);
    edit->setMinimumWidth(360);
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this, edit, label] {
        const QString path = QFileDialog::getOpenFileName(this, QString(label).remove('&').remove(':'), edit->text());
        if (!path.isEmpty()) edit->setText(path);
    });
    connect(edit, &QLineEdit::textChanged, this, &GoldCorpusDialog::updateOk);
    auto* line = new QHBoxLayout;
    line->addWidget(edit, 1);
    line->addWidget(browse);
    form->addRow(label, line);
    return edit;
}

void GoldCorpusDialog::updateOk()
{
    bool ok = true;
    for (auto* e : {source_, target_, gold_}) ok = ok && QFileInfo(e->text()).isFile();
    buttons_->button(QDialogButtonBox::Open)->setEnabled(ok);
}

QString GoldCorpusDialog::sourcePath() const { return source_->text(); }
QString GoldCorpusDialog::targetPath() const { return target_->text(); }
QString GoldCorpusDialog::goldPath() const { return gold_->text(); }
bool GoldCorpusDialog::oneBased() const { return oneBased_->isChecked(); }

} // namespace attnscope::ui
