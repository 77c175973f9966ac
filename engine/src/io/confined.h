#pragma once
// The model-file side of attnscope/confined.h: paths a model's own files name (a sidecar's
// vocabulary, SentencePiece model or CTC character list; an ONNX initializer's external data)
// resolve inside the model's folder. Qt Core only.
#include "attnscope/confined.h"

#include <QDir>
#include <QString>

namespace attnscope {

/// resolveInside of attnscope/confined.h with "the model's folder".
inline Status resolveInside(const QDir& folder, const QString& relative, const std::string& owner, const std::string& field,
                            std::string& out)
{
    return resolveInside(folder.absolutePath().toStdString(), relative.toStdString(), owner, field, "the model's folder", out);
}

} // namespace attnscope
