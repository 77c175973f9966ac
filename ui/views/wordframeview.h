#pragma once
// WordFrameView: a word × frame attention heatmap (rows: the caption's words; columns: the
// sampled video frames, with their thumbnails above), a playhead on the column of the
// current video frame, the selected word's row outlined, and the words that drew on the
// current frame marked. Clicking a cell reports its word and column.
#include <QImage>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <vector>

namespace attnscope::ui {

class WordFrameView : public QWidget {
    Q_OBJECT
public:
    explicit WordFrameView(QWidget* parent = nullptr);
    /// `values` words × columns row-major (each row sums to 1); `frames` the video frame of
    /// each column.
    void setAttention(const QStringList& words, const std::vector<int>& frames, const std::vector<float>& values);
    void setThumbnails(const QVector<QImage>& thumbnails);  ///< one per column (may be empty)
    void setColorMap(const QString& name);
    QString colorMap() const { return colorMap_; }
    /// The playhead: video frame `frame` → the column whose frame is nearest (−1 = none).
    void setCurrentFrame(int frame);
    int playheadColumn() const { return playhead_; }
    void setSelectedWord(int word);
    int selectedWord() const { return selected_; }
    /// Words whose attention on the playhead column is at least this share of their peak.
    QVector<int> wordsAtPlayhead(double shareOfPeak = 0.5) const;
    QRect cellRect(int word, int column) const;
    /// The colour bar of α (0 … 1) right of the grid.
    QRect colorBarRect() const;
    int columnCount() const { return int(frames_.size()); }
    int columnFrame(int column) const { return frames_.at(size_t(column)); }
    /// The column nearest to video frame `frame`.
    int columnOfFrame(int frame) const;

    QSize sizeHint() const override;

signals:
    void cellClicked(int word, int column);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* e) override;
    bool event(QEvent* e) override;

private:
    QRect gridRect() const;
    void rebuild();

    QStringList words_;
    std::vector<int> frames_;
    std::vector<float> values_;
    QVector<QImage> thumbs_;
    QImage heat_;
    QString colorMap_ = "viridis";
    int playhead_ = -1, selected_ = -1;
};

} // namespace attnscope::ui
