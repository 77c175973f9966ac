#include "dialogs/importdumpdialog.h"
#include "attnscope/schema.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace attnscope::ui {

namespace {
const QStringList kAxisNames{"layer", "head", "query", "key", "batch"};
}

ImportDumpDialog::ImportDumpDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Import attention dump"));
    info_ = new QLabel(this);
    info_->setWordWrap(true);
    axesBox_ = new QWidget(this);
    new QHBoxLayout(axesBox_);
    tokensInfo_ = new QLabel(this);
    tokensInfo_->setWordWrap(true);
    auto* tokensButton = new QPushButton(tr("Tokens from a &text file…"), this);
    tokensButton->setToolTip(tr("A text file with one token per line (or separated by spaces), for the query and key axes"));
    message_ = new QLabel(this);
    message_->setObjectName("importMessage");
    message_->setWordWrap(true);
    buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(info_);
    layout->addWidget(new QLabel(tr("What each dimension of the array is (batch dimensions are read at index 0):"), this));
    layout->addWidget(axesBox_);
    auto* tokensRow = new QHBoxLayout;
    tokensRow->addWidget(tokensInfo_, 1);
    tokensRow->addWidget(tokensButton);
    layout->addLayout(tokensRow);
    layout->addWidget(message_);
    layout->addWidget(buttons_);
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(tokensButton, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Tokens"), {}, tr("Text (*.txt);;All files (*)"));
        if (!p.isEmpty() && !setTokensFile(p)) message_->setText(tr("Cannot read %1").arg(p));
    });
}

bool ImportDumpDialog::load(const QString& path, QString* error)
{
    if (auto st = readDump(path.toStdString(), dump_); !st) {
        if (error) *error = QString::fromStdString(st.message);
        return false;
    }
    QStringList dims;
    for (auto d : dump_.array.shape) dims << QString::number(d);
    info_->setText(tr("<b>%1</b>: array of shape [%2]%3")
                       .arg(QFileInfo(path).fileName().toHtmlEscaped(), dims.join(" × "),
                            dump_.array.name == "stacked" ? tr(" (one array per layer, stacked)") : QString()));
    qDeleteAll(axisCombos_);
    axisCombos_.clear();
    const auto defaults = defaultAxes(dump_.array.shape.size());
    for (size_t d = 0; d < dump_.array.shape.size(); ++d) {
        auto* combo = new QComboBox(axesBox_);
        combo->addItems(kAxisNames);
        combo->setToolTip(tr("Dimension %1 (size %2)").arg(d + 1).arg(dump_.array.shape[d]));
        combo->setCurrentText(d < defaults.size() ? QString::fromStdString(defaults[d]) : "batch");
        axesBox_->layout()->addWidget(new QLabel(tr("%1:").arg(dump_.array.shape[d]), axesBox_));
        axesBox_->layout()->addWidget(combo);
        axisCombos_ << combo;
        connect(combo, &QComboBox::currentTextChanged, this, &ImportDumpDialog::revalidate);
    }
    tokensInfo_->setText(dump_.queryTokens.empty() && dump_.keyTokens.empty()
                             ? tr("No tokens in the file: positions are numbered.")
                             : tr("Tokens from the file: %1 query, %2 key.").arg(dump_.queryTokens.size()).arg(dump_.keyTokens.size()));
    revalidate();
    return true;
}

QStringList ImportDumpDialog::axes() const
{
    QStringList a;
    for (auto* c : axisCombos_) a << c->currentText();
    return a;
}

void ImportDumpDialog::setAxes(const QStringList& axes)
{
    for (int i = 0; i < axisCombos_.size() && i < axes.size(); ++i) axisCombos_[i]->setCurrentText(axes[i]);
    revalidate();
}

bool ImportDumpDialog::setTokensFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return false;
    tokens_.clear();
    for (const auto& w : QString::fromUtf8(f.readAll()).split(QRegularExpression("\\s+"), Qt::SkipEmptyParts))
        tokens_.push_back(w.toStdString());
    tokensInfo_->setText(tr("%1 tokens from %2").arg(tokens_.size()).arg(QFileInfo(path).fileName()));
    revalidate();
    return true;
}

QString ImportDumpDialog::message() const { return message_->text(); }

void ImportDumpDialog::revalidate()
{
    ImportOptions o;
    for (const auto& a : axes()) o.axes.push_back(a.toStdString());
    o.tokens = tokens_;
    auto t = std::make_shared<AttentionTrace>();
    const Status st = mapDump(dump_, o, *t);
    trace_ = st ? t : nullptr;
    if (!st) message_->setText(QStringLiteral("<span style='color:#b00020'>%1</span>").arg(QString::fromStdString(st.message).toHtmlEscaped()));
    else {
        const auto& s = t->tensors[0].shape;
        QString text = tr("→ %1 layers × %2 heads × %3 queries × %4 keys").arg(s[0]).arg(s[1]).arg(s[2]).arg(s[3]);
        if (!t->meta(schema::kWarningMeta).empty()) text += "<br><span style='color:#8a6d00'>" + QString::fromStdString(t->meta(schema::kWarningMeta)).toHtmlEscaped() + "</span>";
        message_->setText(text);
    }
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(bool(trace_));
}

} // namespace attnscope::ui
