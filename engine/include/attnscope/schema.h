#pragma once
// The trace schema of each kind of model: the names of its tensors and metadata keys, in one
// place. The engine's models write traces with these names; the workspaces, figures, CLI and
// tests read them through these constants instead of bare strings.
#include <string>

namespace attnscope::schema {

/// Lenses (what attention carries, not only its weights), each stored as its own tensor beside
/// the attention it reads, same axes, unnormalised: "<tensor>.<lens>", e.g. "cross_attention.norm".
///   norm — α_ij ‖f_h(x_j)‖, f_h(x) = (x W^V + b^V)_h W^O_h (Kobayashi et al. 2020, eq. 5).
inline constexpr const char* kNormLens = "norm";
///   grad — α_ij ∂ log p(y_i)/∂α_ij for the token row i predicts (the reference under forced
///          decoding); encoder self-attention: ∂ of the whole reference's log p. Signed.
inline constexpr const char* kGradLens = "grad";
///   rollout — attention rollout (Abnar & Zuidema 2020): self-attention, the head-mean Ã_l = ½A_l + ½I
///          composed up to each layer [L, 1, Q, K]; cross-attention, each head's rows times the
///          encoder's rollout at its top layer (the encoder–decoder rule of Chefer et al. 2021, eq. 10
///          without gradients) [L, H, T, S]. Derived (addDerivedLenses), rows sum to 1.
inline constexpr const char* kRolloutLens = "rollout";
///   norm_rollout — the same over the norm lens with its rows normalised (norm-based rollout).
inline constexpr const char* kNormRolloutLens = "norm_rollout";
///   alti — ALTI (Ferrando et al. 2022, eq. 9–12): encoder self-attention of the built-in Transformer,
///          each layer's token contributions (residual included, L1 distance) composed up to each
///          layer [L, 1, S, S]; cross-attention, the norm lens's rows (normalised) times the
///          encoder's ALTI at its top layer [L, H, T, S]. Rows sum to 1.
inline constexpr const char* kAltiLens = "alti";
/// Every lens, in the order the views offer them ("raw" is the attention itself).
inline constexpr const char* kLenses[] = {kNormLens, kGradLens, kRolloutLens, kNormRolloutLens, kAltiLens};
inline std::string lens(const std::string& tensor, const std::string& lens) { return tensor + "." + lens; }
/// The lens of a tensor's name ("norm" for "cross_attention.norm"), empty for attention
/// itself; other dotted names (a vision model's "attention.<node>") are attention.
inline std::string lensOf(const std::string& tensor)
{
    for (const char* lens : kLenses) {
        const std::string suffix = std::string(".") + lens;
        if (tensor.size() > suffix.size() && tensor.compare(tensor.size() - suffix.size(), suffix.size(), suffix) == 0) return lens;
    }
    return {};
}
/// The attention a lens reads ("cross_attention" for "cross_attention.norm"); the name itself otherwise.
inline std::string lensBase(const std::string& tensor)
{
    const std::string l = lensOf(tensor);
    return l.empty() ? tensor : tensor.substr(0, tensor.size() - l.size() - 1);
}
/// True for a lens tensor's name ("….norm", "….grad", …).
inline bool isLens(const std::string& tensor) { return !lensOf(tensor).empty(); }

// Metadata every kind may carry.
inline constexpr const char* kInputMeta = "input";      ///< the input: text, file path, "test scene 3", …
inline constexpr const char* kModeMeta = "mode";        ///< free | forced
inline constexpr const char* kWarningMeta = "warning";  ///< something the user should know about the trace
inline constexpr const char* kAblationMeta = "ablation";  ///< the heads ablated in this run (HeadAblation::describe)
inline constexpr const char* kLabelsMeta = "labels";  ///< imports: where the labels came from (or why there are none)
/// Why a lens is missing from the trace ("no norm lens for cross_attention: node X: …").
inline constexpr const char* kLensNoteMeta = "lens_note";
inline constexpr const char* kFree = "free";
inline constexpr const char* kForced = "forced";

/// Translation (built-in translators, imported dumps, user models).
namespace translation {
/// [target, source]: the model's alignment matrix (the GRU's attention, the Transformer's
/// guided-alignment head); labels target tokens and source tokens, each ending in </s>.
inline constexpr const char* kCross = "cross";
/// [layer, head, query, key] tensors of the Transformer.
inline constexpr const char* kCrossAttention = "cross_attention";
inline constexpr const char* kEncoderSelf = "encoder_self";
inline constexpr const char* kDecoderSelf = "decoder_self";
inline constexpr const char* kEndOfSentence = "</s>";
inline constexpr const char* kVerseMeta = "verse";
inline constexpr const char* kReferenceMeta = "reference";
inline constexpr const char* kUnknownWordsMeta = "unknown_words";
/// Which head the 2-D "cross" alignment is, e.g. "cross_attention layer 2 head 1" (empty: the
/// model's own single attention).
inline constexpr const char* kCrossFromMeta = "cross_from";
/// Decoder-only models: how many of the keys are the prompt's.
inline constexpr const char* kPromptTokensMeta = "prompt_tokens";
/// kPharaohGold when the gold links are your own Pharaoh file (every word scored), else absent
/// (Strong's-number gold, content words only).
inline constexpr const char* kGoldMeta = "gold";
inline constexpr const char* kPharaohGold = "pharaoh";
/// Forced decoding by a built-in Transformer: log p(reference + </s> | source) in nats, the sum
/// over the target's tokens (what head ablation and importance change).
inline constexpr const char* kLogLikelihoodMeta = "reference_log_likelihood";
} // namespace translation

/// Image classification with channel / spatial attention (ImageClassifier::classify).
namespace image {
inline constexpr const char* kInput = "input";                  ///< [row, col] the normalised model input
inline constexpr const char* kProbabilities = "probabilities";  ///< [class]
inline constexpr const char* kPredictionMeta = "prediction";
inline constexpr const char* kConfidenceMeta = "confidence";
inline constexpr const char* kLabelMeta = "label";
inline constexpr const char* kBlockMeta = "block";    ///< none | SE | ECA | CBAM
inline constexpr const char* kImagesMeta = "images";  ///< class profiles: images averaged
/// Per block b = 0, 1, 2 (written 1-based): "block<b+1>.excitation" [channel], ".features"
/// [channel, row, col], ".spatial" [row, col] (CBAM), ".profile" / ".profile_std" [class, channel].
inline std::string blockTensor(int block, const char* part) { return "block" + std::to_string(block + 1) + "." + part; }
inline std::string excitation(int block) { return blockTensor(block, "excitation"); }
inline std::string features(int block) { return blockTensor(block, "features"); }
inline std::string spatial(int block) { return blockTensor(block, "spatial"); }
inline std::string profile(int block) { return blockTensor(block, "profile"); }
inline std::string profileStd(int block) { return blockTensor(block, "profile_std"); }
} // namespace image

/// Spatial transformers (StnClassifier::classify).
namespace stn {
inline constexpr const char* kInput = "input";    ///< [row, col] the canvas the model read
inline constexpr const char* kWarped = "warped";  ///< [row, col] 28×28, what the classifier saw
inline constexpr const char* kTheta = "theta";    ///< [row 2, col 3]
inline constexpr const char* kProbabilities = "probabilities";
inline constexpr const char* kThetaSourceMeta = "theta_source";  ///< network | manual
inline constexpr const char* kDistortionMeta = "distortion";
} // namespace stn

/// Captioning of scenes and clips (SceneCaptioner::caption, ClipCaptioner::caption).
namespace caption {
inline constexpr const char* kAttention = "attention";          ///< [word, region] or [word, frame]
inline constexpr const char* kSoftAttention = "soft_attention"; ///< [word, region] (hard modes)
inline constexpr const char* kGate = "gate";                    ///< [word] β_t
inline constexpr const char* kWordProbability = "word_probability";  ///< [word]
inline constexpr const char* kCoverage = "coverage";            ///< [region] or [frame]
inline constexpr const char* kInput = "input";                  ///< [row, col] the scene
inline constexpr const char* kCaptionMeta = "caption";
inline constexpr const char* kDecodingMeta = "decoding";        ///< greedy | beam N
inline constexpr const char* kAttentionMeta = "attention";      ///< soft | hard-argmax | hard-sample
inline constexpr const char* kLogProbabilityMeta = "log_probability";
inline constexpr const char* kFramesMeta = "frames";            ///< video frame indices, comma-separated
} // namespace caption

/// Vision models the user brings, ONNX or TorchScript (VisionModel::run). Channel gates use
/// the image names: image::excitation(b) [channel] and image::features(b) [channel, row, col].
namespace vision {
inline constexpr const char* kPicture = "picture";      ///< [row, col, channel] RGB 0–255, as the model saw it
inline constexpr const char* kAttention = "attention";  ///< [layer, head, query, key] over patches
inline constexpr const char* kCtc = "ctc";              ///< [step]: the best class's probability; labels: its character
inline constexpr const char* kTextMeta = "text";        ///< CTC greedy decoding
/// [class]: softmax of a classifier's logits (sidecar "classes"); labels: the class names.
inline constexpr const char* kClassProbability = "class_probability";
inline constexpr const char* kPredictionMeta = "prediction";  ///< the most probable class's name
inline constexpr const char* kPatchRowsMeta = "patch_rows";  ///< patch grid over the picture (0: none)
inline constexpr const char* kPatchColsMeta = "patch_cols";
inline constexpr const char* kClsMeta = "cls";               ///< "1": key 0 is a CLS token
inline constexpr const char* kInputSizeMeta = "input_size";  ///< "48×320" (H×W, padding included)
inline constexpr const char* kContentWidthMeta = "content_width";  ///< input columns holding the picture
inline constexpr const char* kFormatMeta = "format";         ///< onnx | torchscript
/// The graph node of channel gate b (0-based, written 1-based): "gate1", "gate2", …
inline std::string gateMeta(int gate) { return "gate" + std::to_string(gate + 1); }
/// A map over the picture (e.g. "map.text probability") [row, col].
inline std::string map(const std::string& name) { return "map." + name; }
inline constexpr const char* kMapPrefix = "map.";
} // namespace vision

} // namespace attnscope::schema
