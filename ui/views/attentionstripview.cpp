#include "views/attentionstripview.h"

#include "views/colormaps.h"

#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace attnscope::ui {

AttentionStripView::AttentionStripView(QWidget* parent) : QWidget(parent), table_(colorTable("viridis"))
{
    setMouseTracking(true);
    setMinimumHeight(72);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setFixedHeight(96);
}

void AttentionStripView::setData(Mode mode, int64_t index, std::vector<float> values, QStringList labels, bool causal)
{
    mode_ = mode;
    index_ = index;
    values_ = std::move(values);
    labels_ = labels.size() == qsizetype(values_.size()) ? std::move(labels) : QStringList();
    causal_ = causal;
    max_ = values_.empty() ? 0.f : *std::max_element(values_.begin(), values_.end());
    update();
}

void AttentionStripView::clear()
{
    values_.clear();
    index_ = -1;
    update();
}

void AttentionStripView::setColorScale(const ColorScale& scale, const QVector<QRgb>& table)
{
    scale_ = scale;
    table_ = table;
    update();
}

std::vector<std::pair<int64_t, float>> AttentionStripView::topK(int k) const
{
    std::vector<int64_t> idx(values_.size());
    std::iota(idx.begin(), idx.end(), int64_t(0));
    const size_t n = std::min(idx.size(), size_t(std::max(0, k)));
    std::partial_sort(idx.begin(), idx.begin() + long(n), idx.end(),
                      [this](int64_t a, int64_t b) { return values_[size_t(a)] > values_[size_t(b)]; });
    std::vector<std::pair<int64_t, float>> out;
    for (size_t i = 0; i < n; ++i) out.emplace_back(idx[i], values_[size_t(idx[i])]);
    return out;
}

QRect AttentionStripView::plot() const { return rect().adjusted(8, 18, -8, -6); }

int64_t AttentionStripView::positionAt(int x) const
{
    const QRect p = plot();
    if (values_.empty() || x < p.left() || x > p.right()) return -1;
    return std::clamp<int64_t>(int64_t(double(x - p.left()) / p.width() * double(values_.size())), 0, int64_t(values_.size()) - 1);
}

QString AttentionStripView::positionText(int64_t i) const
{
    if (i < 0 || i >= int64_t(values_.size())) return {};
    const QString what = mode_ == Mode::Row ? tr("key") : tr("query");
    const QString token = labels_.isEmpty() ? QString() : QStringLiteral(" “%1”").arg(labels_[int(i)]);
    return QStringLiteral("%1 %2%3: %4").arg(what, countText(i), token, weightText(values_[size_t(i)]));
}

void AttentionStripView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    const QRect r = plot();
    const QFontMetrics fm = p.fontMetrics();
    p.setPen(palette().text().color());
    if (values_.empty()) {
        p.drawText(rect(), Qt::AlignCenter,
                   mode_ == Mode::Row ? tr("Click a row of the matrix: what that query looks at")
                                      : tr("Shift+click a column of the matrix: who looks at that key"));
        return;
    }
    const QString head = mode_ == Mode::Row ? tr("query %1 looks at (each pixel the largest weight of its keys)").arg(countText(index_))
                                            : tr("who looks at key %1 (each pixel the largest weight of its queries)").arg(countText(index_));
    p.drawText(QRect(r.left(), 0, r.width(), r.top() - 2), Qt::AlignLeft | Qt::AlignVCenter, fm.elidedText(head, Qt::ElideRight, r.width()));
    const int64_t n = int64_t(values_.size());
    const int W = r.width();
    const QRect bars(r.left(), r.top(), r.width(), r.height() - 12), strip(r.left(), r.bottom() - 10, r.width(), 10);
    p.fillRect(bars, palette().base());
    // Shade what a causal query cannot see (keys after it), or the queries before a key.
    if (causal_ && index_ >= 0) {
        const double x = r.left() + double(index_ + (mode_ == Mode::Row ? 1 : 0)) / double(n) * W;
        const QRect shade = mode_ == Mode::Row ? QRect(int(x), r.top(), r.right() - int(x) + 1, r.height())
                                               : QRect(r.left(), r.top(), int(x) - r.left(), r.height());
        p.fillRect(shade, QBrush(palette().mid().color(), Qt::BDiagPattern));
    }
    const float top = max_ > 0 ? max_ : 1.f;
    for (int x = 0; x < W; ++x) {
        const int64_t a = int64_t(double(x) / W * double(n)), e = std::max(a + 1, int64_t(double(x + 1) / W * double(n)));
        float m = 0;
        for (int64_t i = a; i < std::min(e, n); ++i) m = std::max(m, values_[size_t(i)]);
        const int h = int(std::lround(double(m) / top * (bars.height() - 1)));
        const int ci = int(std::lround(255.0 * scale_.position(m)));
        const QColor c = QColor::fromRgb(table_.value(std::clamp(ci, 0, 255)));
        if (h > 0) p.fillRect(QRect(bars.left() + x, bars.bottom() - h + 1, 1, h), c);
        p.fillRect(QRect(strip.left() + x, strip.top(), 1, strip.height()), c);
    }
    // The query itself (row mode: its own key) and the strongest five.
    p.setPen(QPen(QColor(255, 64, 64), 1));
    if (index_ >= 0 && index_ < n) {
        const int x = r.left() + int((double(index_) + 0.5) / double(n) * W);
        p.drawLine(x, r.top(), x, r.bottom());
    }
    p.setPen(palette().text().color());
    QList<QRect> taken;  // the strongest first; a label that would overlap one drawn is left out
    for (const auto& [pos, w] : topK(5)) {
        const int x = r.left() + int((double(pos) + 0.5) / double(n) * W);
        const int h = int(std::lround(double(w) / top * (bars.height() - 1)));
        const QString t = fm.elidedText(labels_.isEmpty() ? countText(pos) : labels_[int(pos)], Qt::ElideRight, 110);
        const int tw = fm.horizontalAdvance(t) + 4;
        const QRect box(x - tw / 2, std::max(r.top(), bars.bottom() - h - fm.height()), tw, fm.height());
        if (std::any_of(taken.begin(), taken.end(), [&](const QRect& o) { return o.intersects(box); })) continue;
        taken << box;
        p.drawText(box, Qt::AlignHCenter | Qt::AlignBottom, t);
    }
    p.setPen(palette().mid().color());
    p.drawRect(r.adjusted(0, 0, -1, -1));
}

void AttentionStripView::mouseMoveEvent(QMouseEvent* e)
{
    const int64_t i = positionAt(e->pos().x());
    if (i >= 0) QToolTip::showText(e->globalPosition().toPoint(), positionText(i), this);
}

void AttentionStripView::mousePressEvent(QMouseEvent* e)
{
    const int64_t n = int64_t(values_.size());
    if (n == 0) return;
    // The strongest position within ±3 pixels, so a thin peak is easy to hit.
    const QRect r = plot();
    int64_t best = -1;
    for (int dx = -3; dx <= 3; ++dx) {
        const int64_t a = positionAt(e->pos().x() + dx);
        if (a < 0) continue;
        const int64_t e2 = std::min(n, std::max(a + 1, int64_t(double(e->pos().x() + dx + 1 - r.left()) / r.width() * double(n))));
        for (int64_t i = a; i < e2; ++i)
            if (best < 0 || values_[size_t(i)] > values_[size_t(best)]) best = i;
    }
    if (best >= 0) emit positionClicked(best);
}

} // namespace attnscope::ui
