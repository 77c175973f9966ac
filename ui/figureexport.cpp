#include "figureexport.h"

#include "attnscope/alignment.h"
#include "attnscope/headstats.h"
#include "views/alignmentmatrixview.h"
#include "views/headcompareview.h"
#include "views/headgridview.h"
#include "views/tokenflowview.h"

#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>

#include <algorithm>

namespace attnscope::ui {

bool exportTraceFigure(const AttentionTrace& trace, const QString& path, int width, int height, QString* error, int dpi)
{
    if (!trace.find("cross")) {
        if (error) *error = QStringLiteral("the trace has no \"cross\" attention tensor to draw");
        return false;
    }
    AlignmentMatrixView view;
    view.setTrace(trace);
    return view.exportTo(path, width, height, error, dpi);
}

void usePaperPalette(QWidget& figure)
{
    figure.setAutoFillBackground(true);
    QPalette pal = figure.palette();
    for (auto role : {QPalette::Window, QPalette::Base}) pal.setColor(role, Qt::white);
    for (auto role : {QPalette::Text, QPalette::WindowText}) pal.setColor(role, Qt::black);
    figure.setPalette(pal);
}

bool exportWidgetFigure(QWidget& w, QSize size, const QString& path, int dpi, QString* error)
{
    if (!w.isVisible()) w.resize(size);  // a view on screen is drawn at its own size
    size = w.size();
    w.ensurePolished();
    const QString ext = QFileInfo(path).suffix().toLower();
    bool ok = false;
    if (ext == "png") {
        const double scale = std::clamp(dpi, 24, 2400) / 96.0;
        QImage img(size * scale, QImage::Format_ARGB32_Premultiplied);
        img.setDevicePixelRatio(scale);
        img.setDotsPerMeterX(int(std::clamp(dpi, 24, 2400) / 0.0254));
        img.setDotsPerMeterY(int(std::clamp(dpi, 24, 2400) / 0.0254));
        img.fill(w.palette().window().color());
        QPainter p(&img);
        w.render(&p);
        p.end();
        ok = img.save(path);
    } else if (ext == "svg") {
        QSvgGenerator gen;
        gen.setFileName(path);
        gen.setSize(size);
        gen.setViewBox(QRect(QPoint(0, 0), size));
        QPainter p;
        if (p.begin(&gen)) {
            w.render(&p);
            ok = p.end() && QFileInfo(path).size() > 0;
        }
    } else if (ext == "pdf") {
        QPdfWriter pdf(path);
        pdf.setPageSize(QPageSize(QSizeF(size), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setResolution(72);
        QPainter p;
        if (p.begin(&pdf)) {
            w.render(&p);
            ok = p.end() && QFileInfo(path).size() > 0;
        }
    } else {
        if (error) *error = QStringLiteral("unknown figure type .%1 (png, svg, pdf)").arg(ext);
        return false;
    }
    if (!ok && error) *error = QStringLiteral("cannot write %1 (is the folder writable?)").arg(path);
    return ok;
}

QString headName(const AttentionTrace& trace, const QString& kind, int layer, int head)
{
    QString name = QString::fromStdString(trace.model);
    if (!name.isEmpty()) name += QStringLiteral(" · ");
    const TraceTensor* t = attentionTensor(trace, kind.toStdString());
    if (!t) return name + kind;
    if (t->shape.size() == 2) return name + QString::fromStdString(t->name);
    return name + QStringLiteral("%1 L%2 %3").arg(QString::fromStdString(t->name)).arg(layer + 1)
                      .arg(head < 0 ? QStringLiteral("mean") : QStringLiteral("H%1").arg(head + 1));
}

bool exportTraceView(const AttentionTrace& trace, const FigureOptions& o, const QString& path, QString* error,
                     const AttentionTrace* other)
{
    auto fail = [&](const QString& m) {
        if (error) *error = m;
        return false;
    };
    if (o.view == "matrix" || o.view == "compare") {
        TraceTensor a;
        if (auto st = selectHead(trace, o.kind.toStdString(), o.layer, o.head, a); !st) return fail(QString::fromStdString(st.message));
        if (o.view == "matrix") {
            AttentionTrace one = trace;
            one.tensors = {std::move(a)};
            if (!goldFits(trace, one.tensors[0])) {
                one.goldLinks.clear();
                one.sourceEvaluated.clear();
                one.targetEvaluated.clear();
            }
            return exportTraceFigure(one, path, o.width, o.height, error, o.dpi);
        }
        const AttentionTrace& second = other ? *other : trace;
        TraceTensor b;
        if (auto st = selectHead(second, o.kind2.toStdString(), o.layer2, o.head2, b); !st) return fail(QString::fromStdString(st.message));
        HeadCompareView view;
        QString message;
        if (!view.setHeads(a, headName(trace, o.kind, o.layer, o.head), b, headName(second, o.kind2, o.layer2, o.head2),
                           &trace, &message))
            return fail(message);
        const QSize size(o.width > 0 ? o.width : 1200, o.height > 0 ? o.height : 480);
        return exportWidgetFigure(view, size, path, o.dpi, error);
    }
    const TraceTensor* t = attentionTensor(trace, o.kind.toStdString());
    if (!t) return fail(o.kind.isEmpty() ? QStringLiteral("the trace has no attention tensor to draw")
                                         : QStringLiteral("the trace has no tensor named '%1'").arg(o.kind));
    if (t->shape.size() == 2 && o.view != "flow")
        return fail(QStringLiteral("'%1' is 2-D: use --view matrix or flow").arg(QString::fromStdString(t->name)));
    const TraceTensor four = asMultiHead(*t);  // 2-D → one layer with one head
    if (four.shape.size() != 4) return fail(QStringLiteral("cannot draw a %1-D tensor").arg(four.shape.size()));
    if (o.layer < 0 || o.layer >= four.shape[0])
        return fail(QStringLiteral("no layer %1 (the tensor has %2 layers × %3 heads)")
                        .arg(o.layer + 1).arg(four.shape[0]).arg(four.shape[1]));
    if (o.view == "grid") {
        HeadGridView grid;
        grid.setTensor(four);
        const int cell = 96;
        const QSize size(o.width > 0 ? o.width : int(40 + four.shape[1] * (cell + 4)),
                         o.height > 0 ? o.height : int(40 + four.shape[0] * (cell + 4)));
        return exportWidgetFigure(grid, size, path, o.dpi, error);
    }
    if (o.view == "flow") {
        TokenFlowView flow;
        flow.setTensor(four, o.layer);
        const QSize size(o.width > 0 ? o.width : 560,
                         o.height > 0 ? o.height : int(std::max<int64_t>(240, 40 + 22 * std::max(four.shape[2], four.shape[3]))));
        return exportWidgetFigure(flow, size, path, o.dpi, error);
    }
    return fail(QStringLiteral("unknown view '%1' (matrix, grid, flow, compare)").arg(o.view));
}

} // namespace attnscope::ui
