// Helpers shared by the command-line subcommands.
#include "clicommon.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <unistd.h>

namespace attnscope::cli {

int fail(const std::string& message)
{
    std::cerr << "attnscope: " << message << std::endl;
    return 1;
}

int usage(const std::string& message)
{
    std::cerr << "attnscope: " << message << "\nRun `attnscope help` for usage." << std::endl;
    return 2;
}

void printWarning(const AttentionTrace& trace)
{
    if (!trace.meta("warning").empty()) std::cerr << "attnscope: warning: " << trace.meta("warning") << std::endl;
}

/// A progress printer for long CLI work: one updating line on a terminal, else every 10%.
ProgressFn progressPrinter(const std::string& what)
{
    auto last = std::make_shared<int>(-1);
    const bool tty = isatty(2);
    return [=](int64_t done, int64_t total) {
        const int pct = total > 0 ? int(100 * done / total) : 0;
        if (pct != *last && (tty || pct % 10 == 0)) {
            *last = pct;
            std::fprintf(stderr, tty ? "\r%s: %3d%%" : "%s: %d%%\n", what.c_str(), pct);
            if (tty && done >= total) std::fprintf(stderr, "\n");
        }
        return true;
    };
}

} // namespace attnscope::cli
