#include "workers/imageworker.h"

#include <QElapsedTimer>

namespace attnscope::ui {

ImageWorker::ImageWorker()
{
    qRegisterMetaType<ImageRequest>();
    qRegisterMetaType<ImageResult>();
    qRegisterMetaType<TracePtr>();
    qRegisterMetaType<StnRequest>();
    qRegisterMetaType<StnResult>();
    qRegisterMetaType<CaptionRequest>();
    qRegisterMetaType<CaptionResult>();
}

const FashionMnist* ImageWorker::testSet(Status& st)
{
    if (!test_) {
        auto set = std::make_unique<FashionMnist>();
        st = loadFashionMnist(false, *set);
        if (!st) return nullptr;
        test_ = std::move(set);
    }
    return test_.get();
}

ImageWorker::~ImageWorker() = default;

ImageClassifier* ImageWorker::model(const QString& name, QString* error)
{
    if (auto it = models_.find(name); it != models_.end()) return it->second.get();
    auto m = std::make_unique<ImageClassifier>();
    QElapsedTimer timer;
    timer.start();
    if (auto st = m->load(name.toStdString()); !st) {
        *error = QString::fromStdString(st.message);
        return nullptr;
    }
    emit log(tr("Loaded image model %1 (%2 blocks) in %3 ms").arg(name, QString::fromStdString(m->blockKind())).arg(timer.elapsed()));
    return models_.emplace(name, std::move(m)).first->second.get();
}

void ImageWorker::classify(const ImageRequest& req)
{
    const auto& latest = latest_[size_t(std::clamp(req.slot, 0, 1))];
    if (req.generation < latest.load()) return;  // superseded while queued
    QElapsedTimer timer;
    timer.start();
    QString error;
    ImageClassifier* m = model(req.model, &error);
    if (!m) {
        emit failed(req.generation, req.slot, error);
        return;
    }
    auto image = std::make_shared<PreparedImage>();
    Status st;
    if (!req.path.isEmpty()) {
        st = prepareImageFile(req.path.toStdString(), *image);
    } else {
        if (const FashionMnist* set = testSet(st)) st = prepareFashionMnist(*set, req.testIndex, "test", *image);
    }
    auto trace = std::make_shared<AttentionTrace>();
    if (st) st = m->classify(*image, *trace);
    if (req.generation < latest.load()) return;
    if (!st) {
        emit failed(req.generation, req.slot, QString::fromStdString(st.message));
        return;
    }
    ImageResult r;
    r.generation = req.generation;
    r.slot = req.slot;
    r.trace = trace;
    r.image = image;
    r.milliseconds = double(timer.nsecsElapsed()) / 1e6;
    emit classified(r);
}

void ImageWorker::classifyStn(const StnRequest& req)
{
    const auto& latest = latest_[2];
    if (req.generation < latest.load()) return;
    auto fail = [&](const std::string& m) { emit failed(req.generation, 2, QString::fromStdString(m)); };
    auto& slot = stnModels_[req.model];
    if (!slot) {
        auto m = std::make_unique<StnClassifier>();
        if (auto st = m->load(req.model.toStdString()); !st) {
            stnModels_.erase(req.model);
            return fail(st.message);
        }
        slot = std::move(m);
    }
    StnClassifier& m = *slot;
    const Distortion dist = m.distortion();
    const int side = m.inputSize();
    // The scene, and the undistorted item the sliders start from.
    StnInput in;
    if (!req.path.isEmpty()) {
        if (auto st = stnInputFromFile(req.path.toStdString(), side, in); !st) return fail(st.message);
    } else {
        Status st;
        const FashionMnist* set = testSet(st);
        if (!set) return fail(st.message);
        if (st = stnInputFromTest(*set, req.testIndex, dist, in); !st) return fail(st.message);
    }
    if (req.userDistortion) applyDistortion(in, req.rotation, req.scale, req.dx, req.dy);
    const GreyImage& scene = in.scene;
    auto net = std::make_shared<AttentionTrace>();
    auto manual = std::make_shared<AttentionTrace>();
    auto before = std::make_shared<AttentionTrace>();
    if (auto st = m.classify(scene, *net, nullptr, req.bilinear); !st) return fail(st.message);
    if (auto st = m.classify(scene, *before, &kIdentityTheta, req.bilinear); !st) return fail(st.message);
    if (req.manual)
        if (auto st = m.classify(scene, *manual, &req.theta, req.bilinear); !st) return fail(st.message);
    if (req.generation < latest.load()) return;
    StnResult r;
    r.generation = req.generation;
    r.canvas = std::make_shared<GreyImage>(scene);
    r.trace = req.manual ? manual : net;
    r.identity = before;
    if (const TraceTensor* t = net->find("theta"))
        for (size_t k = 0; k < 6 && k < t->values.size(); ++k) r.networkTheta[k] = t->values[k];
    r.source = QString::fromStdString(in.description);
    emit stnClassified(r);
}

void ImageWorker::caption(const CaptionRequest& req)
{
    const auto& latest = latest_[3];
    if (req.generation < latest.load()) return;
    QElapsedTimer timer;
    timer.start();
    auto fail = [&](const std::string& m) { emit failed(req.generation, 3, QString::fromStdString(m)); };
    auto& slot = captioners_[req.model];
    if (!slot) {
        auto m = std::make_unique<SceneCaptioner>();
        if (auto st = m->load(req.model.toStdString()); !st) {
            captioners_.erase(req.model);
            return fail(st.message);
        }
        emit log(tr("Loaded captioner %1 (%2 parameters) in %3 ms").arg(req.model).arg(m->parameters()).arg(timer.elapsed()));
        slot = std::move(m);
    }
    CaptionResult r;
    r.generation = req.generation;
    GreyImage scene;
    if (!req.path.isEmpty()) {
        auto image = std::make_shared<PreparedImage>();
        if (auto st = loadSceneImage(req.path.toStdString(), *image); !st) return fail(st.message);
        scene = sceneInput(*image);
        r.image = image;
        r.source = req.path;
    } else {
        Status st;
        const FashionMnist* set = testSet(st);
        if (!set) return fail(st.message);
        auto gold = std::make_shared<Scene>(testScene(*set, req.sceneIndex));
        scene = gold->image;
        r.gold = gold;
        r.source = tr("test scene %1").arg(req.sceneIndex);
    }
    CaptionOptions opt;
    opt.mode = req.mode;
    opt.beamWidth = req.beamWidth;
    opt.sampleSeed = req.sampleSeed;
    opt.target = req.target.toStdString();
    auto trace = std::make_shared<AttentionTrace>();
    if (auto st = slot->caption(scene, opt, *trace); !st) return fail(st.message);
    trace->metadata["input"] = r.source.toStdString();
    if (req.generation < latest.load()) return;
    r.trace = trace;
    r.milliseconds = double(timer.nsecsElapsed()) / 1e6;
    emit captioned(r);
}

void ProfileScorer::start(const QString& model, int limit)
{
    launch(QStringLiteral("class profiles"), [this, model, limit](const std::function<bool()>& live, const ProgressFn& progress) {
        ImageClassifier m;
        FashionMnist test;
        Status st = m.load(model.toStdString());
        if (st) st = loadFashionMnist(false, test);
        auto result = std::make_shared<AttentionTrace>();
        if (st) st = m.classProfiles(test, limit, *result, progress);
        if (!live()) return;
        if (!st) emit failed(model, QString::fromStdString(st.message));
        else emit finished(model, result);
    });
}

} // namespace attnscope::ui
