#include "cli/cliablation.h"

#include "attnscope/ablation.h"

#include <QCommandLineParser>

namespace attnscope::cli {

void addAblationOptions(QCommandLineParser& p)
{
    p.addOption({"ablate", "ablate heads KIND:LAYER:HEADS (1-based; HEADS a comma list or all), repeatable", "spec"});
    p.addOption({"ablation", "ablation mode: zero (the head's attention × 0) or uniform", "mode", "zero"});
}

Status readAblationOptions(const QCommandLineParser& p, HeadAblation& out)
{
    out = HeadAblation{};
    for (const QString& spec : p.values("ablate"))
        if (auto st = parseAblation(spec.toStdString(), out); !st) return st;
    return parseAblationMode(p.value("ablation").toStdString(), out.mode);
}

} // namespace attnscope::cli
