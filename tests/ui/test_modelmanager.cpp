// Your own model end to end: a TorchScript fixture module (compiled and saved here through
// torch::jit) with its sidecar is added in the Model manager, remembered in the settings,
// offered in the model picker, run on typed text (heads on screen) and from the CLI.
#include "dialogs/modelmanagerdialog.h"
#include "mainwindow.h"
#include "settings.h"
#include "views/headgridview.h"
#include "workspaces/text/textworkspace.h"
#include "../engine/onnxpairgraph.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QScrollBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <torch/script.h>

using namespace attnscope::ui;
using attnscope::TraceTensor;

class TestModelManager : public QObject {
    Q_OBJECT
    QTemporaryDir dir_, settingsDir_;
    QString model_;

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName("AttnScopeModelTest");
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
        QStandardPaths::setTestModeEnabled(true);
        QFile v(dir_.filePath("vocab.txt"));
        QVERIFY(v.open(QIODevice::WriteOnly));
        v.write("[PAD]\n[UNK]\ndios\nes\namor\n.\n");
        v.close();
        torch::jit::Module m("TwoLayers");
        torch::manual_seed(3);
        m.register_parameter("emb", torch::randn({6, 8}), false);
        m.define(R"JIT(
def forward(self, ids):
    x = torch.embedding(self.emb, ids)
    s = torch.matmul(x, x.transpose(1, 2))
    heads = torch.stack([torch.softmax(s, -1), torch.softmax(0.5 * s, -1)], 1)
    return (x, [heads, torch.softmax(-heads, -1)])
)JIT");
        model_ = dir_.filePath("mine.pt");
        m.save(model_.toStdString());
        QFile j(dir_.filePath("mine.json"));
        QVERIFY(j.open(QIODevice::WriteOnly));
        j.write(R"({"name": "mine", "input": {"type": "tokens", "vocabulary": "vocab.txt", "lowercase": true},
                    "attention": [{"name": "encoder_self", "output": 1, "per_layer": true,
                                   "axes": ["batch", "head", "query", "key"]}]})");
    }
    void addRunRemove()
    {
        MainWindow w(false);
        w.resize(1000, 800);
        w.show();
        ModelManagerDialog d(&w);
        connect(&d, &ModelManagerDialog::modelsChanged, w.workspace<TextWorkspace>(), &TextWorkspace::reloadModels);
        const int builtins = d.table()->rowCount();
        QVERIFY(builtins >= 2);
        QString error;
        QVERIFY(!d.addModel(dir_.filePath("vocab.txt"), &error));  // not a model: refused with the reason
        QVERIFY(error.contains("sidecar"));
        QVERIFY2(d.addModel(model_, &error), qPrintable(error));
        QCOMPARE(d.table()->rowCount(), builtins + 1);
        QVERIFY(d.table()->item(builtins, 3)->text().contains("encoder_self"));
        QVERIFY(d.table()->item(builtins, 4)->text().contains("ready"));
        // Every column fits the dialog: the status is read without scrolling (issue 28, item 14).
        d.show();
        QCoreApplication::processEvents();
        QCOMPARE(d.table()->horizontalScrollBar()->maximum(), 0);
        QVERIFY(d.table()->columnWidth(4) >= 150);
        QVERIFY(!d.addModel(model_, &error));  // listed once
        QCOMPARE(attnscope::ui::settings::get(attnscope::ui::settings::UserModels), QStringList{model_});
        // The picker offers it; typed text runs through it and its heads fill the grid.
        auto* picker = w.findChild<QComboBox*>("modelPicker");
        QVERIFY(picker->findData(model_) >= 0);
        TextWorkspace* ws = w.workspace<TextWorkspace>();
        QSignalSpy shown(ws, &TextWorkspace::traceShown);
        ws->setSourceText("Dios es amor.");
        picker->setCurrentIndex(picker->findData(model_));
        ws->translateNow();
        QVERIFY2(shown.wait(30000), qPrintable(ws->bannerText()));
        QCOMPARE(QString::fromStdString(ws->currentTrace()->model), QString("mine"));
        QCOMPARE(ws->headGrid()->layers(), 2);
        QCOMPARE(ws->headGrid()->heads(), 2);
        QVERIFY(ws->translation().contains("4 tokens"));
        // A new window still knows the model (settings), until it is removed.
        MainWindow second(false);
        QVERIFY(second.findChild<QComboBox*>("modelPicker")->findData(model_) >= 0);
        d.removeModel(model_);
        QVERIFY(attnscope::ui::settings::get(attnscope::ui::settings::UserModels).isEmpty());
        QVERIFY(picker->findData(model_) < 0);
    }
    void yourTranslatorEverywhere()
    {
        // An encoder–decoder in HuggingFace's output order that copies (dios→god, es→is,
        // amor→love): free and forced decoding in the Text workspace, compare against it as
        // model B, and eval on a Pharaoh corpus from the CLI.
        auto write = [&](const QString& name, const QByteArray& text) {
            QFile f(dir_.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text);
        };
        write("es.txt", "<pad>\n</s>\n<unk>\ndios\nes\namor\n");
        write("en.txt", "<pad>\n</s>\n<unk>\ngod\nis\nlove\n");
        torch::jit::Module m("CopySeq2Seq");
        m.define(R"JIT(
def forward(self, input_ids, attention_mask, decoder_input_ids):
    P = input_ids.size(1)
    Q = decoder_input_ids.size(1)
    n = int(attention_mask.sum())
    idx = torch.clamp(torch.arange(Q), 0, n - 1)
    diag = torch.one_hot(idx, P).float()
    uniform = attention_mask.float().expand(Q, P) / float(n)
    layer1 = torch.stack([diag, uniform], 0).unsqueeze(0)
    logits = torch.one_hot(input_ids[0].index_select(0, idx), 6).float().unsqueeze(0) * 10.0
    return (logits, [layer1], [layer1, layer1], torch.zeros(1, P, 4), [layer1])
)JIT");
        const QString copy = dir_.filePath("copy.pt");
        m.save(copy.toStdString());
        write("copy.json", R"({"name": "copy", "input": {"type": "seq2seq",
           "source": {"vocabulary": "es.txt", "lowercase": true, "unknown": "<unk>", "append": ["</s>"]},
           "target": {"vocabulary": "en.txt", "lowercase": true, "unknown": "<unk>"},
           "pad_to": 8, "pad": "<pad>", "decoder_start": "<pad>", "eos": "</s>", "logits": 0, "max_new_tokens": 6},
         "attention": [{"name": "cross_attention", "output": 2, "per_layer": true, "axes": ["batch", "head", "query", "key"],
                        "query": "target", "key": "source"}]})");
        MainWindow w(false);
        ModelManagerDialog d(&w);
        connect(&d, &ModelManagerDialog::modelsChanged, w.workspace<TextWorkspace>(), &TextWorkspace::reloadModels);
        QString error;
        QVERIFY2(d.addModel(copy, &error), qPrintable(error));
        auto* picker = w.findChild<QComboBox*>("modelPicker");
        TextWorkspace* ws = w.workspace<TextWorkspace>();
        QSignalSpy shown(ws, &TextWorkspace::traceShown);
        ws->setSourceText("dios es amor");
        picker->setCurrentIndex(picker->findData(copy));
        ws->translateNow();
        QVERIFY2(shown.wait(30000), qPrintable(ws->bannerText()));
        QVERIFY2(ws->translation().endsWith("god is love"), qPrintable(ws->translation()));
        ws->setReferenceText("god is love");
        ws->setForced(true);
        ws->translateNow();
        QVERIFY2(shown.wait(30000), qPrintable(ws->bannerText()));
        const TraceTensor* cross = ws->currentTrace()->find("cross");
        QVERIFY(cross);
        QCOMPARE(cross->shape, (std::vector<int64_t>{4, 4}));  // padding (8) never shown
        QCOMPARE(ws->currentTrace()->meta("mode"), std::string("forced"));
        // Model B of the Compare tab offers the user translator.
        auto* modelB = w.findChild<QComboBox*>("compareModelB");
        QVERIFY(modelB->findData(copy) >= 0);
        // The CLI evaluates it on your own gold like a built-in translator.
        write("g.es", "dios es amor\n");
        write("g.en", "god is love\n");
        write("g.gold", "0-0 1-1 2-2\n");
        QProcess p;
        p.start(ATTNSCOPE_EXE, {"eval", copy, "--no-bleu", "--source", dir_.filePath("g.es"), "--target", dir_.filePath("g.en"),
                                "--gold", dir_.filePath("g.gold")});
        QVERIFY(p.waitForFinished(120000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QVERIFY2(out.contains("AER        0.0%"), qPrintable(out));
        d.removeModel(copy);
    }
    void anExportFolderOpensAsAModel()
    {
        // An Optimum encoder–decoder folder opened as a user would (File → Open on its
        // encoder_model.onnx): kept as the folder, listed in the Model manager, picked in the Text
        // workspace and run there, offered as Compare's model B.
        const QString folder = QDir(dir_.filePath("opus-export")).absolutePath();
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(onnxpair::writeFolder(folder));
        MainWindow w(false);
        w.resize(1000, 800);
        w.show();
        TextWorkspace* ws = w.workspace<TextWorkspace>();
        QSignalSpy shown(ws, &TextWorkspace::traceShown);
        ws->setSourceText("dios es amor");
        QVERIFY(w.openFile(folder + "/encoder_model.onnx"));
        QVERIFY(settings::get(settings::UserModels).contains(folder));
        QCOMPARE(w.findChild<QComboBox*>("modelPicker")->currentData().toString(), folder);
        ws->translateNow();
        QVERIFY2(shown.wait(30000), qPrintable(ws->bannerText()));
        QCOMPARE(QString::fromStdString(ws->currentTrace()->scoreFunction), QString("onnx"));
        QVERIFY(ws->currentTrace()->find("cross_attention"));
        QVERIFY(ws->currentTrace()->find("encoder_self"));
        QVERIFY(w.findChild<QComboBox*>("compareModelB")->findData(folder) >= 0);
        ModelManagerDialog d(&w);
        int row = -1;
        for (int r = 0; r < d.table()->rowCount(); ++r)
            if (d.table()->item(r, 0)->data(Qt::UserRole).toString() == folder) row = r;
        QVERIFY(row >= 0);
        QVERIFY2(d.table()->item(row, 1)->text().contains("encoder–decoder"), qPrintable(d.table()->item(row, 1)->text()));
        QCOMPARE(d.table()->item(row, 4)->text(), QString("ready"));
        QString error;
        QVERIFY(!d.addModel(folder, &error));  // listed once
        d.removeModel(folder);
        QVERIFY(!settings::get(settings::UserModels).contains(folder));
    }
    void cliRunsYourModel()
    {
        const QString png = dir_.filePath("mine.png");
        QProcess p;
        p.start(ATTNSCOPE_EXE, {"run", model_, "Dios es amor.", "--view", "grid", "--out", png});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QVERIFY(!QImage(png).isNull());
        p.start(ATTNSCOPE_EXE, {"run", model_, "Dios es amor.", "--out", dir_.filePath("mine.attn")});
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitCode(), 0);
        p.start(ATTNSCOPE_EXE, {"run", model_, "   ", "--out", png});
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(p.readAllStandardError().contains("empty"));
    }
};

QTEST_MAIN(TestModelManager)
#include "test_modelmanager.moc"
