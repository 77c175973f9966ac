#pragma once
// Types exchanged between the GUI thread and the engine worker (queued signals).
#include "attnscope/trace.h"

#include <QMetaType>
#include <QString>
#include <QStringList>

#include <memory>

namespace attnscope::ui {

using TracePtr = std::shared_ptr<const AttentionTrace>;

/// One translation request. Latest wins: a newer generation supersedes older ones.
struct TranslateRequest {
    quint64 generation = 0;
    QString model;       ///< built-in model name
    QString source;      ///< Spanish text
    QString reference;   ///< English reference (forced decoding)
    QString verse;       ///< corpus reference when the text comes from the verse picker
    bool forced = false;
};

/// Result: the matrix trace (forced or free) and the free translation.
struct TranslateResult {
    quint64 generation = 0;
    TracePtr trace;
    QString translation;  ///< free (greedy) translation of the source
    double milliseconds = 0;
};

/// Forced decoding of a fixed token sequence by another model, for a cross-model head
/// comparison (the same sentence and target as the trace on screen).
struct CompareRequest {
    quint64 generation = 0;
    QString model;
    QString source;
    QString target;  ///< target tokens joined by spaces (no </s>)
};

/// A verse from the dev/test splits for the verse picker.
struct VerseEntry {
    QString ref, split, source, target;
};

} // namespace attnscope::ui

Q_DECLARE_METATYPE(attnscope::ui::TranslateRequest)
Q_DECLARE_METATYPE(attnscope::ui::TranslateResult)
Q_DECLARE_METATYPE(QList<attnscope::ui::VerseEntry>)
Q_DECLARE_METATYPE(attnscope::ui::CompareRequest)
Q_DECLARE_METATYPE(attnscope::ui::TracePtr)
