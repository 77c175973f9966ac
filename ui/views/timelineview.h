#pragma once
// TimelineView: a video's timeline — thumbnails at their frames, the selected word's
// attention over the sampled frames as a filled curve, and the playhead. Clicking or
// dragging seeks.
#include <QImage>
#include <QMap>
#include <QWidget>

#include <vector>

namespace attnscope::ui {

class TimelineView : public QWidget {
    Q_OBJECT
public:
    explicit TimelineView(QWidget* parent = nullptr);
    void setFrameCount(int frames);
    void clearThumbnails();
    void addThumbnail(int frame, const QImage& image);
    int thumbnailCount() const { return thumbs_.size(); }
    /// The curve: attention `values` on video frames `frames` (empty = none); `label` names it.
    void setCurve(const std::vector<int>& frames, const std::vector<float>& values, const QString& label);
    void setCurrentFrame(int frame);
    int currentFrame() const { return current_; }
    /// Widget x of a frame's position.
    int xOfFrame(int frame) const;

    QSize sizeHint() const override { return {600, 110}; }

signals:
    void seekRequested(int frame);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;

private:
    int frameAtX(int x) const;

    int frames_ = 0, current_ = 0;
    QMap<int, QImage> thumbs_;
    std::vector<int> curveFrames_;
    std::vector<float> curve_;
    QString curveLabel_;
};

} // namespace attnscope::ui
