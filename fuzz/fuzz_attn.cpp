// libFuzzer target for the .attn reader (versions 1 and 2): the bytes are written to a file and
// opened as AttnScope opens traces (memory-mapped); tiled tensors are then read whole at their
// coarsest level, one row and their summaries — every offset the header claims must be checked.
#include "attnscope/longattention.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace attnscope;
    static const std::string path = "/tmp/fuzz-attn-" + std::to_string(getpid()) + ".attn";
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    AttentionTrace t;
    if (!loadTrace(path, t)) return 0;
    for (const auto& x : t.tensors) {
        if (!x.store) continue;
        const MatrixPtr m = x.store->matrix(0, 0);
        if (!m) continue;
        const int64_t b = m->storedBlocks().back();
        const int64_t R = blockCount(m->rows(), b), C = blockCount(m->cols(), b);
        if (R * C > (int64_t(1) << 22)) continue;
        std::vector<float> out(size_t(R * C));
        (void)m->readBlocks(b, BlockReduce::Max, 0, 0, R, C, out.data());
        std::vector<float> row(size_t(std::min<int64_t>(m->cols(), int64_t(1) << 22)));
        if (m->cols() <= (int64_t(1) << 22)) (void)m->readRow(0, row.data());
        (void)m->stats();
    }
    return 0;
}
