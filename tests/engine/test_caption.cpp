// Scene captioning: the scene generator (boxes match where items were pasted, caption
// grammar, determinism, PNG files identical to the generated pixels), the shipped captioner
// (attention rows sum to 1, hard attention one-hot at the soft arg-max, forced decoding and
// its errors, beam search), its attention hit rate on 200 fixed test scenes against the
// uniform baseline, ablation of its attention head (zero: no context, so the rows are 0 and
// the output changes; uniform: 1/49 everywhere; nothing ablated: bit for bit the same; specs
// past its one head named), and a few training steps that lower the loss and resume.
#include "attnscope/caption.h"
#include "attnscope/train.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <set>

using namespace attnscope;

class TestCaption : public QObject {
    Q_OBJECT
    FashionMnist test_;
    SceneCaptioner model_;
    QTemporaryDir dir_;

    static void checkRowsSumToOne(const TraceTensor& t)
    {
        QCOMPARE(t.shape.size(), size_t(2));
        QCOMPARE(t.shape[1], int64_t(49));
        for (int64_t w = 0; w < t.shape[0]; ++w) {
            double sum = 0;
            for (int64_t i = 0; i < t.shape[1]; ++i) {
                QVERIFY(t.at(w, i) >= 0);
                sum += t.at(w, i);
            }
            QVERIFY2(std::abs(sum - 1.0) < 1e-4, qPrintable(QStringLiteral("row %1 sums to %2").arg(w).arg(sum)));
        }
    }

private slots:
    void initTestCase()
    {
        QVERIFY(loadFashionMnist(false, test_).ok);
        const auto st = model_.load("scene-captioner");
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(dir_.isValid());
    }

    void generatorBoxesMatchPlacement()
    {
        for (int s = 0; s < 50; ++s) {
            const Scene sc = testScene(test_, s);
            QVERIFY(sc.items.size() >= 2 && sc.items.size() <= 4);
            QCOMPARE(sc.image.width, kSceneSize);
            std::set<int> cells;
            int lastCell = -1;
            std::vector<uint8_t> covered(size_t(kSceneSize * kSceneSize), 0);
            for (const auto& it : sc.items) {
                const int cell = it.row * 3 + it.col;
                QVERIFY(cells.insert(cell).second);  // distinct cells
                QVERIFY(cell > lastCell);             // reading order
                lastCell = cell;
                QCOMPARE(it.x, it.col * 28);
                QCOMPARE(it.y, it.row * 28);
                QCOMPARE(it.label, int(test_.labels[size_t(it.sourceIndex)]));
                // The box holds exactly the source item's pixels.
                const uint8_t* src = test_.images.image(it.sourceIndex);
                for (int y = 0; y < 28; ++y)
                    for (int x = 0; x < 28; ++x) {
                        QCOMPARE(sc.image.at(it.x + x, it.y + y), src[y * 28 + x] / 255.0f);
                        covered[size_t((it.y + y) * kSceneSize + it.x + x)] = 1;
                    }
            }
            // Nothing outside the boxes.
            for (size_t i = 0; i < covered.size(); ++i)
                if (!covered[i]) QCOMPARE(sc.image.pixels[i], 0.0f);
            // The caption names the items in order with their positions.
            const auto words = captionWords(sc.caption);
            std::vector<int> named;
            for (const auto& w : words)
                if (itemLabel(w) >= 0) named.push_back(itemLabel(w));
            QCOMPARE(named.size(), sc.items.size());
            for (size_t k = 0; k < named.size(); ++k) QCOMPARE(named[k], sc.items[k].label);
        }
        // Deterministic, and different seeds give different scenes.
        QCOMPARE(testScene(test_, 3).caption, testScene(test_, 3).caption);
        QVERIFY(testScene(test_, 3).image.pixels == testScene(test_, 3).image.pixels);
        QVERIFY(testScene(test_, 3).image.pixels != testScene(test_, 4).image.pixels);
    }

    void captionGrammar()
    {
        std::vector<SceneItem> items(3);
        items[0].label = 7, items[0].row = 0, items[0].col = 0;
        items[1].label = 8, items[1].row = 1, items[1].col = 1;
        items[2].label = 1, items[2].row = 2, items[2].col = 2;
        QCOMPARE(sceneCaption(items), std::string("a sneaker top left , a bag in the middle and trousers bottom right"));
        QCOMPARE(captionWords("A Bag, top LEFT."), (std::vector<std::string>{"a", "bag", ",", "top", "left"}));
    }

    void pngScenesEqualTheGeneratedPixels()
    {
        const QString d = dir_.filePath("scenes");
        QVERIFY(writeTestScenes(test_, 5, d.toStdString()).ok);
        QVERIFY(QFile::exists(d + "/scenes.tsv"));
        for (int i = 0; i < 5; ++i) {
            PreparedImage img;
            const auto st = loadSceneImage(QStringLiteral("%1/scene-%2.png").arg(d).arg(i, 3, 10, QChar('0')).toStdString(), img);
            QVERIFY2(st.ok, st.message.c_str());
            const GreyImage g = sceneInput(img);
            QVERIFY(g.pixels == testScene(test_, i).image.pixels);
        }
        // The shipped scenes are the same scenes.
        PreparedImage shipped;
        QVERIFY(loadSceneImage(ATTNSCOPE_RESOURCE_DIR "/scenes/scene-007.png", shipped).ok);
        QVERIFY(sceneInput(shipped).pixels == testScene(test_, 7).image.pixels);
    }

    void attentionRowsSumToOne()
    {
        for (int s = 0; s < 5; ++s) {
            AttentionTrace t;
            QVERIFY(model_.caption(testScene(test_, s).image, {}, t).ok);
            QVERIFY(t.validate().ok);
            const TraceTensor* a = t.find("attention");
            QVERIFY(a && a->shape[0] > 0);
            checkRowsSumToOne(*a);
            QCOMPARE(a->labels[0].size(), size_t(a->shape[0]));
            QCOMPARE(a->labels[1][8], std::string("r1c1"));
            // Coverage is Σ_t α_t.
            const TraceTensor* cov = t.find("coverage");
            QVERIFY(cov);
            double total = 0;
            for (float v : cov->values) total += v;
            QVERIFY(std::abs(total - double(a->shape[0])) < 1e-3);
            QCOMPARE(t.meta("decoding"), std::string("greedy"));
        }
    }

    void hardAttentionIsOneHotAtTheSoftPeak()
    {
        CaptionOptions o;
        o.mode = AttentionMode::HardArgmax;
        o.target = testScene(test_, 2).caption;
        AttentionTrace t;
        QVERIFY(model_.caption(testScene(test_, 2).image, o, t).ok);
        const TraceTensor* used = t.find("attention");
        const TraceTensor* soft = t.find("soft_attention");
        QVERIFY(used && soft);
        checkRowsSumToOne(*used);
        checkRowsSumToOne(*soft);
        for (int64_t w = 0; w < used->shape[0]; ++w) {
            int64_t best = 0, ones = 0;
            for (int64_t i = 0; i < 49; ++i) {
                if (soft->at(w, i) > soft->at(w, best)) best = i;
                ones += used->at(w, i) == 1.0f;
            }
            QCOMPARE(ones, int64_t(1));
            QCOMPARE(used->at(w, best), 1.0f);
        }
        // Sampled locations: seeded, so reproducible.
        o.mode = AttentionMode::HardSample;
        o.target.clear();
        AttentionTrace a, b;
        QVERIFY(model_.caption(testScene(test_, 2).image, o, a).ok);
        QVERIFY(model_.caption(testScene(test_, 2).image, o, b).ok);
        QVERIFY(a.find("attention")->values == b.find("attention")->values);
    }

    void forcedDecodingAndItsErrors()
    {
        const Scene s = testScene(test_, 0);
        CaptionOptions o;
        o.target = "a bag top left";
        AttentionTrace t;
        QVERIFY(model_.caption(s.image, o, t).ok);
        QCOMPARE(t.meta("mode"), std::string("forced"));
        QCOMPARE(t.find("attention")->shape[0], int64_t(4));
        QCOMPARE(t.meta("caption"), std::string("a bag top left"));
        o.target = "a hat top left";
        auto st = model_.caption(s.image, o, t);
        QVERIFY(!st.ok);
        QVERIFY2(st.message.find("unknown word 'hat'") != std::string::npos, st.message.c_str());
        QVERIFY(st.message.find("sneaker") != std::string::npos);  // says what it knows
        o.target = " , ";
        QVERIFY(model_.caption(s.image, o, t).ok);  // a comma is a word
        o.target = "   ";
        st = model_.caption(s.image, o, t);
        QVERIFY(!st.ok && st.message.find("empty") != std::string::npos);
        GreyImage bad;
        QVERIFY(!model_.caption(bad, {}, t).ok);
    }

    void beamSearchFindsACaptionAtLeastAsLikely()
    {
        for (int s = 0; s < 5; ++s) {
            const Scene sc = testScene(test_, s);
            AttentionTrace greedy, beam, rescored;
            QVERIFY(model_.caption(sc.image, {}, greedy).ok);
            CaptionOptions o;
            o.beamWidth = 4;
            QVERIFY(model_.caption(sc.image, o, beam).ok);
            QCOMPARE(beam.meta("decoding"), std::string("beam 4"));
            checkRowsSumToOne(*beam.find("attention"));
            // The beam's caption, force-decoded, has the log-probability the beam reported.
            CaptionOptions f;
            f.target = beam.meta("caption");
            QVERIFY(model_.caption(sc.image, f, rescored).ok);
            QVERIFY(std::abs(std::stod(rescored.meta("log_probability")) - std::stod(beam.meta("log_probability"))) < 1e-3);
            const auto perWord = [](const AttentionTrace& t) {
                return std::stod(t.meta("log_probability")) / double(t.find("attention")->shape[0] + 1);
            };
            QVERIFY(perWord(beam) >= perWord(greedy) - 1e-6);
        }
    }

    void ablatingTheAttentionHead()
    {
        const Scene sc = testScene(test_, 3);
        CaptionOptions o;
        o.target = sc.caption;
        AttentionTrace plain, none, zero, uniform;
        QVERIFY(model_.caption(sc.image, o, plain).ok);
        // An ablation that names no head changes nothing, bit for bit.
        QVERIFY(model_.caption(sc.image, o, none).ok);
        QVERIFY(none.find("attention")->values == plain.find("attention")->values);
        QCOMPARE(none.meta("log_probability"), plain.meta("log_probability"));
        QVERIFY(none.meta("ablation").empty());

        QVERIFY(parseAblation("attention:1:all", o.ablation).ok);
        QVERIFY(model_.caption(sc.image, o, zero).ok);
        for (float v : zero.find("attention")->values) QCOMPARE(v, 0.0f);
        QCOMPARE(zero.meta("ablation"), std::string("attention L1 H1 (zero)"));
        // Without its context the gold caption is less likely.
        QVERIFY2(std::stod(zero.meta("log_probability")) < std::stod(plain.meta("log_probability")) - 0.5,
                 (zero.meta("log_probability") + " vs " + plain.meta("log_probability")).c_str());

        o.ablation.mode = HeadAblation::Mode::Uniform;
        QVERIFY(model_.caption(sc.image, o, uniform).ok);
        checkRowsSumToOne(*uniform.find("attention"));
        for (float v : uniform.find("attention")->values) QVERIFY(std::abs(v - 1.0f / 49) < 1e-7f);

        // Free decoding: without attention the captions of some scenes change (the items' places
        // come only through the context vector).
        CaptionOptions freeZero;
        QVERIFY(parseAblation("attention:1:1", freeZero.ablation).ok);
        int changed = 0;
        for (int s = 0; s < 10; ++s) {
            AttentionTrace a, b;
            QVERIFY(model_.caption(testScene(test_, s).image, {}, a).ok);
            QVERIFY(model_.caption(testScene(test_, s).image, freeZero, b).ok);
            changed += a.meta("caption") != b.meta("caption");
        }
        QVERIFY2(changed >= 5, qPrintable(QString::number(changed)));

        // Heads it does not have are named with the valid ranges.
        for (const auto& [spec, says] : std::vector<std::pair<std::string, std::string>>{
                 {"attention:2:1", "layers 1–1"}, {"attention:1:2", "head"}, {"cross_attention:1:1", "no attention kind 'cross_attention'"}}) {
            CaptionOptions bad;
            QVERIFY(parseAblation(spec, bad.ablation).ok);
            AttentionTrace t;
            const Status st = model_.caption(sc.image, bad, t);
            QVERIFY2(!st.ok && st.message.find(says) != std::string::npos, (spec + ": " + st.message).c_str());
        }
    }

    void hitRateWellAboveUniform()
    {
        CaptionScore total;
        for (int s = 0; s < 200; ++s) {
            const Scene sc = testScene(test_, s);
            CaptionOptions o;
            o.target = sc.caption;
            AttentionTrace t;
            QVERIFY(model_.caption(sc.image, o, t).ok);
            const CaptionScore c = scoreCaptionAttention(t, sc);
            QCOMPARE(c.itemWords, int(sc.items.size()));
            total.itemWords += c.itemWords;
            total.peakHits += c.peakHits;
            total.mass += c.mass;
            total.uniformMass += c.uniformMass;
        }
        const double hit = double(total.peakHits) / total.itemWords, mass = total.mass / total.itemWords,
                     uniform = total.uniformMass / total.itemWords;
        qInfo("200 scenes, %d item words: peak in box %.1f%%, mass in box %.3f, uniform %.3f", total.itemWords, 100 * hit, mass, uniform);
        QVERIFY(std::abs(uniform - 1.0 / 9.0) < 1e-9);
        QVERIFY2(hit > 0.8, "the attention peak of item words must fall in the item's box far more often than 1 in 9");
        QVERIFY2(mass > 4 * uniform, "attention mass in the box must be well above the box's share of the image");
    }

    void scoringAgainstHandMadeAttention()
    {
        // One item in the middle cell; attention all on grid cell r3c3 (pixels 36–48, inside
        // the box 28–56) → hit, mass 1.
        Scene sc;
        SceneItem it;
        it.label = 8, it.row = 1, it.col = 1, it.x = 28, it.y = 28;
        sc.items = {it};
        AttentionTrace t;
        TraceTensor a;
        a.name = "attention";
        a.axes = {"word", "region"};
        a.shape = {2, 49};
        a.values.assign(98, 0.0f);
        a.values[size_t(0 * 49 + 0)] = 1.0f;   // "a" looks at r0c0
        a.values[size_t(1 * 49 + 24)] = 1.0f;  // "bag" looks at r3c3
        a.labels = {{"a", "bag"}, {}};
        t.tensors.push_back(a);
        CaptionScore s = scoreCaptionAttention(t, sc);
        QCOMPARE(s.itemWords, 1);
        QCOMPARE(s.peakHits, 1);
        QVERIFY(std::abs(s.mass - 1.0) < 1e-9);
        // On r2c2 (pixels 24–36 × 24–36): peak centre (30, 30) inside; mass = (8×8)/144.
        t.tensors[0].values[size_t(49 + 24)] = 0.0f;
        t.tensors[0].values[size_t(49 + 16)] = 1.0f;
        s = scoreCaptionAttention(t, sc);
        QCOMPARE(s.peakHits, 1);
        QVERIFY(std::abs(s.mass - 64.0 / 144.0) < 1e-9);
        // On r0c0: a miss.
        t.tensors[0].values[size_t(49 + 16)] = 0.0f;
        t.tensors[0].values[size_t(49 + 0)] = 1.0f;
        s = scoreCaptionAttention(t, sc);
        QCOMPARE(s.peakHits, 0);
        QCOMPARE(s.mass, 0.0);
    }

    void badFilesAreRefused()
    {
        QFile f(dir_.filePath("broken.png"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("\x89PNG\r\n\x1a\n not really");
        f.close();
        PreparedImage img;
        QVERIFY(!loadSceneImage(f.fileName().toStdString(), img).ok);
        QVERIFY(!loadSceneImage(dir_.filePath("missing.png").toStdString(), img).ok);
        SceneCaptioner other;
        const auto st = other.load(ATTNSCOPE_RESOURCE_DIR "/models/fmnist-se.pt");
        QVERIFY(!st.ok);
        QVERIFY(!isCaptionerFile(ATTNSCOPE_RESOURCE_DIR "/models/fmnist-se.pt"));
        QVERIFY(isCaptionerFile("scene-captioner"));
    }

    void trainingStepsLowerTheLossAndResume()
    {
        TrainConfig c;
        c.model = "scene-captioner";
        c.out = dir_.filePath("cap.pt").toStdString();
        c.batchSize = 32;
        c.epochs = 1;
        c.embedding = 32;
        c.hidden = 64;
        c.scenesPerEpoch = 3200;
        c.maxSteps = 25;
        c.checkpointEvery = 0;
        c.learningRate = 3e-3;
        TrainReport r;
        auto st = train(c, r);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(r.stepsRun, 25);
        QVERIFY2(r.lastLoss < r.firstLoss * 0.7, "loss must fall over 25 steps");
        QVERIFY(QFile::exists(dir_.filePath("cap.pt.ckpt")));
        TrainReport r2;
        c.maxSteps = 3;
        QVERIFY(train(c, r2).ok);  // resumes at step 25
        QCOMPARE(r2.stepsRun, 3);
        QVERIFY(r2.firstLoss < r.firstLoss * 0.8);
        // Another configuration in the checkpoint is refused, with a message.
        c.hidden = 96;
        const auto wrong = train(c, r2);
        QVERIFY(!wrong.ok && wrong.message.find("configuration") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestCaption)
#include "test_caption.moc"
