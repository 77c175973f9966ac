// The tiled layout of .attn version 2: reading tiles and pyramid levels straight from a memory
// map, and writing them band by band (the matrix is never held whole). No torch here.
#include "long/storage.h"

#include <QFile>
#include "attnscope/savefile.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace attnscope::longattn {

Status mapFile(const std::string& path, Mapping& out)
{
    auto f = std::make_shared<QFile>(QString::fromStdString(path));
    if (!f->exists()) return Status::error("file not found: " + path);
    if (!f->open(QIODevice::ReadOnly)) return Status::error("cannot read " + path + ": " + f->errorString().toStdString());
    if (f->size() == 0) return Status::error(path + " is empty");
    uchar* p = f->map(0, f->size());
    if (!p) return Status::error("cannot map " + path + " into memory: " + f->errorString().toStdString());
    out.data = reinterpret_cast<const char*>(p);
    out.size = uint64_t(f->size());
    out.keepAlive = std::shared_ptr<const void>(p, [f](const void* q) { f->unmap(const_cast<uchar*>(static_cast<const uchar*>(q))); });
    return Status::success();
}

void releasePages(const char* data, uint64_t size)
{
    static const uint64_t page = uint64_t(sysconf(_SC_PAGESIZE));
    const uint64_t a = (reinterpret_cast<uint64_t>(data) + page - 1) / page * page;
    const uint64_t e = (reinterpret_cast<uint64_t>(data) + size) / page * page;
    if (e > a) madvise(reinterpret_cast<void*>(a), e - a, MADV_DONTNEED);
}

TiledGeometry TiledGeometry::make(int64_t rows, int64_t cols, StorageType t, const std::vector<int64_t>& blocks)
{
    TiledGeometry g;
    g.rows = rows;
    g.cols = cols;
    g.type = t;
    uint64_t at = 0;
    for (int64_t b : blocks) {
        TiledLevel l;
        l.block = b;
        l.rows = blockCount(rows, b);
        l.cols = blockCount(cols, b);
        l.tileRows = blockCount(l.rows, kTileSize);
        l.tileCols = blockCount(l.cols, kTileSize);
        l.maxOffset = at;
        at = alignUp(at + g.levelBytes(l));
        if (b > 1) {
            l.meanOffset = at;
            at = alignUp(at + g.levelBytes(l));
        }
        g.levels.push_back(l);
    }
    g.rowMaxOffset = at;
    at = alignUp(at + uint64_t(rows) * 4);
    g.colMinOffset = at;
    at = alignUp(at + uint64_t(cols) * 4);
    g.colMeanOffset = at;
    at = alignUp(at + uint64_t(cols) * 4);
    g.flagsOffset = at;
    g.matrixBytes = at + kAlign;
    return g;
}

uint64_t TiledGeometry::levelBytes(const TiledLevel& l) const
{
    return uint64_t(l.tileRows * l.tileCols) * uint64_t(kTileSize * kTileSize) * storageBytes(type);
}

namespace {

class TiledMatrix final : public AttentionMatrix {
public:
    TiledMatrix(std::shared_ptr<const void> keepAlive, const char* base, const TiledGeometry& g)
        : keepAlive_(std::move(keepAlive)), base_(base), g_(g)
    {
        for (const auto& l : g_.levels) blocks_.push_back(l.block);
    }
    int64_t rows() const override { return g_.rows; }
    int64_t cols() const override { return g_.cols; }
    std::string kind() const override { return "tiled"; }
    std::vector<int64_t> storedBlocks() const override { return blocks_; }
    MatrixStats stats() const override
    {
        MatrixStats s;
        s.rowMax.resize(size_t(g_.rows));
        s.colMin.resize(size_t(g_.cols));
        s.colMean.resize(size_t(g_.cols));
        std::memcpy(s.rowMax.data(), base_ + g_.rowMaxOffset, size_t(g_.rows) * 4);
        std::memcpy(s.colMin.data(), base_ + g_.colMinOffset, size_t(g_.cols) * 4);
        std::memcpy(s.colMean.data(), base_ + g_.colMeanOffset, size_t(g_.cols) * 4);
        s.causal = base_[g_.flagsOffset] != 0;
        std::memcpy(&s.rowSumDeviation, base_ + g_.flagsOffset + 4, 4);
        return s;
    }

protected:
    Status readStored(int64_t b, BlockReduce reduce, int64_t r0, int64_t c0, int64_t nr, int64_t nc, float* out,
                      const ProgressFn& cancel) const override
    {
        const TiledLevel* level = nullptr;
        for (const auto& l : g_.levels)
            if (l.block == b) level = &l;
        if (!level) return Status::error("no stored level for blocks of " + std::to_string(b));
        const char* data = base_ + (b == 1 || reduce == BlockReduce::Max ? level->maxOffset : level->meanOffset);
        const size_t item = storageBytes(g_.type);
        const uint64_t tileBytes = uint64_t(kTileSize * kTileSize) * item;
        for (int64_t i = 0; i < nr; ++i) {
            if ((i & 255) == 0 && !keepGoing(cancel, i, nr)) return Status::error("cancelled");
            const int64_t r = r0 + i, tr = r / kTileSize, ir = r % kTileSize;
            int64_t c = c0;
            while (c < c0 + nc) {
                const int64_t tc = c / kTileSize, ic = c % kTileSize;
                const int64_t run = std::min(kTileSize - ic, c0 + nc - c);
                const char* tile = data + uint64_t(tr * level->tileCols + tc) * tileBytes;
                decode(g_.type, tile + size_t(ir * kTileSize + ic) * item, run, out + i * nc + (c - c0));
                c += run;
            }
        }
        return Status::success();
    }

private:
    std::shared_ptr<const void> keepAlive_;
    const char* base_;
    TiledGeometry g_;
    std::vector<int64_t> blocks_;
};

class TiledStore final : public TensorStore {
public:
    TiledStore(const Mapping& m, uint64_t offset, int64_t layers, int64_t heads, const TiledGeometry& g)
        : map_(m), offset_(offset), layers_(layers), heads_(heads), g_(g), matrices_(size_t(layers * heads))
    {
    }
    std::string layout() const override { return "tiled"; }
    StorageType storageType() const override { return g_.type; }
    int64_t layers() const override { return layers_; }
    int64_t heads() const override { return heads_; }
    int64_t rows() const override { return g_.rows; }
    int64_t cols() const override { return g_.cols; }
    uint64_t bytes() const override { return uint64_t(layers_ * heads_) * g_.matrixBytes; }
    MatrixPtr matrix(int64_t layer, int64_t head) const override
    {
        if (layer < 0 || head < 0 || layer >= layers_ || head >= heads_) return nullptr;
        std::lock_guard<std::mutex> lock(mutex_);
        MatrixPtr& m = matrices_[size_t(layer * heads_ + head)];
        if (!m)
            m = std::make_shared<TiledMatrix>(map_.keepAlive, map_.data + offset_ + uint64_t(layer * heads_ + head) * g_.matrixBytes, g_);
        return m;
    }

private:
    Mapping map_;
    uint64_t offset_;
    int64_t layers_, heads_;
    TiledGeometry g_;
    mutable std::mutex mutex_;
    mutable std::vector<MatrixPtr> matrices_;
};

/// One level's band of tile rows being filled: kTileSize rows × all tile columns, in tile
/// order, encoded; written when full.
class BandWriter {
public:
    BandWriter(AtomicFile& f, uint64_t offset, const TiledLevel& l, StorageType t)
        : f_(f), offset_(offset), l_(l), t_(t), item_(storageBytes(t)),
          band_(size_t(l.tileCols) * size_t(kTileSize * kTileSize) * item_, 0)
    {
    }
    /// Row r of the level (cols values).
    Status put(int64_t r, const float* values)
    {
        return place(r, [&](int64_t c0, int64_t n, char* dst) { encode(t_, values + c0, n, dst); });
    }
    /// Row r of the level, already in the storage type (cols values): copied bit for bit.
    Status putEncoded(int64_t r, const char* row)
    {
        return place(r, [&](int64_t c0, int64_t n, char* dst) { std::memcpy(dst, row + size_t(c0) * item_, size_t(n) * item_); });
    }
    uint64_t bandBytes() const { return band_.size(); }

private:
    template <typename Fill> Status place(int64_t r, Fill fill)
    {
        const int64_t ir = r % kTileSize;
        for (int64_t tc = 0; tc < l_.tileCols; ++tc) {
            const int64_t c0 = tc * kTileSize, n = std::min(kTileSize, l_.cols - c0);
            fill(c0, n, band_.data() + (size_t(tc) * size_t(kTileSize * kTileSize) + size_t(ir * kTileSize)) * item_);
        }
        if (ir == kTileSize - 1 || r + 1 == l_.rows) return flush(r / kTileSize);
        return Status::success();
    }
    Status flush(int64_t tr)
    {
        if (!f_.seek(offset_ + uint64_t(tr) * band_.size()) || !f_.write(band_.data(), band_.size())) return f_.failure();
        std::fill(band_.begin(), band_.end(), 0);
        return Status::success();
    }
    AtomicFile& f_;
    uint64_t offset_;
    TiledLevel l_;
    StorageType t_;
    size_t item_;
    std::vector<char> band_;
};

Status writeAt(AtomicFile& f, uint64_t at, const void* data, size_t size)
{
    if (!f.seek(at) || !f.write(data, size)) return f.failure();
    return Status::success();
}

/// Attention weights are finite and ≥ 0: the first value that is not, as an error.
Status checkWeights(const float* v, int64_t n)
{
    bool bad = false;  // one branch-free pass (vectorised); the offender is looked for only on failure
    for (int64_t i = 0; i < n; ++i) bad |= !(v[i] >= 0.f) | (v[i] == std::numeric_limits<float>::infinity());
    if (!bad) return Status::success();
    for (int64_t i = 0; i < n; ++i) {
        if (std::isnan(v[i]) || std::isinf(v[i])) return Status::error("the attention contains NaN or infinite values");
        if (v[i] < 0.f) return Status::error("the attention contains negative weights (" + std::to_string(v[i]) + ")");
    }
    return Status::success();
}

Status writeMatrix(AtomicFile& f, uint64_t base, const AttentionMatrix& m, const TiledGeometry& g,
                   const std::function<bool(uint64_t)>& progress, uint64_t& written)
{
    if (m.rows() != g.rows || m.cols() != g.cols) return Status::error("matrix shape differs from the tensor's");
    const size_t L = g.levels.size();
    // Level k ≥ 1 takes the rows of level k − 1 (max and sum per block) four by four.
    std::vector<std::unique_ptr<BandWriter>> maxW, meanW;
    for (size_t k = 0; k < L; ++k) {
        maxW.push_back(std::make_unique<BandWriter>(f, base + g.levels[k].maxOffset, g.levels[k], g.type));
        meanW.push_back(k ? std::make_unique<BandWriter>(f, base + g.levels[k].meanOffset, g.levels[k], g.type) : nullptr);
    }
    std::vector<std::unique_ptr<BlockAccumulator>> acc(L);
    std::vector<float> meanRow;
    Status failed = Status::success();
    for (size_t k = L; k-- > 1;) {
        const TiledLevel& src = g.levels[k - 1];
        const TiledLevel& dst = g.levels[k];
        const int64_t factor = dst.block / src.block;
        BlockAccumulator* next = k + 1 < L ? acc[k + 1].get() : nullptr;
        acc[k] = std::make_unique<BlockAccumulator>(src.rows, src.cols, factor, [&, k, next](int64_t I, const float* mx, const double* sum) {
            if (!failed.ok) return;
            const TiledLevel& l = g.levels[k];
            meanRow.resize(size_t(l.cols));
            for (int64_t J = 0; J < l.cols; ++J)
                meanRow[size_t(J)] = float(sum[J] / (double(blockCells(g.rows, l.block, I)) * double(blockCells(g.cols, l.block, J))));
            if (auto st = maxW[k]->put(I, mx); !st) failed = st;
            else if (auto st2 = meanW[k]->put(I, meanRow.data()); !st2) failed = st2;
            if (next) next->add(I, mx, sum);
        });
    }
    StatsAccumulator stats(g.rows, g.cols);
    const int64_t band = kTileSize;
    const size_t item = storageBytes(g.type);
    std::vector<float> buf(size_t(band * g.cols));
    for (int64_t r0 = 0; r0 < g.rows; r0 += band) {
        const int64_t n = std::min(band, g.rows - r0);
        // Rows already in the storage type (a float16 dump into float16 tiles) are decoded once
        // for the statistics and the pyramid and copied into level 0 as they are.
        const char* raw = m.storedRows(r0, n, g.type);
        if (raw) decode(g.type, raw, n * g.cols, buf.data());
        else if (auto st = m.readBlocks(1, BlockReduce::Max, r0, 0, n, g.cols, buf.data()); !st) return st;
        if (auto st = checkWeights(buf.data(), n * g.cols); !st) return st;
        stats.add(r0, n, buf.data());
        for (int64_t i = 0; i < n; ++i) {
            const float* row = buf.data() + i * g.cols;
            const Status st = raw ? maxW[0]->putEncoded(r0 + i, raw + size_t(i * g.cols) * item) : maxW[0]->put(r0 + i, row);
            if (!st) return st;
            if (L > 1) {
                acc[1]->addCells(r0 + i, row);
                if (!failed.ok) return failed;
            }
        }
        m.releaseRows(r0, n);
        written += uint64_t(n * g.cols) * storageBytes(g.type);
        if (progress && !progress(written)) return Status::error("cancelled");
    }
    MatrixStats s = stats.finish();
    if (auto st = writeAt(f, base + g.rowMaxOffset, s.rowMax.data(), s.rowMax.size() * 4); !st) return st;
    if (auto st = writeAt(f, base + g.colMinOffset, s.colMin.data(), s.colMin.size() * 4); !st) return st;
    if (auto st = writeAt(f, base + g.colMeanOffset, s.colMean.data(), s.colMean.size() * 4); !st) return st;
    char flags[kAlign] = {};
    flags[0] = s.causal ? 1 : 0;
    std::memcpy(flags + 4, &s.rowSumDeviation, 4);
    return writeAt(f, base + g.flagsOffset, flags, sizeof flags);
}

} // namespace

std::shared_ptr<TensorStore> makeTiledStore(const Mapping& m, uint64_t offset, int64_t layers, int64_t heads,
                                            const TiledGeometry& g)
{
    return std::make_shared<TiledStore>(m, offset, layers, heads, g);
}

Status writeTiled(AtomicFile& f, uint64_t offset, int64_t count, const std::function<MatrixPtr(int64_t)>& source,
                  const TiledGeometry& g, const std::function<bool(uint64_t)>& progress)
{
    uint64_t written = 0;
    for (int64_t i = 0; i < count; ++i) {
        MatrixPtr m = source(i);
        if (!m) return Status::error("matrix " + std::to_string(i) + " is missing");
        if (auto st = writeMatrix(f, offset + uint64_t(i) * g.matrixBytes, *m, g, progress, written); !st) return st;
    }
    return Status::success();
}

} // namespace attnscope::longattn
