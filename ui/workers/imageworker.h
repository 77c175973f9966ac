#pragma once
// ImageWorker: image classification requests on the engine thread. It holds the loaded
// image classifiers and the Fashion-MNIST test split. Latest wins per slot (A = 0, B = 1):
// a result older than the newest request of its slot is never emitted.
#include "attnscope/caption.h"
#include "attnscope/imagemodel.h"
#include "attnscope/stn.h"
#include "workers/enginejobs.h"
#include "workers/backgroundjob.h"

#include <QObject>

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <memory>

namespace attnscope::ui {

using PreparedImagePtr = std::shared_ptr<const PreparedImage>;

struct ImageRequest {
    quint64 generation = 0;
    int slot = 0;        ///< 0 = the main image (A), 1 = the comparison image (B)
    QString model;       ///< fmnist-se, … or a weights file
    QString path;        ///< an image file, or empty for a Fashion-MNIST test image
    int testIndex = -1;  ///< Fashion-MNIST test image index when path is empty
};

struct ImageResult {
    quint64 generation = 0;
    int slot = 0;
    TracePtr trace;
    PreparedImagePtr image;
    double milliseconds = 0;
};

/// A spatial-transformer request: the scene (a distorted test image, or a file), optionally
/// re-distorted by the user's sliders, through an ST-CNN with the network's θ or a manual one.
struct StnRequest {
    quint64 generation = 0;
    QString model;        ///< fmnist-stn-r | rts | cluttered
    QString path;         ///< an image file, or empty for a test image
    int testIndex = 0;    ///< Fashion-MNIST test image (its fixed distorted version)
    bool userDistortion = false;  ///< distort the undistorted item with the values below
    double rotation = 0, scale = 1, dx = 0, dy = 0;
    bool manual = false;  ///< use `theta` instead of the localisation network's
    attnscope::Theta theta = attnscope::kIdentityTheta;
    bool bilinear = true;
};

struct StnResult {
    quint64 generation = 0;
    std::shared_ptr<const attnscope::GreyImage> canvas;  ///< what the model read
    TracePtr trace;     ///< with θ (network or manual)
    TracePtr identity;  ///< the same classifier with θ = identity ("before")
    attnscope::Theta networkTheta = attnscope::kIdentityTheta;
    QString source;     ///< what the canvas is, e.g. "test #12, RTS-distorted"
};

/// A captioning request (latest-wins slot 3): a generated test scene or an image file,
/// captioned freely or with `target` force-decoded.
struct CaptionRequest {
    quint64 generation = 0;
    QString model = QStringLiteral("scene-captioner");
    QString path;          ///< an image file, or empty for generated test scene `sceneIndex`
    int sceneIndex = 0;
    attnscope::AttentionMode mode = attnscope::AttentionMode::Soft;
    int beamWidth = 1;
    quint64 sampleSeed = 1;
    QString target;        ///< forced decoding when not empty
};

struct CaptionResult {
    quint64 generation = 0;
    TracePtr trace;
    std::shared_ptr<const attnscope::Scene> gold;  ///< the generated scene (boxes, caption); null for files
    PreparedImagePtr image;                        ///< the prepared file; null for test scenes
    QString source;
    double milliseconds = 0;
};

class ImageWorker : public QObject {
    Q_OBJECT
public:
    ImageWorker();
    ~ImageWorker() override;
    /// Called from the GUI thread before posting a request.
    void supersede(int slot, quint64 generation) { latest_[size_t(std::clamp(slot, 0, 3))].store(generation); }

public slots:
    void classify(const attnscope::ui::ImageRequest& request);
    /// Slot 2 of the latest-wins generations.
    void classifyStn(const attnscope::ui::StnRequest& request);
    /// Slot 3.
    void caption(const attnscope::ui::CaptionRequest& request);

signals:
    void classified(const attnscope::ui::ImageResult& result);
    void failed(quint64 generation, int slot, const QString& message);  ///< slot 2: STN, 3: captioner
    void stnClassified(const attnscope::ui::StnResult& result);
    void captioned(const attnscope::ui::CaptionResult& result);
    void log(const QString& line);

private:
    ImageClassifier* model(const QString& name, QString* error);
    const FashionMnist* testSet(Status& st);
    std::array<std::atomic<quint64>, 4> latest_{};
    std::map<QString, std::unique_ptr<ImageClassifier>> models_;
    std::map<QString, std::unique_ptr<StnClassifier>> stnModels_;
    std::map<QString, std::unique_ptr<SceneCaptioner>> captioners_;
    std::unique_ptr<FashionMnist> test_;
};

/// Class profiles of an image model over the Fashion-MNIST test split, as a BackgroundJob.
class ProfileScorer : public BackgroundJob {
    Q_OBJECT
public:
    explicit ProfileScorer(QObject* parent = nullptr) : BackgroundJob(parent) {}
    ~ProfileScorer() override { stop(); }
    /// Mean excitation per class and channel over the first `limit` test images (0 = all).
    void start(const QString& model, int limit = 0);

signals:
    void finished(const QString& model, const attnscope::ui::TracePtr& profiles);
    void failed(const QString& model, const QString& message);
};

} // namespace attnscope::ui

Q_DECLARE_METATYPE(attnscope::ui::ImageRequest)
Q_DECLARE_METATYPE(attnscope::ui::ImageResult)
Q_DECLARE_METATYPE(attnscope::ui::StnRequest)
Q_DECLARE_METATYPE(attnscope::ui::StnResult)
Q_DECLARE_METATYPE(attnscope::ui::CaptionRequest)
Q_DECLARE_METATYPE(attnscope::ui::CaptionResult)
