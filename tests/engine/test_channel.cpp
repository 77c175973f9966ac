// SE, ECA and CBAM blocks against small cases computed by hand (plain C++, not torch), the
// CNN's shapes, and its weights file.
#include "attention/channel.h"
#include "models/cnn.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace attnscope;

namespace {
double sig(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// U [1, C, 2, 2] with U[c][i] = (c + 1) * (i + 1) / 10 (i = row-major position).
torch::Tensor sampleU(int C)
{
    auto u = torch::zeros({1, C, 2, 2});
    for (int c = 0; c < C; ++c)
        for (int i = 0; i < 4; ++i) u[0][c][i / 2][i % 2] = (c + 1) * (i + 1) / 10.0;
    return u;
}
double uAt(int c, int i) { return (c + 1) * (i + 1) / 10.0; }
double uMean(int c) { return (c + 1) * 2.5 / 10.0; }  // mean of (c+1)·{1,2,3,4}/10
double uMax(int c) { return (c + 1) * 4 / 10.0; }
} // namespace

class TestChannel : public QObject {
    Q_OBJECT
private slots:
    void squeezeExcitation()
    {
        // C = 4, r = 2: W1 [2×4], W2 [4×2], chosen so the numbers are easy to follow.
        AttentionBlock se(BlockKind::SE, 4, 2);
        torch::NoGradGuard ng;
        se->fc1->weight.copy_(torch::tensor({{1.0f, 0.0f, 0.0f, 0.0f}, {0.0f, 0.0f, 1.0f, -1.0f}}));
        se->fc1->bias.copy_(torch::tensor({0.0f, 0.1f}));
        se->fc2->weight.copy_(torch::tensor({{1.0f, 0.0f}, {-1.0f, 0.0f}, {0.0f, 2.0f}, {0.5f, 0.5f}}));
        se->fc2->bias.copy_(torch::tensor({0.0f, 0.0f, -0.5f, 0.2f}));
        const auto out = se->forward(sampleU(4));
        // z = GAP(U); h = ReLU(W1 z + b1); s = σ(W2 h + b2)   (Hu et al. 2018, eqs. 2–3)
        const double z[4] = {uMean(0), uMean(1), uMean(2), uMean(3)};
        const double h0 = std::max(0.0, z[0]), h1 = std::max(0.0, z[2] - z[3] + 0.1);
        const double s[4] = {sig(h0), sig(-h0), sig(2 * h1 - 0.5), sig(0.5 * h0 + 0.5 * h1 + 0.2)};
        QCOMPARE(out.excitation.sizes(), (torch::IntArrayRef{1, 4}));
        QVERIFY(!out.spatial.defined());
        for (int c = 0; c < 4; ++c) {
            QVERIFY(std::abs(out.excitation[0][c].item<double>() - s[c]) < 1e-6);
            for (int i = 0; i < 4; ++i)  // out = s_c · U_c   (eq. 4)
                QVERIFY(std::abs(out.out[0][c][i / 2][i % 2].item<double>() - s[c] * uAt(c, i)) < 1e-6);
        }
    }
    void ecaKernelSizeIsAdaptive()
    {
        // ψ(C) = |log2(C)/2 + 1/2|_odd (Wang et al. 2020, eq. 12)
        QCOMPARE(ecaKernelSize(8), 3);
        QCOMPARE(ecaKernelSize(32), 3);
        QCOMPARE(ecaKernelSize(64), 3);
        QCOMPARE(ecaKernelSize(128), 5);
        QCOMPARE(ecaKernelSize(256), 5);
        QCOMPARE(ecaKernelSize(4), 1);
    }
    void efficientChannelAttention()
    {
        AttentionBlock eca(BlockKind::ECA, 8);  // k = 3
        torch::NoGradGuard ng;
        QCOMPARE(eca->conv1d->weight.sizes(), (torch::IntArrayRef{1, 1, 3}));
        const double w[3] = {0.5, -1.0, 2.0};
        eca->conv1d->weight.copy_(torch::tensor({w[0], w[1], w[2]}).view({1, 1, 3}));
        const auto out = eca->forward(sampleU(8));
        for (int c = 0; c < 8; ++c) {
            // ω_c = σ(Σ_j w_j y_{c+j−1}), zero-padded at both ends
            const double left = c > 0 ? uMean(c - 1) : 0.0, right = c < 7 ? uMean(c + 1) : 0.0;
            const double expect = sig(w[0] * left + w[1] * uMean(c) + w[2] * right);
            QVERIFY2(std::abs(out.excitation[0][c].item<double>() - expect) < 1e-6, qPrintable(QString::number(c)));
            QVERIFY(std::abs(out.out[0][c][1][1].item<double>() - expect * uAt(c, 3)) < 1e-6);
        }
    }
    void convolutionalBlockAttention()
    {
        AttentionBlock cbam(BlockKind::CBAM, 2, 2);  // hidden 1
        torch::NoGradGuard ng;
        cbam->fc1->weight.copy_(torch::tensor({{1.0f, -1.0f}}));
        cbam->fc1->bias.copy_(torch::tensor({0.2f}));
        cbam->fc2->weight.copy_(torch::tensor({{1.0f}, {-2.0f}}));
        cbam->fc2->bias.copy_(torch::tensor({0.0f, 0.1f}));
        // Spatial 7×7 kernel: only the centre taps, 1.0 on the channel mean and 0.5 on the max.
        cbam->spatialConv->weight.zero_();
        cbam->spatialConv->weight[0][0][3][3] = 1.0;
        cbam->spatialConv->weight[0][1][3][3] = 0.5;
        // U: channel 0 = {1,2,3,4}/10·1, channel 1 = {1,2,3,4}/10·2, but make channel 0 larger
        // than channel 1 somewhere so the MLP's ReLU is exercised both ways.
        auto u = sampleU(2);
        u[0][0][0][0] = 0.9;
        const auto out = cbam->forward(u);
        double U[2][4];
        for (int c = 0; c < 2; ++c)
            for (int i = 0; i < 4; ++i) U[c][i] = u[0][c][i / 2][i % 2].item<double>();
        auto mlp = [](double a, double b, int k) {
            const double h = std::max(0.0, a - b + 0.2);
            return k == 0 ? h : -2 * h + 0.1;
        };
        double avg[2], mx[2], mc[2];
        for (int c = 0; c < 2; ++c) {
            avg[c] = (U[c][0] + U[c][1] + U[c][2] + U[c][3]) / 4;
            mx[c] = std::max({U[c][0], U[c][1], U[c][2], U[c][3]});
        }
        for (int c = 0; c < 2; ++c) {  // M_c = σ(MLP(avg) + MLP(max))   (Woo et al. 2018, eq. 2)
            mc[c] = sig(mlp(avg[0], avg[1], c) + mlp(mx[0], mx[1], c));
            QVERIFY(std::abs(out.excitation[0][c].item<double>() - mc[c]) < 1e-6);
        }
        QCOMPARE(out.spatial.sizes(), (torch::IntArrayRef{1, 2, 2}));
        for (int i = 0; i < 4; ++i) {
            const double a = mc[0] * U[0][i], b = mc[1] * U[1][i];
            const double ms = sig(1.0 * (a + b) / 2 + 0.5 * std::max(a, b));  // eq. 3 with centre taps
            QVERIFY(std::abs(out.spatial[0][i / 2][i % 2].item<double>() - ms) < 1e-6);
            QVERIFY(std::abs(out.out[0][0][i / 2][i % 2].item<double>() - ms * a) < 1e-6);
            QVERIFY(std::abs(out.out[0][1][i / 2][i % 2].item<double>() - ms * b) < 1e-6);
        }
    }
    void noBlockIsIdentity()
    {
        AttentionBlock none(BlockKind::None, 3);
        const auto u = sampleU(3);
        const auto out = none->forward(u);
        QVERIFY(out.out.equal(u));
        QVERIFY(out.excitation.equal(torch::ones({1, 3})));
        QCOMPARE(int(none->parameters().size()), 0);
    }
    void cnnShapesAndAttention()
    {
        for (BlockKind k : {BlockKind::None, BlockKind::SE, BlockKind::ECA, BlockKind::CBAM}) {
            CnnConfig c;
            c.block = k;
            AttnCnn net(c);
            net->eval();
            CnnAttention att;
            torch::NoGradGuard ng;
            const auto logits = net->forward(torch::randn({2, 1, 28, 28}), &att);
            QCOMPARE(logits.sizes(), (torch::IntArrayRef{2, 10}));
            QCOMPARE(int(att.features.size()), 3);
            const int64_t sides[3] = {28, 14, 7}, chans[3] = {32, 64, 128};
            for (int b = 0; b < 3; ++b) {
                QCOMPARE(att.features[size_t(b)].sizes(), (torch::IntArrayRef{2, chans[b], sides[b], sides[b]}));
                QCOMPARE(att.excitation[size_t(b)].sizes(), (torch::IntArrayRef{2, chans[b]}));
                QCOMPARE(att.spatial[size_t(b)].defined(), k == BlockKind::CBAM);
                QVERIFY(att.excitation[size_t(b)].min().item<float>() > 0.0f);
                QVERIFY(att.excitation[size_t(b)].max().item<float>() <= 1.0f);
            }
        }
    }
    void weightsRoundTripInHalfPrecision()
    {
        QTemporaryDir dir;
        CnnConfig c;
        c.block = BlockKind::CBAM;
        AttnCnn net(c);
        net->eval();
        const QString path = dir.filePath("cbam.pt");
        saveCnn(net, path.toStdString(), true);
        AttnCnn back = loadCnn(path.toStdString());
        QCOMPARE(int(back->config().block), int(BlockKind::CBAM));
        torch::NoGradGuard ng;
        const auto x = torch::randn({1, 1, 28, 28});
        QVERIFY(torch::allclose(net->forward(x), back->forward(x), 1e-2, 1e-2));
        QFile junk(dir.filePath("junk.pt"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a torch archive");
        junk.close();
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, loadCnn(junk.fileName().toStdString()));
    }
};

QTEST_GUILESS_MAIN(TestChannel)
#include "test_channel.moc"
