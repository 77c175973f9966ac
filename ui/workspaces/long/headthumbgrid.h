#pragma once
// Every head of a long attention tensor as a small overview, layers as rows. With grouped-query
// attention the query heads that share a KV head sit together under one "KV k" label, so heads
// that read the same keys can be compared side by side. Click a head to show it.
#include <QImage>
#include <QWidget>

#include <vector>

namespace attnscope::ui {

class HeadThumbGrid : public QWidget {
    Q_OBJECT
public:
    explicit HeadThumbGrid(QWidget* parent = nullptr);
    /// `kvHeadOf[h]`: the KV head query head h reads (its own index without GQA).
    void setHeads(int layers, int heads, std::vector<int> kvHeadOf);
    /// A head's overview and the line its tooltip shows (layer, head, peak, entropy, …).
    void setThumbnail(int layer, int head, const QImage& image, const QString& summary = {});
    /// The hover line of a head: "layer 1, head 2 (KV head 1)" and its summary once known.
    QString headSummary(int layer, int head) const;
    void setCurrent(int layer, int head);
    int layers() const { return layers_; }
    int heads() const { return heads_; }
    int thumbnails() const;
    /// The head at a widget position (false outside every cell).
    bool headAt(const QPoint& pos, int* layer, int* head) const;
    QRect cellRect(int layer, int head) const;
    QSize sizeHint() const override;

signals:
    void headClicked(int layer, int head);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent*) override;
    bool event(QEvent* e) override;

private:
    bool grouped() const;
    int layers_ = 0, heads_ = 0;
    std::vector<int> kv_;
    std::vector<QImage> images_;
    std::vector<QString> summaries_;
    int curLayer_ = -1, curHead_ = -1;
    static constexpr int kCell = 64, kGap = 4, kGroupGap = 10, kLeft = 28, kTop = 18;
};

} // namespace attnscope::ui
