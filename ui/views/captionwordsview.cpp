#include "views/captionwordsview.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>

namespace attnscope::ui {

namespace {
constexpr int kPadX = 7, kPadY = 4, kGap = 4;
}

CaptionWordsView::CaptionWordsView(QWidget* parent) : QWidget(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 1.25);
    setFont(f);
}

void CaptionWordsView::setWords(const QStringList& words, const QStringList& tooltips)
{
    words_ = words;
    tooltips_ = tooltips;
    marks_.clear();
    selected_ = words_.isEmpty() ? -1 : 0;
    rects_ = layoutWords(width());
    updateGeometry();
    update();
}

void CaptionWordsView::setMarks(const QVector<int>& marks)
{
    marks_ = marks;
    update();
}

void CaptionWordsView::setSelected(int index)
{
    if (words_.isEmpty()) return;
    index = std::clamp(index, 0, int(words_.size()) - 1);
    if (index == selected_) return;
    selected_ = index;
    update();
    emit wordSelected(index);
}

QVector<QRect> CaptionWordsView::layoutWords(int width) const
{
    QVector<QRect> r;
    const QFontMetrics fm(font());
    const int h = fm.height() + 2 * kPadY;
    int x = kGap, y = kGap;
    for (const QString& w : words_) {
        const int ww = fm.horizontalAdvance(w) + 2 * kPadX;
        if (x > kGap && x + ww > width - kGap) {
            x = kGap;
            y += h + kGap;
        }
        r.append(QRect(x, y, ww, h));
        x += ww + kGap;
    }
    return r;
}

QRect CaptionWordsView::wordRect(int index) const { return rects_.value(index); }

int CaptionWordsView::heightForWidth(int width) const
{
    const QVector<QRect> r = layoutWords(width);
    const QFontMetrics fm(font());
    return (r.isEmpty() ? fm.height() + 2 * kPadY : r.last().bottom()) + kGap + 2;
}

QSize CaptionWordsView::sizeHint() const { return {480, heightForWidth(480)}; }

void CaptionWordsView::resizeEvent(QResizeEvent*)
{
    rects_ = layoutWords(width());
    updateGeometry();
}

void CaptionWordsView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().base());
    if (words_.isEmpty()) {
        p.setPen(palette().placeholderText().color());
        p.drawText(rect(), Qt::AlignCenter, tr("No caption yet"));
        return;
    }
    for (int i = 0; i < words_.size() && i < rects_.size(); ++i) {
        const QRect r = rects_[i];
        const bool sel = i == selected_;
        p.setPen(sel ? palette().highlight().color() : palette().mid().color());
        p.setBrush(sel ? palette().highlight() : palette().button());
        p.drawRoundedRect(r, 5, 5);
        p.setPen(sel ? palette().highlightedText().color() : palette().buttonText().color());
        p.drawText(r, Qt::AlignCenter, words_[i]);
        const int mark = marks_.value(i);
        if (mark) {
            p.setPen(QPen(mark == 1 ? QColor(30, 150, 60) : QColor(210, 40, 40), 3));
            p.drawLine(r.left() + 4, r.bottom() + 2, r.right() - 4, r.bottom() + 2);
        }
    }
    if (hasFocus() && selected_ >= 0 && selected_ < rects_.size()) {
        p.setPen(QPen(palette().text().color(), 1, Qt::DotLine));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(rects_[selected_].adjusted(-2, -2, 2, 2), 6, 6);
    }
}

void CaptionWordsView::mousePressEvent(QMouseEvent* e)
{
    for (int i = 0; i < rects_.size(); ++i)
        if (rects_[i].contains(e->position().toPoint())) {
            setSelected(i);
            return;
        }
}

void CaptionWordsView::keyPressEvent(QKeyEvent* e)
{
    switch (e->key()) {
    case Qt::Key_Left: setSelected(selected_ - 1); break;
    case Qt::Key_Right: setSelected(selected_ + 1); break;
    case Qt::Key_Home: setSelected(0); break;
    case Qt::Key_End: setSelected(int(words_.size()) - 1); break;
    default: QWidget::keyPressEvent(e); return;
    }
}

bool CaptionWordsView::event(QEvent* e)
{
    if (e->type() == QEvent::ToolTip) {
        auto* he = static_cast<QHelpEvent*>(e);
        for (int i = 0; i < rects_.size(); ++i)
            if (rects_[i].contains(he->pos()) && i < tooltips_.size()) {
                QToolTip::showText(he->globalPos(), tooltips_[i], this, rects_[i]);
                return true;
            }
        QToolTip::hideText();
        e->ignore();
        return true;
    }
    return QWidget::event(e);
}

} // namespace attnscope::ui
