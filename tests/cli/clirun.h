#pragma once
// Running the attnscope executable as a user does (the CLI tests): exit code, stdout, stderr.
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <csignal>
#include <sys/resource.h>

struct Run {
    int code = -1;
    QString out, err;
};
/// Runs the CLI; with `fileSizeLimit` > 0 no file it writes can grow past that many bytes
/// (RLIMIT_FSIZE: writes fail with EFBIG as they fail with ENOSPC on a full disk).
inline Run attnscope(const QStringList& args, rlim_t fileSizeLimit = 0)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("DISPLAY");  // the CLI must work without a display
    p.setProcessEnvironment(env);
    if (fileSizeLimit > 0)
        p.setChildProcessModifier([fileSizeLimit] {
            std::signal(SIGXFSZ, SIG_IGN);
            rlimit r{};
            getrlimit(RLIMIT_FSIZE, &r);
            r.rlim_cur = fileSizeLimit;
            setrlimit(RLIMIT_FSIZE, &r);
        });
    p.start(ATTNSCOPE_EXE, args);
    p.waitForFinished(600000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

