// User TorchScript models: fixture modules compiled and saved by the test itself through
// torch::jit (Module::define + save), a JSON sidecar, loaded back and run; every mismatch
// between the sidecar and what the module returns is a clear error.
#include "attnscope/ablation.h"
#include "attnscope/longattention.h"
#include "attnscope/scriptmodel.h"
#include "attnscope/visionmodel.h"
#include "attnscope/schema.h"
#include "attnscope/corpus.h"
#include "attnscope/translator.h"
#include "attnscope/modelcache.h"
#include "attnscope/pipelines.h"
#include "attnscope/video.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <torch/script.h>

using namespace attnscope;

namespace {
const char* kVocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\ndios\nes\namor\n.\n";

void write(const QString& path, const QByteArray& text)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
}

/// forward(ids [1, T]) → (x [1, T, 4], [a, b]) with a, b [1, 1, T, T] (HuggingFace-style
/// per-layer attentions), or a dict {"attentions": [layer, batch, query, key]}.
torch::Tensor saveModule(const QString& path, bool dictOutput)
{
    torch::manual_seed(7);
    const auto emb = torch::randn({8, 4});
    torch::jit::Module m("Tiny");
    m.register_parameter("emb", emb, false);
    if (dictOutput)
        m.define(R"JIT(
def forward(self, ids):
    x = torch.embedding(self.emb, ids)
    s = torch.matmul(x, x.transpose(1, 2))
    return {"attentions": torch.stack([torch.softmax(s, -1), torch.softmax(-s, -1)], 0)}
)JIT");
    else
        m.define(R"JIT(
def forward(self, ids):
    x = torch.embedding(self.emb, ids)
    s = torch.matmul(x, x.transpose(1, 2))
    return (x, [torch.softmax(s, -1).unsqueeze(1), torch.softmax(-s, -1).unsqueeze(1)])
)JIT");
    m.save(path.toStdString());
    return emb;
}

QByteArray sidecar(const QByteArray& attention, const QByteArray& extraInput = "")
{
    return R"({"name": "tiny", "description": "a fixture",
               "input": {"type": "tokens", "vocabulary": "vocab.txt", "lowercase": true, "unknown": "[UNK]",
                         "prepend": ["[CLS]"], "append": ["[SEP]"], "max_tokens": 16)" + extraInput + R"(},
               "attention": [)" + attention + "]}";
}
/// A HuggingFace-style encoder–decoder that copies: forward(input_ids, attention_mask,
/// decoder_input_ids) → (logits, decoder_attentions, cross_attentions, encoder_last_hidden_state,
/// encoder_attentions), the tuple of return_dict=False, use_cache=False, output_attentions=True.
/// Step i attends to source token min(i, n−1) (n real source tokens, padding masked) and
/// predicts that token's id (source and target ids coincide: dios→god, es→is, amor→love,
/// </s>→</s>) through that attention: the logits are layer 1 head 1 × the source's one-hot
/// ids. Cross-attention has two layers: layer 1 = (diagonal, uniform), layer 2 = (uniform,
/// diagonal). With `crossHeadMask`: HuggingFace's cross_attn_head_mask [layers, heads] as a
/// fourth argument, each cross-attention head × its entry (zeroing layer 1 head 1 changes the
/// output).
void saveSeq2Seq(const QString& path, bool crossHeadMask = false)
{
    torch::jit::Module m("CopySeq2Seq");
    const std::string mask1 = crossHeadMask ? " * cross_attn_head_mask[0].view(1, 2, 1, 1)" : "";
    const std::string mask2 = crossHeadMask ? " * cross_attn_head_mask[1].view(1, 2, 1, 1)" : "";
    m.define(std::string("def forward(self, input_ids, attention_mask, decoder_input_ids") +
             (crossHeadMask ? ", cross_attn_head_mask" : "") + R"JIT():
    P = input_ids.size(1)
    Q = decoder_input_ids.size(1)
    mask = attention_mask.float()
    n = int(attention_mask.sum())
    idx = torch.clamp(torch.arange(Q), 0, n - 1)
    diag = torch.one_hot(idx, P).float()
    uniform = mask.expand(Q, P) / float(n)
    layer1 = torch.stack([diag, uniform], 0).unsqueeze(0))JIT" + mask1 + R"JIT(
    layer2 = torch.stack([uniform, diag], 0).unsqueeze(0))JIT" + mask2 + R"JIT(
    logits = torch.matmul(layer1[0, 0], torch.one_hot(input_ids[0], 6).float()).unsqueeze(0) * 10.0
    causal = torch.tril(torch.ones(Q, Q))
    dec_self = (causal / causal.sum(1, keepdim=True)).unsqueeze(0).unsqueeze(0)
    enc_self = (torch.eye(P, P) * mask).unsqueeze(0).unsqueeze(0) + 0.0
    hidden = torch.zeros(1, P, 4)
    return (logits, [dec_self], [layer1, layer2], hidden, [enc_self])
)JIT");
    m.save(path.toStdString());
}

QByteArray seq2seqSidecar(const QByteArray& extra = "", const QByteArray& crossExtents = R"("query": "target", "key": "source")")
{
    return R"({"name": "copy", "input": {"type": "seq2seq",
       "source": {"vocabulary": "es.txt", "lowercase": true, "unknown": "<unk>", "append": ["</s>"]},
       "target": {"vocabulary": "en.txt", "lowercase": true, "unknown": "<unk>"},
       "arguments": ["input_ids", "attention_mask", "decoder_input_ids"],
       "pad_to": 8, "pad": "<pad>", "decoder_start": "<pad>", "eos": "</s>", "logits": 0, "max_new_tokens": 6)" +
           extra + R"(},
     "attention": [
       {"name": "cross_attention", "output": 2, "per_layer": true, "axes": ["batch", "head", "query", "key"], )" +
           crossExtents + R"(},
       {"name": "decoder_self", "output": 1, "per_layer": true, "axes": ["batch", "head", "query", "key"], "query": "target", "key": "target"},
       {"name": "encoder_self", "output": 4, "per_layer": true, "axes": ["batch", "head", "query", "key"], "query": "source", "key": "source"}]})";
}
} // namespace

class TestScriptModel : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() { write(dir_.filePath("vocab.txt"), kVocab); }
    void perLayerTupleOutput()
    {
        const auto emb = saveModule(dir_.filePath("tiny.pt"), false);
        write(dir_.filePath("tiny.json"),
              sidecar(R"({"name": "encoder_self", "output": 1, "per_layer": true, "axes": ["batch", "head", "query", "key"]})"));
        ScriptModel m;
        auto st = m.load(dir_.filePath("tiny.pt").toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(m.spec().name, std::string("tiny"));
        QVERIFY(m.spec().takes().find("vocab.txt") != std::string::npos);
        AttentionTrace tr;
        st = m.run("Dios es amor.", tr);
        QVERIFY2(st.ok, st.message.c_str());
        const TraceTensor* t = tr.find("encoder_self");
        QVERIFY(t);
        QCOMPARE(t->shape, (std::vector<int64_t>{2, 1, 6, 6}));  // [CLS] dios es amor . [SEP]
        QCOMPARE(t->labels[2], (std::vector<std::string>{"[CLS]", "dios", "es", "amor", ".", "[SEP]"}));
        // Layer 1 equals softmax(x xᵀ) computed here from the same embedding.
        const auto x = emb.index_select(0, torch::tensor({2, 4, 5, 6, 7, 3}, torch::kInt64));
        const auto a = torch::softmax(torch::matmul(x, x.t()), -1).contiguous();
        for (int i = 0; i < 36; ++i) QVERIFY(std::abs(t->values[size_t(i)] - a.data_ptr<float>()[i]) < 1e-5);
        // An unknown word maps to [UNK]; empty and too long inputs are refused.
        QVERIFY(m.run("Dios xyzzy", tr).ok);
        QCOMPARE(tr.find("encoder_self")->labels[2][2], std::string("xyzzy"));
        QVERIFY(!m.run("  ", tr).ok);
        st = m.run(QString("dios ").repeated(20).toStdString(), tr);
        QVERIFY(!st.ok && st.message.find("at most 16") != std::string::npos);
    }
    void sentencePieceInput()
    {
        // A SentencePiece model trained here on a few sentences, then a module whose
        // embedding covers its ids.
        QByteArray corpus;
        for (int i = 0; i < 40; ++i)
            corpus += "En el principio crió Dios los cielos y la tierra.\nY dijo Dios: Sea la luz, y fué la luz.\n"
                      "Dios es amor, y el que vive en amor, vive en Dios.\n";
        write(dir_.filePath("corpus.txt"), corpus);
        QProcess train;
        train.start("spm_train", {"--input=" + dir_.filePath("corpus.txt"), "--model_prefix=" + dir_.filePath("spm"),
                                  "--vocab_size=48", "--hard_vocab_limit=false", "--character_coverage=1.0"});
        QVERIFY2(train.waitForFinished(60000) && train.exitCode() == 0, train.readAllStandardError().constData());
        torch::jit::Module m("Pieces");
        m.register_parameter("emb", torch::randn({64, 4}), false);
        m.define(R"JIT(
def forward(self, ids):
    x = torch.embedding(self.emb, ids)
    return [torch.softmax(torch.matmul(x, x.transpose(1, 2)), -1).unsqueeze(1)]
)JIT");
        m.save(dir_.filePath("pieces.pt").toStdString());
        write(dir_.filePath("pieces.json"), R"({"name": "pieces", "input": {"sentencepiece": "spm.model", "prepend": ["<s>"],
                                                "append": ["</s>"]},
                                      "attention": [{"name": "self", "output": 0, "axes": ["batch", "head", "query", "key"]}]})");
        ScriptModel sm;
        auto st = sm.load(dir_.filePath("pieces.pt").toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(sm.spec().takes().find("SentencePiece") != std::string::npos);
        const auto tokens = sm.tokens("Dios es amor.");
        QVERIFY(tokens.size() >= 5);
        QCOMPARE(tokens.front(), std::string("<s>"));
        QCOMPARE(tokens.back(), std::string("</s>"));
        QCOMPARE(tokens[1].rfind("\u2581", 0), size_t(0));  // "▁" starts the first word's piece
        AttentionTrace tr;
        st = sm.run("Dios es amor.", tr);
        QVERIFY2(st.ok, st.message.c_str());
        const TraceTensor* t = tr.find("self");
        QVERIFY(t);
        QCOMPARE(t->shape[2], int64_t(tokens.size()));
        QCOMPARE(t->labels[2], tokens);
        // Both a SentencePiece model and a vocabulary (as Marian): SentencePiece cuts the pieces,
        // the vocabulary numbers them — a piece missing from it, with no unknown token, is an error.
        QByteArray numbered;
        for (auto it = tokens.rbegin(); it != tokens.rend(); ++it) numbered += QByteArray::fromStdString(*it) + '\n';
        write(dir_.filePath("numbered.txt"), numbered);
        QVERIFY(QFile::copy(dir_.filePath("pieces.pt"), dir_.filePath("both.pt")));
        write(dir_.filePath("both.json"), R"({"name": "both", "input": {"sentencepiece": "spm.model", "vocabulary": "numbered.txt",
                                     "prepend": ["<s>"], "append": ["</s>"], "unknown": "none"},
                                    "attention": [{"name": "self", "output": 0, "axes": ["batch", "head", "query", "key"]}]})");
        ScriptModel both;
        st = both.load(dir_.filePath("both.pt").toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(both.tokens("Dios es amor."), tokens);
        QVERIFY2(both.run("Dios es amor.", tr).ok, "every piece is numbered by numbered.txt");
        st = both.run("la tierra", tr);
        QVERIFY2(!st.ok && st.message.find("not in the vocabulary") != std::string::npos, st.message.c_str());
    }
    void imageInput()
    {
        // A ViT-shaped fixture: 8×8 RGB → 2×2 patches of 4×4 (+ a CLS token = their mean);
        // attention = softmax of the tokens' dot products.
        torch::jit::Module m("Patches");
        m.define(R"JIT(
def forward(self, x):
    p = torch.avg_pool2d(x, [4, 4])
    t = p.flatten(2).transpose(1, 2)
    t = torch.cat([t.mean(1, keepdim=True), t], 1)
    return [torch.softmax(torch.matmul(t, t.transpose(1, 2)), -1).unsqueeze(1)]
)JIT");
        m.save(dir_.filePath("vit.pt").toStdString());
        const QByteArray input = R"("input": {"type": "image", "size": [8, 8], "channels": 3, "mean": [0.5, 0.5, 0.5],
                                      "std": [0.5, 0.5, 0.5], "patch": PATCH, "cls": true})";
        const QByteArray att = R"("attention": [{"name": "vit", "output": 0, "axes": ["batch", "head", "query", "key"]}])";
        write(dir_.filePath("vit.json"), "{" + QByteArray(input).replace("PATCH", "4") + ", " + att + "}");
        QImage img(32, 32, QImage::Format_RGB888);
        img.fill(Qt::black);
        for (int y = 0; y < 16; ++y)
            for (int x = 0; x < 16; ++x) img.setPixelColor(x, y, Qt::white);  // top-left quarter white
        QVERIFY(img.save(dir_.filePath("quarter.png")));
        ScriptModel sm;
        auto st = sm.load(dir_.filePath("vit.pt").toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(sm.spec().image);
        QVERIFY(sm.spec().takes().find("8×8") != std::string::npos);
        AttentionTrace tr;
        st = sm.run(dir_.filePath("quarter.png").toStdString(), tr);
        QVERIFY2(st.ok, st.message.c_str());
        const TraceTensor* t = tr.find("vit");
        QVERIFY(t);
        QCOMPARE(t->shape, (std::vector<int64_t>{1, 1, 5, 5}));
        QCOMPARE(t->labels[2], (std::vector<std::string>{"[CLS]", "r0c0", "r0c1", "r1c0", "r1c1"}));
        // The white patch (r0c0, normalised to +1 in every channel) attends most to itself.
        const auto row = [&](int q) { return std::vector<float>(t->values.begin() + q * 5, t->values.begin() + q * 5 + 5); };
        const auto r1 = row(1);
        QCOMPARE(int(std::max_element(r1.begin(), r1.end()) - r1.begin()), 1);
        QCOMPARE(sm.tokens("anything"), t->labels[2]);
        // The same model as a vision model: the attention laid over the picture's 2×2 patches
        // after a CLS token, and the picture the model saw.
        VisionModel vm;
        st = vm.load(dir_.filePath("vit.pt").toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(!vm.onnx());
        AttentionTrace vt;
        st = vm.run(dir_.filePath("quarter.png").toStdString(), vt);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(vt.find(schema::vision::kAttention)->shape, (std::vector<int64_t>{1, 1, 5, 5}));
        QCOMPARE(vt.meta(schema::vision::kPatchRowsMeta), std::string("2"));
        QCOMPARE(vt.meta(schema::vision::kPatchColsMeta), std::string("2"));
        QCOMPARE(vt.meta(schema::vision::kClsMeta), std::string("1"));
        QCOMPARE(vt.meta(schema::vision::kFormatMeta), std::string("torchscript"));
        QCOMPARE(vt.find(schema::vision::kPicture)->shape, (std::vector<int64_t>{8, 8, 3}));
        QCOMPARE(vt.find(schema::vision::kPicture)->values[0], 255.0f);  // the white top-left quarter
        // Its heads cannot be ablated from outside: the attention is computed in its own code.
        HeadAblation ablate;
        QVERIFY(parseAblation("attention:1:1", ablate).ok);
        st = vm.run(dir_.filePath("quarter.png").toStdString(), vt, {}, &ablate);
        QVERIFY(!st.ok && st.message.find("TorchScript") != std::string::npos);
        // A sidecar whose patch size does not match the model's output is explained.
        write(dir_.filePath("vit.json"), "{" + QByteArray(input).replace("PATCH", "2") + ", " + att + "}");
        QVERIFY(sm.load(dir_.filePath("vit.pt").toStdString()).ok);
        st = sm.run(dir_.filePath("quarter.png").toStdString(), tr);
        QVERIFY(!st.ok && st.message.find("17 patches") != std::string::npos);
        st = sm.run(dir_.filePath("no-such.png").toStdString(), tr);
        QVERIFY(!st.ok && st.message.find("no such file") != std::string::npos);
        // Bad image sidecars.
        ScriptModelSpec spec;
        write(dir_.filePath("bad.json"), R"({"input": {"type": "image", "size": [8, 8], "patch": 3}, )" + att + "}");
        QVERIFY(!parseSidecar(dir_.filePath("bad.json").toStdString(), spec).ok);
        write(dir_.filePath("bad.json"), R"({"input": {"type": "audio"}, )" + att + "}");
        QVERIFY(!parseSidecar(dir_.filePath("bad.json").toStdString(), spec).ok);
    }
    void videoInput()
    {
        // A video fixture: attention between frames = softmax of −|mean brightness difference|.
        torch::jit::Module m("Frames");
        m.define(R"JIT(
def forward(self, x):
    b = x.mean([2, 3, 4])
    d = (b.unsqueeze(2) - b.unsqueeze(1)).abs()
    return [torch.softmax(-10.0 * d, -1).unsqueeze(1)]
)JIT");
        m.save(dir_.filePath("frames.pt").toStdString());
        FashionMnist test;
        QVERIFY(loadFashionMnist(false, test).ok);
        QVERIFY(writeTestClips(test, 1, dir_.filePath("clips").toStdString()).ok);
        const QByteArray att = R"("attention": [{"name": "temporal", "output": 0, "axes": ["batch", "head", "query", "key"]}])";
        write(dir_.filePath("frames.json"),
              R"({"input": {"type": "video", "frames": 8, "size": [16, 16], "channels": 1, "mean": [0.1], "std": [0.3]}, )" + att + "}");
        ScriptModel sm;
        auto st = sm.load(dir_.filePath("frames.pt").toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(sm.spec().video);
        QVERIFY(sm.spec().takes().find("8 frames") != std::string::npos);
        AttentionTrace tr;
        st = sm.run(dir_.filePath("clips/clip-000.avi").toStdString(), tr);
        QVERIFY2(st.ok, st.message.c_str());
        const TraceTensor* t = tr.find("temporal");
        QVERIFY(t);
        QCOMPARE(t->shape, (std::vector<int64_t>{1, 1, 8, 8}));
        QCOMPARE(t->labels[2], (std::vector<std::string>{"f2", "f6", "f10", "f14", "f18", "f22", "f26", "f30"}));
        for (int q = 0; q < 8; ++q) {  // every frame is most like itself
            const auto row = t->values.begin() + q * 8;
            QCOMPARE(int(std::max_element(row, row + 8) - row), q);
        }
        // Not a video, and a sidecar without "frames".
        QImage img(8, 8, QImage::Format_RGB888);
        img.fill(Qt::white);
        QVERIFY(img.save(dir_.filePath("still.png")));
        st = sm.run(dir_.filePath("no-such.avi").toStdString(), tr);
        QVERIFY(!st.ok && st.message.find("no such file") != std::string::npos);
        ScriptModelSpec spec;
        write(dir_.filePath("bad.json"), R"({"input": {"type": "video", "size": [8, 8]}, )" + att + "}");
        st = parseSidecar(dir_.filePath("bad.json").toStdString(), spec);
        QVERIFY(!st.ok && st.message.find("frames") != std::string::npos);
        // The frame count the sidecar gives must match the model's attention.
        write(dir_.filePath("frames.json"),
              R"({"input": {"type": "video", "frames": 8, "size": [16, 16], "channels": 1}, "attention": [{"name": "temporal", "output": 0, "axes": ["head", "query", "key"]}]})");
        QVERIFY(sm.load(dir_.filePath("frames.pt").toStdString()).ok);
        QVERIFY(!sm.run(dir_.filePath("clips/clip-000.avi").toStdString(), tr).ok);
    }
    void queriesAndKeysForLongInputs()
    {
        // A module that returns each layer's queries [1, 2 heads, T, 4] and keys [1, 1 KV head, T, 4]
        // (grouped-query attention): the trace keeps them and computes the causal weights.
        torch::manual_seed(11);
        torch::jit::Module m("QK");
        m.register_parameter("emb", torch::randn({8, 4}), false);
        m.register_parameter("wq", torch::randn({4, 8}), false);
        m.register_parameter("wk", torch::randn({4, 4}), false);
        m.define(R"JIT(
def forward(self, ids):
    x = torch.embedding(self.emb, ids)
    T = ids.size(1)
    q = torch.matmul(x, self.wq).view(1, T, 2, 4).transpose(1, 2)
    k = torch.matmul(x, self.wk).view(1, T, 1, 4).transpose(1, 2)
    return {"q": [q, q * 0.5], "k": [k, k]}
)JIT");
        m.save(dir_.filePath("qk.pt").toStdString());
        write(dir_.filePath("qk.json"),
              sidecar(R"({"name": "self", "queries": "q", "keys": "k", "per_layer": true, "causal": true,
                          "axes": ["batch", "head", "token", "dim"]})"));
        ScriptModel model;
        auto st = model.load(dir_.filePath("qk.pt").toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        AttentionTrace tr;
        st = model.run("Dios es amor .", tr);
        QVERIFY2(st.ok, st.message.c_str());
        const TraceTensor* t = tr.find("self");
        QVERIFY(t && t->store);
        QCOMPARE(t->store->layout(), std::string("qk"));
        QCOMPARE(t->shape, (std::vector<int64_t>{2, 2, 6, 6}));  // [CLS] dios es amor . [SEP]
        QCOMPARE(t->store->kvHeads(), int64_t(1));
        QCOMPARE(t->labels[2][0], std::string("[CLS]"));
        // Layer 2, head 2 against softmax(q kᵀ / 2) with the causal mask, computed here.
        torch::jit::Module loaded = torch::jit::load(dir_.filePath("qk.pt").toStdString());
        const auto ids = torch::tensor(std::vector<int64_t>{2, 4, 5, 6, 7, 3}).unsqueeze(0);
        const auto out = loaded.forward({ids}).toGenericDict();
        const auto q = out.at("q").toListRef()[1].toTensor()[0][1];  // [T, 4]
        const auto k = out.at("k").toListRef()[1].toTensor()[0][0];
        auto scores = torch::matmul(q, k.t()) / 2.0;
        scores.masked_fill_(torch::ones({6, 6}, torch::kBool).triu(1), -INFINITY);
        const auto want = torch::softmax(scores, -1).contiguous();
        std::vector<float> got(36);
        QVERIFY(t->store->matrix(1, 1)->readBlocks(1, BlockReduce::Max, 0, 0, 6, 6, got.data()).ok);
        for (int i = 0; i < 36; ++i) QVERIFY(std::abs(got[size_t(i)] - want.data_ptr<float>()[i]) < 1e-5f);
        // A sidecar whose Q/K axes miss "dim" is refused.
        write(dir_.filePath("qk.json"), sidecar(R"({"name": "self", "queries": "q", "keys": "k", "axes": ["batch", "head", "token"]})"));
        ScriptModel bad;
        st = bad.load(dir_.filePath("qk.pt").toStdString());
        QVERIFY(!st.ok);
        QVERIFY(QString::fromStdString(st.message).contains("\"dim\""));
    }
    void headMaskArgumentsAblateATorchScriptModel()
    {
        // The copying encoder–decoder with HuggingFace's cross_attn_head_mask [layers, heads] as
        // a fourth argument: each head's cross-attention × its mask entry; the logits read layer
        // 1 head 1 (the diagonal), so zeroing that head changes the greedy output.
        write(dir_.filePath("es.txt"), "<pad>\n</s>\n<unk>\ndios\nes\namor\n");
        write(dir_.filePath("en.txt"), "<pad>\n</s>\n<unk>\ngod\nis\nlove\n");
        saveSeq2Seq(dir_.filePath("masked.pt"), true);
        const QByteArray withMask = seq2seqSidecar(R"(, "head_mask": {"cross_attn_head_mask": [2, 2]})")
                                        .replace(R"("decoder_input_ids"])", R"("decoder_input_ids", "cross_attn_head_mask"])");
        write(dir_.filePath("masked.json"), withMask);
        ScriptModel sm;
        auto st = sm.load(dir_.filePath("masked.pt").toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(sm.spec().headMasks.size(), size_t(1));
        QCOMPARE(sm.spec().headMasks[0].kind, std::string("cross_attention"));
        AttentionTrace plain, same, ablated;
        std::string translation;
        QVERIFY(sm.decode("Dios es amor", nullptr, plain, &translation).ok);
        QCOMPARE(translation, std::string("god is love"));  // all ones: the model as it is
        // Ablating nothing changes nothing, bit for bit.
        HeadAblation none;
        QVERIFY(sm.decode("Dios es amor", nullptr, same, nullptr, {}, &none).ok);
        QCOMPARE(same.find("cross_attention")->values, plain.find("cross_attention")->values);
        // Layer 1 head 1 zeroed: its weights are 0, head 2 is untouched, the greedy output changes.
        HeadAblation a;
        QVERIFY(parseAblation("cross_attention:1:1", a).ok);
        st = sm.decode("Dios es amor", nullptr, ablated, &translation, {}, &a);
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(translation != "god is love");
        QCOMPARE(ablated.meta("ablation"), std::string("cross_attention L1 H1 (zero)"));
        const TraceTensor* x = ablated.find("cross_attention");
        const int64_t per = x->shape[2] * x->shape[3];
        QVERIFY(std::all_of(x->values.begin(), x->values.begin() + per, [](float v) { return v == 0; }));
        QVERIFY(std::any_of(x->values.begin() + per, x->values.begin() + 2 * per, [](float v) { return v > 0; }));
        // Forced decoding too; uniform, a head past the mask and an unmasked kind are refused by name.
        const std::string reference = "god is love";
        QVERIFY(sm.decode("Dios es amor", &reference, ablated, nullptr, {}, &a).ok);
        QVERIFY(std::all_of(ablated.find("cross_attention")->values.begin(), ablated.find("cross_attention")->values.begin() + 16,
                            [](float v) { return v == 0; }));
        HeadAblation u = a;
        u.mode = HeadAblation::Mode::Uniform;
        st = sm.decode("Dios es amor", nullptr, ablated, nullptr, {}, &u);
        QVERIFY(!st.ok && st.message.find("can only zero heads") != std::string::npos);
        HeadAblation bad;
        QVERIFY(parseAblation("cross_attention:3:1", bad).ok);
        st = sm.decode("Dios es amor", nullptr, ablated, nullptr, {}, &bad);
        QVERIFY2(!st.ok && st.message.find("cross_attention has layers 1–2 (asked 3)") != std::string::npos, st.message.c_str());
        HeadAblation other;
        QVERIFY(parseAblation("encoder_self:1:1", other).ok);
        st = sm.decode("Dios es amor", nullptr, ablated, nullptr, {}, &other);
        QVERIFY2(!st.ok && st.message.find("encoder_self") != std::string::npos, st.message.c_str());
        // A mask argument without its shape is explained at load.
        write(dir_.filePath("masked.json"),
              seq2seqSidecar().replace(R"("decoder_input_ids"])", R"("decoder_input_ids", "cross_attn_head_mask"])"));
        st = sm.load(dir_.filePath("masked.pt").toStdString());
        QVERIFY2(!st.ok && st.message.find("cross_attn_head_mask needs its shape") != std::string::npos, st.message.c_str());
        // Without a head-mask argument a TorchScript module is still refused, with the way out.
        write(dir_.filePath("copy.json"), seq2seqSidecar());
        saveSeq2Seq(dir_.filePath("copy.pt"));
        QVERIFY(sm.load(dir_.filePath("copy.pt").toStdString()).ok);
        st = sm.decode("Dios es amor", nullptr, ablated, nullptr, {}, &a);
        QVERIFY2(!st.ok && st.message.find("head-mask argument") != std::string::npos, st.message.c_str());
    }
    void encoderDecoderForcedAndGreedy()
    {
        write(dir_.filePath("es.txt"), "<pad>\n</s>\n<unk>\ndios\nes\namor\n");
        write(dir_.filePath("en.txt"), "<pad>\n</s>\n<unk>\ngod\nis\nlove\n");
        saveSeq2Seq(dir_.filePath("copy.pt"));
        write(dir_.filePath("copy.json"), seq2seqSidecar());
        ScriptModel m;
        auto st = m.load(dir_.filePath("copy.pt").toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(m.spec().seq2seq);
        // Greedy: one forward call per token until </s>.
        AttentionTrace tr;
        std::string translation;
        st = m.decode("Dios es amor", nullptr, tr, &translation);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(translation, std::string("god is love"));
        QCOMPARE(tr.meta("mode"), std::string("free"));
        // Padding (pad_to 8) never reaches the trace: 4 steps × 4 source tokens.
        const TraceTensor* cross = tr.find("cross_attention");
        QVERIFY(cross);
        QCOMPARE(cross->shape, (std::vector<int64_t>{2, 2, 4, 4}));
        QCOMPARE(cross->labels[2], (std::vector<std::string>{"god", "is", "love", "</s>"}));  // per axis
        QCOMPARE(cross->labels[3], (std::vector<std::string>{"dios", "es", "amor", "</s>"}));
        QCOMPARE(tr.find("encoder_self")->shape, (std::vector<int64_t>{1, 1, 4, 4}));
        QCOMPARE(tr.find("decoder_self")->labels[3], (std::vector<std::string>{"<pad>", "god", "is", "love"}));
        // Layer 1 head 1 is the diagonal; the uniform head spreads 1/4 over the real keys only.
        const auto at4 = [&](int l, int h, int q, int k) { return cross->values[size_t(((l * 2 + h) * 4 + q) * 4 + k)]; };
        QCOMPARE(at4(0, 0, 2, 2), 1.0f);
        QCOMPARE(at4(0, 1, 1, 3), 0.25f);
        // The 2-D alignment: the penultimate layer's head mean; argmax on the diagonal.
        const TraceTensor* x = tr.find("cross");
        QVERIFY(x);
        QCOMPARE(x->shape, (std::vector<int64_t>{4, 4}));
        QCOMPARE(x->at(1, 1), 0.625f);
        QCOMPARE(toPharaoh(headLinks(*x)), std::string("0-0 1-1 2-2"));
        // Forced decoding of a given target: one call; rows are the target plus </s>.
        const std::string reference = "love is god";  // deliberately not the copy
        st = m.decode("Dios es amor", &reference, tr);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(tr.find("cross")->labels[0], (std::vector<std::string>{"love", "is", "god", "</s>"}));
        QCOMPARE(tr.meta("mode"), std::string("forced"));
        // A source longer than pad_to: the message gives both sizes.
        st = m.decode("dios es amor dios es amor dios es", nullptr, tr);
        QVERIFY(!st.ok);
        QVERIFY2(st.message.find("9 tokens") != std::string::npos && st.message.find("pad_to is 8") != std::string::npos,
                 st.message.c_str());
        QVERIFY(!m.decode("", nullptr, tr).ok);

        // As a translator for corpus evaluation: a verse with Pharaoh gold, scored.
        UserTranslator ut;
        st = ut.load(dir_.filePath("copy.pt").toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        write(dir_.filePath("g.es"), "dios es amor\n");
        write(dir_.filePath("g.en"), "god is love\n");
        write(dir_.filePath("g.gold"), "0-0 1-1 2-2\n");
        Corpus c;
        QVERIFY(loadPharaohCorpus(dir_.filePath("g.es").toStdString(), dir_.filePath("g.en").toStdString(),
                                  dir_.filePath("g.gold").toStdString(), false, c)
                    .ok);
        AttentionTrace vt;
        QVERIFY(ut.decodeVerse(c.verses[0], true, vt).ok);
        QVERIFY(vt.hasGold());
        QCOMPARE(scoreTrace(vt).aer(), 0.0);
        EvalResult r;
        st = evaluate(ut, {&c.verses[0]}, r, true);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(r.model.aer(), 0.0);
        std::vector<std::vector<std::string>> hyps;
        QVERIFY(ut.translateBatch({{"Dios", "es", "amor"}}, hyps).ok);
        QCOMPARE(hyps, (std::vector<std::vector<std::string>>{{"god", "is", "love"}}));
        HeadTableResult heads;
        QVERIFY(headTable(ut, {&c.verses[0]}, heads).ok);
        const HeadTableAccumulator* acc = heads.find("cross_attention");
        QVERIFY(acc);
        QCOMPARE(acc->mean(0, 0).score.aer(), 0.0);  // the diagonal head aligns perfectly
        QVERIFY(acc->mean(0, 1).score.aer() > 0.0);  // the uniform one does not

        // A batch never dies on one sentence: a source and a target longer than the 8 positions
        // the model was traced at are skipped with the reason, and counted; the rest is scored.
        write(dir_.filePath("long.es"), "dios es amor\ndios es amor dios es amor dios es\ndios es amor\n");
        write(dir_.filePath("long.en"), "god is love\ngod is love\ngod is love god is love god is\n");
        write(dir_.filePath("long.gold"), "0-0 1-1 2-2\n0-0\n0-0\n");
        Corpus lc;
        QVERIFY(loadPharaohCorpus(dir_.filePath("long.es").toStdString(), dir_.filePath("long.en").toStdString(),
                                  dir_.filePath("long.gold").toStdString(), false, lc)
                    .ok);
        std::vector<const Verse*> all;
        for (const auto& v : lc.verses) all.push_back(&v);
        QVERIFY(ut.cannotTake(lc.verses[0]).empty());
        QVERIFY2(ut.cannotTake(lc.verses[1]).find("source has 9 tokens, more than the 8 positions") != std::string::npos,
                 ut.cannotTake(lc.verses[1]).c_str());
        QVERIFY2(ut.cannotTake(lc.verses[2]).find("target has 9 decoder steps, more than the 8 positions") != std::string::npos,
                 ut.cannotTake(lc.verses[2]).c_str());
        EvalResult lr;
        st = evaluate(ut, all, lr, true);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(lr.verses, 1);
        QCOMPARE(int(lr.skipped.size()), 2);
        QCOMPARE(lr.model.aer(), 0.0);
        QCOMPARE(batchSummary(lr.verses, lr.skipped, "scored"), std::string("1 of 3 verses scored; 2 skipped: 2 longer than the model takes"));
        HeadTableResult lh;
        QVERIFY(headTable(ut, all, lh).ok);
        QCOMPARE(lh.verses, 1);
        QCOMPARE(int(lh.skipped.size()), 2);

        // Through the translation pipeline (the Text workspace and `attnscope run`): free
        // decoding gives the translation; forced decoding of a verse carries its gold.
        ModelCache cache;
        TranslationRequest req;
        req.model = dir_.filePath("copy.pt").toStdString();
        req.source = "dios es amor";
        TranslationResult res;
        st = runTranslation(cache, nullptr, req, res);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(res.translation, std::string("god is love"));
        QVERIFY(res.trace->find("cross_attention"));
        req.forced = true;
        req.verse = c.verses[0].ref;
        req.source = c.verses[0].sourceText();
        req.reference = c.verses[0].targetText();
        st = runTranslation(cache, &c, req, res);
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(res.gold);
        QCOMPARE(res.translation, std::string("god is love"));
        // Head B of a cross-model comparison: the same sentence and target, forced.
        AttentionTrace b;
        QVERIFY(runForcedTokens(cache, req.model, "dios es amor", "god is love", b).ok);
        QCOMPARE(b.find("cross")->shape, (std::vector<int64_t>{4, 4}));
    }
    void encoderDecoderSidecarErrors()
    {
        saveSeq2Seq(dir_.filePath("copy2.pt"));
        // mode 0: at load, 1: forced decoding, 2: greedy decoding
        const auto expectError = [&](const QByteArray& json, const char* needle, int mode) {
            write(dir_.filePath("copy2.json"), json);
            ScriptModel m;
            auto st = m.load(dir_.filePath("copy2.pt").toStdString());
            AttentionTrace tr;
            if (mode > 0) {
                QVERIFY2(st.ok, st.message.c_str());
                const std::string reference = "god is love";
                st = m.decode("dios es", mode == 1 ? &reference : nullptr, tr);  // forced: 3 source tokens, 4 steps
            }
            QVERIFY2(!st.ok && st.message.find(needle) != std::string::npos, (needle + (" ← " + st.message)).c_str());
        };
        // A pad token missing from the vocabulary; extents that fit neither side.
        expectError(seq2seqSidecar().replace(R"("pad": "<pad>")", R"("pad": "[PAD]")"), "\"pad\" '[PAD]' is not in the source vocabulary",
                    0);
        expectError(seq2seqSidecar("", R"("query": "source", "key": "source")").replace(R"("pad_to": 8)", R"("pad_to": 0)"),
                    "(query = source) has size 4 but the source has 3 tokens", 1);
        expectError(seq2seqSidecar("", R"("query": "target")"), "needs \"query\" and \"key\"", 0);
        // Numbers out of range are refused, not read as the default (Qt's toInt gives 0 for 1e12).
        expectError(seq2seqSidecar().replace(R"("pad_to": 8)", R"("pad_to": 1e12)"), "\"pad_to\" must be a whole number 0…4096, not 1e+12", 0);
        expectError(seq2seqSidecar().replace(R"("pad_to": 8)", R"("pad_to": 8, "max_tokens": 1e12)"),
                    "\"max_tokens\" must be a whole number 1…131072, not 1e+12", 0);
        expectError(seq2seqSidecar().replace(R"("max_new_tokens": 6)", R"("max_new_tokens": 2.5)"),
                    "\"max_new_tokens\" must be a whole number 1…1024, not 2.5", 0);
        expectError(seq2seqSidecar().replace(R"("logits": 0)", R"("logits": 3)"), "logits: expected [1, target, 6]", 2);
    }
    void encoderDecoderWithSentencePieceScoredAtWordLevel()
    {
        // Both sides SentencePiece (trained here by spm_train); forced decoding gives pieces,
        // and a verse's gold is scored at word level after the pieces are grouped into words.
        QByteArray es, en;
        for (int i = 0; i < 40; ++i) {
            es += "En el principio crió Dios los cielos y la tierra .\nY dijo Dios : Sea la luz .\n";
            en += "In the beginning God created the heavens and the earth .\nGod said , Let there be light .\n";
        }
        write(dir_.filePath("s2s-es.txt"), es);
        write(dir_.filePath("s2s-en.txt"), en);
        for (const char* side : {"es", "en"}) {
            QProcess train;
            train.start("spm_train", {"--input=" + dir_.filePath(QString("s2s-%1.txt").arg(side)),
                                      "--model_prefix=" + dir_.filePath(QString("s2s-%1").arg(side)), "--vocab_size=40",
                                      "--hard_vocab_limit=false", "--character_coverage=1.0",
                                      "--user_defined_symbols=<pad>", "--eos_piece=</s>"});
            QVERIFY2(train.waitForFinished(60000) && train.exitCode() == 0, train.readAllStandardError().constData());
        }
        // Cross-attention uniform over the real source tokens; logits unused (forced decoding).
        torch::jit::Module m("SpmSeq2Seq");
        m.define(R"JIT(
def forward(self, input_ids, attention_mask, decoder_input_ids):
    Q = decoder_input_ids.size(1)
    P = input_ids.size(1)
    n = float(attention_mask.sum())
    cross = (attention_mask.float().expand(Q, P) / n).unsqueeze(0).unsqueeze(0)
    return (torch.zeros(1, Q, 8), [cross], [cross])
)JIT");
        m.save(dir_.filePath("spm-s2s.pt").toStdString());
        write(dir_.filePath("spm-s2s.json"), R"({"name": "spm-s2s", "input": {"type": "seq2seq",
            "source": {"sentencepiece": "s2s-es.model", "append": ["</s>"]}, "target": {"sentencepiece": "s2s-en.model"},
            "pad_to": 48, "pad": "<pad>", "decoder_start": "<pad>", "eos": "</s>", "logits": 0},
          "attention": [{"name": "cross_attention", "output": 2, "per_layer": true, "axes": ["batch", "head", "query", "key"],
                         "query": "target", "key": "source"}]})");
        UserTranslator ut;
        auto st = ut.load(dir_.filePath("spm-s2s.pt").toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        write(dir_.filePath("w.es"), "Y dijo Dios : Sea la luz .\n");
        write(dir_.filePath("w.en"), "God said , Let there be light .\n");
        write(dir_.filePath("w.gold"), "2-0 1-1 4-3 6-6 7-7\n");
        Corpus c;
        QVERIFY(loadPharaohCorpus(dir_.filePath("w.es").toStdString(), dir_.filePath("w.en").toStdString(),
                                  dir_.filePath("w.gold").toStdString(), false, c)
                    .ok);
        AttentionTrace tr;
        st = ut.decodeVerse(c.verses[0], true, tr);
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY2(tr.hasGold(), tr.meta("warning").c_str());
        QCOMPARE(tr.meta("units"), std::string("words"));
        const TraceTensor* x = tr.find("cross");
        QCOMPARE(x->shape[0], int64_t(c.verses[0].target.size() + 1));  // words + </s>
        QCOMPARE(x->labels[0][1], std::string("said"));
        // Uniform attention over 8 source words + </s>: every row still sums to 1.
        for (int64_t r = 0; r < x->shape[0]; ++r) {
            double sum = 0;
            for (int64_t k = 0; k < x->shape[1]; ++k) sum += x->at(r, k);
            QVERIFY(std::abs(sum - 1.0) < 1e-5);
        }
        QVERIFY(scoreTrace(tr).predicted > 0);
    }
    void decoderOnlyGeneration()
    {
        // A counter LM: after a comes b, after b c, after c </s>. Layer 1 attends causally and
        // uniformly over the real tokens, layer 2 only to the first token (an attention sink).
        write(dir_.filePath("abc.txt"), "<pad>\n</s>\n<unk>\na\nb\nc\n");
        torch::jit::Module m("Counter");
        m.define(R"JIT(
def forward(self, input_ids, attention_mask):
    P = input_ids.size(1)
    ids = input_ids[0]
    nxt = torch.where(ids < 5, ids + 1, torch.ones_like(ids))
    logits = torch.one_hot(nxt, 6).float().unsqueeze(0) * 10.0
    causal = torch.tril(torch.ones(P, P)) * attention_mask.float()
    causal = causal / torch.clamp(causal.sum(1, keepdim=True), 1.0)
    sink = torch.one_hot(torch.zeros_like(ids), P).float()
    return (logits, [causal.unsqueeze(0).unsqueeze(0), sink.unsqueeze(0).unsqueeze(0)])
)JIT");
        m.save(dir_.filePath("counter.pt").toStdString());
        write(dir_.filePath("counter.json"), R"({"name": "counter", "input": {"type": "decoder", "vocabulary": "abc.txt",
            "arguments": ["input_ids", "attention_mask"], "pad_to": 8, "pad": "<pad>", "eos": "</s>", "logits": 0,
            "max_new_tokens": 10},
          "attention": [{"name": "self", "output": 1, "per_layer": true, "axes": ["batch", "head", "query", "key"]}]})");
        ScriptModel lm;
        auto st = lm.load(dir_.filePath("counter.pt").toStdString());
        QVERIFY2(st.ok, st.message.c_str());
        QVERIFY(lm.spec().decoderOnly);
        AttentionTrace tr;
        std::string generated;
        st = lm.decode("a", nullptr, tr, &generated);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(generated, std::string("b c"));
        QCOMPARE(tr.meta("prompt_tokens"), std::string("1"));
        const TraceTensor* self = tr.find("self");
        QCOMPARE(self->shape, (std::vector<int64_t>{2, 1, 3, 3}));  // padding (8) cut
        QCOMPARE(self->labels[3], (std::vector<std::string>{"a", "b", "c"}));
        // "cross": one row per generated token — the step that produced it — over every key.
        const TraceTensor* x = tr.find("cross");
        QVERIFY(x);
        QCOMPARE(x->shape, (std::vector<int64_t>{2, 3}));
        QCOMPARE(x->labels[0], (std::vector<std::string>{"b", "c"}));
        QCOMPARE(x->at(0, 0), 1.0f);                        // b was produced looking at the prompt only
        QCOMPARE(x->at(1, 0), 0.5f);                        // c at the prompt and b
        QCOMPARE(x->at(1, 2), 0.0f);                        // never at what comes after
        // Through the pipeline (the Text workspace): the generated text is the "translation".
        ModelCache cache;
        TranslationRequest req;
        req.model = dir_.filePath("counter.pt").toStdString();
        req.source = "a";
        TranslationResult res;
        QVERIFY(runTranslation(cache, nullptr, req, res).ok);
        QCOMPARE(res.translation, std::string("b c"));
        // A given continuation is read, not generated; a prompt longer than pad_to is refused.
        const std::string more = "b";
        QVERIFY(lm.decode("a", &more, tr, &generated).ok);
        QCOMPARE(generated, std::string("b"));
        QCOMPARE(tr.meta("mode"), std::string("forced"));
        st = lm.decode("a b c a b c a b c", nullptr, tr);
        QVERIFY2(!st.ok && st.message.find("9 tokens") != std::string::npos && st.message.find("pad_to is 8") != std::string::npos,
                 st.message.c_str());
    }
    void dictOutput()
    {
        saveModule(dir_.filePath("dict.pt"), true);
        write(dir_.filePath("dict.json"),
              sidecar(R"({"name": "self", "output": "attentions", "axes": ["layer", "batch", "query", "key"]})"));
        ScriptModel m;
        QVERIFY(m.load(dir_.filePath("dict.pt").toStdString()).ok);
        AttentionTrace tr;
        const auto st = m.run("amor", tr);
        QVERIFY2(st.ok, st.message.c_str());
        QCOMPARE(tr.find("self")->shape, (std::vector<int64_t>{2, 1, 3, 3}));
    }
    void valueNormsGiveTheNormLens()
    {
        // A sidecar naming "value_norms" (‖f_h(x_j)‖ per key, the attention's axes without the
        // query) gives the norm lens α_ij ‖f_h(x_j)‖ beside the attention (Kobayashi et al. 2020).
        torch::manual_seed(7);
        torch::jit::Module m("Norms");
        m.register_parameter("emb", torch::randn({8, 4}), false);
        m.define(R"JIT(
def forward(self, ids):
    x = torch.embedding(self.emb, ids)
    s = torch.matmul(x, x.transpose(1, 2))
    n = torch.norm(x, 2, -1)
    return {"attentions": torch.stack([torch.softmax(s, -1), torch.softmax(-s, -1)], 0),
            "norms": torch.stack([n, 2.0 * n], 0), "flat": n}
)JIT");
        m.save(dir_.filePath("norms.pt").toStdString());
        write(dir_.filePath("norms.json"), sidecar(R"({"name": "self", "output": "attentions", "value_norms": "norms",
                                                        "axes": ["layer", "batch", "query", "key"]})"));
        ScriptModel model;
        QVERIFY(model.load(dir_.filePath("norms.pt").toStdString()).ok);
        AttentionTrace tr;
        auto st = model.run("Dios es amor", tr);
        QVERIFY2(st.ok, st.message.c_str());
        const TraceTensor* a = tr.find("self");
        const TraceTensor* lens = tr.find("self.norm");
        QVERIFY(a && lens);
        QCOMPARE(lens->shape, a->shape);
        QCOMPARE(lens->labels, a->labels);
        const auto x = m.attr("emb").toTensor();
        const auto ids = torch::tensor({2, 4, 5, 6, 3}, torch::kInt64);  // [CLS] dios es amor [SEP]
        const auto norms = x.index_select(0, ids).norm(2, -1);
        const int64_t n = 5;
        for (int64_t l = 0; l < 2; ++l)
            for (int64_t q = 0; q < n; ++q)
                for (int64_t k = 0; k < n; ++k) {
                    const size_t i = size_t((l * n + q) * n + k);
                    const double want = a->values[i] * (l + 1) * norms[k].item<double>();
                    QVERIFY(std::abs(lens->values[i] - want) < 1e-5 * std::max(1.0, want));
                }
        // Value norms without the attention's other axes are refused, naming the output.
        write(dir_.filePath("norms.json"), sidecar(R"({"name": "self", "output": "attentions", "value_norms": "flat",
                                                        "axes": ["layer", "batch", "query", "key"]})"));
        QVERIFY(model.load(dir_.filePath("norms.pt").toStdString()).ok);
        st = model.run("Dios es amor", tr);
        QVERIFY(!st.ok);
        QVERIFY2(st.message.find("value_norms") != std::string::npos && st.message.find("without \"query\"") != std::string::npos,
                 st.message.c_str());
    }
    void sidecarMismatchesAreExplained()
    {
        saveModule(dir_.filePath("bad.pt"), false);
        ScriptModel m;
        AttentionTrace tr;
        const auto expectError = [&](const QByteArray& attention, const char* needle) {
            write(dir_.filePath("bad.json"), sidecar(attention));
            ScriptModel mm;
            auto st = mm.load(dir_.filePath("bad.pt").toStdString());
            if (st.ok) st = mm.run("Dios es amor", tr);
            QVERIFY2(!st.ok && st.message.find(needle) != std::string::npos, st.message.c_str());
        };
        // Wrong rank: 3 axes + layer for a 5-D stack.
        expectError(R"({"name": "a", "output": 1, "per_layer": true, "axes": ["head", "query", "key"]})", "names 4 axes");
        // Index past the outputs; a tensor where a list was promised; a batch axis named wrongly.
        expectError(R"({"name": "a", "output": 5, "per_layer": true, "axes": ["batch", "head", "query", "key"]})", "returned 2 outputs");
        expectError(R"({"name": "a", "output": 0, "per_layer": true, "axes": ["batch", "query", "key"]})", "per_layer needs");
        expectError(R"({"name": "a", "output": 0, "axes": ["batch", "query", "key"]})", "(key) has size 4 but the input has 5 tokens");
        expectError(R"({"name": "a", "output": 1, "per_layer": true, "axes": ["batch", "head", "query", "sideways"]})", "unknown axis");
        expectError(R"({"name": "a", "output": "attn", "axes": ["query", "key"]})", "not a dict");
        // No sidecar, a corrupt module, a missing vocabulary.
        write(dir_.filePath("lonely.pt"), "not a module");
        auto st = m.load(dir_.filePath("lonely.pt").toStdString());
        QVERIFY(!st.ok && st.message.find("no sidecar") != std::string::npos);
        write(dir_.filePath("lonely.json"), sidecar(R"({"name": "a", "axes": ["query", "key"]})"));
        st = m.load(dir_.filePath("lonely.pt").toStdString());
        QVERIFY2(!st.ok && st.message.find("not a loadable TorchScript module") != std::string::npos, st.message.c_str());
        write(dir_.filePath("bad.json"), R"({"input": {"vocabulary": "missing.txt"}, "attention": [{"name": "a", "axes": ["query", "key"]}]})");
        st = m.load(dir_.filePath("bad.pt").toStdString());
        QVERIFY(!st.ok && st.message.find("missing.txt") != std::string::npos);
        // Paths a sidecar names stay in the model's folder: `..` escapes and absolute paths are
        // refused with the field named, before anything is read.
        for (const char* path : {"../../../../etc/passwd", "/etc/passwd"}) {
            write(dir_.filePath("bad.json"), QByteArray("{\"input\": {\"vocabulary\": \"") + path +
                                                 "\"}, \"attention\": [{\"name\": \"a\", \"axes\": [\"query\", \"key\"]}]}");
            st = m.load(dir_.filePath("bad.pt").toStdString());
            QVERIFY2(!st.ok && st.message.find("\"vocabulary\"") != std::string::npos &&
                         (st.message.find("outside the model's folder") != std::string::npos ||
                          st.message.find("absolute path") != std::string::npos),
                     st.message.c_str());
        }
        write(dir_.filePath("bad.json"), "{\"input\": {\"type\": \"seq2seq\", \"source\": {\"sentencepiece\": \"../x.model\"}, "
                                         "\"target\": {\"vocabulary\": \"vocab.txt\"}}, \"attention\": []}");
        st = m.load(dir_.filePath("bad.pt").toStdString());
        QVERIFY2(!st.ok && st.message.find("\"source\".\"sentencepiece\"") != std::string::npos, st.message.c_str());
        write(dir_.filePath("bad.json"), "{ not json");
        QVERIFY(!m.load(dir_.filePath("bad.pt").toStdString()).ok);
    }
};

QTEST_GUILESS_MAIN(TestScriptModel)
#include "test_scriptmodel.moc"
