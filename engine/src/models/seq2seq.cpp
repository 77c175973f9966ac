#include "models/seq2seq.h"

namespace attnscope {

namespace rnn = torch::nn::utils::rnn;

Seq2SeqImpl::Seq2SeqImpl(const Seq2SeqConfig& cfg) : cfg_(cfg)
{
    const int64_t E = cfg.embedding, H = cfg.hidden;
    srcEmb_ = register_module("srcEmb", torch::nn::Embedding(torch::nn::EmbeddingOptions(cfg.sourceVocab, E).padding_idx(0)));
    tgtEmb_ = register_module("tgtEmb", torch::nn::Embedding(torch::nn::EmbeddingOptions(cfg.targetVocab, E).padding_idx(0)));
    encoder_ = register_module("encoder", torch::nn::GRU(torch::nn::GRUOptions(E, H).bidirectional(true).batch_first(true)));
    bridge_ = register_module("bridge", torch::nn::Linear(H, H));
    attention_ = register_module("attention", AttentionLayer(cfg.score, H, 2 * H, H));
    cell_ = register_module("cell", torch::nn::GRUCell(E + 2 * H, H));
    preOut_ = register_module("preOut", torch::nn::Linear(H + 2 * H + E, H));
    out_ = register_module("out", torch::nn::Linear(H, cfg.targetVocab));
    drop_ = register_module("drop", torch::nn::Dropout(cfg.dropout));
}

EncoderState Seq2SeqImpl::encode(const torch::Tensor& src, const torch::Tensor& lengths)
{
    const auto emb = drop_(srcEmb_(src));
    auto packed = rnn::pack_padded_sequence(emb, lengths, /*batch_first=*/true, /*enforce_sorted=*/false);
    auto [outPacked, hn] = encoder_->forward_with_packed_input(packed);
    auto [annotations, lens] = rnn::pad_packed_sequence(outPacked, true, 0.0, src.size(1));
    EncoderState s;
    s.annotations = annotations;                                       // [B, S, 2H]
    s.keys = attention_->prepareKeys(annotations);                      // [B, S, h]
    s.mask = (src != Vocab::kPad).unsqueeze(1);                         // [B, 1, S]
    s.initial = torch::tanh(bridge_(hn[1]));                            // s_0 = tanh(W_s ←h_1)
    return s;
}

std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> Seq2SeqImpl::step(const EncoderState& enc,
                                                                        const torch::Tensor& prev,
                                                                        const torch::Tensor& state)
{
    const auto emb = drop_(tgtEmb_(prev));                                          // [B, E]
    const auto e = attention_->scores(state.unsqueeze(1), enc.keys);                // [B, 1, S]
    const auto alpha = softmaxWeights(e, enc.mask);                                  // [B, 1, S]
    const auto c = contextVector(alpha, enc.annotations).squeeze(1);                // [B, 2H]
    const auto s = cell_(torch::cat({emb, c}, 1), state);                           // [B, H]
    const auto o = torch::tanh(preOut_(torch::cat({s, c, emb}, 1)));
    return {out_(drop_(o)), s, alpha.squeeze(1)};
}

std::pair<torch::Tensor, torch::Tensor> Seq2SeqImpl::forward(const torch::Tensor& src, const torch::Tensor& lengths,
                                                             const torch::Tensor& tgtIn)
{
    const auto enc = encode(src, lengths);
    auto state = enc.initial;
    std::vector<torch::Tensor> outs, alphas;
    const auto emb = drop_(tgtEmb_(tgtIn));  // [B, T, E]
    for (int64_t t = 0; t < tgtIn.size(1); ++t) {
        const auto e = attention_->scores(state.unsqueeze(1), enc.keys);
        const auto alpha = softmaxWeights(e, enc.mask);
        const auto c = contextVector(alpha, enc.annotations).squeeze(1);
        const auto y = emb.select(1, t);
        state = cell_(torch::cat({y, c}, 1), state);
        outs.push_back(torch::tanh(preOut_(torch::cat({state, c, y}, 1))));
        alphas.push_back(alpha.squeeze(1));
    }
    const auto logits = out_(drop_(torch::stack(outs, 1)));  // [B, T, V]
    return {logits, torch::stack(alphas, 1)};
}

} // namespace attnscope
