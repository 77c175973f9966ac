#include "attnscope/savefile.h"

#include <QSaveFile>

#include <cerrno>
#include <cstring>

namespace attnscope {

struct AtomicFile::Impl {
    QSaveFile file;
    std::string reason;  // the first failure's OS reason; empty while none
    explicit Impl(const QString& path) : file(path) {}
};

namespace {

// QSaveFile's errorString() for the call that just failed; Qt leaves "Unknown error" when the
// failure was not recorded by the device (errno still holds the system's reason then).
std::string reasonOf(const QFileDevice& f, int savedErrno)
{
    const QString s = f.errorString();
    if (!s.isEmpty() && s != QLatin1String("Unknown error")) return s.toStdString();
    if (savedErrno != 0) return std::strerror(savedErrno);
    return "the write did not complete";
}

} // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), d_(std::make_unique<Impl>(QString::fromStdString(path_))) {}

AtomicFile::~AtomicFile()
{
    if (d_->file.isOpen()) d_->file.cancelWriting();
}

Status AtomicFile::open()
{
    errno = 0;
    if (!d_->file.open(QIODevice::WriteOnly)) {
        d_->reason = reasonOf(d_->file, errno);
        return failure();
    }
    return Status::success();
}

bool AtomicFile::write(const void* data, size_t size)
{
    if (!d_->reason.empty()) return false;
    if (!d_->file.isOpen()) {
        d_->reason = "the file is not open";
        return false;
    }
    // A short write (the disk filled up, a size limit) is retried: the retry fails with the
    // system's reason, where QSaveFile alone would accept the short count silently.
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        errno = 0;
        const qint64 n = d_->file.write(p, qint64(size));
        if (n <= 0) {
            d_->reason = reasonOf(d_->file, errno);
            d_->file.cancelWriting();
            return false;
        }
        p += n;
        size -= size_t(n);
    }
    return true;
}

bool AtomicFile::seek(uint64_t offset)
{
    if (!d_->reason.empty()) return false;
    errno = 0;
    if (!d_->file.seek(qint64(offset))) {
        d_->reason = reasonOf(d_->file, errno);
        d_->file.cancelWriting();
        return false;
    }
    return true;
}

uint64_t AtomicFile::pos() const { return uint64_t(d_->file.pos()); }
uint64_t AtomicFile::size() const { return uint64_t(d_->file.size()); }

Status AtomicFile::commit()
{
    if (!d_->reason.empty()) {
        if (d_->file.isOpen()) d_->file.cancelWriting();
        return failure();
    }
    // Flush first: a buffered write that fails here still has its reason; commit() would
    // remove the temporary but report "Unknown error".
    errno = 0;
    if (!d_->file.flush()) {
        d_->reason = reasonOf(d_->file, errno);
        d_->file.cancelWriting();
        return failure();
    }
    errno = 0;
    if (!d_->file.commit()) {
        d_->reason = reasonOf(d_->file, errno);
        return failure();
    }
    return Status::success();
}

void AtomicFile::cancel()
{
    if (d_->file.isOpen()) d_->file.cancelWriting();
    if (d_->reason.empty()) d_->reason = "cancelled";
}

Status AtomicFile::failure() const
{
    if (d_->reason.empty()) return Status::success();
    return Status::error("cannot write " + path_ + ": " + d_->reason);
}

Status saveFileAtomically(const std::string& path, const void* data, size_t size)
{
    AtomicFile f(path);
    if (auto st = f.open(); !st) return st;
    if (!f.write(data, size)) return f.failure();
    return f.commit();
}

} // namespace attnscope
