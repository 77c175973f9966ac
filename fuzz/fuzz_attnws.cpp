// libFuzzer target for workspace files (.attnws): the bytes are written to a file and read as
// File → Open workspace reads it (readWorkspaceFile: the directory at the end, every embedded
// trace parsed), then every section's input paths are confined as the window does before a
// workspace sees them (confineStatePaths: nothing outside the file's folder, no device, no FIFO).
#include "workspacefile.h"

#include <QStringList>

#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace attnscope::ui;
    static const std::string path = "/tmp/fuzz-attnws-" + std::to_string(getpid()) + ".attnws";
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    WorkspaceFile file;
    QString error;
    if (!readWorkspaceFile(QString::fromStdString(path), file, &error)) return 0;
    for (auto& [id, section] : file.sections)
        (void)confineStatePaths(section.state, {"file", "input/file", "image/file", "gold_corpus/gold"}, "/tmp", false, id);
    return 0;
}
