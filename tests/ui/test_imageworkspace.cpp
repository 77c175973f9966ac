// The image workspace offscreen: a test image and an image file through the SE, ECA and
// CBAM models; one bar per channel of the selected block; hover shows that channel's map;
// a second image compared; CBAM's spatial overlay and its opacity; class profiles in the
// background; bad files answered in the banner with the previous result kept.
#include "mainwindow.h"
#include "views/channelbarview.h"
#include "views/classprofileview.h"
#include "views/mapstripview.h"
#include "views/messagebanner.h"
#include "views/probabilityview.h"
#include "views/spatialoverlayview.h"
#include "jobs/jobtracker.h"
#include "workspaces/image/imagecomparepanel.h"
#include "workspaces/image/imageworkspace.h"
#include "workspaces/image/imagetrace.h"
#include "attnscope/visionmodel.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QSlider>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTreeWidget>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

using namespace attnscope;
using namespace attnscope::ui;

class TestImageWorkspace : public QObject {
    Q_OBJECT
    ImageWorkspace* ws_ = nullptr;
    QTemporaryDir dir_, settingsDir_;

    bool waitShown(int slot)
    {
        QSignalSpy spy(ws_, &ImageWorkspace::imageShown);
        for (int i = 0; i < 100; ++i) {
            if (spy.wait(200))
                for (const auto& args : spy)
                    if (args.at(0).toInt() == slot) return true;
        }
        return false;
    }

private slots:
    void initTestCase()
    {
        // Settings and autosaves of this run live in temporary folders.
        QCoreApplication::setOrganizationName("AttnScopeImageTest");
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
        QStandardPaths::setTestModeEnabled(true);
        ws_ = new ImageWorkspace();
        ws_->resize(1200, 800);
        ws_->show();
    }
    void cleanupTestCase()
    {
        delete ws_;
    }

    void oneBarPerChannelOfTheSelectedBlock()
    {
        QVERIFY(ws_->setModel("fmnist-se"));
        ws_->showTestImage(0);
        QVERIFY(waitShown(0));
        QCOMPARE(QString::fromStdString(ws_->currentTrace()->meta("prediction")), QString("Ankle boot"));
        QCOMPARE(ws_->channelBars()->barCount(), 32);
        ws_->setBlock(2);
        QCOMPARE(ws_->channelBars()->barCount(), 128);
        ws_->setBlock(1);
        QCOMPARE(ws_->channelBars()->barCount(), 64);
        // The probabilities view puts the predicted class first.
        QCOMPARE(ws_->probabilities()->shown().front(), 9);
        // The input view shows the exact 28×28 tensor.
        QCOMPARE(ws_->inputView()->tileCount(), 1);
        QCOMPARE(ws_->inputView()->tile(0).rows, 28);
        // Strips: the most excited channel comes first.
        const auto& top = ws_->mostExcited()->tile(0);
        const auto e = ws_->currentTrace()->find("block2.excitation")->values;
        QCOMPARE(top.id, int(std::max_element(e.begin(), e.end()) - e.begin()));
    }

    void hoverShowsThatChannelsFeatureMap()
    {
        ChannelBarView* bars = ws_->channelBars();
        bars->setSortByValue(true);
        const int channel = bars->order()[5];
        QTest::mouseMove(bars, bars->barCenter(channel));
        QCOMPARE(ws_->featureMap()->tileCount(), 1);
        QCOMPARE(ws_->featureMap()->tile(0).id, channel);
        QCOMPARE(ws_->featureMap()->tile(0).rows, 14);  // block 2 works at 14×14
        // Sorting orders the bars by excitation, largest first.
        QVERIFY(bars->valueOf(bars->order()[0]) >= bars->valueOf(bars->order()[1]));
        QTest::mouseClick(bars, Qt::LeftButton, {}, bars->barCenter(bars->order()[0]));
        QCOMPARE(ws_->featureMap()->tile(0).id, bars->order()[0]);
        bars->setSortByValue(false);
    }

    void compareTwoImages()
    {
        ws_->showTestImageB(2);  // a trouser
        QVERIFY(waitShown(1));
        ImageComparePanel* c = ws_->comparePanel();
        QCOMPARE(c->pairBars()->barCount(), 64);
        QCOMPARE(c->pairBars()->mode(), ChannelBarView::Mode::Pair);
        QCOMPARE(c->differenceBars()->mode(), ChannelBarView::Mode::Difference);
        const auto a = ws_->currentTrace()->find("block2.excitation")->values;
        const auto& b = c->pairBars()->valuesB();
        QCOMPARE(int(b.size()), 64);
        QVERIFY(b != a);  // a trouser and an ankle boot excite the channels differently
        QCOMPARE(c->differenceBars()->valueOf(3), a[3] - b[3]);
        QVERIFY(c->summary()->text().contains("cosine similarity"));
        QVERIFY(c->summary()->text().contains("Trouser"));
    }

    void spatialOverlayForCbamOnly()
    {
        ws_->setBlock(0);
        QVERIFY(!ws_->spatialView()->hasMap());  // SE: no spatial attention
        QVERIFY(ws_->setModel("fmnist-cbam"));
        QVERIFY(waitShown(0));
        QCOMPARE(QString::fromStdString(ws_->currentTrace()->meta("block")), QString("CBAM"));
        QVERIFY(ws_->spatialView()->hasMap());
        const QImage before = ws_->spatialView()->overlay();
        ws_->setBlock(2);  // 7×7 map of block 3
        QVERIFY(ws_->spatialView()->overlay() != before);
        ws_->opacitySlider()->setValue(25);
        QCOMPARE(ws_->spatialView()->opacity(), 0.25);
    }

    void imageFileAndBadFiles()
    {
        // A user file: test image 1 written as a PNG.
        FashionMnist test;
        QVERIFY(loadFashionMnist(false, test).ok);
        cv::Mat img(28, 28, CV_8U, const_cast<uint8_t*>(test.images.image(1)));
        const QString path = dir_.filePath("pullover.png");
        QVERIFY(cv::imwrite(path.toStdString(), img));
        ws_->openFile(path);
        QVERIFY(waitShown(0));
        QCOMPARE(QString::fromStdString(ws_->currentTrace()->meta("input")), path);
        const auto kept = ws_->currentTrace();
        // A 0-byte file: a message in the banner, the previous result stays on screen.
        const QString empty = dir_.filePath("empty.png");
        QFile f(empty);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        QSignalSpy errors(ws_, &ImageWorkspace::errorShown);
        ws_->openFile(empty);
        QVERIFY(errors.wait(10000));
        QVERIFY(ws_->banner()->text().contains("0 bytes"));
        QCOMPARE(ws_->currentTrace(), kept);
    }

    void classProfilesInTheBackground()
    {
        ws_->setModel("fmnist-eca");
        QVERIFY(waitShown(0));
        QSignalSpy done(ws_, &ImageWorkspace::profilesShown);
        ws_->tabs()->setCurrentIndex(1);  // starts the computation over the test set
        QVERIFY(ws_->profileJobs()->running() || done.count() == 1);
        QVERIFY(done.count() == 1 || done.wait(120000));
        QCOMPARE(ws_->profiles()->graphCount(), 11);  // ten classes + the current image
    }
    void paddleOcrDetectorGatesInTheChannelViews()
    {
        // PaddleOCR's ONNX detector (scripts/install-deps caches it): its 10 SE gates are the
        // blocks of the channel views, bars per channel and feature maps, for any photo.
        QVERIFY2(!ppocrModelDir().empty(), "PaddleOCR PP-OCRv4 is not cached: run scripts/install-deps");
        ws_->tabs()->setCurrentIndex(0);
        cv::Mat page(320, 480, CV_8UC3, cv::Scalar(255, 255, 255));
        cv::putText(page, "Gates over a page", cv::Point(20, 120), cv::FONT_HERSHEY_SIMPLEX, 1.2, cv::Scalar(0, 0, 0), 3);
        const QString path = dir_.filePath("page.png");
        QVERIFY(cv::imwrite(path.toStdString(), page));
        QVERIFY(ws_->setModel("ppocr-det"));
        ws_->openFile(path);
        QVERIFY(waitShown(0));
        QCOMPARE(ws_->currentTrace()->meta("block"), std::string("SE"));
        QCOMPARE(blockCount(*ws_->currentTrace()), 10);
        ws_->setBlock(0);
        QCOMPARE(ws_->channelBars()->barCount(), 192);
        QVERIFY(QString::fromStdString(ws_->currentTrace()->meta("prediction")).startsWith("text probability"));
        // A Fashion-MNIST test image goes in as a picture too; class profiles say they do not apply.
        ws_->showTestImage(3);
        QVERIFY(waitShown(0));
        QCOMPARE(blockCount(*ws_->currentTrace()), 10);
        ws_->tabs()->setCurrentIndex(1);
        QVERIFY(!ws_->profileJobs()->running());
        ws_->tabs()->setCurrentIndex(0);
        QVERIFY(ws_->setModel("fmnist-se"));
        QVERIFY(waitShown(0));
    }
    void mainWindowOpensDroppedImages()
    {
        // An image file given to the main window (drop, command line, Open recent) goes to the
        // image workspace, which comes to the front.
        MainWindow w(/*loadDemo=*/false);
        w.show();
        QCOMPARE(w.workspaces()->currentIndex(), 0);
        const QString path = dir_.filePath("pullover.png");
        QVERIFY(QFile::exists(path));
        QSignalSpy shown(w.workspace<ImageWorkspace>(), &ImageWorkspace::imageShown);
        QVERIFY(w.openFile(path));
        QCOMPARE(w.workspaces()->currentIndex(), 1);
        QVERIFY(shown.count() > 0 || shown.wait(20000));
        QTRY_VERIFY_WITH_TIMEOUT(w.workspace<ImageWorkspace>()->currentTrace() &&
                                     QString::fromStdString(w.workspace<ImageWorkspace>()->currentTrace()->meta("input")) == path,
                                 20000);
        QVERIFY(w.tracePanel()->topLevelItemCount() > 0);  // the Trace panel follows the front workspace
    }
};

QTEST_MAIN(TestImageWorkspace)
#include "test_imageworkspace.moc"
