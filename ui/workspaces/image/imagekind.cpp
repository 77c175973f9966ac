// The image kind: pictures through CNNs with SE, ECA or CBAM blocks (channel attention); the
// vision models with SE gates (PaddleOCR) are offered here too, for their channel views.
#include "workspaces/registry.h"

#include "attnscope/kinds.h"
#include "attnscope/imagemodel.h"
#include "attnscope/visionmodel.h"
#include "cli/clicommon.h"
#include "workspaces/image/imagecli.h"
#include "workspaces/image/imageworkspace.h"

namespace attnscope::ui {

void registerImageKind()
{
    KindDescriptor k;
    k.id = kinds::kImage;
    k.title = "Image · channel attention";
    k.description = "Images through CNNs with SE, ECA or CBAM blocks: channel weights, class profiles, spatial attention";
    k.builtinModels = [classifiers = builtinModelsOfKind(kinds::kImage)] {
        std::vector<OfferedModel> out = classifiers();
        if (!ppocrModelDir().empty()) {
            // Run by the vision kind; their SE gates are the blocks of the channel views.
            out.push_back({"ppocr-det", "ppocr-det", "PaddleOCR PP-OCRv4 detector (ONNX): 10 SE gates over any photo", true, true});
            out.push_back({"ppocr-rec", "ppocr-rec", "PaddleOCR PP-OCRv4 recogniser (ONNX): 2 SE gates over a text line", true, true});
        }
        return out;
    };
    k.takesModelFile = [](const std::string& path) { return isImageModelFile(path); };
    k.verbs = {
        {"run", R"(  attnscope run fmnist-se|fmnist-eca|fmnist-cbam|fmnist-cnn IMAGE|test:N --out FILE
        [--view channels|spatial] [--block N|all] [--sort] [--opacity X] [--dpi N]
                                     classify an image (or Fashion-MNIST test image N) and
                                     draw each block's channel excitation and feature maps,
                                     or CBAM's spatial attention over the input
)", true, cli::verbOf(cli::cmdRunImage)},
        {"eval", R"(  attnscope eval fmnist-…            Fashion-MNIST test accuracy [--limit N]
)", true, cli::verbOf(cli::cmdEvalImage)},
    };
    registerKind(std::move(k), [](QWidget* parent) -> Workspace* { return new ImageWorkspace(parent); });
}

} // namespace attnscope::ui
