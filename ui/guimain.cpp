#include "guimain.h"

#include "attnscope/resources.h"
#include "mainwindow.h"
#include "settings.h"

#include <QApplication>
#include <QTimer>

namespace attnscope::ui {

int runGui(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName("AttnScope");
    QApplication::setOrganizationName("AttnScope");
    QApplication::setApplicationVersion("0.1.0");
    initEngineThreads(settings::get(settings::EngineThreads));  // before any engine work
    MainWindow w;
    // `attnscope FILE` opens a saved trace (or imports a dump) instead of the demo.
    const QStringList args = QApplication::arguments();
    if (args.size() > 1) QTimer::singleShot(0, &w, [&w, p = args[1]] { w.openFile(p); });
    w.show();
    return QApplication::exec();
}

} // namespace attnscope::ui
