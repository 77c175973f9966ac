#pragma once
// Importers for attention tensors saved elsewhere (PyTorch, JAX, TensorFlow via numpy):
// .npy, .npz, .safetensors and JSON (tokens + nested lists). Parsing is defensive: sizes are
// checked against the bytes present before anything is allocated, shapes are bounded, and
// no read goes past the end of the buffer.
#include "attnscope/status.h"
#include "attnscope/trace.h"

#include <cstddef>
#include <string>
#include <vector>

namespace attnscope {

/// At most 2^28 values (1 GiB of float32) per array.
constexpr int64_t kMaxDumpElements = int64_t(1) << 28;

/// One array of a dump, converted to float32, C (row-major) order.
struct DumpArray {
    std::string name;
    std::vector<int64_t> shape;
    std::vector<float> values;
};

/// NumPy .npy format v1–v3 (little-endian float16/32/64, C order).
Status parseNpy(const char* data, size_t size, const std::string& name, DumpArray& out);
/// safetensors: uint64 header length, JSON header, raw data (F16, BF16, F32, F64).
Status parseSafetensors(const char* data, size_t size, std::vector<DumpArray>& out);
/// JSON: {"tokens": [...], "attention": nested lists} (also "source_tokens"/"target_tokens").
Status parseJsonDump(const char* data, size_t size, std::vector<DumpArray>& out,
                     std::vector<std::string>& queryTokens, std::vector<std::string>& keyTokens);
/// .npz (a zip of .npy files, deflated or stored, zip64) through libzip.
Status parseNpz(const char* data, size_t size, std::vector<DumpArray>& out);

struct ImportOptions {
    /// One name per dimension of the (stacked) array: layer, head, query, key, and batch
    /// (batch is indexed at 0). Empty: inferred from the rank (2: query,key; 3: head,query,key;
    /// 4: layer,head,query,key; 5: layer,batch,head,query,key).
    std::vector<std::string> axes;
    std::vector<std::string> tokens;  ///< labels for query and key (self-attention)
    std::string name = "attention";   ///< tensor name in the trace
};

/// A dump read from disk, before its axes are mapped: one array (several equally shaped
/// arrays are stacked as a leading layer axis, in natural name order) and any tokens.
struct Dump {
    std::string path;
    DumpArray array;
    std::vector<std::string> queryTokens, keyTokens;
};
Status readDump(const std::string& path, Dump& out);
/// Default axis names for a rank (2–5), or empty when there is no obvious mapping.
std::vector<std::string> defaultAxes(size_t rank);
/// Maps a dump's axes to [layer, head, query, key] and validates the weights.
Status mapDump(const Dump& dump, const ImportOptions& options, AttentionTrace& out);

/// Writes float32 values of `shape` (C order) as a NumPy .npy v1 file (atomic).
Status writeNpy(const std::string& path, const std::vector<int64_t>& shape, const std::vector<float>& values);

/// Reads a dump by extension and builds a trace with one [layer, head, query, key] tensor
/// (readDump + mapDump).
/// Several equally shaped arrays (one per layer, e.g. HuggingFace `attentions`) are stacked
/// as layers in natural name order. NaN or negative weights are errors; rows that do not sum
/// to 1 are kept as given with metadata "warning".
Status importDump(const std::string& path, const ImportOptions& options, AttentionTrace& out);

} // namespace attnscope
