#pragma once
// Head comparison: two attention heads of the same shape side by side, their difference
// A − B on a diverging colour map, the Jensen–Shannon divergence of every row as bars, and
// the numbers: JSD overall, Pearson r, each head's mean entropy and, when the trace carries
// gold links over the same tokens, each head's AER.
#include "attnscope/alignment.h"
#include "attnscope/headstats.h"
#include "attnscope/trace.h"

#include <QImage>
#include <QStringList>
#include <QWidget>

#include <limits>

namespace attnscope::ui {

class HeadCompareView : public QWidget {
    Q_OBJECT
public:
    explicit HeadCompareView(QWidget* parent = nullptr);
    /// Draws two 2-D heads [query, key] and their comparison, computed by compareHeadPair
    /// (attnscope/headstats.h). False (view cleared, message in *error) when the shapes differ.
    bool setHeads(const TraceTensor& a, const QString& nameA, const TraceTensor& b, const QString& nameB,
                  const HeadComparison& comparison, QString* error = nullptr);
    /// How the heads' links were read for their AER (named in the summary when not argmax).
    void setLinkOptions(const LinkOptions& links) { links_ = links; }
    const LinkOptions& linkOptions() const { return links_; }
    const HeadComparison& comparison() const { return cmp_; }
    /// The numbers as one line of text (also drawn under the maps).
    QString summary() const;
    bool isEmpty() const { return rows_ == 0; }
    /// Draws nothing (the heads it showed are gone).
    void clear()
    {
        rows_ = cols_ = 0;
        update();
    }
    /// Colour map of the A and B maps (the difference keeps its diverging map).
    void setColorMap(const QString& name);

    /// Hover text of cell (row, col): tokens, A, B, A − B and the row's JSD.
    QString cellText(int row, int col) const;
    /// Where the three maps are drawn (A, B, A − B), for hit-testing and tests.
    QRect mapRect(int which) const;
    /// Where the colour bars are: 0 = A and B's (0 … 1), 1 = the difference's (−1 … +1).
    QRect colorBarRect(int which) const;

protected:
    void paintEvent(QPaintEvent*) override;
    void mouseMoveEvent(QMouseEvent* e) override;

private:
    struct Layout {
        int title = 0, left = 0, side = 0, w = 0, h = 0, gap = 12, bars = 60, footer = 0, labelRoom = 0;
        int colorBar = 0;  ///< width of a colour bar with its numbers
    };
    Layout layout() const;
    int rows_ = 0, cols_ = 0;
    std::vector<float> a_, b_;
    QStringList rowLabels_, colLabels_;
    QString nameA_, nameB_;
    QString colorMap_ = QStringLiteral("viridis");
    QImage imageA_, imageB_, diff_;
    HeadComparison cmp_;
    LinkOptions links_;
};

} // namespace attnscope::ui
