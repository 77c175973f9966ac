#include "workspaces/caption/captionfigure.h"

#include "attnscope/schema.h"

#include <QLabel>
#include <QVBoxLayout>
#include <QWidget>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

namespace {
const TraceTensor* wordTensor(const AttentionTrace& t, const std::string& name)
{
    const TraceTensor* a = t.find(name);
    if (!a || a->shape.size() != 2 || a->shape[1] < 1) return nullptr;
    const auto g = int64_t(std::lround(std::sqrt(double(a->shape[1]))));
    return g * g == a->shape[1] ? a : nullptr;
}
} // namespace

QStringList captionWordsOf(const AttentionTrace& t)
{
    QStringList words;
    if (const TraceTensor* a = wordTensor(t, schema::caption::kAttention); a && a->labels.size() == 2)
        for (const auto& w : a->labels[0]) words << QString::fromStdString(w);
    return words;
}

MapTile wordAttentionTile(const AttentionTrace& t, int word, const std::string& tensor)
{
    MapTile tile;
    const TraceTensor* a = wordTensor(t, tensor);
    if (!a || word < 0 || word >= a->shape[0]) return tile;
    const int L = int(a->shape[1]), g = int(std::lround(std::sqrt(double(L))));
    tile.rows = tile.cols = g;
    tile.values.assign(a->values.begin() + ptrdiff_t(word) * L, a->values.begin() + ptrdiff_t(word + 1) * L);
    tile.id = word;
    if (a->labels.size() == 2 && size_t(word) < a->labels[0].size()) tile.caption = QString::fromStdString(a->labels[0][size_t(word)]);
    return tile;
}

std::vector<MapTile> wordAttentionTiles(const AttentionTrace& t)
{
    std::vector<MapTile> tiles;
    const TraceTensor* a = wordTensor(t, schema::caption::kAttention);
    for (int w = 0; a && w < a->shape[0]; ++w) tiles.push_back(wordAttentionTile(t, w));
    return tiles;
}

QImage sceneImage(const AttentionTrace& t)
{
    const TraceTensor* in = t.find(schema::caption::kInput);
    if (!in || in->shape.size() != 2) return {};
    const int h = int(in->shape[0]), w = int(in->shape[1]);
    QImage img(w, h, QImage::Format_Grayscale8);
    for (int y = 0; y < h; ++y) {
        uchar* line = img.scanLine(y);
        for (int x = 0; x < w; ++x) line[x] = uchar(std::clamp(int(std::lround(255.0f * in->at(y, x))), 0, 255));
    }
    return img;
}

QStringList wordTooltips(const AttentionTrace& t)
{
    QStringList tips;
    const TraceTensor* a = wordTensor(t, schema::caption::kAttention);
    if (!a) return tips;
    const TraceTensor* prob = t.find(schema::caption::kWordProbability);
    const TraceTensor* gate = t.find(schema::caption::kGate);
    const int L = int(a->shape[1]);
    for (int w = 0; w < a->shape[0]; ++w) {
        const auto row = a->values.begin() + ptrdiff_t(w) * L;
        const int best = int(std::max_element(row, row + L) - row);
        QString tip = QStringLiteral("<b>%1</b>").arg(a->labels.size() == 2 ? QString::fromStdString(a->labels[0][size_t(w)]).toHtmlEscaped() : QString());
        if (prob && size_t(w) < prob->values.size()) tip += QStringLiteral("<br>p(word) = %1").arg(double(prob->values[size_t(w)]), 0, 'f', 3);
        if (gate && size_t(w) < gate->values.size()) tip += QStringLiteral("<br>gate β = %1").arg(double(gate->values[size_t(w)]), 0, 'f', 3);
        tip += QStringLiteral("<br>attention peak %1 (α = %2)")
                   .arg(a->labels.size() == 2 && size_t(best) < a->labels[1].size() ? QString::fromStdString(a->labels[1][size_t(best)]) : QString::number(best))
                   .arg(double(row[best]), 0, 'f', 3);
        tips << tip;
    }
    return tips;
}

bool exportCaptionFigure(const AttentionTrace& trace, const CaptionFigureOptions& o, const QString& path, QString* error)
{
    return writeFigure(buildCaptionFigure(trace, o), path, o.dpi, error);
}

BuiltFigure buildCaptionFigure(const AttentionTrace& trace, const CaptionFigureOptions& o)
{
    std::vector<MapTile> tiles = wordAttentionTiles(trace);
    if (!wordTensor(trace, schema::caption::kAttention)) {
        BuiltFigure none;
        none.error = QStringLiteral("the trace has no word × region attention to draw");
        return none;
    }
    const int n = std::max<int>(1, int(tiles.size()));
    const int cols = o.columns > 0 ? o.columns : std::min(n, 8);
    const int rows = (n + cols - 1) / cols;
    const int width = std::max(480, cols * 124 + 24);
    BuiltFigure figure = newFigure(QSize(width, 70 + rows * (124 + 22)));
    QWidget& fig = *figure.widget;
    auto* l = new QVBoxLayout(&fig);
    const bool forced = trace.meta(schema::kModeMeta) == schema::kForced;
    auto* title = new QLabel(QStringLiteral("<b>%1</b> · %2 · %3 attention · %4<br><span style='font-size:large'>%5</span>")
                                 .arg(QString::fromStdString(trace.model).toHtmlEscaped(),
                                      QString::fromStdString(trace.meta(schema::kInputMeta)).toHtmlEscaped(),
                                      QString::fromStdString(trace.meta(schema::caption::kAttentionMeta)),
                                      forced ? QStringLiteral("forced caption") : QString::fromStdString(trace.meta(schema::caption::kDecodingMeta)),
                                      QString::fromStdString(trace.meta(schema::caption::kCaptionMeta)).toHtmlEscaped()),
                             &fig);
    title->setWordWrap(true);
    l->addWidget(title);
    auto* strip = new MapStripView(&fig);
    strip->setGrey(false);
    strip->setColorMap(o.colorMap);
    strip->setUnderlay(sceneImage(trace), o.opacity);
    strip->setColumns(cols);
    strip->setTiles(std::move(tiles));
    l->addWidget(strip, 1);
    return figure;
}

} // namespace attnscope::ui
