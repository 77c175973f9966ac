#pragma once
// The shared figure writer: every workspace's Export view, Copy image and the CLI's figures go
// through it. A figure is a widget (a view on screen, or one built for export) drawn at a size:
// PNG at a resolution (size × dpi / 96 pixels, the DPI recorded in the file), SVG or PDF.
#include <QImage>
#include <QSize>
#include <QString>
#include <QWidget>

#include <functional>
#include <memory>

class QPaintDevice;

namespace attnscope::ui {

/// A figure to render or write: a widget built for export by a kind's figure module (owned),
/// or a view on screen (not owned), at a size; or the reason there is none.
struct BuiltFigure {
    std::unique_ptr<QWidget> owned;
    QWidget* widget = nullptr;  ///< owned.get(), or a view on screen
    QSize size;
    QString error;  ///< set when widget is null
    explicit operator bool() const { return widget != nullptr; }
    /// A view on screen, drawn at its own size.
    static BuiltFigure of(QWidget* view);
    static BuiltFigure none(const QString& error);
};
/// A new paper-coloured figure widget of `size` (fill it, then return it).
BuiltFigure newFigure(QSize size);
/// renderFigure / writeFigure of a built figure; false / null with its error when there is none.
QImage renderFigure(const BuiltFigure& figure, int dpi, QString* error);
bool writeFigure(const BuiltFigure& figure, const QString& path, int dpi, QString* error);

/// Paper colours for a figure widget built for export: white window and base, black text,
/// whatever the app's theme.
void usePaperPalette(QWidget& figure);
/// `widget` drawn at `size` (its own size when it is shown) into an image of size × dpi / 96
/// pixels with the DPI recorded. This is exactly what writeFigure writes as PNG.
QImage renderFigure(QWidget& widget, QSize size, int dpi);
/// Saves a rendered figure as PNG. False with a message when the file cannot be written.
/// Every figure is encoded in memory and written whole (attnscope/savefile.h): a failed write
/// leaves the previous file and names the system's reason.
bool savePng(const QImage& image, const QString& path, QString* error);
/// `bytes` written to `path` through AtomicFile; false with "cannot write PATH: REASON".
bool saveBytes(const QByteArray& bytes, const QString& path, QString* error);
/// An SVG / a one-page PDF (in points, 72 dpi) of `size`, in memory: `paint` begins its own
/// painter on the device, draws and ends it (false = failed). Empty when drawing failed.
QByteArray paintSvg(QSize size, const QString& title, const std::function<bool(QPaintDevice&)>& paint);
QByteArray paintPdf(QSize size, const QString& title, const std::function<bool(QPaintDevice&)>& paint);
/// Writes `widget` at `size` into PNG (renderFigure at `dpi`), SVG or PDF by the extension of
/// `path`. False with a message for another extension or a write failure.
bool writeFigure(QWidget& widget, QSize size, const QString& path, int dpi, QString* error);
/// The extension of `path` is one writeFigure writes (png, svg, pdf); else false + message.
bool isFigurePath(const QString& path, QString* error);

} // namespace attnscope::ui
