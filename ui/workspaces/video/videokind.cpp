// The video kind: soft temporal attention of the clip captioner over sampled frames.
#include "workspaces/registry.h"

#include "attnscope/kinds.h"
#include "attnscope/video.h"
#include "cli/clicommon.h"
#include "workspaces/video/videocli.h"
#include "workspaces/video/videoworkspace.h"

namespace attnscope::ui {

void registerVideoKind()
{
    KindDescriptor k;
    k.id = kinds::kVideo;
    k.title = "Video";
    k.description = "A video, its caption and the word × frame attention, scrubbed in step";
    k.builtinModels = builtinModelsOfKind(kinds::kVideo);
    k.takesModelFile = [](const std::string& path) { return isClipCaptionerFile(path); };
    k.verbs = {
        {"run", R"(  attnscope run clip-captioner VIDEO|clip:N [--target TEXT] --view video --out FILE [--beam K]
                                     describe a video (16 frames sampled evenly) and draw the
                                     word × frame attention with thumbnails, or the trace
)", true, cli::verbOf(cli::cmdRunVideo)},
        {"eval", R"(  attnscope eval clip-captioner [--clips N]
                                     temporal hit rate: attention peak on frames showing the
                                     item vs uniform; caption exact match, word accuracy
)", true, cli::verbOf(cli::cmdEvalVideo)},
        {"clips", R"(  attnscope clips --out DIR [--count N]
                                     write the fixed test clips as video files + clips.tsv
)", false, cli::verbOf(cli::cmdClips)},
    };
    registerKind(std::move(k), [](QWidget* parent) -> Workspace* { return new VideoWorkspace(parent); });
}

} // namespace attnscope::ui
