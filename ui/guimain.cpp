#include "guimain.h"

#include "attnscope/resources.h"
#include "mainwindow.h"
#include "settings.h"
#include "workspace.h"

#include <QApplication>
#include <QFile>
#include <QLoggingCategory>
#include <QTimer>

#include <ctime>
#include <unistd.h>

namespace attnscope::ui {

namespace {
// Start-up milestones for bench/startup.sh, off unless asked for:
//   QT_LOGGING_RULES="attnscope.startup.info=true" attnscope
Q_LOGGING_CATEGORY(lcStartup, "attnscope.startup", QtWarningMsg)

/// Milliseconds since this process started (its exec: the `attnscope` launcher execs the engine
/// in the same process), from /proc/self/stat's start time in clock ticks since boot (10 ms
/// resolution); −1 where that cannot be read.
double msSinceLaunch()
{
    QFile f(QStringLiteral("/proc/self/stat"));
    if (!f.open(QIODevice::ReadOnly)) return -1;
    const QByteArray stat = f.readAll();
    const int paren = stat.lastIndexOf(')');  // the command name may hold spaces
    if (paren < 0) return -1;
    const QList<QByteArray> fields = stat.mid(paren + 2).split(' ');
    if (fields.size() < 20) return -1;
    const double startTicks = fields[19].toDouble();  // field 22 of the whole line
    timespec now{};
    clock_gettime(CLOCK_BOOTTIME, &now);
    return (double(now.tv_sec) + double(now.tv_nsec) * 1e-9) * 1000.0 - startTicks * 1000.0 / double(sysconf(_SC_CLK_TCK));
}

/// Logs the first expose of the window and the first trace any workspace shows.
class StartupProbe final : public QObject {
public:
    explicit StartupProbe(MainWindow& w) : QObject(&w)
    {
        w.installEventFilter(this);
        for (Workspace* ws : w.allWorkspaces())
            connect(ws, &Workspace::traceShown, this, [this, ws] {
                if (shown_) return;
                shown_ = true;
                // After the event loop has painted what the trace changed.
                QTimer::singleShot(0, this, [ws] {
                    qCInfo(lcStartup, "first trace drawn (%s) %.0f ms after launch", qPrintable(ws->id()), msSinceLaunch());
                });
            });
    }
    bool eventFilter(QObject* o, QEvent* e) override
    {
        if (!exposed_ && e->type() == QEvent::Paint) {
            exposed_ = true;
            qCInfo(lcStartup, "window painted %.0f ms after launch", msSinceLaunch());
        }
        return QObject::eventFilter(o, e);
    }

private:
    bool exposed_ = false, shown_ = false;
};
} // namespace

int runGui(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName("AttnScope");
    QApplication::setOrganizationName("AttnScope");
    QApplication::setApplicationVersion("0.1.0");
    qCInfo(lcStartup, "QApplication %.0f ms after launch", msSinceLaunch());
    initEngineThreads(settings::get(settings::EngineThreads));  // before any engine work
    MainWindow w;
    if (lcStartup().isInfoEnabled()) new StartupProbe(w);  // owned by the window
    // `attnscope FILE` opens a saved trace (or imports a dump) instead of the demo.
    const QStringList args = QApplication::arguments();
    if (args.size() > 1) QTimer::singleShot(0, &w, [&w, p = args[1]] { w.openFile(p); });
    w.show();
    return QApplication::exec();
}

} // namespace attnscope::ui
