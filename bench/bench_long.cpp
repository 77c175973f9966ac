// Attention at LLM length (issue 18): a 32,768² float16 tiled trace (2 GiB on disk) in the
// matrix view — first paint, pan/zoom frames, resident memory, the GUI thread's longest stall —
// and Q/K mode at 32,768 tokens × d 128 (overview, a 1024² tile at full zoom, one row).
// Run: QT_QPA_PLATFORM=offscreen ./build/bench/bench_long
// The 32k trace is written once to $ATTNSCOPE_BENCH_DIR (default /tmp/attnscope-bench).
#include "attnscope/longattention.h"
#include "attnscope/qk.h"
#include "attnscope/resources.h"
#include "benchmain.h"
#include "views/largematrixview.h"
#include "views/longfigure.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QTimer>
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <random>
#include <unistd.h>

using namespace attnscope;

namespace {
constexpr int64_t kN = 32768;

double residentMiB()
{
    std::ifstream statm("/proc/self/statm");
    int64_t size = 0, resident = 0;
    statm >> size >> resident;
    return double(resident) * double(sysconf(_SC_PAGESIZE)) / double(1 << 20);
}

/// A causal synthetic attention: a sink on key 0, a local band of 32 keys, a noisy background.
class SyntheticMatrix final : public AttentionMatrix {
public:
    int64_t rows() const override { return kN; }
    int64_t cols() const override { return kN; }
    std::string kind() const override { return "synthetic"; }

protected:
    Status readStored(int64_t, BlockReduce, int64_t r0, int64_t c0, int64_t nr, int64_t nc, float* out, const ProgressFn&) const override
    {
        for (int64_t i = 0; i < nr; ++i) {
            const int64_t r = r0 + i;
            const float bg = 0.2f / float(r + 1);
            for (int64_t j = 0; j < nc; ++j) {
                const int64_t c = c0 + j;
                float v = 0;
                if (c <= r) {
                    const uint32_t h = uint32_t(r * 2654435761u) ^ uint32_t(c * 2246822519u);
                    v = bg * (0.5f + float((h >> 8) & 1023) / 1023.f);
                    if (r - c < 32) v += 0.5f / float(std::min<int64_t>(32, r + 1));
                    if (c == 0) v += 0.3f;
                }
                out[i * nc + j] = v;
            }
        }
        return Status::success();
    }
};

class SyntheticStore final : public TensorStore {
public:
    std::string layout() const override { return "synthetic"; }
    StorageType storageType() const override { return StorageType::Float32; }
    int64_t layers() const override { return 1; }
    int64_t heads() const override { return 1; }
    int64_t rows() const override { return kN; }
    int64_t cols() const override { return kN; }
    uint64_t bytes() const override { return 0; }
    MatrixPtr matrix(int64_t, int64_t) const override { return m_; }

private:
    MatrixPtr m_ = std::make_shared<SyntheticMatrix>();
};

QString tracePath()
{
    const QString dir = qEnvironmentVariableIsEmpty("ATTNSCOPE_BENCH_DIR") ? QStringLiteral("/tmp/attnscope-bench")
                                                                          : qEnvironmentVariable("ATTNSCOPE_BENCH_DIR");
    QDir().mkpath(dir);
    return dir + "/long32k.attn";
}

/// The 32k tiled trace, written once (~2.3 GB).
std::shared_ptr<const AttentionTrace> longTrace()
{
    const QString path = tracePath();
    if (!QFileInfo::exists(path)) {
        AttentionTrace t;
        t.model = "synthetic";
        TraceTensor x;
        x.name = "attention";
        x.axes = {"query", "key"};
        x.shape = {kN, kN};
        x.store = std::make_shared<SyntheticStore>();
        t.tensors.push_back(x);
        const auto t0 = std::chrono::steady_clock::now();
        if (auto st = saveTrace(t, path.toStdString(), SaveOptions{}); !st) qFatal("%s", st.message.c_str());
        fprintf(stderr, "wrote %s (%.1f GB) in %.0f s\n", qPrintable(path), QFileInfo(path).size() / 1e9,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    auto t = std::make_shared<AttentionTrace>();
    if (auto st = loadTrace(path.toStdString(), *t); !st) qFatal("%s", st.message.c_str());
    return t;
}

/// Measures the GUI thread's longest gap between 1 ms timer ticks while it runs.
struct StallMeter {
    QElapsedTimer clock;
    QTimer tick;
    qint64 last = 0, longest = 0;
    StallMeter()
    {
        clock.start();
        tick.setInterval(1);
        QObject::connect(&tick, &QTimer::timeout, [this] {
            longest = std::max(longest, clock.elapsed() - last);
            last = clock.elapsed();
        });
        tick.start();
    }
};

void spin(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

template <typename Pred> bool waitFor(Pred done, int ms)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < ms) spin(1);
    return done();
}

void BM_Long32kFirstPaint(benchmark::State& state)
{
    // From opening the 2 GiB file to the first paint of its overview, and the longest GUI stall.
    longTrace();  // written before timing
    double worstStall = 0, worstPaint = 0;
    for (auto _ : state) {
        ui::LargeMatrixView view;
        view.resize(1400, 1000);
        view.show();
        spin(20);
        StallMeter meter;
        const auto t0 = std::chrono::steady_clock::now();
        auto trace = std::make_shared<AttentionTrace>();
        loadTrace(tracePath().toStdString(), *trace);  // header + map (the workspace does this on a worker)
        MatrixPtr m;
        matrixOf(trace, "attention", 0, 0, m);
        view.setMatrix(m, {}, {}, "bench");
        waitFor([&] { return view.overviewReady(); }, 10000);
        view.repaint();
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        state.SetIterationTime(ms / 1000);
        worstStall = std::max(worstStall, double(meter.longest));
        worstPaint = std::max(worstPaint, ms);  // the first run reads the level from disk when the cache is cold
    }
    state.counters["first_paint_ms_worst"] = worstPaint;
    state.counters["gui_stall_ms"] = worstStall;
}
BENCHMARK(BM_Long32kFirstPaint)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_Long32kPanZoom(benchmark::State& state)
{
    // Zoom from the whole matrix down to labelled cells near the diagonal and back, panning at
    // each level; each frame is one paint of whatever tiles have arrived (tiles stream in on
    // workers). Frame times, resident memory and the GUI thread's longest stall.
    auto trace = longTrace();
    ui::LargeMatrixView view;
    view.resize(1400, 1000);
    view.show();
    MatrixPtr m;
    matrixOf(trace, "attention", 0, 0, m);
    view.setScale(state.range(0) ? ui::ScaleMode::Log : ui::ScaleMode::Linear);  // the Long workspace starts on log
    view.setMatrix(m, {}, {}, "bench");
    waitFor([&] { return view.overviewReady(); }, 10000);
    double worstFrame = 0, sumFrames = 0, peakResident = 0, peakCache = 0;
    int frames = 0;
    for (auto _ : state) {
        StallMeter meter;
        view.fit();
        const QPointF centre = view.plotRect().center();
        const auto frame = [&] {
            view.repaint();
            worstFrame = std::max(worstFrame, view.lastPaintMs());
            sumFrames += view.lastPaintMs();
            ++frames;
            spin(15);  // events between frames, as at 60 fps: tiles arrive
            peakResident = std::max(peakResident, residentMiB());
            peakCache = std::max(peakCache, double(view.cacheBytes()) / double(1 << 20));
        };
        view.centerOn(20000, 19990);
        for (int z = 0; z < 40; ++z) {  // 40 wheel steps of 0.8: ×7,500 in
            view.zoomBy(0.8, centre);
            frame();
            for (int p = 0; p < 3; ++p) {
                view.panBy(-60, -60);
                frame();
            }
        }
        waitFor([&] { return view.pendingTiles() == 0; }, 5000);
        frame();
        for (int z = 0; z < 40; ++z) {
            view.zoomBy(1.25, centre);
            frame();
        }
        state.counters["gui_stall_ms"] = double(meter.longest);
    }
    state.counters["frame_ms_max"] = worstFrame;
    state.counters["frame_ms_mean"] = frames ? sumFrames / frames : 0;
    state.counters["resident_MiB"] = peakResident;
    state.counters["view_cache_MiB"] = peakCache;
}
BENCHMARK(BM_Long32kPanZoom)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1);

TraceTensor randomQk(int64_t n, int64_t d, bool causal)
{
    QkArrays a;
    a.tokens = n;
    a.headDim = d;
    a.causal = causal;
    std::mt19937 rng(7);
    std::normal_distribution<float> g(0.f, 1.f);
    a.q.resize(size_t(n * d));
    a.k.resize(size_t(n * d));
    for (auto& x : a.q) x = g(rng);
    for (auto& x : a.k) x = g(rng);
    TraceTensor t;
    if (auto st = makeQkTensor(std::move(a), "attention", {}, t); !st) qFatal("%s", st.message.c_str());
    return t;
}

void BM_Qk32kOverview(benchmark::State& state)
{
    // One head of Q/K at 32,768 tokens × d 128: the block-32 overview (one pass over every cell,
    // as the view runs it in the background), a 1024² tile at full zoom, the row of one query.
    const bool causal = state.range(0) != 0;
    const TraceTensor t = randomQk(kN, 128, causal);
    for (auto _ : state) {
        MatrixPtr m = t.store->matrix(0, 0);
        auto t0 = std::chrono::steady_clock::now();
        m->buildOverview(32);
        state.counters["overview_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::vector<float> tile(1024 * 1024), row(static_cast<size_t>(kN));
        double tileMs = 0, rowMs = 0;
        for (int i = 0; i < 8; ++i) {
            t0 = std::chrono::steady_clock::now();
            m->readBlocks(1, BlockReduce::Max, 20000 + i * 1024, 8000 + i * 512, 1024, 1024, tile.data());
            tileMs += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        }
        for (int i = 0; i < 32; ++i) {
            t0 = std::chrono::steady_clock::now();
            m->readRow(1000 * i + 7, row.data());
            rowMs += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        }
        state.counters["tile_1024_ms"] = tileMs / 8;
        state.counters["row_ms"] = rowMs / 32;
    }
}
BENCHMARK(BM_Qk32kOverview)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_Qk32kInView(benchmark::State& state)
{
    // The same head as the Long view shows it (issue 28 item 18 measured this path): the sampled
    // overview at once, then the exact one from the view's background job while the GUI thread
    // runs its event loop; the first paint, the time to the exact overview and the GUI thread's
    // longest stall meanwhile.
    const bool causal = state.range(0) != 0;
    const TraceTensor t = randomQk(kN, 128, causal);
    for (auto _ : state) {
        ui::LargeMatrixView view;
        view.resize(1400, 1000);
        view.show();
        StallMeter meter;
        const auto t0 = std::chrono::steady_clock::now();
        view.setMatrix(t.store->matrix(0, 0), {}, {}, "bench");
        waitFor([&] { return view.overviewReady(); }, 60000);
        view.repaint();
        state.counters["first_paint_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        waitFor([&] { return view.overviewExact(); }, 600000);
        state.counters["exact_overview_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        state.counters["gui_stall_ms"] = double(meter.longest);
    }
}
BENCHMARK(BM_Qk32kInView)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->Iterations(1);
} // namespace

int main(int argc, char** argv) { return runBenchmarks(argc, argv); }
