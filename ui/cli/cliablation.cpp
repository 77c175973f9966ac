#include "cli/cliablation.h"

#include "attnscope/ablation.h"
#include "attnscope/schema.h"

#include <QCommandLineParser>

#include <cstdlib>
#include <iostream>

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

void printCaptionAblation(const AttentionTrace& ablated, const AttentionTrace& unablated)
{
    namespace c = schema::caption;
    const std::string a = ablated.meta(c::kCaptionMeta), b = unablated.meta(c::kCaptionMeta);
    std::cerr << "ablated " << ablated.meta(schema::kAblationMeta) << "\n"
              << "caption:   " << a << "\nunablated: " << b << (a == b ? "  (the same)" : "") << "\n";
    const double la = std::atof(ablated.meta(c::kLogProbabilityMeta).c_str()), lb = std::atof(unablated.meta(c::kLogProbabilityMeta).c_str());
    std::cerr << QStringLiteral("log p %1 (unablated %2, Δ %3)\n").arg(la, 0, 'f', 4).arg(lb, 0, 'f', 4).arg(la - lb, 0, 'f', 4).toStdString();
}

} // namespace attnscope::cli
