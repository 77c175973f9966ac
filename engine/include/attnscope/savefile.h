#pragma once
// Every file AttnScope writes — figures, data tables, traces, workspaces, weights, caches — goes
// through AtomicFile: the bytes go to a temporary file beside the target (Qt's QSaveFile), every
// write is checked (a short write is retried, so a full disk or a file-size limit shows as an
// error, not as a truncated file), and only a complete file is renamed over the target. On any
// failure the temporary is removed, the previous file is kept, and the message names the
// operating system's reason ("cannot write fig.png: No space left on device").
// Plain C++ (no Qt types), in attnscope_core.
#include "attnscope/status.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace attnscope {

class AtomicFile {
public:
    explicit AtomicFile(std::string path);
    /// Not committed → the temporary is removed and the target is untouched.
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    /// Creates the temporary. Error: "cannot write PATH: REASON" (folder missing, not writable).
    Status open();
    /// Writes all `size` bytes at the current position. False on the first failure; the reason
    /// is kept (failure()) and every later write and commit() fail.
    bool write(const void* data, size_t size);
    bool write(const std::string& data) { return write(data.data(), data.size()); }
    /// Moves the write position (bytes from the start); false (and failure()) past an error.
    bool seek(uint64_t offset);
    uint64_t pos() const;
    uint64_t size() const;
    /// Flushes, syncs and renames the temporary over the target. On failure the temporary is
    /// removed and the message is the first failure's ("cannot write PATH: File too large").
    Status commit();
    /// Gives up: the temporary is removed, the target untouched.
    void cancel();
    /// "cannot write PATH: REASON" for the first failed call; success while none failed.
    Status failure() const;
    const std::string& path() const { return path_; }

private:
    struct Impl;
    std::string path_;
    std::unique_ptr<Impl> d_;
};

/// Writes `size` bytes to `path` through AtomicFile (open, write, commit).
Status saveFileAtomically(const std::string& path, const void* data, size_t size);
inline Status saveFileAtomically(const std::string& path, const std::string& data)
{
    return saveFileAtomically(path, data.data(), data.size());
}

} // namespace attnscope
