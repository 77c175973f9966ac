#pragma once
// ImageComparePanel: two images through the same model — the excitation of every channel of
// one block for A and B side by side, their difference A − B (diverging colours), how
// similar the two channel profiles are, and B's prediction.
#include "attnscope/trace.h"

#include <QWidget>

#include <memory>

class QLabel;
class QSpinBox;

namespace attnscope::ui {

class ChannelBarView;
class TestItemPicker;

class ImageComparePanel : public QWidget {
    Q_OBJECT
public:
    explicit ImageComparePanel(QWidget* parent = nullptr);
    void setTraces(std::shared_ptr<const AttentionTrace> a, std::shared_ptr<const AttentionTrace> b, int block, bool sorted);
    ChannelBarView* pairBars() const { return pair_; }
    ChannelBarView* differenceBars() const { return diff_; }
    QLabel* summary() const { return summary_; }
    TestItemPicker* pickerB() const { return pickerB_; }

signals:
    void openImageBRequested();
    void testImageBRequested(int index);

private:
    ChannelBarView* pair_;
    ChannelBarView* diff_;
    QLabel* summary_;
    TestItemPicker* pickerB_;
};

} // namespace attnscope::ui
