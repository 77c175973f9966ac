// The spatial-transformer pipeline: a distorted test image or a file, optionally re-distorted
// by the user, through an ST-CNN with the network's θ or a manual one, and the same classifier
// with θ = identity ("before").
#include "attnscope/pipelines.h"

#include "attnscope/familiarity.h"
#include "attnscope/schema.h"

namespace attnscope {

Status runStn(ModelCache& cache, const StnRequest& req, StnResult& out, const ProgressFn& cancel)
{
    out = StnResult{};
    Status st;
    auto m = cache.acquire<StnClassifier>(req.model, st);
    if (!m) return st;
    StnInput in;
    if (!req.path.empty()) {
        if (st = stnInputFromFile(req.path, m->inputSize(), in); !st) return st;
    } else {
        auto test = fashionMnistTest(cache, st);
        if (!test) return st;
        if (st = stnInputFromTest(*test, req.testIndex, m->distortion(), in); !st) return st;
    }
    if (req.userDistortion) applyDistortion(in, req.rotation, req.scale, req.dx, req.dy);
    if (!keepGoing(cancel, 0, 1)) return Status::error("cancelled");
    auto net = std::make_shared<AttentionTrace>();
    auto before = std::make_shared<AttentionTrace>();
    if (st = m->classify(in.scene, *net, nullptr, req.bilinear); !st) return st;
    if (st = m->classify(in.scene, *before, &kIdentityTheta, req.bilinear); !st) return st;
    if (const TraceTensor* t = net->find(schema::stn::kTheta))
        for (size_t k = 0; k < 6 && k < t->values.size(); ++k) out.networkTheta[k] = t->values[k];
    if (req.manual) {
        auto manual = std::make_shared<AttentionTrace>();
        if (st = m->classify(in.scene, *manual, &req.theta, req.bilinear); !st) return st;
        net = std::move(manual);
    }
    if (!req.path.empty()) {
        for (const auto& w : in.warnings) addTraceWarning(*net, w);
        if (auto test = fashionMnistTest(cache, st))
            addTraceWarning(*net, familiarity(TrainingDomain::FashionMnistItems, *test, {&in.item}).warning);
        st = Status::success();
    }
    net->metadata[schema::kInputMeta] = in.description;
    before->metadata[schema::kInputMeta] = in.description;
    out.canvas = std::make_shared<GreyImage>(in.scene);
    out.trace = std::move(net);
    out.identity = std::move(before);
    out.source = in.description;
    return Status::success();
}

} // namespace attnscope
