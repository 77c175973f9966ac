// AlignmentMatrixView as a figure and as numbers: PNG at a DPI, SVG and PDF (QCustomPlot's own
// writers), the size a figure needs for its labels, and the matrix with its labels as a table.
#include "views/alignmentmatrixview.h"
#include "attnscope/schema.h"
#include <cstdlib>
#include "views/datawriter.h"
#include "views/figurewriter.h"
#include "attnscope/alignment.h"
#include "attnscope/dumps.h"
#include "views/colormaps.h"
#include <QFileInfo>
#include <QTextStream>
#include <QToolTip>
#include <QVBoxLayout>
#include <qcustomplot.h>
#include <algorithm>
#include <cmath>
#include <set>

namespace attnscope::ui {

bool AlignmentMatrixView::exportData(const QString& path, QString* error) const
{
    return writeDataTable(dataTable(), path, error);
}

DataTable AlignmentMatrixView::dataTable() const
{
    return {axisTitle(Qt::Vertical) + QStringLiteral(" \\ ") + axisTitle(Qt::Horizontal), rowLabels_, colLabels_, values_, {}};
}

QSize AlignmentMatrixView::figureSize() const
{
    const QFontMetrics fm(plot_->xAxis2->tickLabelFont());
    int longest = 40;
    for (const auto& l : colLabels_ + rowLabels_) longest = std::max(longest, fm.horizontalAdvance(l));
    const int cell = std::max(fm.height() + 6, 22);
    const int w = std::clamp(longest + 160 + cols_ * cell, 680, 6000);  // room for the legend row
    const int h = std::clamp(longest + 120 + rows_ * cell, 360, 6000);
    return {w, h};
}

QSize AlignmentMatrixView::exportSize(int width, int height) const
{
    const QSize fs = figureSize();
    return {width > 0 ? width : fs.width(), height > 0 ? height : fs.height()};
}

void AlignmentMatrixView::layoutForExport(QSize size, const std::function<void()>& draw)
{
    // Markers and labels depend on the pixel size: lay out twice at the export size first
    // (the second pass draws the labels chosen after the first layout).
    const QRect oldViewport = plot_->viewport();
    const bool h = hLine_->visible(), v = vLine_->visible();
    plot_->setViewport(QRect(QPoint(0, 0), size));
    hLine_->setVisible(false);
    vLine_->setVisible(false);
    for (int pass = 0; pass < 2; ++pass) plot_->replot(QCustomPlot::rpImmediateRefresh);
    draw();
    plot_->setViewport(oldViewport);
    hLine_->setVisible(h);
    vLine_->setVisible(v);
    plot_->replot();
}

QImage AlignmentMatrixView::renderImage(int width, int height, int dpi)
{
    if (rows_ == 0) return {};
    const QSize size = exportSize(width, height);
    dpi = std::clamp(dpi, 24, 2400);
    QImage img;
    layoutForExport(size, [&] {
        img = plot_->toPixmap(size.width(), size.height(), dpi / 96.0).toImage();
        img.setDotsPerMeterX(int(dpi / 0.0254));
        img.setDotsPerMeterY(int(dpi / 0.0254));
    });
    return img;
}

bool AlignmentMatrixView::exportTo(const QString& path, int width, int height, QString* error, int dpi)
{
    if (rows_ == 0) {
        if (error) *error = tr("nothing to export: the view is empty");
        return false;
    }
    if (!isFigurePath(path, error)) return false;
    const QString ext = QFileInfo(path).suffix().toLower();
    if (ext == "png") return savePng(renderImage(width, height, dpi), path, error);
    const QSize size = exportSize(width, height);
    const int w = size.width(), h = size.height();
    QByteArray bytes;
    layoutForExport(size, [&] {
        const bool pdf = ext == "pdf";
        const auto draw = [&](QPaintDevice& device) {
            QCPPainter painter;
            if (!painter.begin(&device)) return false;
            if (pdf) {  // as QCustomPlot's savePdf: vectors, no cosmetic pens
                painter.setMode(QCPPainter::pmVectorized);
                painter.setMode(QCPPainter::pmNonCosmetic);
            }
            plot_->toPainter(&painter, w, h);
            return painter.end();
        };
        bytes = pdf ? paintPdf(size, tr("Alignment matrix"), draw) : paintSvg(size, tr("AttnScope alignment matrix"), draw);
    });
    if (bytes.isEmpty()) {
        if (error) *error = tr("cannot draw the figure for %1").arg(path);
        return false;
    }
    return saveBytes(bytes, path, error);
}

} // namespace attnscope::ui
