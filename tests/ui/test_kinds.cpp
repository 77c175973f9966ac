// The kind catalogue: one descriptor per kind, looked up by id by the workspace registry, the
// command line and every model picker — and a new kind, registered end to end.
//
// Adding a kind to AttnScope is one new folder, ui/workspaces/<id>/ (its descriptor with its
// pipeline calls and CLI verbs, its workspace, its CMakeLists.txt), and edits to two existing
// files:
//   1. ui/workspaces/CMakeLists.txt — one add_subdirectory(<id>) line;
//   2. ui/workspaces/kinds.cpp       — the declaration and the call of register<Id>Kind().
// The toy kind below is such a folder (tests/ui/toykind/); this test calls its register
// function as kinds.cpp would, then checks its workspace, its files, `attnscope run` dispatch
// and `attnscope help`.
#include "attnscope/kinds.h"
#include "attnscope/trace.h"
#include "cli.h"
#include "mainwindow.h"
#include "toykind/toykind.h"
#include "workspace.h"
#include "workspaces/registry.h"

#include <QAction>
#include <QFile>
#include <QLabel>
#include <QMap>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <iostream>
#include <sstream>

using namespace attnscope;
using namespace attnscope::ui;

namespace {
/// Runs the command line in-process; its standard output and error.
struct CliRun {
    int code = -1;
    std::string out, err;
};
CliRun runCli(const QStringList& args)
{
    std::vector<QByteArray> bytes{"attnscope"};
    for (const QString& a : args) bytes.push_back(a.toLocal8Bit());
    std::vector<char*> argv;
    for (auto& b : bytes) argv.push_back(b.data());
    std::ostringstream out, err;
    auto* oldOut = std::cout.rdbuf(out.rdbuf());
    auto* oldErr = std::cerr.rdbuf(err.rdbuf());
    CliRun r;
    r.code = cli::run(int(argv.size()), argv.data());
    std::cout.rdbuf(oldOut);
    std::cerr.rdbuf(oldErr);
    r.out = out.str();
    r.err = err.str();
    return r;
}
QString idOf(const KindDescriptor* k) { return k ? QString::fromStdString(k->id) : QStringLiteral("(none)"); }
} // namespace

class TestKinds : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { registerBuiltinKinds(); }

    void theSevenKindsInTabOrder()
    {
        QStringList ids;
        for (const auto& k : KindCatalogue::global().kinds()) ids << QString::fromStdString(k.id);
        QCOMPARE(ids.mid(0, 7), (QStringList{"text", "image", "stn", "caption", "video", "long", "vision"}));
        // One workspace per kind, with the kind's id, title and description.
        MainWindow w(false);
        QCOMPARE(w.workspaces()->count(), int(KindCatalogue::global().kinds().size()));
        for (int i = 0; i < 7; ++i) {
            const KindDescriptor& k = KindCatalogue::global().kinds()[size_t(i)];
            auto* ws = qobject_cast<Workspace*>(w.workspaces()->widget(i));
            QCOMPARE(ws->id(), QString::fromStdString(k.id));
            QCOMPARE(w.workspaces()->tabText(i), QString::fromStdString(k.title));
            QVERIFY(w.workspaces()->tabToolTip(i).startsWith(QString::fromStdString(k.description)));
            QVERIFY(w.workspaces()->tabToolTip(i).endsWith(QStringLiteral("(Ctrl+%1)").arg(i + 1)));
        }
    }

    void everyModelHasOneKind()
    {
        const auto& c = KindCatalogue::global();
        QCOMPARE(idOf(c.kindOfModel("transformer")), QString("text"));
        QCOMPARE(idOf(c.kindOfModel("gru-bahdanau")), QString("text"));
        QCOMPARE(idOf(c.kindOfModel("fmnist-se")), QString("image"));
        QCOMPARE(idOf(c.kindOfModel("fmnist-stn-rts")), QString("stn"));
        QCOMPARE(idOf(c.kindOfModel("fmnist-cnn-rts")), QString("stn"));  // a baseline: CLI only
        QCOMPARE(idOf(c.kindOfModel("scene-captioner")), QString("caption"));
        QCOMPARE(idOf(c.kindOfModel("clip-captioner")), QString("video"));
        QCOMPARE(idOf(c.kindOfModel("ppocr-rec")), QString("vision"));
        // The Image workspace offers PaddleOCR's detector for its SE gates; the vision kind runs it.
        QCOMPARE(idOf(c.kindOfModel("ppocr-det")), QString("vision"));
        QCOMPARE(idOf(c.kindOfModel("no-such-model")), QString("(none)"));
        // An existing file no kind claims is translator weights (the loader says if it is not).
        QTemporaryDir dir;
        QFile f(dir.filePath("weights.pt"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a model");
        f.close();
        QCOMPARE(idOf(c.kindOfModel(f.fileName().toStdString())), QString("text"));
    }

    void pickersComeFromTheCatalogue()
    {
        const auto& c = KindCatalogue::global();
        QStringList stn;
        for (const auto& m : c.modelsFor("stn", {})) stn << QString::fromStdString(m.id);
        QCOMPARE(stn, (QStringList{"fmnist-stn-r", "fmnist-stn-rts", "fmnist-stn-cluttered"}));
        QStringList text;
        for (const auto& m : c.modelsFor("text", {})) text << QString::fromStdString(m.id);
        QCOMPARE(text, (QStringList{"gru-bahdanau", "transformer"}));
        // A user model file is offered by the kind that takes it, labelled as yours.
        QTemporaryDir dir;
        const QString pt = dir.filePath("mine.pt");
        for (const QString& name : {pt, dir.filePath("mine.json")}) {
            QFile f(name);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(name.endsWith(".json") ? R"({"type": "tokens", "input": "input_ids"})" : "x");
        }
        const auto offered = c.modelsFor("text", {pt.toStdString(), dir.filePath("gone.pt").toStdString()});
        QCOMPARE(offered.size(), size_t(3));
        QCOMPARE(QString::fromStdString(offered.back().label), QString("mine (yours)"));
        QVERIFY(!offered.back().builtin);
        QVERIFY(c.modelsFor("stn", {pt.toStdString()}).size() == 3);  // the STN kind does not take it
        QVERIFY(c.modelsFor("no-such-kind", {}).empty());
    }

    void noKeyIsBoundTwice()
    {
        // In every workspace, the window's keys and the workspace's own commands are all distinct
        // (a key bound twice fires neither).
        MainWindow w(false);
        const QList<ShortcutInfo> window = w.windowShortcuts();
        for (int i = 0; i < w.workspaces()->count(); ++i) {
            auto* ws = qobject_cast<Workspace*>(w.workspaces()->widget(i));
            QMap<QString, QString> bound;  // key → what it does
            QList<ShortcutInfo> keys = window;
            for (QAction* a : ws->commands())
                if (!a->shortcut().isEmpty()) keys.append({a->shortcut().toString(QKeySequence::NativeText), a->text()});
            for (const ShortcutInfo& k : keys) {
                QVERIFY2(!bound.contains(k.keys), qPrintable(QStringLiteral("%1: %2 is bound to both '%3' and '%4'")
                                                                 .arg(ws->title(), k.keys, bound.value(k.keys), k.description)));
                bound.insert(k.keys, k.description);
            }
        }
    }

    void anEighthKindEndToEnd()
    {
        toy::registerToyKind();
        const KindDescriptor* toyKind = KindCatalogue::global().find("toy");
        QVERIFY(toyKind);
        QCOMPARE(KindCatalogue::global().kinds().back().id, std::string("toy"));
        QTemporaryDir dir;

        // Its workspace is the eighth tab, with the kind's title; its files are routed to it.
        {
            MainWindow w(false);
            QCOMPARE(w.workspaces()->count(), 8);
            QCOMPARE(w.workspaces()->tabText(7), QString("Toy"));
            QCOMPARE(w.workspaces()->tabToolTip(7), QString("Counts words and attends to the longest one (Ctrl+8)"));
            QFile f(dir.filePath("words.toy"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("a longest bc");
            f.close();
            QVERIFY(w.openFile(f.fileName()));
            QCOMPARE(w.frontWorkspace()->id(), QString("toy"));
            QVERIFY(w.frontWorkspace()->currentTrace());
            QCOMPARE(w.frontWorkspace()->findChild<QLabel*>()->text().isEmpty(), false);
        }

        // `attnscope run toy-model …` goes to its verb; so does a .toy model file.
        const QString out = dir.filePath("toy.json");
        CliRun r = runCli({"run", "toy-model", "one three five", "--out", out});
        QVERIFY2(r.code == 0, r.err.c_str());
        AttentionTrace trace;
        QVERIFY(loadTraceAuto(out.toStdString(), trace).ok);
        QCOMPARE(trace.tensors[0].shape, (std::vector<int64_t>{3, 3}));
        QCOMPARE(trace.tensors[0].values[1], 1.0f);  // "three" is the longest: column 1 of row 0
        QFile model(dir.filePath("counter.toy"));
        QVERIFY(model.open(QIODevice::WriteOnly));
        model.close();
        r = runCli({"run", model.fileName(), "", "--out", out});
        QCOMPARE(r.code, 1);  // the toy pipeline's own error, so the toy verb ran
        QVERIFY2(r.err.find("the text is empty") != std::string::npos, r.err.c_str());

        // A verb the kind does not answer says so; its help is in `attnscope help`.
        r = runCli({"eval", "toy-model"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.find("eval does not apply to Toy models") != std::string::npos, r.err.c_str());
        r = runCli({"help"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.find("Toy (toy): Counts words") != std::string::npos);
        QVERIFY(r.out.find("attnscope run toy-model TEXT") != std::string::npos);
        QVERIFY(r.out.find("attnscope run fmnist-stn-rts") != std::string::npos);  // the built-in kinds' help too
        QVERIFY(cli::isCommand("run"));
        QVERIFY(cli::isCommand("scenes"));
        QVERIFY(!cli::isCommand("no-such-verb"));
    }
};

QTEST_MAIN(TestKinds)
#include "test_kinds.moc"
