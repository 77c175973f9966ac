#include "workspaces/text/tracefigure.h"

#include "attnscope/alignment.h"
#include "attnscope/headstats.h"
#include "attnscope/schema.h"
#include "attnscope/subwords.h"
#include "views/alignmentmatrixview.h"
#include "views/figurewriter.h"
#include "views/headcompareview.h"
#include "views/headgridview.h"
#include "views/tokenflowview.h"

#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>

namespace attnscope::ui {

bool exportTraceFigure(const AttentionTrace& trace, const QString& path, int width, int height, QString* error, int dpi,
                       const QString& title)
{
    if (!trace.find(schema::translation::kCross)) {
        if (error) *error = QStringLiteral("the trace has no \"cross\" attention tensor to draw");
        return false;
    }
    AlignmentMatrixView view;
    view.setTrace(trace, traceLinks(trace));
    if (!title.isEmpty()) view.setTitle(title);
    return view.exportTo(path, width, height, error, dpi);
}

QString headName(const AttentionTrace& trace, const HeadRef& head)
{
    QString name = QString::fromStdString(trace.model);
    if (!name.isEmpty()) name += QStringLiteral(" · ");
    const TraceTensor* t = attentionTensor(trace, head.kind);
    if (!t) return name + QString::fromStdString(head.kind);
    if (t->shape.size() == 2) return name + QString::fromStdString(t->name);
    return name + QStringLiteral("%1 L%2 %3").arg(QString::fromStdString(t->name)).arg(head.layer + 1)
                      .arg(head.meanOverHeads() ? QStringLiteral("mean") : QStringLiteral("H%1").arg(head.head + 1));
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
        if (auto st = selectHead(trace, o.a, a); !st) return fail(QString::fromStdString(st.message));
        if (o.view == "matrix") {
            AttentionTrace one = trace;
            one.tensors = {std::move(a)};
            if (!goldFits(trace, one.tensors[0])) {
                one.goldLinks.clear();
                one.sourceEvaluated.clear();
                one.targetEvaluated.clear();
            }
            return exportTraceFigure(one, path, o.width, o.height, error, o.dpi, headName(trace, o.a));
        }
        const AttentionTrace& second = other ? *other : trace;
        TraceTensor b;
        if (auto st = selectHead(second, o.b, b); !st) return fail(QString::fromStdString(st.message));
        HeadCompareView view;
        HeadComparison comparison;
        std::string mapped;  // two tokenisations: the words both share (sharedWordGrid)
        if (a.shape != b.shape)
            if (auto st = sharedWordGrid(a, b, a, b, mapped); !st) return fail(QString::fromStdString(st.message));
        if (!mapped.empty() && o.note) *o.note = QString::fromStdString(mapped);
        if (auto st = compareHeadPair(a, b, &trace, view.linkOptions(), comparison); !st) return fail(QString::fromStdString(st.message));
        QString message;
        if (!view.setHeads(a, headName(trace, o.a), b, headName(second, o.b),
                           comparison, &message))
            return fail(message);
        const QSize size(o.width > 0 ? o.width : 1200, o.height > 0 ? o.height : 480);
        return writeFigure(view, size, path, o.dpi, error);
    }
    const TraceTensor* t = attentionTensor(trace, o.a.kind);
    if (!t) return fail(o.a.kind.empty() ? QStringLiteral("the trace has no attention tensor to draw")
                                         : QStringLiteral("the trace has no tensor named '%1'").arg(QString::fromStdString(o.a.kind)));
    if (t->shape.size() == 2 && o.view != "flow")
        return fail(QStringLiteral("'%1' is 2-D: use --view matrix or flow").arg(QString::fromStdString(t->name)));
    const TraceTensor four = asMultiHead(*t);  // 2-D → one layer with one head
    if (four.shape.size() != 4) return fail(QStringLiteral("cannot draw a %1-D tensor").arg(four.shape.size()));
    if (o.a.layer < 0 || o.a.layer >= four.shape[0])
        return fail(QStringLiteral("no layer %1 (the tensor has %2 layers × %3 heads)")
                        .arg(o.a.layer + 1).arg(four.shape[0]).arg(four.shape[1]));
    // Grid and flow figures say what they show above the view: model · tensor (a lens's name
    // says the lens) · which heads.
    const QString model = trace.model.empty() ? QString() : QString::fromStdString(trace.model) + QStringLiteral(" · ");
    const auto titled = [&](QWidget* view, const QString& title, QSize size) {
        BuiltFigure f = newFigure(QSize(size.width(), size.height() + 28));
        auto* l = new QVBoxLayout(f.widget);
        l->setContentsMargins(4, 4, 4, 4);
        auto* heading = new QLabel(title, f.widget);
        heading->setObjectName("figureTitle");
        QFont bold = heading->font();
        bold.setBold(true);
        heading->setFont(bold);
        heading->setAlignment(Qt::AlignCenter);
        l->addWidget(heading);
        view->setParent(f.widget);
        l->addWidget(view, 1);
        return writeFigure(f, path, o.dpi, error);
    };
    if (o.view == "grid") {
        auto* grid = new HeadGridView;
        HeadAnalysis analysis;
        if (auto st = analyzeHeads(four, &trace, {}, analysis); !st) {
            delete grid;
            return fail(QString::fromStdString(st.message));
        }
        grid->setTensor(four, analysis);
        const int cell = 96;
        const QSize size(o.width > 0 ? o.width : int(40 + four.shape[1] * (cell + 4)),
                         o.height > 0 ? o.height : int(40 + four.shape[0] * (cell + 4)));
        return titled(grid, QObject::tr("%1%2 · every head (%3 layers × %4 heads)")
                                .arg(model, QString::fromStdString(t->name)).arg(four.shape[0]).arg(four.shape[1]),
                      size);
    }
    if (o.view == "flow") {
        auto* flow = new TokenFlowView;
        flow->setTensor(four, o.a.layer);
        const QSize size(o.width > 0 ? o.width : 560,
                         o.height > 0 ? o.height : int(std::max<int64_t>(240, 40 + 22 * std::max(four.shape[2], four.shape[3]))));
        return titled(flow, QObject::tr("%1%2 · layer %3, every head").arg(model, QString::fromStdString(t->name)).arg(o.a.layer + 1),
                      size);
    }
    return fail(QStringLiteral("unknown view '%1' (matrix, grid, flow, compare)").arg(o.view));
}

} // namespace attnscope::ui
