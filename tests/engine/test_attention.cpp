// Stage 1 score functions, stage 2 normalisation, stage 3 context — against hand-computed values.
#include "attention/attention.h"
#include "attention/multihead.h"
#include "models/decode.h"
#include "models/transformer.h"

#include <QtTest>

#include <cmath>

using namespace attnscope;

namespace {
torch::Tensor t3(std::vector<float> v, int64_t a, int64_t b, int64_t c)
{
    return torch::tensor(v).reshape({a, b, c});
}
void expectClose(const torch::Tensor& got, std::vector<float> want, double tol = 1e-4)
{
    const auto flat = got.flatten().contiguous();
    QCOMPARE(flat.numel(), int64_t(want.size()));
    for (size_t i = 0; i < want.size(); ++i)
        QVERIFY2(std::abs(flat[int64_t(i)].item<float>() - want[i]) < tol,
                 qPrintable(QString("element %1: got %2, want %3").arg(i).arg(flat[int64_t(i)].item<float>()).arg(want[i])));
}
/// A 2 + 2-layer Transformer, 2 heads, d_model 16, random weights from `seed`, in eval mode.
TransformerNMT smallTransformer(uint64_t seed)
{
    torch::manual_seed(seed);
    TransformerConfig c;
    c.sourceVocab = 12;
    c.targetVocab = 10;
    c.dModel = 16;
    c.heads = 2;
    c.encoderLayers = c.decoderLayers = 2;
    c.feedForward = 32;
    TransformerNMT net(c);
    net->eval();
    return net;
}

} // namespace

class TestAttention : public QObject {
    Q_OBJECT
private slots:
    void dot()
    {
        // q = [1,2], k = [[3,4],[5,6]] → [1·3+2·4, 1·5+2·6] = [11, 17]
        expectClose(dotScore(t3({1, 2}, 1, 1, 2), t3({3, 4, 5, 6}, 1, 2, 2)), {11, 17});
    }
    void scaledDot()
    {
        // ÷ √2
        expectClose(scaledDotScore(t3({1, 2}, 1, 1, 2), t3({3, 4, 5, 6}, 1, 2, 2)), {7.778175f, 12.020815f});
    }
    void general()
    {
        // q W = [1,2]·diag(1,2) = [1,4]; · k → [3+16, 5+24]
        const auto W = torch::tensor({1.f, 0.f, 0.f, 2.f}).reshape({2, 2});
        expectClose(generalScore(t3({1, 2}, 1, 1, 2), t3({3, 4, 5, 6}, 1, 2, 2), W), {19, 29});
    }
    void additive()
    {
        // vᵀ tanh(W₁q + W₂k) with W₁ = W₂ = I, v = [1,1], q = [0.5,0]:
        // k₁ = [0.5,0] → tanh(1)+tanh(0) = 0.761594; k₂ = [0,1] → tanh(0.5)+tanh(1) = 1.223711
        const auto I = torch::eye(2);
        const auto v = torch::ones({2});
        expectClose(additiveScore(t3({0.5f, 0}, 1, 1, 2), t3({0.5f, 0, 0, 1}, 1, 2, 2), I, I, v), {0.761594f, 1.223711f});
    }
    void cosine()
    {
        expectClose(cosineScore(t3({2, 0}, 1, 1, 2), t3({1, 0, 0, 3, 1, 1}, 1, 3, 2)), {1, 0, 0.707107f});
    }
    void softmaxTemperature()
    {
        const auto e = t3({1, 2, 3}, 1, 1, 3);
        expectClose(softmaxWeights(e), {0.090031f, 0.244728f, 0.665241f});
        expectClose(softmaxWeights(e, {}, 2.0), {0.186324f, 0.307196f, 0.506480f});  // softmax([.5, 1, 1.5])
        QVERIFY_THROWS_EXCEPTION(c10::Error, softmaxWeights(e, {}, 0.0));
    }
    void softmaxMask()
    {
        const auto e = t3({1, 2, 3}, 1, 1, 3);
        const auto mask = torch::tensor({true, true, false}).reshape({1, 1, 3});
        expectClose(softmaxWeights(e, mask), {0.268941f, 0.731059f, 0});
        const auto none = torch::zeros({1, 1, 3}, torch::kBool);
        expectClose(softmaxWeights(e, none), {0, 0, 0});  // fully masked row: zeros, not NaN
    }
    void hard()
    {
        const auto e = t3({1, 3, 2}, 1, 1, 3);
        expectClose(hardWeights(e), {0, 1, 0});
        const auto mask = torch::tensor({true, false, true}).reshape({1, 1, 3});
        expectClose(hardWeights(e, mask), {0, 0, 1});
    }
    void context()
    {
        // 0.25·[1,2] + 0.75·[3,4] = [2.5, 3.5]
        expectClose(contextVector(t3({0.25f, 0.75f}, 1, 1, 2), t3({1, 2, 3, 4}, 1, 2, 2)), {2.5f, 3.5f});
    }
    void layerShapesAndRowsSumToOne()
    {
        torch::manual_seed(0);
        for (auto f : {ScoreFunction::Dot, ScoreFunction::ScaledDot, ScoreFunction::General, ScoreFunction::Additive,
                       ScoreFunction::Cosine}) {
            AttentionLayer layer(f, 8, 12, 6);
            const auto q = torch::randn({2, 3, 8}), k = torch::randn({2, 5, 12});
            const auto s = layer->scores(q, layer->prepareKeys(k));
            QCOMPARE(s.sizes().vec(), (std::vector<int64_t>{2, 3, 5}));
            const auto w = softmaxWeights(s);
            QVERIFY(torch::allclose(w.sum(-1), torch::ones({2, 3})));
            ScoreFunction back;
            QVERIFY(parseScore(scoreName(f), back) && back == f);
        }
    }
    void multiHeadTwoHeadsByHand()
    {
        // d_model 2, 2 heads (d_k 1), all projections the identity without bias.
        // X = [[1,0],[0,1]]. Head 0 sees dim 0: scores [[1,0],[0,0]] → rows
        // [σ, 1−σ], [.5,.5] with σ = e/(e+1) = 0.731059; head 1 sees dim 1: rows [.5,.5], [1−σ, σ].
        MultiHeadAttention mha(2, 2);
        torch::NoGradGuard ng;
        for (auto* l : {&mha->wq, &mha->wk, &mha->wv, &mha->wo}) {
            (*l)->weight.copy_(torch::eye(2));
            (*l)->bias.zero_();
        }
        const auto x = t3({1, 0, 0, 1}, 1, 2, 2);
        auto [out, w] = mha->forward(x, x, x);
        QCOMPARE(w.sizes().vec(), (std::vector<int64_t>{1, 2, 2, 2}));
        const float s = 0.731059f;
        expectClose(w, {s, 1 - s, 0.5f, 0.5f, /* head 1 */ 0.5f, 0.5f, 1 - s, s});
        // out = [head0 · v_dim0, head1 · v_dim1] per token
        expectClose(out, {s, 0.5f, 0.5f, s});
    }
    void normLensByHand()
    {
        // Kobayashi et al. 2020, eq. 5: ‖f_h(x_j)‖, f_h(x) = (x W^V + b^V)_h W^O_h, by hand for
        // d_model 4, 2 heads (d_k 2), random weights; the output projection's bias is not in it.
        torch::manual_seed(7);
        MultiHeadAttention mha(4, 2);
        torch::NoGradGuard ng;
        const auto x = torch::randn({1, 3, 4});
        const auto norms = mha->valueNorms(x);
        QCOMPARE(norms.sizes().vec(), (std::vector<int64_t>{1, 2, 3}));
        const auto Wv = mha->wv->weight, bv = mha->wv->bias, Wo = mha->wo->weight;  // y = x Wᵀ + b
        for (int64_t h = 0; h < 2; ++h)
            for (int64_t j = 0; j < 3; ++j) {
                std::vector<double> f(4, 0.0);
                for (int64_t o = 0; o < 4; ++o)
                    for (int64_t c = 2 * h; c < 2 * h + 2; ++c) {
                        double v = bv[c].item<double>();
                        for (int64_t i = 0; i < 4; ++i) v += x[0][j][i].item<double>() * Wv[c][i].item<double>();
                        f[size_t(o)] += v * Wo[o][c].item<double>();
                    }
                double n = 0;
                for (double y : f) n += y * y;
                QVERIFY(std::abs(std::sqrt(n) - norms[0][h][j].item<double>()) < 1e-5);
            }
        // W^V = 0 and b^V = 0: the lens is 0 whatever the weights α are.
        mha->wv->weight.zero_();
        mha->wv->bias.zero_();
        QCOMPARE(mha->valueNorms(x).abs().max().item<float>(), 0.0f);
    }
    void altiByHand()
    {
        // Ferrando et al. 2022, eq. 9–12 on one block: T_i(x_j) = Σ_h α^h_ij f_h(x_j) + [i = j] x_i,
        // y_i = Σ_j T_i(x_j) + b^O, c_ij ∝ max(0, ‖y_i‖₁ − ‖y_i − T_i(x_j)‖₁), computed by hand.
        torch::manual_seed(11);
        MultiHeadAttention mha(4, 2);
        torch::NoGradGuard ng;
        const auto x = torch::randn({1, 3, 4});
        const auto alpha = torch::softmax(torch::randn({1, 2, 3, 3}), -1);
        const auto f = mha->transformedValues(x);  // [1, 2, 3, 4]
        QCOMPARE(f.sizes().vec(), (std::vector<int64_t>{1, 2, 3, 4}));
        QVERIFY(torch::allclose(f.norm(2, -1), mha->valueNorms(x)));
        const auto c = altiContributions(alpha, f, x, mha->wo->bias);
        QCOMPARE(c.sizes().vec(), (std::vector<int64_t>{1, 3, 3}));
        for (int64_t i = 0; i < 3; ++i) {
            std::vector<std::vector<double>> T(3, std::vector<double>(4, 0.0));
            std::vector<double> y(4, 0.0);
            for (int64_t j = 0; j < 3; ++j)
                for (int64_t o = 0; o < 4; ++o) {
                    double v = i == j ? x[0][i][o].item<double>() : 0.0;
                    for (int64_t h = 0; h < 2; ++h) v += alpha[0][h][i][j].item<double>() * f[0][h][j][o].item<double>();
                    T[size_t(j)][size_t(o)] = v;
                    y[size_t(o)] += v;
                }
            for (int64_t o = 0; o < 4; ++o) y[size_t(o)] += mha->wo->bias[o].item<double>();
            double yNorm = 0;
            for (double v : y) yNorm += std::abs(v);
            std::vector<double> raw(3, 0.0);
            double total = 0;
            for (int64_t j = 0; j < 3; ++j) {
                double d = 0;
                for (int64_t o = 0; o < 4; ++o) d += std::abs(y[size_t(o)] - T[size_t(j)][size_t(o)]);
                raw[size_t(j)] = std::max(0.0, yNorm - d);
                total += raw[size_t(j)];
            }
            double rowSum = 0;
            for (int64_t j = 0; j < 3; ++j) {
                QVERIFY(std::abs(c[0][i][j].item<double>() - raw[size_t(j)] / total) < 1e-5);
                rowSum += c[0][i][j].item<double>();
            }
            QVERIFY(std::abs(rowSum - 1.0) < 1e-5);  // ALTI rows sum to 1
        }
        // With W^V = 0 and b^V = 0 nothing moves between tokens: only the residual is left, so
        // ALTI is the identity whatever α is.
        mha->wv->weight.zero_();
        mha->wv->bias.zero_();
        const auto id = altiContributions(alpha, mha->transformedValues(x), x, torch::Tensor());
        QVERIFY(torch::allclose(id[0], torch::eye(3), 1e-6, 1e-6));
    }
    void decoderMaskIsCausal()
    {
        torch::manual_seed(3);
        MultiHeadAttention mha(8, 4);
        const auto x = torch::randn({2, 5, 8});
        auto [out, w] = mha->forward(x, x, x, causalMask(5));
        const auto above = torch::ones({5, 5}, torch::kBool).triu(1);
        QVERIFY(w.masked_select(above.view({1, 1, 5, 5}).expand_as(w)).abs().max().item<float>() == 0.0f);
        QVERIFY(torch::allclose(w.sum(-1), torch::ones({2, 4, 5})));
        QVERIFY_THROWS_EXCEPTION(c10::Error, MultiHeadAttention(10, 4));
    }
    void transformerStepDecodingMatchesFullDecoding()
    {
        // Greedy decoding with the key/value cache must give the logits of re-running the
        // decoder over the whole prefix (eval mode, causal mask).
        TransformerNMT net = smallTransformer(11);
        torch::NoGradGuard ng;
        const auto src = torch::tensor({{4, 5, 6, 7, 3}}, torch::kInt64);
        torch::Tensor mask;
        const auto memory = net->encode(src, mask, nullptr);
        const std::vector<int64_t> prefix{2, 6, 8, 4, 9};
        DecoderCache cache;
        for (size_t t = 0; t < prefix.size(); ++t) {
            const auto step = net->decodeStep(memory, mask, torch::tensor({prefix[t]}, torch::kInt64), cache);
            const auto in = torch::tensor(std::vector<int64_t>(prefix.begin(), prefix.begin() + long(t) + 1), torch::kInt64).unsqueeze(0);
            const auto full = net->decode(memory, mask, in, nullptr).select(1, -1);
            QVERIFY2(torch::allclose(step, full, 1e-4, 1e-5), qPrintable(QString("step %1").arg(t)));
        }
        QCOMPARE(cache.selfK[0].size(2), int64_t(prefix.size()));
    }
    void gradLensAgainstFiniteDifferences()
    {
        // The grad lens α ⊙ ∂ log p/∂α, summed over a head's row (last decoder layer: row t only
        // reaches position t) or over the whole head (encoder: the whole reference), is the
        // derivative of log p along a gate ξ scaling that head (Michel et al. 2019, eq. 2):
        // checked against central finite differences of the gate.
        TransformerNMT net = smallTransformer(5);
        const auto src = torch::tensor({{4, 5, 6, 7, 3}}, torch::kInt64);
        const auto in = torch::tensor({{2, 6, 8, 4}}, torch::kInt64);
        const std::vector<int64_t> next{6, 8, 4, 3};
        const GradientLens g = gradientLens(net, src, in, next);
        QCOMPARE(g.cross.sizes().vec(), (std::vector<int64_t>{2, 2, 4, 5}));
        QCOMPARE(g.decoderSelf.sizes().vec(), (std::vector<int64_t>{2, 2, 4, 4}));
        QCOMPARE(g.encoderSelf.sizes().vec(), (std::vector<int64_t>{2, 2, 5, 5}));
        torch::NoGradGuard ng;
        // log p(next_t) (t < 0: the sum) with gate ξ on head h of layer l of `kind`.
        const auto logp = [&](const char* kind, int64_t l, int64_t h, double xi, int64_t t) {
            std::map<std::string, torch::Tensor> gates;
            for (const char* k : {"encoder_self", "decoder_self", "cross_attention"}) gates[k] = torch::ones({2, 2});
            gates[kind][l][h] = xi;
            net->setGates(gates);
            const auto lp = torch::log_softmax(net->forward(src, in)[0], -1).gather(1, torch::tensor(next).unsqueeze(1)).squeeze(1);
            net->setGates({});
            return t < 0 ? lp.sum().item<double>() : lp[t].item<double>();
        };
        const double eps = 1e-2;
        for (int64_t h = 0; h < 2; ++h) {
            for (int64_t t = 0; t < 4; ++t) {
                const double fd = (logp("cross_attention", 1, h, 1 + eps, t) - logp("cross_attention", 1, h, 1 - eps, t)) / (2 * eps);
                const double lens = g.cross[1][h][t].sum().item<double>();
                QVERIFY2(std::abs(lens - fd) < 2e-3 + 0.03 * std::abs(fd), qPrintable(QString("cross h%1 t%2: %3 vs %4").arg(h).arg(t).arg(lens).arg(fd)));
            }
            const double fd = (logp("encoder_self", 0, h, 1 + eps, -1) - logp("encoder_self", 0, h, 1 - eps, -1)) / (2 * eps);
            const double lens = g.encoderSelf[0][h].sum().item<double>();
            QVERIFY2(std::abs(lens - fd) < 2e-3 + 0.03 * std::abs(fd), qPrintable(QString("encoder h%1: %2 vs %3").arg(h).arg(lens).arg(fd)));
        }
    }
};

QTEST_GUILESS_MAIN(TestAttention)
#include "test_attention.moc"
