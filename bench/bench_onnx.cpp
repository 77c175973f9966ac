// ONNX through ATen (issue 17): PaddleOCR's PP-OCRv4 recogniser on a 48×320 text line, one
// thread — the whole run (OnnxModel::run) against the time inside the operators' ATen calls,
// so the interpreter's own overhead is what is left; compared in the README with the figure
// PyTorch gives for the same graph (54 ms per line, one thread). Also the whole path a user
// takes (VisionModel::run: decode, pre-process, run, trace) and the detector on a 640×480 page.
// Run: ./build/bench/bench_onnx   (needs scripts/install-deps' model cache)
#include "attnscope/onnxmodel.h"
#include "attnscope/resources.h"
#include "attnscope/visionmodel.h"

#include <QDir>
#include <QFont>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <benchmark/benchmark.h>

#include <cmath>

using namespace attnscope;

namespace {
std::string renderPicture(QSize size, const QString& text, int pixelSize, int y)
{
    QImage img(size, QImage::Format_RGB32);
    img.fill(Qt::white);
    QPainter p(&img);
    QFont f("DejaVu Sans");
    f.setPixelSize(pixelSize);
    p.setFont(f);
    p.setPen(Qt::black);
    p.drawText(10, y, text);
    p.end();
    const QString path = QDir::temp().filePath(QStringLiteral("attnscope-bench-%1x%2.png").arg(size.width()).arg(size.height()));
    img.save(path);
    return path.toStdString();
}

void BM_RecogniserGraph(benchmark::State& state)
{
    // The 48×320 input tensor as the recogniser's pre-processing makes it: the graph alone.
    OnnxModel model;
    if (auto st = model.load(ppocrModelDir() + "/ch_PP-OCRv4_rec_infer.onnx"); !st) return state.SkipWithError(st.message.c_str());
    OnnxTensor x;
    x.shape = {1, 3, 48, 320};
    for (int64_t i = 0; i < 3 * 48 * 320; ++i) x.values.push_back(float(std::sin(0.01 * double(i))));
    double kernel = 0, total = 0;
    for (auto _ : state) {
        OnnxRunResult r;
        const auto t0 = std::chrono::steady_clock::now();
        if (auto st = model.run({{"x", x}}, r); !st) return state.SkipWithError(st.message.c_str());
        total += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        kernel += r.kernelMilliseconds;
    }
    state.counters["kernel_ms"] = kernel / double(state.iterations());
    state.counters["overhead_pct"] = 100.0 * (total - kernel) / total;
}
BENCHMARK(BM_RecogniserGraph)->Unit(benchmark::kMillisecond)->MinTime(3.0)->UseRealTime();

void BM_RecogniserPicture(benchmark::State& state)
{
    static const std::string line = renderPicture({400, 60}, "Hello World 2026", 36, 45);
    VisionModel model;
    if (auto st = model.load("ppocr-rec"); !st) return state.SkipWithError(st.message.c_str());
    for (auto _ : state) {
        AttentionTrace t;
        if (auto st = model.run(line, t); !st) return state.SkipWithError(st.message.c_str());
    }
}
BENCHMARK(BM_RecogniserPicture)->Unit(benchmark::kMillisecond)->MinTime(3.0)->UseRealTime();

void BM_InspectRecogniser(benchmark::State& state)
{
    // What the attention chooser and `inspect` do: parse, checker, shape inference, search.
    for (auto _ : state) {
        OnnxInspection o;
        if (auto st = inspectOnnx(ppocrModelDir() + "/ch_PP-OCRv4_rec_infer.onnx", o); !st) return state.SkipWithError(st.message.c_str());
    }
}
BENCHMARK(BM_InspectRecogniser)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_LoadRecogniser(benchmark::State& state)
{
    // What the first run of a model costs before the graph runs (the model cache keeps it after).
    for (auto _ : state) {
        OnnxModel m;
        if (auto st = m.load(ppocrModelDir() + "/ch_PP-OCRv4_rec_infer.onnx"); !st) return state.SkipWithError(st.message.c_str());
    }
}
BENCHMARK(BM_LoadRecogniser)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_DetectorPage(benchmark::State& state)
{
    static const std::string page = renderPicture({640, 480}, "AttnScope reads ONNX", 40, 120);
    VisionModel model;
    if (auto st = model.load("ppocr-det"); !st) return state.SkipWithError(st.message.c_str());
    for (auto _ : state) {
        AttentionTrace t;
        if (auto st = model.run(page, t); !st) return state.SkipWithError(st.message.c_str());
    }
}
BENCHMARK(BM_DetectorPage)->Unit(benchmark::kMillisecond)->MinTime(3.0)->UseRealTime();
} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    initEngineThreads(1);  // one thread, as the PyTorch figure
    if (ppocrModelDir().empty()) {
        std::fprintf(stderr, "bench_onnx: PaddleOCR PP-OCRv4 is not cached; run scripts/install-deps\n");
        return 1;
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
