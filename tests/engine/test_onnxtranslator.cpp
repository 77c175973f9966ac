// A translator as Optimum exports it: encoder_model.onnx + decoder_model.onnx in one folder,
// built here with ONNX's protobuf API in Marian's shape (a self-attention encoder; a decoder
// with causal self-attention — the mask made by Trilu — and cross-attention over the encoder's
// states; dynamic sequence axes). Checked: the folder (and its encoder_model.onnx) opens as a
// translator; the three attention kinds are found and named; forced decoding's attention
// equals softmax(Q·Kᵀ) computed here by hand; greedy generation follows the logits computed by
// hand and stops at eos; batch evaluation through UserTranslator; clear messages for a missing
// graph, a merged decoder and a folder without attnscope.json.
#include "attnscope/corpus.h"
#include "attnscope/pipelines.h"
#include "attnscope/scriptmodel.h"
#include "attnscope/translator.h"
#include "attnscope/visionmodel.h"

#include "onnxpairgraph.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <array>
#include <cmath>

using namespace attnscope;
using namespace onnxpair;

namespace {

using Mat = std::vector<std::vector<double>>;  // rows × cols

Mat rowsOf(const std::vector<float>& w, const std::vector<int64_t>& ids)
{
    Mat m;
    for (int64_t id : ids) m.push_back(std::vector<double>(w.begin() + id * D, w.begin() + (id + 1) * D));
    return m;
}
Mat mul(const Mat& a, const std::vector<float>& w, int cols)  // a · W (W row-major [a cols × cols])
{
    Mat out(a.size(), std::vector<double>(size_t(cols), 0.0));
    for (size_t i = 0; i < a.size(); ++i)
        for (int j = 0; j < cols; ++j)
            for (size_t k = 0; k < a[i].size(); ++k) out[i][size_t(j)] += a[i][k] * double(w[k * size_t(cols) + size_t(j)]);
    return out;
}
/// softmax(q · kᵀ) row by row; `causal`: keys after the query get −10000 first.
Mat softmaxQK(const Mat& q, const Mat& k, bool causal)
{
    Mat a(q.size(), std::vector<double>(k.size()));
    for (size_t i = 0; i < q.size(); ++i) {
        double z = 0;
        for (size_t j = 0; j < k.size(); ++j) {
            double s = 0;
            for (size_t d = 0; d < q[i].size(); ++d) s += q[i][d] * k[j][d];
            if (causal && j > i) s -= 10000.0;
            a[i][j] = std::exp(s);
            z += a[i][j];
        }
        for (auto& x : a[i]) x /= z;
    }
    return a;
}
Mat applyTo(const Mat& a, const Mat& v)  // a · v
{
    Mat out(a.size(), std::vector<double>(v[0].size(), 0.0));
    for (size_t i = 0; i < a.size(); ++i)
        for (size_t j = 0; j < v.size(); ++j)
            for (size_t d = 0; d < v[0].size(); ++d) out[i][d] += a[i][j] * v[j][d];
    return out;
}


/// The whole model by hand: encoder states, decoder self and cross attention, logits.
struct ByHand {
    Mat encSelf, decSelf, cross, mixed, logits;  ///< mixed: cross · H, what the logits read
};
/// `gates`: each attention's probabilities × its gate ξ (encoder self, decoder self, cross).
ByHand forward(const Weights& w, const std::vector<int64_t>& src, const std::vector<int64_t>& dec,
               const std::array<double, 3>& gates = {1, 1, 1})
{
    const auto scaled = [](Mat a, double g) {
        for (auto& row : a)
            for (auto& x : row) x *= g;
        return a;
    };
    ByHand r;
    const Mat X = rowsOf(w.E, src);
    r.encSelf = softmaxQK(mul(X, w.Wq, D), mul(X, w.Wk, D), false);
    const Mat H = applyTo(scaled(r.encSelf, gates[0]), X);
    const Mat Y = rowsOf(w.Et, dec);
    r.decSelf = softmaxQK(mul(Y, w.Wq2, D), mul(Y, w.Wk2, D), true);
    const Mat Z = applyTo(scaled(r.decSelf, gates[1]), Y);
    r.cross = softmaxQK(mul(Z, w.Wc, D), H, false);
    r.mixed = applyTo(scaled(r.cross, gates[2]), H);
    r.logits = mul(r.mixed, w.Wout, V);
    return r;
}




void expectNear(const TraceTensor& t, const Mat& want)
{
    QCOMPARE(t.shape[2], int64_t(want.size()));
    QCOMPARE(t.shape[3], int64_t(want[0].size()));
    for (size_t i = 0; i < want.size(); ++i)
        for (size_t j = 0; j < want[i].size(); ++j)
            QVERIFY2(std::abs(double(t.values[i * want[i].size() + j]) - want[i][j]) < 1e-4,
                     qPrintable(QString("%1 [%2, %3]: %4 vs %5").arg(t.name.c_str()).arg(i).arg(j).arg(t.values[i * want[i].size() + j]).arg(want[i][j])));
}
} // namespace

class TestOnnxTranslator : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    Weights w_;

    QString folder(const QString& name, const Weights& w)
    {
        QDir(dir_.path()).mkpath(name);
        const QString f = dir_.filePath(name);
        writeFolder(f, w);
        return f;
    }

    /// A corpus of your own written to NAME.es, NAME.en, NAME.gold and read back (Pharaoh, 0-based).
    bool pharaohCorpus(const QString& name, const QByteArray& es, const QByteArray& en, const QByteArray& gold, Corpus& out)
    {
        const QString base = dir_.filePath(name);
        return write(base + ".es", es) && write(base + ".en", en) && write(base + ".gold", gold) &&
               loadPharaohCorpus((base + ".es").toStdString(), (base + ".en").toStdString(), (base + ".gold").toStdString(), false, out).ok;
    }

    /// folder/sentencepiece.bpe.model trained by spm_train (BPE, as NLLB and M2M100 ship it) on
    /// a small Spanish–English text; `pieces` in its id order.
    bool trainBpe(const QString& folder, QStringList& pieces)
    {
        QDir().mkpath(folder);
        QByteArray text;
        for (int i = 0; i < 30; ++i) text += "Dios es amor . God is love .\n";
        QString error;
        if (!write(folder + "/text.txt", text) ||
            !spmTrain({"--input=" + folder + "/text.txt", "--model_prefix=" + folder + "/sentencepiece.bpe", "--vocab_size=30",
                       "--model_type=bpe", "--hard_vocab_limit=false", "--character_coverage=1.0"},
                      &error)) {
            qWarning("spm_train: %s", qPrintable(error));
            return false;
        }
        QFile vocab(folder + "/sentencepiece.bpe.vocab");
        if (!vocab.open(QIODevice::ReadOnly)) return false;
        pieces.clear();
        for (const QByteArray& line : vocab.readAll().trimmed().split('\n')) pieces << QString::fromUtf8(line.left(line.indexOf('\t')));
        return true;
    }

private slots:
    void anOptimumFolderIsATranslator()
    {
        const QString f = folder("marian", w_);
        if (qEnvironmentVariableIsSet("ATTNSCOPE_ONNX_PAIR_OUT"))  // for trying the export by hand (CLI, GUI)
            for (const char* name : {"encoder_model.onnx", "decoder_model.onnx", "vocab.txt", "attnscope.json"})
                QFile::copy(f + "/" + name, qEnvironmentVariable("ATTNSCOPE_ONNX_PAIR_OUT") + "/" + name);
        QCOMPARE(QString::fromStdString(onnxPairFolder(f.toStdString())), QDir(f).absolutePath());
        QCOMPARE(QString::fromStdString(onnxPairFolder((f + "/encoder_model.onnx").toStdString())), QDir(f).absolutePath());
        QVERIFY(isUserModelFile(f.toStdString()));
        QVERIFY(!isVisionModelFile((f + "/encoder_model.onnx").toStdString()));  // not a picture model
        for (const QString& path : {f, f + "/encoder_model.onnx"}) {
            ScriptModel m;
            const Status st = m.load(path.toStdString());
            QVERIFY2(st.ok, st.message.c_str());
        }
    }

    void forcedDecodingMatchesTheAttentionByHand()
    {
        ScriptModel m;
        QVERIFY(m.load(folder("forced", w_).toStdString()).ok);
        AttentionTrace t;
        const std::string reference = "god love";
        const Status st = m.decode("dios es amor", &reference, t);
        QVERIFY2(st.ok, st.message.c_str());
        // Source: dios es amor </s> (ids 2 3 4 1); decoder inputs: <pad> god love (0 5 7).
        const ByHand want = forward(w_, {2, 3, 4, 1}, {0, 5, 7});
        const TraceTensor* enc = t.find("encoder_self");
        const TraceTensor* self = t.find("decoder_self");
        const TraceTensor* cross = t.find("cross_attention");
        QVERIFY(enc && self && cross);
        QCOMPARE(enc->shape, (std::vector<int64_t>{1, 1, 4, 4}));
        QCOMPARE(self->shape, (std::vector<int64_t>{1, 1, 3, 3}));
        QCOMPARE(cross->shape, (std::vector<int64_t>{1, 1, 3, 4}));
        expectNear(*enc, want.encSelf);
        expectNear(*self, want.decSelf);
        expectNear(*cross, want.cross);
        QCOMPARE(cross->labels[2], (std::vector<std::string>{"god", "love", "</s>"}));
        QCOMPARE(cross->labels[3], (std::vector<std::string>{"dios", "es", "amor", "</s>"}));
        QCOMPARE(self->labels[3], (std::vector<std::string>{"<pad>", "god", "love"}));
        QCOMPARE(cross->labels[0][0], std::string("decoder.layers.0.encoder_attn"));
        // The 2-D alignment: the (only) cross-attention layer's mean over heads.
        QCOMPARE(t.find("cross")->shape, (std::vector<int64_t>{3, 4}));
        QCOMPARE(t.meta("cross_from"), std::string("cross_attention layer 1 mean over heads"));
        QCOMPARE(t.meta("mode"), std::string("forced"));
        // The export's attention mixes its inputs with no output projection: no norm lens, and
        // the trace says which node broke the pattern.
        QVERIFY(!t.find("cross_attention.norm"));
        QVERIFY2(t.meta("lens_note").find("encoder.layers.0.self_attn") != std::string::npos, t.meta("lens_note").c_str());
        // Source and decoder inputs of equal length: the node names tell cross from self.
        const std::string three = "god is love";
        QVERIFY(m.decode("dios es amor", &three, t).ok);
        QCOMPARE(t.find("cross_attention")->labels[0][0], std::string("decoder.layers.0.encoder_attn"));
        expectNear(*t.find("cross_attention"), forward(w_, {2, 3, 4, 1}, {0, 5, 6, 7}).cross);
    }

    void greedyGenerationFollowsTheLogitsAndStopsAtEos()
    {
        ScriptModel m;
        QVERIFY(m.load(folder("greedy", w_).toStdString()).ok);
        AttentionTrace t;
        std::string translation;
        const Status st = m.decode("dios es amor", nullptr, t, &translation);
        QVERIFY2(st.ok, st.message.c_str());
        // By hand: argmax of the last row of the logits, until eos (id 1) or 5 tokens.
        const std::vector<std::string> tokens{"<pad>", "</s>", "dios", "es", "amor", "god", "is", "love"};
        std::vector<int64_t> dec{0};
        std::string want;
        for (int step = 0; step < 5; ++step) {
            const ByHand step_ = forward(w_, {2, 3, 4, 1}, dec);
            const auto& row = step_.logits.back();
            const int64_t next = int64_t(std::max_element(row.begin(), row.end()) - row.begin());
            if (next == 1) break;
            dec.push_back(next);
            want += (want.empty() ? "" : " ") + tokens[size_t(next)];
        }
        QCOMPARE(translation, want);
        QVERIFY(t.find("cross_attention"));
        QCOMPARE(t.find("cross_attention")->shape[2], int64_t(dec.size()));
        QCOMPARE(t.meta("mode"), std::string("free"));
        // Logits that favour eos everywhere: generation stops at once.
        Weights eos = w_;
        const ByHand first = forward(w_, {2, 3, 4, 1}, {0});
        for (int d = 0; d < D; ++d) eos.Wout[size_t(d * V + 1)] = first.mixed[0][size_t(d)] >= 0 ? 50.0f : -50.0f;
        ScriptModel stop;
        QVERIFY(stop.load(folder("eos", eos).toStdString()).ok);
        QVERIFY(stop.decode("dios es amor", nullptr, t, &translation).ok);
        QCOMPARE(translation, std::string());
        QVERIFY(t.find("cross_attention"));
        QCOMPARE(t.find("cross_attention")->labels[2], (std::vector<std::string>{"</s>"}));
    }

    void aTranslatorForCorpusEvaluation()
    {
        const QString f = folder("eval", w_);
        std::unique_ptr<VerseDecoder> t;
        const Status st = loadVerseDecoder(f.toStdString(), t);
        QVERIFY2(st.ok, st.message.c_str());
        Corpus c;
        QVERIFY(pharaohCorpus("c", "dios es amor\n", "god is love\n", "0-0 1-1 2-2\n", c));
        EvalResult r;
        const Status ev = evaluate(*t, {&c.verses[0]}, r, true);
        QVERIFY2(ev.ok, ev.message.c_str());
        QCOMPARE(r.verses, 1);
        QCOMPARE(r.model.gold, 3ll);
    }

    void headImportanceByAblationThroughTheInterpreter()
    {
        // Forced decoding carries the reference's log-likelihood: Σ log softmax(logits)[next].
        const QString f = folder("importance", w_);
        ScriptModel m;
        QVERIFY(m.load(f.toStdString()).ok);
        AttentionTrace t;
        const std::string reference = "god love";
        QVERIFY(m.decode("dios es amor", &reference, t).ok);
        const ByHand want = forward(w_, {2, 3, 4, 1}, {0, 5, 7});
        double ll = 0;
        const std::vector<int64_t> next{5, 7, 1};
        for (size_t r = 0; r < next.size(); ++r) {
            double z = 0;
            for (double x : want.logits[r]) z += std::exp(x);
            ll += want.logits[r][size_t(next[r])] - std::log(z);
        }
        QVERIFY2(std::abs(std::stod(t.meta("reference_log_likelihood")) - ll) < 1e-3,
                 qPrintable(QString("%1 vs %2").arg(t.meta("reference_log_likelihood").c_str()).arg(ll)));

        // Importance by ablation of the export's three heads over a two-verse corpus.
        Corpus c;
        QVERIFY(pharaohCorpus("imp", "dios es amor\namor es dios\n", "god is love\nlove is god\n", "0-0 1-1 2-2\n0-0 1-1 2-2\n", c));
        std::vector<const Verse*> verses{&c.verses[0], &c.verses[1]};
        std::unique_ptr<VerseDecoder> d;
        QVERIFY(loadVerseDecoder(f.toStdString(), d).ok);
        std::vector<HeadImportance> table;
        const Status st = d->headImportance(verses, ImportanceMethod::Ablation, table);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(table.size(), size_t(3));
        QCOMPARE(table[0].kind, std::string("encoder_self"));
        QCOMPARE(table[1].kind, std::string("decoder_self"));
        QCOMPARE(table[2].kind, std::string("cross_attention"));
        // Each value is the mean Δ log-likelihood with that head alone zeroed, as the model's
        // own ablated forced decoding gives it.
        const auto joinWords = [](const std::vector<std::string>& w) {
            std::string out;
            for (const auto& x : w) out += (out.empty() ? "" : " ") + x;
            return out;
        };
        const auto corpusLL = [&](const HeadAblation* a) {
            double sum = 0;
            for (const Verse* v : verses) {
                AttentionTrace x;
                const std::string ref = joinWords(v->targetWords());
                if (!m.decode(joinWords(v->sourceWords()), &ref, x, nullptr, {}, a).ok) return std::nan("");
                sum += std::stod(x.meta("reference_log_likelihood"));
            }
            return sum;
        };
        const double base = corpusLL(nullptr);
        for (const HeadImportance& h : table) {
            HeadAblation one;
            one.heads[h.kind][0] = {0};
            QVERIFY2(std::abs(h.deltaLogLikelihood - (corpusLL(&one) - base) / 2) < 1e-4, h.kind.c_str());
            QVERIFY(!std::isnan(h.deltaBleu));
        }
        QVERIFY(std::abs(table[2].deltaLogLikelihood) > 1e-3);  // zeroing the cross-attention matters
        // Shards merge into the same table.
        ImportancePartial a, b;
        QVERIFY(d->headImportanceShard(verses, ImportanceMethod::Ablation, Shard{0, 2}, a).ok);
        QVERIFY(d->headImportanceShard(verses, ImportanceMethod::Ablation, Shard{1, 2}, b).ok);
        std::vector<HeadImportance> merged;
        QVERIFY(mergeImportance({b, a}, merged).ok);
        QCOMPARE(importanceCsv(merged, ImportanceMethod::Ablation), importanceCsv(table, ImportanceMethod::Ablation));

        // Gradient importance through the interpreter: |∂L/∂ξ_h| against central finite
        // differences of the model by hand (L = −log p of the reference).
        const auto nll = [&](const std::array<double, 3>& g) {
            const ByHand x = forward(w_, {2, 3, 4, 1}, {0, 5, 7}, g);
            double sum = 0;
            for (size_t r = 0; r < next.size(); ++r) {
                double z = 0;
                for (double v : x.logits[r]) z += std::exp(v);
                sum -= x.logits[r][size_t(next[r])] - std::log(z);
            }
            return sum;
        };
        std::vector<float> grads;
        const Status gs = m.headGradients("dios es amor", reference, {"encoder_self", "decoder_self", "cross_attention"}, grads);
        QVERIFY2(gs.ok, gs.message.c_str());
        QCOMPARE(grads.size(), size_t(3));
        for (int k = 0; k < 3; ++k) {
            std::array<double, 3> up{1, 1, 1}, down{1, 1, 1};
            up[size_t(k)] += 1e-4;
            down[size_t(k)] -= 1e-4;
            const double fd = std::abs(nll(up) - nll(down)) / 2e-4;
            QVERIFY2(std::abs(double(grads[size_t(k)]) - fd) < 1e-3 * std::max(1.0, fd),
                     qPrintable(QString("gate %1: %2 vs finite difference %3").arg(k).arg(grads[size_t(k)]).arg(fd)));
        }
        QVERIFY(grads[2] > 1e-4f);
        // Over the corpus: one head per layer, so each l2-normalised score is 1 (or 0).
        std::vector<HeadImportance> byGradient;
        const Status grad = d->headImportance(verses, ImportanceMethod::Gradient, byGradient);
        QVERIFY2(grad.ok, grad.message.c_str());
        QCOMPARE(byGradient.size(), size_t(3));
        QVERIFY(std::abs(byGradient[2].gradient - 1.0) < 1e-6);

        // Pruning curves: at 0 % the unablated BLEU, at 100 % every head zeroed.
        std::vector<HeadImportance> ranked;
        QVERIFY(d->headImportance(verses, ImportanceMethod::Ablation, ranked).ok);
        std::vector<PruningCurve> curves;
        const Status pr = d->pruningCurves(verses, ranked, ImportanceMethod::Ablation, 1, curves);
        QVERIFY2(pr.ok, pr.message.c_str());
        QCOMPARE(curves.size(), size_t(2));
        QCOMPARE(curves[0].removed.back(), 3);
        std::vector<std::vector<std::string>> hyps, refs;
        QVERIFY(d->translateBatch({verses[0]->sourceWords(), verses[1]->sourceWords()}, hyps).ok);
        for (const Verse* v : verses) {
            refs.push_back(v->targetWords());
            for (auto& w : refs.back()) w = toLower(w);
        }
        QCOMPARE(curves[0].bleu.front(), corpusBleu(hyps, refs));
        QCOMPARE(curves[1].bleu.front(), curves[0].bleu.front());
    }

    void aMarianExportOpensWithoutASidecar()
    {
        // Marian's files as Optimum writes them: source.spm and target.spm (trained here by
        // spm_train), one vocab.json numbering both sides' pieces, config.json with the token
        // ids and generation_config.json with max_length. No attnscope.json.
        QDir(dir_.path()).mkpath("opus");
        const QString f = dir_.filePath("opus");
        QByteArray es, en;
        for (int i = 0; i < 30; ++i) {
            es += "Dios es amor . En el principio era el Verbo .\n";
            en += "God is love . In the beginning was the Word .\n";
        }
        write(f + "/es.txt", es);
        write(f + "/en.txt", en);
        QStringList pieces{"<pad>", "</s>", "<unk>"};
        for (const auto& [side, out] : {std::pair<const char*, const char*>{"es", "source"}, {"en", "target"}}) {
            QString trainError;
            QVERIFY2(spmTrain({"--input=" + f + "/" + side + ".txt", "--model_prefix=" + f + "/" + out, "--vocab_size=24",
                                      "--hard_vocab_limit=false", "--character_coverage=1.0", "--pad_id=3", "--pad_piece=<pad>",
                                      "--eos_piece=</s>"}, &trainError), qPrintable(trainError));
            QVERIFY(QFile::rename(f + "/" + out + ".model", f + "/" + out + ".spm"));
            QFile vocab(f + "/" + out + ".vocab");
            QVERIFY(vocab.open(QIODevice::ReadOnly));
            for (const QByteArray& line : vocab.readAll().split('\n'))
                if (!line.isEmpty() && !pieces.contains(QString::fromUtf8(line.left(line.indexOf('\t')))))
                    pieces << QString::fromUtf8(line.left(line.indexOf('\t')));
        }
        QJsonObject vocab;
        for (int i = 0; i < pieces.size(); ++i) vocab[pieces[i]] = i;
        write(f + "/vocab.json", QJsonDocument(vocab).toJson());
        write(f + "/config.json", "{\"model_type\": \"marian\", \"decoder_start_token_id\": 0, \"eos_token_id\": 1, \"pad_token_id\": 0}");
        write(f + "/generation_config.json", "{\"max_length\": 4, \"decoder_start_token_id\": 0}");
        const int saved = V;
        V = int(pieces.size());
        const Weights w;
        save(f + "/encoder_model.onnx", encoder(w));
        save(f + "/decoder_model.onnx", decoder(w));
        V = saved;
        ScriptModel m;
        Status st = m.load(f.toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(m.spec().decoderStart, std::string("<pad>"));
        QCOMPARE(m.spec().eos, std::string("</s>"));
        QCOMPARE(m.spec().maxNewTokens, 4);
        AttentionTrace t;
        const std::string reference = "God is love .";
        st = m.decode("Dios es amor .", &reference, t);
        QVERIFY2(st.ok, st.message.c_str());
        const TraceTensor* cross = t.find("cross_attention");
        QVERIFY(cross);
        QCOMPARE(cross->labels[3].back(), std::string("</s>"));  // the source ends with eos
        QVERIFY2(cross->labels[3].front().rfind("\xe2\x96\x81", 0) == 0, cross->labels[3].front().c_str());  // SentencePiece's ▁
        QCOMPARE(cross->labels[2].back(), std::string("</s>"));
        // Greedy: at most max_length tokens.
        std::string translation;
        QVERIFY(m.decode("Dios es amor .", nullptr, t, &translation).ok);
        QVERIFY(t.find("cross_attention")->shape[2] <= 5);
        // attnscope.json overrides one key; the rest still comes from the folder.
        write(f + "/attnscope.json", "{\"input\": {\"max_new_tokens\": 2, \"target\": {\"append\": []}}}");
        st = m.load(f.toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(m.spec().maxNewTokens, 2);
        QCOMPARE(m.spec().eos, std::string("</s>"));
        QVERIFY(m.spec().target.sentencePiecePath.find("target.spm") != std::string::npos);  // the target object merged, not replaced
        QVERIFY(m.decode("Dios es amor .", nullptr, t, &translation).ok);
        QVERIFY(t.find("cross_attention")->shape[2] <= 3);
        write(f + "/attnscope.json", "{\"input\": {\"eos\": \"<nope>\"}}");
        st = m.load(f.toStdString());
        QVERIFY2(!st.ok && st.message.find("attnscope.json: \"eos\" '<nope>' is not in the target vocabulary") != std::string::npos,
                 st.message.c_str());
        QFile::remove(f + "/attnscope.json");
        // A wrong config.json is named.
        write(f + "/config.json", "{\"model_type\": \"marian\", \"decoder_start_token_id\": 0, \"eos_token_id\": 9999, \"pad_token_id\": 0}");
        st = m.load(f.toStdString());
        QVERIFY2(!st.ok && st.message.find("eos_token_id (9999) is not a token of the target vocabulary") != std::string::npos,
                 st.message.c_str());
        write(f + "/config.json", "{\"model_type\": \"nllb-moe\"}");
        st = m.load(f.toStdString());
        QVERIFY2(!st.ok && st.message.find("model_type 'nllb-moe'") != std::string::npos, st.message.c_str());
        write(f + "/config.json", "not json");
        st = m.load(f.toStdString());
        QVERIFY2(!st.ok && st.message.find("config.json is not a JSON object") != std::string::npos, st.message.c_str());
    }

    void aT5ExportOpensWithoutASidecar()
    {
        // T5's one spiece.model numbers both sides (<pad> 0, </s> 1, <unk> 2, as T5's is trained).
        QDir(dir_.path()).mkpath("t5");
        const QString f = dir_.filePath("t5");
        QByteArray text;
        for (int i = 0; i < 30; ++i) text += "translate Spanish to English: Dios es amor . God is love .\n";
        write(f + "/text.txt", text);
        QString trainError;
        QVERIFY2(spmTrain({"--input=" + f + "/text.txt", "--model_prefix=" + f + "/spiece", "--vocab_size=32",
                                  "--hard_vocab_limit=false", "--character_coverage=1.0", "--pad_id=0", "--eos_id=1", "--unk_id=2",
                                  "--bos_id=-1"}, &trainError), qPrintable(trainError));
        QFile pieces(f + "/spiece.vocab");
        QVERIFY(pieces.open(QIODevice::ReadOnly));
        const int saved = V;
        V = int(pieces.readAll().trimmed().split('\n').size());
        QVERIFY(save(f + "/encoder_model.onnx", encoder(Weights())) && save(f + "/decoder_model.onnx", decoder(Weights())));
        V = saved;
        write(f + "/config.json", "{\"model_type\": \"t5\", \"decoder_start_token_id\": 0, \"eos_token_id\": 1, \"pad_token_id\": 0}");
        ScriptModel m;
        Status st = m.load(f.toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(m.spec().decoderStart, std::string("<pad>"));
        QCOMPARE(m.spec().eos, std::string("</s>"));
        AttentionTrace t;
        const std::string reference = "God is love .";
        st = m.decode("Dios es amor .", &reference, t);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(t.find("cross_attention")->labels[3].back(), std::string("</s>"));
        QCOMPARE(t.find("decoder_self")->labels[3].front(), std::string("<pad>"));
        QFile::remove(f + "/spiece.model");
        st = m.load(f.toStdString());
        QVERIFY2(!st.ok && st.message.find("needs spiece.model") != std::string::npos, st.message.c_str());
    }

    void anNllbExportOpensWithItsLanguageCodes()
    {
        // NLLB's files as Optimum writes them: sentencepiece.bpe.model (spm_train here), a
        // tokenizer.json numbering its pieces with fairseq's offset (+1) and holding <s> <pad>
        // </s> <unk> and the language codes, config.json (model_type m2m_100) and
        // tokenizer_config.json naming the languages.
        const QString f = dir_.filePath("nllb");
        QStringList pieces;
        QVERIFY(trainBpe(f, pieces));
        QJsonObject vocab;
        const int n = int(pieces.size());
        for (int i = 3; i < n; ++i) vocab[pieces[i]] = i + 1;  // spm's <unk> <s> </s> are fairseq's specials below
        QJsonArray added;
        const QStringList specials{"<s>", "<pad>", "</s>", "<unk>"};
        for (int i = 0; i < 4; ++i) added.append(QJsonObject{{"id", i}, {"content", specials[i]}});
        added.append(QJsonObject{{"id", n + 1}, {"content", "spa_Latn"}});
        added.append(QJsonObject{{"id", n + 2}, {"content", "eng_Latn"}});
        write(f + "/tokenizer.json", QJsonDocument(QJsonObject{{"added_tokens", added}, {"model", QJsonObject{{"type", "BPE"}, {"vocab", vocab}}}}).toJson());
        write(f + "/config.json", "{\"model_type\": \"m2m_100\", \"decoder_start_token_id\": 2, \"eos_token_id\": 2, \"pad_token_id\": 1, "
                                  "\"max_length\": 6}");
        write(f + "/tokenizer_config.json", "{\"tokenizer_class\": \"NllbTokenizer\", \"src_lang\": \"spa_Latn\", \"tgt_lang\": \"eng_Latn\"}");
        const int saved = V;
        V = n + 3;
        QVERIFY(save(f + "/encoder_model.onnx", encoder(Weights())) && save(f + "/decoder_model.onnx", decoder(Weights())));
        V = saved;
        ScriptModel m;
        Status st = m.load(f.toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(m.spec().prepend, (std::vector<std::string>{"spa_Latn"}));
        QCOMPARE(m.spec().target.prepend, (std::vector<std::string>{"eng_Latn"}));
        QCOMPARE(m.spec().decoderStart, std::string("</s>"));
        // Forced: the source starts with its code, the decoder's first target is the target's code.
        AttentionTrace t;
        const std::string reference = "God is love .";
        st = m.decode("Dios es amor .", &reference, t);
        QVERIFY2(st.ok, st.message.c_str());
        const TraceTensor* cross = t.find("cross_attention");
        QVERIFY(cross);
        QCOMPARE(cross->labels[3].front(), std::string("spa_Latn"));
        QCOMPARE(cross->labels[3].back(), std::string("</s>"));
        QCOMPARE(cross->labels[2].front(), std::string("eng_Latn"));
        // The 2-D alignment gold scores leaves the codes out: words from the first on both sides.
        const TraceTensor* a = t.find("cross");
        QCOMPARE(a->shape[0], cross->shape[2] - 1);
        QCOMPARE(a->shape[1], cross->shape[3] - 1);
        QVERIFY(a->labels[0].front() != "eng_Latn" && a->labels[1].front() != "spa_Latn");
        // Greedy: the code is given, not generated nor shown in the translation.
        std::string translation;
        QVERIFY(m.decode("Dios es amor .", nullptr, t, &translation).ok);
        QCOMPARE(t.find("cross_attention")->labels[2].front(), std::string("eng_Latn"));
        QVERIFY2(translation.find("eng_Latn") == std::string::npos, translation.c_str());
        // attnscope.json picks other languages; a code tokenizer.json lacks is named.
        write(f + "/attnscope.json", "{\"input\": {\"source_language\": \"eng_Latn\", \"target_language\": \"spa_Latn\"}}");
        QVERIFY(m.load(f.toStdString()).ok);
        QCOMPARE(m.spec().prepend, (std::vector<std::string>{"eng_Latn"}));
        QCOMPARE(m.spec().target.prepend, (std::vector<std::string>{"spa_Latn"}));
        write(f + "/attnscope.json", "{\"input\": {\"target_language\": \"fra_Latn\"}}");
        st = m.load(f.toStdString());
        QVERIFY2(!st.ok && st.message.find("'fra_Latn' is not a token of the vocabulary") != std::string::npos, st.message.c_str());
        QFile::remove(f + "/attnscope.json");
        write(f + "/tokenizer_config.json", "{\"tokenizer_class\": \"NllbTokenizer\"}");
        st = m.load(f.toStdString());
        QVERIFY2(!st.ok && st.message.find("source_language") != std::string::npos, st.message.c_str());
    }

    void anM2m100ExportOpensWithItsLanguageCodes()
    {
        // M2M100: vocab.json numbers the pieces; the language codes (__es__, __en__) are the
        // tokens HF adds beside it — special_tokens_map.json's list, numbered after the vocabulary.
        const QString f = dir_.filePath("m2m");
        QStringList pieces;
        QVERIFY(trainBpe(f, pieces));
        QJsonObject vocab{{"<s>", 0}, {"<pad>", 1}, {"</s>", 2}, {"<unk>", 3}};
        for (const QString& piece : pieces)
            if (!vocab.contains(piece)) vocab[piece] = vocab.size();
        const int n = int(vocab.size());
        write(f + "/vocab.json", QJsonDocument(vocab).toJson());
        write(f + "/special_tokens_map.json", "{\"additional_special_tokens\": [\"__en__\", \"__es__\"]}");
        write(f + "/tokenizer_config.json", "{\"tokenizer_class\": \"M2M100Tokenizer\", \"src_lang\": \"es\", \"tgt_lang\": \"en\"}");
        write(f + "/config.json", "{\"model_type\": \"m2m_100\", \"decoder_start_token_id\": 2, \"eos_token_id\": 2, \"pad_token_id\": 1}");
        const int saved = V;
        V = n + 2;
        QVERIFY(save(f + "/encoder_model.onnx", encoder(Weights())) && save(f + "/decoder_model.onnx", decoder(Weights())));
        V = saved;
        ScriptModel m;
        Status st = m.load(f.toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(m.spec().prepend, (std::vector<std::string>{"__es__"}));
        QCOMPARE(m.spec().target.prepend, (std::vector<std::string>{"__en__"}));
        AttentionTrace t;
        const std::string reference = "God is love .";
        st = m.decode("Dios es amor .", &reference, t);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(t.find("cross_attention")->labels[3].front(), std::string("__es__"));
        QCOMPARE(t.find("cross_attention")->labels[2].front(), std::string("__en__"));
        // attnscope.json may name the languages as M2M100 does ("es") or as tokens.
        write(f + "/attnscope.json", "{\"input\": {\"source_language\": \"en\", \"target_language\": \"__es__\"}}");
        QVERIFY(m.load(f.toStdString()).ok);
        QCOMPARE(m.spec().prepend, (std::vector<std::string>{"__en__"}));
        QCOMPARE(m.spec().target.prepend, (std::vector<std::string>{"__es__"}));
    }

    void badFoldersAreNamed()
    {
        // A merged decoder (an If over two subgraphs) is refused, pointing to decoder_model.onnx.
        const QString merged = folder("merged", w_);
        QFile::rename(merged + "/decoder_model.onnx", merged + "/decoder_model_merged.onnx");
        write(merged + "/attnscope.json", QByteArray(kSidecar).replace("{\"name\"", "{\"decoder\": \"decoder_model_merged.onnx\", \"name\""));
        ScriptModel m;
        Status st = m.load(merged.toStdString());
        QVERIFY2(!st.ok && st.message.find("name decoder_model.onnx as \"decoder\"") != std::string::npos, st.message.c_str());
        // A missing decoder graph named in attnscope.json.
        write(merged + "/attnscope.json", QByteArray(kSidecar).replace("{\"name\"", "{\"decoder\": \"gone.onnx\", \"name\""));
        st = m.load(merged.toStdString());
        QVERIFY2(!st.ok && st.message.find("gone.onnx is missing") != std::string::npos, st.message.c_str());
        // No attnscope.json: what to write.
        const QString bare = folder("bare", w_);
        QFile::remove(bare + "/attnscope.json");
        st = m.load(bare.toStdString());
        QVERIFY2(!st.ok && st.message.find("write attnscope.json") != std::string::npos, st.message.c_str());
        // A decoder start token the vocabulary lacks.
        const QString tok = folder("tok", w_);
        write(tok + "/attnscope.json", QByteArray(kSidecar).replace("\"decoder_start\": \"<pad>\"", "\"decoder_start\": \"<s>\""));
        st = m.load(tok.toStdString());
        QVERIFY2(!st.ok && st.message.find("\"decoder_start\" '<s>' is not in the target vocabulary") != std::string::npos, st.message.c_str());
    }
};

QTEST_MAIN(TestOnnxTranslator)
#include "test_onnxtranslator.moc"
