#include "workspaces/registry.h"

#include "attnscope/kinds.h"
#include "attnscope/translator.h"

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

std::function<std::vector<OfferedModel>()> builtinModelsOfKind(const char* kindId)
{
    return [id = std::string(kindId)] {
        std::vector<OfferedModel> out;
        for (const ModelInfo* m : builtinModelsOf(id)) out.push_back({m->name, m->name, m->description});
        return out;
    };
}

void registerKind(KindDescriptor kind, WorkspaceFactory workspace)
{
    KindCatalogue::global().add(std::move(kind));
    if (workspace) WorkspaceRegistry::builtinMutable().add(std::move(workspace));
}

} // namespace attnscope::ui
