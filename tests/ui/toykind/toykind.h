#pragma once
// A toy eighth kind, written as a real kind folder is (ui/workspaces/<id>/): its pipeline, its
// workspace, its descriptor with a `run` verb and help, and one register function. It counts
// the words of a text and "attends" each word to the longest one.
#include "attnscope/status.h"
#include "attnscope/trace.h"

#include <string>

namespace attnscope::toy {
/// The toy pipeline: `text` → a trace with tensor "attention" [word, word] (each row puts all
/// its weight on the longest word) labelled by the words. Errors: empty text.
Status runToy(const std::string& text, AttentionTrace& out);
/// Registers the toy kind (id "toy", model "toy-model", files *.toy) — what kinds.cpp would call.
void registerToyKind();
} // namespace attnscope::toy
