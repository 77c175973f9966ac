// attnscope: the command users type. It starts in milliseconds because it does not load
// LibTorch: `render` and `import` of long matrices (the long figure, tiled .attn files) run
// here; everything else — the GUI, models, training — is handed to attnscope-engine (same
// arguments, same process: exec).
//   attnscope                 GUI on the built-in demo          (engine)
//   attnscope COMMAND ...     CLI (see `attnscope help`)        (engine, or here for long matrices)
#include "cli/clicommon.h"

#include <QApplication>
#include <QByteArray>
#include <QStringList>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace {
/// attnscope-engine beside this executable (build tree, or bin/ when installed) or in
/// ../libexec/attnscope/.
std::string enginePath()
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    const fs::path dir = ec ? fs::path(".") : self.parent_path();
    for (const fs::path& p : {dir / "attnscope-engine", dir.parent_path() / "libexec/attnscope/attnscope-engine"})
        if (fs::exists(p, ec)) return p.string();
    return (dir / "attnscope-engine").string();
}

int execEngine(char** argv)
{
    const std::string engine = enginePath();
    execv(engine.c_str(), argv);
    std::cerr << "attnscope: cannot start " << engine << ": " << std::strerror(errno) << std::endl;
    return 1;
}
} // namespace

int main(int argc, char** argv)
{
    const std::string cmd = argc > 1 ? argv[1] : "";
    if (cmd != "render" && cmd != "import") return execEngine(argv);
    // Figures are widgets drawn offscreen: no display needed.
    qputenv("QT_QPA_PLATFORM", "offscreen");
    if (qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {
        const QByteArray dir = "/tmp/attnscope-runtime-" + QByteArray::number(getuid());
        ::mkdir(dir.constData(), 0700);
        qputenv("XDG_RUNTIME_DIR", dir);
    }
    int rc = -1;
    {
        QApplication app(argc, argv);
        QStringList args = QCoreApplication::arguments();
        args.removeAt(1);  // the subcommand
        rc = cmd == "render" ? attnscope::cli::cmdRenderLong(args) : attnscope::cli::cmdImportLong(args);
    }
    if (rc >= 0) return rc;
    return execEngine(argv);  // small matrices, other views, .npz/.json, Q/K: the engine
}
