#include "views/probabilityview.h"

#include <QPainter>

#include <algorithm>
#include <numeric>

namespace attnscope::ui {

ProbabilityView::ProbabilityView(QWidget* parent) : QWidget(parent)
{
    setMinimumHeight(60);
    setToolTip(tr("Softmax probabilities of the most likely classes; ✓ marks the true class when it is known"));
}

void ProbabilityView::setProbabilities(const std::vector<float>& p, const QStringList& names, int trueClass, int top)
{
    p_ = p;
    names_ = names;
    true_ = trueClass;
    shown_.resize(p.size());
    std::iota(shown_.begin(), shown_.end(), 0);
    std::stable_sort(shown_.begin(), shown_.end(), [&](int a, int b) { return p[size_t(a)] > p[size_t(b)]; });
    if (int(shown_.size()) > top) shown_.resize(size_t(top));
    update();
}

void ProbabilityView::clear()
{
    p_.clear();
    shown_.clear();
    update();
}

void ProbabilityView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    const int rowH = std::max(16, std::min(24, (height() - 4) / std::max<int>(1, int(shown_.size()))));
    const int labelW = 110, pctW = 56;
    const int barW = std::max(10, width() - labelW - pctW - 12);
    for (size_t i = 0; i < shown_.size(); ++i) {
        const int k = shown_[i];
        const int y = 4 + int(i) * rowH;
        QString name = k < names_.size() ? names_[k] : QString::number(k);
        if (k == true_) name += QStringLiteral(" ✓");
        p.setPen(palette().text().color());
        QFont f = font();
        f.setBold(i == 0);
        p.setFont(f);
        p.drawText(QRect(4, y, labelW - 6, rowH), Qt::AlignRight | Qt::AlignVCenter, name);
        const QColor c = i == 0 ? palette().highlight().color() : palette().mid().color();
        p.fillRect(QRect(labelW, y + 3, int(barW * double(p_[size_t(k)])), rowH - 6), c);
        p.drawText(QRect(labelW + barW + 4, y, pctW, rowH), Qt::AlignLeft | Qt::AlignVCenter,
                   QString::number(100.0 * double(p_[size_t(k)]), 'f', 1) + "%");
    }
}

} // namespace attnscope::ui
