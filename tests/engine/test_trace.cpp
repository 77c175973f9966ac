// AttentionTrace: .attn and JSON round-trip exactly; corrupt files give messages, not crashes.
#include "attnscope/trace.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>

using namespace attnscope;

namespace {
AttentionTrace sample()
{
    AttentionTrace t;
    t.model = "gru-bahdanau";
    t.scoreFunction = "additive";
    t.metadata = {{"input", "En el principio crió Dios"}, {"mode", "forced"}, {"verse", "Genesis 1:1"}};
    TraceTensor x;
    x.name = "cross";
    x.axes = {"target", "source"};
    x.shape = {2, 3};
    x.labels = {{"God", "</s>"}, {"crió", "Dios", "</s>"}};
    x.values = {0.1f, 0.7f, 0.2f, 1e-30f, std::nextafter(0.5f, 1.0f), 1.0f / 3.0f};
    t.tensors.push_back(x);
    // A lens beside it (schema::lens): same axes, unnormalised values.
    x.name = "cross.norm";
    x.values = {0.4f, 2.8f, 0.1f, 0.0f, 3.5f, 1.25f};
    t.tensors.push_back(x);
    t.goldLinks = {{1, 0}};
    t.possibleLinks = {{0, 0}};
    t.sourceEvaluated = {1, 1, 0};
    t.targetEvaluated = {1, 0};
    return t;
}
} // namespace

class TestTrace : public QObject {
    Q_OBJECT
private slots:
    void binaryRoundTrip()
    {
        QTemporaryDir dir;
        const auto path = dir.filePath("t.attn").toStdString();
        const auto t = sample();
        QVERIFY(saveTrace(t, path).ok);
        AttentionTrace back;
        const auto st = loadTrace(path, back);
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(back == t);  // bit-exact values, labels, metadata, gold
    }
    void jsonRoundTrip()
    {
        QTemporaryDir dir;
        const auto path = dir.filePath("t.json").toStdString();
        const auto t = sample();
        QVERIFY(saveTraceAuto(t, path).ok);
        AttentionTrace back;
        QVERIFY(loadTraceAuto(path, back).ok);
        QVERIFY(back == t);
        QVERIFY(traceToJson(t).find("\"crió\"") != std::string::npos);
    }
    void nonFiniteValuesAreReportedWhenRead()
    {
        // A saved trace holding NaN and Inf opens (the rest is readable) with a warning naming
        // the tensor, the count and the first index; .attn and .json alike. A finite one gets none.
        QTemporaryDir dir;
        auto t = sample();
        t.tensors[0].values[4] = std::numeric_limits<float>::quiet_NaN();
        t.tensors[0].values[5] = -std::numeric_limits<float>::infinity();
        for (const char* name : {"nan.attn", "nan.json"}) {
            const auto path = dir.filePath(name).toStdString();
            QVERIFY(saveTraceAuto(t, path).ok);
            AttentionTrace back;
            QVERIFY(loadTraceAuto(path, back).ok);
            QVERIFY2(back.meta("warning").find("cross: 2 non-finite values (NaN or ±Inf), the first at [1, 1]") != std::string::npos,
                     back.meta("warning").c_str());
            QVERIFY(!std::isfinite(back.tensors[0].values[4]));
            // Read and saved again, the warning is not repeated.
            QVERIFY(saveTraceAuto(back, path).ok);
            QVERIFY(loadTraceAuto(path, back).ok);
            const std::string w = back.meta("warning");
            QCOMPARE(w.find("non-finite"), w.rfind("non-finite"));
        }
        AttentionTrace fine;
        QVERIFY(saveTrace(sample(), dir.filePath("fine.attn").toStdString()).ok);
        QVERIFY(loadTrace(dir.filePath("fine.attn").toStdString(), fine).ok);
        QVERIFY(fine.meta("warning").empty());
        QVERIFY(nonFiniteReport(sample()).empty());
    }
    void warningsAreSentences()
    {
        // Two warnings read as two sentences, never glued by "; " (issue 28, item 14); the same
        // one twice is said once.
        AttentionTrace t;
        addTraceWarning(t, "the video has 12 frames; 8 are shown");
        addTraceWarning(t, "This model was trained on clips; this input is unlike them");
        addTraceWarning(t, "This model was trained on clips; this input is unlike them");
        QCOMPARE(t.meta("warning"), std::string("the video has 12 frames; 8 are shown. This model was trained on clips; this input is unlike them"));
    }
    void invalidTraceIsRefused()
    {
        auto t = sample();
        t.tensors[0].values.pop_back();
        QTemporaryDir dir;
        const auto st = saveTrace(t, dir.filePath("bad.attn").toStdString());
        QVERIFY(!st.ok);
        QVERIFY(st.message.find("5 values") != std::string::npos);
    }
    void corruptFiles()
    {
        QTemporaryDir dir;
        const auto good = dir.filePath("g.attn");
        QVERIFY(saveTrace(sample(), good.toStdString()).ok);
        QFile f(good);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        f.close();
        AttentionTrace out;
        auto writeAndLoad = [&](const QByteArray& data) {
            const auto p = dir.filePath("c.attn");
            QFile o(p);
            o.open(QIODevice::WriteOnly | QIODevice::Truncate);
            o.write(data);
            o.close();
            return loadTrace(p.toStdString(), out);
        };
        // Every truncation of a valid file is refused with a message.
        for (int n = 0; n < bytes.size(); n += 7) QVERIFY(!writeAndLoad(bytes.left(n)).ok);
        QVERIFY(!writeAndLoad(QByteArray("not a trace at all")).ok);
        // A consistent header that claims a huge shape must not allocate or read past the end.
        auto withShape = [](const QByteArray& shape) {
            const quint32 version = 1;
            const QByteArray json = QByteArray(R"({"format":"attnscope-trace","version":1,"tensors":[{"name":"x","axes":["a","b"],"shape":)") +
                                    shape + R"(,"dtype":"float32"}]})";
            const quint64 len = quint64(json.size());
            QByteArray out("ATTNSCOP");
            out.append(reinterpret_cast<const char*>(&version), 4).append(reinterpret_cast<const char*>(&len), 8).append(json);
            return out;
        };
        auto st = writeAndLoad(withShape("[20000,30000]"));  // 2.4 GB claimed, none present
        QVERIFY2(!st.ok && st.message.find("truncated") != std::string::npos, st.message.c_str());
        st = writeAndLoad(withShape("[2000000,300000]"));  // beyond the 8 GiB limit
        QVERIFY2(!st.ok && st.message.find("too large") != std::string::npos, st.message.c_str());
        st = writeAndLoad(withShape("[-5,3]"));
        QVERIFY(!st.ok);
        QVERIFY(!loadTrace(dir.filePath("missing.attn").toStdString(), out).ok);
    }
    void sliceOneHead()
    {
        TraceTensor t;
        t.name = "encoder_self";
        t.axes = {"layer", "head", "query", "key"};
        t.shape = {2, 3, 2, 2};
        t.labels = {{}, {}, {"a", "b"}, {"a", "b"}};
        for (int i = 0; i < 24; ++i) t.values.push_back(float(i));
        TraceTensor out;
        QVERIFY(sliceHead(t, 1, 2, "cross", out).ok);  // offset (1·3 + 2)·4 = 20
        QCOMPARE(out.values, (std::vector<float>{20, 21, 22, 23}));
        QCOMPARE(out.shape, (std::vector<int64_t>{2, 2}));
        QCOMPARE(out.axes, (std::vector<std::string>{"query", "key"}));
        QCOMPARE(out.labels[0], (std::vector<std::string>{"a", "b"}));
        QVERIFY(!sliceHead(t, 2, 0, "x", out).ok);
        QVERIFY(!sliceHead(out, 0, 0, "x", out).ok);
    }
    void unwritablePath()
    {
        const auto st = saveTrace(sample(), "/proc/definitely/not/here.attn");
        QVERIFY(!st.ok);
        QVERIFY(st.message.find("cannot write") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestTrace)
#include "test_trace.moc"
