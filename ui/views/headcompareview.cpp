#include "views/headcompareview.h"

#include "attnscope/alignment.h"
#include "attnscope/headstats.h"
#include "views/colormaps.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

namespace {
QImage indexed(const std::vector<float>& v, int rows, int cols, const QVector<QRgb>& table, bool signedValues)
{
    QImage img(cols, rows, QImage::Format_Indexed8);
    img.setColorTable(table);
    for (int r = 0; r < rows; ++r) {
        uchar* line = img.scanLine(r);
        for (int c = 0; c < cols; ++c) {
            const float x = v[size_t(r * cols + c)];
            const float u = signedValues ? (x + 1.0f) * 0.5f : x;  // [−1, 1] → [0, 1]
            line[c] = uchar(std::clamp(int(u * 255.0f + 0.5f), 0, 255));
        }
    }
    return img;
}

double headAer(const TraceTensor& head, const AttentionTrace* gold)
{
    AlignmentScore s;
    return gold && scoreHead(head, *gold, s) ? s.aer() : std::numeric_limits<double>::quiet_NaN();
}
} // namespace

HeadCompareView::HeadCompareView(QWidget* parent) : QWidget(parent)
{
    setMinimumHeight(240);
    setToolTip(tr("Left: head A, middle: head B, right: A − B (red: A attends more, blue: B attends more) "
                  "with the Jensen–Shannon divergence of each row"));
}

bool HeadCompareView::setHeads(const TraceTensor& a, const QString& nameA, const TraceTensor& b, const QString& nameB,
                               const AttentionTrace* gold, QString* error)
{
    if (a.shape.size() != 2 || a.shape != b.shape || a.numel() == 0) {
        if (error) *error = tr("only heads of the same 2-D shape can be compared");
        rows_ = cols_ = 0;
        update();
        return false;
    }
    rows_ = int(a.shape[0]);
    cols_ = int(a.shape[1]);
    nameA_ = nameA;
    nameB_ = nameB;
    cmp_ = HeadComparison{};
    cmp_.jsdRows = jsDivergenceRows(a.values.data(), b.values.data(), rows_, cols_);
    cmp_.jsd = jsDivergence(a.values.data(), b.values.data(), rows_, cols_);
    cmp_.pearson = pearson(a.values.data(), b.values.data(), a.values.size());
    cmp_.entropyA = meanEntropy(a.values.data(), rows_, cols_);
    cmp_.entropyB = meanEntropy(b.values.data(), rows_, cols_);
    cmp_.aerA = headAer(a, gold);
    cmp_.aerB = headAer(b, gold);
    std::vector<float> d(a.values.size());
    for (size_t i = 0; i < d.size(); ++i) d[i] = a.values[i] - b.values[i];
    const auto seq = colorTable("viridis");
    imageA_ = indexed(a.values, rows_, cols_, seq, false);
    imageB_ = indexed(b.values, rows_, cols_, seq, false);
    diff_ = indexed(d, rows_, cols_, divergingTable(), true);
    update();
    return true;
}

QString HeadCompareView::summary() const
{
    if (rows_ == 0) return {};
    auto aer = [](double x) { return std::isnan(x) ? QStringLiteral("—") : QString::number(100 * x, 'f', 1) + "%"; };
    return tr("JSD %1 bits · Pearson r %2 · entropy A %3, B %4 bits · AER A %5, B %6")
        .arg(cmp_.jsd, 0, 'f', 3)
        .arg(cmp_.pearson, 0, 'f', 3)
        .arg(cmp_.entropyA, 0, 'f', 2)
        .arg(cmp_.entropyB, 0, 'f', 2)
        .arg(aer(cmp_.aerA), aer(cmp_.aerB));
}

void HeadCompareView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    if (rows_ == 0) {
        p.drawText(rect(), Qt::AlignCenter, tr("Shift+click two heads in the Heads tab to compare them"));
        return;
    }
    const int title = fontMetrics().height() + 6, footer = fontMetrics().height() + 8, bars = 60, gap = 12;
    const int side = std::max(20, std::min((width() - 4 * gap - bars) / 3, height() - title - footer - 8));
    const double aspect = double(rows_) / double(cols_);
    const int w = aspect > 1 ? int(side / aspect) : side, h = aspect > 1 ? side : int(side * aspect);
    const QString names[3] = {tr("A: %1").arg(nameA_), tr("B: %1").arg(nameB_), tr("A − B")};
    const QImage* images[3] = {&imageA_, &imageB_, &diff_};
    for (int k = 0; k < 3; ++k) {
        const QRect r(gap + k * (side + gap), title, w, h);
        p.setPen(palette().text().color());
        p.drawText(QRect(r.left(), 0, side, title), Qt::AlignLeft | Qt::AlignVCenter, names[k]);
        p.drawImage(r, *images[k]);
        p.setPen(palette().mid().color());
        p.drawRect(r.adjusted(0, 0, -1, -1));
    }
    // JSD per row as horizontal bars next to the difference map (full width = 1 bit).
    const int bx = gap + 3 * (side + gap);
    p.setPen(palette().text().color());
    p.drawText(QRect(bx, 0, bars + 40, title), Qt::AlignLeft | Qt::AlignVCenter, tr("JSD/row"));
    const double rowH = double(h) / rows_;
    p.setPen(Qt::NoPen);
    p.setBrush(QColor("#b2182b"));
    for (int r = 0; r < rows_; ++r)
        p.drawRect(QRectF(bx, title + r * rowH, bars * cmp_.jsdRows[size_t(r)], std::max(1.0, rowH - 1)));
    p.setPen(palette().text().color());
    p.drawText(QRect(gap, title + h + 4, width() - 2 * gap, footer), Qt::AlignLeft | Qt::AlignVCenter, summary());
}

} // namespace attnscope::ui
