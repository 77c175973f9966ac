#pragma once
// AttentionTrace: the one contract between the engine and everything else
// (see shared/DESIGN.md). Plain C++ only: no torch, no OpenCV, no Qt types.
#include "attnscope/status.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attnscope {

class TensorStore;  // longattention.h

/// One named attention tensor, float32, row-major, owned by the trace.
/// Example: name "cross", axes {"target", "source"}, shape {T, S}: row t holds the
/// attention weights α_t· of target step t over the source positions (sums to 1).
struct TraceTensor {
    std::string name;
    std::vector<std::string> axes;                 ///< one name per dimension
    std::vector<int64_t> shape;                    ///< extent per dimension
    std::vector<std::vector<std::string>> labels;  ///< per axis: empty or shape[axis] labels
    std::vector<float> values;                     ///< product(shape) values, row-major
    /// Set instead of `values` for [layer, head, query, key] tensors too large to hold densely:
    /// a memory-mapped tiled .attn file or queries and keys (longattention.h). Read them through
    /// matrixOf(); `values` is then empty and at() must not be used.
    std::shared_ptr<TensorStore> store;

    int64_t numel() const;
    bool lazy() const { return store != nullptr; }
    /// Element (i, j) of a 2-D tensor. No bounds check.
    float at(int64_t i, int64_t j) const { return values[static_cast<size_t>(i * shape[1] + j)]; }
    /// Checks that shape, labels and values agree; returns a message naming the mismatch.
    Status validate() const;
};

/// An alignment link between source token `source` and target token `target` (0-based).
struct AlignmentLink {
    int source = 0;
    int target = 0;
    bool operator==(const AlignmentLink& o) const { return source == o.source && target == o.target; }
    bool operator<(const AlignmentLink& o) const
    {
        return target != o.target ? target < o.target : source < o.source;
    }
};

struct AttentionTrace {
    std::string model;          ///< model name, e.g. "gru-bahdanau"
    std::string scoreFunction;  ///< e.g. "additive"
    /// Free metadata: "input" (source text), "reference", "mode" (free|forced),
    /// "verse" (e.g. "Ruth 1:16"), "unknown_words", ...
    std::map<std::string, std::string> metadata;
    std::vector<TraceTensor> tensors;

    /// Gold alignment links (source, target) over the labels of the "cross" tensor,
    /// restricted to evaluated tokens; empty when no gold is known.
    std::vector<AlignmentLink> goldLinks;
    /// Possible-only gold links (Och & Ney 2003: P = goldLinks ∪ possibleLinks, the sure
    /// links S = goldLinks); empty for the Strong's-number gold, where S = P.
    std::vector<AlignmentLink> possibleLinks;
    /// Per source / target label: 1 when the token is evaluated by the alignment metric.
    /// Empty when no gold is known.
    std::vector<uint8_t> sourceEvaluated;
    std::vector<uint8_t> targetEvaluated;

    bool hasGold() const { return !sourceEvaluated.empty() && !targetEvaluated.empty(); }
    const TraceTensor* find(const std::string& name) const;
    std::string meta(const std::string& key) const;
    Status validate() const;
    bool operator==(const AttentionTrace& o) const;
};

bool operator==(const TraceTensor& a, const TraceTensor& b);

/// Adds a sentence to the trace's metadata "warning" (joined with "; " to any there; a sentence
/// already there is not repeated).
void addTraceWarning(AttentionTrace& trace, const std::string& warning);
/// The non-finite values (NaN, ±Inf) of a trace's dense tensors, one clause per tensor that
/// has any: its name, the count and the first index ("cross_attention: 3 non-finite values
/// (NaN or ±Inf), the first at [0, 1, 2, 0]; …"); empty when every value is finite. Tensors kept
/// in a store (tiles, Q/K) are not scanned. Files read (loadTrace, parseTrace, loadTraceJson)
/// and ONNX runs add it to the trace's warning; the views draw such cells as no value.
std::string nonFiniteReport(const AttentionTrace& trace);

/// One head of a 4-D tensor [layer, head, query, key] as a 2-D tensor [query, key] named
/// `name`, with the query/key labels of the source. Errors on other shapes or out-of-range
/// indices.
Status sliceHead(const TraceTensor& t, int layer, int head, const std::string& name, TraceTensor& out);

/// A 2-D tensor [query, key] as [1, 1, query, key] (one layer with one head, labels kept),
/// so multi-head views and tables take single-attention traces too; other shapes unchanged.
TraceTensor asMultiHead(const TraceTensor& t);

/// Writes `trace` as a binary `.attn` file, version 2 (format in docs/manual/file-formats.md): magic
/// "ATTNSCOP", uint32 version, uint64 header length, UTF-8 JSON header, then each tensor's
/// data: small tensors as float32 values (round-trips exactly), [query, key] matrices of
/// 2048² cells or more in float16 tiles with a level-of-detail pyramid, Q/K tensors as their
/// queries and keys (SaveOptions in longattention.h chooses). Atomic (temp + rename).
Status saveTrace(const AttentionTrace& trace, const std::string& path);
/// Reads a `.attn` file, version 1 or 2; checks magic, version, sizes against the file
/// length. Tiled and Q/K tensors stay in the file, memory-mapped (TraceTensor::store): the
/// views read only the tiles and levels they draw.
Status loadTrace(const std::string& path, AttentionTrace& out);

/// Receives consecutive chunks of a file being written; returns false to stop writing.
using ByteSink = std::function<bool(const char* data, size_t size)>;
/// Streams the `.attn` bytes of `trace` into `sink` (header, then each tensor's values in
/// chunks of at most 8 MiB, so nothing is copied whole), every tensor as float32 values.
/// Errors: an invalid trace, a tensor kept in a store (save those with saveTrace); "cancelled"
/// when the sink returns false.
Status writeTraceTo(const AttentionTrace& trace, const ByteSink& sink);
/// Reads the `.attn` bytes at `data` (a file's contents, or a trace embedded in a workspace
/// file); `name` names the source in error messages. The same checks as loadTrace; tiled and
/// Q/K tensors need the file itself (loadTrace).
Status parseTrace(const char* data, size_t size, const std::string& name, AttentionTrace& out);

/// JSON form for small traces: same header, values as nested arrays of numbers.
/// Floats are written with shortest round-trip precision, so JSON round-trips exactly too.
std::string traceToJson(const AttentionTrace& trace);
Status traceFromJson(const std::string& json, AttentionTrace& out);
Status saveTraceJson(const AttentionTrace& trace, const std::string& path);
Status loadTraceJson(const std::string& path, AttentionTrace& out);

/// Dispatch on extension: ".attn" or ".json".
Status saveTraceAuto(const AttentionTrace& trace, const std::string& path);
Status loadTraceAuto(const std::string& path, AttentionTrace& out);

} // namespace attnscope
