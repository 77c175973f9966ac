#pragma once
// A loaded translation model: one network (GRU seq2seq or Transformer) + vocabularies,
// and its weights file. Internal engine header (includes torch).
#include "models/seq2seq.h"
#include "models/transformer.h"
#include "models/vocab.h"

#include <string>

namespace attnscope {

struct ModelBundle {
    Seq2Seq gru{nullptr};                 ///< set for RNN models
    TransformerNMT transformer{nullptr};  ///< set for Transformer models
    Vocab source, target;
    std::string name;
    /// Forced decoding adds the gradient lens (gradientLens): one backward pass per target token.
    bool gradLens = false;
    /// Decoding records the lenses that need no request: the norm lens, ALTI and those derived
    /// from them (addDerivedLenses). Off: the attention alone (the lenses' cost baseline).
    bool lenses = true;

    bool isTransformer() const { return !transformer.is_empty(); }
    torch::nn::Module& module() { return isTransformer() ? *transformer : static_cast<torch::nn::Module&>(*gru); }
    std::string scoreFunction() const;  ///< "additive", ..., "scaled-dot" for the Transformer
};

/// Weights file: a torch archive with every parameter (float16 when `half`), the two
/// vocabularies as UTF-8 byte tensors and the configuration as an int64 "format" tensor:
///   GRU:          {1, srcV, tgtV, embedding, hidden, score}
///   Transformer:  {2, srcV, tgtV, d_model, heads, encoderLayers, decoderLayers, feedForward,
///                  alignLayer, alignHead}
void saveBundle(ModelBundle& b, const std::string& path, bool half);
/// Throws std::runtime_error with a readable message on a missing or corrupt file.
ModelBundle loadBundle(const std::string& path);

torch::Tensor bytesTensor(const std::string& s);
std::string tensorBytes(const torch::Tensor& t);

} // namespace attnscope
