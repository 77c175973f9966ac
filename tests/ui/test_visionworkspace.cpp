// The Vision workspace offscreen, on PaddleOCR PP-OCRv4 (cached by scripts/install-deps): the
// recogniser reads the demo line; clicking a strip shows that strip's attention over the line;
// the attention chooser (kept per model) narrows the layers; the detector's text map and SE
// gates; the maps of the modes (one patch, received, CLS, rollout) on a hand-made ViT trace;
// the state round-trips; the figure exports; the Model manager takes an .onnx.
#include "attnscope/headstats.h"
#include "attnscope/schema.h"
#include "attnscope/visionmodel.h"
#include "dialogs/attentionchoicedialog.h"
#include "dialogs/modelmanagerdialog.h"
#include "settings.h"
#include "views/alignmentmatrixview.h"
#include "views/channelbarview.h"
#include "views/headgridview.h"
#include "views/figurewriter.h"
#include "views/spatialoverlayview.h"
#include "workspaces/vision/visionmaps.h"
#include "workspaces/vision/visionworkspace.h"
#include "../engine/onnxclassifier.h"

#include <QComboBox>
#include <qcustomplot.h>
#include <QCoreApplication>
#include <QFile>
#include <QFont>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QStandardItemModel>
#include <QtTest>

#include <cmath>

using namespace attnscope;
using namespace attnscope::ui;

class TestVisionWorkspace : public QObject {
    Q_OBJECT
    VisionWorkspace* ws_ = nullptr;
    QTemporaryDir dir_;

    bool waitResult(VisionWorkspace* ws = nullptr)
    {
        QSignalSpy spy(ws ? ws : ws_, &VisionWorkspace::resultShown);
        return spy.wait(60000);
    }
    /// A hand-made ViT trace: a 4×4 picture, 2×2 patches after CLS, 2 layers of 1 head [5, 5].
    static AttentionTrace vitTrace()
    {
        AttentionTrace t;
        t.model = "vit";
        TraceTensor p;
        p.name = schema::vision::kPicture;
        p.axes = {"row", "col", "channel"};
        p.shape = {4, 4, 3};
        p.labels.assign(3, {});
        p.values.assign(48, 100.0f);
        t.tensors.push_back(p);
        TraceTensor a;
        a.name = schema::vision::kAttention;
        a.axes = {"layer", "head", "query", "key"};
        a.shape = {2, 1, 5, 5};
        a.labels = {{"l1", "l2"}, {"h1"}, {"[CLS]", "r0c0", "r0c1", "r1c0", "r1c1"}, {"[CLS]", "r0c0", "r0c1", "r1c0", "r1c1"}};
        for (int l = 0; l < 2; ++l)
            for (int q = 0; q < 5; ++q)
                for (int k = 0; k < 5; ++k) a.values.push_back(k == (q + l + 1) % 5 ? 0.6f : 0.1f);  // rows sum to 1
        t.tensors.push_back(a);
        t.metadata[schema::vision::kPatchRowsMeta] = "2";
        t.metadata[schema::vision::kPatchColsMeta] = "2";
        t.metadata[schema::vision::kClsMeta] = "1";
        t.metadata[schema::vision::kInputSizeMeta] = "4×4";
        return t;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("AttnScopeTest");
        settings::set(settings::UserModels, QStringList());
        settings::set(settings::ChosenAttention, QVariantMap());
        QVERIFY2(!ppocrModelDir().empty(), "PaddleOCR PP-OCRv4 is not cached: run scripts/install-deps");
        ws_ = new VisionWorkspace();
        ws_->resize(1200, 800);
        ws_->show();
        ws_->showDefault();  // the recogniser on the demo line
        QVERIFY(waitResult());
    }
    void cleanupTestCase() { delete ws_; }

    void recogniserReadsTheDemoLine()
    {
        QVERIFY2(ws_->textLabel()->text().contains("Attention reads this line"), qPrintable(ws_->textLabel()->text()));
        const TraceTensor* a = ws_->currentTrace()->find(schema::vision::kAttention);
        QVERIFY(a);
        QCOMPARE(a->shape[0], int64_t(2));
        QCOMPARE(a->shape[1], int64_t(8));
        QCOMPARE(ws_->mode(), QStringLiteral("patch"));
        QVERIFY(ws_->overlayView()->hasMap());
        QCOMPARE(ws_->headGrid()->layers(), 2);
        QCOMPARE(ws_->headGrid()->heads(), 8);
    }
    void altClickAblatesAHeadOfTheRecogniser()
    {
        // Alt+click a head in the Heads tab: the line is read again with that head zeroed, the
        // grid crosses it out, the text line compares with the unablated reading (the words that
        // changed, Δ CTC confidence); the set is saved with the workspace; Alt+click restores it.
        HeadGridView* grid = ws_->headGrid();
        grid->resize(720, 400);
        QTest::mouseClick(grid, Qt::LeftButton, Qt::AltModifier, grid->cellRect(0, 2).center());
        QVERIFY(waitResult());
        QCOMPARE(ws_->currentTrace()->meta(schema::kAblationMeta), std::string("attention L1 H3 (zero)"));
        QVERIFY(grid->ablated().count({0, 2}) == 1);
        const QString line = ws_->textLabel()->text();
        QVERIFY2(line.contains("Reads") && line.contains("(ablated)") && line.contains("CTC confidence") && line.contains("unablated"),
                 qPrintable(line));
        const TraceTensor* a = ws_->currentTrace()->find(schema::vision::kAttention);
        const size_t per = size_t(a->shape[2] * a->shape[3]);
        for (size_t i = 2 * per; i < 3 * per; ++i) QCOMPARE(a->values[i], 0.0f);  // layer 1, head 3
        const WorkspaceSection saved = ws_->saveState();
        QCOMPARE(saved.state["ablation"].toObject()["heads"].toArray().first().toString(), QString("attention:1:3"));
        QTest::mouseClick(grid, Qt::LeftButton, Qt::AltModifier, grid->cellRect(0, 2).center());
        QVERIFY(waitResult());
        QVERIFY(ws_->currentTrace()->meta(schema::kAblationMeta).empty() && grid->ablated().empty());
        QVERIFY(!ws_->textLabel()->text().contains("(ablated)"));
    }
    void clickingAStripShowsItsAttention()
    {
        const auto trace = ws_->currentTrace();
        const int strips = int(trace->find(schema::vision::kAttention)->shape[3]);
        emit ws_->overlayView()->imageClicked(0.5, 0.5);
        QCOMPARE(ws_->selectedPatch(), strips / 2);
        QCOMPARE(ws_->matrixView()->pinnedRow(), strips / 2);
        QCOMPARE(ws_->matrixView()->plot()->yAxis->label(), QStringLiteral("queries (patches)"));
        // The matrix's colours follow its weights (a fixed 0 … 1 left them dark), and its data is
        // labelled by the trace's strip names (issue 28, item 11).
        QVERIFY2(ws_->matrixView()->colorScaleText().startsWith("linear"), qPrintable(ws_->matrixView()->colorScaleText()));
        const DataTable matrix = ws_->matrixView()->dataTable();
        QCOMPARE(matrix.corner, QStringLiteral("queries (patches) \\ keys (patches)"));
        QCOMPARE(matrix.columnLabels.first(), QStringLiteral("s0"));
        QCOMPARE(matrix.rowLabels.size(), strips);
        const ViewData data = ws_->currentData();  // the map over the picture: one row of strips
        QCOMPARE(data.table.columnLabels.first(), QStringLiteral("s0"));
        QCOMPARE(data.table.rowLabels, QStringList{"strips"});
        // The overlay shows exactly that row of the last layer's head mean.
        VisionView v;
        v.mode = "patch";
        v.query = strips / 2;
        std::vector<float> values;
        int rows = 0, cols = 0;
        QString title;
        QVERIFY(visionMap(*trace, v, values, rows, cols, title, nullptr));
        QCOMPARE(rows, 1);
        QCOMPARE(cols, strips);
        SpatialOverlayView ref;
        ref.setImage(visionPicture(*trace));
        ref.setMap(values, rows, cols);
        QCOMPARE(ws_->overlayView()->overlay(), ref.overlay());
        QVERIFY(title.startsWith(QStringLiteral("s%1's attention").arg(strips / 2)));
        // The overlay's own click: the picture is fitted at the top (8 px left margin, 80 px for
        // the colour bar): 200×20 in 600×200 → 520×52 at (8, 4); its middle is (268, 30).
        SpatialOverlayView view;
        view.setImage(QImage(200, 20, QImage::Format_RGB888));
        view.resize(600, 200);
        view.show();
        QSignalSpy clicked(&view, &SpatialOverlayView::imageClicked);
        QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(268, 30));
        QCOMPARE(clicked.count(), 1);
        QVERIFY(std::abs(clicked[0][0].toDouble() - 0.5) < 0.01);
        QVERIFY(std::abs(clicked[0][1].toDouble() - 0.5) < 0.03);
        QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(268, 150));  // below the picture: nothing
        QCOMPARE(clicked.count(), 1);
        // The Lens selector (issue 27): the norm lens where the graph shows V and W^O, else greyed
        // out with the node that broke the pattern in its tooltip.
        auto* lens = ws_->findChild<QComboBox*>("visionLens");
        QVERIFY(lens);
        const bool norm = trace->find("attention.norm") != nullptr;
        QCOMPARE(qobject_cast<QStandardItemModel*>(lens->model())->item(1)->isEnabled(), norm);
        if (norm) {
            lens->setCurrentIndex(1);
            QVERIFY(ws_->overlayView()->overlay() != ref.overlay());  // the same strip, read through the lens
            lens->setCurrentIndex(0);
        } else {
            QVERIFY(!lens->itemData(1, Qt::ToolTipRole).toString().isEmpty());
        }
        // Received attention: another map.
        ws_->setMode("received");
        QCOMPARE(ws_->mode(), QStringLiteral("received"));
        QVERIFY(ws_->overlayView()->overlay() != ref.overlay());
    }
    void modesOnAViTTrace()
    {
        const AttentionTrace t = vitTrace();
        const auto modes = visionModes(t);
        QStringList ids;
        for (const auto& m : modes) ids << m.first;
        QCOMPARE(ids, (QStringList{"patch", "received", "cls", "rollout"}));
        std::vector<float> values;
        int rows = 0, cols = 0;
        QString title;
        VisionView v;
        v.mode = "cls";
        QVERIFY(visionMap(t, v, values, rows, cols, title, nullptr));
        // Last layer (l = 1): CLS (q = 0) puts 0.6 on key (0 + 2) % 5 = 2 → patch r0c1.
        QCOMPARE(rows, 2);
        QCOMPARE(cols, 2);
        QCOMPARE(values, (std::vector<float>{0.1f, 0.6f, 0.1f, 0.1f}));
        v.mode = "rollout";
        QVERIFY(visionMap(t, v, values, rows, cols, title, nullptr));
        const TraceTensor* a = t.find(schema::vision::kAttention);
        const auto r = rollout({a->values.data(), a->values.data() + 25}, 5);
        QCOMPARE(values, (std::vector<float>{r[1], r[2], r[3], r[4]}));
        v.mode = "received";
        v.layer = 0;
        QVERIFY(visionMap(t, v, values, rows, cols, title, nullptr));
        for (float x : values) QVERIFY(std::abs(x - 0.2f) < 1e-6);  // a permutation: every key receives 0.6 once
        // Clicks: patches after CLS, row by row.
        QCOMPARE(patchAt(t, 0.1, 0.1), 1);
        QCOMPARE(patchAt(t, 0.9, 0.9), 4);
        QCOMPARE(patchAt(t, 1.2, 0.5), -1);
        v.mode = "patch";
        v.query = 9;
        QString error;
        QVERIFY(!visionMap(t, v, values, rows, cols, title, &error));
        QVERIFY(error.contains("query 9"));
    }
    void chosenAttentionIsKeptPerModel()
    {
        AttentionChoiceDialog d("ppocr-rec");
        QCOMPARE(d.list()->count(), 2);
        QCOMPARE(d.list()->item(0)->data(Qt::UserRole).toString(), QStringLiteral("p2o.Softmax.0"));
        d.list()->item(0)->setCheckState(Qt::Unchecked);
        d.save();
        QCOMPARE(chosenAttention("ppocr-rec"), QStringList{"p2o.Softmax.1"});
        QCOMPARE(chosenAttention("ppocr-det"), QStringList());
        ws_->setModel("ppocr-rec");
        QVERIFY(waitResult());
        const TraceTensor* a = ws_->currentTrace()->find(schema::vision::kAttention);
        QCOMPARE(a->shape[0], int64_t(1));
        QCOMPARE(a->labels[0][0], std::string("p2o.Softmax.1"));
        setChosenAttention("ppocr-rec", {});
    }
    void detectorShowsTheTextMapAndGates()
    {
        QImage page(480, 320, QImage::Format_RGB32);
        page.fill(Qt::white);
        QPainter p(&page);
        QFont f("DejaVu Sans");
        f.setPixelSize(36);
        p.setFont(f);
        p.setPen(Qt::black);
        p.drawText(30, 120, "Gates and maps");
        p.end();
        const QString path = dir_.filePath("page.png");
        QVERIFY(page.save(path));
        QVERIFY(ws_->setModel("ppocr-det"));
        ws_->openFile(path);
        QVERIFY(waitResult());
        QCOMPARE(ws_->mode(), QStringLiteral("map:text probability"));
        QVERIFY(ws_->overlayView()->hasMap());
        QVERIFY(!ws_->textLabel()->isVisible());
        QCOMPARE(ws_->channelBars()->barCount(), 192);  // gate 1 of 10
        // Export: the figure renders, and the data are the map.
        const auto fig = ws_->currentFigure();
        QVERIFY(fig);
        QString error;
        QVERIFY(!renderFigure(fig, 96, &error).isNull());
        const ViewData data = ws_->currentData();
        QCOMPARE(data.table.values.size(), size_t(320 * 480));
    }
    void stateRoundTrips()
    {
        QVERIFY(ws_->setModel("ppocr-rec"));
        QVERIFY(waitResult());
        ws_->selectPatch(3);
        ws_->setHead(2);
        const WorkspaceSection s = ws_->saveState();
        VisionWorkspace other;
        QVERIFY(other.restoreState(s, nullptr));
        QVERIFY(waitResult(&other));
        QCOMPARE(other.model(), QStringLiteral("ppocr-rec"));
        QCOMPARE(other.selectedPatch(), 3);
        QCOMPARE(other.saveState().state["head"].toInt(), 3);
        QCOMPARE(other.currentTrace()->meta(schema::kInputMeta), ws_->currentTrace()->meta(schema::kInputMeta));
    }
    void modelManagerTakesOnnx()
    {
        const QString copy = dir_.filePath("rec.onnx");
        QVERIFY(QFile::copy(QString::fromStdString(ppocrModelDir()) + "/ch_PP-OCRv4_rec_infer.onnx", copy));
        QVERIFY(QFile::copy(QString::fromStdString(ppocrModelDir()) + "/ch_PP-OCRv4_rec_infer.json", dir_.filePath("rec.json")));
        QVERIFY(QFile::copy(QString::fromStdString(ppocrModelDir()) + "/ppocr_keys_v1.txt", dir_.filePath("ppocr_keys_v1.txt")));
        ModelManagerDialog d;
        QString error;
        QVERIFY2(d.addModel(copy, &error), qPrintable(error));
        int row = -1;
        for (int r = 0; r < d.table()->rowCount(); ++r)
            if (d.table()->item(r, 0)->data(Qt::UserRole).toString() == copy) row = r;
        QVERIFY(row >= 0);
        QCOMPARE(d.table()->item(row, 1)->text(), QStringLiteral("your ONNX model"));
        d.table()->setCurrentCell(row, 0);
        QVERIFY(d.attentionButton()->isEnabled());
        // A bad ONNX file is refused with the reason.
        QFile junk(dir_.filePath("junk.onnx"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a model");
        junk.close();
        QVERIFY(!d.addModel(junk.fileName(), &error));
        QVERIFY2(error.contains("not an ONNX model"), qPrintable(error));
        // The workspace lists the added model.
        ws_->reloadModels();
        QVERIFY(ws_->modelBox()->findData(copy) >= 0);
    }
    void aClassifiersPredictionAndItsAblation()
    {
        // An ONNX classifier (onnxclassifier.h): the line says what it predicts; Alt+click its
        // one head and the line compares the prediction and p(class) with the unablated run.
        const QString model = onnxclassifier::writeClassifier(dir_.path());
        const QString picture = dir_.filePath("coat.png");
        QVERIFY(onnxclassifier::writePicture(picture, 1));
        ModelManagerDialog d;  // added as a user does, then picked in the workspace
        QString error;
        QVERIFY2(d.addModel(model, &error), qPrintable(error));
        ws_->reloadModels();
        QVERIFY(ws_->setModel(model));
        QVERIFY(ws_->openFile(picture));
        for (int i = 0; i < 5 && ws_->currentTrace()->meta(schema::vision::kPredictionMeta).empty(); ++i) QVERIFY(waitResult());
        QVERIFY2(ws_->textLabel()->text().contains("Predicts"), qPrintable(ws_->textLabel()->text()));
        HeadGridView* grid = ws_->headGrid();
        QTest::mouseClick(grid, Qt::LeftButton, Qt::AltModifier, grid->cellRect(0, 0).center());
        QVERIFY(waitResult());
        const QString line = ws_->textLabel()->text();
        QVERIFY2(line.contains("Predicts") && line.contains("(ablated)") && line.contains("p(") && line.contains("unablated"),
                 qPrintable(line));
        for (float p : ws_->currentTrace()->find(schema::vision::kClassProbability)->values) QVERIFY(std::abs(p - 1.0f / 3) < 1e-5f);
    }
};

QTEST_MAIN(TestVisionWorkspace)
#include "test_visionworkspace.moc"
