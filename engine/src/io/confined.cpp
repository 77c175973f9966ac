#include "attnscope/confined.h"

#include <QDir>
#include <QFileInfo>

namespace attnscope {

Status resolveInside(const std::string& folderPath, const std::string& relativePath, const std::string& owner,
                     const std::string& field, const std::string& folderName, std::string& out)
{
    const QString relative = QString::fromStdString(relativePath);
    const QDir folder(QString::fromStdString(folderPath));
    const std::string keep = ": keep it in " + folderName + " and name it relative to it";
    if (relative.isEmpty()) return Status::error(owner + ": " + field + " is empty");
    if (QDir::isAbsolutePath(relative))
        return Status::error(owner + ": " + field + " is an absolute path (" + relativePath + ")" + keep);
    const QString base = QFileInfo(folder.absolutePath()).canonicalFilePath().isEmpty()
                             ? QDir::cleanPath(folder.absolutePath())
                             : QFileInfo(folder.absolutePath()).canonicalFilePath();
    const QString joined = QDir::cleanPath(base + QLatin1Char('/') + relative);
    const QFileInfo info(joined);
    // Symbolic links are followed: where the file really is must be inside too.
    const QString real = info.exists() ? info.canonicalFilePath() : joined;
    if (!real.startsWith(base + QLatin1Char('/')))
        return Status::error(owner + ": " + field + " names a path outside " + folderName + " (" + relativePath + ")" + keep);
    if (info.exists() && !info.isFile())
        return Status::error(owner + ": " + field + " (" + relativePath + ") is not a regular file");
    out = real.toStdString();
    return Status::success();
}

Status checkRegularFile(const std::string& path, const std::string& owner, const std::string& field)
{
    const QFileInfo info(QString::fromStdString(path));
    if (info.exists() && !QFileInfo(info.canonicalFilePath()).isFile())
        return Status::error(owner + ": " + field + " (" + path + ") is not a regular file");
    return Status::success();
}

} // namespace attnscope
