// Spatial Transformer pieces: the sampler against OpenCV's warpAffine, θ decomposition and
// three-point solving, the distortion generators, and the shipped ST-CNN against the plain
// CNN on a fixed RTS test subset.
#include "attnscope/stn.h"

#include <opencv2/imgproc.hpp>

#include <QtTest>

#include <cmath>
#include <random>

using namespace attnscope;

namespace {
GreyImage testImage(const FashionMnist& set, int index)
{
    GreyImage g{28, 28, {}};
    for (int i = 0; i < 784; ++i) g.pixels.push_back(set.images.image(index)[i] / 255.0f);
    return g;
}
} // namespace

class TestStn : public QObject {
    Q_OBJECT
    FashionMnist test_;

private slots:
    void initTestCase() { QVERIFY(loadFashionMnist(false, test_).ok); }

    void identityReproducesTheInput()
    {
        const GreyImage in = testImage(test_, 0);
        for (bool bilinear : {true, false}) {
            const GreyImage out = sampleAffine(in, kIdentityTheta, 28, 28, bilinear);
            for (size_t i = 0; i < in.pixels.size(); ++i) QVERIFY(std::abs(out.pixels[i] - in.pixels[i]) < 1e-6f);
        }
    }

    void rotationMatchesOpenCvWarpAffine()
    {
        const GreyImage in = testImage(test_, 1);
        const double deg = 30.0, a = deg * M_PI / 180.0;
        // θ rotates normalised output coordinates into the input; on a square image that is
        // the same rotation in pixels about the centre c: p_s = R (p_t − c) + c.
        const Theta theta{std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a), 0};
        const GreyImage ours = sampleAffine(in, theta, 28, 28, true);
        const double c = 13.5;
        cv::Mat M = (cv::Mat_<double>(2, 3) << std::cos(a), -std::sin(a), c - (std::cos(a) * c - std::sin(a) * c),  //
                     std::sin(a), std::cos(a), c - (std::sin(a) * c + std::cos(a) * c));
        cv::Mat src(28, 28, CV_32F, const_cast<float*>(in.pixels.data())), dst;
        cv::warpAffine(src, dst, M, cv::Size(28, 28), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT, 0);
        double sum = 0, worst = 0;
        for (int y = 0; y < 28; ++y)
            for (int x = 0; x < 28; ++x) {
                const double d = std::abs(double(dst.at<float>(y, x)) - ours.at(x, y));
                sum += d;
                worst = std::max(worst, d);
            }
        qInfo("mean |ours − warpAffine| %.5f, max %.5f", sum / 784, worst);
        QVERIFY(sum / 784 < 0.005);  // OpenCV interpolates with 5-bit fixed-point weights
        QVERIFY(worst < 0.05);
        // Nearest sampling only ever returns input values.
        const GreyImage nearest = sampleAffine(in, theta, 28, 28, false);
        for (float v : nearest.pixels)
            QVERIFY(v == 0.0f || std::find(in.pixels.begin(), in.pixels.end(), v) != in.pixels.end());
    }

    void thetaDecompositionRoundTrips()
    {
        std::mt19937 rng(3);
        std::uniform_real_distribution<double> u(-1, 1);
        for (int k = 0; k < 200; ++k) {
            ThetaParts p;
            p.rotation = 170 * u(rng);
            p.scaleX = 0.3 + std::abs(u(rng));
            p.scaleY = (u(rng) < 0 ? -1 : 1) * (0.3 + std::abs(u(rng)));
            p.shear = u(rng);
            p.tx = u(rng);
            p.ty = u(rng);
            const ThetaParts q = decomposeTheta(composeTheta(p));
            QVERIFY(std::abs(q.rotation - p.rotation) < 1e-9 && std::abs(q.scaleX - p.scaleX) < 1e-9);
            QVERIFY(std::abs(q.scaleY - p.scaleY) < 1e-9 && std::abs(q.shear - p.shear) < 1e-9);
            QVERIFY(std::abs(q.tx - p.tx) < 1e-12 && std::abs(q.ty - p.ty) < 1e-12);
            Theta t;
            for (auto& v : t) v = u(rng);
            const Theta back = composeTheta(decomposeTheta(t));
            for (size_t i = 0; i < 6; ++i) QVERIFY(std::abs(back[i] - t[i]) < 1e-9);
        }
        const ThetaParts id = decomposeTheta(kIdentityTheta);
        QCOMPARE(id.rotation, 0.0);
        QCOMPARE(id.scaleX, 1.0);
        QCOMPARE(id.scaleY, 1.0);
    }

    void thetaFromThreePoints()
    {
        const Theta t{0.8, -0.3, 0.1, 0.25, 0.9, -0.2};
        std::array<std::array<double, 2>, 3> out{{{-1, -1}, {1, 1}, {1, -1}}}, in{};
        for (size_t k = 0; k < 3; ++k)
            in[k] = {t[0] * out[k][0] + t[1] * out[k][1] + t[2], t[3] * out[k][0] + t[4] * out[k][1] + t[5]};
        Theta solved;
        QVERIFY(thetaFromPoints(out, in, solved));
        for (size_t i = 0; i < 6; ++i) QVERIFY(std::abs(solved[i] - t[i]) < 1e-12);
        std::array<std::array<double, 2>, 3> collinear{{{0, 0}, {1, 1}, {2, 2}}};
        QVERIFY(!thetaFromPoints(collinear, in, solved));
    }

    void distortionsAreDeterministicAndSized()
    {
        for (Distortion d : {Distortion::R, Distortion::RTS, Distortion::Cluttered}) {
            const GreyImage a = distortedTestSample(test_, 5, d), b = distortedTestSample(test_, 5, d);
            QCOMPARE(a.width, canvasSize(d));
            QCOMPARE(a.height, canvasSize(d));
            QVERIFY(a.pixels == b.pixels);
            QVERIFY(*std::max_element(a.pixels.begin(), a.pixels.end()) > 0.5f);
            QVERIFY(distortedSample(test_, 5, d, 1).pixels != distortedSample(test_, 5, d, 2).pixels);
        }
        // A user distortion with no rotation, scale 1 and no shift on a 28 canvas is the item.
        const GreyImage item = testImage(test_, 0);
        const GreyImage same = distortImage(item, 0, 1, 0, 0, 28);
        for (size_t i = 0; i < item.pixels.size(); ++i) QVERIFY(std::abs(same.pixels[i] - item.pixels[i]) < 1e-5f);
        QCOMPARE(distortImage(item, 30, 0.8, 5, -5, 60).width, 60);
    }

    void shippedStnBeatsThePlainCnnOnRts()
    {
        StnClassifier stn, cnn;
        auto st = stn.load("fmnist-stn-rts");
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(cnn.load("fmnist-cnn-rts").ok);
        QVERIFY(stn.hasTransformer());
        QVERIFY(!cnn.hasTransformer());
        double eStn = 0, eCnn = 0;
        QVERIFY(stn.testError(test_, 1000, eStn).ok);
        QVERIFY(cnn.testError(test_, 1000, eCnn).ok);
        qInfo("RTS test images 0–999: ST-CNN error %.1f%%, CNN error %.1f%%", 100 * eStn, 100 * eCnn);
        QVERIFY(eStn < eCnn);
        // The trace holds θ, the warped input and a manual θ is honoured.
        AttentionTrace t;
        const GreyImage scene = distortedTestSample(test_, 3, Distortion::RTS);
        QVERIFY(stn.classify(scene, t).ok);
        QVERIFY(t.find("theta") && t.find("warped") && t.find("input"));
        QCOMPARE(t.find("warped")->shape, (std::vector<int64_t>{28, 28}));
        const Theta zoom{0.5, 0, 0, 0, 0.5, 0};
        QVERIFY(stn.classify(scene, t, &zoom).ok);
        QCOMPARE(t.meta("theta_source"), std::string("manual"));
        QCOMPARE(double(t.find("theta")->values[0]), 0.5);
        // The warped tensor equals our own sampler with the same θ (torch's grid_sample and
        // sampleAffine follow the same convention).
        const GreyImage ours = sampleAffine(scene, zoom, 28, 28, true);
        double diff = 0;
        for (size_t i = 0; i < ours.pixels.size(); ++i) diff = std::max(diff, double(std::abs(ours.pixels[i] - t.find("warped")->values[i])));
        QVERIFY2(diff < 1e-4, qPrintable(QString::number(diff)));
    }
};

QTEST_GUILESS_MAIN(TestStn)
#include "test_stn.moc"
