#pragma once
// Status: the engine's error contract. Engine calls return a Status; on failure
// `message` is a sentence a user can act on (shown in the UI banner / CLI stderr).
#include <functional>
#include <cstdint>
#include <string>

namespace attnscope {

struct Status {
    bool ok = true;
    std::string message;

    static Status success() { return {}; }
    static Status error(std::string msg) { return {false, std::move(msg)}; }
    explicit operator bool() const { return ok; }
};

/// Progress/cancel callback for long engine calls: (done, total) → keep going?
/// Return false to cancel; the call then returns a Status with message "cancelled".
using ProgressFn = std::function<bool(int64_t done, int64_t total)>;

/// Free-form log lines from long calls (training, evaluation).
using LogFn = std::function<void(const std::string& line)>;

inline bool keepGoing(const ProgressFn& fn, int64_t done, int64_t total)
{
    return !fn || fn(done, total);
}

} // namespace attnscope
