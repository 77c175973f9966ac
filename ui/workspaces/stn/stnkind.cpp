// The spatial-transformer kind: ST-CNNs on distorted Fashion-MNIST (θ, the sampling grid, the
// warped input) and their plain-CNN baselines (command line only).
#include "workspaces/registry.h"

#include "attnscope/kinds.h"
#include "attnscope/stn.h"
#include "attnscope/translator.h"
#include "cli/clicommon.h"
#include "workspaces/stn/stncli.h"
#include "workspaces/stn/stnworkspace.h"

namespace attnscope::ui {

void registerStnKind()
{
    KindDescriptor k;
    k.id = kinds::kStn;
    k.title = "Spatial transformer";
    k.description = "ST-CNNs on distorted Fashion-MNIST: the sampling frame and grid, the warped input, θ; drag θ by hand";
    k.builtinModels = [] {
        std::vector<OfferedModel> out;
        for (const ModelInfo* m : builtinModelsOf(kinds::kStn))
            if (isStnModel(m->name) && m->produces.find("θ") != std::string::npos) out.push_back({m->name, m->name, m->description});
        return out;
    };
    for (const ModelInfo* m : builtinModelsOf(kinds::kStn))
        if (m->produces.find("θ") == std::string::npos) k.extraBuiltinNames.push_back(m->name);  // the CNN baselines
    k.takesModelFile = [](const std::string& path) { return isStnModelFile(path); };
    k.verbs = {
        {"run", R"(  attnscope run fmnist-stn-rts|r|cluttered IMAGE|test:N --view stn --out FILE
        [--theta a,b,c,d,e,f] [--distort ROT,SCALE,DX,DY] [--grid N] [--nearest]
                                     the ST-CNN's sampling frame and grid on the input, the
                                     warped output, θ and the prediction before and after
)", true, cli::verbOf(cli::cmdRunStn)},
        {"eval", R"(  attnscope eval fmnist-stn-…|fmnist-cnn-…   test error on the distortion's fixed test set
)", true, cli::verbOf(cli::cmdEvalStn)},
    };
    registerKind(std::move(k), [](QWidget* parent) -> Workspace* { return new StnWorkspace(parent); });
}

} // namespace attnscope::ui
