#include "workspaces/image/imagefigure.h"

#include "attnscope/schema.h"

#include "views/figurewriter.h"
#include "workspaces/image/imagetrace.h"
#include "views/channelbarview.h"
#include "views/mapstripview.h"
#include "views/spatialoverlayview.h"

#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <QWidget>

namespace attnscope::ui {

bool exportImageFigure(const AttentionTrace& trace, const PreparedImage& image, const ImageFigureOptions& o, const QString& path,
                       QString* error)
{
    auto fail = [&](const QString& m) {
        if (error) *error = m;
        return false;
    };
    const int blocks = blockCount(trace);
    if (o.block >= blocks) return fail(QStringLiteral("the model has blocks 1–%1; there is no block %2").arg(blocks).arg(o.block + 1));
    if (o.view != "channels" && o.view != "spatial")
        return fail(QStringLiteral("unknown image view '%1' (channels, spatial)").arg(o.view));
    const int first = o.block < 0 ? 0 : o.block, last = o.block < 0 ? blocks - 1 : o.block;

    QWidget fig;
    usePaperPalette(fig);
    auto* l = new QVBoxLayout(&fig);
    QString head = QStringLiteral("<b>%1</b> (%2) · %3 → <b>%4</b> %5%")
                       .arg(QString::fromStdString(trace.model), QString::fromStdString(trace.meta(schema::image::kBlockMeta)),
                            QString::fromStdString(trace.meta(schema::kInputMeta)).toHtmlEscaped(), QString::fromStdString(trace.meta(schema::image::kPredictionMeta)))
                       .arg(100.0 * QString::fromStdString(trace.meta(schema::image::kConfidenceMeta)).toDouble(), 0, 'f', 1);
    if (!trace.meta(schema::image::kLabelMeta).empty()) head += QStringLiteral(" · true: %1").arg(QString::fromStdString(trace.meta(schema::image::kLabelMeta)));
    auto* title = new QLabel(head, &fig);
    l->addWidget(title);
    int height = 40;
    int width = 980;
    if (o.view == "channels") {
        auto* grid = new QGridLayout;
        auto* input = new MapStripView(&fig);
        input->setTiles({inputTile(trace)});
        input->setToolTip({});
        grid->addWidget(new QLabel(QStringLiteral("model input"), &fig), 0, 0);
        grid->addWidget(input, 1, 0, 2, 1);
        input->setFixedSize(150, 170);
        int row = 0;
        for (int b = first; b <= last; ++b) {
            auto* bars = new ChannelBarView(&fig);
            bars->setColorMap(o.colorMap);
            bars->setSortByValue(o.sorted);
            bars->setValues(blockExcitation(trace, b));
            bars->setTitle(QStringLiteral("%1 — %2 excitation").arg(blockLabel(trace, b), QString::fromStdString(trace.meta(schema::image::kBlockMeta))));
            bars->setMinimumHeight(200);
            auto* strips = new QWidget(&fig);
            auto* sl = new QVBoxLayout(strips);
            sl->setContentsMargins(0, 0, 0, 0);
            auto* top = new MapStripView(strips);
            top->setTiles(extremeTiles(trace, b, 6, true));
            auto* bottom = new MapStripView(strips);
            bottom->setTiles(extremeTiles(trace, b, 6, false));
            sl->addWidget(new QLabel(QStringLiteral("most excited"), strips));
            sl->addWidget(top, 1);
            sl->addWidget(new QLabel(QStringLiteral("least excited"), strips));
            sl->addWidget(bottom, 1);
            strips->setFixedWidth(330);
            grid->addWidget(bars, row * 2, 1, 2, 1);
            grid->addWidget(strips, row * 2, 2, 2, 1);
            ++row;
        }
        grid->setColumnStretch(1, 1);
        l->addLayout(grid, 1);
        height += 240 * (last - first + 1);
        width = 1100;
    } else {
        auto* row = new QGridLayout;
        int col = 0;
        for (int b = first; b <= last; ++b) {
            const MapTile s = spatialTile(trace, b);
            if (s.values.empty()) continue;
            auto* v = new SpatialOverlayView(&fig);
            v->setImage(inputImage(image));
            v->setColorMap(o.colorMap);
            v->setMap(s.values, s.rows, s.cols);
            v->setOpacity(o.opacity);
            v->setTitle(QStringLiteral("block %1: M_s %2×%3").arg(b + 1).arg(s.cols).arg(s.rows));
            row->addWidget(v, 0, col++);
        }
        if (col == 0)
            return fail(QStringLiteral("%1 has no spatial attention (only CBAM models do: try fmnist-cbam)").arg(QString::fromStdString(trace.model)));
        l->addLayout(row, 1);
        width = 40 + 330 * col;
        height += 320;
    }
    return writeFigure(fig, QSize(width, height), path, o.dpi, error);
}

} // namespace attnscope::ui
