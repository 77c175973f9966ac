#include "cli/clipruning.h"
#include "cli/clicommon.h"

#include "attnscope/savefile.h"
#include "views/figurewriter.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace attnscope::cli {

void drawPruningChart(QCustomPlot* plot, const PruningTable& t)
{
    plot->clearGraphs();
    if (plot->plotLayout()->rowCount() < 2) plot->plotLayout()->insertRow(0);
    if (plot->plotLayout()->element(0, 0)) plot->plotLayout()->remove(plot->plotLayout()->element(0, 0));
    plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, QObject::tr("Pruning %1: %2 as heads are zeroed")
                                                                      .arg(QString::fromStdString(t.model), QString::fromStdString(t.metricLabel))));
    const QList<QColor> colours{QColor("#1565c0"), QColor("#9e9e9e"), QColor("#bdbdbd"), QColor("#757575")};
    for (size_t c = 0; c < t.curves.size(); ++c) {
        QCPGraph* g = plot->addGraph();
        g->setName(QString::fromStdString(t.curves[c].first));
        g->setPen(QPen(colours[int(std::min<size_t>(c, 3))], c == 0 ? 2.5 : 1.2, c == 0 ? Qt::SolidLine : Qt::DashLine));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, c == 0 ? 6 : 4));
        for (size_t i = 0; i < t.fractions.size() && i < t.curves[c].second.size(); ++i) g->addData(100 * t.fractions[i], t.curves[c].second[i]);
    }
    plot->xAxis->setLabel(QObject::tr("heads zeroed (%)"));
    plot->yAxis->setLabel(QString::fromStdString(t.metricLabel));
    plot->xAxis->setRange(0, 100);
    plot->rescaleAxes(true);
    plot->xAxis->setRange(-2, 102);
    plot->yAxis->setRange(0, plot->yAxis->range().upper * 1.06 + 0.5);
    plot->legend->setVisible(true);
    plot->replot();
}

bool writePruningChart(const PruningTable& t, const QString& path, QString* error)
{
    ui::BuiltFigure figure = ui::newFigure(QSize(760, 460));
    auto* plot = new QCustomPlot(figure.widget);
    plot->setGeometry(0, 0, 760, 460);
    drawPruningChart(plot, t);
    return ui::writeFigure(figure, path, 96, error);
}

QByteArray pruningCsv(const PruningTable& t)
{
    QByteArray csv = "fraction,heads_removed";
    for (const auto& [order, scores] : t.curves)
        csv += ',' + QByteArray::fromStdString(t.metric) + '_' +
               QByteArray::fromStdString(order).replace(' ', '_').replace("(", "").replace(")", "");
    csv += '\n';
    for (size_t i = 0; i < t.fractions.size(); ++i) {
        csv += QByteArray::number(t.fractions[i], 'f', 2) + ',' + QByteArray::number(t.removed[i]);
        for (const auto& [order, scores] : t.curves) csv += ',' + QByteArray::number(scores[i], 'f', 2);
        csv += '\n';
    }
    return csv;
}

double prunableFraction(const PruningTable& t)
{
    if (t.curves.empty()) return 0;
    const auto& ranked = t.curves.front().second;
    double prunable = 0;
    for (size_t i = 0; i < ranked.size() && i < t.fractions.size(); ++i)
        if (ranked[i] >= ranked[0] - 1.0) prunable = t.fractions[i];
        else break;
    return prunable;
}

bool isPruningOutput(const QString& out)
{
    QString bad;
    return out.endsWith(".csv", Qt::CaseInsensitive) || ui::isFigurePath(out, &bad);
}

int finishPruningTable(const PruningTable& t, const QString& out)
{
    if (t.curves.empty() || t.fractions.empty()) return fail("no pruning point to write");
    std::printf("model %s, %s, %zu %s, %zu heads; %s as heads are zeroed (least important by %s first)\n", t.model.c_str(),
                t.corpus.c_str(), t.items, t.metric == "bleu" ? "verses" : "lines", t.heads, t.metricLabel.c_str(), t.ranking.c_str());
    for (size_t i = 0; i < t.fractions.size(); ++i) {
        std::printf("%3.0f%% (%2d heads)", 100 * t.fractions[i], t.removed[i]);
        for (const auto& [order, scores] : t.curves) std::printf("  %5.1f", scores[i]);
        std::printf("\n");
    }
    std::printf("prunable within 1 %s point: %.0f%% of the heads\n", t.metric == "bleu" ? "BLEU" : t.metric.c_str(),
                100 * prunableFraction(t));
    if (out.endsWith(".csv", Qt::CaseInsensitive)) {
        const QByteArray csv = pruningCsv(t);
        if (auto st = saveFileAtomically(out.toStdString(), csv.constData(), size_t(csv.size())); !st) return fail(st.message);
    } else if (QString error; !writePruningChart(t, out, &error)) {
        return fail(error.toStdString());
    }
    std::cerr << "wrote " << out.toStdString() << "\n";
    return 0;
}

} // namespace attnscope::cli
