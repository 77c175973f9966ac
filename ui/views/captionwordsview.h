#pragma once
// CaptionWordsView: a caption as a row of clickable words (wrapped to the width). The
// selected word is highlighted; hovering shows each word's probability and gate β; Left /
// Right (or Home / End) move the selection. Words can be marked (e.g. item words whose
// attention peak missed the item's box).
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

namespace attnscope::ui {

class CaptionWordsView : public QWidget {
    Q_OBJECT
public:
    explicit CaptionWordsView(QWidget* parent = nullptr);
    /// `tooltips` per word (may be empty). Selection goes to the first word (−1 when empty).
    void setWords(const QStringList& words, const QStringList& tooltips = {});
    /// Per word: 0 = plain, 1 = good (green underline), 2 = bad (red underline).
    void setMarks(const QVector<int>& marks);
    int count() const { return words_.size(); }
    int selected() const { return selected_; }
    void setSelected(int index);  ///< emits wordSelected when it changes
    QRect wordRect(int index) const;
    QString word(int index) const { return words_.value(index); }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override { return {120, 34}; }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

signals:
    void wordSelected(int index);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;
    bool event(QEvent* e) override;
    void resizeEvent(QResizeEvent*) override;

private:
    QVector<QRect> layoutWords(int width) const;

    QStringList words_, tooltips_;
    QVector<int> marks_;
    QVector<QRect> rects_;
    int selected_ = -1;
};

} // namespace attnscope::ui
