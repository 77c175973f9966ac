// libFuzzer target for the ONNX reader: the bytes are written to a file and inspected as
// `attnscope inspect` does (parse, checker, shape inference, attention search).
#include "attnscope/onnxmodel.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace attnscope;
    static const std::string path = "/tmp/fuzz-onnx-" + std::to_string(getpid()) + ".onnx";
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    OnnxInspection o;
    if (inspectOnnx(path, o)) (void)describeOnnx(o);
    return 0;
}
