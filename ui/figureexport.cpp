#include "figureexport.h"

#include "views/alignmentmatrixview.h"

namespace attnscope::ui {

bool exportTraceFigure(const AttentionTrace& trace, const QString& path, int width, int height, QString* error)
{
    if (!trace.find("cross")) {
        if (error) *error = QStringLiteral("the trace has no \"cross\" attention tensor to draw");
        return false;
    }
    AlignmentMatrixView view;
    view.setTrace(trace);
    const QSize size = view.figureSize();
    view.resize(width > 0 ? width : size.width(), height > 0 ? height : size.height());
    return view.exportTo(path, width, height, error);
}

} // namespace attnscope::ui
