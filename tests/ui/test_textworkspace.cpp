// Offscreen GUI tests: type a sentence, press Translate, check the matrix; forced decoding;
// the built-in demo verse with gold; hover text; pinning; export; bad input banners.
#include "attnscope/dumps.h"
#include "dialogs/preferencesdialog.h"
#include "mainwindow.h"
#include "settings.h"
#include "workspacefile.h"
#include "views/alignmentmatrixview.h"
#include "views/headcompareview.h"
#include "views/headgridview.h"
#include "views/headtableview.h"
#include "views/tokenflowview.h"
#include "jobs/models.h"
#include "workspaces/text/textworkspace.h"

#include <QAction>
#include <QClipboard>
#include <QCheckBox>
#include <QComboBox>
#include <QStandardItemModel>
#include <QDockWidget>
#include <QTreeWidget>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>
#include <QLabel>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSpinBox>
#include <QPushButton>
#include <QDoubleSpinBox>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>

#include "workspaces/text/inputfilebutton.h"
#include <QtTest>
#include <qcustomplot.h>

using namespace attnscope::ui;

namespace {
/// A 2×2 "cross" trace: rows light, </s>; columns luz, </s>.
attnscope::AttentionTrace lightTrace(std::vector<float> values)
{
    attnscope::AttentionTrace t;
    attnscope::TraceTensor x;
    x.name = "cross";
    x.axes = {"target", "source"};
    x.shape = {2, 2};
    x.labels = {{"light", "</s>"}, {"luz", "</s>"}};
    x.values = std::move(values);
    t.tensors.push_back(x);
    return t;
}
} // namespace

class TestTextWorkspace : public QObject {
    Q_OBJECT
    QTemporaryDir settingsDir_;

private slots:
    void initTestCase()
    {
        // Settings of this test run live in a temporary folder.
        QCoreApplication::setOrganizationName("AttnScopeTest");
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
        QStandardPaths::setTestModeEnabled(true);  // autosaves go to a test location
        QFile::remove(MainWindow::autosavePath());
        QFile::remove(MainWindow::sessionPath());
    }
    void cleanup()
    {
        QFile::remove(MainWindow::autosavePath());
        QFile::remove(MainWindow::sessionPath());  // a clean close keeps the session: the next window would open it
    }
    void settingsColourMapAndRecentFiles()
    {
        QTemporaryDir dir;
        {
            MainWindow w(false);
            QCOMPARE(w.workspace<TextWorkspace>()->matrixView()->colorMapName(), QString("viridis"));  // default
            w.findChild<QAction*>("colorMap_magma")->trigger();
            w.findChild<QAction*>("theme_dark")->trigger();
            QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 80);
            QCOMPARE(w.workspace<TextWorkspace>()->matrixView()->colorMapName(), QString("magma"));
            const attnscope::AttentionTrace t = lightTrace({0.75f, 0.25f, 0.5f, 0.5f});
            QVERIFY(attnscope::saveTrace(t, dir.filePath("r.attn").toStdString()).ok);
            QVERIFY(w.openFile(dir.filePath("r.attn")));
            // Data export: CSV with labels, .npy that reads back exactly.
            QString error;
            QVERIFY2(w.workspace<TextWorkspace>()->matrixView()->exportData(dir.filePath("m.csv"), &error), qPrintable(error));
            QFile csv(dir.filePath("m.csv"));
            QVERIFY(csv.open(QIODevice::ReadOnly));
            const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
            QCOMPARE(lines.size(), 3);
            QCOMPARE(lines[0], QString("\"target \\ source\",\"luz\",\"</s>\""));
            QCOMPARE(lines[1], QString("\"light\",0.75,0.25"));
            QVERIFY(w.workspace<TextWorkspace>()->matrixView()->exportData(dir.filePath("m.npy"), &error));
            attnscope::AttentionTrace back;
            QVERIFY(attnscope::importDump(dir.filePath("m.npy").toStdString(), {}, back).ok);
            QCOMPARE(back.tensors[0].values, t.tensors[0].values);
            QVERIFY(!w.workspace<TextWorkspace>()->matrixView()->exportData(dir.filePath("m.xls"), &error));
        }
        // A new window (a restart) finds the colour map, the theme and the recent file.
        MainWindow again(false);
        QCOMPARE(again.workspace<TextWorkspace>()->matrixView()->colorMapName(), QString("magma"));
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 80);
        again.setTheme("light");
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 150);
        QVERIFY(QSettings().value("files/recent").toStringList().first().endsWith("r.attn"));
        again.setColorMap("viridis");
    }
    void typeAndTranslate()
    {
        MainWindow w(false);
        w.show();
        TextWorkspace* ws = w.workspace<TextWorkspace>();
        QSignalSpy shown(ws, &TextWorkspace::traceShown);
        auto* edit = w.findChild<QPlainTextEdit*>("sourceEdit");
        QVERIFY(edit);
        edit->setFocus();
        QTest::keyClicks(edit, "Y dijo Dios: Sea la luz.");  // keyClicks types ASCII only
        QTest::mouseClick(w.findChild<QPushButton*>("translateButton"), Qt::LeftButton);
        QVERIFY(shown.wait(30000));
        AlignmentMatrixView* m = ws->matrixView();
        const QStringList cols{"Y", "dijo", "Dios", ":", "Sea", "la", "luz", ".", "</s>"};
        QCOMPARE(m->columnLabels(), cols);
        QCOMPARE(m->columns(), 9);
        QVERIFY(m->rows() >= 2);
        QCOMPARE(m->rowLabels().last(), QString("</s>"));
        // Rows are the translation's words.
        QStringList words = m->rowLabels();
        words.removeLast();
        QVERIFY(ws->translation().contains(words.join(' ')));
        QVERIFY(words.contains("god") || words.contains("light"));
        // Hover text and the crosshair cell lookup.
        QVERIFY(m->cellText(0, 6).startsWith(m->rowLabels()[0] + " ← luz: "));
        // Pin a row: it lists the source words it attends to.
        m->setPinnedRow(0);
        QCOMPARE(m->pinnedRow(), 0);
        QVERIFY(w.findChild<QLabel*>("pinnedLabel")->text().contains("Pinned"));
        QVERIFY(!m->attendedColumns(0, 0.0).isEmpty());
        // Clicking the target token label (left of the matrix) pins its row.
        m->setPinnedRow(-1);
        QCustomPlot* plot = m->plot();
        const int y1 = int(plot->yAxis->coordToPixel(1));
        QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, QPoint(plot->axisRect()->rect().left() - 15, y1));
        QCOMPARE(m->pinnedRow(), 1);
        m->setPinnedRow(0);
        QTest::keyClick(m->plot(), Qt::Key_Down);  // keyboard moves the pinned row
        QCOMPARE(m->pinnedRow(), 1);
        QTest::keyClick(m->plot(), Qt::Key_Escape);
        QCOMPARE(m->pinnedRow(), -1);
        QCOMPARE(m->linkCounts().argmax, m->rows() - 1);
    }
    void forcedDecodingAndExport()
    {
        MainWindow w(false);
        TextWorkspace* ws = w.workspace<TextWorkspace>();
        QSignalSpy shown(ws, &TextWorkspace::traceShown);
        ws->setSourceText("Y dijo Dios: Sea la luz.");
        ws->setReferenceText("God said, “Let there be light.”");
        ws->setForced(true);
        ws->translateNow();
        QVERIFY(shown.wait(30000));
        const QStringList rows{"God", "said", ",", "“", "Let", "there", "be", "light", ".", "”", "</s>"};
        QCOMPARE(ws->matrixView()->rowLabels(), rows);
        QCOMPARE(ws->matrixView()->columns(), 9);  // 8 tokens + </s>
        QTemporaryDir dir;
        QString error;
        for (const QString ext : {"png", "svg", "pdf"}) {
            const QString path = dir.filePath("view." + ext);
            QVERIFY2(ws->matrixView()->exportTo(path, 0, 0, &error), qPrintable(error));
            QVERIFY(QFileInfo(path).size() > 1000);
        }
        QFile svg(dir.filePath("view.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray svgText = svg.readAll();
        QVERIFY(svgText.contains("light"));
        QVERIFY(svgText.contains("luz"));
        QVERIFY(!ws->matrixView()->exportTo("/proc/nope/x.png", 0, 0, &error));
        QVERIFY(!error.isEmpty());
    }
    void demoVerseHasGold()
    {
        MainWindow w(true);  // reads the dev/test verses, then shows Ruth 1:16
        TextWorkspace* ws = w.workspace<TextWorkspace>();
        QSignalSpy shown(ws, &TextWorkspace::traceShown);
        QVERIFY(shown.wait(60000));
        QVERIFY(ws->currentTrace()->hasGold());
        QCOMPARE(QString::fromStdString(ws->currentTrace()->meta("verse")), QString("Ruth 1:16"));
        QCOMPARE(ws->matrixView()->rowLabels().first(), QString("Ruth"));
        const auto c = ws->matrixView()->linkCounts();
        QVERIFY(c.hits + c.misses > 0);
        QVERIFY(w.findChild<QLabel*>("metricsLabel")->text().contains("AER"));
    }
    void linkMethodChangesEveryView()
    {
        MainWindow w(true);  // Ruth 1:16 with gold
        TextWorkspace* ws = w.workspace<TextWorkspace>();
        QSignalSpy shown(ws, &TextWorkspace::traceShown);
        QVERIFY(shown.wait(60000));
        const auto argmax = ws->matrixView()->linkCounts();
        const int rows = ws->matrixView()->rows();
        QCOMPARE(argmax.argmax, rows - 1);  // one link per target word (</s> excluded)
        auto* method = w.findChild<QComboBox*>("linkMethod");
        auto* tau = w.findChild<QDoubleSpinBox*>("linkThreshold");
        QVERIFY(method && tau);
        QVERIFY(tau->isHidden());
        // Threshold τ = 0.01 links nearly every cell; τ = 1 none: the drawn links follow.
        method->setCurrentIndex(method->findText("threshold"));
        QVERIFY(!tau->isHidden());
        tau->setValue(0.01);
        QVERIFY(ws->matrixView()->linkCounts().argmax > rows);
        tau->setValue(1.0);
        QCOMPARE(ws->matrixView()->linkCounts().argmax, 0);
        QVERIFY(w.findChild<QLabel*>("metricsLabel")->text().contains("threshold τ=1.00"));
        // gdfa: the row-argmax links grown with column-argmax ones — at least as many.
        method->setCurrentIndex(method->findText("gdfa"));
        QVERIFY(tau->isHidden());
        QVERIFY(ws->matrixView()->linkCounts().argmax >= argmax.argmax);
        QVERIFY(w.findChild<QLabel*>("metricsLabel")->text().contains("links by gdfa"));
        const attnscope::AlignmentScore expected = attnscope::scoreTrace(*ws->currentTrace(), {attnscope::LinkMethod::Gdfa, 0.1});
        QCOMPARE(ws->matrixView()->linkCounts().hits, int(expected.hits));
        // The choice is part of the saved workspace.
        const WorkspaceSection saved = ws->saveState();
        QCOMPARE(saved.state["links"].toString(), QString("gdfa"));
        method->setCurrentIndex(method->findText("argmax"));
        QCOMPARE(ws->matrixView()->linkCounts().argmax, argmax.argmax);
        QVERIFY(ws->restoreState(saved, nullptr));
        QCOMPARE(method->currentText(), QString("gdfa"));
        QCOMPARE(int(ws->linkOptions().method), int(attnscope::LinkMethod::Gdfa));
    }
    void goldCorpusAsVerseSource()
    {
        QTemporaryDir dir;
        auto write = [&](const QString& name, const QByteArray& text) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text);
        };
        write("mine.es", "dios creó los cielos y la tierra\ny dijo dios : sea la luz\n");
        write("mine.en", "god created the heavens and the earth\nand god said : let there be light\n");
        write("mine.gold", "1-1 2-2 3?3 4-4 5-5 6-6 7-7\n1-1 2-3 3-2 4-4 5?5 6-7 7-8\n");
        MainWindow w(false);
        TextWorkspace* ws = w.workspace<TextWorkspace>();
        QSignalSpy opened(ws, &TextWorkspace::goldCorpusOpened);
        QSignalSpy shown(ws, &TextWorkspace::traceShown);
        ws->openGoldCorpus(dir.filePath("mine.es"), dir.filePath("mine.en"), dir.filePath("mine.gold"), true);
        QVERIFY(opened.wait(30000));
        QCOMPARE(opened.first().first().toInt(), 2);
        auto* picker = w.findChild<QComboBox*>("versePicker");
        QVERIFY(picker->findData("mine 2") >= 0);
        QVERIFY(shown.wait(60000));  // the first pair, force-decoded with its gold
        const auto trace = ws->currentTrace();
        QCOMPARE(QString::fromStdString(trace->meta("verse")), QString("mine 1"));
        QCOMPARE(QString::fromStdString(trace->meta("gold")), QString("pharaoh"));
        QVERIFY(trace->hasGold());
        QCOMPARE(int(trace->goldLinks.size()), 6);     // 1-based sure links, now 0-based
        QCOMPARE(int(trace->possibleLinks.size()), 1);  // 3?3
        QVERIFY(trace->goldLinks.front().source == 0 && trace->goldLinks.front().target == 0);
        QVERIFY(w.findChild<QLabel*>("metricsLabel")->text().contains("your Pharaoh gold"));
        // The corpus is part of the saved workspace and comes back with it.
        const WorkspaceSection saved = ws->saveState();
        QCOMPARE(saved.state["gold_corpus"].toObject()["gold"].toString(), dir.filePath("mine.gold"));
        MainWindow w2(false);
        TextWorkspace* ws2 = w2.workspace<TextWorkspace>();
        QSignalSpy opened2(ws2, &TextWorkspace::goldCorpusOpened);
        QVERIFY(ws2->restoreState(saved, nullptr));
        QVERIFY(opened2.wait(30000));
        QVERIFY(w2.findChild<QComboBox*>("versePicker")->findData("mine 1") >= 0);
        // A bad gold file: a message naming the line, the picker keeps what it had.
        write("bad.gold", "1-1 1-40\n");
        QSignalSpy errors(ws, &TextWorkspace::errorShown);
        ws->openGoldCorpus(dir.filePath("mine.es"), dir.filePath("mine.en"), dir.filePath("bad.gold"), true);
        QVERIFY(errors.wait(30000));
        QVERIFY2(ws->bannerText().contains("line 1") && ws->bannerText().contains("target index 40"),
                 qPrintable(ws->bannerText()));
        QVERIFY(picker->findData("mine 2") >= 0);
    }
    void wordsToggleForSubwordTraces()
    {
        // A SentencePiece-labelled trace: the Words toggle appears, and every view follows it.
        const std::string u = "\u2581";
        auto trace = std::make_shared<attnscope::AttentionTrace>();
        trace->model = "pieces";
        attnscope::TraceTensor x;
        x.name = "cross";
        x.axes = {"target", "source"};
        x.shape = {3, 3};
        x.labels = {{u + "lo", "ve", "</s>"}, {u + "a", "mor", "</s>"}};
        x.values = {0.5f, 0.3f, 0.2f, 0.1f, 0.7f, 0.2f, 0.0f, 0.4f, 0.6f};
        trace->tensors.push_back(x);
        MainWindow w(false);
        TextWorkspace* ws = w.workspace<TextWorkspace>();
        auto* words = w.findChild<QCheckBox*>("wordsToggle");
        QVERIFY(words);
        ws->showTrace(trace);
        QVERIFY(!words->isHidden());
        QCOMPARE(ws->matrixView()->rows(), 3);
        words->setChecked(true);
        QCOMPARE(ws->matrixView()->rows(), 2);
        QCOMPARE(ws->matrixView()->rowLabels(), (QStringList{"love", "</s>"}));
        QVERIFY(qAbs(ws->matrixView()->value(0, 0) - 0.8) < 1e-6);  // (0.5 + 0.3 + 0.1 + 0.7) / 2
        QCOMPARE(QString::fromStdString(ws->currentTrace()->meta("units")), QString("words"));
        // Saved as pieces with the toggle on; restored the same way.
        const WorkspaceSection saved = ws->saveState();
        QVERIFY(saved.state["words"].toBool());
        QCOMPARE(saved.traces.at("trace")->tensors.front().shape[0], int64_t(3));
        words->setChecked(false);
        QCOMPARE(ws->matrixView()->rows(), 3);
        QVERIFY(ws->restoreState(saved, nullptr));
        QCOMPARE(ws->matrixView()->rows(), 2);
        // A trace without marks hides the toggle.
        auto plain = std::make_shared<attnscope::AttentionTrace>(*trace);
        plain->tensors.front().labels = {{"love", "it", "</s>"}, {"amor", "lo", "</s>"}};
        ws->showTrace(plain);
        QVERIFY(words->isHidden());
        QCOMPARE(ws->matrixView()->rows(), 3);
        // The model picker names an opened trace's model when it offers it, and picking it that
        // way translates nothing (the trace on screen stays).
        auto* picker = ws->findChild<QComboBox*>("modelPicker");
        QVERIFY(picker && picker->findData("transformer") >= 0 && picker->findData("gru-bahdanau") >= 0);
        picker->blockSignals(true);
        picker->setCurrentIndex(picker->findData("gru-bahdanau"));
        picker->blockSignals(false);
        auto fromTransformer = std::make_shared<attnscope::AttentionTrace>(*plain);
        fromTransformer->model = "transformer";
        ws->showTrace(fromTransformer);
        QCOMPARE(picker->currentData().toString(), QString("transformer"));
        QTest::qWait(600);  // longer than the input debounce
        QCOMPARE(ws->currentTrace()->model, std::string("transformer"));
        QCOMPARE(ws->matrixView()->rows(), 3);
    }
    void badInputShowsBanner()
    {
        MainWindow w(false);
        TextWorkspace* ws = w.workspace<TextWorkspace>();
        QSignalSpy errors(ws, &TextWorkspace::errorShown);
        ws->setSourceText("¡¿ … !?");
        ws->translateNow();
        QVERIFY(errors.wait(30000));
        QVERIFY(ws->bannerText().contains("punctuation"));
        ws->setSourceText("   ");
        ws->translateNow();
        QVERIFY(ws->bannerText().contains("Nothing to translate"));
    }
    void latestRequestWins()
    {
        MainWindow w(false);
        TextWorkspace* ws = w.workspace<TextWorkspace>();
        QSignalSpy shown(ws, &TextWorkspace::traceShown);
        for (const QString s : {"Dios", "Dios es", "Dios es amor", "Dios es amor ."}) {
            ws->setSourceText(s);
            ws->translateNow();
        }
        QVERIFY(shown.wait(30000));
        QTest::qWait(500);
        QCOMPARE(shown.count(), 1);  // superseded requests never reach the view
        QCOMPARE(ws->matrixView()->columns(), 5);
    }
    void openSavedTrace()
    {
        MainWindow w(false);
        QTemporaryDir dir;
        QVERIFY(!w.openFile(dir.filePath("missing.attn")));
        attnscope::AttentionTrace t = lightTrace({0.9f, 0.1f, 0.2f, 0.8f});
        QVERIFY(attnscope::saveTrace(t, dir.filePath("t.attn").toStdString()).ok);
        QVERIFY(w.openFile(dir.filePath("t.attn")));
        QCOMPARE(w.workspace<TextWorkspace>()->matrixView()->rowLabels(), QStringList({"light", "</s>"}));
        w.findChild<QAction*>("copyImage")->trigger();
        QVERIFY(!QApplication::clipboard()->image().isNull());
        QCOMPARE(w.workspace<TextWorkspace>()->matrixView()->value(0, 0), double(0.9f));
        // Degenerate shapes (one row, one column) draw without trouble.
        t.tensors[0].shape = {1, 1};
        t.tensors[0].labels = {{"</s>"}, {"</s>"}};
        t.tensors[0].values = {1.0f};
        QVERIFY(attnscope::saveTrace(t, dir.filePath("one.attn").toStdString()).ok);
        QVERIFY(w.openFile(dir.filePath("one.attn")));
        QCOMPARE(w.workspace<TextWorkspace>()->matrixView()->rows(), 1);
        w.show();
        QVERIFY(!w.workspace<TextWorkspace>()->matrixView()->grab().isNull());
        QString error;
        QVERIFY(w.workspace<TextWorkspace>()->matrixView()->exportTo(dir.filePath("one.png"), 0, 0, &error));
    }
    void dropFilesOnTheWindow()
    {
        QTemporaryDir dir;
        QFile f(dir.filePath("dump.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"tokens": ["a", "b"], "attention": [[0.9, 0.1], [0.3, 0.7]]})");
        f.close();
        MainWindow w(false);
        w.show();
        auto* mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(f.fileName())});
        const QPoint at = w.rect().center();
        QDragEnterEvent enter(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(at), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &drop);
        QCOMPARE(w.workspace<TextWorkspace>()->matrixView()->columnLabels(), QStringList({"a", "b"}));
        QCOMPARE(w.workspace<TextWorkspace>()->matrixView()->value(1, 1), double(0.7f));
        QCOMPARE(w.workspace<TextWorkspace>()->currentTrace()->model, std::string("imported"));
        // An unreadable drop is reported in the log, not a crash.
        mime->setUrls({QUrl::fromLocalFile(dir.filePath("nothing.npy"))});
        QDragEnterEvent enterAgain(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &enterAgain);  // every drop follows its own drag-enter
        QDropEvent bad(QPointF(at), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &bad);
        QVERIFY2(w.logPanel()->toPlainText().contains("not found"), qPrintable(w.logPanel()->toPlainText()));
        delete mime;
    }
    void crashRecovery()
    {
        attnscope::AttentionTrace t;
        attnscope::TraceTensor x;
        x.name = "cross";
        x.axes = {"target", "source"};
        x.shape = {1, 2};
        x.labels = {{"light"}, {"luz", "</s>"}};
        x.values = {0.9f, 0.1f};
        t.tensors.push_back(x);
        t.metadata["input"] = "Sea la luz";  // an opened trace brings its own input
        {
            auto* w = new MainWindow(false);
            w->workspace<TextWorkspace>()->showTrace(std::make_shared<attnscope::AttentionTrace>(t));
            QVERIFY(w->autosaveNow());
            QTRY_VERIFY_WITH_TIMEOUT(!w->saving(), 30000);  // written in the background; the window never waits
            delete w;  // gone without closeEvent: as after a crash
        }
        QVERIFY(QFile::exists(MainWindow::autosavePath()));
        MainWindow w(false);
        QSignalSpy opened(&w, &MainWindow::workspaceOpened);
        QVERIFY(opened.wait(30000));  // read in the background
        QVERIFY(opened.at(0).at(1).toBool());
        QVERIFY(w.workspace<TextWorkspace>()->currentTrace());
        QVERIFY(*w.workspace<TextWorkspace>()->currentTrace() == t);
        QCOMPARE(w.workspace<TextWorkspace>()->saveState().state["source"].toString(), QString("Sea la luz"));
        QVERIFY(w.logPanel()->toPlainText().contains("Recovered"));
        w.close();  // a clean exit removes the autosave and keeps the session (written in the background first)
        QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(MainWindow::autosavePath()), 30000);
        QVERIFY(QFile::exists(MainWindow::sessionPath()));
        // The next start opens the last session instead of the demo (issue 28, item 4)…
        {
            MainWindow next(true);
            QSignalSpy reopened(&next, &MainWindow::workspaceOpened);
            QVERIFY(reopened.wait(30000));
            QVERIFY(next.workspace<TextWorkspace>()->currentTrace());
            QVERIFY(*next.workspace<TextWorkspace>()->currentTrace() == t);
            QVERIFY(next.logPanel()->toPlainText().contains("Restored the last session"));
        }
        // …unless the preferences say "start fresh": then the demo verse.
        QSettings().setValue("session/restore", false);
        {
            MainWindow fresh(true);
            QSignalSpy shown(fresh.workspace<TextWorkspace>(), &TextWorkspace::traceShown);
            QVERIFY(shown.wait(60000));
            QVERIFY(fresh.workspace<TextWorkspace>()->currentTrace()->meta("verse") == "Ruth 1:16");
        }
        QSettings().remove("session/restore");
    }
    void workspaceRoundTripAndInterruptedSave()
    {
        QTemporaryDir dir;
        attnscope::AttentionTrace t;
        attnscope::TraceTensor x;
        x.name = "cross";
        x.axes = {"target", "source"};
        x.shape = {3, 4};
        x.labels = {{"God", "is", "</s>"}, {"Dios", "es", "amor", "</s>"}};
        x.values = {0.7f, 0.1f, 0.1f, 0.1f, 0.1f, 0.6f, 0.2f, 0.1f, 0.1f, 0.1f, 0.1f, 0.7f};
        t.tensors.push_back(x);
        t.metadata["mode"] = "forced";
        t.metadata["input"] = "Dios es amor";  // an opened trace brings its inputs to the boxes
        t.metadata["reference"] = "God is";
        const QString ws = dir.filePath("w.attnws");
        WorkspaceSection saved;
        {
            MainWindow w(false);
            w.resize(900, 700);
            w.show();
            w.workspace<TextWorkspace>()->showTrace(std::make_shared<attnscope::AttentionTrace>(t));
            QCOMPARE(w.findChild<QPlainTextEdit*>("sourceEdit")->toPlainText(), QString("Dios es amor"));
            QCOMPARE(w.findChild<QPlainTextEdit*>("referenceEdit")->toPlainText(), QString("God is"));
            w.setColorMap("cividis");
            w.workspace<TextWorkspace>()->matrixView()->setZoomRanges(QRectF(QPointF(0.5, -0.5), QPointF(2.5, 1.5)));
            w.workspace<TextWorkspace>()->matrixView()->setPinnedRow(1);
            QSignalSpy written(&w, &MainWindow::workspaceSaved);
            QVERIFY(w.saveWorkspaceTo(ws));
            QVERIFY(written.wait(30000));
            QVERIFY2(written.at(0).at(1).toBool(), qPrintable(written.at(0).at(2).toString()));
            saved = w.workspace<TextWorkspace>()->saveState();
            w.setColorMap("viridis");
        }
        MainWindow w2(false);
        w2.resize(900, 700);
        w2.show();
        QSignalSpy opened(&w2, &MainWindow::workspaceOpened);
        QVERIFY(w2.openFile(ws));
        QVERIFY(opened.wait(30000));
        const WorkspaceSection back = w2.workspace<TextWorkspace>()->saveState();
        QVERIFY(back == saved);  // inputs, mode, trace, pinned row, zoom, tab
        QCOMPARE(w2.colorMap(), QString("cividis"));
        QCOMPARE(back.state["pinned_row"].toInt(), 1);
        QCOMPARE(back.state["source"].toString(), QString("Dios es amor"));
        QCOMPARE(back.state["reference"].toString(), QString("God is"));
        QVERIFY(back.state["forced"].toBool());
        QCOMPARE(back.state["zoom"].toObject()["x_lower"].toDouble(), 0.5);
        // A save interrupted before commit (as when killed) leaves the previous file intact.
        {
            QSaveFile f(ws);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("ATTNSCWS");
            // destroyed without commit()
        }
        WorkspaceFile again;
        QString error;
        QVERIFY2(readWorkspaceFile(ws, again, &error), qPrintable(error));
        QVERIFY(again.sections["text"].traces["trace"] && *again.sections["text"].traces["trace"] == t);
        QVERIFY(!readWorkspaceFile(dir.filePath("none.attnws"), again, &error));
        w2.setColorMap("viridis");
    }
    void multiHeadTraceOpensInHeadGrid()
    {
        // A trace holding [layer, head, query, key] (e.g. a Transformer's or an imported dump).
        attnscope::AttentionTrace t;
        attnscope::TraceTensor x;
        x.name = "encoder_self";
        x.axes = {"layer", "head", "query", "key"};
        x.shape = {2, 3, 3, 3};
        const std::vector<std::string> tokens{"Dios", "es", "amor"};
        x.labels = {{}, {}, tokens, tokens};
        for (int k = 0; k < 2 * 3; ++k)
            for (int q = 0; q < 3; ++q)
                for (int j = 0; j < 3; ++j) x.values.push_back(j == (q + k) % 3 ? 0.7f : 0.15f);
        t.tensors.push_back(x);
        QTemporaryDir dir;
        QVERIFY(attnscope::saveTrace(t, dir.filePath("mh.attn").toStdString()).ok);
        MainWindow w(false);
        w.resize(1000, 800);
        w.show();
        QVERIFY(w.openFile(dir.filePath("mh.attn")));
        TextWorkspace* ws = w.workspace<TextWorkspace>();
        auto* tabs = w.findChild<QTabWidget*>("viewTabs");
        QVERIFY(tabs->isTabEnabled(1));
        QCOMPARE(tabs->currentIndex(), 1);  // no 2-D alignment: the grid comes first
        QCOMPARE(ws->headGrid()->layers(), 2);
        QCOMPARE(ws->headGrid()->heads(), 3);
        QCOMPARE(ws->matrixView()->columnLabels(), QStringList({"Dios", "es", "amor"}));
        // Click layer 2, head 3 (k = 5): its row 0 peaks on key (0 + 5) % 3 = 2.
        QTest::mouseClick(ws->headGrid(), Qt::LeftButton, Qt::NoModifier, ws->headGrid()->cellRect(1, 2).center());
        QCOMPARE(tabs->currentIndex(), 0);
        QCOMPARE(ws->matrixView()->value(0, 2), double(0.7f));
        QCOMPARE(ws->matrixView()->value(0, 0), double(0.15f));
        // The head table: one row per head; head k looks at the position (q + k) % 3, so
        // head 1 of layer 1 attends 0.7 to the same position; sorting and clicking work.
        HeadTableView* table = ws->headTable();
        QCOMPARE(table->rowCount(), 6);
        table->sortItems(3, Qt::DescendingOrder);  // by "same"
        QCOMPARE(table->item(0, 3)->data(Qt::DisplayRole).toDouble(), 0.7);
        const int bestLayer = table->item(0, 0)->data(Qt::DisplayRole).toInt();
        const int bestHead = table->item(0, 1)->data(Qt::DisplayRole).toInt();
        QCOMPARE((bestLayer - 1) * 3 + (bestHead - 1) == 0 || (bestLayer - 1) * 3 + (bestHead - 1) == 3, true);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::NoModifier, table->visualItemRect(table->item(0, 2)).center());
        QCOMPARE(tabs->currentIndex(), 0);
        QCOMPARE(ws->matrixView()->value(1, 1), double(0.7f));  // a "same position" head
        tabs->setCurrentIndex(1);
        // Shift+click two heads: the comparison opens with the expected numbers.
        // Layer 1 head 1 (k = 0) peaks on the diagonal, layer 1 head 2 (k = 1) one to the right.
        QTest::mouseClick(ws->headGrid(), Qt::LeftButton, Qt::ShiftModifier, ws->headGrid()->cellRect(0, 0).center());
        QTest::mouseClick(ws->headGrid(), Qt::LeftButton, Qt::ShiftModifier, ws->headGrid()->cellRect(0, 1).center());
        QCOMPARE(tabs->currentIndex(), 2);
        const auto& c = ws->compareView()->comparison();
        QCOMPARE(int(c.jsdRows.size()), 3);
        // Rows [.7,.15,.15] vs a permutation: identical entropy, JSD > 0, r = −0.5 over the cells.
        QVERIFY(std::abs(c.entropyA - c.entropyB) < 1e-9);
        QVERIFY(c.jsd > 0.1);
        QVERIFY(std::abs(c.pearson + 0.5) < 1e-6);
        QVERIFY(std::isnan(c.aerA));  // no gold in this trace
        QVERIFY(ws->compareView()->summary().contains("JSD"));
        QVERIFY(!ws->compareView()->grab().isNull());
        // Aggregations are offered for the tensor; rollout of a 2-layer self-attention is a lens,
        // derived when the file is opened.
        auto* kind = w.findChild<QComboBox*>("headKind");
        auto* lens = w.findChild<QComboBox*>("headLens");
        QVERIFY(kind->findText("encoder_self · rollout") < 0);
        QVERIFY(kind->findText("encoder_self.rollout") < 0);  // lenses are not attention kinds
        kind->setCurrentText("encoder_self · mean over heads");
        QCOMPARE(ws->headGrid()->heads(), 1);
        QCOMPARE(ws->headGrid()->layers(), 2);
        kind->setCurrentText("encoder_self");
        const auto enabled = [lens](const char* id) {
            return qobject_cast<QStandardItemModel*>(lens->model())->item(lens->findData(id))->isEnabled();
        };
        QVERIFY(enabled("raw") && enabled("rollout"));
        QVERIFY(!enabled("norm") && !enabled("alti") && !enabled("grad"));  // a file with weights only, no model
        QVERIFY(lens->itemData(lens->findData("alti"), Qt::ToolTipRole).toString().contains("built-in Transformer"));
        emit lens->activated(lens->findData("rollout"));
        QCOMPARE(lens->currentData().toString(), QString("rollout"));
        QCOMPARE(ws->headGrid()->heads(), 1);  // heads averaged, one map per layer
        QVERIFY(ws->showHead("encoder_self.rollout", 1, 0));
        // Self-attention is no alignment: queries over keys, no links drawn.
        QCOMPARE(ws->matrixView()->axisTitle(Qt::Horizontal), QString("keys"));
        QCOMPARE(ws->matrixView()->axisTitle(Qt::Vertical), QString("queries"));
        QCOMPARE(ws->matrixView()->linkCounts().argmax, 0);
        double sum = 0;
        for (int c = 0; c < 3; ++c) sum += ws->matrixView()->value(0, c);
        QVERIFY(std::abs(sum - 1.0) < 1e-5);  // rollout rows stay distributions
        emit lens->activated(lens->findData("raw"));
        // Token flow: layer 1 of the raw tensor, 3 heads × 3 queries × 3 keys, all weights ≥ 0.15.
        kind->setCurrentText("encoder_self");
        TokenFlowView* flow = ws->tokenFlow();
        QVERIFY(tabs->isTabEnabled(3));
        QCOMPARE(flow->heads(), 3);
        QCOMPARE(flow->visibleLines(), 27);
        flow->setHeadVisible(1, false);
        QCOMPARE(flow->visibleLines(), 18);
        flow->setHoveredToken(0, 2);  // only the lines of query "amor"
        QCOMPARE(flow->visibleLines(), 6);
        flow->setHoveredToken(-1, -1);
        // A translation trace (2-D only) disables the tab again.
        x.name = "cross";
        x.axes = {"target", "source"};
        x.shape = {3, 3};
        x.labels = {tokens, tokens};
        x.values.resize(9);
        t.tensors = {x};
        QVERIFY(attnscope::saveTrace(t, dir.filePath("2d.attn").toStdString()).ok);
        QVERIFY(w.openFile(dir.filePath("2d.attn")));
        QVERIFY(!tabs->isTabEnabled(1));
        QVERIFY(tabs->isTabEnabled(3));  // a 2-D trace flows as one head
        QCOMPARE(flow->heads(), 1);
    }
    void exportEveryViewAndPreferences()
    {
        attnscope::AttentionTrace t;
        attnscope::TraceTensor x;
        x.name = "encoder_self";
        x.axes = {"layer", "head", "query", "key"};
        x.shape = {2, 2, 3, 3};
        x.labels = {{}, {}, {"Dios", "es", "amor"}, {"Dios", "es", "amor"}};
        x.values.assign(36, 1.0f / 3);
        t.tensors.push_back(x);
        QTemporaryDir dir;
        QVERIFY(attnscope::saveTrace(t, dir.filePath("mh.attn").toStdString()).ok);
        MainWindow w(false);
        w.resize(1000, 800);
        w.show();
        QVERIFY(w.openFile(dir.filePath("mh.attn")));
        TextWorkspace* ws = w.workspace<TextWorkspace>();
        auto* tabs = w.findChild<QTabWidget*>("viewTabs");
        QCOMPARE(tabs->currentIndex(), 1);
        QCOMPARE(ws->currentViewName(), QString("heads"));
        // The head grid as PNG at 192 dpi: twice the widget's pixels.
        QString error;
        const QString png = dir.filePath("grid.png");
        QVERIFY2(ws->exportCurrentView(png, 192, &error), qPrintable(error));
        QCOMPARE(QImage(png).size(), ws->headGrid()->size() * 2);
        QVERIFY(ws->exportCurrentView(dir.filePath("grid.svg"), 96, &error));
        QVERIFY(QFileInfo(dir.filePath("grid.svg")).size() > 500);
        tabs->setCurrentIndex(3);  // token flow
        QVERIFY(ws->exportCurrentView(dir.filePath("flow.pdf"), 96, &error));
        QVERIFY(QFile(dir.filePath("flow.pdf")).open(QIODevice::ReadOnly));
        tabs->setCurrentIndex(2);  // nothing compared yet
        QVERIFY(!ws->exportCurrentView(dir.filePath("cmp.png"), 96, &error));
        QVERIFY(error.contains("empty"));
        // Preferences are typed settings: what the dialog saves is what the app reads.
        PreferencesDialog prefs;
        prefs.findChild<QSpinBox*>("prefDpi")->setValue(450);
        prefs.findChild<QComboBox*>("prefModel")->setCurrentText("transformer");
        prefs.findChild<QSpinBox*>("prefThreads")->setValue(1);
        prefs.save();
        QCOMPARE(settings::get(settings::ExportDpi), 450);
        QCOMPARE(settings::get(settings::DefaultModel), QString("transformer"));
        QCOMPARE(settings::get(settings::EngineThreads), 1);
        MainWindow second(false);  // a new window starts on the default model
        QCOMPARE(second.findChild<QComboBox*>("modelPicker")->currentText(), QString("transformer"));
        QSettings().remove("engine");
    }
    void tracePanelAndModelsKept()
    {
        // The Trace dock lists the tensors of the trace on screen and is restored with the window.
        {
            MainWindow w(false);
            w.show();
            TextWorkspace* ws = w.workspace<TextWorkspace>();
            QSignalSpy shown(ws, &TextWorkspace::traceShown);
            settings::set(settings::ModelsKept, 1);  // one translator in memory at a time
            ws->setSourceText("Dios es amor.");
            ws->translateNow();
            QVERIFY(shown.wait(60000));
            QCOMPARE(int(attnscope::ui::sharedModels().size()), 1);
            w.findChild<QComboBox*>("modelPicker")->setCurrentText("transformer");
            QVERIFY(shown.wait(60000));
            QCOMPARE(int(attnscope::ui::sharedModels().size()), 1);  // the GRU was unloaded
            QTreeWidget* panel = w.tracePanel();
            const auto items = panel->findItems("cross_attention", Qt::MatchExactly | Qt::MatchRecursive);
            QCOMPARE(items.size(), 1);
            QVERIFY2(items[0]->text(1).startsWith("[layer 3 × head 4 × query 5 × key 5]"), qPrintable(items[0]->text(1)));
            QCOMPARE(panel->findItems("transformer", Qt::MatchExactly | Qt::MatchRecursive, 1).size(), 1);
            auto* dock = w.findChild<QDockWidget*>("traceDock");
            QVERIFY(dock->isHidden());
            w.findChild<QAction*>("showTracePanel")->trigger();
            QVERIFY(!dock->isHidden());
            w.close();  // saves the window state
        }
        MainWindow again(false);
        QVERIFY(!again.findChild<QDockWidget*>("traceDock")->isHidden());
        again.findChild<QAction*>("showTracePanel")->trigger();
        QSettings().remove("engine");
    }
    void transformerHeadsCompareAcrossModelsAndScoreDev()
    {
        MainWindow w(true);  // the demo verse (Ruth 1:16, with gold) with the GRU model
        w.resize(1200, 900);
        w.show();
        TextWorkspace* ws = w.workspace<TextWorkspace>();
        QSignalSpy shown(ws, &TextWorkspace::traceShown);
        QVERIFY(shown.wait(60000));
        auto* tabs = w.findChild<QTabWidget*>("viewTabs");
        QVERIFY(!tabs->isTabEnabled(1));  // the GRU has one attention map: no head grid
        QVERIFY(tabs->isTabEnabled(2));   // but it can be compared
        w.findChild<QComboBox*>("modelPicker")->setCurrentText("transformer");
        QVERIFY2(shown.wait(60000), qPrintable(ws->bannerText()));
        QCOMPARE(QString::fromStdString(ws->currentTrace()->model), QString("transformer"));
        QVERIFY(ws->currentTrace()->hasGold());
        QVERIFY(tabs->isTabEnabled(1));
        auto* kind = w.findChild<QComboBox*>("headKind");
        for (const char* k : {"encoder_self", "decoder_self", "cross_attention"})
            QVERIFY2(kind->findText(k) >= 0, k);
        kind->setCurrentText("cross_attention");
        QCOMPARE(ws->headGrid()->layers(), 3);
        QCOMPARE(ws->headGrid()->heads(), 4);
        // Every lens of the built-in Transformer's cross-attention: stored or derived, or (grad)
        // computed on request in the background.
        auto* lens = w.findChild<QComboBox*>("headLens");
        const auto item = [lens](const char* id) { return qobject_cast<QStandardItemModel*>(lens->model())->item(lens->findData(id)); };
        for (const char* id : {"raw", "norm", "rollout", "norm_rollout", "alti", "grad"}) QVERIFY2(item(id)->isEnabled(), id);
        QVERIFY(!ws->currentTrace()->find("cross_attention.grad"));
        emit lens->activated(lens->findData("alti"));
        QCOMPARE(kind->currentText(), QString("cross_attention"));
        QCOMPARE(w.findChild<QLabel*>("headKindInfo")->text().contains("ALTI"), true);
        QCOMPARE(ws->headGrid()->layers(), 3);
        QCOMPARE(ws->headGrid()->heads(), 4);
        QVERIFY(ws->showHead("cross_attention.alti", 2, 1));
        QCOMPARE(ws->matrixView()->colorBarLabel(), QString("alti lens, rows normalised"));
        double sum = 0;
        for (int c = 0; c < ws->matrixView()->columns(); ++c) sum += ws->matrixView()->value(0, c);
        QVERIFY(std::abs(sum - 1.0) < 1e-4);  // a target token's contributions over the input words
        tabs->setCurrentIndex(1);
        emit lens->activated(lens->findData("grad"));  // decoded again with a backward pass per token
        QVERIFY2(shown.wait(60000), qPrintable(ws->bannerText()));
        QVERIFY(ws->currentTrace()->find("cross_attention.grad"));
        QCOMPARE(lens->currentData().toString(), QString("grad"));
        QVERIFY(w.findChild<QLabel*>("headKindInfo")->text().contains("grad lens"));
        emit lens->activated(lens->findData("raw"));
        // Click layer 3, head 2 of the grid: the matrix shows that head with the verse's gold.
        tabs->setCurrentIndex(1);
        QTest::mouseClick(ws->headGrid(), Qt::LeftButton, Qt::NoModifier, ws->headGrid()->cellRect(2, 1).center());
        QCOMPARE(tabs->currentIndex(), 0);
        attnscope::TraceTensor head;
        QVERIFY(attnscope::sliceHead(*ws->currentTrace()->find("cross_attention"), 2, 1, "x", head).ok);
        QCOMPARE(ws->matrixView()->value(3, 2), double(head.at(3, 2)));
        QVERIFY(ws->matrixView()->linkCounts().hits + ws->matrixView()->linkCounts().misses > 0);
        QCOMPARE(ws->matrixView()->axisTitle(Qt::Horizontal), QString("source"));  // cross-attention: an alignment

        // Cross-model comparison through the Compare tab's controls: Transformer layer 2
        // head 1 (A) against the GRU's attention (B) on the same verse and target.
        QSignalSpy compared(ws, &TextWorkspace::comparisonShown);
        w.findChild<QComboBox*>("compareKindA")->setCurrentText("cross_attention");
        w.findChild<QSpinBox*>("compareLayerA")->setValue(2);
        auto* headA = w.findChild<QComboBox*>("compareHeadA");
        headA->setCurrentIndex(headA->findData(0));
        auto* modelB = w.findChild<QComboBox*>("compareModelB");
        modelB->setCurrentIndex(modelB->findData("gru-bahdanau"));
        QTest::mouseClick(w.findChild<QPushButton*>("compareButton"), Qt::LeftButton);
        QVERIFY(compared.wait(60000));
        QCOMPARE(tabs->currentIndex(), 2);
        const auto& c = ws->compareView()->comparison();
        QCOMPARE(int(c.jsdRows.size()), int(ws->currentTrace()->find("cross")->shape[0]));
        QVERIFY(c.jsd > 0 && c.jsd <= 1);
        QVERIFY(!std::isnan(c.aerA) && !std::isnan(c.aerB));  // both scored against the verse's gold
        QVERIFY(c.pearson > -1 && c.pearson < 1);
        const QString status = w.findChild<QLabel*>("compareStatus")->text();
        QVERIFY2(status.contains("gru-bahdanau · cross") && status.contains("transformer · cross_attention L2 H1"), qPrintable(status));
        // The same comparison again uses the cached GRU trace (synchronous).
        QTest::mouseClick(w.findChild<QPushButton*>("compareButton"), Qt::LeftButton);
        QCOMPARE(compared.count(), 2);
        // Two heads of the same model: layer 1 head 1 against the layer-1 mean.
        ws->compareHeads({"cross_attention", 0, 0}, QString(), {"cross_attention", 0, -1});
        QCOMPARE(compared.count(), 3);
        QVERIFY(w.findChild<QLabel*>("compareStatus")->text().contains("L1 mean"));
        // The selectors say what the label says.
        QCOMPARE(w.findChild<QComboBox*>("compareModelB")->currentData().toString(), QString());
        QCOMPARE(w.findChild<QSpinBox*>("compareLayerB")->value(), 1);
        QCOMPARE(w.findChild<QComboBox*>("compareHeadB")->currentData().toInt(), -1);
        QCOMPARE(w.findChild<QSpinBox*>("compareLayerA")->value(), 1);
        // Another verse: the comparison is never left stale — the same heads, compared on it.
        const int rowsBefore = int(ws->compareView()->comparison().jsdRows.size());
        QVERIFY(ws->selectVerse("Ruth 1:17"));
        QVERIFY2(shown.wait(60000), qPrintable(ws->bannerText()));
        QCOMPARE(compared.count(), 4);
        const int rowsAfter = int(ws->currentTrace()->find("cross")->shape[0]);
        QCOMPARE(int(ws->compareView()->comparison().jsdRows.size()), rowsAfter);
        QVERIFY(rowsAfter != rowsBefore);

        // Dev-split AER of every head, computed in the background (8 verses here).
        tabs->setCurrentIndex(0);
        QSignalSpy scored(ws, &TextWorkspace::devScoresShown);
        ws->scoreHeadsOnDev(8);
        QVERIFY(!w.findChild<QProgressBar*>("devProgress")->isHidden());
        QVERIFY(scored.wait(120000));
        HeadTableView* table = ws->headTable();
        QCOMPARE(table->rowCount(), 12);
        double worst = 0;
        for (int l = 0; l < 3; ++l)
            for (int h = 0; h < 4; ++h) {
                const double aer = table->value(l, h, HeadTableView::DevAer);
                QVERIFY(aer >= 0 && aer <= 100);
                worst = std::max(worst, aer);
            }
        QVERIFY(worst > 1);  // percent, as the summary line says, not a fraction
        QVERIFY(table->horizontalHeaderItem(HeadTableView::DevAer)->text().contains("%"));
        // At 1600 × 1000 the table shows at least six heads under the 3 × 4 grid.
        w.resize(1600, 1000);
        tabs->setCurrentIndex(1);
        QCoreApplication::processEvents();
        QVERIFY2(table->viewport()->height() >= 6 * table->rowHeight(0),
                 qPrintable(QString("%1 px for rows of %2 px").arg(table->viewport()->height()).arg(table->rowHeight(0))));
        QVERIFY(w.findChild<QLabel*>("devStatus")->text().contains("best head"));
        QVERIFY(w.findChild<QProgressBar*>("devProgress")->isHidden());
        kind->setCurrentText("encoder_self");  // self-attention has no gold: no dev AER
        QVERIFY(std::isnan(table->value(0, 0, HeadTableView::DevAer)));
    }

    void fileInputModelsGetAFileButton()
    {
        // A user model whose sidecar reads images (or videos) gets a "Choose …" button next to
        // the input box; text models do not.
        QTemporaryDir dir;
        auto write = [&](const QString& name, const QByteArray& text) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text);
        };
        const QByteArray att = R"("attention": [{"name": "a", "axes": ["head", "query", "key"]}])";
        write("vit.pt", "x");
        write("vit.json", R"({"input": {"type": "image", "size": [8, 8], "patch": 4}, )" + att + "}");
        write("clip.pt", "x");
        write("clip.json", R"({"input": {"type": "video", "frames": 8, "size": [16, 16]}, )" + att + "}");
        InputFileButton b;
        b.setModel(dir.filePath("vit.pt"));
        QCOMPARE(b.inputKind(), QStringLiteral("image"));
        QVERIFY(!b.isHidden());
        QVERIFY(b.text().contains(QStringLiteral("image")));
        b.setModel(dir.filePath("clip.pt"));
        QCOMPARE(b.inputKind(), QStringLiteral("video"));
        QVERIFY(b.text().contains(QStringLiteral("video")));
        b.setModel(QStringLiteral("gru-bahdanau"));
        QVERIFY(b.inputKind().isEmpty());
        QVERIFY(b.isHidden());
    }
};

QTEST_MAIN(TestTextWorkspace)
#include "test_textworkspace.moc"
