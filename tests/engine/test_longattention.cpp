// Attention at LLM length: tiled .attn files with a level-of-detail pyramid, Q/K mode,
// memory-mapped dumps, the blockwise Transformer encoder. Exactness, not timings.
#include "attnscope/longattention.h"
#include "attnscope/qk.h"
#include "long/storage.h"
#include "models/transformer.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <random>

using namespace attnscope;

namespace {
/// A random row-stochastic matrix (rows sum to 1), optionally causal.
std::vector<float> randomAttention(int64_t rows, int64_t cols, uint32_t seed, bool causal = false, int64_t sink = -1)
{
    std::mt19937 rng(seed);
    std::exponential_distribution<float> e(1.f);
    std::vector<float> v(size_t(rows * cols));
    for (int64_t r = 0; r < rows; ++r) {
        double sum = 0;
        const int64_t end = causal ? std::min(cols, r + 1) : cols;
        for (int64_t c = 0; c < end; ++c) sum += v[size_t(r * cols + c)] = e(rng) * e(rng);
        for (int64_t c = 0; c < end; ++c) v[size_t(r * cols + c)] = float(v[size_t(r * cols + c)] / sum);
        if (sink >= 0 && sink < end) {  // half of every row's mass on the sink key
            for (int64_t c = 0; c < end; ++c) v[size_t(r * cols + c)] *= 0.5f;
            v[size_t(r * cols + sink)] += 0.5f;
        }
    }
    return v;
}

/// Block max / mean of a dense matrix, computed the obvious way.
float blockOf(const std::vector<float>& v, int64_t rows, int64_t cols, int64_t b, int64_t I, int64_t J, bool mean)
{
    double s = 0;
    float m = 0;
    int64_t n = 0;
    for (int64_t r = I * b; r < std::min(rows, (I + 1) * b); ++r)
        for (int64_t c = J * b; c < std::min(cols, (J + 1) * b); ++c) {
            const float x = v[size_t(r * cols + c)];
            m = std::max(m, x);
            s += x;
            ++n;
        }
    return mean ? float(s / double(n)) : m;
}

std::vector<float> readAll(const AttentionMatrix& m, int64_t b, BlockReduce reduce)
{
    const int64_t R = blockCount(m.rows(), b), C = blockCount(m.cols(), b);
    std::vector<float> out(size_t(R * C));
    const auto st = m.readBlocks(b, reduce, 0, 0, R, C, out.data());
    if (!st) qWarning() << st.message.c_str();
    return out;
}

/// softmax(Q Kᵀ·s) of one head in double precision: [n, n].
std::vector<double> denseSoftmax(const float* q, const float* k, int64_t n, int64_t d, double s, bool causal)
{
    std::vector<double> a(size_t(n * n), 0.0);
    for (int64_t i = 0; i < n; ++i) {
        const int64_t end = causal ? i + 1 : n;
        double mx = -1e300;
        for (int64_t j = 0; j < end; ++j) {
            double dot = 0;
            for (int64_t t = 0; t < d; ++t) dot += double(q[i * d + t]) * double(k[j * d + t]);
            a[size_t(i * n + j)] = dot * s;
            mx = std::max(mx, dot * s);
        }
        double sum = 0;
        for (int64_t j = 0; j < end; ++j) sum += a[size_t(i * n + j)] = std::exp(a[size_t(i * n + j)] - mx);
        for (int64_t j = 0; j < end; ++j) a[size_t(i * n + j)] /= sum;
    }
    return a;
}

QkArrays randomQk(int64_t L, int64_t H, int64_t Hkv, int64_t n, int64_t d, bool causal, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.f, 1.5f);
    QkArrays a;
    a.layers = L;
    a.heads = H;
    a.kvHeads = Hkv;
    a.tokens = n;
    a.headDim = d;
    a.causal = causal;
    a.q.resize(size_t(L * H * n * d));
    a.k.resize(size_t(L * Hkv * n * d));
    for (auto& x : a.q) x = g(rng);
    for (auto& x : a.k) x = g(rng);
    return a;
}

/// Writes a float16 .npy of `shape` (C order) from float values.
void writeNpyHalf(const QString& path, const std::vector<int64_t>& shape, const std::vector<float>& v)
{
    std::string dims;
    for (size_t i = 0; i < shape.size(); ++i) dims += std::to_string(shape[i]) + ",";
    std::string header = "{'descr': '<f2', 'fortran_order': False, 'shape': (" + dims + "), }";
    while ((10 + header.size() + 1) % 64) header += ' ';
    header += '\n';
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("\x93NUMPY\x01\x00", 8);
    const uint16_t len = uint16_t(header.size());
    f.write(reinterpret_cast<const char*>(&len), 2);
    f.write(header.c_str(), qint64(header.size()));
    std::vector<uint16_t> h(v.size());
    for (size_t i = 0; i < v.size(); ++i) h[i] = longattn::floatToHalf(v[i]);
    f.write(reinterpret_cast<const char*>(h.data()), qint64(h.size() * 2));
}

int64_t residentKiB()
{
    std::ifstream statm("/proc/self/statm");
    int64_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

std::shared_ptr<AttentionTrace> traceOf(const std::vector<float>& v, int64_t L, int64_t H, int64_t rows, int64_t cols)
{
    auto t = std::make_shared<AttentionTrace>();
    TraceTensor x;
    x.name = "attention";
    x.axes = {"layer", "head", "query", "key"};
    x.shape = {L, H, rows, cols};
    x.values = v;
    t->tensors.push_back(x);
    return t;
}
} // namespace

class TestLongAttention : public QObject {
    Q_OBJECT
private slots:
    void halfPrecisionRoundsToNearestEven()
    {
        using namespace longattn;
        QCOMPARE(floatToHalf(1.0f), uint16_t(0x3c00));
        QCOMPARE(floatToHalf(-2.0f), uint16_t(0xc000));
        QCOMPARE(floatToHalf(65504.f), uint16_t(0x7bff));
        QCOMPARE(floatToHalf(65520.f), uint16_t(0x7c00));         // rounds up to infinity
        QCOMPARE(floatToHalf(std::ldexp(1.f, -24)), uint16_t(0x0001));  // the smallest subnormal
        QCOMPARE(floatToHalf(std::ldexp(1.f, -25)), uint16_t(0x0000));  // a tie rounds to even (zero)
        QCOMPARE(floatToHalf(1.f + std::ldexp(1.f, -11)), uint16_t(0x3c00));      // tie → even
        QCOMPARE(floatToHalf(1.f + 3 * std::ldexp(1.f, -11)), uint16_t(0x3c02));  // tie → even (up)
        for (float x : {0.f, 1e-5f, 0.1234f, 0.5f, 0.999f, 3.14159f})
            QVERIFY(std::abs(halfToFloat(floatToHalf(x)) - x) <= std::abs(x) * 1e-3f + 1e-7f);
        QCOMPARE(floatToBFloat16(1.0f), uint16_t(0x3f80));
        float back;
        const uint32_t bits = uint32_t(floatToBFloat16(0.3f)) << 16;
        std::memcpy(&back, &bits, 4);
        QVERIFY(std::abs(back - 0.3f) < 0.3f / 128);
    }

    void vectorisedHalfConversionMatchesScalar()
    {
        // Issue 28 item 17: F16C (chosen at run time) must give the scalar code's bits.
        using namespace longattn;
        if (!hasF16c()) QSKIP("this CPU has no F16C: only the scalar conversion runs");
        std::vector<uint16_t> halves(65536);
        for (uint32_t i = 0; i < 65536; ++i) halves[i] = uint16_t(i);
        std::vector<float> fast(65536), slow(65536);
        halvesToFloats(halves.data(), 65536, fast.data());
        setScalarHalfConversion(true);
        halvesToFloats(halves.data(), 65536, slow.data());
        setScalarHalfConversion(false);
        for (uint32_t i = 0; i < 65536; ++i)
            QVERIFY2(std::memcmp(&fast[i], &slow[i], 4) == 0 || (std::isnan(fast[i]) && std::isnan(slow[i])),
                     qPrintable(QStringLiteral("half 0x%1").arg(i, 4, 16, QLatin1Char('0'))));
        // float → half: every edge the scalar test names, every half's exact value and the
        // midpoints between neighbours (ties), and random bit patterns.
        std::vector<float> floats = {0.f, -0.f, 65504.f, 65519.f, 65520.f, 1e9f, std::ldexp(1.f, -24), std::ldexp(1.f, -25),
                                     std::ldexp(3.f, -26), 1.f + std::ldexp(1.f, -11), std::numeric_limits<float>::infinity()};
        for (uint32_t i = 0; i < 0x7c00; ++i) {
            const float a = halfToFloat(uint16_t(i)), b = halfToFloat(uint16_t(i + 1));
            floats.insert(floats.end(), {a, -a, (a + b) / 2, std::nextafter((a + b) / 2, 0.f)});
        }
        std::mt19937 rng(7);
        for (int i = 0; i < 200000; ++i) {
            const uint32_t bits = rng();
            float f;
            std::memcpy(&f, &bits, 4);
            if (!std::isnan(f)) floats.push_back(f);
        }
        std::vector<uint16_t> hf(floats.size()), hs(floats.size());
        floatsToHalves(floats.data(), int64_t(floats.size()), hf.data());
        setScalarHalfConversion(true);
        floatsToHalves(floats.data(), int64_t(floats.size()), hs.data());
        setScalarHalfConversion(false);
        for (size_t i = 0; i < floats.size(); ++i)
            QVERIFY2(hf[i] == hs[i], qPrintable(QStringLiteral("%1: F16C 0x%2, scalar 0x%3").arg(double(floats[i]), 0, 'g', 9)
                                                    .arg(hf[i], 4, 16).arg(hs[i], 4, 16)));
    }

    void tiledFloat32LevelsEqualBlockMaxAndMean()
    {
        // 1100 × 1300: three stored levels (1, 4, 16), partial tiles and partial blocks at the edges.
        const int64_t L = 1, H = 2, R = 1100, C = 1300;
        std::vector<float> all;
        for (int64_t h = 0; h < H; ++h) {
            const auto m = randomAttention(R, C, 7 + uint32_t(h));
            all.insert(all.end(), m.begin(), m.end());
        }
        auto trace = traceOf(all, L, H, R, C);
        QTemporaryDir dir;
        const std::string path = dir.filePath("tiled.attn").toStdString();
        SaveOptions o;
        o.tiledFromCells = 0;
        o.storage = StorageType::Float32;
        QVERIFY(saveTrace(*trace, path, o).ok);
        AttentionTrace back;
        const Status st = loadTrace(path, back);
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(back.tensors[0].store);
        QCOMPARE(back.tensors[0].store->layout(), std::string("tiled"));
        QVERIFY(back.tensors[0].values.empty());
        const auto blocks = pyramidBlocks(R, C);
        QCOMPARE(blocks, (std::vector<int64_t>{1, 4, 16}));
        for (int64_t h = 0; h < H; ++h) {
            const MatrixPtr m = back.tensors[0].store->matrix(0, h);
            QCOMPARE(m->storedBlocks(), blocks);
            const std::vector<float> ref(all.begin() + h * R * C, all.begin() + (h + 1) * R * C);
            QCOMPARE(readAll(*m, 1, BlockReduce::Max), ref);  // bit-exact in float32
            // Stored levels (4, 16) and derived ones (2, 8, 32, 64).
            for (int64_t b : {2, 4, 8, 16, 32, 64})
                for (BlockReduce red : {BlockReduce::Max, BlockReduce::Mean}) {
                    const auto got = readAll(*m, b, red);
                    const int64_t BR = blockCount(R, b), BC = blockCount(C, b);
                    for (int64_t I = 0; I < BR; ++I)
                        for (int64_t J = 0; J < BC; ++J) {
                            const float want = blockOf(ref, R, C, b, I, J, red == BlockReduce::Mean);
                            const float g = got[size_t(I * BC + J)];
                            if (std::abs(g - want) > 1e-6f * std::max(1.f, want))
                                QFAIL(qPrintable(QString("block %1 (%2, %3) %4: %5 vs %6").arg(b).arg(I).arg(J)
                                                     .arg(red == BlockReduce::Max ? "max" : "mean").arg(g).arg(want)));
                        }
                }
            // A region in the middle, straddling tiles.
            std::vector<float> region(size_t(300 * 200));
            QVERIFY(m->readBlocks(1, BlockReduce::Max, 250, 500, 300, 200, region.data()).ok);
            for (int64_t i = 0; i < 300; ++i)
                for (int64_t j = 0; j < 200; ++j) QCOMPARE(region[size_t(i * 200 + j)], ref[size_t((250 + i) * C + 500 + j)]);
            // Rows and columns.
            std::vector<float> row(static_cast<size_t>(C)), col(static_cast<size_t>(R));
            QVERIFY(m->readRow(777, row.data()).ok);
            QVERIFY(m->readColumn(1234, col.data()).ok);
            QCOMPARE(row[5], ref[size_t(777 * C + 5)]);
            QCOMPARE(col[1099], ref[size_t(1099 * C + 1234)]);
            // Regions outside are refused.
            QVERIFY(!m->readBlocks(4, BlockReduce::Max, 0, 0, 276, 1, row.data()).ok);
        }
    }

    void float16StorageKeepsThePyramidConsistent()
    {
        const int64_t R = 1000, C = 1000;
        const auto ref = randomAttention(R, C, 3);
        auto trace = traceOf(ref, 1, 1, R, C);
        QTemporaryDir dir;
        const std::string path = dir.filePath("half.attn").toStdString();
        SaveOptions o;
        o.tiledFromCells = 0;
        QVERIFY(saveTrace(*trace, path, o).ok);
        o.storage = StorageType::Float32;
        QVERIFY(saveTrace(*trace, dir.filePath("single.attn").toStdString(), o).ok);
        // 2 bytes per cell instead of 4 (the pyramid and tile padding cost the same share in both).
        QVERIFY(QFileInfo(dir.filePath("half.attn")).size() < QFileInfo(dir.filePath("single.attn")).size() * 0.55);
        AttentionTrace back;
        QVERIFY(loadTrace(path, back).ok);
        const MatrixPtr m = back.tensors[0].store->matrix(0, 0);
        QCOMPARE(back.tensors[0].store->storageType(), StorageType::Float16);
        const auto base = readAll(*m, 1, BlockReduce::Max);
        for (size_t i = 0; i < ref.size(); ++i) QVERIFY(std::abs(base[i] - ref[i]) <= ref[i] * 1e-3f + 1e-7f);
        // Levels: the max is the max of the stored cells (rounding is monotonic), the mean within f16 precision.
        const auto mx = readAll(*m, 4, BlockReduce::Max), mean = readAll(*m, 4, BlockReduce::Mean);
        const int64_t B = blockCount(R, 4);
        for (int64_t I = 0; I < B; ++I)
            for (int64_t J = 0; J < B; ++J) {
                QCOMPARE(mx[size_t(I * B + J)], blockOf(base, R, C, 4, I, J, false));
                QVERIFY(std::abs(mean[size_t(I * B + J)] - blockOf(base, R, C, 4, I, J, true)) <= 2e-3f * blockOf(base, R, C, 4, I, J, true) + 1e-7f);
            }
    }

    void statsFindSinksAndCausalMatrices()
    {
        const int64_t n = 400;
        const auto v = randomAttention(n, n, 11, true, 0);  // causal, key 0 takes half of every row
        auto trace = traceOf(v, 1, 1, n, n);
        QTemporaryDir dir;
        const std::string path = dir.filePath("sink.attn").toStdString();
        SaveOptions o;
        o.tiledFromCells = 0;
        o.storage = StorageType::Float32;
        QVERIFY(saveTrace(*trace, path, o).ok);
        AttentionTrace back;
        QVERIFY(loadTrace(path, back).ok);
        const MatrixStats s = back.tensors[0].store->matrix(0, 0)->stats();
        QVERIFY(s.causal);
        QCOMPARE(int64_t(s.rowMax.size()), n);
        QVERIFY(s.rowSumDeviation < 1e-4f);
        for (int64_t c : {0, 17, 399}) {
            double sum = 0;
            float mn = 1;
            for (int64_t r = c; r < n; ++r) {
                sum += v[size_t(r * n + c)];
                mn = std::min(mn, v[size_t(r * n + c)]);
            }
            QVERIFY(std::abs(s.colMean[size_t(c)] - float(sum / double(n - c))) < 1e-5f);
            QCOMPARE(s.colMin[size_t(c)], mn);
        }
        float rowMax = 0;
        for (int64_t c = 0; c < n; ++c) rowMax = std::max(rowMax, v[size_t(123 * n + c)]);
        QCOMPARE(s.rowMax[123], rowMax);
        const auto sinks = findSinks(s, 0.4f);
        QCOMPARE(int(sinks.size()), 1);
        QCOMPARE(sinks[0].key, int64_t(0));
        QVERIFY(sinks[0].minShare >= 0.5f);
        QVERIFY(findSinks(s, 0.6f).empty());
    }

    void versionOneFilesStillOpen()
    {
        // A version-1 file, byte by byte as AttnScope 0.1 wrote it.
        QTemporaryDir dir;
        const QString path = dir.filePath("old.attn");
        const QByteArray json = R"({"format":"attnscope-trace","version":1,"model":"gru-bahdanau","score_function":"additive",)"
                                R"("metadata":{"input":"Y Rut"},"gold_links":[],"source_evaluated":[],"target_evaluated":[],)"
                                R"("tensors":[{"name":"cross","axes":["target","source"],"shape":[2,2],"labels":[["Ruth","</s>"],["Rut","</s>"]],"dtype":"float32"}]})";
        QByteArray bytes("ATTNSCOP", 8);
        const quint32 version = 1;
        const quint64 len = quint64(json.size());
        bytes.append(reinterpret_cast<const char*>(&version), 4).append(reinterpret_cast<const char*>(&len), 8).append(json);
        const float values[4] = {0.9f, 0.1f, 0.25f, 0.75f};
        bytes.append(reinterpret_cast<const char*>(values), sizeof values);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        f.close();
        AttentionTrace t;
        const Status st = loadTrace(path.toStdString(), t);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(t.model, std::string("gru-bahdanau"));
        QCOMPARE(t.tensors[0].values, (std::vector<float>{0.9f, 0.1f, 0.25f, 0.75f}));
        QCOMPARE(t.tensors[0].labels[0][0], std::string("Ruth"));
        // Saved again it becomes version 2, with the same values (small tensors stay float32).
        QVERIFY(saveTrace(t, (path + "2").toStdString()).ok);
        AttentionTrace again;
        QVERIFY(loadTrace((path + "2").toStdString(), again).ok);
        QVERIFY(again == t);
        QFile v2(path + "2");
        QVERIFY(v2.open(QIODevice::ReadOnly));
        const QByteArray head = v2.read(12);
        QCOMPARE(quint32(uchar(head[8])), 2u);
    }

    void qkTilesEqualTheDenseSoftmax()
    {
        for (bool causal : {false, true}) {
            const int64_t L = 2, H = 4, Hkv = 2, n = 300, d = 16;
            QkArrays a = randomQk(L, H, Hkv, n, d, causal, causal ? 5 : 4);
            const QkArrays copy = a;
            TraceTensor t;
            const Status st = makeQkTensor(a, "attention", {}, t);
            QVERIFY2(st.ok, st.message.c_str());
            QCOMPARE(t.shape, (std::vector<int64_t>{L, H, n, n}));
            QCOMPARE(t.store->layout(), std::string("qk"));
            QCOMPARE(t.store->kvHeadOf(3), int64_t(1));  // heads 2 and 3 share KV head 1
            const double s = 1.0 / std::sqrt(double(d));
            for (int64_t l = 0; l < L; ++l)
                for (int64_t h = 0; h < H; ++h) {
                    const float* q = copy.q.data() + (l * H + h) * n * d;
                    const float* k = copy.k.data() + (l * Hkv + h / 2) * n * d;
                    const auto want = denseSoftmax(q, k, n, d, s, causal);
                    const MatrixPtr m = t.store->matrix(l, h);
                    QVERIFY(m->needsOverview());
                    // Any tile: here a 120 × 170 region straddling the diagonal.
                    std::vector<float> tile(size_t(120 * 170));
                    QVERIFY(m->readBlocks(1, BlockReduce::Max, 90, 40, 120, 170, tile.data()).ok);
                    for (int64_t i = 0; i < 120; ++i)
                        for (int64_t j = 0; j < 170; ++j) {
                            const double w = want[size_t((90 + i) * n + 40 + j)];
                            QVERIFY2(std::abs(tile[size_t(i * 170 + j)] - w) < 1e-5, qPrintable(QString::number(w)));
                            if (causal && 40 + j > 90 + i) QCOMPARE(tile[size_t(i * 170 + j)], 0.f);
                        }
                    std::vector<float> row(static_cast<size_t>(n)), col(static_cast<size_t>(n));
                    QVERIFY(m->readRow(150, row.data()).ok);
                    QVERIFY(m->readColumn(7, col.data()).ok);
                    double rowSum = 0;
                    for (int64_t j = 0; j < n; ++j) {
                        QVERIFY(std::abs(row[size_t(j)] - want[size_t(150 * n + j)]) < 1e-5);
                        QVERIFY(std::abs(col[size_t(j)] - want[size_t(j * n + 7)]) < 1e-5);
                        rowSum += row[size_t(j)];
                    }
                    QVERIFY(std::abs(rowSum - 1.0) < 1e-4);
                    // The overview (block max and mean) and the stats in one pass.
                    QVERIFY(m->buildOverview(8).ok);
                    QVERIFY(!m->needsOverview());
                    QCOMPARE(m->storedBlocks(), (std::vector<int64_t>{1, 8}));
                    std::vector<float> wantF(want.begin(), want.end());
                    for (BlockReduce red : {BlockReduce::Max, BlockReduce::Mean}) {
                        const auto got = readAll(*m, 8, red);
                        const int64_t B = blockCount(n, 8);
                        for (int64_t I = 0; I < B; ++I)
                            for (int64_t J = 0; J < B; ++J)
                                QVERIFY(std::abs(got[size_t(I * B + J)] - blockOf(wantF, n, n, 8, I, J, red == BlockReduce::Mean)) < 1e-5);
                    }
                    const MatrixStats stats = m->stats();
                    QCOMPARE(stats.causal, causal);
                    double colSum = 0;
                    for (int64_t i = causal ? 33 : 0; i < n; ++i) colSum += want[size_t(i * n + 33)];
                    QVERIFY(std::abs(stats.colMean[33] - colSum / double(causal ? n - 33 : n)) < 1e-5);
                }
        }
    }

    void qkTracesRoundTripAndMaterialise()
    {
        const int64_t n = 260, d = 8;
        QkArrays a = randomQk(1, 2, 1, n, d, true, 9);
        TraceTensor t;
        QVERIFY(makeQkTensor(a, "attention", {}, t).ok);
        AttentionTrace trace;
        trace.model = "test";
        trace.tensors.push_back(t);
        QTemporaryDir dir;
        const std::string qkPath = dir.filePath("qk.attn").toStdString();
        QVERIFY(saveTrace(trace, qkPath).ok);
        // O(n·d): far smaller than n² weights.
        QVERIFY(QFileInfo(dir.filePath("qk.attn")).size() < 2 * n * d * 4 * 2 + 8192);
        AttentionTrace back;
        const Status st = loadTrace(qkPath, back);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(back.tensors[0].store->layout(), std::string("qk"));
        QCOMPARE(back.tensors[0].store->kvHeads(), int64_t(1));
        QVERIFY(back.tensors[0].store->causal());
        const auto before = readAll(*t.store->matrix(0, 1), 1, BlockReduce::Max);
        QCOMPARE(readAll(*back.tensors[0].store->matrix(0, 1), 1, BlockReduce::Max), before);
        // Materialised as weights: a tiled float16 tensor with the same cells (f16 precision).
        SaveOptions o;
        o.materializeQk = true;
        const std::string wPath = dir.filePath("weights.attn").toStdString();
        QVERIFY(saveTrace(trace, wPath, o).ok);
        AttentionTrace weights;
        QVERIFY(loadTrace(wPath, weights).ok);
        QCOMPARE(weights.tensors[0].store->layout(), std::string("tiled"));
        const auto after = readAll(*weights.tensors[0].store->matrix(0, 1), 1, BlockReduce::Max);
        for (size_t i = 0; i < before.size(); ++i) QVERIFY(std::abs(after[i] - before[i]) <= before[i] * 1e-3f + 1e-7f);
        QVERIFY(weights.tensors[0].store->matrix(0, 1)->stats().causal);
    }

    void qkArraysImportFromSafetensors()
    {
        // q [2 heads, n, d], k [1 KV head, n, d] (GQA), no lse: computed on import.
        const int64_t n = 64, d = 4;
        QkArrays a = randomQk(1, 2, 1, n, d, false, 21);
        QByteArray header = QByteArray(R"({"q":{"dtype":"F32","shape":[2,64,4],"data_offsets":[0,2048]},)") +
                            R"("k":{"dtype":"F32","shape":[1,64,4],"data_offsets":[2048,3072]}})";
        QTemporaryDir dir;
        QFile f(dir.filePath("qk.safetensors"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        const quint64 len = quint64(header.size());
        f.write(reinterpret_cast<const char*>(&len), 8);
        f.write(header);
        f.write(reinterpret_cast<const char*>(a.q.data()), qint64(a.q.size() * 4));
        f.write(reinterpret_cast<const char*>(a.k.data()), qint64(a.k.size() * 4));
        f.close();
        const std::string path = dir.filePath("qk.safetensors").toStdString();
        QVERIFY(hasQkArrays(path));
        AttentionTrace t;
        const Status st = importQk(path, t);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(t.tensors[0].shape, (std::vector<int64_t>{1, 2, n, n}));
        QCOMPARE(t.tensors[0].store->kvHeads(), int64_t(1));
        const auto want = denseSoftmax(a.q.data() + n * d, a.k.data(), n, d, 0.5, false);
        const auto got = readAll(*t.tensors[0].store->matrix(0, 1), 1, BlockReduce::Max);
        for (size_t i = 0; i < got.size(); ++i) QVERIFY(std::abs(got[i] - want[i]) < 1e-5);
        // Shapes that disagree are refused with both shapes named.
        QkArrays bad = randomQk(1, 3, 2, n, d, false, 1);
        TraceTensor x;
        const Status refused = makeQkTensor(bad, "attention", {}, x);
        QVERIFY(!refused.ok);
        QVERIFY(QString::fromStdString(refused.message).contains("KV heads"));
    }

    void mappedDumpsImportWithoutACopy()
    {
        // [2 layers, 3 heads, 520, 520] float16 .npy: every matrix read from the map, then tiled.
        const int64_t L = 2, H = 3, n = 520;
        std::vector<float> all;
        for (int64_t m = 0; m < L * H; ++m) {
            const auto v = randomAttention(n, n, 100 + uint32_t(m));
            all.insert(all.end(), v.begin(), v.end());
        }
        QTemporaryDir dir;
        const QString npy = dir.filePath("dump.npy");
        writeNpyHalf(npy, {L, H, n, n}, all);
        MappedDump d;
        const Status st = mapDumpFile(npy.toStdString(), {}, d);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(d.layers, L);
        QCOMPARE(d.heads, H);
        QCOMPARE(int(d.matrices.size()), int(L * H));
        std::vector<float> row(static_cast<size_t>(n));
        QVERIFY(d.matrices[4]->readRow(77, row.data()).ok);
        QCOMPARE(row[3], longattn::halfToFloat(longattn::floatToHalf(all[size_t(4 * n * n + 77 * n + 3)])));
        const std::string out = dir.filePath("dump.attn").toStdString();
        std::string warning;
        const Status is = importDumpToFile(npy.toStdString(), {}, out, SaveOptions{}, &warning);
        QVERIFY2(is.ok, is.message.c_str());
        QVERIFY(warning.empty());
        AttentionTrace t;
        QVERIFY(loadTrace(out, t).ok);
        QCOMPARE(t.tensors[0].shape, (std::vector<int64_t>{L, H, n, n}));
        const auto back = readAll(*t.tensors[0].store->matrix(1, 1), 1, BlockReduce::Max);
        std::vector<float> direct(size_t(n * n));
        QVERIFY(d.matrices[4]->readBlocks(1, BlockReduce::Max, 0, 0, n, n, direct.data()).ok);
        QCOMPARE(back, direct);  // float16 in, float16 out: no second rounding
        // Item 17: a float16 dump hands its rows out as stored, so the writer copies them into
        // level 0 instead of decoding and encoding each value; the tiles hold the dump's bits.
        const char* stored = d.matrices[4]->storedRows(77, 2, StorageType::Float16);
        QVERIFY(stored);
        QCOMPARE(longattn::halfToFloat(reinterpret_cast<const uint16_t*>(stored)[3]), row[3]);
        QVERIFY(!d.matrices[4]->storedRows(77, 2, StorageType::BFloat16));
        QVERIFY(!d.matrices[4]->storedRows(n - 1, 2, StorageType::Float16));
        // Axes other than (…, query, key) are not mapped; NaN is refused; uneven rows warned.
        ImportOptions swapped;
        swapped.axes = {"layer", "head", "key", "query"};
        QVERIFY(!mapDumpFile(npy.toStdString(), swapped, d).ok);
        all[5] = std::nanf("");
        writeNpyHalf(npy, {L, H, n, n}, all);
        const Status nan = importDumpToFile(npy.toStdString(), {}, out + ".nan", SaveOptions{}, &warning);
        QVERIFY(!nan.ok);
        QVERIFY(QString::fromStdString(nan.message).contains("NaN"));
        all[5] = 0.5f;
        writeNpyHalf(npy, {L, H, n, n}, all);
        QVERIFY(importDumpToFile(npy.toStdString(), {}, out, SaveOptions{}, &warning).ok);
        QVERIFY(QString::fromStdString(warning).contains("do not sum to 1"));
    }

    void importKeepsMemoryBounded()
    {
        // A 4096² float32 dump (64 MiB) imported to tiles: the resident set grows by far less
        // than the dump (the writer holds one band of 256 rows; read pages are given back).
        const int64_t n = 4096;
        QTemporaryDir dir;
        const QString npy = dir.filePath("big.npy");
        {
            std::vector<float> v = randomAttention(n, n, 1);
            QVERIFY(writeNpy(npy.toStdString(), {n, n}, v).ok);
        }
        const int64_t before = residentKiB();
        int64_t peak = before;
        SaveOptions o;
        o.progress = [&](int64_t, int64_t) {
            peak = std::max(peak, residentKiB());
            return true;
        };
        const Status st = importDumpToFile(npy.toStdString(), {}, dir.filePath("big.attn").toStdString(), o);
        QVERIFY2(st.ok, st.message.c_str());
        qInfo() << "resident growth while importing 64 MiB:" << (peak - before) / 1024 << "MiB";
        QVERIFY2(peak - before < 48 * 1024, qPrintable(QString::number((peak - before) / 1024) + " MiB"));
        // Reading the whole overview touches only the coarse level.
        AttentionTrace t;
        QVERIFY(loadTrace(dir.filePath("big.attn").toStdString(), t).ok);
        const int64_t opened = residentKiB();
        const auto overview = readAll(*t.tensors[0].store->matrix(0, 0), 16, BlockReduce::Max);
        QCOMPARE(int64_t(overview.size()), (n / 16) * (n / 16));
        QVERIFY(residentKiB() - opened < 8 * 1024);
    }

    void blockwiseEncoderEqualsTheDenseForward()
    {
        // A small random Transformer: the blockwise Q/K encoder gives the weights of the
        // ordinary forward, every layer and head (so the residual stream matches too).
        torch::manual_seed(3);
        TransformerConfig cfg;
        cfg.sourceVocab = cfg.targetVocab = 50;
        cfg.dModel = 32;
        cfg.heads = 4;
        cfg.encoderLayers = 2;
        cfg.decoderLayers = 1;
        cfg.feedForward = 64;
        TransformerNMT m(cfg);
        m->eval();
        torch::NoGradGuard ng;
        const auto src = torch::randint(4, 50, {1, 45}, torch::kLong);
        torch::Tensor mask;
        TransformerAttention att;
        m->encode(src, mask, &att);
        std::vector<torch::Tensor> q, k, lse;
        QVERIFY(m->encodeLong(src, 16, q, k, lse, {}));
        QCOMPARE(int(q.size()), 2);
        QkArrays a;
        a.layers = 2;
        a.heads = a.kvHeads = 4;
        a.tokens = 45;
        a.headDim = 8;
        const auto flat = [](const std::vector<torch::Tensor>& v) {
            const auto t = torch::stack(v).contiguous();
            return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
        };
        a.q = flat(q);
        a.k = flat(k);
        a.lse = flat(lse);
        TraceTensor t;
        QVERIFY(makeQkTensor(a, "encoder_self", {}, t).ok);
        for (int64_t l = 0; l < 2; ++l)
            for (int64_t h = 0; h < 4; ++h) {
                const auto got = readAll(*t.store->matrix(l, h), 1, BlockReduce::Max);
                const auto want = att.encoderSelf[size_t(l)][0][h].contiguous();
                const float* w = want.data_ptr<float>();
                for (int64_t i = 0; i < 45 * 45; ++i) QVERIFY(std::abs(got[size_t(i)] - w[i]) < 1e-5f);
            }
        // Cancelling stops between blocks.
        std::vector<torch::Tensor> q2, k2, l2;
        QVERIFY(!m->encodeLong(src, 16, q2, k2, l2, [](int64_t) { return false; }));
    }
};

QTEST_GUILESS_MAIN(TestLongAttention)
#include "test_longattention.moc"
