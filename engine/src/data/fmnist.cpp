// IDX reader for Fashion-MNIST through zlib's gzFile (reads gzip and plain files alike).
#include "attnscope/fmnist.h"

#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

namespace attnscope {

namespace {
struct GzCloser {
    void operator()(gzFile f) const { if (f) gzclose(f); }
};
using Gz = std::unique_ptr<std::remove_pointer_t<gzFile>, GzCloser>;

bool readBe32(gzFile f, uint32_t& v)
{
    unsigned char b[4];
    if (gzread(f, b, 4) != 4) return false;
    v = (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | uint32_t(b[3]);
    return true;
}

/// Reads exactly `n` bytes into `out` in chunks (so a lying header cannot make us allocate
/// more than the file really holds), then checks that nothing follows.
Status readBody(gzFile f, uint64_t n, std::vector<uint8_t>& out, const std::string& path)
{
    out.clear();
    constexpr size_t kChunk = 1 << 20;
    while (out.size() < n) {
        const size_t want = size_t(std::min<uint64_t>(kChunk, n - out.size()));
        const size_t at = out.size();
        out.resize(at + want);
        const int got = gzread(f, out.data() + at, unsigned(want));
        if (got < 0) return Status::error(path + ": corrupt gzip data");
        if (size_t(got) < want)
            return Status::error(path + ": truncated (header promises " + std::to_string(n) + " bytes of data, file has " +
                                 std::to_string(at + size_t(got)) + ")");
    }
    unsigned char extra;
    if (gzread(f, &extra, 1) != 0) return Status::error(path + ": more data than the header says (not an IDX file?)");
    return Status::success();
}

Status openIdx(const std::string& path, Gz& f)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return Status::error(path + ": no such file");
    f.reset(gzopen(path.c_str(), "rb"));
    if (!f) return Status::error(path + ": cannot open");
    return Status::success();
}
} // namespace

Status readIdxImages(const std::string& path, IdxImages& out)
{
    Gz f;
    if (auto st = openIdx(path, f); !st) return st;
    uint32_t magic = 0, n = 0, rows = 0, cols = 0;
    if (!readBe32(f.get(), magic) || magic != 0x803)
        return Status::error(path + ": not an IDX image file (magic 0x00000803 expected)");
    if (!readBe32(f.get(), n) || !readBe32(f.get(), rows) || !readBe32(f.get(), cols))
        return Status::error(path + ": truncated IDX header");
    if (rows < 1 || rows > 4096 || cols < 1 || cols > 4096)
        return Status::error(path + ": implausible image size " + std::to_string(rows) + "×" + std::to_string(cols));
    const uint64_t bytes = uint64_t(n) * rows * cols;
    if (bytes > (uint64_t(1) << 32)) return Status::error(path + ": header claims " + std::to_string(n) + " images (too many)");
    IdxImages r;
    r.count = int(n);
    r.rows = int(rows);
    r.cols = int(cols);
    if (auto st = readBody(f.get(), bytes, r.pixels, path); !st) return st;
    out = std::move(r);
    return Status::success();
}

Status readIdxLabels(const std::string& path, std::vector<uint8_t>& out)
{
    Gz f;
    if (auto st = openIdx(path, f); !st) return st;
    uint32_t magic = 0, n = 0;
    if (!readBe32(f.get(), magic) || magic != 0x801)
        return Status::error(path + ": not an IDX label file (magic 0x00000801 expected)");
    if (!readBe32(f.get(), n)) return Status::error(path + ": truncated IDX header");
    std::vector<uint8_t> r;
    if (auto st = readBody(f.get(), n, r, path); !st) return st;
    out = std::move(r);
    return Status::success();
}

std::string fashionMnistDir()
{
    if (const char* env = std::getenv("ATTNSCOPE_FMNIST"); env && *env) return env;
    return "/usr/share/datasets/fashion-mnist";
}

Status loadFashionMnist(bool train, FashionMnist& out)
{
    const std::string dir = fashionMnistDir();
    const std::string prefix = dir + (train ? "/train" : "/t10k");
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        return Status::error("Fashion-MNIST not found in " + dir + " (install the Debian package dataset-fashion-mnist)");
    FashionMnist r;
    if (auto st = readIdxImages(prefix + "-images-idx3-ubyte.gz", r.images); !st) return st;
    if (auto st = readIdxLabels(prefix + "-labels-idx1-ubyte.gz", r.labels); !st) return st;
    if (int(r.labels.size()) != r.images.count)
        return Status::error(prefix + ": " + std::to_string(r.images.count) + " images but " +
                             std::to_string(r.labels.size()) + " labels");
    for (uint8_t l : r.labels)
        if (l > 9) return Status::error(prefix + "-labels: label " + std::to_string(l) + " out of range 0–9");
    out = std::move(r);
    return Status::success();
}

const std::array<std::string, 10>& fashionMnistClasses()
{
    static const std::array<std::string, 10> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                      "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return names;
}

} // namespace attnscope
