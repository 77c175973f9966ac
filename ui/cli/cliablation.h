#pragma once
// The head-ablation options every `run` verb shares (text and vision models): --ablate
// KIND:LAYER:HEADS (repeatable) and --ablation zero|uniform (attnscope/ablation.h).
#include "attnscope/status.h"

class QCommandLineParser;

namespace attnscope {
struct AttentionTrace;
struct HeadAblation;
} // namespace attnscope

namespace attnscope::cli {
void addAblationOptions(QCommandLineParser& p);
/// The parsed options into `out` (empty when --ablate is not given). Errors name the spec or
/// mode that is wrong (parseAblation, parseAblationMode).
Status readAblationOptions(const QCommandLineParser& p, HeadAblation& out);
/// To stderr, for a captioner's ablated run: what was ablated, the caption against the
/// unablated one, and log p of the caption (the free caption's, or the forced target's) with Δ.
void printCaptionAblation(const AttentionTrace& ablated, const AttentionTrace& unablated);
} // namespace attnscope::cli
