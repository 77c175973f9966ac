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
    if (const char* env = std::getenv("ATTNSCOPE_RESOURCES"); env && *env) roots.emplace_back(env);
    if (*ATTNSCOPE_RESOURCE_DIR) roots.emplace_back(ATTNSCOPE_RESOURCE_DIR);
    char buf[4096];
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) {
        buf[n] = 0;
        roots.push_back(fs::path(buf).parent_path().parent_path() / "share/attnscope/resources");
    }
    std::error_code ec;
    for (const auto& r : roots)
        if (fs::exists(r / relative, ec)) return (r / relative).string();
    return {};
}

} // namespace attnscope
