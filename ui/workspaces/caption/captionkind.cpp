// The caption kind: Show, Attend and Tell on generated scenes (and your pictures).
#include "workspaces/registry.h"

#include "attnscope/kinds.h"
#include "attnscope/caption.h"
#include "cli/clicommon.h"
#include "workspaces/caption/captioncli.h"
#include "workspaces/caption/captionworkspace.h"

namespace attnscope::ui {

void registerCaptionKind()
{
    KindDescriptor k;
    k.id = kinds::kCaption;
    k.title = "Captioning";
    k.description = "Show, Attend and Tell on generated scenes: click a word of the caption to see where the model looked; "
                    "type a caption to ask where it would look";
    k.builtinModels = builtinModelsOfKind(kinds::kCaption);
    k.takesModelFile = [](const std::string& path) { return isCaptionerFile(path); };
    k.verbs = {
        {"run", R"(  attnscope run scene-captioner IMAGE|scene:N [--target TEXT] --view caption --out FILE
        [--attention soft|hard|sample] [--beam K] [--opacity X] [--dpi N]
                                     caption a scene (or generated test scene N) and draw
                                     each word's attention over it (.png .svg .pdf) or write
                                     the trace (.attn .json); --target scores your caption
)", true, cli::verbOf(cli::cmdRunCaption)},
        {"eval", R"(  attnscope eval scene-captioner [--scenes N] [--beam K]
                                     attention hit rate and mass in the item's box vs
                                     uniform, caption exact match and word accuracy
)", true, cli::verbOf(cli::cmdEvalCaption)},
        {"scenes", R"(  attnscope scenes --out DIR [--count N]
                                     write the fixed test scenes as PNG files + scenes.tsv
)", false, cli::verbOf(cli::cmdScenes)},
    };
    registerKind(std::move(k), [](QWidget* parent) -> Workspace* { return new CaptionWorkspace(parent); });
}

} // namespace attnscope::ui
