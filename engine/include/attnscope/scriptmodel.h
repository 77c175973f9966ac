#pragma once
// User models: a TorchScript module (.pt saved by torch.jit.trace/script) plus a JSON
// sidecar that says what the model takes and which outputs are attention. Plain C++.
//
// Sidecar (MODEL.json next to MODEL.pt, or MODEL.pt.json):
//   {
//     "name": "tiny-bert", "description": "…",
//     "input": {"type": "tokens",
//               "vocabulary": "vocab.txt",       one token per line, id = line number
//               or "sentencepiece": "spm.model", pieces and ids from the SentencePiece model
//                                                (through its spm_encode / spm_export_vocab tools)
//               "lowercase": true, "unknown": "[UNK]",
//               "prepend": ["[CLS]"], "append": ["[SEP]"], "max_tokens": 512},
//   or, for a vision model (ViT-style: attention over patches, optionally with a CLS token):
//     "input": {"type": "image", "size": [224, 224], "channels": 3,
//               "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5], "patch": 16, "cls": true},
//   or, for a video model (attention over frames):
//     "input": {"type": "video", "frames": 16, "size": [112, 112], "channels": 3,
//               "mean": [...], "std": [...]},
//     "attention": [
//       {"name": "encoder_self", "output": 1, "per_layer": true,
//        "axes": ["batch", "head", "query", "key"]},
//   or, for long inputs, the queries and keys instead of the weights (Q/K mode, attnscope/qk.h):
//       {"name": "self", "queries": "q", "keys": "k", "per_layer": true,
//        "axes": ["batch", "head", "token", "dim"], "causal": true, "scale": 0.125}
//     ]
//   }
// The module is called as forward(input_ids) with input_ids int64 [1, T], or for images
// forward(pixel_values) with pixel_values float32 [1, C, H, W] (RGB order, (x/255 − mean)/std,
// resized to H×W with OpenCV's area filter); then T = (H/patch)·(W/patch) (+1 with "cls") and
// the labels are "[CLS]", "r0c0", "r0c1", … (patch row and column). Video models are called
// as forward(pixel_values) with pixel_values float32 [1, T, C, H, W]: T = "frames" frames
// sampled evenly over the video (OpenCV VideoCapture), each converted like an image; the
// labels are the video frame indices "f12", "f37", …. "output" picks
// from the result: an index into a tuple or list, a key of a dict, or absent for the whole
// result. "per_layer": the picked value is a tuple/list with one tensor per layer (as
// HuggingFace's `attentions`), stacked as a leading layer axis; "axes" name each tensor's
// dimensions (layer, head, query, key, batch; batch must have size 1). Query and key
// extents must equal T; anything that does not match is reported before a trace exists.
// A Q/K entry picks two outputs, "queries" and "keys" (index or key each), with axes among
// layer, batch, head, token, dim; the keys may have fewer heads (grouped-query attention).
// The trace then holds the queries and keys and computes weights on demand (lse, the row
// normalisers, in one blockwise pass): a_ij = exp(q_i·k_j·scale − lse_i), masked above the
// diagonal when "causal"; "scale" defaults to 1/√d. Rotary position embeddings (RoPE) must
// already be applied to the returned queries and keys.
#include "attnscope/status.h"
#include "attnscope/trace.h"

#include <memory>
#include <string>
#include <vector>

namespace attnscope {

/// Which output of the module: a tuple/list index, a dict key, or the whole result.
struct ScriptOutput {
    int index = -1;   ///< tuple/list index, or −1
    std::string key;  ///< dict key, or empty
};

struct ScriptAttentionSpec {
    std::string name;       ///< tensor name in the trace, e.g. "encoder_self"
    int outputIndex = -1;   ///< tuple/list index, or −1
    std::string outputKey;  ///< dict key, or empty
    bool perLayer = false;
    std::vector<std::string> axes;
    /// Q/K mode: the queries' and keys' outputs (axes among layer, batch, head, token, dim).
    bool qk = false;
    ScriptOutput queries, keys;
    bool causal = false;
    double scale = 0;  ///< 0: 1/√d
};

struct ScriptModelSpec {
    std::string name, description;
    std::string vocabularyPath;     ///< absolute after parsing; empty with SentencePiece
    std::string sentencePiecePath;  ///< absolute; a SentencePiece .model instead of a vocabulary
    bool lowercase = false;
    std::string unknown = "[UNK]";
    std::vector<std::string> prepend, append;
    int maxTokens = 512;
    // "type": "image" (or "video": the same pixel fields plus "frames")
    bool image = false;
    bool video = false;
    int frames = 0;
    int width = 0, height = 0, channels = 3, patch = 0;
    bool cls = false;
    std::vector<double> mean, std;
    std::vector<ScriptAttentionSpec> attention;
    std::string takes() const;     ///< "text → tokens via vocab.txt (lower-cased)"
    std::string produces() const;  ///< "encoder_self [layer, head, query, key]"
};

/// The sidecar path for a module: MODEL.json, else MODEL.pt.json; "" when neither exists.
std::string sidecarPath(const std::string& modulePath);
/// Reads and checks a sidecar (paths resolved against its folder). Errors name the field.
Status parseSidecar(const std::string& jsonPath, ScriptModelSpec& out);

class ScriptModel {
public:
    ScriptModel();
    ~ScriptModel();
    ScriptModel(const ScriptModel&) = delete;
    ScriptModel& operator=(const ScriptModel&) = delete;

    /// Loads MODEL.pt and its sidecar. Errors: no sidecar, bad sidecar, unreadable module,
    /// missing vocabulary / SentencePiece file.
    Status load(const std::string& modulePath);
    const ScriptModelSpec& spec() const;
    /// Tokenises `text` (for an image or video model: reads the file at path `text`), runs the
    /// module and builds a trace with one [layer, head, query,
    /// key] tensor per attention spec, labelled with the tokens. Errors: empty input, more
    /// than max_tokens, an output that is missing or of the wrong type, rank or extent
    /// mismatches with the sidecar (the message says which), NaN or negative weights.
    Status run(const std::string& text, AttentionTrace& out) const;
    /// The tokens `text` becomes (what the module sees), for display.
    std::vector<std::string> tokens(const std::string& text) const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace attnscope
