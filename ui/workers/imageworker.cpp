#include "workers/imageworker.h"

#include <QElapsedTimer>

namespace attnscope::ui {

ImageWorker::ImageWorker()
{
    qRegisterMetaType<ImageRequest>();
    qRegisterMetaType<ImageResult>();
    qRegisterMetaType<TracePtr>();
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
    const auto& latest = latest_[size_t(req.slot & 1)];
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
        if (!test_) {
            auto set = std::make_unique<FashionMnist>();
            st = loadFashionMnist(false, *set);
            if (st) test_ = std::move(set);
        }
        if (st) st = prepareFashionMnist(*test_, req.testIndex, "test", *image);
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
