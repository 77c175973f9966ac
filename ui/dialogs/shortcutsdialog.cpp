#include "dialogs/shortcutsdialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace attnscope::ui {

ShortcutsDialog::ShortcutsDialog(const QList<Group>& groups, QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Keyboard shortcuts"));
    setObjectName("shortcutsDialog");
    search_ = new QLineEdit(this);
    search_->setPlaceholderText(tr("Search keys and commands…"));
    search_->setClearButtonEnabled(true);
    tree_ = new QTreeWidget(this);
    tree_->setObjectName("shortcutList");
    tree_->setColumnCount(2);
    tree_->setHeaderLabels({tr("Keys"), tr("What they do")});
    tree_->setRootIsDecorated(false);
    tree_->setAlternatingRowColors(true);
    for (const Group& g : groups) {
        if (g.keys.isEmpty()) continue;
        auto* head = new QTreeWidgetItem(tree_, {g.title});
        QFont f = head->font(0);
        f.setBold(true);
        head->setFont(0, f);
        head->setFirstColumnSpanned(true);
        for (const ShortcutInfo& k : g.keys) new QTreeWidgetItem(head, {k.keys, k.description});
    }
    tree_->expandAll();
    tree_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    connect(search_, &QLineEdit::textChanged, this, &ShortcutsDialog::filter);
    auto* l = new QVBoxLayout(this);
    l->addWidget(search_);
    l->addWidget(tree_, 1);
    l->addWidget(buttons);
    resize(640, 620);
}

int ShortcutsDialog::count() const
{
    int n = 0;
    for (int i = 0; i < tree_->topLevelItemCount(); ++i) n += tree_->topLevelItem(i)->childCount();
    return n;
}

void ShortcutsDialog::filter(const QString& text)
{
    for (int i = 0; i < tree_->topLevelItemCount(); ++i) {
        QTreeWidgetItem* g = tree_->topLevelItem(i);
        int shown = 0;
        for (int k = 0; k < g->childCount(); ++k) {
            QTreeWidgetItem* item = g->child(k);
            const bool match = text.isEmpty() || item->text(0).contains(text, Qt::CaseInsensitive) ||
                               item->text(1).contains(text, Qt::CaseInsensitive);
            item->setHidden(!match);
            shown += match ? 1 : 0;
        }
        g->setHidden(shown == 0);
    }
}

} // namespace attnscope::ui
