#include "workspaces/stn/stnfigure.h"

#include "attnscope/schema.h"
#include "views/stnview.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <QWidget>

namespace attnscope::ui {

bool exportStnFigure(const AttentionTrace& trace, const AttentionTrace& before, const GreyImage& canvas,
                     const StnFigureOptions& o, const QString& path, QString* error)
{
    return writeFigure(buildStnFigure(trace, before, canvas, o), path, o.dpi, error);
}

BuiltFigure buildStnFigure(const AttentionTrace& trace, const AttentionTrace& before, const GreyImage& canvas,
                           const StnFigureOptions& o)
{
    const TraceTensor* t = trace.find(schema::stn::kTheta);
    if (!t || t->values.size() != 6) {
        BuiltFigure none;
        none.error = QStringLiteral("%1 has no spatial transformer (a plain CNN baseline): nothing to draw")
                         .arg(QString::fromStdString(trace.model));
        return none;
    }
    const Theta theta{t->values[0], t->values[1], t->values[2], t->values[3], t->values[4], t->values[5]};
    BuiltFigure figure = newFigure(QSize(1000, 440));
    QWidget& fig = *figure.widget;
    auto* l = new QVBoxLayout(&fig);
    auto pred = [](const AttentionTrace& x) {
        return QStringLiteral("<b>%1</b> %2%")
            .arg(QString::fromStdString(x.meta(schema::image::kPredictionMeta)))
            .arg(100.0 * QString::fromStdString(x.meta(schema::image::kConfidenceMeta)).toDouble(), 0, 'f', 1);
    };
    l->addWidget(new QLabel(QStringLiteral("<b>%1</b> · %2 · before (θ = identity): %3 · after (%4 θ): %5")
                                .arg(QString::fromStdString(trace.model), QString::fromStdString(trace.meta(schema::kInputMeta)).toHtmlEscaped(),
                                     pred(before), trace.meta(schema::stn::kThetaSourceMeta) == "manual" ? QStringLiteral("given") : QStringLiteral("network"),
                                     pred(trace)),
                            &fig));
    auto* row = new QHBoxLayout;
    auto* view = new StnView(&fig);
    view->setInput(canvas);
    view->setBilinear(o.bilinear);
    view->setTheta(theta);
    view->setGridLines(o.gridLines);
    view->setColorMap(o.colorMap);
    view->setCaptions(QStringLiteral("input %1×%1, sampling frame and grid").arg(canvas.width),
                      QStringLiteral("warped 28×28 (%1)").arg(o.bilinear ? "bilinear" : "nearest"));
    row->addWidget(view, 1);
    const ThetaParts p = decomposeTheta(theta);
    auto* text = new QLabel(QStringLiteral("<pre>θ = [%1 %2 %3\n     %4 %5 %6]</pre>rotation %7°<br>scale %8 × %9<br>shear %10<br>"
                                           "translation (%11, %12)")
                                .arg(theta[0], 6, 'f', 3)
                                .arg(theta[1], 6, 'f', 3)
                                .arg(theta[2], 6, 'f', 3)
                                .arg(theta[3], 6, 'f', 3)
                                .arg(theta[4], 6, 'f', 3)
                                .arg(theta[5], 6, 'f', 3)
                                .arg(p.rotation, 0, 'f', 1)
                                .arg(p.scaleX, 0, 'f', 3)
                                .arg(p.scaleY, 0, 'f', 3)
                                .arg(p.shear, 0, 'f', 3)
                                .arg(p.tx, 0, 'f', 3)
                                .arg(p.ty, 0, 'f', 3),
                            &fig);
    text->setFixedWidth(230);
    row->addWidget(text);
    l->addLayout(row, 1);
    return figure;
}

} // namespace attnscope::ui
