// Head ablation in the Text workspace: Alt+click on a head of the grid ablates it and the verse
// runs again with that head zeroed (the grid draws it crossed out, the translation line says
// what was ablated with ΔAER against the unablated run); Alt+click again restores it; a mean
// over heads cannot be ablated head by head (a message says so); the set is saved with the
// workspace and restored; Workspace → Restore every head.
#include "mainwindow.h"
#include "views/headgridview.h"
#include "workspaces/text/ablationcontrol.h"
#include "workspaces/text/textworkspace.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QTabWidget>
#include <QSignalSpy>
#include <QtTest>

using namespace attnscope::ui;

class TestHeadAblation : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName("AttnScopeAblationTest");
        QStandardPaths::setTestModeEnabled(true);
        QFile::remove(MainWindow::autosavePath());
    }
    void cleanup() { QFile::remove(MainWindow::autosavePath()); }

    void altClickAblatesAHeadAndRunsAgain()
    {
        MainWindow w(true);  // Ruth 1:16, forced, with gold; then through the shipped Transformer
        w.resize(1200, 900);
        w.show();
        TextWorkspace* ws = w.workspace<TextWorkspace>();
        QSignalSpy shown(ws, &TextWorkspace::traceShown);
        QVERIFY(shown.wait(60000));
        if (QString::fromStdString(ws->currentTrace()->model) != "transformer") {
            ws->setModel("transformer");
            QVERIFY(shown.wait(60000));
        }
        auto* kind = w.findChild<QComboBox*>("headKind");
        QVERIFY(kind);
        kind->setCurrentIndex(kind->findText("cross_attention"));
        QCOMPARE(kind->currentText(), QString("cross_attention"));
        HeadGridView* grid = ws->headGrid();
        grid->resize(720, 560);
        QVERIFY(grid->layers() == 3 && grid->heads() == 4);
        QTest::mouseClick(grid, Qt::LeftButton, Qt::AltModifier, grid->cellRect(1, 0).center());
        QVERIFY(shown.wait(60000));
        QCOMPARE(QString::fromStdString(ws->currentTrace()->meta("ablation")), QString("cross_attention L2 H1 (zero)"));
        QVERIFY(grid->ablated().count({1, 0}) == 1);
        const QString line = w.findChild<QLabel*>("translationLabel")->text();
        QVERIFY2(line.contains("(ablated)") && line.contains("Ablated cross_attention L2 H1") && line.contains("unablated"), qPrintable(line));
        if (qEnvironmentVariableIsSet("ATTNSCOPE_ABLATION_SHOT")) {  // to look at it by hand
            for (QTabWidget* t : w.findChildren<QTabWidget*>()) {
                if (t->indexOf(ws) >= 0) t->setCurrentWidget(ws);
                if (t->count() > 1 && t->tabText(1).remove('&') == "Heads") t->setCurrentIndex(1);
            }
            QApplication::processEvents();
            w.grab().save(qEnvironmentVariable("ATTNSCOPE_ABLATION_SHOT"));
        }
        // The ablated head's weights are zero in the trace the views show.
        const attnscope::TraceTensor* cross = ws->currentTrace()->find("cross_attention");
        QVERIFY(cross);
        const int64_t rows = cross->shape[2], cols = cross->shape[3];
        const size_t at = size_t((1 * cross->shape[1] + 0) * rows * cols);
        for (int64_t i = 0; i < rows * cols; ++i) QCOMPARE(cross->values[at + size_t(i)], 0.0f);
        // Saved with the workspace, restored into another window.
        const WorkspaceSection saved = ws->saveState();
        QCOMPARE(saved.state["ablation"].toObject()["heads"].toArray().first().toString(), QString("cross_attention:2:1"));
        MainWindow other(false);
        QVERIFY(other.workspace<TextWorkspace>()->restoreState(saved, nullptr));
        QCOMPARE(other.workspace<TextWorkspace>()->ablation()->ablation().describe(), std::string("cross_attention L2 H1 (zero)"));
        // Alt+click again restores it.
        QTest::mouseClick(grid, Qt::LeftButton, Qt::AltModifier, grid->cellRect(1, 0).center());
        QVERIFY(shown.wait(60000));
        QVERIFY(ws->currentTrace()->meta("ablation").empty());
        QVERIFY(grid->ablated().empty());
        QVERIFY(!w.findChild<QLabel*>("translationLabel")->text().contains("(ablated)"));
        // A mean over heads is not ablated head by head.
        kind->setCurrentIndex(kind->findText("cross_attention · mean over heads"));
        if (kind->currentText().contains(" · ")) {
            QTest::mouseClick(grid, Qt::LeftButton, Qt::AltModifier, grid->cellRect(0, 0).center());
            QVERIFY(ws->ablation()->empty());
            QVERIFY2(ws->bannerText().contains("one at a time"), qPrintable(ws->bannerText()));
        }
        // Workspace → Restore every head.
        kind->setCurrentIndex(kind->findText("cross_attention"));
        QTest::mouseClick(grid, Qt::LeftButton, Qt::AltModifier, grid->cellRect(2, 3).center());
        QVERIFY(shown.wait(60000));
        QVERIFY(!ws->ablation()->empty());
        w.findChild<QAction*>("restoreHeads")->trigger();
        QVERIFY(shown.wait(60000));
        QVERIFY(ws->ablation()->empty() && ws->currentTrace()->meta("ablation").empty());
    }
};

QTEST_MAIN(TestHeadAblation)
#include "test_headablation.moc"
