// libFuzzer target for the ONNX reader and runner: the bytes are written to a file, inspected
// as `attnscope inspect` does (parse, checker, shape inference, attention search), loaded as
// the app does (OnnxModel::load: version converter, operator map, initializers), and — when
// every input is a float tensor of fixed size with at most 4,096 values — run once on zeros.
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
    if (!inspectOnnx(path, o)) return 0;
    (void)describeOnnx(o);
    OnnxModel model;
    if (!model.load(path)) return 0;
    std::map<std::string, OnnxTensor> inputs;
    for (const auto& v : model.inspection().inputs) {
        if (v.elementType != "float") return 0;
        int64_t n = 1;
        for (int64_t d : v.dims) {
            if (d < 0) return 0;
            n *= d;
            if (n > 4096) return 0;
        }
        inputs[v.name] = OnnxTensor{v.dims, std::vector<float>(size_t(n), 0.0f)};
    }
    OnnxRunResult r;
    (void)model.run(inputs, r);
    return 0;
}
