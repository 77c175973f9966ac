#include "views/classprofileview.h"

#include <qcustomplot.h>

#include <QVBoxLayout>

namespace attnscope::ui {

ClassProfileView::ClassProfileView(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this))
{
    auto* l = new QVBoxLayout(this);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(plot_);
    plot_->xAxis->setLabel(tr("channel"));
    plot_->yAxis->setLabel(tr("mean excitation"));
    plot_->legend->setVisible(true);
    QFont f = font();
    f.setPointSizeF(std::max(6.0, f.pointSizeF() * 0.8));
    plot_->legend->setFont(f);
    // Excitations sit well above 0: a compact two-row legend at the bottom covers no line.
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot_->legend->setWrap(6);
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal);
    plot_->axisRect()->setRangeDrag(Qt::Horizontal);
    plot_->setToolTip(tr("Mean excitation of each channel per class over the test set (Hu et al. 2018, Fig. 6). "
                         "Black: the current image. Drag or wheel to pan and zoom the channels."));
}

void ClassProfileView::setProfiles(const std::vector<float>& profile, int classes, int channels, const QStringList& names)
{
    profile_ = profile;
    classes_ = classes;
    channels_ = channels;
    names_ = names;
    replot();
}

void ClassProfileView::setCurrent(const std::vector<float>& excitation, const QString& label)
{
    current_ = excitation;
    currentLabel_ = label;
    replot();
}

void ClassProfileView::clear()
{
    profile_.clear();
    current_.clear();
    classes_ = channels_ = 0;
    replot();
}

int ClassProfileView::graphCount() const { return plot_->graphCount(); }

void ClassProfileView::replot()
{
    plot_->clearGraphs();
    // Tableau 10: distinct for ten classes.
    static const QColor colours[10] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),  QColor(214, 39, 40),
                                       QColor(148, 103, 189), QColor(140, 86, 75),  QColor(227, 119, 194), QColor(127, 127, 127),
                                       QColor(188, 189, 34),  QColor(23, 190, 207)};
    QVector<double> xs;
    const int n = channels_ > 0 ? channels_ : int(current_.size());
    for (int c = 0; c < n; ++c) xs.append(c);
    for (int k = 0; k < classes_ && size_t(classes_ * channels_) == profile_.size(); ++k) {
        QVector<double> ys;
        for (int c = 0; c < channels_; ++c) ys.append(profile_[size_t(k * channels_ + c)]);
        auto* g = plot_->addGraph();
        g->setData(xs, ys, true);
        g->setPen(QPen(colours[k % 10], 1.2));
        g->setName(k < names_.size() ? names_[k] : QString::number(k));
    }
    if (!current_.empty() && int(current_.size()) == n) {
        QVector<double> ys(current_.begin(), current_.end());
        auto* g = plot_->addGraph();
        g->setData(xs, ys, true);
        g->setPen(QPen(palette().text().color(), 2.4));
        g->setName(currentLabel_.isEmpty() ? tr("this image") : currentLabel_);
    }
    plot_->xAxis->setRange(-0.5, std::max(1, n) - 0.5);
    plot_->yAxis->setRange(0, 1.02);
    plot_->replot();
}

} // namespace attnscope::ui
