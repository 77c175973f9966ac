// Benchmarks for the budgets: matrix view open (1024², 4096²), hover (overlay replot) on
// 1024², full replot on 1024², one 30-word sentence through the built-in NMT models; one
// image through the CBAM classifier, class profiles over the test set, channel-bar hover,
// one drag step of the STN frame.
// Run: QT_QPA_PLATFORM=offscreen ./build/bench/bench_attnscope
#include "attnscope/ablation.h"
#include "attnscope/alignment.h"
#include "attnscope/modelcache.h"
#include "attnscope/pipelines.h"
#include "attnscope/headstats.h"
#include "attnscope/resources.h"
#include "benchmain.h"
#include "attnscope/translator.h"
#include "attnscope/imagemodel.h"
#include "attnscope/stn.h"
#include "attnscope/caption.h"
#include "attnscope/video.h"
#include "views/channelbarview.h"
#include "views/stnview.h"
#include "views/spatialoverlayview.h"
#include "views/wordframeview.h"
#include "mainwindow.h"
#include "workspaces/text/textworkspace.h"
#include "workspaces/video/videoworkspace.h"
#include "views/alignmentmatrixview.h"
#include "views/headgridview.h"

#include <QApplication>
#include <QEventLoop>
#include <QElapsedTimer>
#include <QFile>
#include <QStandardPaths>
#include <QTimer>
#include <QMouseEvent>
#include <benchmark/benchmark.h>
#include <qcustomplot.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>

using namespace attnscope;

namespace {
AttentionTrace randomTrace(int n)
{
    AttentionTrace t;
    TraceTensor x;
    x.name = "cross";
    x.axes = {"target", "source"};
    x.shape = {n, n};
    x.labels.resize(2);
    for (int i = 0; i < n; ++i) {
        x.labels[0].push_back("t" + std::to_string(i));
        x.labels[1].push_back("s" + std::to_string(i));
    }
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(0, 1);
    x.values.resize(size_t(n) * size_t(n));
    for (auto& v : x.values) v = u(rng) / float(n);
    t.tensors.push_back(std::move(x));
    return t;
}

/// A shown matrix view of window size, optionally holding a random n×n trace.
std::unique_ptr<ui::AlignmentMatrixView> shownView(int n)
{
    auto view = std::make_unique<ui::AlignmentMatrixView>();
    view->resize(1100, 900);
    view->show();
    if (n > 0) {
        const AttentionTrace t = randomTrace(n);
        view->setTrace(t, traceLinks(t));
    }
    return view;
}

void BM_MatrixOpen(benchmark::State& state)
{
    const auto trace = randomTrace(int(state.range(0)));
    auto view = shownView(0);
    for (auto _ : state) {
        view->setTrace(trace, traceLinks(trace));  // links read as the workspace does; builds the colour map and replots
        benchmark::DoNotOptimize(view->rows());
    }
}
BENCHMARK(BM_MatrixOpen)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_MatrixHover(benchmark::State& state)
{
    auto view = shownView(1024);
    QCustomPlot* plot = view->plot();
    const QRect r = plot->axisRect()->rect();
    int k = 0;
    for (auto _ : state) {
        // Move across cells: crosshair and tooltip update, overlay layer replot only.
        const QPointF p(r.left() + 5 + (k * 7) % (r.width() - 10), r.top() + 5 + (k * 11) % (r.height() - 10));
        QMouseEvent e(QEvent::MouseMove, p, plot->mapToGlobal(p.toPoint()), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
        QApplication::sendEvent(plot, &e);
        ++k;
    }
}
BENCHMARK(BM_MatrixHover)->Unit(benchmark::kMillisecond);

void BM_MatrixPanReplot(benchmark::State& state)
{
    auto view = shownView(1024);
    QCustomPlot* plot = view->plot();
    int k = 0;
    for (auto _ : state) {
        plot->xAxis2->setRange(100 + k % 50, 400 + k % 50);  // a pan step
        plot->replot(QCustomPlot::rpImmediateRefresh);
        ++k;
    }
}
BENCHMARK(BM_MatrixPanReplot)->Unit(benchmark::kMillisecond);

void BM_HeadGrid144(benchmark::State& state)
{
    // 12 layers × 12 heads of a 128-token input: colour the thumbnails and paint them.
    TraceTensor t;
    t.name = "encoder_self";
    t.axes = {"layer", "head", "query", "key"};
    t.shape = {12, 12, 128, 128};
    std::mt19937 rng(2);
    std::uniform_real_distribution<float> u(0, 1);
    t.values.resize(size_t(t.numel()));
    for (auto& v : t.values) v = u(rng) / 64.0f;
    ui::HeadGridView view;
    view.resize(1200, 1000);
    view.show();
    QImage target(view.size(), QImage::Format_ARGB32_Premultiplied);
    for (auto _ : state) {
        HeadAnalysis analysis;  // the numbers the grid shows, computed once per tensor, as the Heads tab does
        analyzeHeads(t, nullptr, {}, analysis);
        view.setTensor(t, analysis);
        view.render(&target);
    }
}
BENCHMARK(BM_HeadGrid144)->Unit(benchmark::kMillisecond);

/// One 30-word sentence through a built-in model: greedy translation with every
/// attention tensor recorded (Arg 0: gru-bahdanau, 1: transformer).
void BM_Translate30Words(benchmark::State& state)
{
    static Translator models[2];
    const char* names[2] = {"gru-bahdanau", "transformer"};
    Translator& t = models[state.range(0)];
    state.SetLabel(names[state.range(0)]);
    if (!t.loaded() && !t.load(names[state.range(0)]).ok) {
        state.SkipWithError("weights missing");
        return;
    }
    const std::string s = "Y dijo Dios : Hagamos al hombre á nuestra imagen , conforme á nuestra semejanza ; y señoree en "
                          "los peces de la mar , y en las aves de los cielos";
    AttentionTrace tr;
    for (auto _ : state) benchmark::DoNotOptimize(t.translate(s, tr).ok);
    state.counters["tokens"] = double(tokenize(s).size());
}
BENCHMARK(BM_Translate30Words)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

/// The Text workspace's re-run after an Alt+click in the head grid: one request through the
/// translation pipeline with a head ablated — forced decoding of the reference (every head
/// recorded) and the free translation shown above the matrix — for a 30-word sentence through
/// the Transformer (the unablated run it is compared with is kept from before).
void BM_AblatedRerun(benchmark::State& state)
{
    static ModelCache cache(2);
    TranslationRequest req;
    req.model = "transformer";
    req.source = "Y dijo Dios : Hagamos al hombre á nuestra imagen , conforme á nuestra semejanza ; y señoree en "
                 "los peces de la mar , y en las aves de los cielos";
    req.reference = "And God said , Let us make man in our image , after our likeness : and let them have dominion over "
                    "the fish of the sea , and over the fowl of the air";
    req.forced = true;
    if (!parseAblation("cross_attention:2:1", req.ablation)) return state.SkipWithError("bad spec");
    TranslationResult r;
    if (auto st = runTranslation(cache, nullptr, req, r); !st) return state.SkipWithError(st.message.c_str());
    for (auto _ : state) benchmark::DoNotOptimize(runTranslation(cache, nullptr, req, r).ok);
    state.counters["tokens"] = double(tokenize(req.source).size());
}
BENCHMARK(BM_AblatedRerun)->Unit(benchmark::kMillisecond);

/// The lenses' cost (issue 27): forced decoding of a 30-word verse through the Transformer
/// recording the attention alone (Arg 0, enableLens("raw")), with the lenses that need no
/// request — norm, ALTI, rollout, norm-based rollout, through the encoder (Arg 1, the default),
/// and with the grad lens too (Arg 2: one backward pass per target token).
void BM_ForcedLenses(benchmark::State& state)
{
    static Translator t;
    const char* modes[3] = {"raw", "norm", "grad"};
    state.SetLabel(modes[state.range(0)]);
    if (!t.loaded() && !t.load("transformer").ok) return state.SkipWithError("weights missing");
    if (auto st = t.enableLens(modes[state.range(0)]); !st) return state.SkipWithError(st.message.c_str());
    const std::string s = "Y dijo Dios : Hagamos al hombre á nuestra imagen , conforme á nuestra semejanza ; y señoree en "
                          "los peces de la mar , y en las aves de los cielos";
    const std::string ref = "And God said , Let us make man in our image , after our likeness : and let them have dominion "
                            "over the fish of the sea , and over the fowl of the air";
    AttentionTrace tr;
    for (auto _ : state) benchmark::DoNotOptimize(t.forceDecode(s, ref, tr).ok);
    state.counters["tokens"] = double(tokenize(s).size());
    state.counters["tensors"] = double(tr.tensors.size());
    t.enableLens("norm");
}
BENCHMARK(BM_ForcedLenses)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

/// One image through fmnist-cbam (conversion from a 640×480 PNG excluded), every block's
/// excitation, spatial map and feature maps recorded.
void BM_ClassifyImage(benchmark::State& state)
{
    static ImageClassifier m;
    static FashionMnist test;
    if (!m.loaded() && (!m.load("fmnist-cbam").ok || !loadFashionMnist(false, test).ok)) {
        state.SkipWithError("weights or Fashion-MNIST missing");
        return;
    }
    PreparedImage img;
    prepareFashionMnist(test, 0, "test", img);
    AttentionTrace tr;
    for (auto _ : state) benchmark::DoNotOptimize(m.classify(img, tr).ok);
}
BENCHMARK(BM_ClassifyImage)->Unit(benchmark::kMillisecond);

/// Class profiles of fmnist-se over the 10,000 test images (the Class profiles tab's job).
void BM_ClassProfiles(benchmark::State& state)
{
    static ImageClassifier m;
    static FashionMnist test;
    if (!m.loaded() && (!m.load("fmnist-se").ok || !loadFashionMnist(false, test).ok)) {
        state.SkipWithError("weights or Fashion-MNIST missing");
        return;
    }
    AttentionTrace p;
    for (auto _ : state) benchmark::DoNotOptimize(m.classProfiles(test, 0, p).ok);
}
BENCHMARK(BM_ClassProfiles)->Unit(benchmark::kMillisecond)->Iterations(2);

/// Hover across a 128-channel bar chart: one mouse move (hit test + repaint request + paint).
void BM_ChannelBarHover(benchmark::State& state)
{
    ui::ChannelBarView v;
    v.resize(900, 300);
    std::vector<float> e(128);
    std::mt19937 rng(2);
    std::uniform_real_distribution<float> u(0, 1);
    for (auto& x : e) x = u(rng);
    v.setValues(e);
    v.show();
    QImage target(v.size(), QImage::Format_ARGB32_Premultiplied);
    int c = 0;
    for (auto _ : state) {
        const QPointF pos = v.barCenter(c++ % 128);
        QMouseEvent move(QEvent::MouseMove, pos, v.mapToGlobal(pos), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
        QApplication::sendEvent(&v, &move);
        v.render(&target);
    }
}
BENCHMARK(BM_ChannelBarHover)->Unit(benchmark::kMillisecond);

/// One step of dragging the STN frame's corner in manual mode: θ from three points, the
/// 28×28 bilinear resample of a 60×60 canvas, and the repaint.
void BM_StnDragStep(benchmark::State& state)
{
    ui::StnView v;
    v.resize(900, 450);
    GreyImage canvas{60, 60, std::vector<float>(3600)};
    std::mt19937 rng(4);
    std::uniform_real_distribution<float> u(0, 1);
    for (auto& x : canvas.pixels) x = u(rng);
    v.setInput(canvas);
    v.setEditable(true);
    v.show();
    QImage target(v.size(), QImage::Format_ARGB32_Premultiplied);
    const QPointF corner = v.cornerPos(2);
    QMouseEvent press(QEvent::MouseButtonPress, corner, v.mapToGlobal(corner), Qt::LeftButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&v, &press);
    int k = 0;
    for (auto _ : state) {
        const QPointF pos = corner - QPointF(k % 80, (k % 80) / 2.0);
        ++k;
        QMouseEvent move(QEvent::MouseMove, pos, v.mapToGlobal(pos), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&v, &move);
        v.render(&target);
    }
}
BENCHMARK(BM_StnDragStep)->Unit(benchmark::kMillisecond);

// Captioning: one scene through the captioner (greedy = arg 1, beam 3 = arg 3).
void BM_CaptionScene(benchmark::State& state)
{
    static FashionMnist test;
    if (test.images.count == 0 && !loadFashionMnist(false, test)) return state.SkipWithError("Fashion-MNIST missing");
    SceneCaptioner m;
    if (!m.load("scene-captioner")) return state.SkipWithError("scene-captioner weights missing");
    const Scene s = testScene(test, 0);
    CaptionOptions o;
    o.beamWidth = int(state.range(0));
    for (auto _ : state) {
        AttentionTrace t;
        m.caption(s.image, o, t);
        benchmark::DoNotOptimize(t);
    }
}
BENCHMARK(BM_CaptionScene)->Arg(1)->Arg(3)->Unit(benchmark::kMillisecond);

// Clicking a word: the overlay rebuilds the smoothed map and the workspace view repaints.
void BM_CaptionWordClick(benchmark::State& state)
{
    ui::SpatialOverlayView v;
    v.resize(600, 560);
    v.setSmoothing(0.5);
    QImage scene(84, 84, QImage::Format_Grayscale8);
    scene.fill(40);
    v.setImage(scene);
    v.show();
    std::vector<float> map(49);
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> u(0, 1);
    QImage target(v.size(), QImage::Format_ARGB32_Premultiplied);
    for (auto _ : state) {
        for (auto& x : map) x = u(rng);
        v.setMap(map, 7, 7);
        v.render(&target);
    }
}
BENCHMARK(BM_CaptionWordClick)->Unit(benchmark::kMillisecond);

// Scrubbing a video after the first pass: a random frame decoded (cache or seek), converted,
// shown in the frame view and the heatmap's playhead moved, both repainted. The 95th
// percentile is reported as a counter. Video: $ATTNSCOPE_VTEST or OpenCV's sample vtest.avi
// (Debian package opencv-doc).
void BM_VideoScrub(benchmark::State& state)
{
    QString path = qEnvironmentVariable("ATTNSCOPE_VTEST");
    if (path.isEmpty()) path = QStringLiteral("/usr/share/doc/opencv-doc/examples/data/vtest.avi");
    VideoReader reader;
    if (!reader.open(path.toStdString())) return state.SkipWithError("no vtest.avi (apt install opencv-doc, or set ATTNSCOPE_VTEST)");
    reader.setDisplayCache(size_t(512) << 20);
    const int frames = reader.info().frameCount;
    for (int i = 0; i < frames; ++i) {  // the first pass
        VideoFrame f;
        reader.frame(i, f);
    }
    ui::FrameView view;
    view.resize(800, 600);
    view.show();
    ui::WordFrameView heat;
    heat.resize(1000, 260);
    QStringList words;
    for (int w = 0; w < 10; ++w) words << QStringLiteral("w%1").arg(w);
    const std::vector<int> cols = sampleFrameIndices(frames, kClipSamples);
    heat.setAttention(words, cols, std::vector<float>(size_t(words.size()) * cols.size(), 1.0f / kClipSamples));
    heat.show();
    QImage a(view.size(), QImage::Format_ARGB32_Premultiplied), b(heat.size(), QImage::Format_ARGB32_Premultiplied);
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> pick(0, frames - 1);
    std::vector<double> ms;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        const int i = pick(rng);
        VideoFrame f;
        reader.displayFrame(i, f);
        view.setFrame(QImage(f.rgb.data(), f.width, f.height, f.width * 3, QImage::Format_RGB888).copy(), i);
        heat.setCurrentFrame(i);
        view.render(&a);
        heat.render(&b);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    state.counters["p95_ms"] = ms.empty() ? 0 : ms[size_t(0.95 * double(ms.size() - 1))];
    state.counters["cached_frames"] = reader.cachedFrames();
    state.counters["cache_MB"] = double(reader.cacheBytes()) / (1 << 20);
    state.counters["display_cache_MB"] = double(reader.displayCacheBytes()) / (1 << 20);
}
BENCHMARK(BM_VideoScrub)->Unit(benchmark::kMillisecond)->Iterations(400);
void BM_AutosaveStall(benchmark::State& state)
{
    // The GUI thread's longest stall while the autosave of a 2048×2048 float32 trace (16 MiB; longer
    // traces go to the Long attention workspace and stay in their own files) is
    // written: a 1 ms timer ticks on the GUI thread from before the save starts until it ends.
    QStandardPaths::setTestModeEnabled(true);
    ui::MainWindow w(false);
    w.show();
    auto* text = w.workspace<ui::TextWorkspace>();
    double worst = 0, writeMs = 0;
    int n = 0;
    for (auto _ : state) {
        text->showTrace(std::make_shared<AttentionTrace>(randomTrace(int(state.range(0)))));  // a new trace: autosave is due
        {
            QEventLoop settle;  // let the window repaint before measuring
            QTimer::singleShot(50, &settle, &QEventLoop::quit);
            settle.exec();
        }
        qint64 longest = 0, last = 0;
        QElapsedTimer clock;
        clock.start();
        QTimer tick;
        tick.setInterval(1);
        QObject::connect(&tick, &QTimer::timeout, [&] {
            longest = std::max(longest, clock.elapsed() - last);
            last = clock.elapsed();
        });
        tick.start();
        last = clock.elapsed();
        const auto t0 = std::chrono::steady_clock::now();
        w.autosaveNow();
        QEventLoop loop;
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, [&] {
            if (!w.saving()) loop.quit();
        });
        poll.start(2);
        loop.exec();
        writeMs += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        worst = std::max(worst, double(longest));
        ++n;
    }
    state.counters["gui_stall_ms"] = worst;
    state.counters["write_ms"] = n ? writeMs / n : 0;
    QFile::remove(ui::MainWindow::autosavePath());
}
BENCHMARK(BM_AutosaveStall)->Arg(2048)->Unit(benchmark::kMillisecond)->Iterations(3);
} // namespace

int main(int argc, char** argv) { return runBenchmarks(argc, argv); }
