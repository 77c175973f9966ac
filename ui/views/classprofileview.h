#pragma once
// ClassProfileView: mean excitation of every channel of one block for each class over the
// test set (the SE paper's Fig. 6, Hu et al. 2018), one line per class, with the current
// image's excitation drawn over them in black.
#include <QWidget>

#include <vector>

class QCustomPlot;

namespace attnscope::ui {

class ClassProfileView : public QWidget {
    Q_OBJECT
public:
    explicit ClassProfileView(QWidget* parent = nullptr);
    /// profile: classes × channels, row-major; names: one per class.
    void setProfiles(const std::vector<float>& profile, int classes, int channels, const QStringList& names);
    /// The current image's excitation (one value per channel); empty hides it.
    void setCurrent(const std::vector<float>& excitation, const QString& label);
    void clear();
    /// Plot graphs drawn: one per class, plus one for the current image when shown.
    int graphCount() const;
    QCustomPlot* plot() const { return plot_; }

private:
    void replot();
    QCustomPlot* plot_;
    std::vector<float> profile_, current_;
    int classes_ = 0, channels_ = 0;
    QStringList names_;
    QString currentLabel_;
};

} // namespace attnscope::ui
