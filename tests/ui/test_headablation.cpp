// Head ablation in the Text workspace: Alt+click on a head of the grid ablates it and the verse
// runs again with that head zeroed (the grid draws it crossed out, the translation line says
// what was ablated with ΔAER against the unablated run); Alt+click again restores it; a mean
// over heads cannot be ablated head by head (a message says so); the set is saved with the
// workspace and restored; Workspace → Restore every head. Head importance over dev verses
// colours and sorts the grid and fills the table's column.
#include "mainwindow.h"
#include "settings.h"
#include "views/headgridview.h"
#include "views/headtableview.h"
#include "workspaces/ablationcontrol.h"
#include "workspaces/text/importancebar.h"
#include "workspaces/text/pruningdialog.h"
#include "workspaces/text/textworkspace.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QProgressBar>
#include <QPushButton>
#include <QTemporaryDir>
#include <QImage>
#include <qcustomplot.h>
#include <QLabel>
#include <QTabWidget>
#include <QSignalSpy>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace attnscope::ui;

class TestHeadAblation : public QObject {
    Q_OBJECT
    /// The demo window shown at `size`, its Text workspace on the shipped Transformer (`ws`
    /// stays null when a run does not come back).
    static void openOnTransformer(MainWindow& w, QSize size, TextWorkspace*& ws)
    {
        w.resize(size);
        w.show();
        TextWorkspace* text = w.workspace<TextWorkspace>();
        QSignalSpy shown(text, &TextWorkspace::traceShown);
        QVERIFY(shown.wait(60000));
        if (QString::fromStdString(text->currentTrace()->model) != "transformer") {
            text->setModel("transformer");
            QVERIFY(shown.wait(60000));
        }
        ws = text;
    }

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName("AttnScopeAblationTest");
        QStandardPaths::setTestModeEnabled(true);
        QFile::remove(MainWindow::autosavePath());
        QFile::remove(MainWindow::sessionPath());
    }
    void cleanup()
    {
        QFile::remove(MainWindow::autosavePath());
        QFile::remove(MainWindow::sessionPath());  // a clean close keeps the session: the next window would open it
    }

    void altClickAblatesAHeadAndRunsAgain()
    {
        MainWindow w(true);  // Ruth 1:16, forced, with gold; then through the shipped Transformer
        TextWorkspace* ws = nullptr;
        openOnTransformer(w, QSize(1200, 900), ws);
        QVERIFY(ws);
        QSignalSpy shown(ws, &TextWorkspace::traceShown);
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
        QVERIFY2(line.contains("(ablated)") && line.contains("Ablated cross_attention L2 H1") && line.contains("unablated") &&
                     line.contains("log p(reference)"),
                 qPrintable(line));
        QVERIFY(std::stod(ws->currentTrace()->meta("reference_log_likelihood")) < 0);  // forced decoding: nats
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
        // The head table's context menu ablates as the grid does.
        emit ws->headTable()->headAblationToggled(0, 1);
        QVERIFY(shown.wait(60000));
        QCOMPARE(QString::fromStdString(ws->currentTrace()->meta("ablation")), QString("cross_attention L1 H2 (zero)"));
        emit ws->headTable()->ablationsReset();
        QVERIFY(shown.wait(60000));
        QVERIFY(ws->ablation()->empty());
    }

    void headImportanceColoursSortsAndExports()
    {
        // Heads → Head importance (by gradient, over a few dev verses, in the background): the
        // table gains the column, the grid a bar per head and, sorted, the most important head
        // of each layer on the left; the hover line gives its rank; the table exports as CSV.
        attnscope::ui::settings::set(attnscope::ui::settings::DevScoreLimit, 4);
        MainWindow w(true);
        TextWorkspace* ws = nullptr;
        openOnTransformer(w, QSize(1400, 1000), ws);
        QVERIFY(ws);
        auto* kind = w.findChild<QComboBox*>("headKind");
        kind->setCurrentIndex(kind->findText("cross_attention"));
        auto* bar = w.findChild<ImportanceBar*>("importanceBar");
        QVERIFY(bar);
        bar->setMethod("gradient");
        QSignalSpy measured(bar, &ImportanceBar::measured);
        w.findChild<QPushButton*>("importanceButton")->click();
        QVERIFY(!w.findChild<QProgressBar*>("importanceProgress")->isHidden());  // in the background, never on the GUI thread
        QVERIFY(measured.wait(120000));
        QCOMPARE(measured.first().at(1).toInt(), 36);  // every head of the three kinds
        HeadTableView* table = ws->headTable();
        HeadGridView* grid = ws->headGrid();
        std::vector<double> v;
        for (int l = 0; l < 3; ++l)
            for (int h = 0; h < 4; ++h) {
                v.push_back(table->value(l, h, HeadTableView::Importance));
                QVERIFY(v.back() >= 0 && v.back() <= 1);  // l2-normalised per layer
            }
        QVERIFY(table->horizontalHeaderItem(HeadTableView::Importance)->text().contains("gradient"));
        // Sorted: in each layer the most important head takes column 0.
        w.findChild<QCheckBox*>("importanceSort")->setChecked(true);
        QVERIFY(grid->sortedByImportance());
        for (int l = 0; l < 3; ++l) {
            const int best = int(std::max_element(v.begin() + l * 4, v.begin() + l * 4 + 4) - (v.begin() + l * 4));
            QCOMPARE(grid->columnOf(l, best), 0);
            int l2 = -1, h2 = -1;
            QVERIFY(grid->headAt(grid->cellRect(l, best).center(), &l2, &h2) && l2 == l && h2 == best);
            QVERIFY2(grid->headSummary(l, best).contains("rank"), qPrintable(grid->headSummary(l, best)));
        }
        w.findChild<QCheckBox*>("importanceSort")->setChecked(false);
        QCOMPARE(grid->columnOf(2, 3), 3);
        // Another attention kind shows its own heads; a mean over heads has none.
        kind->setCurrentIndex(kind->findText("encoder_self"));
        QVERIFY(!std::isnan(table->value(0, 0, HeadTableView::Importance)));
        kind->setCurrentIndex(kind->findText("cross_attention · mean over heads"));
        QVERIFY(std::isnan(table->value(0, 0, HeadTableView::Importance)));
        // The export is the CLI's table: a header and one row per head.
        QTemporaryDir dir;
        QString error;
        QVERIFY2(bar->exportCsv(dir.filePath("imp.csv"), &error), qPrintable(error));
        QFile f(dir.filePath("imp.csv"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList rows = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(rows.first(), QString("kind,layer,head,gradient_importance"));
        QCOMPARE(rows.size(), 37);
        attnscope::ui::settings::set(attnscope::ui::settings::DevScoreLimit, 0);
    }

    void pruningCurvesDialogMeasuresDrawsAndExports()
    {
        // Workspace → Pruning curves…: BLEU at 0, 10, …, 100 % of the heads zeroed over a few dev
        // verses, in the background; the chart has the importance order; the exports are the CLI's.
        PruningDialog dialog("transformer");
        dialog.show();
        dialog.setMethod("gradient");
        dialog.setSeeds(1);
        QSignalSpy measured(&dialog, &PruningDialog::measured);
        dialog.measure(3);
        QVERIFY(measured.wait(180000));
        QCOMPARE(dialog.plot()->graphCount(), 2);  // importance order and one random order
        QCOMPARE(dialog.plot()->graph(0)->data()->size(), 11);
        QCOMPARE(dialog.plot()->graph(0)->name(), QString("importance"));
        QCOMPARE(dialog.table().removed.back(), 36);
        QVERIFY(dialog.findChild<QLabel*>("pruningSummary")->text().contains("within 1 BLEU point"));
        QTemporaryDir dir;
        QString error;
        QVERIFY2(dialog.exportTo(dir.filePath("curve.csv"), &error), qPrintable(error));
        QFile f(dir.filePath("curve.csv"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().startsWith("fraction,heads_removed,bleu_importance,bleu_random_seed_1\n"));
        QVERIFY2(dialog.exportTo(dir.filePath("curve.png"), &error), qPrintable(error));
        QVERIFY(QImage(dir.filePath("curve.png")).width() > 0);
    }
};

QTEST_MAIN(TestHeadAblation)
#include "test_headablation.moc"
