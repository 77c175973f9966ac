// Head ablation (attnscope/ablation.h): the specs and their messages; the built-in
// Transformer with a head zeroed computes exactly what the same network computes with that
// head's columns of the output projection W^O zeroed; ablating nothing changes nothing bit for
// bit; uniform ablation leaves rows that sum to 1 over the unmasked keys; the shipped
// translator's greedy output changes when every cross-attention head is ablated; head
// importance (Michel et al. 2019) of a head whose output projection is zero is 0.
#include "attnscope/ablation.h"
#include "attnscope/translator.h"
#include "attnscope/corpus.h"
#include "models/importance.h"
#include "models/transformer.h"
#include "models/vocab.h"

#include <QFile>
#include <QTemporaryDir>

#include <QtTest>

using namespace attnscope;

namespace {
TransformerConfig smallConfig()
{
    TransformerConfig c;
    c.sourceVocab = 11;
    c.targetVocab = 13;
    c.dModel = 16;
    c.heads = 4;
    c.encoderLayers = 2;
    c.decoderLayers = 2;
    c.feedForward = 32;
    c.dropout = 0.0;
    return c;
}
const torch::Tensor kSource = torch::tensor({{3, 5, 7, 2, 9, 1}}, torch::kInt64);
const torch::Tensor kTarget = torch::tensor({{1, 4, 6, 8, 2}}, torch::kInt64);
} // namespace

class TestAblation : public QObject {
    Q_OBJECT
private slots:
    void specsAndTheirMessages()
    {
        HeadAblation a;
        QVERIFY(parseAblation("cross_attention:2:1,3", a).ok);
        QVERIFY(parseAblation("encoder_self:1:all", a).ok);
        QCOMPARE(a.heads["cross_attention"][1], (std::vector<int>{0, 2}));
        QCOMPARE(a.heads["encoder_self"][0], (std::vector<int>{-1}));
        for (const char* bad : {"cross_attention:2", "cross_attention:0:1", "cross_attention:1:0", "cross_attention:x:1", ":1:1"}) {
            HeadAblation b;
            const Status st = parseAblation(bad, b);
            QVERIFY2(!st.ok && st.message.find(bad) != std::string::npos, bad);
        }
        HeadAblation::Mode mode;
        QVERIFY(!parseAblationMode("half", mode).ok);
        const AttentionShapes shapes{{"cross_attention", {2, 4}}, {"encoder_self", {2, 4}}};
        QVERIFY(resolveAblation(a, shapes).ok);
        QCOMPARE(a.heads["encoder_self"][0], (std::vector<int>{0, 1, 2, 3}));  // all → every head
        QCOMPARE(a.describe(), std::string("cross_attention L2 H1,3; encoder_self L1 H1,2,3,4 (zero)"));
        HeadAblation far;
        QVERIFY(parseAblation("cross_attention:9:1", far).ok);
        Status st = resolveAblation(far, shapes);
        QVERIFY2(!st.ok && st.message.find("cross_attention has layers 1–2 (asked 9)") != std::string::npos, st.message.c_str());
        HeadAblation head;
        QVERIFY(parseAblation("cross_attention:1:5", head).ok);
        st = resolveAblation(head, shapes);
        QVERIFY2(!st.ok && st.message.find("heads 1–4 (asked 5)") != std::string::npos, st.message.c_str());
        HeadAblation kind;
        QVERIFY(parseAblation("decoder_self:1:1", kind).ok);
        st = resolveAblation(kind, shapes);
        QVERIFY2(!st.ok && st.message.find("no attention kind 'decoder_self'") != std::string::npos &&
                     st.message.find("cross_attention (2 layers × 4 heads)") != std::string::npos,
                 st.message.c_str());
    }

    void zeroingAHeadEqualsZeroingItsOutputProjectionColumns()
    {
        torch::manual_seed(5);
        TransformerNMT model(smallConfig());
        model->eval();
        torch::NoGradGuard noGrad;
        const torch::Tensor before = model->forward(kSource, kTarget);
        // Ablating nothing: bit for bit the same.
        QVERIFY(model->setAblation(HeadAblation{}).ok);
        QVERIFY(torch::equal(model->forward(kSource, kTarget), before));
        for (const auto& [kind, cross] : {std::pair<const char*, bool>{"cross_attention", true}, {"decoder_self", false}}) {
            HeadAblation a;
            QVERIFY(parseAblation(std::string(kind) + ":2:3", a).ok);
            QVERIFY(model->setAblation(a).ok);
            const torch::Tensor ablated = model->forward(kSource, kTarget);
            QVERIFY(model->setAblation(HeadAblation{}).ok);
            QVERIFY(!torch::allclose(ablated, before));  // the head mattered at all
            // The same network with head 3's columns of W^O zeroed (d_k = 16 / 4 = 4).
            TransformerNMT copy(smallConfig());
            copy->eval();
            {
                auto from = model->named_parameters(), to = copy->named_parameters();
                for (auto& p : to) p.value().copy_(from[p.key()]);
            }
            const std::string wo = std::string("decoder.1.") + (cross ? "cross" : "self") + ".wo.weight";
            QVERIFY2(copy->named_parameters().contains(wo), wo.c_str());
            copy->named_parameters()[wo].narrow(1, 8, 4).zero_();
            QVERIFY2(torch::allclose(ablated, copy->forward(kSource, kTarget), 1e-5, 1e-6), kind);
        }
    }

    void uniformRowsSumToOne()
    {
        torch::manual_seed(6);
        TransformerNMT model(smallConfig());
        model->eval();
        torch::NoGradGuard noGrad;
        HeadAblation a;
        a.mode = HeadAblation::Mode::Uniform;
        QVERIFY(parseAblation("decoder_self:1:all", a).ok);
        QVERIFY(model->setAblation(a).ok);
        TransformerAttention att;
        model->forward(kSource, kTarget, &att);
        const torch::Tensor w = att.decoderSelf[0][0];  // [H, T, T], causal
        QVERIFY(torch::allclose(w.sum(-1), torch::ones({4, 5})));
        // Row t is uniform over keys 0…t (the causal mask keeps the rest at 0).
        for (int64_t t = 0; t < 5; ++t) QVERIFY(std::abs(w[2][t][0].item<float>() - 1.0f / float(t + 1)) < 1e-6f);
        QCOMPARE(w[1][0][3].item<float>(), 0.0f);
        // A head past the count is refused before anything changes.
        HeadAblation bad;
        QVERIFY(parseAblation("cross_attention:1:7", bad).ok);
        const Status st = model->setAblation(bad);
        QVERIFY2(!st.ok && st.message.find("heads 1–4") != std::string::npos, st.message.c_str());
    }

    void importanceOfAHeadWithoutOutputIsZero()
    {
        // A tiny corpus and a random Transformer whose decoder layer 1 cross-attention head 3
        // has its columns of W^O zeroed: its gradient importance is exactly 0 (the gate cannot
        // change the loss), zeroing it changes no log-likelihood; the other heads count.
        QTemporaryDir dir;
        const auto write = [&](const char* name, const QByteArray& text) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text);
        };
        write("c.es", "dios es amor\ndios es luz\nla luz es amor\namor es dios\n");
        write("c.en", "god is love\ngod is light\nthe light is love\nlove is god\n");
        write("c.gold", "0-0 1-1 2-2\n0-0 1-1 2-2\n0-0 1-1 2-2 3-3\n0-0 1-1 2-2\n");
        Corpus corpus;
        QVERIFY(loadPharaohCorpus(dir.filePath("c.es").toStdString(), dir.filePath("c.en").toStdString(),
                                  dir.filePath("c.gold").toStdString(), false, corpus)
                    .ok);
        std::vector<const Verse*> verses;
        std::vector<std::vector<std::string>> es, en;
        for (const auto& v : corpus.verses) {
            verses.push_back(&v);
            es.push_back(v.sourceWords());
            en.push_back(v.targetWords());
        }
        ModelBundle b;
        b.name = "tiny";
        b.source = Vocab::build(es, 50);
        b.target = Vocab::build(en, 50);
        TransformerConfig c = smallConfig();
        c.sourceVocab = b.source.size();
        c.targetVocab = b.target.size();
        torch::manual_seed(7);
        b.transformer = TransformerNMT(c);
        {
            torch::NoGradGuard noGrad;
            b.transformer->named_parameters()["decoder.0.cross.wo.weight"].narrow(1, 8, 4).zero_();
        }
        // One run is shard 0 of 1, merged; two shards merged give exactly the same numbers.
        const auto measure = [&](ImportanceMethod m, std::vector<HeadImportance>& out, int shards) {
            std::vector<ImportancePartial> parts(static_cast<size_t>(shards));
            for (int k = 0; k < shards; ++k)
                if (!headImportanceOf(b, verses, m, Shard{k, shards}, parts[size_t(k)], {}).ok) return false;
            return mergeImportance(parts, out).ok;
        };
        std::vector<HeadImportance> g, a, g2, a2;
        QVERIFY(measure(ImportanceMethod::Gradient, g, 1));
        QVERIFY(measure(ImportanceMethod::Ablation, a, 1));
        QVERIFY(measure(ImportanceMethod::Gradient, g2, 2));
        QVERIFY(measure(ImportanceMethod::Ablation, a2, 3));
        for (size_t i = 0; i < g.size(); ++i) {
            QCOMPARE(g2[i].gradient, g[i].gradient);
            QCOMPARE(a2[i].deltaLogLikelihood, a[i].deltaLogLikelihood);
            QCOMPARE(a2[i].deltaBleu, a[i].deltaBleu);
            QVERIFY(!std::isnan(a[i].deltaBleu));
        }
        QCOMPARE(int(g.size()), 3 * 2 * 4);
        QCOMPARE(int(a.size()), 3 * 2 * 4);
        for (size_t i = 0; i < g.size(); ++i) {
            const bool dead = g[i].kind == "cross_attention" && g[i].layer == 0 && g[i].head == 2;
            if (dead) {
                QCOMPARE(g[i].gradient, 0.0);
                QVERIFY(std::abs(a[i].deltaLogLikelihood) < 1e-6);
                QCOMPARE(a[i].deltaBleu, 0.0);  // the same greedy translations
            } else if (g[i].kind == "cross_attention" && g[i].layer == 0) {
                QVERIFY(g[i].gradient > 0);
            }
        }
        // The model is left as it was: no gates, no ablation, its parameters trainable again.
        for (const auto& p : b.transformer->parameters()) QVERIFY(p.requires_grad());
    }

    void theShippedTranslatorChangesWithoutItsCrossAttention()
    {
        Translator t;
        const Status ls = t.load("transformer");
        if (!ls) QSKIP(ls.message.c_str());
        AttentionTrace plain, ablated;
        const std::string source = "Y Ruth respondió: No me ruegues que te deje.";
        QVERIFY(t.translate(source, plain).ok);
        HeadAblation a;
        QVERIFY(parseAblation("cross_attention:1:all", a).ok && parseAblation("cross_attention:2:all", a).ok &&
                parseAblation("cross_attention:3:all", a).ok);
        QVERIFY(t.setAblation(a).ok);
        QVERIFY(t.translate(source, ablated).ok);
        QVERIFY(t.setAblation(HeadAblation{}).ok);
        QVERIFY(plain.find("cross")->labels[0] != ablated.find("cross")->labels[0]);
        // Restored: the same translation again.
        AttentionTrace again;
        QVERIFY(t.translate(source, again).ok);
        QCOMPARE(again.find("cross")->labels[0], plain.find("cross")->labels[0]);
        // The GRU model has no heads.
        Translator gru;
        if (gru.load("gru-bahdanau").ok) QVERIFY(!gru.setAblation(a).ok);
    }
};

QTEST_GUILESS_MAIN(TestAblation)
#include "test_ablation.moc"
