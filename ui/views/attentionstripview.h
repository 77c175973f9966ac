#pragma once
// One row or one column of a long attention matrix as a strip: "what did query t look at" (the
// row: its weights over every key) or "who looks at key k" (the column: every query's weight on
// it). Binned to the widget's width (each pixel the largest weight of its bin, so single peaks
// stay visible) as bars over a colour strip; the strongest positions are marked. Keys a causal
// query cannot see are shaded. Click a position to go there.
#include "views/colorscale.h"

#include <QStringList>
#include <QWidget>

#include <cstdint>
#include <utility>
#include <vector>

namespace attnscope::ui {

class AttentionStripView : public QWidget {
    Q_OBJECT
public:
    enum class Mode { Row, Column };
    explicit AttentionStripView(QWidget* parent = nullptr);

    /// Row mode: `values` are query `index`'s weights over the keys; column mode: every query's
    /// weight on key `index`. `labels` name the positions (keys in row mode), may be empty.
    /// `causal`: positions after `index` (row) or before it (column) cannot attend and are shaded.
    void setData(Mode mode, int64_t index, std::vector<float> values, QStringList labels, bool causal);
    void clear();
    bool isEmpty() const { return values_.empty(); }
    Mode mode() const { return mode_; }
    int64_t index() const { return index_; }
    const std::vector<float>& values() const { return values_; }
    void setColorScale(const ColorScale& scale, const QVector<QRgb>& table);
    /// The k largest weights, strongest first: (position, weight).
    std::vector<std::pair<int64_t, float>> topK(int k) const;
    /// Position under widget x (−1 outside).
    int64_t positionAt(int x) const;
    QString positionText(int64_t position) const;
    QSize sizeHint() const override { return {600, 96}; }

signals:
    void positionClicked(qint64 position);

protected:
    void paintEvent(QPaintEvent*) override;
    void mouseMoveEvent(QMouseEvent*) override;
    void mousePressEvent(QMouseEvent*) override;

private:
    QRect plot() const;
    Mode mode_ = Mode::Row;
    int64_t index_ = -1;
    std::vector<float> values_;
    QStringList labels_;
    bool causal_ = false;
    ColorScale scale_;
    QVector<QRgb> table_;
    float max_ = 0;
};

} // namespace attnscope::ui
