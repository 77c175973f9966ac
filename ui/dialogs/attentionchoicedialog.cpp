#include "dialogs/attentionchoicedialog.h"

#include "attnscope/onnxmodel.h"
#include "attnscope/visionmodel.h"
#include "settings.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>

namespace attnscope::ui {

QStringList chosenAttention(const QString& model) { return settings::get(settings::ChosenAttention).value(model).toStringList(); }

void setChosenAttention(const QString& model, const QStringList& nodes)
{
    QVariantMap map = settings::get(settings::ChosenAttention);
    if (nodes.isEmpty()) map.remove(model);
    else map[model] = nodes;
    settings::set(settings::ChosenAttention, map);
}

AttentionChoiceDialog::AttentionChoiceDialog(const QString& model, QWidget* parent) : QDialog(parent), model_(model)
{
    setWindowTitle(tr("Attention to show"));
    resize(560, 420);
    auto* l = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Every Softmax of Q·Kᵀ in the graph, in graph order. Checked ones are shown as layers of the "
                                "attention tensor (tensors of other sizes separately); the choice is kept for this model."),
                             this);
    intro->setWordWrap(true);
    l->addWidget(intro);
    list_ = new QListWidget(this);
    list_->setObjectName("attentionList");
    l->addWidget(list_, 1);
    std::string error;
    const std::string path = visionModelPath(model.toStdString(), &error);
    OnnxInspection o;
    const Status st = path.empty() ? Status::error(error) : inspectOnnx(path, o);
    const QStringList chosen = chosenAttention(model);
    int count = 0;
    if (st)
        for (const auto& a : o.attention) {
            if (a.kind != OnnxAttention::Kind::Softmax) continue;
            QString shape;
            for (int64_t d : a.shape) shape += (shape.isEmpty() ? "" : " × ") + (d < 0 ? QStringLiteral("?") : QString::number(d));
            auto* item = new QListWidgetItem(tr("layer %1 · %2 → %3 %4")
                                                 .arg(a.layer + 1)
                                                 .arg(QString::fromStdString(a.node), QString::fromStdString(a.output),
                                                      shape.isEmpty() ? tr("(shape known when run)") : "[" + shape + "]"),
                                             list_);
            item->setData(Qt::UserRole, QString::fromStdString(a.node));
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(chosen.isEmpty() || chosen.contains(QString::fromStdString(a.node)) ? Qt::Checked : Qt::Unchecked);
            ++count;
        }
    if (count == 0) {
        auto* item = new QListWidgetItem(st ? tr("The graph has no Softmax attention (channel gates are always shown).")
                                            : QString::fromStdString(st.message),
                                         list_);
        item->setFlags(Qt::NoItemFlags);
    }
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    l->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        save();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

QStringList AttentionChoiceDialog::chosen() const
{
    QStringList nodes;
    int all = 0;
    for (int i = 0; i < list_->count(); ++i) {
        const auto* item = list_->item(i);
        if (!(item->flags() & Qt::ItemIsUserCheckable)) continue;
        ++all;
        if (item->checkState() == Qt::Checked) nodes << item->data(Qt::UserRole).toString();
    }
    if (nodes.size() == all) return {};           // all: nothing to remember
    if (nodes.isEmpty()) return {QStringLiteral("(none)")};  // matches no node: channel gates only
    return nodes;
}

void AttentionChoiceDialog::save() const { setChosenAttention(model_, chosen()); }

} // namespace attnscope::ui
