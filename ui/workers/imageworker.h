#pragma once
// ImageWorker: image classification requests on the engine thread. It holds the loaded
// image classifiers and the Fashion-MNIST test split. Latest wins per slot (A = 0, B = 1):
// a result older than the newest request of its slot is never emitted.
#include "attnscope/imagemodel.h"
#include "workers/enginejobs.h"
#include "workers/backgroundjob.h"

#include <QObject>

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

class ImageWorker : public QObject {
    Q_OBJECT
public:
    ImageWorker();
    ~ImageWorker() override;
    /// Called from the GUI thread before posting a request.
    void supersede(int slot, quint64 generation) { latest_[size_t(slot & 1)].store(generation); }

public slots:
    void classify(const attnscope::ui::ImageRequest& request);

signals:
    void classified(const attnscope::ui::ImageResult& result);
    void failed(quint64 generation, int slot, const QString& message);
    void log(const QString& line);

private:
    ImageClassifier* model(const QString& name, QString* error);
    std::array<std::atomic<quint64>, 2> latest_{};
    std::map<QString, std::unique_ptr<ImageClassifier>> models_;
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
