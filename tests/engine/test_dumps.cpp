// Attention dumps: fixtures written here (.npy, .npz, .safetensors, JSON) read back exactly;
// corrupt, truncated, huge-header, NaN and negative inputs give messages, not crashes.
#include "attnscope/dumps.h"
#include "attnscope/qk.h"
#include "attnscope/trace.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <zip.h>

#include <cstring>

using namespace attnscope;

namespace {
QByteArray npy(const std::string& descr, const std::string& shape, const QByteArray& payload, int version = 1)
{
    std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    const size_t pre = version == 1 ? 10 : 12;
    while ((pre + header.size() + 1) % 64) header += ' ';
    header += '\n';
    QByteArray out("\x93NUMPY", 6);
    out.append(char(version)).append(char(0));
    const uint32_t len = uint32_t(header.size());
    out.append(reinterpret_cast<const char*>(&len), version == 1 ? 2 : 4);
    out.append(header.c_str(), qsizetype(header.size()));
    return out + payload;
}

template <typename T> QByteArray raw(const std::vector<T>& v)
{
    return QByteArray(reinterpret_cast<const char*>(v.data()), qsizetype(v.size() * sizeof(T)));
}

QString write(const QTemporaryDir& dir, const QString& name, const QByteArray& data)
{
    QFile f(dir.filePath(name));
    f.open(QIODevice::WriteOnly);
    f.write(data);
    return f.fileName();
}

// A 2-layer × 2-head × 2 × 2 attention, rows summing to 1.
const std::vector<float> kValues{0.9f, 0.1f, 0.2f, 0.8f, 0.5f, 0.5f, 0.25f, 0.75f,
                                 1.0f, 0.0f, 0.0f, 1.0f, 0.6f, 0.4f, 0.3f, 0.7f};
} // namespace

class TestDumps : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    /// An .npz of q [2, 8, 4], k [1, 8, 4] and `extra` entries (name, .npy bytes), as np.savez writes it.
    QString qkNpz(const QString& name, const std::vector<std::pair<const char*, QByteArray>>& extra)
    {
        std::vector<float> q(2 * 8 * 4), k(8 * 4);
        for (size_t i = 0; i < q.size(); ++i) q[i] = float(int(i % 7) - 3) * 0.25f;
        for (size_t i = 0; i < k.size(); ++i) k[i] = float(int(i % 5) - 2) * 0.5f;
        std::vector<std::pair<const char*, QByteArray>> entries{{"q.npy", npy("<f4", "(2, 8, 4)", raw(q))},
                                                                {"k.npy", npy("<f4", "(1, 8, 4)", raw(k))}};
        entries.insert(entries.end(), extra.begin(), extra.end());
        const QString p = dir_.filePath(name);
        int err = 0;
        zip_t* z = zip_open(p.toLocal8Bit().constData(), ZIP_CREATE | ZIP_TRUNCATE, &err);
        for (const auto& [entry, bytes] : entries)
            zip_file_add(z, entry, zip_source_buffer(z, bytes.constData(), zip_uint64_t(bytes.size()), 0), ZIP_FL_OVERWRITE);
        zip_close(z);
        return p;
    }

private slots:
    void qkScalarsOfAnyNumericTypeAndNoArraysThere()
    {
        // The manual's example: causal=np.array(1) is an int64 0-d array; np.array(True) a bool;
        // np.int32 / np.uint8 / np.float32 causal; np.float32(0.125), np.float64 and int scales.
        const std::vector<std::pair<const char*, QByteArray>> causalForms{
            {"causal.npy", npy("<i8", "()", raw(std::vector<int64_t>{1}))},
            {"causal.npy", npy("|b1", "()", QByteArray(1, '\1'))},
            {"causal.npy", npy("<i4", "()", raw(std::vector<int32_t>{1}))},
            {"causal.npy", npy("<f4", "()", raw(std::vector<float>{1.f}))},
            {"causal.npy", npy("|u1", "()", QByteArray(1, '\1'))}};
        const std::vector<QByteArray> scales{npy("<f4", "()", raw(std::vector<float>{0.125f})),
                                             npy("<f8", "()", raw(std::vector<double>{0.125})),
                                             npy("<i8", "()", raw(std::vector<int64_t>{1}))};
        for (const auto& causal : causalForms)
            for (const auto& scale : scales) {
                AttentionTrace t;
                const Status st = importQk(qkNpz("qk.npz", {causal, {"scale.npy", scale}}).toStdString(), t);
                QVERIFY2(st.ok, st.message.c_str());
                QVERIFY(t.tensors[0].store->causal());
                QVERIFY(t.tensors[0].store->matrix(0, 0) != nullptr);
            }
        AttentionTrace t;
        QVERIFY(importQk(qkNpz("qk0.npz", {{"causal.npy", npy("<i8", "()", raw(std::vector<int64_t>{0}))}}).toStdString(), t).ok);
        QVERIFY(!t.tensors[0].store->causal());
        // Arrays where a scalar belongs are refused, naming the array and its shape.
        const std::vector<std::pair<std::pair<const char*, QByteArray>, const char*>> refused{
            {{"causal.npy", npy("<f4", "(5,)", raw(std::vector<float>(5, 1.f)))}, "'causal' must be a scalar"},
            {{"scale.npy", npy("<f4", "(3,)", raw(std::vector<float>(3, 0.5f)))}, "'scale' must be a scalar"},
            {{"scale.npy", npy("<f4", "()", raw(std::vector<float>{-1.f}))}, "positive"},
            {{"causal.npy", npy(">i8", "()", raw(std::vector<int64_t>{1}))}, "scalar"}};
        for (const auto& [entry, why] : refused) {
            const Status st = importQk(qkNpz("bad.npz", {entry}).toStdString(), t);
            QVERIFY2(!st.ok && st.message.find(why) != std::string::npos, st.message.c_str());
        }
        // safetensors: a 0-d I64 causal and F32 scale.
        std::vector<float> q(8 * 4, 0.1f), k(8 * 4, 0.2f);
        const QByteArray header = QByteArray("{\"q\":{\"dtype\":\"F32\",\"shape\":[8,4],\"data_offsets\":[0,128]},") +
                                  "\"k\":{\"dtype\":\"F32\",\"shape\":[8,4],\"data_offsets\":[128,256]}," +
                                  "\"causal\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[256,264]}," +
                                  "\"scale\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[264,268]}}";
        const quint64 len = quint64(header.size());
        QByteArray file(reinterpret_cast<const char*>(&len), 8);
        file += header + raw(q) + raw(k) + raw(std::vector<int64_t>{1}) + raw(std::vector<float>{0.5f});
        const Status st = importQk(write(dir_, "qk.safetensors", file).toStdString(), t);
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(t.tensors[0].store->causal());
        // An attention dump is still not a scalar.
        QVERIFY(!importDump(write(dir_, "s.npy", npy("<f4", "()", raw(std::vector<float>{1.f}))).toStdString(), {}, t).ok);
    }
    void npyFloat32RoundTrip()
    {
        const QString p = write(dir_, "a.npy", npy("<f4", "(2, 2, 2, 2)", raw(kValues)));
        AttentionTrace t;
        ImportOptions o;
        o.tokens = {"Dios", "es"};
        const auto st = importDump(p.toStdString(), o, t);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(t.tensors[0].shape, (std::vector<int64_t>{2, 2, 2, 2}));
        QCOMPARE(t.tensors[0].values, kValues);
        QCOMPARE(t.tensors[0].labels[3], (std::vector<std::string>{"Dios", "es"}));
        QVERIFY(t.meta("warning").empty());
    }
    void npyFloat64AndFloat16AndVersion2()
    {
        std::vector<double> d(kValues.begin(), kValues.end());
        DumpArray a;
        QByteArray bytes = npy("<f8", "(16,)", raw(d), 2);
        QVERIFY(parseNpy(bytes.constData(), size_t(bytes.size()), "x", a).ok);
        QCOMPARE(a.values, kValues);
        const std::vector<uint16_t> half{0x3c00, 0x3800, 0x0000, 0xbc00};  // 1, 0.5, 0, -1
        bytes = npy("<f2", "(2, 2)", raw(half));
        QVERIFY(parseNpy(bytes.constData(), size_t(bytes.size()), "h", a).ok);
        QCOMPARE(a.values, (std::vector<float>{1.0f, 0.5f, 0.0f, -1.0f}));
    }
    void npyRefusesBadInput()
    {
        DumpArray a;
        const QByteArray good = npy("<f4", "(2, 2, 2, 2)", raw(kValues));
        for (int n = 0; n < good.size(); n += 5) QVERIFY(!parseNpy(good.constData(), size_t(n), "t", a).ok);
        QByteArray huge = npy("<f4", "(100000, 100000, 100000)", raw(kValues));
        auto st = parseNpy(huge.constData(), size_t(huge.size()), "huge", a);
        QVERIFY2(!st.ok && st.message.find("too large") != std::string::npos, st.message.c_str());
        huge = npy("<f4", "(10000, 10000)", raw(kValues));  // within limits, but the data is missing
        st = parseNpy(huge.constData(), size_t(huge.size()), "short", a);
        QVERIFY2(!st.ok && st.message.find("needs") != std::string::npos, st.message.c_str());
        const QByteArray ints = npy("<i8", "(2,)", raw(std::vector<int64_t>{1, 2}));
        st = parseNpy(ints.constData(), size_t(ints.size()), "i", a);
        QVERIFY(!st.ok && st.message.find("dtype") != std::string::npos);
        const QByteArray big = npy(">f4", "(1,)", raw(std::vector<float>{1}));
        QVERIFY(!parseNpy(big.constData(), size_t(big.size()), "b", a).ok);
    }
    void npzStackedLayersInNaturalOrder()
    {
        // layer_10 must come after layer_2; deflated entries as numpy.savez_compressed writes them.
        const QString p = dir_.filePath("layers.npz");
        int err = 0;
        zip_t* z = zip_open(p.toLocal8Bit().constData(), ZIP_CREATE | ZIP_TRUNCATE, &err);
        QVERIFY(z);
        std::vector<QByteArray> keep;
        const char* names[] = {"layer_10.npy", "layer_2.npy"};
        for (int k = 0; k < 2; ++k) {
            std::vector<float> v(kValues.begin() + k * 8, kValues.begin() + k * 8 + 8);  // [2 heads, 2, 2]
            keep.push_back(npy("<f4", "(1, 2, 2, 2)", raw(v)));                          // [batch, head, q, k]
            zip_source_t* s = zip_source_buffer(z, keep.back().constData(), zip_uint64_t(keep.back().size()), 0);
            const zip_int64_t idx = zip_file_add(z, names[k], s, ZIP_FL_OVERWRITE);
            QVERIFY(idx >= 0);
            zip_set_file_compression(z, zip_uint64_t(idx), ZIP_CM_DEFLATE, 9);
        }
        QCOMPARE(zip_close(z), 0);
        AttentionTrace t;
        const auto st = importDump(p.toStdString(), {}, t);  // [layer, batch, head, q, k] inferred
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(t.tensors[0].shape, (std::vector<int64_t>{2, 2, 2, 2}));
        // layer_2 (written second, holding kValues[8..16)) is layer 1.
        QCOMPARE(t.tensors[0].values[0], kValues[8]);
        QCOMPARE(t.tensors[0].values[8], kValues[0]);
        QFile garbage(write(dir_, "bad.npz", QByteArray("PK\x03\x04 this is not a zip")));
        QVERIFY(!importDump(garbage.fileName().toStdString(), {}, t).ok);
    }
    void safetensors()
    {
        const QByteArray json = R"({"__metadata__":{"format":"pt"},"attn":{"dtype":"F32","shape":[2,2,2,2],"data_offsets":[0,64]}})";
        const uint64_t n = uint64_t(json.size());
        QByteArray file(reinterpret_cast<const char*>(&n), 8);
        file += json + raw(kValues);
        AttentionTrace t;
        QVERIFY(importDump(write(dir_, "a.safetensors", file).toStdString(), {}, t).ok);
        QCOMPARE(t.tensors[0].values, kValues);
        // Offsets past the end, and a header length beyond the file.
        QByteArray bad = file;
        bad.replace("[0,64]", "[0,99]");
        std::vector<DumpArray> arrays;
        QVERIFY(!parseSafetensors(bad.constData(), size_t(bad.size()), arrays).ok);
        const uint64_t huge = uint64_t(1) << 40;
        bad = QByteArray(reinterpret_cast<const char*>(&huge), 8) + json;
        QVERIFY(!parseSafetensors(bad.constData(), size_t(bad.size()), arrays).ok);
    }
    void jsonDumpWithTokensAndValidation()
    {
        AttentionTrace t;
        QString p = write(dir_, "a.json", R"({"tokens": ["God", "is", "love"], "attention": [[0.8, 0.1, 0.1], [0.2, 0.6, 0.2], [0, 0, 1]]})");
        QVERIFY(importDump(p.toStdString(), {}, t).ok);
        QCOMPARE(t.tensors[0].shape, (std::vector<int64_t>{1, 1, 3, 3}));
        QCOMPARE(t.tensors[0].labels[2], (std::vector<std::string>{"God", "is", "love"}));
        p = write(dir_, "ragged.json", R"({"attention": [[0.5, 0.5], [1.0]]})");
        auto st = importDump(p.toStdString(), {}, t);
        QVERIFY(!st.ok && st.message.find("ragged") != std::string::npos);
        p = write(dir_, "neg.json", R"({"attention": [[1.5, -0.5], [0.5, 0.5]]})");
        st = importDump(p.toStdString(), {}, t);
        QVERIFY(!st.ok && st.message.find("negative") != std::string::npos);
        p = write(dir_, "unnorm.json", R"({"attention": [[2, 2], [0.5, 0.5]]})");
        QVERIFY(importDump(p.toStdString(), {}, t).ok);  // kept, with a warning
        QVERIFY(t.meta("warning").find("do not sum to 1") != std::string::npos);
        const QByteArray nan = npy("<f4", "(1, 2)", raw(std::vector<float>{std::nanf(""), 1}));
        st = importDump(write(dir_, "nan.npy", nan).toStdString(), {}, t);
        QVERIFY(!st.ok && st.message.find("NaN") != std::string::npos);
        st = importDump(dir_.filePath("missing.npy").toStdString(), {}, t);
        QVERIFY(!st.ok && st.message.find("not found") != std::string::npos);

        // Other label names: BertViz's encoder_tokens / decoder_tokens, plain source / target.
        const char* cross = "\"attention\": [[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]]";
        p = write(dir_, "bertviz.json",
                  QByteArray("{\"encoder_tokens\": [\"Dios\", \"es\", \"amor\"], \"decoder_tokens\": [\"God\", \"love\"], ") + cross + "}");
        st = importDump(p.toStdString(), {}, t);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(t.tensors[0].labels[2], (std::vector<std::string>{"God", "love"}));
        QCOMPARE(t.tensors[0].labels[3], (std::vector<std::string>{"Dios", "es", "amor"}));
        QVERIFY(t.meta("warning").find("not used") == std::string::npos);
        p = write(dir_, "srctgt.json", QByteArray("{\"source\": [\"Dios\", \"es\", \"amor\"], \"target\": [\"God\", \"love\"], ") + cross + "}");
        QVERIFY(importDump(p.toStdString(), {}, t).ok);
        QCOMPARE(t.tensors[0].labels[2], (std::vector<std::string>{"God", "love"}));
        // Names that do not fit are refused with both sizes, not imported unlabelled.
        p = write(dir_, "misfit.json",
                  QByteArray("{\"encoder_tokens\": [\"Dios\", \"es\"], \"decoder_tokens\": [\"God\", \"love\"], ") + cross + "}");
        st = importDump(p.toStdString(), {}, t);
        QVERIFY2(!st.ok && st.message.find("2 key (source) labels for 3 key columns") != std::string::npos, st.message.c_str());
        // A string list under a name nobody reads is reported, not silently ignored.
        p = write(dir_, "extra.json", QByteArray("{\"src_words\": [\"Dios\", \"es\", \"amor\"], ") + cross + "}");
        QVERIFY(importDump(p.toStdString(), {}, t).ok);
        QVERIFY2(t.meta("warning").find("\"src_words\" not used as labels") != std::string::npos, t.meta("warning").c_str());
    }
    void npzTokensAsNumpyStringArrays()
    {
        // np.savez(f, attentions=a, tokens=np.array(toks)): '<U5' (UTF-32) tokens beside the
        // attention, as notebook users save them; and '|S' bytes, matched by length.
        const auto npz = [&](const QString& name, const std::vector<std::pair<const char*, QByteArray>>& entries) {
            const QString p = dir_.filePath(name);
            int err = 0;
            zip_t* z = zip_open(p.toLocal8Bit().constData(), ZIP_CREATE | ZIP_TRUNCATE, &err);
            std::vector<QByteArray> keep;
            for (const auto& [entry, data] : entries) {
                keep.push_back(data);
                zip_source_t* src = zip_source_buffer(z, keep.back().constData(), zip_uint64_t(keep.back().size()), 0);
                zip_file_add(z, entry, src, ZIP_FL_OVERWRITE);
            }
            zip_close(z);
            return p;
        };
        const auto utf32 = [](const std::vector<std::u32string>& words, int width) {
            QByteArray out;
            for (const auto& w : words) {
                std::u32string padded = w;
                padded.resize(size_t(width), U'\0');
                out.append(reinterpret_cast<const char*>(padded.data()), qsizetype(padded.size() * 4));
            }
            return out;
        };
        const std::vector<float> att{0.7f, 0.3f, 0.0f, 0.2f, 0.5f, 0.3f, 0.1f, 0.1f, 0.8f};
        const QString named = npz("notebook.npz", {{"attentions.npy", npy("<f4", "(3, 3)", raw(att))},
                                                    {"tokens.npy", npy("<U5", "(3,)", utf32({U"Dios", U"es", U"amorá"}, 5))}});
        AttentionTrace t;
        auto st = importDump(named.toStdString(), {}, t);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(t.tensors[0].labels[2], (std::vector<std::string>{"Dios", "es", "amor\u00e1"}));
        QCOMPARE(t.tensors[0].labels[3], t.tensors[0].labels[2]);
        QVERIFY2(t.meta("labels").find("'tokens'") != std::string::npos, t.meta("labels").c_str());
        // Bytes strings under another name, one per axis: matched by length and said so.
        const std::vector<float> cross{0.5f, 0.5f, 0.25f, 0.75f, 1.0f, 0.0f};  // 3 queries × 2 keys
        const QString byLength = npz("bytes.npz", {{"cross.npy", npy("<f4", "(3, 2)", raw(cross))},
                                                    {"src.npy", npy("|S4", "(2,)", QByteArray("luz\0fue\0", 8))},
                                                    {"tgt.npy", npy("|S5", "(3,)", QByteArray("therewas\0\0light", 15))}});
        st = importDump(byLength.toStdString(), {}, t);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(t.tensors[0].labels[3], (std::vector<std::string>{"luz", "fue"}));
        QCOMPARE(t.tensors[0].labels[2], (std::vector<std::string>{"there", "was", "light"}));
        QVERIFY(t.meta("labels").find("matched by length") != std::string::npos);
        // A string array that is not 1-D is refused with its shape.
        DumpStrings strings;
        const QByteArray twoD = npy("<U2", "(1, 2)", utf32({U"a", U"b"}, 2));
        st = parseNpyStrings(twoD.constData(), size_t(twoD.size()), "x", strings);
        QVERIFY(!st.ok && st.message.find("1-D") != std::string::npos);
    }
    void tokenCountsThatDoNotFitAreRefused()
    {
        // 3 source labels for 2 columns: refused with both sizes (never accepted silently).
        AttentionTrace t;
        const QString p = write(dir_, "mismatch.json",
                                R"({"source_tokens": ["luz", "fue", "hecha"], "target_tokens": ["light", "was"],
                                    "attention": [[0.5, 0.5], [0.1, 0.9]]})");
        auto st = importDump(p.toStdString(), {}, t);
        QVERIFY(!st.ok);
        QVERIFY2(st.message.find("3 key (source) labels for 2 key columns") != std::string::npos, st.message.c_str());
        // Tokens given with --tokens that do not fit: the same.
        ImportOptions o;
        o.tokens = {"a", "b", "c"};
        st = importDump(write(dir_, "two.npy", npy("<f4", "(2, 2)", raw(std::vector<float>{1, 0, 0, 1}))).toStdString(), o, t);
        QVERIFY(!st.ok && st.message.find("3 query (target) labels for 2 query rows") != std::string::npos);
    }
    void explicitAxes()
    {
        // [head, key, query] stored transposed: give the axes.
        const std::vector<float> v{1, 0, 0, 1, /**/ 0.5f, 0.5f, 0.5f, 0.5f};
        const QString p = write(dir_, "hkq.npy", npy("<f4", "(2, 2, 2)", raw(v)));
        ImportOptions o;
        o.axes = {"head", "key", "query"};
        AttentionTrace t;
        QVERIFY(importDump(p.toStdString(), o, t).ok);
        QCOMPARE(t.tensors[0].shape, (std::vector<int64_t>{1, 2, 2, 2}));
        o.axes = {"head", "key", "colour"};
        const auto st = importDump(p.toStdString(), o, t);
        QVERIFY(!st.ok && st.message.find("colour") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestDumps)
#include "test_dumps.moc"
