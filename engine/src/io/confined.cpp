#include "io/confined.h"

#include <QFileInfo>

namespace attnscope {

Status resolveInside(const QDir& folder, const QString& relative, const std::string& owner, const std::string& field,
                     std::string& out)
{
    const std::string shown = relative.toStdString();
    const std::string keep = ": keep it in the model's folder and name it relative to it";
    if (relative.isEmpty()) return Status::error(owner + ": " + field + " is empty");
    if (QDir::isAbsolutePath(relative))
        return Status::error(owner + ": " + field + " is an absolute path (" + shown + ")" + keep);
    const QString base = QFileInfo(folder.absolutePath()).canonicalFilePath().isEmpty()
                             ? QDir::cleanPath(folder.absolutePath())
                             : QFileInfo(folder.absolutePath()).canonicalFilePath();
    const QString joined = QDir::cleanPath(base + QLatin1Char('/') + relative);
    const QFileInfo info(joined);
    // Symbolic links are followed: where the file really is must be inside too.
    const QString real = info.exists() ? info.canonicalFilePath() : joined;
    if (!real.startsWith(base + QLatin1Char('/')))
        return Status::error(owner + ": " + field + " names a path outside the model's folder (" + shown + ")" + keep);
    if (info.exists() && !info.isFile())
        return Status::error(owner + ": " + field + " (" + shown + ") is not a regular file");
    out = real.toStdString();
    return Status::success();
}

} // namespace attnscope
