#include "workspaces/vision/visionfigure.h"

#include "attnscope/schema.h"
#include "views/spatialoverlayview.h"
#include "workspaces/vision/visionworkspace.h"

#include <QFileInfo>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>

namespace attnscope::ui {

QString visionHeading(const AttentionTrace& trace)
{
    QString s = QStringLiteral("<b>%1</b> · %2 · input %3")
                    .arg(QString::fromStdString(trace.model).toHtmlEscaped(),
                         QFileInfo(QString::fromStdString(trace.meta(schema::kInputMeta))).fileName().toHtmlEscaped(),
                         QString::fromStdString(trace.meta(schema::vision::kInputSizeMeta)));
    if (const TraceTensor* a = trace.find(schema::vision::kAttention); a && a->shape.size() == 4)
        s += QStringLiteral(" · %1 layers × %2 heads × %3×%4").arg(a->shape[0]).arg(a->shape[1]).arg(a->shape[2]).arg(a->shape[3]);
    if (trace.find(schema::vision::kCtc))
        s += QStringLiteral(" · reads <b>“%1”</b>").arg(QString::fromStdString(trace.meta(schema::vision::kTextMeta)).toHtmlEscaped());
    return s;
}

BuiltFigure buildVisionFigure(const AttentionTrace& trace, const VisionView& view, const QString& colorMap)
{
    const QImage picture = visionPicture(trace);
    if (picture.isNull()) return BuiltFigure::none(QObject::tr("the trace has no picture (not a vision model's trace)"));
    std::vector<float> values;
    int rows = 0, cols = 0;
    QString title, error;
    if (!visionMap(trace, view, values, rows, cols, title, &error)) return BuiltFigure::none(error);
    // Wide text lines are drawn at most 1,200 pixels wide, tall pictures at most 800 high.
    const double scale = std::min({1200.0 / picture.width(), 800.0 / picture.height(), 4.0});
    const QSize shown(int(picture.width() * scale), int(picture.height() * scale));
    BuiltFigure f = newFigure(QSize(std::max(640, shown.width() + 120), shown.height() + 100));
    auto* l = new QVBoxLayout(f.widget);
    auto* heading = new QLabel(visionHeading(trace), f.widget);
    heading->setWordWrap(true);
    l->addWidget(heading);
    auto* overlay = new SpatialOverlayView(f.widget);
    overlay->setImage(picture);
    overlay->setColorMap(colorMap);
    overlay->setOpacity(view.opacity);
    overlay->setTitle(title);
    if (!values.empty()) overlay->setMap(values, rows, cols);
    // The patch whose attention is shown, outlined.
    const PatchGrid g = patchGrid(trace);
    if (view.mode == "patch" && g.valid() && view.query >= (g.cls ? 1 : 0)) {
        const int p = view.query - (g.cls ? 1 : 0);
        const double cw = double(picture.width()) / g.cols, ch = double(picture.height()) / g.rows;
        overlay->setBoxes({QRect(int((p % g.cols) * cw), int((p / g.cols) * ch), int(cw), int(ch))}, 0);
    }
    l->addWidget(overlay, 1);
    return f;
}

// The Vision workspace's exports (File → Export view / data).
BuiltFigure VisionWorkspace::currentFigure()
{
    if (!trace_) return BuiltFigure::none(tr("Nothing to export yet."));
    return buildVisionFigure(*trace_, currentView(), overlay_->colorMap());
}

ViewData VisionWorkspace::currentData() const
{
    if (!trace_) return ViewData::none(tr("Nothing to export yet."));
    const VisionView v = currentView();
    std::vector<float> values;
    int rows = 0, cols = 0;
    QString title, error;
    if (!visionMap(*trace_, v, values, rows, cols, title, &error) || values.empty())
        return ViewData::none(error.isEmpty() ? tr("The picture has no map on it.") : error);
    ViewData d;
    // The map over the picture, by the trace's patch names (s0…, or r·c·); the Matrix tab's data
    // (queries × keys) is its own view's.
    d.table = {tr("row \\ col"), {}, {}, values, {}};
    for (int r = 0; r < rows; ++r) d.table.rowLabels << (rows == 1 ? tr("strips") : QStringLiteral("r%1").arg(r));
    for (int c = 0; c < cols; ++c) d.table.columnLabels << (rows == 1 ? QStringLiteral("s%1") : QStringLiteral("c%1")).arg(c);
    d.fileName = currentViewName() + ".csv";
    d.description = title;
    return d;
}

} // namespace attnscope::ui
