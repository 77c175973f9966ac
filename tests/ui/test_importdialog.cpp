// Import dialog: shape shown, axes defaulted by rank, a wrong mapping disables OK with a
// message, tokens from a text file label the axes.
#include "dialogs/importdumpdialog.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>

using namespace attnscope::ui;

class TestImportDialog : public QObject {
    Q_OBJECT
private slots:
    void mapAxesAndTokens()
    {
        QTemporaryDir dir;
        QFile f(dir.filePath("d.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"attention": [[[0.5, 0.5, 0], [0, 1, 0], [0.2, 0.2, 0.6]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]]]})");
        f.close();
        ImportDumpDialog d;
        QString error;
        QVERIFY(!d.load(dir.filePath("missing.json"), &error));
        QVERIFY(error.contains("not found"));
        QVERIFY(d.load(f.fileName(), &error));
        QCOMPARE(d.axes(), QStringList({"head", "query", "key"}));
        QVERIFY(d.trace());
        QCOMPARE(d.trace()->tensors[0].shape, (std::vector<int64_t>{1, 2, 3, 3}));
        auto* ok = d.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        QVERIFY(ok->isEnabled());
        d.setAxes({"head", "query", "head"});  // twice the same axis, no key
        QVERIFY(!d.trace());
        QVERIFY(!ok->isEnabled());
        QVERIFY(d.message().contains("twice"));
        d.setAxes({"layer", "query", "key"});
        QCOMPARE(d.trace()->tensors[0].shape, (std::vector<int64_t>{2, 1, 3, 3}));
        QFile tokens(dir.filePath("t.txt"));
        QVERIFY(tokens.open(QIODevice::WriteOnly));
        tokens.write("Dios\nes\namor\n");
        tokens.close();
        QVERIFY(d.setTokensFile(tokens.fileName()));
        QCOMPARE(d.trace()->tensors[0].labels[3], (std::vector<std::string>{"Dios", "es", "amor"}));
    }
};

QTEST_MAIN(TestImportDialog)
#include "test_importdialog.moc"
