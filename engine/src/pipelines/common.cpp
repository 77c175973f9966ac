// What every pipeline shares: which pipeline runs a model file, and the Fashion-MNIST test split.
#include "attnscope/visionmodel.h"
#include "attnscope/pipelines.h"

#include "attnscope/scriptmodel.h"
#include "attnscope/translator.h"
#include "attnscope/kinds.h"

#include <QFileInfo>

namespace attnscope {

bool isUserModelFile(const std::string& path)
{
    if (!onnxPairFolder(path).empty()) return true;    // an ONNX encoder–decoder export folder
    if (!onnxDecoderModel(path).empty()) return true;  // a decoder-only export (folder or model.onnx)
    if (!QFileInfo(QString::fromStdString(path)).isFile()) return false;
    if (isOnnxPath(path)) return !isVisionModelFile(path);
    return !sidecarPath(path).empty();
}

bool isVisionModelName(const std::string& nameOrPath)
{
    if (nameOrPath == "ppocr-rec" || nameOrPath == "ppocr-det") return true;
    return isOnnxPath(nameOrPath) && QFileInfo(QString::fromStdString(nameOrPath)).isFile() && isVisionModelFile(nameOrPath);
}

bool isTranslatorModel(const std::string& nameOrPath)
{
    if (const ModelInfo* m = findModel(nameOrPath)) return m->kind == kinds::kText;
    if (!QFileInfo(QString::fromStdString(nameOrPath)).isFile() || isOnnxPath(nameOrPath) || isUserModelFile(nameOrPath))
        return false;
    return !isClipCaptionerFile(nameOrPath) && !isCaptionerFile(nameOrPath) && !isStnModelFile(nameOrPath) &&
           !isImageModelFile(nameOrPath);
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
