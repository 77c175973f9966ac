#pragma once
// Workspace files (.attnws): the inputs, the model, the decoding mode, the trace on screen
// and the view state (tab, pinned row, zoom, colour map, head selection) in one JSON file,
// written atomically (QSaveFile: a kill during a save leaves the previous file intact).
#include "attnscope/trace.h"

#include <QString>

#include <memory>

namespace attnscope::ui {

struct WorkspaceState {
    QString source, reference, verse, model, colorMap, headKind;
    bool forced = false;
    int tab = 0;
    int pinnedRow = -1;
    double xLower = 0, xUpper = 0, yLower = 0, yUpper = 0;  ///< matrix zoom (axis ranges)
    std::shared_ptr<AttentionTrace> trace;                  ///< null when nothing is shown

    bool operator==(const WorkspaceState& o) const;
};

bool saveWorkspace(const QString& path, const WorkspaceState& state, QString* error);
bool loadWorkspace(const QString& path, WorkspaceState& state, QString* error);

} // namespace attnscope::ui
