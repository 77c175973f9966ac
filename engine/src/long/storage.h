#pragma once
// Internal to the long-attention code (no torch): value encodings, file mappings, the tiled
// layout's geometry, its reader and writer, and the block accumulator both the writer and
// computeOverview use.
#include "attnscope/longattention.h"

#include <functional>

namespace attnscope { class AtomicFile; }

namespace attnscope::longattn {

// --- Encodings
float halfToFloat(uint16_t h);      ///< IEEE binary16 → float (table lookup)
uint16_t floatToHalf(float f);      ///< round to nearest even; overflow → ±inf
uint16_t floatToBFloat16(float f);  ///< round to nearest even
/// n float16 values → float (F16C, 8 at a time, when the CPU has it; else a table).
void halvesToFloats(const uint16_t* p, int64_t n, float* out);
/// n floats → float16, round to nearest even (F16C when the CPU has it).
void floatsToHalves(const float* src, int64_t n, uint16_t* p);
/// True when this CPU converts with F16C (the vectorised path).
bool hasF16c();
/// Tests and benchmarks: force the scalar conversions (to compare both paths).
void setScalarHalfConversion(bool scalar);
/// n values of type `t` at `src` → float.
void decode(StorageType t, const char* src, int64_t n, float* out);
/// n floats → type `t` at `dst`.
void encode(StorageType t, const float* src, int64_t n, char* dst);

constexpr uint64_t kAlign = 64;
inline uint64_t alignUp(uint64_t x) { return (x + kAlign - 1) / kAlign * kAlign; }

// --- Files
/// A read-only memory map kept alive by whoever holds `keepAlive`.
struct Mapping {
    std::shared_ptr<const void> keepAlive;
    const char* data = nullptr;
    uint64_t size = 0;
};
Status mapFile(const std::string& path, Mapping& out);
/// Tells the kernel the pages of [data, data + size) are no longer needed (they leave the
/// process's resident set; a read-only file mapping reads them again if touched).
void releasePages(const char* data, uint64_t size);

// --- Tiled layout: per [query, key] matrix, each level's tiles (row-major tile order, each
// tile kTileSize² values row-major, zero-padded at the edges), then row maxima, column minima,
// column means (float32) and a 64-byte flags record (byte 0: causal).
struct TiledLevel {
    int64_t block = 1, rows = 0, cols = 0, tileRows = 0, tileCols = 0;
    uint64_t maxOffset = 0;   ///< level 0: the values; others: block maxima
    uint64_t meanOffset = 0;  ///< block means (levels ≥ 1)
};
struct TiledGeometry {
    int64_t rows = 0, cols = 0;
    StorageType type = StorageType::Float16;
    std::vector<TiledLevel> levels;
    uint64_t rowMaxOffset = 0, colMinOffset = 0, colMeanOffset = 0, flagsOffset = 0;
    uint64_t matrixBytes = 0;  ///< bytes per matrix, a multiple of kAlign
    static TiledGeometry make(int64_t rows, int64_t cols, StorageType t, const std::vector<int64_t>& blocks);
    uint64_t levelBytes(const TiledLevel& l) const;
};

/// A tiled tensor of `layers` × `heads` matrices at `offset` of a mapping.
std::shared_ptr<TensorStore> makeTiledStore(const Mapping& m, uint64_t offset, int64_t layers, int64_t heads,
                                            const TiledGeometry& g);

/// Writes the tiled data of `count` matrices (the i-th from `source(i)`) at `offset` of
/// `file`, which must be seekable. `progress(bytes)` after each band; false cancels.
Status writeTiled(AtomicFile& file, uint64_t offset, int64_t count, const std::function<MatrixPtr(int64_t)>& source,
                  const TiledGeometry& g, const std::function<bool(uint64_t)>& progress);

// --- Block accumulation
/// Reduces the rows of a level of detail with block s (per cell: max and sum of the cells
/// under it) to the level with block s·f, emitting each finished output row.
class BlockAccumulator {
public:
    using Emit = std::function<void(int64_t row, const float* max, const double* sum)>;
    /// srcRows × srcCols: the extents of the source level.
    BlockAccumulator(int64_t srcRows, int64_t srcCols, int64_t factor, Emit emit);
    /// Source rows must come in order 0, 1, 2, …
    void add(int64_t srcRow, const float* max, const double* sum);
    /// The same for a row of single cells (level 0: each cell is its own max and sum).
    void addCells(int64_t srcRow, const float* values);
    int64_t outRows() const { return blockCount(srcRows_, f_); }
    int64_t outCols() const { return outCols_; }

private:
    template <typename Sum> void accumulate(int64_t srcRow, const float* max, const Sum* sum);
    int64_t srcRows_, srcCols_, f_, outCols_;
    std::vector<float> max_;
    std::vector<double> sum_;
    bool fresh_ = true;
    Emit emit_;
};

/// Row maxima and column summaries accumulated over bands of rows (computeOverview and the
/// tiled writer).
class StatsAccumulator {
public:
    StatsAccumulator(int64_t rows, int64_t cols);
    /// Rows [r0, r0 + n) of the matrix, row-major n × cols.
    void add(int64_t r0, int64_t n, const float* values);
    MatrixStats finish();

private:
    int64_t rows_, cols_;
    std::vector<float> rowMax_, minAll_, minLower_;
    std::vector<double> sum_;
    float upperMax_ = 0, rowSumDeviation_ = 0;
};

/// Cells of block I along an axis of n cells with block size b.
inline int64_t blockCells(int64_t n, int64_t b, int64_t I) { return std::min(b, n - I * b); }

} // namespace attnscope::longattn
