#include "workspaces/video/videofigure.h"

#include "attnscope/schema.h"
#include "views/wordframeview.h"

#include <QLabel>
#include <QVBoxLayout>
#include <QWidget>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

QImage greyImage(const GreyImage& g)
{
    QImage img(std::max(1, g.width), std::max(1, g.height), QImage::Format_Grayscale8);
    img.fill(0);
    for (int y = 0; y < g.height; ++y) {
        uchar* line = img.scanLine(y);
        for (int x = 0; x < g.width; ++x) line[x] = uchar(std::clamp(int(std::lround(255.0f * g.at(x, y))), 0, 255));
    }
    return img;
}

bool wordFrameAttention(const AttentionTrace& t, QStringList& words, std::vector<int>& frames, std::vector<float>& values)
{
    const TraceTensor* a = t.find(schema::caption::kAttention);
    if (!a || a->shape.size() != 2 || a->labels.size() != 2 || a->labels[1].size() != size_t(a->shape[1]) ||
        (a->axes.size() == 2 && a->axes[1] != "frame"))
        return false;
    words.clear();
    frames.clear();
    for (const auto& w : a->labels[0]) words << QString::fromStdString(w);
    for (const auto& l : a->labels[1]) frames.push_back(l.size() > 1 ? std::atoi(l.c_str() + 1) : 0);
    values = a->values;
    return true;
}

bool exportVideoFigure(const AttentionTrace& trace, const QVector<QImage>& thumbnails, int dpi, const QString& path, QString* error,
                       const QString& colorMap)
{
    return writeFigure(buildVideoFigure(trace, thumbnails, colorMap), path, dpi, error);
}

BuiltFigure buildVideoFigure(const AttentionTrace& trace, const QVector<QImage>& thumbnails, const QString& colorMap)
{
    QStringList words;
    std::vector<int> frames;
    std::vector<float> values;
    if (!wordFrameAttention(trace, words, frames, values)) {
        BuiltFigure none;
        none.error = QStringLiteral("the trace has no word × frame attention to draw");
        return none;
    }
    const int w = std::max(600, 90 + 52 * int(frames.size()) + 24);
    BuiltFigure figure = newFigure(QSize(w, 80 + 52 + 22 * std::max(4, int(words.size())) + 30));
    QWidget& fig = *figure.widget;
    auto* l = new QVBoxLayout(&fig);
    auto* title = new QLabel(QStringLiteral("<b>%1</b> · %2 · %3<br><span style='font-size:large'>%4</span>")
                                 .arg(QString::fromStdString(trace.model).toHtmlEscaped(),
                                      QString::fromStdString(trace.meta(schema::kInputMeta)).toHtmlEscaped(),
                                      trace.meta(schema::kModeMeta) == schema::kForced ? QStringLiteral("forced caption")
                                                                     : QString::fromStdString(trace.meta(schema::caption::kDecodingMeta)),
                                      QString::fromStdString(trace.meta(schema::caption::kCaptionMeta)).toHtmlEscaped()),
                             &fig);
    title->setWordWrap(true);
    l->addWidget(title);
    auto* view = new WordFrameView(&fig);
    view->setColorMap(colorMap);
    view->setAttention(words, frames, values);
    view->setThumbnails(thumbnails);
    l->addWidget(view, 1);
    return figure;
}

} // namespace attnscope::ui
