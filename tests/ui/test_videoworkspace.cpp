// The video workspace offscreen: opening a shipped test clip analyses it in the background;
// moving the slider shows that frame and puts the heatmap's playhead on its column; clicking
// a heatmap cell seeks to its frame; arrow keys step; the temporal attention head ablated from
// the chooser re-analyses with the caption compared to the unablated one; a bad file goes to
// the banner; the figure exports.
#include "attnscope/video.h"
#include "views/captionwordsview.h"
#include "views/messagebanner.h"
#include "views/timelineview.h"
#include "views/wordframeview.h"
#include "workspaces/video/videoworkspace.h"

#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QProgressBar>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

using namespace attnscope;
using namespace attnscope::ui;

class TestVideoWorkspace : public QObject {
    Q_OBJECT
    VideoWorkspace* ws_ = nullptr;
    QTemporaryDir dir_;

    bool waitFrame(int index)
    {
        QSignalSpy spy(ws_, &VideoWorkspace::frameShown);
        for (int i = 0; i < 50; ++i) {
            if (ws_->frameView()->frameIndex() == index) return true;
            spy.wait(200);
        }
        return ws_->frameView()->frameIndex() == index;
    }

private slots:
    void initTestCase()
    {
        ws_ = new VideoWorkspace;
        ws_->resize(1200, 800);
        ws_->show();
        QSignalSpy result(ws_, &VideoWorkspace::resultShown);
        ws_->openVideo(QStringLiteral(ATTNSCOPE_RESOURCE_DIR "/clips/clip-003.avi"));
        QVERIFY(result.wait(60000));
        QVERIFY(waitFrame(0));
    }
    void cleanupTestCase() { delete ws_; }

    void analysisFillsTheViews()
    {
        QCOMPARE(ws_->frameCount(), kClipFrames);
        QCOMPARE(ws_->slider()->maximum(), kClipFrames - 1);
        QVERIFY(ws_->currentTrace());
        QCOMPARE(ws_->heatmap()->columnCount(), kClipSamples);
        QCOMPARE(ws_->wordsView()->count(), int(ws_->currentTrace()->find("attention")->shape[0]));
        QVERIFY(!ws_->progressBar()->isVisible());
    }

    void sliderMovesFrameAndPlayheadTogether()
    {
        for (int f : {9, 20, 31, 0, 14}) {
            ws_->slider()->setValue(f);
            QVERIFY2(waitFrame(f), qPrintable(QStringLiteral("frame %1 not shown").arg(f)));
            QCOMPARE(ws_->frameView()->frameIndex(), ws_->slider()->value());
            QCOMPARE(ws_->heatmap()->playheadColumn(), ws_->heatmap()->columnOfFrame(f));
            QCOMPARE(ws_->timeline()->currentFrame(), f);
            // The playhead column's frame is the sampled frame nearest to f.
            QVERIFY(std::abs(ws_->heatmap()->columnFrame(ws_->heatmap()->playheadColumn()) - f) <= 1);
        }
        // Frames differ on screen (the items move).
        ws_->seek(10);
        QVERIFY(waitFrame(10));
        const QImage a = ws_->frameView()->image();
        ws_->seek(12);
        QVERIFY(waitFrame(12));
        QVERIFY(ws_->frameView()->image() != a);
    }

    void clickingACellSeeksToItsFrame()
    {
        WordFrameView* h = ws_->heatmap();
        const int column = 11, word = 1;
        QTest::mouseClick(h, Qt::LeftButton, {}, h->cellRect(word, column).center());
        QCOMPARE(ws_->slider()->value(), h->columnFrame(column));
        QVERIFY(waitFrame(h->columnFrame(column)));
        QCOMPARE(h->playheadColumn(), column);
        QCOMPARE(h->selectedWord(), word);
        QCOMPARE(ws_->wordsView()->selected(), word);
    }

    void arrowKeysStep()
    {
        ws_->seek(5);
        QVERIFY(waitFrame(5));
        ws_->frameView()->setFocus();
        QTest::keyClick(ws_->frameView(), Qt::Key_Right);
        QCOMPARE(ws_->slider()->value(), 6);
        QTest::keyClick(ws_->frameView(), Qt::Key_Left);
        QTest::keyClick(ws_->frameView(), Qt::Key_Left);
        QCOMPARE(ws_->slider()->value(), 4);
        QVERIFY(waitFrame(4));
    }

    void forcedCaption()
    {
        QSignalSpy result(ws_, &VideoWorkspace::resultShown);
        ws_->forceCaption(QStringLiteral("a bag moves left"));
        QVERIFY(result.wait(60000));
        QCOMPARE(ws_->currentTrace()->meta("mode"), std::string("forced"));
        QCOMPARE(ws_->wordsView()->count(), 4);
        QSignalSpy err(ws_, &VideoWorkspace::errorShown);
        ws_->forceCaption(QStringLiteral("a hat moves left"));
        QVERIFY(err.wait(60000));
        QVERIFY(ws_->banner()->text().contains(QStringLiteral("'hat'")));
        ws_->forceCaption({});
        QVERIFY(result.wait(60000));
    }

    void ablatingTheAttentionHead()
    {
        QSignalSpy result(ws_, &VideoWorkspace::resultShown);
        QVERIFY(!ws_->ablationLabel()->isVisible());
        ws_->ablationChooser()->setCurrentIndex(1);  // zero
        QVERIFY(result.wait(60000));
        QCOMPARE(ws_->currentTrace()->meta("ablation"), std::string("attention L1 H1 (zero)"));
        for (float v : ws_->currentTrace()->find("attention")->values) QCOMPARE(v, 0.0f);
        QVERIFY(ws_->ablationLabel()->isVisible());
        const QString text = ws_->ablationLabel()->text();
        QVERIFY2(text.contains(QStringLiteral("(ablated)")) && text.contains(QStringLiteral("log p")), qPrintable(text));
        const WorkspaceSection saved = ws_->saveState();
        ws_->ablationChooser()->setCurrentIndex(0);
        QVERIFY(result.wait(60000));
        QVERIFY(ws_->currentTrace()->meta("ablation").empty());
        QVERIFY(!ws_->ablationLabel()->isVisible());
        QCOMPARE(saved.state["ablation"].toObject()["heads"].toArray().size(), 1);
    }

    void exportAndBadFile()
    {
        const QString out = dir_.filePath("video.png");
        QString error;
        QVERIFY2(ws_->exportCurrentView(out, 96, &error), qPrintable(error));
        QVERIFY(!QImage(out).isNull());
        const QString bad = dir_.filePath("bad.avi");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(3000, 'z'));
        f.close();
        QSignalSpy err(ws_, &VideoWorkspace::errorShown);
        ws_->openVideo(bad);
        QVERIFY(err.wait(30000));
        QVERIFY(!ws_->banner()->text().isEmpty());
    }
};

QTEST_MAIN(TestVideoWorkspace)
#include "test_videoworkspace.moc"
