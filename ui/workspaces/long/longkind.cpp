// The long kind: attention at LLM length — traces and dumps of 4k–32k tokens, a whole book
// through the Transformer's encoder. Its files come from `render` and `import` (app/cli.cpp)
// and from other kinds' runs past 2,048 tokens (MainWindow::openTrace).
#include "workspaces/registry.h"

#include "attnscope/kinds.h"
#include "workspaces/long/longworkspace.h"

namespace attnscope::ui {

void registerLongKind()
{
    KindDescriptor k;
    k.id = kinds::kLong;
    k.title = "Long attention";
    k.description = "Attention at LLM length: a whole book through the Transformer's encoder, or your own 4k–32k-token "
                    "traces and dumps — overview at once, zoom to labelled cells, what a token looks at, attention sinks";
    registerKind(std::move(k), [](QWidget* parent) -> Workspace* { return new LongWorkspace(parent); });
}

} // namespace attnscope::ui
