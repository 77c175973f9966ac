#pragma once
// ChannelBarView: the excitation of every channel of one attention block as a bar chart —
// one bar per channel, coloured by value, optionally sorted by value; or two images' bars
// side by side, or their difference (diverging colours). Painted from cached geometry, so
// hover stays cheap for any channel count.
#include <QWidget>

#include <vector>

namespace attnscope::ui {

class ChannelBarView : public QWidget {
    Q_OBJECT
public:
    enum class Mode { Single, Pair, Difference };
    explicit ChannelBarView(QWidget* parent = nullptr);

    /// One image: excitation s_c ∈ [0, 1] per channel.
    void setValues(const std::vector<float>& a);
    /// Two images: bars of A and B side by side per channel (Pair) or A − B (Difference).
    void setPair(const std::vector<float>& a, const std::vector<float>& b, Mode mode);
    void clear();
    /// Sort channels by value (A, or A − B in Difference mode), largest first; else by index.
    void setSortByValue(bool sorted);
    bool sortByValue() const { return sorted_; }
    void setColorMap(const QString& name);
    void setTitle(const QString& title);
    /// Marks a channel (e.g. the one whose feature map is shown); −1 for none.
    void setSelectedChannel(int channel);

    Mode mode() const { return mode_; }
    int barCount() const { return int(a_.size()); }
    /// Channel indices in drawing order (left to right).
    const std::vector<int>& order() const { return order_; }
    /// Image B's values (Pair and Difference modes).
    const std::vector<float>& valuesB() const { return b_; }
    /// The value drawn for `channel` (A, or A − B in Difference mode).
    float valueOf(int channel) const;
    /// Channel under a widget position, or −1.
    int channelAt(const QPoint& pos) const;
    /// Centre of the bar of `channel` in widget coordinates (tests, tooltips).
    QPoint barCenter(int channel) const;

    QSize sizeHint() const override { return {560, 220}; }

signals:
    void channelHovered(int channel);  ///< −1 when the mouse leaves the bars
    void channelClicked(int channel);

protected:
    bool event(QEvent* e) override;
    void paintEvent(QPaintEvent*) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void leaveEvent(QEvent*) override;

private:
    void reorder();
    QRectF plotRect() const;
    float lo() const;
    float hi() const;

    std::vector<float> a_, b_;
    std::vector<int> order_;
    Mode mode_ = Mode::Single;
    bool sorted_ = false;
    int hovered_ = -1, selected_ = -1;
    QString title_;
    QVector<QRgb> table_;
};

} // namespace attnscope::ui
