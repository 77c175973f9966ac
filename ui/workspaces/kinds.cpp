// The one list of kinds, in tab order (Ctrl+1 … Ctrl+N). Each kind is a folder beside this
// file (its descriptor in <id>kind.cpp, pipeline calls, workspace, panels, figure and CLI
// verbs, its own CMakeLists.txt); adding one is that folder, one add_subdirectory line in
// ui/workspaces/CMakeLists.txt and two lines here (docs/architecture.md, "Adding a kind").
#include "workspaces/registry.h"

namespace attnscope::ui {

void registerTextKind();
void registerImageKind();
void registerStnKind();
void registerCaptionKind();
void registerVideoKind();
void registerLongKind();
void registerVisionKind();

void registerBuiltinKinds()
{
    static const bool registered = [] {
        registerTextKind();     // sentences through translators
        registerImageKind();    // channel attention
        registerStnKind();      // spatial transformers
        registerCaptionKind();  // image captioning
        registerVideoKind();    // video
        registerLongKind();     // attention at LLM length
        registerVisionKind();   // your ONNX / TorchScript vision models, PaddleOCR
        return true;
    }();
    (void)registered;
}

} // namespace attnscope::ui
