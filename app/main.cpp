// attnscope: the GUI by default, CLI subcommands otherwise (see `attnscope help`).
//   attnscope                 GUI on the built-in demo
//   attnscope TRACE.attn      GUI opening a saved trace
//   attnscope COMMAND ...     CLI (models, run, render, eval, align, train, help; VERB --help)
//   attnscope --version       the version
#include "cli.h"
#include "attnscope/pipelines.h"
#include "guimain.h"
#include "workspaces/registry.h"

#include <QFileInfo>

#include <iostream>

int main(int argc, char** argv)
{
    attnscope::ui::registerBuiltinKinds();  // the kind catalogue: the GUI's tabs and the CLI's verbs
    if (argc > 1) {
        const QString first = QString::fromLocal8Bit(argv[1]);
        if (first == "--version" || first == "-v") {
            std::cout << "attnscope " << ATTNSCOPE_VERSION << std::endl;  // never a display, never the GUI
            return 0;
        }
        if (attnscope::cli::isCommand(first)) return attnscope::cli::run(argc, argv);
        if (first.startsWith('-')) {  // no flag starts the GUI
            std::cerr << "attnscope: unknown option '" << argv[1] << "'\nRun `attnscope help` for usage." << std::endl;
            return 2;
        }
        if (!QFileInfo(first).isFile() && !(QFileInfo(first).isDir() && attnscope::isUserModelFile(first.toStdString()))) {
            std::cerr << "attnscope: unknown command or missing file '" << argv[1]
                      << "'\nRun `attnscope help` for usage." << std::endl;
            return 2;
        }
    }
    return attnscope::ui::runGui(argc, argv);
}
