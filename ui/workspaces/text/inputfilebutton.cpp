#include "workspaces/text/inputfilebutton.h"

#include "attnscope/scriptmodel.h"

#include <QFileDialog>

namespace attnscope::ui {

InputFileButton::InputFileButton(QWidget* parent) : QPushButton(parent)
{
    hide();
    connect(this, &QPushButton::clicked, this, [this] {
        const QString filter = kind_ == "video" ? tr("Videos (*.avi *.mp4 *.mkv *.webm *.mov *.mpg *.ogv);;All files (*)")
                                                : tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;All files (*)");
        const QString p = QFileDialog::getOpenFileName(this, text().remove('&').remove(QStringLiteral("…")), {}, filter);
        if (!p.isEmpty()) emit fileChosen(p);
    });
}

void InputFileButton::setModel(const QString& model)
{
    kind_.clear();
    ScriptModelSpec spec;
    const std::string sidecar = model.endsWith(QStringLiteral(".pt")) ? sidecarPath(model.toStdString()) : std::string();
    if (!sidecar.empty() && parseSidecar(sidecar, spec).ok) kind_ = spec.video ? QStringLiteral("video") : spec.image ? QStringLiteral("image") : QString();
    setText(kind_ == "video" ? tr("Choose &video…") : tr("Choose &image…"));
    setToolTip(tr("%1 reads a file: choose it here (its path goes into the input box)").arg(QFileInfo(model).completeBaseName()));
    setVisible(!kind_.isEmpty());
}

} // namespace attnscope::ui
