// colorGradient: the colour maps of colormaps.h as QCustomPlot gradients (kept apart so the
// colour tables build without QCustomPlot, for the light `attnscope` front end's figures).
#include "views/colormaps.h"

#include <qcustomplot.h>

namespace attnscope::ui {

QCPColorGradient colorGradient(const QString& name)
{
    const auto& s = stopsOf(name);
    QCPColorGradient g;
    g.clearColorStops();
    for (size_t i = 0; i < s.size(); ++i) g.setColorStopAt(double(i) / double(s.size() - 1), QColor(s[i]));
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setLevelCount(256);
    g.setNanHandling(QCPColorGradient::nhTransparent);  // NaN / Inf: no value, never a colour of the map
    return g;
}

} // namespace attnscope::ui
