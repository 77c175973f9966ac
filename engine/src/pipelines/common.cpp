// What every pipeline shares: the kind of a model, and the Fashion-MNIST test split.
#include "attnscope/visionmodel.h"
#include "attnscope/pipelines.h"

#include "attnscope/scriptmodel.h"
#include "attnscope/translator.h"

#include <QFileInfo>

namespace attnscope {

ModelKind modelKind(const std::string& nameOrPath)
{
    // Built-in names first (cheap), then the format record of a weights file.
    if (const ModelInfo* m = findModel(nameOrPath)) {
        if (m->kind == "translation") return ModelKind::Translation;
        if (isImageModel(nameOrPath)) return ModelKind::Image;
        if (isStnModel(nameOrPath)) return ModelKind::Stn;
        if (nameOrPath == "scene-captioner") return ModelKind::SceneCaption;
        if (nameOrPath == "clip-captioner") return ModelKind::ClipCaption;
    }
    if (nameOrPath == "ppocr-rec" || nameOrPath == "ppocr-det") return ModelKind::Vision;
    if (!QFileInfo(QString::fromStdString(nameOrPath)).isFile()) return ModelKind::Unknown;
    if (isOnnxPath(nameOrPath)) return isVisionModelFile(nameOrPath) ? ModelKind::Vision : ModelKind::UserModel;
    if (!sidecarPath(nameOrPath).empty()) return ModelKind::UserModel;
    if (isClipCaptionerFile(nameOrPath)) return ModelKind::ClipCaption;
    if (isCaptionerFile(nameOrPath)) return ModelKind::SceneCaption;
    if (isStnModelFile(nameOrPath)) return ModelKind::Stn;
    if (isImageModelFile(nameOrPath)) return ModelKind::Image;
    return ModelKind::Translation;
}

const char* modelKindName(ModelKind kind)
{
    switch (kind) {
    case ModelKind::Translation: return "translation";
    case ModelKind::UserModel: return "user model";
    case ModelKind::Image: return "image";
    case ModelKind::Vision: return "vision";
    case ModelKind::Stn: return "stn";
    case ModelKind::SceneCaption: return "scene caption";
    case ModelKind::ClipCaption: return "clip caption";
    case ModelKind::Unknown: break;
    }
    return "unknown";
}

ModelCache::Lease<FashionMnist> fashionMnistTest(ModelCache& cache, Status& st)
{
    return cache.acquireWith<FashionMnist>(
        "fashion-mnist:test", st, [](FashionMnist& set) { return loadFashionMnist(false, set); }, /*counts=*/false);
}

ModelCache::Lease<Corpus> bibleCorpus(ModelCache& cache, const std::set<Split>& splits, Status& st, const ProgressFn& progress)
{
    std::string key = "bible:";
    for (Split s : splits) key += splitName(s) + ",";
    return cache.acquireWith<Corpus>(
        key, st, [&](Corpus& c) { return loadBibleCorpus(c, splits, progress); }, /*counts=*/false);
}

} // namespace attnscope
