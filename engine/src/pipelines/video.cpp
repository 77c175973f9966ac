// The video pipeline: a video file (frames sampled evenly) or a generated test clip through
// the clip captioner's soft temporal attention.
#include "attnscope/pipelines.h"

#include "attnscope/familiarity.h"
#include "attnscope/schema.h"

namespace attnscope {

Status runVideoCaption(ModelCache& cache, const VideoCaptionRequest& req, VideoCaptionResult& out,
                       const ProgressFn& progress)
{
    out = VideoCaptionResult{};
    Status st;
    std::string source;
    if (!req.path.empty()) {
        VideoReader reader;
        if (st = reader.open(req.path, size_t(32) << 20); !st) return st;
        out.info = reader.info();
        if (st = videoInput(reader, out.input, progress); !st) return st;
        source = req.path;
    } else {
        if (req.clipIndex < 0) return Status::error("clip numbers start at 0");
        auto test = fashionMnistTest(cache, st);
        if (!test) return st;
        out.gold = std::make_shared<Clip>(testClip(*test, req.clipIndex));
        out.input = clipInput(*out.gold);
        source = "test clip " + std::to_string(req.clipIndex);
        out.input.source = source;
    }
    if (!keepGoing(progress, int64_t(out.input.frames.size()), int64_t(out.input.frames.size())))
        return Status::error("cancelled");
    auto m = cache.acquire<ClipCaptioner>(req.model, st);
    if (!m) return st;
    auto trace = std::make_shared<AttentionTrace>();
    if (st = m->caption(out.input, req.options, *trace); !st) return st;
    trace->metadata[schema::kInputMeta] = source;
    if (!req.path.empty()) {
        for (const auto& n : out.info.notes) addTraceWarning(*trace, n);
        std::vector<const GreyImage*> frames;
        for (const auto& f : out.input.frames) frames.push_back(&f);
        if (auto test = fashionMnistTest(cache, st)) addTraceWarning(*trace, familiarity(TrainingDomain::Clips, *test, frames).warning);
        st = Status::success();
    }
    out.trace = std::move(trace);
    return Status::success();
}

} // namespace attnscope
