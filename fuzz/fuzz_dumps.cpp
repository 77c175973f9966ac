// libFuzzer target for the attention-dump parsers. Built once per parser with
// -DFUZZ_NPY / -DFUZZ_NPZ / -DFUZZ_SAFETENSORS / -DFUZZ_JSON (see fuzz/CMakeLists.txt).
#include "attnscope/dumps.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace attnscope;
    const char* p = reinterpret_cast<const char*>(data);
    std::vector<DumpArray> arrays;
#if defined(FUZZ_NPY)
    DumpArray a;
    (void)parseNpy(p, size, "fuzz", a);
#elif defined(FUZZ_NPZ)
    (void)parseNpz(p, size, arrays);
#elif defined(FUZZ_SAFETENSORS)
    (void)parseSafetensors(p, size, arrays);
#elif defined(FUZZ_JSON)
    std::vector<std::string> q, k;
    (void)parseJsonDump(p, size, arrays, q, k);
#endif
    return 0;
}
