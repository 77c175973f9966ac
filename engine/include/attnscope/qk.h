#pragma once
// Q/K mode (engine library, LibTorch): attention kept as queries and keys, its cells computed
// on demand — a_ij = exp(q_i·k_j·s − lse_i), masked above the diagonal when causal — exactly,
// the identity flash-attention uses (Dao et al. 2022, "FlashAttention", §3.1). See
// longattention.h for the stores and matrices. Plain C++ header.
#include "attnscope/longattention.h"

#include <string>
#include <vector>

namespace attnscope {

/// Queries and keys of a [layer, head, query, key] attention, from a model or a dump.
struct QkArrays {
    int64_t layers = 1, heads = 1, kvHeads = 1, tokens = 0, headDim = 0;
    std::vector<float> q;    ///< [layers, heads, tokens, headDim], already projected (and rotated, for RoPE)
    std::vector<float> k;    ///< [layers, kvHeads, tokens, headDim]; kvHeads divides heads (GQA)
    std::vector<float> lse;  ///< [layers, heads, tokens] log-sum-exp of the scaled (masked) scores; empty: computed
    double scale = 0;        ///< score scale s; 0 means 1/√headDim (Vaswani et al. 2017, eq. 1)
    bool causal = false;     ///< row i attends to keys ≤ i only
};

/// The row normalisers lse_i = log Σ_j exp(q_i·k_j·s) (j ≤ i when causal) of one head,
/// computed blockwise (never more than 256 rows of scores at once). q [n, d], k [n, d], out [n].
Status computeLse(const float* q, const float* k, int64_t n, int64_t d, double scale, bool causal, float* out,
                  const ProgressFn& cancel = {});

/// A trace tensor [layers, heads, tokens, tokens] in Q/K mode (TraceTensor::store is a
/// QkStore), labelled with `tokens` when given. Computes lse when absent. Errors: sizes that do
/// not match the counts, kvHeads not dividing heads, NaN or infinite values, labels whose count
/// differs from the tokens, "cancelled".
Status makeQkTensor(QkArrays arrays, const std::string& name, const std::vector<std::string>& tokens,
                    TraceTensor& out, const ProgressFn& progress = {});

/// True when an .npz or .safetensors file holds Q/K arrays (names below).
bool hasQkArrays(const std::string& path);
/// Reads Q/K arrays from an .npz or .safetensors file into a trace with one Q/K tensor named
/// "attention". Array names: "q" (or "queries"), "k" (or "keys"), optional "lse", "scale"
/// (one value; default 1/√d), "causal" (one value, 0 or 1; default 0) and, in an .npz, the
/// tokens as a string array "tokens". Shapes: q [L, H, n, d], [H, n, d] or [n, d]; k the same
/// rank with KV heads (GQA) instead of heads; lse q's shape without d.
Status importQk(const std::string& path, AttentionTrace& out, const ProgressFn& progress = {});

/// Links the Q/K computation into the executable (called by a static initialiser of every
/// executable that links the engine; see engine/CMakeLists.txt).
bool enableQkMatrices();

} // namespace attnscope
