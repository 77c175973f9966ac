#include "views/headcompareview.h"

#include "attnscope/alignment.h"
#include "attnscope/headstats.h"
#include "views/colormaps.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

namespace {
QImage indexed(const std::vector<float>& v, int rows, int cols, const QVector<QRgb>& table, bool signedValues)
{
    // [−1, 1] → [0, 1] for differences; NaN / Inf cells are no value.
    return tableImage(v.data(), rows, cols, table, signedValues ? +[](float x) { return (double(x) + 1.0) * 0.5; } : nullptr);
}

} // namespace

HeadCompareView::HeadCompareView(QWidget* parent) : QWidget(parent)
{
    setMinimumHeight(240);
    setMouseTracking(true);
    setToolTip(tr("Left: head A, middle: head B, right: A − B (red: A attends more, blue: B attends more) "
                  "with the Jensen–Shannon divergence of each row"));
}

bool HeadCompareView::setHeads(const TraceTensor& a, const QString& nameA, const TraceTensor& b, const QString& nameB,
                               const HeadComparison& comparison, QString* error)
{
    if (a.shape.size() != 2 || a.shape != b.shape || a.numel() == 0 || comparison.jsdRows.size() != size_t(a.shape[0])) {
        if (error) *error = tr("only heads of the same 2-D shape can be compared");
        rows_ = cols_ = 0;
        update();
        return false;
    }
    rows_ = int(a.shape[0]);
    cols_ = int(a.shape[1]);
    a_ = a.values;
    b_ = b.values;
    rowLabels_.clear();
    colLabels_.clear();
    if (a.labels.size() == 2 && int(a.labels[0].size()) == rows_ && int(a.labels[1].size()) == cols_) {
        for (const auto& w : a.labels[0]) rowLabels_ << QString::fromStdString(w);
        for (const auto& w : a.labels[1]) colLabels_ << QString::fromStdString(w);
    }
    nameA_ = nameA;
    nameB_ = nameB;
    cmp_ = comparison;
    std::vector<float> d(a.values.size());
    for (size_t i = 0; i < d.size(); ++i) d[i] = a.values[i] - b.values[i];
    const auto seq = colorTable(colorMap_);
    imageA_ = indexed(a.values, rows_, cols_, seq, false);
    imageB_ = indexed(b.values, rows_, cols_, seq, false);
    diff_ = indexed(d, rows_, cols_, divergingTable(), true);
    update();
    return true;
}

void HeadCompareView::setColorMap(const QString& name)
{
    colorMap_ = name;
    if (rows_ == 0) return;
    const auto seq = colorTable(colorMap_);
    imageA_ = indexed(a_, rows_, cols_, seq, false);
    imageB_ = indexed(b_, rows_, cols_, seq, false);
    update();
}

QString HeadCompareView::summary() const
{
    if (rows_ == 0) return {};
    auto aer = [](double x) { return std::isnan(x) ? QStringLiteral("—") : QString::number(100 * x, 'f', 1) + "%"; };
    const bool argmax = links_.method == LinkMethod::Argmax;
    return tr("JSD %1 bits · Pearson r %2 · entropy A %3, B %4 bits · AER A %5, B %6%7")
        .arg(cmp_.jsd, 0, 'f', 3)
        .arg(cmp_.pearson, 0, 'f', 3)
        .arg(cmp_.entropyA, 0, 'f', 2)
        .arg(cmp_.entropyB, 0, 'f', 2)
        .arg(aer(cmp_.aerA), aer(cmp_.aerB))
        .arg(argmax || (std::isnan(cmp_.aerA) && std::isnan(cmp_.aerB))
                 ? QString()
                 : QStringLiteral(" (%1)").arg(QString::fromStdString(describeLinks(links_))));
}

HeadCompareView::Layout HeadCompareView::layout() const
{
    Layout L;
    const QFontMetrics fm = fontMetrics();
    L.title = fm.height() + 6;
    L.footer = fm.height() + 8;
    // Token labels: row labels left of the maps, column labels below them (rotated).
    int longest = 0;
    for (const auto& w : rowLabels_) longest = std::max(longest, fm.horizontalAdvance(w));
    for (const auto& w : colLabels_) longest = std::max(longest, fm.horizontalAdvance(w));
    L.labelRoom = rowLabels_.isEmpty() ? 0 : std::min(longest, 90) + 6;
    L.left = L.gap + L.labelRoom;
    L.colorBar = colorBarWidth(fm);
    L.side = std::max(20, std::min((width() - L.left - 4 * L.gap - L.bars - 2 * L.colorBar) / 3,
                                   height() - L.title - L.footer - L.labelRoom - 8));
    const double aspect = double(std::max(rows_, 1)) / double(std::max(cols_, 1));
    L.w = aspect > 1 ? int(L.side / aspect) : L.side;
    L.h = aspect > 1 ? L.side : int(L.side * aspect);
    return L;
}

QRect HeadCompareView::mapRect(int which) const
{
    const Layout L = layout();
    // A and B share one colour bar (after B); the difference has its own (after A − B).
    return QRect(L.left + which * (L.side + L.gap) + (which == 2 ? L.colorBar : 0), L.title, L.w, L.h);
}

QRect HeadCompareView::colorBarRect(int which) const
{
    const Layout L = layout();
    const QRect m = mapRect(which == 0 ? 1 : 2);
    return QRect(m.left() + L.side + 4, m.top(), L.colorBar - 4, L.h);
}

QString HeadCompareView::cellText(int row, int col) const
{
    if (row < 0 || col < 0 || row >= rows_ || col >= cols_) return {};
    const size_t i = size_t(row) * size_t(cols_) + size_t(col);
    const QString pair = rowLabels_.isEmpty() ? tr("row %1 ← column %2").arg(row + 1).arg(col + 1)
                                              : QStringLiteral("%1 ← %2").arg(rowLabels_[row], colLabels_[col]);
    return tr("%1: A %2 · B %3 · A − B %4 · row JSD %5 bits")
        .arg(pair)
        .arg(a_[i], 0, 'f', 3)
        .arg(b_[i], 0, 'f', 3)
        .arg(double(a_[i]) - double(b_[i]), 0, 'f', 3)
        .arg(cmp_.jsdRows[size_t(row)], 0, 'f', 3);
}

void HeadCompareView::mouseMoveEvent(QMouseEvent* e)
{
    for (int k = 0; k < 3; ++k) {
        const QRect r = mapRect(k);
        if (rows_ == 0 || !r.contains(e->position().toPoint())) continue;
        const int col = std::clamp(int((e->position().x() - r.left()) * cols_ / std::max(1, r.width())), 0, cols_ - 1);
        const int row = std::clamp(int((e->position().y() - r.top()) * rows_ / std::max(1, r.height())), 0, rows_ - 1);
        QToolTip::showText(e->globalPosition().toPoint(), cellText(row, col), this);
        return;
    }
    QToolTip::hideText();
}

void HeadCompareView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    if (rows_ == 0) {
        p.drawText(rect(), Qt::AlignCenter, tr("Choose heads A and B above and press Compare, or Shift+click two heads in the Heads tab"));
        return;
    }
    const Layout L = layout();
    const QString names[3] = {tr("A: %1").arg(nameA_), tr("B: %1").arg(nameB_), tr("A − B")};
    const QImage* images[3] = {&imageA_, &imageB_, &diff_};
    const QFontMetrics fm = fontMetrics();
    for (int k = 0; k < 3; ++k) {
        const QRect r = mapRect(k);
        p.setPen(palette().text().color());
        p.drawText(QRect(r.left(), 0, L.side, L.title), Qt::AlignLeft | Qt::AlignVCenter,
                   fm.elidedText(names[k], Qt::ElideMiddle, L.side));
        p.drawImage(r, *images[k]);
        p.setPen(palette().mid().color());
        p.drawRect(r.adjusted(0, 0, -1, -1));
        if (colLabels_.isEmpty()) continue;
        // Column labels under each map, rotated, thinned so they never overlap.
        const double cw = double(L.w) / cols_;
        const int stepC = std::max(1, int(std::ceil((fm.height() + 1) / cw)));
        p.setPen(palette().text().color());
        for (int c = 0; c < cols_; c += stepC) {
            p.save();
            p.translate(r.left() + (c + 0.5) * cw + fm.ascent() / 2.0 - 1, r.bottom() + 4);
            p.rotate(-90);
            p.drawText(QRect(-L.labelRoom, -fm.ascent(), L.labelRoom - 2, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
                       fm.elidedText(colLabels_[c], Qt::ElideRight, L.labelRoom - 2));
            p.restore();
        }
    }
    if (!rowLabels_.isEmpty()) {  // row labels left of map A
        const QRect r = mapRect(0);
        const double rh = double(L.h) / rows_;
        const int stepR = std::max(1, int(std::ceil((fm.height() + 1) / rh)));
        p.setPen(palette().text().color());
        for (int row = 0; row < rows_; row += stepR)
            p.drawText(QRectF(L.gap, r.top() + (row + 0.5) * rh - fm.height() / 2.0, L.labelRoom - 4, fm.height()),
                       Qt::AlignRight | Qt::AlignVCenter, fm.elidedText(rowLabels_[row], Qt::ElideRight, L.labelRoom - 4));
    }
    paintColorBar(p, colorBarRect(0), colorTable(colorMap_), 0, 1, palette());
    paintColorBar(p, colorBarRect(1), divergingTable(), -1, 1, palette());
    // JSD per row as horizontal bars next to the difference map (full width = 1 bit).
    const int bx = mapRect(2).left() + L.side + L.colorBar + L.gap;
    const int top = L.title, h = L.h;
    p.setPen(palette().text().color());
    p.drawText(QRect(bx, 0, L.bars + 40, L.title), Qt::AlignLeft | Qt::AlignVCenter, tr("JSD/row"));
    const double rowH = double(h) / rows_;
    p.setPen(Qt::NoPen);
    p.setBrush(QColor("#b2182b"));
    for (int r = 0; r < rows_; ++r)
        p.drawRect(QRectF(bx, top + r * rowH, L.bars * cmp_.jsdRows[size_t(r)], std::max(1.0, rowH - 1)));
    p.setPen(palette().text().color());
    p.drawText(QRect(L.gap, top + h + L.labelRoom + 4, width() - 2 * L.gap, L.footer), Qt::AlignLeft | Qt::AlignVCenter, summary());
}

} // namespace attnscope::ui
