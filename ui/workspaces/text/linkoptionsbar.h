#pragma once
// How the Text workspace reads alignment links from attention (argmax, threshold τ, gdfa,
// shift: attnscope/alignment.h) and whether subword pieces are shown as words: the controls
// beside the decoding mode. Every view of the workspace follows what it emits.
#include "attnscope/alignment.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;

namespace attnscope::ui {

class LinkOptionsBar : public QWidget {
    Q_OBJECT
public:
    explicit LinkOptionsBar(const LinkOptions& initial, QWidget* parent = nullptr);
    /// Shows `links` (no signal).
    void setOptions(const LinkOptions& links);
    bool words() const;
    /// Checks or clears the Words toggle (no signal).
    void setWords(bool on);
    /// The Words toggle is shown only for traces whose labels carry subword marks.
    void setWordsAvailable(bool available);

signals:
    void optionsChanged(const LinkOptions& links);
    void wordsToggled(bool on);

private:
    LinkOptions links_;
    QComboBox* method_;
    QDoubleSpinBox* threshold_;
    QCheckBox* words_;
};

} // namespace attnscope::ui
