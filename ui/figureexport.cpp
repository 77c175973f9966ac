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
    return view.exportTo(path, width, height, error);
}

} // namespace attnscope::ui
