// Every workspace is first-class: the window's commands act on the workspace in front.
// For each built-in workspace: Copy image puts exactly that workspace's export
// on the clipboard, Export data writes its own numbers, Save workspace → a new window → Open
// workspace restores its state, and the colour map changes its maps. Then: a workspace
// registered by the test appears in the tab bar, the View menu, Help → Keyboard shortcuts and
// the workspace file; autosave runs off the GUI thread (the longest event-loop stall during an
// autosave of a 2048² trace is measured); an aborted save keeps the previous file; an 8192²
// trace round-trips through a workspace file.
#include "attnscope/dumps.h"
#include "attnscope/trace.h"
#include "dialogs/shortcutsdialog.h"
#include "mainwindow.h"
#include "views/messagebanner.h"
#include "views/alignmentmatrixview.h"
#include "workspacefile.h"
#include "workspaces/caption/captionworkspace.h"
#include "workspaces/image/imageworkspace.h"
#include "workspaces/registry.h"
#include "workspaces/stn/stnworkspace.h"
#include "views/largematrixview.h"
#include "workspaces/long/longworkspace.h"
#include "workspaces/vision/visionworkspace.h"
#include "workspaces/text/textworkspace.h"
#include "workspaces/video/videoworkspace.h"

#include <QAction>
#include <QClipboard>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QFile>
#include <QLabel>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeWidget>
#include <QtTest>

#include <functional>
#include <sys/stat.h>

using namespace attnscope;
using namespace attnscope::ui;

namespace {

/// A minimal workspace, as a plug-in would add one: a note and its text file type.
class NotesWorkspace : public Workspace {
    Q_OBJECT
public:
    explicit NotesWorkspace(QWidget* parent)
        : Workspace({"notes", "Notes", "A note beside the attention", {{"Notes", {"note"}, {}}}}, parent), label_(new QLabel(this))
    {
        addCommand(QStringLiteral("Clear the note"), QKeySequence(Qt::CTRL | Qt::Key_K), QStringLiteral("Empties the note"));
    }
    void showDefault() override { label_->setText(QStringLiteral("default note")); }
    bool hasInput() const override { return !label_->text().isEmpty(); }
    bool openFile(const QString& path) override
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) return false;
        label_->setText(QString::fromUtf8(f.readAll()));
        return true;
    }
    BuiltFigure currentFigure() override { return BuiltFigure::of(label_); }
    ViewData currentData() const override { return ViewData::none(QStringLiteral("a note has no numbers")); }
    void setColorMap(const QString& name) override { colorMap_ = name; }
    WorkspaceSection saveState() const override { return {QJsonObject{{"text", label_->text()}}, {}}; }
    bool restoreState(const WorkspaceSection& s, QString*) override
    {
        label_->setText(s.state["text"].toString());
        return true;
    }
    QString text() const { return label_->text(); }
    QString colorMap_;

private:
    QLabel* label_;
};

/// The fields of one CSV line (quoted fields may hold commas; "" is a quote).
QStringList csvFields(const QString& line)
{
    QStringList out;
    QString field;
    bool quoted = false;
    for (int i = 0; i < line.size(); ++i) {
        const QChar c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') field += '"', ++i;
            else if (c == '"') quoted = false;
            else field += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out << field;
            field.clear();
        } else {
            field += c;
        }
    }
    out << field;
    return out;
}

QImage normalised(const QImage& img) { return img.convertToFormat(QImage::Format_ARGB32); }

bool waitFor(const std::function<bool()>& done, int ms = 120000)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > ms) return false;
        QTest::qWait(20);
    }
    return true;
}

/// A [target, source] trace of n × n values, rows summing to 1.
std::shared_ptr<AttentionTrace> squareTrace(int n)
{
    auto t = std::make_shared<AttentionTrace>();
    TraceTensor x;
    x.name = "cross";
    x.axes = {"target", "source"};
    x.shape = {n, n};
    x.values.resize(size_t(n) * size_t(n));
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) x.values[size_t(r) * size_t(n) + size_t(c)] = (r == c ? 0.5f : 0.5f / float(n - 1));
    t->tensors.push_back(std::move(x));
    t->model = "test";
    return t;
}

/// Waits until `w` shows a finished result: a trace, and nothing still being computed.
bool settled(Workspace* w) { return w->currentTrace() != nullptr; }

} // namespace

class TestWorkspaces : public QObject {
    Q_OBJECT
    QTemporaryDir settingsDir_, dir_;

    /// What the test changes in each workspace before saving it (so restoring is not a no-op).
    void vary(Workspace* w)
    {
        if (auto* t = qobject_cast<TextWorkspace*>(w)) {
            t->matrixView()->setPinnedRow(1);
        } else if (auto* i = qobject_cast<ImageWorkspace*>(w)) {
            i->setBlock(2);
            QSignalSpy shown(i, &ImageWorkspace::imageShown);
            i->showTestImageB(3);
            QVERIFY(shown.wait(30000));
        } else if (auto* s = qobject_cast<StnWorkspace*>(w)) {
            QSignalSpy shown(s, &StnWorkspace::resultShown);
            s->setDistortion(30, 0.9, 3, -2);
            QVERIFY(shown.wait(30000));
        } else if (auto* c = qobject_cast<CaptionWorkspace*>(w)) {
            QSignalSpy shown(c, &CaptionWorkspace::resultShown);
            c->setBeamWidth(2);
            QVERIFY(shown.wait(30000));
            c->selectWord(2);
        } else if (auto* v = qobject_cast<VideoWorkspace*>(w)) {
            v->seek(10);
            v->selectWord(1);
        } else if (auto* vw = qobject_cast<VisionWorkspace*>(w)) {
            vw->selectPatch(7);
            vw->setHead(2);
        } else if (auto* l = qobject_cast<LongWorkspace*>(w)) {
            QVERIFY(waitFor([&] { return l->matrixView()->overviewExact(); }, 120000));
            l->matrixView()->centerOn(1000, 900, 0.5);
            l->matrixView()->selectRow(1200);
            QVERIFY(waitFor([&] { return l->matrixView()->pendingTiles() == 0; }, 60000));
        }
    }

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName("AttnScopeWorkspacesTest");
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
        QStandardPaths::setTestModeEnabled(true);
        QFile::remove(MainWindow::autosavePath());
        QFile::remove(MainWindow::sessionPath());
    }
    void cleanup()
    {
        QFile::remove(MainWindow::autosavePath());
        QFile::remove(MainWindow::sessionPath());  // a clean close keeps the session: the next window would open it
    }

    void everyWorkspaceObeysTheWindow()
    {
        // Expected Export data per workspace: the CSV's corner label and its number of columns.
        const std::map<QString, std::pair<QString, int>> data{
            {"text", {"target \\ source", 0}},  // columns: the source tokens of the demo verse
            {"image", {"channel", 1}},
            {"stn", {"θ", 3}},
            {"caption", {"word \\ region", 49}},
            {"video", {"word \\ frame", 16}},
            {"long", {"queries \\ keys (max of 4×4)", 0}},  // Ruth, ~2,400 tokens: blocks of 4
            {"vision", {"row \\ col", 0}}};  // the demo line's strips: one row
        MainWindow w(false);
        w.resize(1300, 900);
        w.show();
        QCOMPARE(w.allWorkspaces().size(), 7);
        for (Workspace* ws : w.allWorkspaces()) {
            const QString id = ws->id();
            w.showWorkspace(id);
            ws->showDefault();
            QVERIFY2(waitFor([&] { return settled(ws); }), qPrintable(id));
            QTest::qWait(50);
            vary(ws);
            QTest::qWait(100);

            // Copy image: that workspace's view, pixel for pixel what Export view writes at 96 dpi.
            QApplication::clipboard()->clear();
            w.findChild<QAction*>("copyImage")->trigger();
            const QImage copied = QApplication::clipboard()->image();
            QVERIFY2(!copied.isNull(), qPrintable(id));
            const QString png = dir_.filePath(id + ".png");
            QString error;
            QVERIFY2(ws->exportCurrentView(png, 96, &error), qPrintable(id + ": " + error));
            QCOMPARE(normalised(copied), normalised(QImage(png)));

            // Export data: its own numbers.
            const QString csv = dir_.filePath(id + ".csv");
            QVERIFY2(ws->exportData(csv, &error), qPrintable(id + ": " + error));
            QFile f(csv);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
            const QStringList header = csvFields(lines.value(0));
            QCOMPARE(header.value(0), data.at(id).first);
            for (const QString& line : lines) QCOMPARE(csvFields(line).size(), header.size());
            if (data.at(id).second > 0) QCOMPARE(header.size() - 1, data.at(id).second);
            QVERIFY2(lines.size() >= 2, qPrintable(id));
            QVERIFY(ws->exportData(dir_.filePath(id + ".npy"), &error));
            Dump npy;
            QVERIFY2(readDump(dir_.filePath(id + ".npy").toStdString(), npy).ok, qPrintable(id));
            int64_t cells = 1;
            for (int64_t d : npy.array.shape) cells *= d;
            QCOMPARE(cells, int64_t(lines.size() - 1) * int64_t(header.size() - 1));  // the CSV's numbers

            // The colour map changes its maps.
            w.setColorMap("viridis");
            const QImage viridis = ws->renderCurrentView(96, &error);
            w.setColorMap("magma");
            const QImage magma = ws->renderCurrentView(96, &error);
            QVERIFY2(!viridis.isNull() && viridis != magma, qPrintable(id));
            w.setColorMap("viridis");
        }

        // Save workspace → a new window → Open workspace: every workspace's state comes back.
        const QString file = dir_.filePath("all.attnws");
        QSignalSpy saved(&w, &MainWindow::workspaceSaved);
        QVERIFY(w.saveWorkspaceTo(file));
        QVERIFY(saved.wait(60000));
        QVERIFY2(saved.at(0).at(1).toBool(), qPrintable(saved.at(0).at(2).toString()));
        std::map<QString, QJsonObject> before;
        for (Workspace* ws : w.allWorkspaces()) before[ws->id()] = ws->saveState().state;
        WorkspaceFile onDisk;
        QString error;
        QVERIFY2(readWorkspaceFile(file, onDisk, &error), qPrintable(error));
        QCOMPARE(int(onDisk.sections.size()), 7);
        QVERIFY(onDisk.sections["long"].traces.empty());  // a long trace stays in its own file
        QVERIFY(onDisk.sections["text"].traces.count("trace"));  // stored binary, not as text

        MainWindow w2(false);
        w2.resize(1300, 900);
        w2.show();
        QSignalSpy opened(&w2, &MainWindow::workspaceOpened);
        QVERIFY(w2.openFile(file));
        QVERIFY(opened.wait(60000));
        for (Workspace* ws : w2.allWorkspaces()) {
            const QString id = ws->id();
            QVERIFY2(waitFor([&] { return settled(ws) && ws->saveState().state == before[id]; }, 60000),
                     qPrintable(id + ": " + QJsonDocument(ws->saveState().state).toJson() + " vs " + QJsonDocument(before[id]).toJson()));
        }
        QVERIFY(!w2.logPanel()->toPlainText().contains("Error"));
    }

    void anExtraWorkspaceIsOneRegistration()
    {
        WorkspaceRegistry registry = WorkspaceRegistry::builtin();
        registry.add([](QWidget* parent) -> Workspace* { return new NotesWorkspace(parent); });
        QTemporaryDir dir;
        const QString file = dir.filePath("n.attnws");
        {
            MainWindow w(false, &registry);
            QCOMPARE(w.workspaces()->count(), 8);
            QCOMPARE(w.workspaces()->tabText(7), QString("Notes"));
            QCOMPARE(w.workspaces()->tabToolTip(7), QString("A note beside the attention (Ctrl+8)"));
            auto* notes = w.workspace<NotesWorkspace>();
            QVERIFY(notes);
            // The View menu switches to it with Ctrl+8.
            QAction* show = w.findChild<QAction*>("showWorkspace_notes");
            QVERIFY(show);
            QCOMPARE(show->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_8));
            show->trigger();
            QCOMPARE(w.frontWorkspace(), notes);
            // Its command is in the Workspace menu while it is in front, and in the Help list.
            auto* menu = w.findChild<QMenu*>("workspaceMenu");
            QCOMPARE(menu->actions().size(), 1);
            QCOMPARE(menu->actions()[0]->text(), QString("Clear the note"));
            w.showShortcuts();
            auto* help = w.findChild<ShortcutsDialog*>("shortcutsDialog");
            QVERIFY(help);
            QCOMPARE(help->tree()->findItems("Notes", Qt::MatchExactly).size(), 1);
            QCOMPARE(help->tree()->findItems("Clear the note", Qt::MatchExactly | Qt::MatchRecursive, 1).size(), 1);
            help->close();
            // Its files are routed to it.
            QFile f(dir.filePath("hello.note"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("hello");
            f.close();
            w.workspaces()->setCurrentIndex(0);
            QVERIFY(w.openFile(f.fileName()));
            QCOMPARE(w.frontWorkspace(), notes);
            QCOMPARE(notes->text(), QString("hello"));
            // Its colour map follows the window's; its section is in the workspace file.
            w.setColorMap("cividis");
            QCOMPARE(notes->colorMap_, QString("cividis"));
            QSignalSpy saved(&w, &MainWindow::workspaceSaved);
            QVERIFY(w.saveWorkspaceTo(file));
            QVERIFY(saved.wait(30000));
            w.setColorMap("viridis");
        }
        WorkspaceFile back;
        QString error;
        QVERIFY(readWorkspaceFile(file, back, &error));
        QCOMPARE(back.sections["notes"].state["text"].toString(), QString("hello"));
        QCOMPARE(back.current, QString("notes"));
        MainWindow w2(false, &registry);
        QSignalSpy opened(&w2, &MainWindow::workspaceOpened);
        QVERIFY(w2.openWorkspace(file));
        QVERIFY(opened.wait(30000));
        QCOMPARE(w2.workspace<NotesWorkspace>()->text(), QString("hello"));
        QCOMPARE(w2.frontWorkspace()->id(), QString("notes"));
    }

    void helpListsEveryKey()
    {
        MainWindow w(false);
        QAction* f1 = w.findChild<QAction*>("keyboardShortcuts");
        QVERIFY(f1);
        QCOMPARE(f1->shortcut(), QKeySequence(QKeySequence::HelpContents));
        f1->trigger();
        auto* help = w.findChild<ShortcutsDialog*>("shortcutsDialog");
        QVERIFY(help && help->isVisible());
        for (Workspace* ws : w.allWorkspaces()) {
            QCOMPARE(help->tree()->findItems(ws->title(), Qt::MatchExactly).size(), 1);
            QVERIFY2(!ws->shortcuts().isEmpty(), qPrintable(ws->id()));
        }
        for (const char* k : {"Copy image", "Export view…", "Save workspace…", "Keyboard shortcuts", "Play / pause", "Translate now"})
            QVERIFY2(!help->tree()->findItems(k, Qt::MatchExactly | Qt::MatchRecursive, 1).isEmpty(), k);
        QVERIFY(help->count() > 30);
    }

    void autosaveNeverFreezesTheWindow()
    {
        MainWindow w(false);
        w.show();
        auto* text = w.workspace<TextWorkspace>();
        // 2048² (16 MiB of float32): the largest the Text workspace keeps (longer traces go to
        // the Long attention workspace, whose traces stay in their files).
        text->showTrace(squareTrace(2048));
        QTest::qWait(50);
        // The GUI thread keeps serving events while the autosave is written: measure the longest
        // gap between ticks of a 1 ms timer from before the save starts to after it ends.
        qint64 longest = 0, last = 0;
        QElapsedTimer clock;
        clock.start();
        QTimer tick;
        tick.setInterval(1);
        connect(&tick, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            longest = std::max(longest, now - last);
            last = now;
        });
        tick.start();
        QTest::qWait(50);
        last = clock.elapsed();
        longest = 0;
        QVERIFY(w.autosaveNow());
        QVERIFY(waitFor([&] { return !w.saving(); }, 60000));
        QTest::qWait(20);
        tick.stop();
        qInfo("longest event-loop stall during a 2048² autosave: %lld ms", longest);
        QVERIFY2(longest < 500, qPrintable(QString::number(longest)));  // generous: shared CI machines
        QVERIFY(!w.autosaveNow());  // nothing changed since: nothing written again
        WorkspaceFile first;
        QString error;
        QVERIFY2(readWorkspaceFile(MainWindow::autosavePath(), first, &error), qPrintable(error));
        QCOMPARE(first.sections["text"].traces["trace"]->tensors[0].shape, (std::vector<int64_t>{2048, 2048}));

        // A save aborted while it is written (as a kill would) leaves the previous autosave intact.
        text->showTrace(squareTrace(1024));
        QVERIFY(w.autosaveNow());
        w.abortSaving();
        QVERIFY(waitFor([&] { return !w.saving(); }, 60000));
        WorkspaceFile kept;
        QVERIFY2(readWorkspaceFile(MainWindow::autosavePath(), kept, &error), qPrintable(error));
        QCOMPARE(kept.sections["text"].traces["trace"]->tensors[0].shape, (std::vector<int64_t>{2048, 2048}));
    }

    void closingWaitsForASaveWithoutBlocking()
    {
        // Closing while an autosave is being written: the window stays open and responsive until
        // the save reports back, then closes and removes the autosave (a clean exit) — never a
        // sleep on the GUI thread.
        MainWindow w(false);
        w.show();
        w.workspace<TextWorkspace>()->showTrace(squareTrace(2048));
        QTest::qWait(50);
        QVERIFY(w.autosaveNow());
        QVERIFY(w.saving());
        QElapsedTimer t;
        t.start();
        QVERIFY(!w.close());  // ignored for now: the save is still being written
        QVERIFY2(t.elapsed() < 50, qPrintable(QString::number(t.elapsed())));  // close() returned at once
        QVERIFY(w.isVisible());
        QVERIFY(waitFor([&] { return !w.isVisible(); }, 60000));
        QVERIFY(!w.saving());
        QVERIFY(!QFileInfo::exists(MainWindow::autosavePath()));
    }

    void theWriterAbortsCleanlyAndBigTracesRoundTrip()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("big.attnws");
        WorkspaceFile small;
        small.sections["text"].state = QJsonObject{{"source", "uno"}};
        small.sections["text"].traces["trace"] = squareTrace(8);
        QString error;
        QVERIFY(writeWorkspaceFile(path, small, &error));
        // 8192 × 8192 float32 (256 MiB): the writer stopped after its first chunk keeps the old file.
        WorkspaceFile big;
        big.current = "text";
        big.sections["text"].state = QJsonObject{{"source", "dos"}};
        big.sections["text"].traces["trace"] = squareTrace(8192);
        int calls = 0;
        QVERIFY(!writeWorkspaceFile(path, big, &error, [&](int64_t, int64_t) { return ++calls < 2; }));
        QVERIFY(error.contains("previous file is unchanged"));
        WorkspaceFile back;
        QVERIFY2(readWorkspaceFile(path, back, &error), qPrintable(error));
        QCOMPARE(back.sections["text"].state["source"].toString(), QString("uno"));
        // Written whole, it reads back equal.
        QVERIFY2(writeWorkspaceFile(path, big, &error), qPrintable(error));
        QVERIFY(QFileInfo(path).size() > (int64_t(8192) * 8192 * 4));
        back = {};
        QVERIFY2(readWorkspaceFile(path, back, &error), qPrintable(error));
        QVERIFY(back.sections["text"] == big.sections["text"]);
        // Truncated and foreign files are refused with a message.
        QFile::resize(path, 1000);
        QVERIFY(!readWorkspaceFile(path, back, &error));
        QVERIFY(error.contains("truncated") || error.contains("corrupt"));
        QFile junk(dir.filePath("junk.attnws"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a workspace at all");
        junk.close();
        QVERIFY(!readWorkspaceFile(junk.fileName(), back, &error));
        QVERIFY(error.contains("not an AttnScope workspace"));
        // A directory length that wraps the bounds check around (found by fuzz_attnws: it read
        // far outside the file) is a corrupt directory.
        QByteArray hostile("ATTNSCWS");
        const quint32 version = 2;
        hostile.append(reinterpret_cast<const char*>(&version), 4).append(QByteArray(40, '{'));
        const quint64 at = 12, len = quint64(hostile.size() + 24 - 1);
        hostile.append(reinterpret_cast<const char*>(&at), 8).append(reinterpret_cast<const char*>(&len), 8).append("ATTNSCWS");
        QFile h(dir.filePath("hostile.attnws"));
        QVERIFY(h.open(QIODevice::WriteOnly));
        h.write(hostile);
        h.close();
        QVERIFY(!readWorkspaceFile(h.fileName(), back, &error));
        QVERIFY2(error.contains("corrupt directory"), qPrintable(error));
    }

    void workspaceFilesOpenOnlyFilesInTheirFolder()
    {
        QTemporaryDir dir;
        const QString folder = dir.path();
        QFile pic(dir.filePath("pic.png"));
        QVERIFY(pic.open(QIODevice::WriteOnly));
        pic.write("png");
        pic.close();
        const QString fifo = dir.filePath("pipe");
        QVERIFY(mkfifo(fifo.toLocal8Bit().constData(), 0600) == 0);
        QVERIFY(QFile::link("/dev/zero", dir.filePath("zero.png")));
        const QStringList keys{"input/file"};
        const auto state = [](const QString& file) { return QJsonObject{{"input", QJsonObject{{"file", file}, {"scene", 2}}}}; };

        // Written relative to the workspace file's folder; read back absolute.
        QJsonObject s = state(dir.filePath("pic.png"));
        relativizeStatePaths(s, keys, folder);
        QCOMPARE(s["input"].toObject()["file"].toString(), QString("pic.png"));
        QVERIFY(confineStatePaths(s, keys, folder, false, "w.attnws").isEmpty());
        QCOMPARE(s["input"].toObject()["file"].toString(), QFileInfo(dir.filePath("pic.png")).canonicalFilePath());
        QCOMPARE(s["input"].toObject()["scene"].toInt(), 2);  // the rest of the state is untouched

        // Refused, each with the field named: escapes, absolute paths, a device (also through a
        // link), a FIFO. The path is dropped from the state.
        const std::vector<std::pair<QString, QString>> refused{{"../../../../etc/passwd", "outside"},
                                                               {"/etc/passwd", "absolute path"},
                                                               {"zero.png", "outside"},
                                                               {"pipe", "not a regular file"}};
        for (const auto& [path, why] : refused) {
            s = state(path);
            const QStringList warnings = confineStatePaths(s, keys, folder, false, "w.attnws");
            QCOMPARE(warnings.size(), 1);
            QVERIFY2(warnings[0].contains(why) && warnings[0].contains("\"input/file\"") && warnings[0].contains("w.attnws"),
                     qPrintable(warnings[0]));
            QVERIFY(!s["input"].toObject().contains("file"));
            QCOMPARE(s["input"].toObject()["scene"].toInt(), 2);
        }
        // The app's own autosave may name files anywhere, but never a device or a FIFO.
        s = state("/etc/passwd");
        QVERIFY(confineStatePaths(s, keys, folder, true, "autosave").isEmpty());
        for (const QString& device : {QString("/dev/zero"), fifo}) {
            s = state(device);
            QVERIFY(confineStatePaths(s, keys, folder, true, "autosave").value(0).contains("not a regular file"));
        }
        // Files the app made in its own cache are its own.
        s = state(dir.filePath("pic.png"));
        QVERIFY(confineStatePaths(s, keys, "/nonexistent", false, "w.attnws", {folder}).isEmpty());
        // Not paths: left alone.
        s = QJsonObject{{"file", "book:Ruth"}};
        QVERIFY(confineStatePaths(s, {"file"}, folder, false, "w.attnws").isEmpty());
        QCOMPARE(s["file"].toString(), QString("book:Ruth"));

        // End to end: a workspace file naming /dev/zero and a FIFO opens without reading either.
        WorkspaceFile f;
        f.current = "caption";
        f.sections["caption"].state = QJsonObject{{"model", "captioner"}, {"input", QJsonObject{{"file", "/dev/zero"}}}};
        f.sections["stn"].state = QJsonObject{{"input", QJsonObject{{"file", "pipe"}}}};
        const QString ws = dir.filePath("hostile.attnws");
        QString error;
        QVERIFY2(writeWorkspaceFile(ws, f, &error), qPrintable(error));
        MainWindow w(false);
        QSignalSpy opened(&w, &MainWindow::workspaceOpened);
        QVERIFY(w.openFile(ws));
        QVERIFY(opened.wait(30000));
        const QString log = w.logPanel()->toPlainText();
        QVERIFY2(log.contains("absolute path (/dev/zero)") && log.contains("(pipe) is not a regular file"), qPrintable(log));
        QVERIFY(w.workspace("caption")->banner()->text().contains("not opened"));
        // A workspace file that is itself a device or a FIFO is refused, not read.
        QVERIFY(!readWorkspaceFile("/dev/zero", f, &error));
        QVERIFY(error.contains("not a regular file"));
        QVERIFY(!readWorkspaceFile(fifo, f, &error));
    }
};

QTEST_MAIN(TestWorkspaces)
#include "test_workspaces.moc"
