#pragma once
// Help → Keyboard shortcuts (F1): every key of the window's menus and of every workspace
// (its commands and the keys its views handle), grouped, searchable. Non-modal.
#include "workspace.h"

#include <QDialog>

class QLineEdit;
class QTreeWidget;

namespace attnscope::ui {

class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    struct Group {
        QString title;
        QList<ShortcutInfo> keys;
    };
    ShortcutsDialog(const QList<Group>& groups, QWidget* parent = nullptr);
    QTreeWidget* tree() const { return tree_; }
    /// Number of listed keys (all groups).
    int count() const;

private:
    void filter(const QString& text);
    QLineEdit* search_;
    QTreeWidget* tree_;
};

} // namespace attnscope::ui
