#pragma once
// Attention at LLM length (4k–32k+ tokens): matrices that are never held densely.
//
// A [query, key] attention matrix is read through AttentionMatrix by regions at a level of
// detail: a block b reads b×b cells summarised by their maximum or mean. Three kinds:
//   • dense     — an ordinary trace tensor in memory (small traces, tests);
//   • tiled     — weights in a memory-mapped .attn file (version 2), float16/bfloat16/float32,
//                 stored in 256×256 tiles with a level-of-detail pyramid (blocks 4, 16, 64, …:
//                 per block the max and the mean) and per-row/column summaries;
//   • Q/K       — queries and keys ([n, d] per head) plus the row normaliser
//                 lse_i = log Σ_j exp(q_i·k_j·s) (masked when causal): any cell is
//                 a_ij = exp(q_i·k_j·s − lse_i), the identity flash-attention uses
//                 (Dao et al. 2022, "FlashAttention", §3.1). O(n·d) storage instead of O(n²).
// Trace tensors of these kinds carry a TensorStore (TraceTensor::store) instead of values.
// Plain C++ header (no torch, OpenCV or Qt types).
#include "attnscope/dumps.h"
#include "attnscope/status.h"
#include "attnscope/trace.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace attnscope {

/// How values are stored on disk.
enum class StorageType { Float32, Float16, BFloat16 };
/// "float32", "float16", "bfloat16".
const char* storageTypeName(StorageType t);
/// Accepts float32|f32, float16|f16|half, bfloat16|bf16.
bool parseStorageType(const std::string& name, StorageType& out);
size_t storageBytes(StorageType t);

/// How the cells of a block are summarised at a coarser level of detail.
enum class BlockReduce { Max, Mean };

/// Number of blocks of size b along an axis of n cells: ⌈n / b⌉ (the last one may be partial).
inline int64_t blockCount(int64_t n, int64_t b) { return (n + b - 1) / b; }

/// Summaries of one matrix over all of its cells.
struct MatrixStats {
    std::vector<float> rowMax;   ///< [rows]: the largest weight of each query row
    std::vector<float> colMean;  ///< [cols]: mean weight the key receives over the rows that may attend to it
    std::vector<float> colMin;   ///< [cols]: smallest weight the key receives over those rows
    /// No weight above the diagonal (causal): key k is seen by rows ≥ k only, and colMean /
    /// colMin are over those rows.
    bool causal = false;
    /// The largest |Σ_j a_ij − 1| over the rows (attention rows sum to 1; dumps may not).
    float rowSumDeviation = 0;
    bool empty() const { return rowMax.empty(); }
};

/// A key that takes a large share of the attention mass of every row that can see it — an
/// attention sink (Xiao et al. 2023, "Efficient Streaming Language Models with Attention
/// Sinks", §3.1). Shares are attention weights (rows sum to 1).
struct AttentionSink {
    int64_t key = 0;
    float minShare = 0;   ///< the smallest weight any row gives it
    float meanShare = 0;  ///< the mean weight over the rows
};
/// Keys whose minimum share over the rows is ≥ `share`, strongest first, at most `limit`.
/// Keys seen by fewer than `minRows` rows (the last keys of a causal matrix) are skipped.
std::vector<AttentionSink> findSinks(const MatrixStats& stats, float share, size_t limit = 16, int64_t minRows = 16);

/// One [query, key] attention matrix, read by regions at a level of detail.
/// Thread-safe for reading: views read tiles from worker threads.
class AttentionMatrix {
public:
    virtual ~AttentionMatrix() = default;
    virtual int64_t rows() const = 0;
    virtual int64_t cols() const = 0;
    /// "dense", "tiled" or "qk".
    virtual std::string kind() const = 0;
    /// Block sizes that read without visiting every cell under them, ascending; starts with 1.
    /// Reads at other block sizes reduce from the largest of these that divides them.
    virtual std::vector<int64_t> storedBlocks() const { return {1}; }
    /// Reads blocks of b×b cells (b ≥ 1): out[i·nc + j] summarises block (r0 + i, c0 + j),
    /// which covers rows [(r0+i)·b, min((r0+i+1)·b, rows)) and the columns likewise (edge
    /// blocks are partial; their mean is over the cells present). Errors: a region outside
    /// [0, ⌈rows/b⌉) × [0, ⌈cols/b⌉), "cancelled" when `cancel` returns false.
    Status readBlocks(int64_t b, BlockReduce reduce, int64_t r0, int64_t c0, int64_t nr, int64_t nc, float* out,
                      const ProgressFn& cancel = {}) const;
    /// One query row (what token r looks at): `cols()` weights.
    virtual Status readRow(int64_t r, float* out) const;
    /// One key column (who looks at token c): `rows()` weights.
    virtual Status readColumn(int64_t c, float* out) const;
    /// Row maxima and column summaries; empty when they need a full pass (buildOverview).
    virtual MatrixStats stats() const { return {}; }
    /// True when coarse blocks need a full pass over the cells first (Q/K matrices before
    /// buildOverview): views compute it in the background and show sampledOverview meanwhile.
    virtual bool needsOverview() const { return false; }
    /// Computes, and keeps for later reads, the blocks of size `b` (max and mean) and the
    /// stats in one pass over every cell. Thread-safe; a no-op for matrices that store them.
    virtual Status buildOverview(int64_t b, const ProgressFn& progress = {});
    /// An approximate block-b overview computed quickly: one row sampled per block row
    /// (the block's first row), its cells reduced along the columns (max or mean).
    /// out is ⌈rows/b⌉ × ⌈cols/b⌉. Default: the exact readBlocks.
    virtual Status sampledOverview(int64_t b, BlockReduce reduce, std::vector<float>& out) const;
    /// A hint that rows [r0, r0 + n) will not be read again soon: a memory-mapped dump gives
    /// their pages back, so one pass over a file larger than memory keeps a bounded resident set.
    virtual void releaseRows(int64_t, int64_t) const {}
    /// Bytes this matrix keeps in memory now (caches, overviews), for the views' budget.
    virtual uint64_t residentBytes() const { return 0; }
    /// Rows [r0, r0 + n), every column, row-major in the encoding `t`, when the matrix stores
    /// them so and can hand them out without converting (a float16 dump imported as float16
    /// tiles is copied bit for bit instead of decoded and encoded again); nullptr otherwise.
    /// The pointer stays valid while the matrix lives.
    virtual const char* storedRows(int64_t /*r0*/, int64_t /*n*/, StorageType /*t*/) const { return nullptr; }

protected:
    /// Reads at a block size from storedBlocks() (or 1): the implementation's own data.
    virtual Status readStored(int64_t b, BlockReduce reduce, int64_t r0, int64_t c0, int64_t nr, int64_t nc,
                              float* out, const ProgressFn& cancel) const = 0;
};

using MatrixPtr = std::shared_ptr<AttentionMatrix>;

/// Where the values of a large trace tensor [layer, head, query, key] live when not in
/// TraceTensor::values: a tiled .attn file or queries and keys.
class TensorStore {
public:
    virtual ~TensorStore() = default;
    /// "tiled" or "qk".
    virtual std::string layout() const = 0;
    virtual StorageType storageType() const = 0;
    virtual int64_t layers() const = 0;
    virtual int64_t heads() const = 0;
    virtual int64_t rows() const = 0;
    virtual int64_t cols() const = 0;
    /// The matrix of one layer and head (made on first use and kept).
    virtual MatrixPtr matrix(int64_t layer, int64_t head) const = 0;
    /// Grouped-query attention (Ainslie et al. 2023, "GQA"): how many KV heads the keys have and
    /// which one query head `head` reads. Without GQA every head is its own KV head.
    virtual int64_t kvHeads() const { return heads(); }
    virtual int64_t kvHeadOf(int64_t head) const { return head; }
    /// Q/K only: the head dimension d and the score scale s.
    virtual int64_t headDim() const { return 0; }
    virtual double scale() const { return 0; }
    virtual bool causal() const { return false; }
    /// Bytes the values take on disk (or in memory for a store built in memory).
    virtual uint64_t bytes() const = 0;
};

/// A dense matrix over values in memory (row-major rows × cols), shared with the caller.
MatrixPtr denseMatrix(std::shared_ptr<const std::vector<float>> values, int64_t rows, int64_t cols);
/// The matrix of one layer and head of a trace tensor ([layer, head, query, key], or a 2-D
/// [query, key] with layer = head = 0): the store's, or a dense view of the values that keeps
/// `trace` alive. Errors: no such tensor, layer or head, other shapes.
Status matrixOf(const std::shared_ptr<const AttentionTrace>& trace, const std::string& tensor, int64_t layer,
                int64_t head, MatrixPtr& out);
/// True when a tensor should be shown by the long-attention views: it has a store, or its
/// query or key extent exceeds `tokens`.
bool isLongTensor(const TraceTensor& t, int64_t tokens = 2048);
bool isLongTrace(const AttentionTrace& t, int64_t tokens = 2048);

/// Computes the block-b overview (max and mean per block, ⌈rows/b⌉ × ⌈cols/b⌉ each) and the
/// stats of any matrix by reading it in bands of rows. Used by the tiled writer and tests.
struct MatrixOverview {
    int64_t block = 0, rows = 0, cols = 0;  ///< block size and the overview's extents
    std::vector<float> max, mean;
    MatrixStats stats;
};
Status computeOverview(const AttentionMatrix& m, int64_t b, MatrixOverview& out, const ProgressFn& progress = {});

// ---------------------------------------------------------------------------------------
// Tiled storage (the .attn version 2 "tiled" layout; format in docs/manual/file-formats.md).

/// Cells per tile side in every level.
constexpr int64_t kTileSize = 256;
/// The pyramid's block sizes for an n × m matrix: 1, 4, 16, … while the level is larger
/// than 256 cells on its longer side.
std::vector<int64_t> pyramidBlocks(int64_t rows, int64_t cols);

/// Options of the .attn writer.
struct SaveOptions {
    /// Tensors with at least this many cells per [query, key] matrix are written tiled with a
    /// pyramid (2048² by default); smaller ones densely in float32 (bit-exact round trip).
    int64_t tiledFromCells = int64_t(2048) * 2048;
    StorageType storage = StorageType::Float16;  ///< of tiled tensors
    /// Q/K tensors are written as weights (tiled) instead of queries and keys.
    bool materializeQk = false;
    /// Progress over the whole file in bytes written; false cancels ("cancelled").
    ProgressFn progress;
};
/// saveTrace with options (the plain saveTrace uses the defaults).
Status saveTrace(const AttentionTrace& trace, const std::string& path, const SaveOptions& options);

// ---------------------------------------------------------------------------------------
// Queries and keys (Q/K mode). Building Q/K tensors from models and dumps, and computing
// their cells, needs LibTorch: see attnscope/qk.h (engine library).

/// The queries, keys and row normalisers of a [layer, head, query, key] attention, float32:
/// q [layers, heads, n, d], k [layers, kvHeads, n, d], lse [layers, heads, n]. Held in memory
/// (built by a model or an import) or mapped from an .attn file.
class QkStore : public TensorStore, public std::enable_shared_from_this<QkStore> {
public:
    struct Dims {
        int64_t layers = 1, heads = 1, kvHeads = 1, tokens = 0, headDim = 0;
        double scale = 0;  ///< score scale s (1/√d for scaled dot-product attention)
        bool causal = false;
    };
    /// `keepAlive` owns the three arrays (a vector holder or a file mapping).
    QkStore(const Dims& dims, const float* q, const float* k, const float* lse, std::shared_ptr<const void> keepAlive);
    std::string layout() const override { return "qk"; }
    StorageType storageType() const override { return StorageType::Float32; }
    int64_t layers() const override { return dims_.layers; }
    int64_t heads() const override { return dims_.heads; }
    int64_t rows() const override { return dims_.tokens; }
    int64_t cols() const override { return dims_.tokens; }
    int64_t kvHeads() const override { return dims_.kvHeads; }
    /// Query head h reads KV head h / (heads / kvHeads) (consecutive query heads share one).
    int64_t kvHeadOf(int64_t head) const override { return head / (dims_.heads / dims_.kvHeads); }
    int64_t headDim() const override { return dims_.headDim; }
    double scale() const override { return dims_.scale; }
    bool causal() const override { return dims_.causal; }
    uint64_t bytes() const override;
    MatrixPtr matrix(int64_t layer, int64_t head) const override;
    const Dims& dims() const { return dims_; }
    /// [n, d] queries of (layer, head), keys of (layer, KV head), [n] normalisers of (layer, head).
    const float* queries(int64_t layer, int64_t head) const;
    const float* keys(int64_t layer, int64_t kvHead) const;
    const float* lse(int64_t layer, int64_t head) const;

private:
    Dims dims_;
    const float *q_, *k_, *lse_;
    std::shared_ptr<const void> keepAlive_;
    mutable std::mutex mutex_;
    mutable std::vector<MatrixPtr> matrices_;
};

/// Makes the matrix of one head of a QkStore (set by the engine library, which computes
/// cells with LibTorch; see qk.h). Without it, reading a Q/K matrix is an error that says so.
using QkMatrixFactory = MatrixPtr (*)(std::shared_ptr<const QkStore> store, int64_t layer, int64_t head);
void setQkMatrixFactory(QkMatrixFactory factory);
bool canComputeQk();

// ---------------------------------------------------------------------------------------
// Dumps too large to copy: .npy and .safetensors read through a memory map.

/// A dump's attention as [layer, head, query, key] matrices read straight from the mapped
/// file (no copy): .npy, or one .safetensors array (several equally shaped arrays are
/// layers, in natural name order). Only dumps whose last two axes are (query, key) map;
/// others are read whole (importDump).
struct MappedDump {
    std::string path;
    std::vector<int64_t> shape;  ///< the array's own shape
    int64_t layers = 1, heads = 1, rows = 0, cols = 0;
    std::vector<std::string> tokens;  ///< from ImportOptions::tokens
    std::vector<MatrixPtr> matrices;  ///< layers × heads, layer-major
    std::shared_ptr<const void> keepAlive;
};
/// Maps `path` (.npy or .safetensors). Axes as importDump (rank 2–5, batch index 0).
/// Errors as importDump, and for other layouts "not mappable" (use importDump).
Status mapDumpFile(const std::string& path, const ImportOptions& options, MappedDump& out);
/// Whether a file holds attention for the long views, read from its header alone (fast): an
/// .attn trace with a tiled or Q/K tensor or a [query, key] side longer than `tokens`; an
/// .npy, .npz or .safetensors dump with such a side, or with queries and keys (arrays q and k).
/// False for other files and for files that cannot be read.
bool isLongAttentionFile(const std::string& path, int64_t tokens = 2048);
/// Imports a large dump into a tiled .attn file without holding it (mapDumpFile, then the
/// tiled writer), checking weights as importDump does (NaN, negative, row sums).
Status importDumpToFile(const std::string& dumpPath, const ImportOptions& importOptions, const std::string& attnPath,
                        const SaveOptions& saveOptions, std::string* warning = nullptr);
} // namespace attnscope
