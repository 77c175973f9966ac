// Fashion-MNIST IDX reader on the real files and on corrupt ones; image files of every
// awkward kind through prepareImageFile; the four shipped classifiers' accuracy on a fixed
// 1,000-image test subset; traces and class profiles; a few training steps with resume.
#include "attnscope/familiarity.h"
#include "attnscope/fmnist.h"
#include "attnscope/imagemodel.h"
#include "attnscope/pipelines.h"
#include "attnscope/train.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <zlib.h>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

using namespace attnscope;

namespace {
void writeBytes(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

QByteArray be32(uint32_t v)
{
    QByteArray b(4, 0);
    for (int i = 0; i < 4; ++i) b[i] = char((v >> (24 - 8 * i)) & 0xff);
    return b;
}

/// A PNG chunk with its CRC.
QByteArray chunk(const char* type, const QByteArray& data)
{
    QByteArray body = QByteArray(type, 4) + data;
    const uLong crc = crc32(0, reinterpret_cast<const Bytef*>(body.constData()), uInt(body.size()));
    return be32(uint32_t(data.size())) + body + be32(uint32_t(crc));
}

/// A PNG whose header says width × height (grey, 8 bit) with a tiny, truncated image body.
QByteArray pngHeaderOnly(uint32_t width, uint32_t height)
{
    QByteArray ihdr = be32(width) + be32(height);
    ihdr += char(8);  // bit depth
    ihdr += char(0);  // grey
    ihdr += QByteArray(3, 0);
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", QByteArray(16, 0)) + chunk("IEND", {});
}
} // namespace

class TestImageModel : public QObject {
    Q_OBJECT
    FashionMnist test_;
    QTemporaryDir dir_;

private slots:
    void initTestCase()
    {
        const auto st = loadFashionMnist(false, test_);
        QVERIFY2(st.ok, st.message.c_str());
    }

    void idxReaderOnTheRealFiles()
    {
        FashionMnist train;
        QVERIFY(loadFashionMnist(true, train).ok);
        QCOMPARE(train.images.count, 60000);
        QCOMPARE(test_.images.count, 10000);
        QCOMPARE(train.images.rows, 28);
        QCOMPARE(train.images.cols, 28);
        QCOMPARE(int(train.labels.size()), 60000);
        QCOMPARE(int(test_.labels.size()), 10000);
        std::vector<int> perClass(10, 0);
        for (uint8_t l : test_.labels) {
            QVERIFY(l <= 9);
            ++perClass[l];
        }
        for (int c : perClass) QCOMPARE(c, 1000);  // the test split is balanced
        QCOMPARE(int(test_.labels[0]), 9);           // the first test image is an ankle boot
        QCOMPARE(fashionMnistClasses()[9], std::string("Ankle boot"));
        const uint8_t* img = test_.images.image(0);
        QVERIFY(*std::max_element(img, img + 784) > 200);
        QCOMPARE(int(img[0]), 0);
    }

    void idxReaderRejectsCorruptFiles()
    {
        IdxImages images;
        std::vector<uint8_t> labels;
        const QString empty = dir_.filePath("empty.idx"), magic = dir_.filePath("magic.idx"),
                      huge = dir_.filePath("huge.idx"), trunc = dir_.filePath("trunc.idx"), extra = dir_.filePath("extra.idx");
        writeBytes(empty, {});
        writeBytes(magic, be32(0x1234) + be32(1) + be32(28) + be32(28));
        // Claims 4 billion 28×28 images but holds 10 bytes: must fail without allocating for the claim.
        writeBytes(huge, be32(0x803) + be32(0xffffffffu) + be32(28) + be32(28) + QByteArray(10, 1));
        writeBytes(trunc, be32(0x803) + be32(2) + be32(28) + be32(28) + QByteArray(784 + 100, 1));
        writeBytes(extra, be32(0x801) + be32(3) + QByteArray(5, 1));
        const auto e1 = readIdxImages(empty.toStdString(), images);
        QVERIFY(!e1.ok);
        const auto e2 = readIdxImages(magic.toStdString(), images);
        QVERIFY(!e2.ok && e2.message.find("magic") != std::string::npos);
        const auto e3 = readIdxImages(huge.toStdString(), images);
        QVERIFY2(!e3.ok, "a header claiming 4 billion images must be refused");
        const auto e4 = readIdxImages(trunc.toStdString(), images);
        QVERIFY(!e4.ok && e4.message.find("truncated") != std::string::npos);
        const auto e5 = readIdxLabels(extra.toStdString(), labels);
        QVERIFY(!e5.ok);
        QVERIFY(!readIdxImages(dir_.filePath("missing.idx").toStdString(), images).ok);
        // A correct small file reads back exactly (plain, not gzip: gzread reads both).
        const QString ok = dir_.filePath("ok.idx");
        QByteArray px;
        for (int i = 0; i < 2 * 3 * 4; ++i) px += char(i);
        writeBytes(ok, be32(0x803) + be32(2) + be32(3) + be32(4) + px);
        QVERIFY(readIdxImages(ok.toStdString(), images).ok);
        QCOMPARE(images.count, 2);
        QCOMPARE(images.rows, 3);
        QCOMPARE(int(images.image(1)[0]), 12);
    }

    void shippedModelsScoreOnFixedSubset()
    {
        // Issue requirement: every shipped classifier ≥ 91% on the first 1,000 test images.
        for (const char* name : {"fmnist-cnn", "fmnist-se", "fmnist-eca", "fmnist-cbam"}) {
            ImageClassifier m;
            const auto st = m.load(name);
            QVERIFY2(st.ok, st.message.c_str());
            double acc = 0;
            QVERIFY(m.accuracy(test_, 1000, acc).ok);
            qInfo("%s: %.1f%% on test images 0–999", name, 100 * acc);
            QVERIFY2(acc >= 0.91, name);
        }
    }

    void traceHoldsWhatTheViewsNeed()
    {
        ImageClassifier m;
        QVERIFY(m.load("fmnist-cbam").ok);
        QCOMPARE(m.blockKind(), std::string("CBAM"));
        PreparedImage img;
        QVERIFY(prepareFashionMnist(test_, 0, "test", img).ok);
        AttentionTrace t;
        QVERIFY(m.classify(img, t).ok);
        QVERIFY(t.validate().ok);
        QCOMPARE(t.meta("prediction"), std::string("Ankle boot"));
        QCOMPARE(t.meta("label"), std::string("Ankle boot"));
        const TraceTensor* p = t.find("probabilities");
        QVERIFY(p);
        QVERIFY(std::abs(std::accumulate(p->values.begin(), p->values.end(), 0.0) - 1.0) < 1e-5);
        const TraceTensor* in = t.find("input");
        QVERIFY(in && in->shape == (std::vector<int64_t>{28, 28}));
        QVERIFY(std::abs(in->values[0] - (0.0f - 0.2860f) / 0.3530f) < 1e-5);  // normalised background
        const int chans[3] = {32, 64, 128}, sides[3] = {28, 14, 7};
        for (int b = 0; b < 3; ++b) {
            const std::string n = "block" + std::to_string(b + 1);
            const TraceTensor* e = t.find(n + ".excitation");
            const TraceTensor* f = t.find(n + ".features");
            const TraceTensor* s = t.find(n + ".spatial");
            QVERIFY(e && f && s);
            QCOMPARE(e->shape, (std::vector<int64_t>{chans[b]}));
            QCOMPARE(f->shape, (std::vector<int64_t>{chans[b], sides[b], sides[b]}));
            QCOMPARE(s->shape, (std::vector<int64_t>{sides[b], sides[b]}));
            for (float v : e->values) QVERIFY(v > 0 && v < 1);
        }
        ImageClassifier se;
        QVERIFY(se.load("fmnist-se").ok);
        AttentionTrace ts;
        QVERIFY(se.classify(img, ts).ok);
        QVERIFY(!ts.find("block1.spatial"));  // SE has no spatial attention
    }

    void classProfiles()
    {
        ImageClassifier m;
        QVERIFY(m.load("fmnist-se").ok);
        AttentionTrace p;
        QVERIFY(m.classProfiles(test_, 500, p).ok);
        QCOMPARE(p.meta("images"), std::string("500"));
        const TraceTensor* t = p.find("block3.profile");
        QVERIFY(t);
        QCOMPARE(t->shape, (std::vector<int64_t>{10, 128}));
        QCOMPARE(t->labels[0][0], std::string("T-shirt/top"));
        // Each row is the mean over that class's images: check class 1 (Trouser) by hand.
        std::vector<double> sum(128, 0.0);
        int n = 0;
        for (int i = 0; i < 500; ++i) {
            if (test_.labels[size_t(i)] != 1) continue;
            PreparedImage img;
            QVERIFY(prepareFashionMnist(test_, i, "test", img).ok);
            AttentionTrace one;
            QVERIFY(m.classify(img, one).ok);
            const auto& e = one.find("block3.excitation")->values;
            for (int c = 0; c < 128; ++c) sum[size_t(c)] += e[size_t(c)];
            ++n;
        }
        QVERIFY(n > 20);
        double largest = 0;
        for (int c = 0; c < 128; ++c) {
            QVERIFY(std::abs(t->at(1, c) - sum[size_t(c)] / n) < 1e-4);
            largest = std::max(largest, double(std::abs(t->at(1, c) - t->at(7, c))));
        }
        qInfo("largest |trouser − sneaker| mean excitation in block 3: %.4f", largest);
        const TraceTensor* sd = p.find("block3.profile_std");
        QVERIFY(sd && sd->shape == t->shape);
        // Cancellation stops it.
        const auto st = m.classProfiles(test_, 0, p, [](int64_t done, int64_t) { return done < 500; });
        QVERIFY(!st.ok);
        QCOMPARE(st.message, std::string("cancelled"));
    }

    void imageFilesOfEveryKind()
    {
        PreparedImage out;
        // Missing, empty, not an image.
        auto st = prepareImageFile(dir_.filePath("nope.png").toStdString(), out);
        QVERIFY(!st.ok && st.message.find("no such file") != std::string::npos);
        writeBytes(dir_.filePath("zero.png"), {});
        st = prepareImageFile(dir_.filePath("zero.png").toStdString(), out);
        QVERIFY(!st.ok && st.message.find("0 bytes") != std::string::npos);
        writeBytes(dir_.filePath("text.jpg"), "this is not a JPEG at all");
        st = prepareImageFile(dir_.filePath("text.jpg").toStdString(), out);
        QVERIFY(!st.ok && st.message.find("not an image") != std::string::npos);
        // A 20000×20000 header is refused before decoding.
        writeBytes(dir_.filePath("huge.png"), pngHeaderOnly(20000, 20000));
        st = prepareImageFile(dir_.filePath("huge.png").toStdString(), out);
        QVERIFY2(!st.ok && st.message.find("20000×20000") != std::string::npos, st.message.c_str());

        // The first test image (an ankle boot), as a user would have it: dark on white,
        // colour, three times larger, at a path with non-ASCII characters.
        cv::Mat boot(28, 28, CV_8U, const_cast<uint8_t*>(test_.images.image(0)));
        cv::Mat big, inverted, colour;
        cv::resize(boot, big, cv::Size(84, 84), 0, 0, cv::INTER_CUBIC);
        cv::bitwise_not(big, inverted);
        cv::cvtColor(inverted, colour, cv::COLOR_GRAY2BGR);
        const QString name = dir_.filePath("botín ñandú 靴.png");
        QVERIFY(cv::imwrite(name.toStdString(), colour));
        st = prepareImageFile(name.toStdString(), out);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(out.originalWidth, 84);
        const auto notes = [&] {
            std::string all;
            for (const auto& n : out.notes) all += n + "; ";
            return all;
        }();
        QVERIFY2(notes.find("inverted") != std::string::npos, notes.c_str());
        QVERIFY(notes.find("colour converted to grey") != std::string::npos);
        QCOMPARE(int(out.pixels.size()), 28 * 28);
        QVERIFY(out.pixels[0] < 0.05f);  // background black after inversion
        ImageClassifier m;
        QVERIFY(m.load("fmnist-se").ok);
        AttentionTrace t;
        QVERIFY(m.classify(out, t).ok);
        QCOMPARE(t.meta("prediction"), std::string("Ankle boot"));

        // 16-bit grey.
        cv::Mat deep;
        big.convertTo(deep, CV_16U, 257.0);
        QVERIFY(cv::imwrite(dir_.filePath("deep.png").toStdString(), deep));
        QVERIFY(prepareImageFile(dir_.filePath("deep.png").toStdString(), out).ok);
        QVERIFY(out.notes.front().find("16-bit") != std::string::npos);
        QVERIFY(*std::max_element(out.pixels.begin(), out.pixels.end()) > 0.7f);

        // 4 channels: an opaque dark square on a transparent background → composited on
        // white, then inverted: the square is bright, the background black.
        cv::Mat rgba(40, 40, CV_8UC4, cv::Scalar(0, 0, 0, 0));
        cv::rectangle(rgba, cv::Rect(10, 5, 20, 30), cv::Scalar(20, 20, 20, 255), cv::FILLED);
        QVERIFY(cv::imwrite(dir_.filePath("alpha.png").toStdString(), rgba));
        QVERIFY(prepareImageFile(dir_.filePath("alpha.png").toStdString(), out).ok);
        QVERIFY(out.notes.front().find("transparency") != std::string::npos);
        QVERIFY(out.pixels[size_t(14 * 28 + 14)] > 0.8f);
        QVERIFY(out.pixels[0] < 0.05f);
    }

    void truncatedJpegIsSaid()
    {
        // A JPEG cut in half decodes in part (OpenCV fills the rest grey): a warning, not silence.
        cv::Mat boot(28, 28, CV_8U, const_cast<uint8_t*>(test_.images.image(0))), big;
        cv::resize(boot, big, cv::Size(280, 280), 0, 0, cv::INTER_CUBIC);
        std::vector<uint8_t> jpeg;
        QVERIFY(cv::imencode(".jpg", big, jpeg));
        const QString whole = dir_.filePath("whole.jpg"), cut = dir_.filePath("cut.jpg");
        writeBytes(whole, QByteArray(reinterpret_cast<const char*>(jpeg.data()), qsizetype(jpeg.size())));
        writeBytes(cut, QByteArray(reinterpret_cast<const char*>(jpeg.data()), qsizetype(jpeg.size() / 2)));
        PreparedImage out;
        QVERIFY(prepareImageFile(whole.toStdString(), out).ok);
        QVERIFY(out.warnings.empty());
        const auto st = prepareImageFile(cut.toStdString(), out);
        QVERIFY2(st.ok, st.message.c_str());  // shown, as decoded
        QCOMPARE(int(out.warnings.size()), 1);
        QVERIFY2(out.warnings[0].find("ends early") != std::string::npos, out.warnings[0].c_str());
        // The pipeline carries it into the trace (what the workspace's banner and the CLI show).
        ModelCache cache;
        ImageResult r;
        QVERIFY(runImage(cache, {"fmnist-se", cut.toStdString(), -1}, r).ok);
        QVERIFY(r.trace->meta("warning").find("ends early") != std::string::npos);
    }
    void inputsUnlikeTheTrainingDataAreSaid()
    {
        // Fashion-MNIST test items the reference did not use (it reads items 0–999) are familiar;
        // noise and a photo-like gradient are not.
        int outside = 0;
        for (int i = 5000; i < 5200; ++i) {
            GreyImage g{28, 28, {}};
            for (int k = 0; k < 784; ++k) g.pixels.push_back(test_.images.image(i)[k] / 255.0f);
            outside += familiarity(TrainingDomain::FashionMnistItems, test_, {&g}).outside ? 1 : 0;
        }
        QVERIFY2(outside <= 6, qPrintable(QString::number(outside)));  // ≈ 1% by construction
        std::mt19937 rng(3);
        std::uniform_real_distribution<float> u(0, 1);
        GreyImage noise{28, 28, std::vector<float>(784)};
        for (auto& v : noise.pixels) v = u(rng);
        const Familiarity f = familiarity(TrainingDomain::FashionMnistItems, test_, {&noise});
        QVERIFY(f.outside && f.distance > f.threshold);
        QVERIFY(f.warning.find("Fashion-MNIST") != std::string::npos);
        // Through the pipeline: a photo-like file (a smooth colour gradient with texture) is
        // classified and said to be unlike the training data; an item saved as PNG is not.
        cv::Mat photo(120, 160, CV_8UC3);
        for (int y = 0; y < photo.rows; ++y)
            for (int x = 0; x < photo.cols; ++x)
                photo.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(40 + x), uchar(60 + y), uchar(90 + (x * y) % 80));
        QVERIFY(cv::imwrite(dir_.filePath("photo.png").toStdString(), photo));
        cv::Mat item(28, 28, CV_8U, const_cast<uint8_t*>(test_.images.image(6000)));
        QVERIFY(cv::imwrite(dir_.filePath("item.png").toStdString(), item));
        ModelCache cache;
        ImageResult r;
        QVERIFY(runImage(cache, {"fmnist-se", dir_.filePath("photo.png").toStdString(), -1}, r).ok);
        QVERIFY2(r.trace->meta("warning").find("unlike them") != std::string::npos, r.trace->meta("warning").c_str());
        QVERIFY(!r.trace->meta("prediction").empty());  // the result is still there
        QVERIFY(runImage(cache, {"fmnist-se", dir_.filePath("item.png").toStdString(), -1}, r).ok);
        QVERIFY2(r.trace->meta("warning").empty(), r.trace->meta("warning").c_str());
        // Test images are never warned about.
        QVERIFY(runImage(cache, {"fmnist-se", "", 7}, r).ok);
        QVERIFY(r.trace->meta("warning").empty());
    }
    void naturalPhotosAreSaidToBeUnfamiliar()
    {
        // Issue 28 item 5: butterfly.jpg (a wide photo: letterboxed to 28×20, its black bars made
        // it look like a bag, 99.8 %) had no warning. Photos the test makes, each with the
        // statistics of a natural picture (smooth regions, texture, no black background), in
        // the aspect ratios that leave bars or not; every one must be said to be unlike the
        // training data, through the same path a user's file takes.
        std::mt19937 rng(11);
        std::normal_distribution<float> noise(0, 1);
        const auto clamp8 = [](float v) { return uchar(std::clamp(v, 0.f, 255.f)); };
        std::vector<std::pair<QString, cv::Mat>> photos;
        {   // a butterfly on a leaf: dark wings with white spots over diagonal green/yellow bands
            cv::Mat m(356, 493, CV_8UC3);
            for (int y = 0; y < m.rows; ++y)
                for (int x = 0; x < m.cols; ++x) {
                    const float band = 0.5f + 0.5f * std::sin(float(x + y) * 0.05f);
                    m.at<cv::Vec3b>(y, x) = cv::Vec3b(clamp8(40 + 30 * band + 6 * noise(rng)), clamp8(120 + 90 * band + 6 * noise(rng)),
                                                      clamp8(60 + 120 * band + 6 * noise(rng)));
                }
            cv::ellipse(m, {150, 170}, {140, 80}, 20, 0, 360, cv::Scalar(20, 20, 20), cv::FILLED);
            cv::ellipse(m, {343, 170}, {140, 80}, -20, 0, 360, cv::Scalar(20, 20, 20), cv::FILLED);
            for (int i = 0; i < 40; ++i)
                cv::circle(m, {int(rng() % 440) + 25, int(rng() % 200) + 80}, 6, cv::Scalar(235, 235, 235), cv::FILLED);
            photos.push_back({"butterfly.png", m});
        }
        {   // a landscape: a bright sky over textured ground (light border: inverted on the way in)
            cv::Mat m(300, 400, CV_8UC3);
            for (int y = 0; y < m.rows; ++y)
                for (int x = 0; x < m.cols; ++x)
                    m.at<cv::Vec3b>(y, x) = y < 120 ? cv::Vec3b(clamp8(230 - y / 4), clamp8(200 - y / 4), clamp8(170))
                                                    : cv::Vec3b(clamp8(60 + 25 * noise(rng)), clamp8(110 + 25 * noise(rng)), clamp8(70 + 25 * noise(rng)));
            photos.push_back({"landscape.jpg", m});
        }
        {   // a portrait: a face-like oval on a mid-grey wall, taller than wide
            cv::Mat m(400, 300, CV_8UC3, cv::Scalar(110, 115, 120));
            cv::ellipse(m, {150, 180}, {80, 110}, 0, 0, 360, cv::Scalar(150, 170, 210), cv::FILLED);
            cv::rectangle(m, {60, 300}, {240, 400}, cv::Scalar(60, 40, 30), cv::FILLED);
            for (int y = 0; y < m.rows; ++y)
                for (int x = 0; x < m.cols; ++x)
                    for (int c = 0; c < 3; ++c) m.at<cv::Vec3b>(y, x)[c] = clamp8(m.at<cv::Vec3b>(y, x)[c] + 8 * noise(rng));
            photos.push_back({"portrait.png", m});
        }
        {   // a texture with a natural picture's 1/f spectrum (summed octaves of smoothed noise)
            cv::Mat acc = cv::Mat::zeros(256, 256, CV_32F);
            for (int octave = 1; octave <= 64; octave *= 2) {
                cv::Mat n(octave, octave, CV_32F), up;
                for (int i = 0; i < octave * octave; ++i) n.at<float>(i) = noise(rng);
                cv::resize(n, up, acc.size(), 0, 0, cv::INTER_CUBIC);
                acc += up * (60.f / float(octave));
            }
            cv::Mat grey;
            acc.convertTo(grey, CV_8U, 1, 128);
            photos.push_back({"texture.png", grey});
        }
        ModelCache cache;
        for (const auto& [name, m] : photos) {
            QVERIFY(cv::imwrite(dir_.filePath(name).toStdString(), m));
            ImageResult r;
            const Status st = runImage(cache, {"fmnist-se", dir_.filePath(name).toStdString(), -1}, r);
            QVERIFY2(st.ok, st.message.c_str());
            const std::string w = r.trace->meta("warning");
            QVERIFY2(w.find("unlike them") != std::string::npos,
                     qPrintable(name + " has no warning; predicted " + QString::fromStdString(r.trace->meta("prediction"))));
            QVERIFY2(w.find("inside the picture's outline") != std::string::npos, w.c_str());
        }
    }
    void trainingStepsLowerTheLossAndResume()
    {
        TrainConfig c;
        c.model = "fmnist-eca";
        c.out = dir_.filePath("eca.pt").toStdString();
        c.batchSize = 64;
        c.epochs = 1;
        c.maxSteps = 30;
        c.checkpointEvery = 0;
        TrainReport r;
        auto st = train(c, r);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(r.stepsRun, 30);
        QVERIFY2(r.lastLoss < r.firstLoss * 0.8, "loss must fall over 30 steps");
        QVERIFY(QFile::exists(dir_.filePath("eca.pt.ckpt")));
        TrainReport r2;
        c.maxSteps = 5;
        QVERIFY(train(c, r2).ok);  // resumes at step 30
        QCOMPARE(r2.stepsRun, 5);
        QVERIFY(r2.firstLoss < r.firstLoss);
        // A checkpoint of another block kind is refused.
        c.model = "fmnist-se";
        c.checkpoint = dir_.filePath("eca.pt.ckpt").toStdString();
        const auto wrong = train(c, r2);
        QVERIFY(!wrong.ok && wrong.message.find("another kind") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestImageModel)
#include "test_imagemodel.moc"
