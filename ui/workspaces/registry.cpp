#include "workspaces/registry.h"

#include "workspaces/caption/captionworkspace.h"
#include "workspaces/image/imageworkspace.h"
#include "workspaces/long/longworkspace.h"
#include "workspaces/stn/stnworkspace.h"
#include "workspaces/text/textworkspace.h"
#include "workspaces/video/videoworkspace.h"
#include "workspaces/vision/visionworkspace.h"

namespace attnscope::ui {

namespace {
template <typename W> Workspace* make(QWidget* parent) { return new W(parent); }
} // namespace

const WorkspaceRegistry& WorkspaceRegistry::builtin()
{
    static const WorkspaceRegistry registry = [] {
        WorkspaceRegistry r;
        r.add(make<TextWorkspace>);     // Ctrl+1: sentences through translators
        r.add(make<ImageWorkspace>);    // Ctrl+2: channel attention
        r.add(make<StnWorkspace>);      // Ctrl+3: spatial transformers
        r.add(make<CaptionWorkspace>);  // Ctrl+4: image captioning
        r.add(make<VideoWorkspace>);    // Ctrl+5: video
        r.add(make<LongWorkspace>);     // Ctrl+6: attention at LLM length
        r.add(make<VisionWorkspace>);   // Ctrl+7: your ONNX / TorchScript vision models, PaddleOCR
        return r;
    }();
    return registry;
}

} // namespace attnscope::ui
