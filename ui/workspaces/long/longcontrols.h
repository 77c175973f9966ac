#pragma once
// The two control rows of the Long attention workspace: where the attention comes from (Open…,
// a book of the corpus through the encoder, progress and Cancel) and which head is shown and
// how it is coloured (tensor, layer, head, colour scale, percentile clip, pixel reduction, the
// attention-sink share, go to a token). It lays them out; the workspace wires them.
#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace attnscope::ui {

class LongControls : public QWidget {
    Q_OBJECT
public:
    explicit LongControls(QWidget* parent = nullptr);

    QPushButton* open;
    QComboBox* book;
    QPushButton* encode;
    QProgressBar* progress;
    QPushButton* cancel;
    QLabel* activity;
    QComboBox* tensor;
    QSpinBox* layer;
    QSpinBox* head;
    QComboBox* scale;
    QDoubleSpinBox* percentile;
    QComboBox* reduce;
    QDoubleSpinBox* sinkShare;
    QLineEdit* goTo;  ///< "go to token": an index (from 0) or a token's text (the next match)
};

} // namespace attnscope::ui
