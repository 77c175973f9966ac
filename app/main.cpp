// attnscope: the GUI by default, CLI subcommands otherwise (see `attnscope help`).
#include "cli.h"
#include "guimain.h"

int main(int argc, char** argv)
{
    if (argc > 1 && attnscope::cli::isCommand(QString::fromLocal8Bit(argv[1]))) return attnscope::cli::run(argc, argv);
    return attnscope::ui::runGui(argc, argv);
}
