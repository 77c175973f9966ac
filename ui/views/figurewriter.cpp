#include "views/figurewriter.h"

#include "attnscope/savefile.h"

#include <QBuffer>
#include <QFileInfo>
#include <QImageWriter>
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

bool saveBytes(const QByteArray& bytes, const QString& path, QString* error)
{
    const auto st = saveFileAtomically(path.toStdString(), bytes.constData(), size_t(bytes.size()));
    if (!st && error) *error = QString::fromStdString(st.message);
    return bool(st);
}

bool savePng(const QImage& image, const QString& path, QString* error)
{
    // Encoded in memory, then written whole through a temporary file and a rename.
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "png");
    if (image.isNull() || !writer.write(image)) {
        if (error) *error = QStringLiteral("cannot encode %1 as PNG: %2").arg(path, image.isNull() ? QStringLiteral("the figure is empty") : writer.errorString());
        return false;
    }
    return saveBytes(bytes, path, error);
}

QByteArray paintSvg(QSize size, const QString& title, const std::function<bool(QPaintDevice&)>& paint)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator gen;
    gen.setOutputDevice(&buffer);
    gen.setSize(size);
    gen.setViewBox(QRect(QPoint(0, 0), size));
    if (!title.isEmpty()) gen.setTitle(title);
    if (!paint(gen)) return {};
    return bytes;
}

QByteArray paintPdf(QSize size, const QString& title, const std::function<bool(QPaintDevice&)>& paint)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter pdf(&buffer);
        pdf.setCreator(QStringLiteral("AttnScope"));
        if (!title.isEmpty()) pdf.setTitle(title);
        pdf.setPageSize(QPageSize(QSizeF(size), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setResolution(72);
        if (!paint(pdf)) return {};
    }  // the writer finishes the file when it goes
    return bytes;
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
    const auto draw = [&](QPaintDevice& device) {
        QPainter p;
        if (!p.begin(&device)) return false;
        w.render(&p);
        return p.end();
    };
    const QByteArray bytes = ext == "svg" ? paintSvg(size, QString(), draw) : paintPdf(size, QString(), draw);
    if (bytes.isEmpty()) {
        if (error) *error = QStringLiteral("cannot draw the figure for %1").arg(path);
        return false;
    }
    return saveBytes(bytes, path, error);
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
