// libFuzzer target for model sidecars (MODEL.json beside a TorchScript or ONNX model): the
// bytes are written as a sidecar in a folder of their own, beside a small vocabulary, and
// parsed as ScriptModel::load parses them (every input type, attention entries, paths that
// must stay in the folder, numbers that must be in range).
#include "attnscope/scriptmodel.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace attnscope;
    static const std::string dir = [] {
        const std::string d = "/tmp/fuzz-sidecar-" + std::to_string(getpid());
        mkdir(d.c_str(), 0700);
        if (FILE* v = std::fopen((d + "/vocab.txt").c_str(), "wb")) {
            std::fputs("<pad>\n</s>\n[UNK]\nhello\n", v);
            std::fclose(v);
        }
        return d;
    }();
    const std::string path = dir + "/model.json";
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    ScriptModelSpec spec;
    (void)parseSidecar(path, spec);
    return 0;
}
