// The vision kind: vision models the user brings (ONNX graphs run on the ATen interpreter,
// TorchScript image models) and PaddleOCR PP-OCRv4.
#include "workspaces/registry.h"

#include "attnscope/kinds.h"
#include "attnscope/pipelines.h"
#include "attnscope/visionmodel.h"
#include "cli/clicommon.h"
#include "workspaces/vision/visioncli.h"
#include "workspaces/vision/visionworkspace.h"

namespace attnscope::ui {

void registerVisionKind()
{
    KindDescriptor k;
    k.id = kinds::kVision;
    k.title = "Vision models";
    k.description = "Your ONNX or TorchScript vision model, or PaddleOCR PP-OCRv4, on a picture: click a patch to see where "
                    "it looks; CLS, rollout, the model's own maps, SE gates";
    k.builtinModels = [] {
        return std::vector<OfferedModel>{
            {"ppocr-rec", "PP-OCRv4 recogniser (PaddleOCR)", "PaddleOCR PP-OCRv4 text recogniser (SVTR, 2 × 8 attention heads), ONNX"},
            {"ppocr-det", "PP-OCRv4 detector (PaddleOCR)", "PaddleOCR PP-OCRv4 text detector (SE gates, text-probability map), ONNX"}};
    };
    k.takesModelFile = [](const std::string& path) { return isVisionModelFile(path); };
    k.verbs = {
        {"run", R"(  attnscope run MODEL.onnx|ppocr-rec|ppocr-det IMAGE --out FILE [--view patch|received|cls|
        rollout|map:NAME] [--layer N --head N|mean --patch N] [--attention NODES]
                                     an ONNX vision model (run with ATen; its sidecar gives the
                                     pre-processing): the picture with attention over its
                                     patches, a model map, the CTC text; or the trace
  attnscope run MODEL.onnx|ppocr-rec IMAGE --ablate attention:LAYER:HEADS [--ablation zero|uniform] --out FILE
                                     heads of any ONNX vision model ablated: the text and
                                     CTC confidence (or a classifier's prediction and Δ p)
                                     against the unablated run
)", true, cli::verbOf(cli::cmdRunVision)},
        {"prune", R"(  attnscope prune ppocr-rec|RECOGNISER.onnx [--lines 60] [--seeds 3] --out FILE.csv|.png|.svg|.pdf
                                     pruning curves of a text recogniser: character accuracy on
                                     rendered lines as 0, 10, …, 100 % of its heads are zeroed,
                                     least important first (ablation), and in random orders
  attnscope prune CLASSIFIER.onnx --images DIR [--seeds 3] --out FILE
                                     the same for an ONNX classifier (sidecar "classes"): top-1
                                     accuracy on DIR/<class>/<image> as heads are zeroed
)", true, cli::verbOf(cli::cmdPruneVision)},
    };
    registerKind(std::move(k), [](QWidget* parent) -> Workspace* { return new VisionWorkspace(parent); });
}

} // namespace attnscope::ui
