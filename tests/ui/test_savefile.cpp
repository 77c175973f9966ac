// Saving files when the disk fills up: every writer (figures as PNG/SVG/PDF, data tables,
// traces as .attn and .json, .npy, workspace files, the bare AtomicFile) either writes the whole
// file or fails with the operating system's reason, keeps the previous file and leaves no
// temporary behind. The full disk is a per-process file-size limit (RLIMIT_FSIZE): writes past
// it fail with EFBIG ("File too large") exactly as ENOSPC fails them on a full file system.
#include "attnscope/dumps.h"
#include "attnscope/savefile.h"
#include "attnscope/trace.h"
#include "views/datawriter.h"
#include "views/figurewriter.h"
#include "mainwindow.h"
#include "views/messagebanner.h"
#include "workspace.h"
#include "workspacefile.h"

#include <QDir>
#include <QFile>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/resource.h>

using namespace attnscope;

namespace {

/// While alive, files this process writes cannot grow past `bytes`.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        std::signal(SIGXFSZ, SIG_IGN);  // the write fails with EFBIG instead of killing us
        getrlimit(RLIMIT_FSIZE, &saved_);
        rlimit r = saved_;
        r.rlim_cur = bytes;
        setrlimit(RLIMIT_FSIZE, &r);
    }
    ~FileSizeLimit() { setrlimit(RLIMIT_FSIZE, &saved_); }

private:
    rlimit saved_{};
};

const QString kFull = QString::fromLocal8Bit(std::strerror(EFBIG));  // "File too large"
const QByteArray kPrevious = "the previous file";

AttentionTrace bigTrace()
{
    AttentionTrace t;
    TraceTensor x;
    x.name = "cross";
    x.axes = {"target", "source"};
    x.shape = {200, 200};
    x.labels = {std::vector<std::string>(200, "t"), std::vector<std::string>(200, "s")};
    x.values.assign(200 * 200, 1.0f / 200);
    t.tensors.push_back(x);
    return t;
}

QByteArray contents(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestSaveFile : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    /// `path` holds the previous contents, and nothing else is in the folder.
    void expectPreviousKept(const QString& path)
    {
        QCOMPARE(contents(path), kPrevious);
        QCOMPARE(QDir(dir_.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QFileInfo(path).fileName()});
    }
    QString previous(const QString& name)
    {
        for (const auto& f : QDir(dir_.path()).entryList(QDir::Files | QDir::Hidden)) QFile::remove(dir_.filePath(f));
        const QString path = dir_.filePath(name);
        QFile f(path);
        if (f.open(QIODevice::WriteOnly)) f.write(kPrevious);
        return path;
    }

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName("AttnScopeSaveFileTest");
        QStandardPaths::setTestModeEnabled(true);
    }

    void atomicFileReportsTheReasonAndKeepsThePreviousFile()
    {
        const QString path = previous("blob.bin");
        const std::string big(256 * 1024, 'x');
        {
            FileSizeLimit limit(64 * 1024);
            AtomicFile f(path.toStdString());
            QVERIFY(f.open());
            QVERIFY(!f.write(big));  // a short write is retried and then fails
            const Status st = f.commit();
            QVERIFY(!st);
            QVERIFY2(QString::fromStdString(st.message).contains(kFull), st.message.c_str());
            QVERIFY(QString::fromStdString(st.message).startsWith("cannot write " + path));
            QVERIFY(!QString::fromStdString(st.message).contains("Unknown error"));
        }
        expectPreviousKept(path);
        // Without the limit the same bytes land whole.
        QVERIFY(saveFileAtomically(path.toStdString(), big));
        QCOMPARE(contents(path).size(), qsizetype(big.size()));
    }

    void tracesAndNpyFailWithTheReason()
    {
        const AttentionTrace t = bigTrace();
        for (const char* name : {"t.attn", "t.json", "t.npy"}) {
            const QString path = previous(name);
            Status st;
            {
                FileSizeLimit limit(8 * 1024);
                st = QString(name).endsWith(".npy") ? writeNpy(path.toStdString(), {200, 200}, t.tensors[0].values)
                                                    : saveTrace(t, path.toStdString());
            }
            QVERIFY2(!st, name);
            QVERIFY2(QString::fromStdString(st.message).contains(kFull), st.message.c_str());
            expectPreviousKept(path);
        }
    }

    void figuresAndTablesFailWithTheReason()
    {
        QLabel w(QString("A figure with enough in it to be more than a few hundred bytes. ").repeated(20));
        w.setWordWrap(true);
        for (const char* name : {"f.png", "f.svg", "f.pdf"}) {
            const QString path = previous(name);
            QString error;
            bool ok = true;
            {
                FileSizeLimit limit(512);
                ok = ui::writeFigure(w, QSize(600, 400), path, 96, &error);
            }
            QVERIFY2(!ok, name);
            QVERIFY2(error.contains(kFull), qPrintable(error));
            expectPreviousKept(path);
            // And written whole without the limit.
            QVERIFY2(ui::writeFigure(w, QSize(600, 400), path, 96, &error), qPrintable(error));
            QVERIFY(contents(path).size() > 512);
        }
        ui::DataTable table;
        table.corner = "q \\ k";
        for (int i = 0; i < 100; ++i) {
            table.rowLabels << QString("row %1").arg(i);
            table.columnLabels << QString("col %1").arg(i);
        }
        table.values.assign(100 * 100, 0.25f);
        for (const char* name : {"d.csv", "d.npy"}) {
            const QString path = previous(name);
            QString error;
            bool ok = true;
            {
                FileSizeLimit limit(1024);
                ok = ui::writeDataTable(table, path, &error);
            }
            QVERIFY2(!ok, name);
            QVERIFY2(error.contains(kFull), qPrintable(error));
            expectPreviousKept(path);
        }
    }

    void workspaceFileFailsWithTheReason()
    {
        ui::WorkspaceFile file;
        file.colorMap = "viridis";
        file.current = "text";
        file.sections["text"].traces["trace"] = std::make_shared<AttentionTrace>(bigTrace());
        const QString path = previous("w.attnws");
        QString error;
        bool ok = true;
        {
            FileSizeLimit limit(16 * 1024);
            ok = ui::writeWorkspaceFile(path, file, &error);
        }
        QVERIFY(!ok);
        QVERIFY2(error.contains(kFull), qPrintable(error));
        expectPreviousKept(path);
        QVERIFY2(ui::writeWorkspaceFile(path, file, &error), qPrintable(error));
        ui::WorkspaceFile back;
        QVERIFY2(ui::readWorkspaceFile(path, back, &error), qPrintable(error));
        QCOMPARE(*back.sections["text"].traces["trace"], bigTrace());
    }

    void theWindowSaysWhyInTheBannerAndKeepsThePreviousFile()
    {
        QTemporaryDir in;
        const QString input = in.filePath("input.attn");
        QVERIFY(saveTrace(bigTrace(), input.toStdString()));
        ui::MainWindow w(false);
        QVERIFY(w.openFile(input));
        QTRY_VERIFY_WITH_TIMEOUT(w.frontWorkspace()->currentTrace() != nullptr, 30000);
        ui::Workspace* front = w.frontWorkspace();
        for (const char* name : {"view.png", "view.pdf", "data.csv", "trace.attn"}) {
            const QString path = previous(name);
            bool ok = true;
            {
                FileSizeLimit limit(512);
                if (QString(name).startsWith("view")) ok = w.exportViewTo(path, 96);
                else if (QString(name).startsWith("data")) ok = w.exportDataTo(path);
                else {
                    QSignalSpy saved(&w, &ui::MainWindow::traceSaved);
                    w.saveTraceTo(path);
                    QVERIFY(saved.wait(30000));
                    ok = saved.first().at(1).toBool();
                }
            }
            QVERIFY2(!ok, name);
            QVERIFY2(front->banner()->text().contains(kFull), qPrintable(front->banner()->text()));
            expectPreviousKept(path);
            front->banner()->clearMessage();
        }
        // Without the limit the view is written.
        const QString path = previous("view.png");
        QVERIFY(w.exportViewTo(path, 96));
        QVERIFY(contents(path).startsWith("\x89PNG"));
    }
};

QTEST_MAIN(TestSaveFile)
#include "test_savefile.moc"
