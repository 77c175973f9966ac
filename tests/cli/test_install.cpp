// Install and package: `cmake --install` lays out the executable, resources, desktop entry
// and icon, and the installed executable finds its resources; `cpack` makes a .deb that
// declares its package dependencies.
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {
int run(const QString& program, const QStringList& args, QString* out = nullptr, const QString& cwd = {})
{
    QProcess p;
    if (!cwd.isEmpty()) p.setWorkingDirectory(cwd);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    p.waitForFinished(600000);
    if (out) *out = QString::fromUtf8(p.readAll());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}
} // namespace

class TestInstall : public QObject {
    Q_OBJECT
private slots:
    void installLayout()
    {
        QTemporaryDir prefix;
        QString log;
        QCOMPARE(run("cmake", {"--install", ATTNSCOPE_BUILD_DIR, "--prefix", prefix.path()}, &log), 0);
        for (const char* f : {"bin/attnscope", "libexec/attnscope/attnscope-engine", "share/applications/attnscope.desktop",
                              "share/icons/hicolor/scalable/apps/attnscope.svg",
                              "share/attnscope/resources/models/gru-bahdanau.pt",
                              "share/attnscope/resources/stopwords/es.txt"})
            QVERIFY2(QFileInfo::exists(prefix.filePath(f)), f);
        QVERIFY(QDir(prefix.filePath("share/attnscope/resources/models")).entryList({"*.ckpt*"}).isEmpty());
        // The installed executable finds its own resources: remove the installed weights and
        // it must say they are missing (it does not fall back to the source tree's copy).
        auto models = [&] {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.remove("ATTNSCOPE_RESOURCES");
            p.setProcessEnvironment(env);
            p.start(prefix.filePath("bin/attnscope"), {"models"});
            p.waitForFinished(60000);
            return QString::fromUtf8(p.readAllStandardOutput());
        };
        QVERIFY(models().contains("ready"));
        QVERIFY(QFile::remove(prefix.filePath("share/attnscope/resources/models/gru-bahdanau.pt")));
        QVERIFY(models().contains("weights missing"));
    }
    void debDeclaresDependencies()
    {
        QTemporaryDir out;
        QString log;
        QCOMPARE(run("cpack", {"-G", "DEB", "-B", out.path()}, &log, ATTNSCOPE_BUILD_DIR), 0);
        const QStringList debs = QDir(out.path()).entryList({"*.deb"});
        QVERIFY2(debs.size() == 1, qPrintable(log));
        QString depends;
        QCOMPARE(run("dpkg-deb", {"-f", out.filePath(debs[0]), "Depends"}, &depends), 0);
        for (const char* d : {"libqt6widgets6", "libsword", "sword-text-sparv", "sword-text-web", "libopenblas0-openmp",
                              "dataset-fashion-mnist"})
            QVERIFY2(depends.contains(d), qPrintable(QString("%1 missing from Depends: %2").arg(d, depends)));
        QString contents;
        QCOMPARE(run("dpkg-deb", {"-c", out.filePath(debs[0])}, &contents), 0);
        QVERIFY(contents.contains("./usr/bin/attnscope"));
        QVERIFY(contents.contains("./usr/libexec/attnscope/attnscope-engine"));
        QVERIFY(contents.contains("attnscope.desktop"));
    }
};

QTEST_GUILESS_MAIN(TestInstall)
#include "test_install.moc"
