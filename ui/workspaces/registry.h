#pragma once
// The workspace registry: which kinds of workspace the main window shows, in tab order. The
// built-in list is workspaces/registry.cpp, one line per kind; MainWindow only loops over a
// registry, so a new kind of workspace is one folder plus one line there (or, for a plug-in
// or a test, one add() call before the window is made).
#include <QWidget>

#include <functional>
#include <vector>

namespace attnscope::ui {

class Workspace;

using WorkspaceFactory = std::function<Workspace*(QWidget* parent)>;

class WorkspaceRegistry {
public:
    /// Text, Image, Spatial transformer, Captioning, Video.
    static const WorkspaceRegistry& builtin();
    void add(WorkspaceFactory factory) { factories_.push_back(std::move(factory)); }
    const std::vector<WorkspaceFactory>& factories() const { return factories_; }

private:
    std::vector<WorkspaceFactory> factories_;
};

} // namespace attnscope::ui
