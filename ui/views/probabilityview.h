#pragma once
// ProbabilityView: the classifier's top classes as horizontal bars with percentages; the
// predicted class first, the true class (when known) marked.
#include <QWidget>

#include <vector>

namespace attnscope::ui {

class ProbabilityView : public QWidget {
    Q_OBJECT
public:
    explicit ProbabilityView(QWidget* parent = nullptr);
    void setProbabilities(const std::vector<float>& p, const QStringList& names, int trueClass = -1, int top = 5);
    void clear();
    /// Classes in drawing order (most probable first).
    const std::vector<int>& shown() const { return shown_; }
    QSize sizeHint() const override { return {260, 22 * 5 + 8}; }

protected:
    void paintEvent(QPaintEvent*) override;

private:
    std::vector<float> p_;
    std::vector<int> shown_;
    QStringList names_;
    int true_ = -1;
};

} // namespace attnscope::ui
