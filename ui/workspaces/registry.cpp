#include "workspaces/registry.h"

#include "attnscope/kinds.h"

namespace attnscope::ui {

WorkspaceRegistry& WorkspaceRegistry::builtinMutable()
{
    static WorkspaceRegistry registry;
    return registry;
}

const WorkspaceRegistry& WorkspaceRegistry::builtin()
{
    registerBuiltinKinds();
    return builtinMutable();
}

void registerKind(KindDescriptor kind, WorkspaceFactory workspace)
{
    KindCatalogue::global().add(std::move(kind));
    if (workspace) WorkspaceRegistry::builtinMutable().add(std::move(workspace));
}

} // namespace attnscope::ui
