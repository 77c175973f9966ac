#include "views/longfigure.h"

#include "views/colormaps.h"

#include <QLocale>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

namespace {
constexpr int kBarWidth = 12;
} // namespace

int64_t figureBlock(int64_t cells, int maxSide) { return std::max<int64_t>(1, blockCount(cells, std::max(1, maxSide))); }

LongMatrixFigure::LongMatrixFigure(LongFigureData data, QWidget* parent) : QWidget(parent), d_(std::move(data))
{
    usePaperPalette(*this);
    const int side = std::max(d_.heat.width(), d_.heat.height());
    zoom_ = side > 0 ? std::max(1, 900 / side) : 1;
    const QFontMetrics fm(font());
    const bool rowLabels = !d_.rowLabels.isEmpty() && zoom_ >= fm.height();
    int labelWidth = fm.horizontalAdvance(countText(d_.row0 + d_.rows));
    if (rowLabels)
        for (const QString& l : d_.rowLabels) labelWidth = std::max(labelWidth, std::min(140, fm.horizontalAdvance(l)));
    left_ = fm.height() + 8 + labelWidth + 8;  // axis name (rotated), labels, tick
    top_ = (d_.title.isEmpty() ? 8 : 2 * fm.height() + 8);
    resize(sizeHint());
}

QSize LongMatrixFigure::sizeHint() const
{
    const QFontMetrics fm(font());
    const int w = d_.heat.width() * zoom_, h = d_.heat.height() * zoom_;
    const bool colLabels = !d_.colLabels.isEmpty() && zoom_ >= fm.height();
    int bottom = fm.height() + 6;  // tick numbers
    if (colLabels) {
        bottom = 0;
        for (const QString& l : d_.colLabels) bottom = std::max(bottom, std::min(140, fm.horizontalAdvance(l)));
        bottom += 8;
    }
    bottom += fm.height() + 6 + 2 * fm.height() + 8;  // axis name, note (two lines)
    const int right = 16 + kBarWidth + 6 + fm.horizontalAdvance(QStringLiteral("0.000e−00")) + 12;
    return {std::max(left_ + w + right, 480), top_ + h + bottom};
}

void LongMatrixFigure::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    p.setPen(palette().text().color());
    const QFontMetrics fm = p.fontMetrics();
    const int w = d_.heat.width() * zoom_, h = d_.heat.height() * zoom_;
    const QRect area(left_, top_, w, h);
    if (!d_.title.isEmpty()) {
        QFont bold = p.font();
        bold.setBold(true);
        p.setFont(bold);
        p.drawText(QRect(0, 4, width(), 2 * fm.height()), Qt::AlignHCenter | Qt::AlignVCenter, d_.title);
        p.setFont(font());
    }
    p.drawImage(area, d_.heat);
    p.setPen(palette().mid().color());
    p.drawRect(area.adjusted(-1, -1, 0, 0));
    p.setPen(palette().text().color());

    // Axes: token labels when every cell is tall enough to hold one, else token indices.
    const double pxPerCell = double(zoom_) / double(d_.block);
    const bool rowLabels = !d_.rowLabels.isEmpty() && zoom_ >= fm.height() && d_.block == 1;
    const bool colLabels = !d_.colLabels.isEmpty() && zoom_ >= fm.height() && d_.block == 1;
    if (rowLabels) {
        for (int i = 0; i < d_.rowLabels.size(); ++i)
            p.drawText(QRect(0, top_ + i * zoom_, left_ - 6, zoom_), Qt::AlignRight | Qt::AlignVCenter,
                       fm.elidedText(d_.rowLabels[i], Qt::ElideRight, 140));
    } else {
        const int64_t step = niceStep(60.0 / pxPerCell);
        for (int64_t c = (d_.row0 + step - 1) / step * step; c < d_.row0 + d_.rows; c += step) {
            const int y = top_ + int((double(c - d_.row0) + 0.5) * pxPerCell);
            p.drawLine(left_ - 5, y, left_ - 1, y);
            p.drawText(QRect(0, y - fm.height() / 2, left_ - 8, fm.height()), Qt::AlignRight | Qt::AlignVCenter, countText(c));
        }
    }
    int labelBottom = top_ + h + 4;
    if (colLabels) {
        int longest = 0;
        for (int j = 0; j < d_.colLabels.size(); ++j) {
            const QString l = fm.elidedText(d_.colLabels[j], Qt::ElideRight, 140);
            longest = std::max(longest, fm.horizontalAdvance(l));
            p.save();
            p.translate(left_ + j * zoom_ + zoom_ / 2 + fm.ascent() / 2, top_ + h + 4);
            p.rotate(90);
            p.drawText(0, 0, l);
            p.restore();
        }
        labelBottom += longest + 4;
    } else {
        const int64_t step = niceStep(90.0 / pxPerCell);
        for (int64_t c = (d_.col0 + step - 1) / step * step; c < d_.col0 + d_.cols; c += step) {
            const int x = left_ + int((double(c - d_.col0) + 0.5) * pxPerCell);
            p.drawLine(x, top_ + h, x, top_ + h + 4);
            p.drawText(QRect(x - 60, top_ + h + 5, 120, fm.height()), Qt::AlignHCenter | Qt::AlignTop, countText(c));
        }
        labelBottom += fm.height() + 2;
    }
    p.drawText(QRect(left_, labelBottom, w, fm.height()), Qt::AlignHCenter | Qt::AlignTop,
               QStringLiteral("%1 (%2 … %3)").arg(d_.colAxis, countText(d_.col0), countText(d_.col0 + d_.cols - 1)));
    p.save();
    p.translate(fm.ascent(), top_ + h / 2);
    p.rotate(-90);
    p.drawText(QRect(-h / 2, -fm.ascent(), h, fm.height()), Qt::AlignHCenter | Qt::AlignTop,
               QStringLiteral("%1 (%2 … %3)").arg(d_.rowAxis, countText(d_.row0), countText(d_.row0 + d_.rows - 1)));
    p.restore();

    // Colour bar: the scale's values at five positions.
    paintScaleBar(p, QRect(area.right() + 16, top_, kBarWidth, h), d_.scale, d_.table, palette());
    // The note: what a pixel is and the scale.
    p.setPen(palette().text().color());
    p.drawText(QRect(8, labelBottom + fm.height() + 6, width() - 16, 2 * fm.height() + 4), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
               d_.note);
}

Status buildLongFigure(const AttentionMatrix& m, const LongFigureOptions& o, LongFigureData& out, const ProgressFn& cancel)
{
    const int64_t r0 = std::clamp<int64_t>(o.row0, 0, m.rows()), c0 = std::clamp<int64_t>(o.col0, 0, m.cols());
    const int64_t nr = o.rows > 0 ? std::min(o.rows, m.rows() - r0) : m.rows() - r0;
    const int64_t nc = o.cols > 0 ? std::min(o.cols, m.cols() - c0) : m.cols() - c0;
    if (nr <= 0 || nc <= 0) return Status::error("the region to draw is empty");
    const int64_t b = figureBlock(std::max(nr, nc), o.maxSide);
    const int64_t R0 = r0 / b, C0 = c0 / b, R1 = blockCount(r0 + nr, b), C1 = blockCount(c0 + nc, b);
    const int64_t W = C1 - C0, H = R1 - R0;
    std::vector<float> values(size_t(W * H));
    if (auto st = m.readBlocks(b, o.reduce, R0, C0, H, W, values.data(), cancel); !st) return st;
    out = LongFigureData{};
    out.block = b;
    out.row0 = R0 * b;
    out.col0 = C0 * b;
    out.rows = std::min(R1 * b, m.rows()) - out.row0;
    out.cols = std::min(C1 * b, m.cols()) - out.col0;
    out.scale = o.scale;
    out.scale.fit(values.data(), int64_t(values.size()));
    out.table = colorTable(o.colorMap);
    std::vector<float> norm;
    if (o.scale.mode == ScaleMode::PerRow) {
        const MatrixStats stats = m.stats();
        if (!stats.empty()) {
            norm.assign(size_t(H), 0.f);
            for (int64_t I = 0; I < H; ++I)
                for (int64_t r = (R0 + I) * b; r < std::min((R0 + I + 1) * b, m.rows()); ++r)
                    norm[size_t(I)] = std::max(norm[size_t(I)], stats.rowMax[size_t(r)]);
        }
    }
    out.heat = colorize(values.data(), int(W), int(H), out.scale, out.table, norm.empty() ? nullptr : norm.data());
    if (b == 1) {
        if (o.rowLabels.size() == m.rows()) out.rowLabels = o.rowLabels.mid(int(out.row0), int(out.rows));
        if (o.colLabels.size() == m.cols()) out.colLabels = o.colLabels.mid(int(out.col0), int(out.cols));
    }
    out.title = o.title;
    out.rowAxis = o.rowAxis;
    out.colAxis = o.colAxis;
    const QString what = b == 1 ? QStringLiteral("each pixel one weight")
                                : QStringLiteral("each pixel the %1 of %2 × %2 weights").arg(o.reduce == BlockReduce::Max ? "max" : "mean").arg(b);
    out.note = QStringLiteral("%1 × %2 %3 × %4 · %5 · %6")
                   .arg(countText(m.rows()), countText(m.cols()), o.rowAxis, o.colAxis, what, out.scale.describe());
    if (!o.note.isEmpty()) out.note += QStringLiteral(" · ") + o.note;
    return Status::success();
}

BuiltFigure longFigure(const AttentionMatrix& m, const LongFigureOptions& o, QString* error)
{
    LongFigureData d;
    if (auto st = buildLongFigure(m, o, d); !st) {
        if (error) *error = QString::fromStdString(st.message);
        return BuiltFigure::none(QString::fromStdString(st.message));
    }
    auto w = std::make_unique<LongMatrixFigure>(std::move(d));
    BuiltFigure f;
    f.size = w->sizeHint();
    f.widget = w.get();
    f.owned = std::move(w);
    return f;
}

} // namespace attnscope::ui
