#pragma once
// The workspace registry: which workspaces the main window shows, in tab order. The built-in
// registry is filled by the kinds (ui/workspaces/kinds.cpp, one line per kind; each kind's
// folder registers its descriptor and workspace with registerKind). MainWindow only loops
// over a registry; a test or plug-in may add() to a copy before the window is made.
#include <QWidget>

#include <functional>
#include <string>
#include <vector>

namespace attnscope {
struct KindDescriptor;
struct OfferedModel;
}

namespace attnscope::ui {

class Workspace;

using WorkspaceFactory = std::function<Workspace*(QWidget* parent)>;

class WorkspaceRegistry {
public:
    /// One workspace per registered kind that has one, in registration order.
    static const WorkspaceRegistry& builtin();
    void add(WorkspaceFactory factory) { factories_.push_back(std::move(factory)); }
    const std::vector<WorkspaceFactory>& factories() const { return factories_; }

private:
    friend void registerKind(KindDescriptor kind, WorkspaceFactory workspace);
    static WorkspaceRegistry& builtinMutable();
    std::vector<WorkspaceFactory> factories_;
};

/// Registers a kind: its descriptor into KindCatalogue::global() and its workspace (if any)
/// into the built-in registry. Called by each kind's register function (kinds.cpp).
void registerKind(KindDescriptor kind, WorkspaceFactory workspace);

/// KindDescriptor::builtinModels for the models of the model table (attnscope/translator.h)
/// that kind `kindId` runs, in table order.
std::function<std::vector<OfferedModel>()> builtinModelsOfKind(const char* kindId);

/// Registers every built-in kind once (ui/workspaces/kinds.cpp); the GUI and the command line
/// call it at start-up, tests before they look kinds up.
void registerBuiltinKinds();

} // namespace attnscope::ui
