// The spatial-transformer view and workspace offscreen: dragging a corner of the frame
// changes θ and the warped output; the workspace shows the network's θ for a test image, takes
// a hand-made θ in manual mode, switches the sampler, and answers bad files in its banner.
#include "views/messagebanner.h"
#include "views/stnview.h"
#include "workspaces/stn/stnworkspace.h"

#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

using namespace attnscope;
using namespace attnscope::ui;

class TestStnWorkspace : public QObject {
    Q_OBJECT
    StnWorkspace* ws_ = nullptr;

    bool waitResult()
    {
        QSignalSpy spy(ws_, &StnWorkspace::resultShown);
        return spy.wait(30000);
    }

private slots:
    void initTestCase()
    {
        ws_ = new StnWorkspace();
        ws_->resize(1200, 700);
        ws_->show();
    }
    void cleanupTestCase()
    {
        delete ws_;
    }

    void draggingACornerChangesThetaAndTheOutput()
    {
        StnView view;
        view.resize(800, 400);
        view.show();
        GreyImage img{28, 28, std::vector<float>(784, 0.0f)};
        for (int y = 6; y < 22; ++y)
            for (int x = 10; x < 18; ++x) img.pixels[size_t(y * 28 + x)] = 1.0f;
        view.setInput(img);
        view.setEditable(true);
        QCOMPARE(view.theta(), kIdentityTheta);
        const auto before = view.warped().pixels;
        QSignalSpy edited(&view, &StnView::thetaEdited);
        const QPoint corner = view.cornerPos(2).toPoint();  // bottom right
        QTest::mousePress(&view, Qt::LeftButton, {}, corner);
        QTest::mouseMove(&view, corner - QPoint(60, 40));
        QTest::mouseRelease(&view, Qt::LeftButton, {}, corner - QPoint(60, 40));
        QVERIFY(edited.count() >= 1);
        QVERIFY(view.theta() != kIdentityTheta);
        QVERIFY(view.warped().pixels != before);
        // The dragged corner is where the mouse let go; the opposite corner did not move.
        QVERIFY((view.cornerPos(2) - QPointF(corner - QPoint(60, 40))).manhattanLength() < 2.0);
        // Dragging the centre translates only.
        const Theta t0 = view.theta();
        const QPoint c = view.centrePos().toPoint();
        QTest::mousePress(&view, Qt::LeftButton, {}, c);
        QTest::mouseMove(&view, c + QPoint(20, 0));
        QTest::mouseRelease(&view, Qt::LeftButton, {}, c + QPoint(20, 0));
        QCOMPARE(view.theta()[0], t0[0]);
        QVERIFY(view.theta()[2] > t0[2]);
        // Not editable: dragging does nothing.
        view.setEditable(false);
        const Theta t1 = view.theta();
        QTest::mousePress(&view, Qt::LeftButton, {}, view.cornerPos(0).toPoint());
        QTest::mouseMove(&view, view.cornerPos(0).toPoint() + QPoint(30, 30));
        QTest::mouseRelease(&view, Qt::LeftButton, {}, view.cornerPos(0).toPoint() + QPoint(30, 30));
        QCOMPARE(view.theta(), t1);
    }

    void networkThetaThenManual()
    {
        QVERIFY(ws_->setModel("fmnist-stn-rts"));
        ws_->showTestImage(3);
        QVERIFY(waitResult());
        QVERIFY(ws_->currentTrace()->find("theta"));
        QCOMPARE(ws_->currentTrace()->meta("theta_source"), std::string("network"));
        QCOMPARE(ws_->view()->theta(), ws_->networkTheta());
        QVERIFY(ws_->thetaLabel()->text().contains("θ"));
        // Manual mode: drag the frame's centre; the workspace asks for the prediction with that θ.
        ws_->setManual(true);
        QVERIFY(ws_->view()->editable());
        const QPoint c = ws_->view()->centrePos().toPoint();
        QTest::mousePress(ws_->view(), Qt::LeftButton, {}, c);
        QTest::mouseMove(ws_->view(), c + QPoint(25, 10));
        QTest::mouseRelease(ws_->view(), Qt::LeftButton, {}, c + QPoint(25, 10));
        QVERIFY(waitResult());
        QCOMPARE(ws_->currentTrace()->meta("theta_source"), std::string("manual"));
        QVERIFY(ws_->view()->theta() != ws_->networkTheta());
        ws_->resetTheta();
        QCOMPARE(ws_->view()->theta(), ws_->networkTheta());
        ws_->setManual(false);
        // The animation runs from the identity to the network's θ.
        ws_->animate();
        QTest::qWait(100);
        QVERIFY(ws_->view()->theta() != ws_->networkTheta());
        QTRY_VERIFY_WITH_TIMEOUT(std::abs(ws_->view()->theta()[0] - ws_->networkTheta()[0]) < 1e-9 &&
                                     std::abs(ws_->view()->theta()[5] - ws_->networkTheta()[5]) < 1e-9,
                                 5000);
        // Nearest sampling changes what the classifier sees.
        const auto bilinear = ws_->view()->warped().pixels;
        ws_->setBilinear(false);
        QVERIFY(ws_->view()->warped().pixels != bilinear);
        ws_->setBilinear(true);
        QVERIFY(waitResult());
        // A user distortion replaces the scene.
        ws_->setDistortion(60, 0.8, 4, -3);
        QVERIFY(waitResult());
        QVERIFY(ws_->currentTrace() && ws_->identityTrace());
    }

    void badFileInTheBanner()
    {
        QTemporaryDir dir;
        const QString bad = dir.filePath("bad.png");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a png");
        f.close();
        const auto kept = ws_->currentTrace();
        QSignalSpy errors(ws_, &StnWorkspace::errorShown);
        ws_->openFile(bad);
        QVERIFY(errors.wait(10000));
        QVERIFY(ws_->banner()->text().contains("not an image"));
        QCOMPARE(ws_->currentTrace(), kept);
    }
};

QTEST_MAIN(TestStnWorkspace)
#include "test_stnworkspace.moc"
