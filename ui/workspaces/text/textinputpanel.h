#pragma once
// The inputs of the Text workspace: the verse picker, the model picker, the Spanish text (typed,
// pasted or read from a file), the English reference, free or forced decoding, how links are
// read, and Translate. It lays them out; what they do is the workspace's.
#include "attnscope/alignment.h"

#include <QWidget>

class QAbstractButton;
class QComboBox;
class QPlainTextEdit;
class QPushButton;
class QRadioButton;

namespace attnscope::ui {

class InputFileButton;
class LinkOptionsBar;
class VersePicker;

class TextInputPanel : public QWidget {
    Q_OBJECT
public:
    TextInputPanel(const LinkOptions& links, QWidget* parent = nullptr);

    VersePicker* versePicker() const { return verse_; }
    QComboBox* modelPicker() const { return model_; }
    QPlainTextEdit* source() const { return source_; }
    QPlainTextEdit* reference() const { return reference_; }
    InputFileButton* inputFile() const { return inputFile_; }
    QRadioButton* freeMode() const { return free_; }
    QRadioButton* forcedMode() const { return forced_; }
    LinkOptionsBar* linkBar() const { return links_; }
    QPushButton* translateButton() const { return translate_; }

signals:
    /// Free or forced decoding was chosen (by the user or in code).
    void modeChosen();

private:
    VersePicker* verse_;
    QComboBox* model_;
    QPlainTextEdit* source_;
    QPlainTextEdit* reference_;
    InputFileButton* inputFile_;
    QRadioButton* free_;
    QRadioButton* forced_;
    LinkOptionsBar* links_;
    QPushButton* translate_;
};

} // namespace attnscope::ui
