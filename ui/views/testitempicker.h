#pragma once
// TestItemPicker: "test #12 ⟳" — picks an item of a built-in test set (a Fashion-MNIST test
// image, a generated scene or clip) by number or at random, and says "file: name.png" instead
// of a number while a user file is on screen, so a stale test number never looks shown.
#include <QWidget>

class QPushButton;
class QSpinBox;

namespace attnscope::ui {

class TestItemPicker : public QWidget {
    Q_OBJECT
public:
    /// `prefix` e.g. "test #"; items 0 … count − 1; `toolTip` says what the items are.
    TestItemPicker(const QString& prefix, int count, const QString& toolTip, QWidget* parent = nullptr);
    /// Shows item `index` as the one on screen (no signal).
    void showItem(int index);
    /// Shows that a file is on screen, not a test item (no signal).
    void showFile(const QString& path);
    /// The test item on screen, or −1 while a file is.
    int item() const;
    bool showsFile() const;
    QSpinBox* spinBox() const { return spin_; }
    QPushButton* randomButton() const { return random_; }

signals:
    /// The user asked for test item `index` (typed and Enter, or Random).
    void itemPicked(int index);

private:
    QSpinBox* spin_;
    QPushButton* random_;
};

} // namespace attnscope::ui
