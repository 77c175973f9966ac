#include "attnscope/resources.h"

#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#ifndef ATTNSCOPE_RESOURCE_DIR
#define ATTNSCOPE_RESOURCE_DIR ""
#endif

namespace attnscope {

std::string resourcePath(const std::string& relative)
{
    namespace fs = std::filesystem;
    std::vector<fs::path> roots;
    // 1. $ATTNSCOPE_RESOURCES; 2. installed next to the executable; 3. the source tree
    //    (runs from the build tree).
    if (const char* env = std::getenv("ATTNSCOPE_RESOURCES"); env && *env) roots.emplace_back(env);
    char buf[4096];
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) {
        buf[n] = 0;
        // bin/attnscope → <prefix>/share/…; libexec/attnscope/attnscope-engine → <prefix>/share/…
        const fs::path exe(buf);
        roots.push_back(exe.parent_path().parent_path() / "share/attnscope/resources");
        if (exe.parent_path().filename() == "attnscope")
            roots.push_back(exe.parent_path().parent_path().parent_path() / "share/attnscope/resources");
    }
    if (*ATTNSCOPE_RESOURCE_DIR) roots.emplace_back(ATTNSCOPE_RESOURCE_DIR);
    // The first resources folder that exists is the one: files are never mixed from an
    // installed copy and a checkout.
    std::error_code ec;
    for (const auto& r : roots)
        if (fs::is_directory(r, ec)) return fs::exists(r / relative, ec) ? (r / relative).string() : std::string();
    return {};
}

} // namespace attnscope
