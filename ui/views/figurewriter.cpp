#include "views/figurewriter.h"

#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QWidget>

#include <algorithm>

namespace attnscope::ui {

void usePaperPalette(QWidget& figure)
{
    figure.setAutoFillBackground(true);
    QPalette pal = figure.palette();
    for (auto role : {QPalette::Window, QPalette::Base}) pal.setColor(role, Qt::white);
    for (auto role : {QPalette::Text, QPalette::WindowText}) pal.setColor(role, Qt::black);
    figure.setPalette(pal);
}

QImage renderFigure(QWidget& w, QSize size, int dpi)
{
    if (!w.isVisible()) w.resize(size);  // a view on screen is drawn at its own size
    size = w.size();
    w.ensurePolished();
    dpi = std::clamp(dpi, 24, 2400);
    const double scale = dpi / 96.0;
    QImage img(size * scale, QImage::Format_ARGB32_Premultiplied);
    img.setDevicePixelRatio(scale);
    img.setDotsPerMeterX(int(dpi / 0.0254));
    img.setDotsPerMeterY(int(dpi / 0.0254));
    img.fill(w.palette().window().color());
    QPainter p(&img);
    w.render(&p);
    p.end();
    return img;
}

bool savePng(const QImage& image, const QString& path, QString* error)
{
    if (image.save(path, "PNG")) return true;
    if (error) *error = QStringLiteral("cannot write %1 (is the folder writable?)").arg(path);
    return false;
}

bool isFigurePath(const QString& path, QString* error)
{
    const QString ext = QFileInfo(path).suffix().toLower();
    if (ext == "png" || ext == "svg" || ext == "pdf") return true;
    if (error) *error = QStringLiteral("unknown figure type .%1 (png, svg, pdf)").arg(ext);
    return false;
}

bool writeFigure(QWidget& w, QSize size, const QString& path, int dpi, QString* error)
{
    if (!isFigurePath(path, error)) return false;
    const QString ext = QFileInfo(path).suffix().toLower();
    if (ext == "png") return savePng(renderFigure(w, size, dpi), path, error);
    if (!w.isVisible()) w.resize(size);
    size = w.size();
    w.ensurePolished();
    bool ok = false;
    if (ext == "svg") {
        QSvgGenerator gen;
        gen.setFileName(path);
        gen.setSize(size);
        gen.setViewBox(QRect(QPoint(0, 0), size));
        QPainter p;
        if (p.begin(&gen)) {
            w.render(&p);
            ok = p.end() && QFileInfo(path).size() > 0;
        }
    } else {
        QPdfWriter pdf(path);
        pdf.setPageSize(QPageSize(QSizeF(size), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setResolution(72);
        QPainter p;
        if (p.begin(&pdf)) {
            w.render(&p);
            ok = p.end() && QFileInfo(path).size() > 0;
        }
    }
    if (!ok && error) *error = QStringLiteral("cannot write %1 (is the folder writable?)").arg(path);
    return ok;
}

BuiltFigure newFigure(QSize size)
{
    BuiltFigure f;
    f.owned = std::make_unique<QWidget>();
    f.widget = f.owned.get();
    usePaperPalette(*f.widget);
    f.size = size;
    return f;
}

BuiltFigure BuiltFigure::of(QWidget* view)
{
    BuiltFigure f;
    f.widget = view;
    f.size = view ? view->size() : QSize();
    return f;
}

BuiltFigure BuiltFigure::none(const QString& error)
{
    BuiltFigure f;
    f.error = error;
    return f;
}

QImage renderFigure(const BuiltFigure& figure, int dpi, QString* error)
{
    if (!figure) {
        if (error) *error = figure.error;
        return {};
    }
    return renderFigure(*figure.widget, figure.size, dpi);
}

bool writeFigure(const BuiltFigure& figure, const QString& path, int dpi, QString* error)
{
    if (!figure) {
        if (error) *error = figure.error;
        return false;
    }
    return writeFigure(*figure.widget, figure.size, path, dpi, error);
}

} // namespace attnscope::ui
