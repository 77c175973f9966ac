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

/// A 1-D numpy array of strings (tokens saved beside the attention), as UTF-8.
struct DumpStrings {
    std::string name;
    std::vector<std::string> values;
};

/// NumPy .npy format v1–v3 (little-endian float16/32/64, C order).
Status parseNpy(const char* data, size_t size, const std::string& name, DumpArray& out);
/// A 1-D .npy array of numpy strings: unicode ('<U n', UTF-32) or bytes ('|S n'), trailing
/// NULs stripped. Errors: another dtype, another rank, sizes that do not fit the file.
Status parseNpyStrings(const char* data, size_t size, const std::string& name, DumpStrings& out);
bool isNpyStringArray(const char* data, size_t size);
/// safetensors: uint64 header length, JSON header, raw data (F16, BF16, F32, F64). With
/// `scalars`, 0-d tensors of any numeric dtype (BOOL, I8…I64, U8…U64, F16, BF16, F32, F64) go
/// there (shape {}, one value); without, a 0-d tensor is an error.
Status parseSafetensors(const char* data, size_t size, std::vector<DumpArray>& out, std::vector<DumpArray>* scalars = nullptr);
/// JSON: {"tokens": [...], "attention": nested lists}. Query (row) labels from the first of
/// "target_tokens", "decoder_tokens" (BertViz), "target", "tgt_tokens", "query_tokens"; key
/// (column) labels from "source_tokens", "encoder_tokens", "source", "src_tokens", "key_tokens";
/// either side falls back to "tokens" ("input_tokens", "words", "labels"). `note` says which
/// keys gave the labels; `unused` names every other key holding a list of strings.
Status parseJsonDump(const char* data, size_t size, std::vector<DumpArray>& out,
                     std::vector<std::string>& queryTokens, std::vector<std::string>& keyTokens, std::string* note = nullptr,
                     std::string* unused = nullptr);
/// .npz (a zip of .npy files, deflated or stored, zip64) through libzip. String arrays (tokens,
/// as notebooks save them: np.array(tokens)) go to `strings` when given, else are skipped.
/// With `scalars`, 0-d arrays of any numeric dtype (bool, int8…int64, uint8…uint64, float16/32/64:
/// np.array(1), np.float32(0.125)) go there (shape {}, one value); without, they are errors.
Status parseNpz(const char* data, size_t size, std::vector<DumpArray>& out, std::vector<DumpStrings>* strings = nullptr,
                std::vector<DumpArray>* scalars = nullptr);

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
    /// String arrays of an .npz not named like tokens: matched to the axes by length.
    std::vector<DumpStrings> labelArrays;
    std::string labelNote;  ///< which array the labels came from
    std::string labelWarning;  ///< string lists in the file not used as labels (a trace warning)
};
Status readDump(const std::string& path, Dump& out);
/// Default axis names for a rank (2–5), or empty when there is no obvious mapping.
std::vector<std::string> defaultAxes(size_t rank);
/// Maps a dump's axes to [layer, head, query, key] and validates the weights. Labels come from
/// `options.tokens`, the dump's tokens, or a string array of the right length; labels whose
/// count differs from the query or key extent are an error naming both sizes. The trace's
/// metadata "labels" says where the labels came from.
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
