#include "workspaces/image/imagetrace.h"

#include "attnscope/schema.h"

#include <algorithm>
#include <numeric>

namespace attnscope::ui {

int blockCount(const AttentionTrace& t)
{
    int n = 0;
    while (t.find(schema::image::excitation(n))) ++n;
    return n;
}

std::vector<float> blockExcitation(const AttentionTrace& t, int block)
{
    const TraceTensor* e = t.find(schema::image::excitation(block));
    return e ? e->values : std::vector<float>();
}

MapTile featureTile(const AttentionTrace& t, int block, int channel)
{
    MapTile tile;
    const TraceTensor* f = t.find(schema::image::features(block));
    if (!f || f->shape.size() != 3 || channel < 0 || channel >= f->shape[0]) return tile;
    tile.rows = int(f->shape[1]);
    tile.cols = int(f->shape[2]);
    const size_t n = size_t(tile.rows) * size_t(tile.cols);
    tile.values.assign(f->values.begin() + long(n * size_t(channel)), f->values.begin() + long(n * size_t(channel + 1)));
    tile.id = channel;
    const auto e = blockExcitation(t, block);
    tile.caption = size_t(channel) < e.size() ? QStringLiteral("c%1 · %2").arg(channel).arg(double(e[size_t(channel)]), 0, 'f', 2)
                                              : QStringLiteral("c%1").arg(channel);
    return tile;
}

std::vector<MapTile> extremeTiles(const AttentionTrace& t, int block, int k, bool most)
{
    const auto e = blockExcitation(t, block);
    std::vector<int> order(e.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return most ? e[size_t(a)] > e[size_t(b)] : e[size_t(a)] < e[size_t(b)]; });
    std::vector<MapTile> tiles;
    for (int i = 0; i < std::min<int>(k, int(order.size())); ++i) tiles.push_back(featureTile(t, block, order[size_t(i)]));
    return tiles;
}

MapTile spatialTile(const AttentionTrace& t, int block)
{
    MapTile tile;
    const TraceTensor* s = t.find(schema::image::spatial(block));
    if (!s || s->shape.size() != 2) return tile;
    tile.rows = int(s->shape[0]);
    tile.cols = int(s->shape[1]);
    tile.values = s->values;
    tile.caption = QStringLiteral("block %1 M_s").arg(block + 1);
    return tile;
}

MapTile inputTile(const AttentionTrace& t)
{
    MapTile tile;
    const TraceTensor* s = t.find(schema::image::kInput);
    if (!s || s->shape.size() != 2) return tile;
    tile.rows = int(s->shape[0]);
    tile.cols = int(s->shape[1]);
    tile.values = s->values;
    const auto [mn, mx] = std::minmax_element(s->values.begin(), s->values.end());
    tile.caption = QStringLiteral("%1×%2, %3 … %4").arg(tile.cols).arg(tile.rows).arg(double(*mn), 0, 'f', 2).arg(double(*mx), 0, 'f', 2);
    return tile;
}

std::vector<float> probabilities(const AttentionTrace& t, QStringList* names)
{
    const TraceTensor* p = t.find(schema::image::kProbabilities);
    if (!p) return {};
    if (names) {
        names->clear();
        if (!p->labels.empty())
            for (const auto& l : p->labels[0]) names->append(QString::fromStdString(l));
    }
    return p->values;
}

QImage inputImage(const PreparedImage& image)
{
    QImage img(28, 28, QImage::Format_Grayscale8);
    for (int y = 0; y < 28; ++y)
        for (int x = 0; x < 28; ++x)
            img.scanLine(y)[x] = uchar(std::clamp(int(image.pixels[size_t(y * 28 + x)] * 255.0f + 0.5f), 0, 255));
    return img;
}

QImage previewImage(const PreparedImage& image)
{
    if (image.preview.empty()) return {};
    return QImage(image.preview.data(), image.previewWidth, image.previewHeight, image.previewWidth * 3, QImage::Format_RGB888)
        .copy();
}

QString blockLabel(const AttentionTrace& t, int block)
{
    const TraceTensor* f = t.find(schema::image::features(block));
    if (!f || f->shape.size() != 3) return QStringLiteral("Block %1").arg(block + 1);
    return QStringLiteral("Block %1 · %2 channels · %3×%4").arg(block + 1).arg(f->shape[0]).arg(f->shape[2]).arg(f->shape[1]);
}

} // namespace attnscope::ui
