#include "guimain.h"

#include "mainwindow.h"
#include "workspaces/textworkspace.h"

#include <QApplication>
#include <QTimer>

namespace attnscope::ui {

int runGui(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName("AttnScope");
    QApplication::setOrganizationName("AttnScope");
    QApplication::setApplicationVersion("0.1.0");
    MainWindow w;
    // `attnscope TRACE.attn` opens a saved trace instead of the demo.
    const QStringList args = QApplication::arguments();
    if (args.size() > 1) QTimer::singleShot(0, &w, [&w, p = args[1]] { w.openTrace(p); });
    w.show();
    return QApplication::exec();
}

} // namespace attnscope::ui
