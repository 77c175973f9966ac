#pragma once
// User models: a TorchScript module (.pt saved by torch.jit.trace/script) plus a JSON
// sidecar that says what the model takes and which outputs are attention. Plain C++.
// An ONNX text model (MODEL.onnx with a "tokens" sidecar and no "attention" list) runs here
// too: the graph (run with ATen, attnscope/onnxmodel.h) is fed input_ids (and attention_mask,
// token_type_ids, position_ids when it takes them) and its self-attention is every Softmax of
// Q·Kᵀ over the tokens, layers in graph order, as the trace's "self" tensor.
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
//     (also "patch": [ph, pw], "order": "BGR", "resize": "keep_aspect" | "limit", "max_side",
//      "multiple"; for ONNX models "ctc" and "maps" outputs, and no "attention": the graph's
//      Softmax nodes are the attention — attnscope/visionmodel.h)
//   or, for an encoder–decoder translator (Marian, T5, mBART, NLLB … exported to TorchScript):
//     "input": {"type": "seq2seq",
//               "source": {"sentencepiece": "source.spm"}, "target": {"vocabulary": "target.txt"},
//                         (each with the options above: lowercase, unknown, prepend, append)
//               "arguments": ["input_ids", "attention_mask", "decoder_input_ids"],
//                         the module's positional inputs in order (also decoder_attention_mask,
//                         token_type_ids)
//               "pad_to": 64,  every input padded to this (traced) length and masked; 0: none
//               "pad": "<pad>", "decoder_start": "<pad>", "eos": "</s>",
//               "logits": 0,   the output holding logits [batch, target, vocabulary]
//               "max_new_tokens": 60},
//     "attention": [{"name": "cross_attention", "output": 2, "per_layer": true,
//                    "axes": ["batch", "head", "query", "key"], "query": "target", "key": "source"}, …]
//   The decoder input is decoder_start followed by the target; rows of a "target" query axis
//   are the decoding steps, labelled with the token each step predicts (the target, then
//   eos). Forced decoding reads a given target in one call; free decoding calls the module
//   once per generated token (greedy) until eos or max_new_tokens. Padded rows and columns
//   are cut before anything is shown. The trace's 2-D "cross" alignment is the mean over
//   heads of the first target×source entry's penultimate layer (Garg et al. 2019 align
//   with the penultimate layer), or "alignment": {"tensor": NAME, "layer": L (from 1),
//   "head": H (from 1) or "mean"} in the sidecar.
//   or, for a decoder-only generator (GPT-style; the tokenizer fields as for "tokens"):
//     "input": {"type": "decoder", "vocabulary": "vocab.txt" | "sentencepiece": "spm.model",
//               "arguments": ["input_ids", "attention_mask"], "pad_to": 64, "pad": "<pad>",
//               "eos": "</s>", "logits": 0, "max_new_tokens": 40},
//     "attention": [{"name": "self", "output": 1, "per_layer": true, "axes": ["batch", "head", "query", "key"]}]
//   The prompt generates tokens greedily (one call per token); the trace holds each attention
//   entry over prompt + generated tokens, metadata "prompt_tokens", and a 2-D "cross" whose
//   rows are the generated tokens — row i is the step that produced generated token i, over
//   every key before it (the prompt, then what was generated).
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

/// A head-mask argument of a TorchScript module (HuggingFace's head_mask, decoder_head_mask,
/// cross_attn_head_mask): a float [layers, heads] tensor, 1 to keep a head, 0 to zero its
/// attention probabilities. AttnScope passes ones, and zeros for the heads ablated in `kind`
/// (the attention kind the mask gates, as `--ablate` names it).
struct ScriptHeadMask {
    std::string argument;  ///< "head_mask", "decoder_head_mask" or "cross_attn_head_mask"
    std::string kind;      ///< e.g. encoder_self, decoder_self, cross_attention (seq2seq), self (decoder)
    int64_t layers = 0, heads = 0;
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
    /// seq2seq: which sequence the query and key axes run over ("source" or "target").
    std::string querySide, keySide;
    /// "value_norms": an output holding ‖f_h(x_j)‖ = ‖(x_j W^V + b^V)_h W^O_h‖ per key, with the
    /// attention's axes without "query"; the trace then gets the norm lens "<name>.norm" =
    /// α_ij ‖f_h(x_j)‖ (Kobayashi et al. 2020). Unset (index −1, no key): no norm lens.
    ScriptOutput valueNorms;
};

/// How one side of the text becomes token ids: a vocabulary (one token per line, words split
/// as attnscope::tokenize does) or a SentencePiece model, plus the options. With both, the
/// SentencePiece model cuts the text into pieces and the vocabulary file gives their ids
/// (Marian numbers pieces by its own vocab.json, not by SentencePiece's ids).
struct ScriptTokenizer {
    std::string vocabularyPath;     ///< absolute; empty with SentencePiece
    std::string sentencePiecePath;  ///< absolute
    bool lowercase = false;
    std::string unknown = "[UNK]";
    std::vector<std::string> prepend, append;
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
    int width = 0, height = 0, channels = 3;
    /// Patch height and width in model-input pixels ("patch": 16 or [48, 8]); attention over
    /// (height/ph)·(width/pw) patches (+ CLS), row by row.
    int patchHeight = 0, patchWidth = 0;
    bool cls = false;
    std::vector<double> mean, std;  ///< per channel, on x/255 (after "order")
    bool bgr = false;               ///< "order": "BGR" (PaddleOCR and other OpenCV-trained models)
    /// "resize": "stretch" (to size, the default), "keep_aspect" (height = size[0], width by
    /// the aspect ratio, at least size[1] and at most max_side, the rest right-padded with 0
    /// after normalisation — PaddleOCR's recogniser), "limit" (longest side at most max_side,
    /// each side rounded to a multiple of "multiple" — PaddleOCR's detector; no "size" needed).
    std::string resize = "stretch";
    int maxSide = 960, multiple = 32;
    /// ONNX vision outputs: CTC text ("ctc": {"output", "characters" file, "blank", "space"}),
    /// and maps over the picture ("maps": [{"output", "name"}]), e.g. a text-probability map.
    std::string ctcOutput, ctcCharacters;
    int ctcBlank = 0;
    bool ctcSpace = false;
    std::vector<std::pair<std::string, std::string>> maps;
    /// ONNX image classifiers: "classes": {"output": logits [1, C] or [C], "labels": file with one
    /// class name per line (optional: the classes are numbered)}.
    std::string classOutput, classLabels;
    std::vector<ScriptAttentionSpec> attention;
    // "type": "seq2seq" (the source side is read by the fields above), or "decoder" (one
    // vocabulary: the fields above; the seq2seq fields below apply except target/decoder_start)
    bool seq2seq = false;
    bool decoderOnly = false;
    ScriptTokenizer target;
    std::vector<std::string> arguments;  ///< positional inputs: input_ids, attention_mask, decoder_input_ids, …
    /// The head-mask arguments among `arguments`, with their shapes ("head_mask": {"head_mask":
    /// [6, 8]} or {"head_mask": {"shape": [6, 8], "kind": "encoder_self"}} in the input).
    std::vector<ScriptHeadMask> headMasks;
    int padTo = 0;                       ///< 0: no padding
    std::string pad = "<pad>", decoderStart = "<pad>", eos = "</s>";
    ScriptOutput logits{0, {}};
    int maxNewTokens = 60;
    std::string alignmentTensor;   ///< empty: the first target×source entry
    int alignmentLayer = -1;       ///< 0-based; −1: the penultimate layer
    int alignmentHead = -1;        ///< 0-based; −1: mean over heads
    /// An ONNX encoder–decoder pair (Optimum's export layout): the encoder and decoder graph
    /// files, resolved inside the folder ("encoder" / "decoder" in attnscope.json; defaults
    /// encoder_model.onnx, decoder_model.onnx). Empty for a TorchScript module.
    std::string encoderGraph, decoderGraph;
    std::string takes() const;     ///< "text → tokens via vocab.txt (lower-cased)"
    std::string produces() const;  ///< "encoder_self [layer, head, query, key]"
};

/// The sidecar path for a module: MODEL.json, else MODEL.pt.json; for an ONNX encoder–decoder
/// folder (onnxPairFolder), its attnscope.json; "" when there is none.
std::string sidecarPath(const std::string& modulePath);
/// An Optimum-style export: `path` is a folder holding encoder_model.onnx and
/// decoder_model.onnx (or an attnscope.json naming "encoder" and "decoder"), or the
/// encoder_model.onnx in such a folder. Returns the folder, else "".
std::string onnxPairFolder(const std::string& path);
/// A decoder-only ONNX export: `path` is a folder holding model.onnx, or an .onnx file, whose
/// own sidecar (MODEL.json) says "type": "decoder" or — without one — whose folder's
/// attnscope.json does, or whose config.json names a causal LM (architectures
/// *ForCausalLM / *LMHeadModel). Returns the model.onnx path, else "".
std::string onnxDecoderModel(const std::string& path);
/// Reads and checks a sidecar (paths resolved against its folder). Errors name the field.
Status parseSidecar(const std::string& jsonPath, ScriptModelSpec& out);
/// What the user model at `path` takes and gives without loading its weights: its sidecar,
/// or for an ONNX export folder (onnxPairFolder, onnxDecoderModel) the spec its config and
/// tokenizer files imply with attnscope.json's keys over it. Errors: no sidecar, and those of
/// parseSidecar and of the folder's files (each naming the file and key).
Status readModelSpec(const std::string& path, ScriptModelSpec& out);

struct HeadAblation;

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
    /// `ablation` (attnscope/ablation.h; ONNX models — the interpreter changes their Softmax
    /// outputs — and TorchScript encoder–decoders and decoders whose sidecar names head-mask
    /// arguments, ScriptHeadMask, zero mode only): those heads zeroed or made uniform in this
    /// run, the trace's metadata "ablation" says which. Errors also: heads the model does not
    /// have (the valid ranges named), another TorchScript module (its attention is inside the
    /// module's own code).
    Status run(const std::string& text, AttentionTrace& out, const HeadAblation* ablation = nullptr) const;
    /// The tokens `text` becomes (what the module sees), for display.
    std::vector<std::string> tokens(const std::string& text) const;

    /// seq2seq models: decodes `source`, forced through `reference` when it is given, else
    /// greedily (one forward call per generated token, until eos or max_new_tokens). The trace
    /// holds each attention entry [layer, head, query, key] cut to the real (unpadded) tokens
    /// and a 2-D "cross" [target steps, source tokens] alignment (see the sidecar notes);
    /// `translation` receives the generated (or forced) target tokens joined by spaces.
    /// Errors: not a seq2seq model, empty text, an input longer than pad_to (both sizes), an
    /// output of the wrong rank or extents that fit neither source nor target, "cancelled".
    /// Decoder-only models: `source` is the prompt; generates greedily (or, with `reference`,
    /// reads it as the continuation) and `translation` receives the generated tokens.
    /// `ablation`: as for run().
    Status decode(const std::string& source, const std::string* reference, AttentionTrace& out, std::string* translation = nullptr,
                  const ProgressFn& cancel = {}, const HeadAblation* ablation = nullptr) const;
    /// Head importance by gradient of one sentence pair (Michel et al. 2019, eq. 2–3), ONNX
    /// encoder–decoder exports: |∂L/∂ξ_h| for a gate ξ_h = 1 on every head's Softmax output, L =
    /// −log p(reference | source) under forced decoding, through the interpreter with LibTorch
    /// autograd (OnnxModel::runTensors). `out` holds, for each of `kinds` in turn (as the trace
    /// names them: encoder_self, decoder_self, cross_attention), its layers' heads layer-major.
    /// Errors: another kind of model (the message says which do), a kind this model does not
    /// have, decode()'s errors.
    Status headGradients(const std::string& source, const std::string& reference, const std::vector<std::string>& kinds,
                         std::vector<float>& out) const;
    /// seq2seq models: why `source` (forced through `reference` when given) cannot be decoded
    /// at all by this model — an empty side, a source longer than pad_to / max_tokens, a target
    /// with more decoder steps than pad_to (the sizes named); empty when it can. Batch commands
    /// skip such a sentence with this reason instead of stopping.
    std::string cannotDecode(const std::string& source, const std::string* reference) const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace attnscope
