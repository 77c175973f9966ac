#include "workspaces/long/longworkspace.h"

#include "attnscope/schema.h"

#include "attnscope/kinds.h"

#include "attnscope/longattention.h"
#include "attnscope/pipelines.h"
#include "attnscope/qk.h"
#include "jobs/jobtracker.h"
#include "jobs/models.h"
#include "views/attentionstripview.h"
#include "views/colormaps.h"
#include "views/largematrixview.h"
#include "views/messagebanner.h"
#include "workspaces/long/headthumbgrid.h"
#include "workspaces/long/longcontrols.h"
#include "workspaces/long/stripspanel.h"

#include <QAction>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QDateTime>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <utility>

namespace attnscope::ui {

namespace {

QStringList qLabels(const std::vector<std::string>& v)
{
    QStringList out;
    out.reserve(qsizetype(v.size()));
    for (const auto& s : v) out << QString::fromStdString(s);
    return out;
}

QString mib(uint64_t bytes) { return QStringLiteral("%1 MiB").arg(double(bytes) / double(1 << 20), 0, 'f', bytes < (uint64_t(10) << 20) ? 1 : 0); }

/// A trace read into memory (on a worker) with the file it is kept in.
struct LoadResult {
    Status status;
    TracePtr trace;
    QString file;
    std::string warning;
};

Status loadInto(const QString& file, LoadResult& r)
{
    auto t = std::make_shared<AttentionTrace>();
    if (auto st = loadTrace(file.toStdString(), *t); !st) return st;
    r.trace = std::move(t);
    r.file = file;
    return Status::success();
}
} // namespace

LongWorkspace::LongWorkspace(QWidget* parent)
    : Workspace({kinds::kLong, {}, {},
                 {{tr("Long attention (traces and dumps)"), {"attn", "npy", "npz", "safetensors"}, {}}}},
                parent)
{
    openJobs_ = new JobTracker(this, JobLane::Background);
    thumbJobs_ = new JobTracker(this, JobLane::Background);
    controls_ = new LongControls(this);
    book_ = controls_->book;
    encode_ = controls_->encode;
    progress_ = controls_->progress;
    cancel_ = controls_->cancel;
    activity_ = controls_->activity;
    tensor_ = controls_->tensor;
    layer_ = controls_->layer;
    head_ = controls_->head;
    scale_ = controls_->scale;
    percentile_ = controls_->percentile;
    reduce_ = controls_->reduce;
    sinkShare_ = controls_->sinkShare;
    QWidget* views = createViews();  // left: heads and sinks; centre: the matrix over the row and column strips
    auto* outer = new QVBoxLayout(this);
    outer->addWidget(banner_);
    outer->addWidget(controls_);
    outer->addWidget(views, 1);
    outer->addWidget(status_);
    connectControls();
    connectViews();
    createCommands();
    updateStatus();
}

bool LongWorkspace::acceptsFile(const QString& path) const
{
    return Workspace::acceptsFile(path) && isLongAttentionFile(path.toStdString());
}

QString LongWorkspace::cachePath(const QString& name)
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + QStringLiteral("/long");
    QDir().mkpath(dir);
    return dir + QLatin1Char('/') + name;
}

bool LongWorkspace::busy() const { return loading_ || openJobs_->running(); }

void LongWorkspace::setBusy(const QString& what)
{
    loading_ = true;
    activity_->setText(what);
    progress_->setRange(0, 0);
    progress_->setVisible(true);
    cancel_->setVisible(true);
    encode_->setEnabled(false);
}

void LongWorkspace::idle()
{
    loading_ = false;
    progress_->setVisible(false);
    cancel_->setVisible(false);
    encode_->setEnabled(true);
    activity_->clear();
}

void LongWorkspace::showDefault() { encodeBook(QStringLiteral("Ruth")); }

bool LongWorkspace::hasInput() const { return trace_ != nullptr || busy(); }

void LongWorkspace::encodeBook(const QString& book)
{
    if (book.trimmed().isEmpty()) return showError(tr("Choose a book (e.g. Ruth, Genesis)"));
    book_->setCurrentText(book);
    source_ = QStringLiteral("book:") + book;
    setBusy(tr("Encoding %1…").arg(book));
    const QString file = cachePath(QStringLiteral("book-transformer-%1.attn").arg(QString(book).replace(' ', '_')));
    openJobs_->start(
        [book = book.toStdString(), file](const JobContext& job) {
            LoadResult r;
            if (QFileInfo::exists(file) && loadInto(file, r)) return r;  // encoded before
            BookRequest req;
            req.book = book;
            AttentionTrace trace;
            r.status = runBookEncoder(sharedModels(), req, trace, job.progress());
            if (!r.status) return r;
            // Kept as queries and keys (O(n·d)) in the cache, then read back memory-mapped.
            SaveOptions o;
            o.progress = [&job](int64_t, int64_t) { return !job.cancelled(); };
            if (r.status = saveTrace(trace, file.toStdString(), o); !r.status) return r;
            r.status = loadInto(file, r);
            return r;
        },
        [this](LoadResult r) { finishLoad(r.status, r.trace, r.file, r.warning); });
}

bool LongWorkspace::openFile(const QString& path)
{
    if (!QFileInfo::exists(path)) {
        showError(tr("File not found: %1").arg(path));
        return false;
    }
    source_ = path;
    if (QFileInfo(path).suffix().toLower() == QLatin1String("attn")) openTrace(path);
    else importDump(path);
    return true;
}

void LongWorkspace::openTrace(const QString& path)
{
    setBusy(tr("Opening %1…").arg(QFileInfo(path).fileName()));
    openJobs_->start(
        [path](const JobContext&) {
            LoadResult r;
            r.status = loadInto(path, r);
            return r;
        },
        [this](LoadResult r) { finishLoad(r.status, r.trace, r.file, r.warning); });
}

bool LongWorkspace::acceptsTrace(const AttentionTrace& trace) const { return isLongTrace(trace); }

void LongWorkspace::adoptTrace(const TracePtr& trace)
{
    if (!trace) return;
    source_ = QString::fromStdString(trace->meta(schema::kInputMeta));
    showLoaded(trace, {});
    // Kept in the cache (queries and keys stay O(n·d)) so a saved session can open it again.
    const QString file = cachePath(QStringLiteral("%1-%2.attn")
                                       .arg(QString::fromStdString(trace->model).replace('/', '_'))
                                       .arg(QDateTime::currentMSecsSinceEpoch()));
    auto* keep = new JobTracker(this, JobLane::Background);
    keep->start([trace, file](const JobContext&) { return saveTrace(*trace, file.toStdString()); },
                [this, keep, trace, file](Status st) {
                    keep->deleteLater();
                    if (!st) return emit logMessage(tr("Could not keep the long trace in the cache: %1").arg(QString::fromStdString(st.message)));
                    if (trace_ == trace) file_ = file;
                });
}

void LongWorkspace::importDump(const QString& path)
{
    // The tiled trace goes to the cache, named by the dump's path, size and time: importing the
    // same dump again opens it at once.
    const QFileInfo info(path);
    const QByteArray key = QCryptographicHash::hash(
        (info.absoluteFilePath() + QString::number(info.size()) + QString::number(info.lastModified().toMSecsSinceEpoch())).toUtf8(),
        QCryptographicHash::Sha1);
    const QString file = cachePath(info.completeBaseName() + QLatin1Char('-') + QString::fromLatin1(key.toHex().left(12)) + ".attn");
    setBusy(tr("Importing %1…").arg(info.fileName()));
    openJobs_->start(
        [path = path.toStdString(), file](const JobContext& job) {
            LoadResult r;
            if (QFileInfo::exists(file) && loadInto(file, r)) return r;
            SaveOptions o;
            o.progress = job.progress();
            if (hasQkArrays(path)) {
                // Queries and keys: kept as they are (lse computed when absent).
                AttentionTrace t;
                if (r.status = importQk(path, t, job.progress()); !r.status) return r;
                r.status = saveTrace(t, file.toStdString(), o);
            } else if (MappedDump d; mapDumpFile(path, {}, d)) {
                // .npy / .safetensors: read through a memory map, written band by band.
                r.status = importDumpToFile(path, {}, file.toStdString(), o, &r.warning);
            } else {
                AttentionTrace t;
                if (r.status = attnscope::importDump(path, {}, t); !r.status) return r;
                o.tiledFromCells = 0;
                r.warning = t.meta(schema::kWarningMeta);
                r.status = saveTrace(t, file.toStdString(), o);
            }
            if (!r.status) {
                QFile::remove(file);
                return r;
            }
            r.status = loadInto(file, r);
            return r;
        },
        [this](LoadResult r) { finishLoad(r.status, r.trace, r.file, r.warning); });
}

void LongWorkspace::finishLoad(const Status& status, const TracePtr& trace, const QString& file, const std::string& warning)
{
    idle();
    if (!status) {
        pendingView_ = {};
        if (status.message != "cancelled") showError(QString::fromStdString(status.message));
        return;
    }
    showLoaded(trace, file);
    if (!warning.empty()) banner_->showMessage(MessageBanner::Level::Warning, QString::fromStdString(warning));
}

void LongWorkspace::showLoaded(const TracePtr& trace, const QString& file)
{
    trace_ = trace;
    file_ = file;
    showResultWarning(*trace);
    strips_->clear();
    QStringList names;
    QString first;
    for (const auto& t : trace->tensors) {
        if (t.shape.size() != 2 && t.shape.size() != 4) continue;
        names << QString::fromStdString(t.name);
        if (first.isEmpty() && isLongTensor(t, 0)) first = names.back();
    }
    if (names.isEmpty()) return showError(tr("%1 holds no attention matrix ([query, key] or [layer, head, query, key])").arg(file));
    const QString pick = pendingView_.contains("tensor") && names.contains(pendingView_["tensor"].toString()) ? pendingView_["tensor"].toString()
                                                                                                           : first.isEmpty() ? names[0] : first;
    tensor_->blockSignals(true);
    tensor_->clear();
    tensor_->addItems(names);
    tensor_->setCurrentText(pick);
    tensor_->blockSignals(false);
    emit tensor_->currentTextChanged(pick);  // sets up the heads and shows the first
    if (pendingView_.contains("layer")) {
        for (QSpinBox* s : {layer_, head_}) s->blockSignals(true);
        layer_->setValue(pendingView_["layer"].toInt(1));
        head_->setValue(pendingView_["head"].toInt(1));
        for (QSpinBox* s : {layer_, head_}) s->blockSignals(false);
        showHead(tensor_->currentText(), layer_->value() - 1, head_->value() - 1);
    }
    emit traceShown();
    emit traceOpened();
    emit logMessage(tr("Long attention: %1").arg(QString::fromStdString(trace->meta(schema::kInputMeta)).isEmpty() ? file
                                                                                                    : QString::fromStdString(trace->meta(schema::kInputMeta))));
}

bool LongWorkspace::showHead(const QString& tensor, int layer, int head)
{
    if (!trace_) return false;
    MatrixPtr m;
    if (auto st = matrixOf(trace_, tensor.toStdString(), layer, head, m); !st) {
        showError(QString::fromStdString(st.message));
        return false;
    }
    const TraceTensor* t = trace_->find(tensor.toStdString());
    QStringList rows, cols;
    if (t->labels.size() == t->shape.size()) {
        rows = qLabels(t->labels[t->shape.size() - 2]);
        cols = qLabels(t->labels[t->shape.size() - 1]);
    }
    QString title = QStringLiteral("%1 · %2").arg(QString::fromStdString(trace_->model), tensor);
    if (t->shape.size() == 4) {
        title += tr(" · layer %1, head %2").arg(layer + 1).arg(head + 1);
        if (t->store && t->store->kvHeads() != t->store->heads()) title += tr(" (KV head %1)").arg(t->store->kvHeadOf(head));
    }
    view_->setMatrix(m, rows, cols, title);
    grid_->setCurrent(layer, head);
    strips_->clear();
    updateSinks();
    updateStatus();
    return true;
}

namespace {
/// A head's hover line from its overview blocks (R × C blocks of b × b cells over rows × cols):
/// the peak weight (exact: the blocks' max) and where, and the mean row entropy over key
/// blocks — a lower bound of the token-level entropy (grouping keys only lowers it).
QString thumbnailSummary(const std::vector<float>& max, const std::vector<float>& mean, int64_t R, int64_t C, int64_t b, int64_t rows,
                         int64_t cols)
{
    const auto peak = std::max_element(max.begin(), max.end()) - max.begin();
    double entropy = 0;
    int counted = 0;
    std::vector<double> keyMass(size_t(C), 0.0);
    for (int64_t r = 0; r < R; ++r) {
        double total = 0;
        for (int64_t c = 0; c < C; ++c) {
            const double width = double(std::min(b, cols - c * b));
            const double m = std::max(0.0, double(mean[size_t(r * C + c)])) * width;  // a query's mass on the block
            keyMass[size_t(c)] += m;
            total += m;
        }
        if (total <= 0) continue;
        double h = 0;
        for (int64_t c = 0; c < C; ++c) {
            const double p = std::max(0.0, double(mean[size_t(r * C + c)])) * double(std::min(b, cols - c * b)) / total;
            if (p > 0) h -= p * std::log2(p);
        }
        entropy += h;
        ++counted;
    }
    const auto top = std::max_element(keyMass.begin(), keyMass.end()) - keyMass.begin();
    const auto range = [b](int64_t block, int64_t n) {
        const int64_t lo = block * b, hi = std::min(n, lo + b) - 1;
        return lo == hi ? QString::number(lo) : QStringLiteral("%1–%2").arg(lo).arg(hi);
    };
    return QObject::tr("peak weight %1 (queries %2, keys %3) · row entropy ≥ %4 bits over %5 key blocks · most attended keys %6")
        .arg(double(max[size_t(peak)]), 0, 'g', 3)
        .arg(range(peak / C, rows), range(peak % C, cols))
        .arg(counted ? entropy / counted : 0.0, 0, 'f', 2)
        .arg(C)
        .arg(range(top, cols));
}
} // namespace

void LongWorkspace::startThumbnails(bool qkToo)
{
    if (!trace_) return;
    const TraceTensor* t = trace_->find(tensor_->currentText().toStdString());
    if (!t) return;
    const bool qk = t->store && t->store->layout() == "qk";
    allHeads_->setEnabled(qk);
    allHeads_->setVisible(qk);
    // Q/K: one pass over every cell per head — automatic up to 8,192 tokens, else when asked.
    if (qk && !qkToo && t->store->rows() > 8192) return;
    int layers, heads;
    extents(*t, layers, heads);
    const TracePtr trace = trace_;
    const std::string name = t->name;
    const QString colorMap = view_->colorMapName();
    const bool asked = qk && qkToo;
    if (asked) setBusy(tr("Overview of every head…"));
    thumbJobs_->start(
        [this, trace, name, layers, heads, colorMap](const JobContext& job) {
            const auto table = colorTable(colorMap);
            for (int l = 0; l < layers; ++l)
                for (int h = 0; h < heads; ++h) {
                    if (job.cancelled()) return false;
                    MatrixPtr m;
                    if (!matrixOf(trace, name, l, h, m)) continue;
                    const int64_t n = std::max(m->rows(), m->cols());
                    int64_t b = 1;
                    while (blockCount(n, b) > 128) b *= 2;
                    if (m->needsOverview()) {
                        int64_t b0 = 1;
                        while (blockCount(n, b0) > 1024) b0 *= 2;
                        const int64_t done = l * heads + h;
                        const ProgressFn sub = [&](int64_t x, int64_t total) {
                            job.progress()(done * total + x, int64_t(layers * heads) * total);
                            return !job.cancelled();
                        };
                        if (!m->buildOverview(b0, sub)) return false;
                    }
                    const int64_t R = blockCount(m->rows(), b), C = blockCount(m->cols(), b);
                    std::vector<float> v(size_t(R * C)), mean(size_t(R * C));
                    if (!m->readBlocks(b, BlockReduce::Max, 0, 0, R, C, v.data())) continue;
                    const QString summary = m->readBlocks(b, BlockReduce::Mean, 0, 0, R, C, mean.data())
                                                ? thumbnailSummary(v, mean, R, C, b, m->rows(), m->cols())
                                                : QString();
                    // Thumbnails on a log scale: sinks would flatten a linear one.
                    ColorScale s;
                    s.mode = ScaleMode::Log;
                    s.decades = 3;
                    s.fit(v.data(), int64_t(v.size()));
                    const QImage img = colorize(v.data(), int(C), int(R), s, table);
                    job.post([this, l, h, img, summary] { grid_->setThumbnail(l, h, img, summary); });
                }
            return true;
        },
        [this, asked](bool) {
            if (asked) {
                idle();
                updateSinks();
            }
        });
}

void LongWorkspace::computeAllHeads() { startThumbnails(true); }

void LongWorkspace::fetchRow(int64_t row) { fetchStrip(AttentionStripView::Mode::Row, row); }

void LongWorkspace::fetchColumn(int64_t col) { fetchStrip(AttentionStripView::Mode::Column, col); }

void LongWorkspace::extents(const TraceTensor& t, int& layers, int& heads)
{
    layers = t.shape.size() == 4 ? int(t.shape[0]) : 1;
    heads = t.shape.size() == 4 ? int(t.shape[1]) : 1;
}

AttentionStripView* LongWorkspace::rowView() const { return strips_->rowView(); }
AttentionStripView* LongWorkspace::columnView() const { return strips_->columnView(); }
QTreeWidget* LongWorkspace::topKeys() const { return strips_->topKeys(); }

void LongWorkspace::fetchStrip(AttentionStripView::Mode mode, int64_t index) { strips_->fetch(mode, index, causal()); }

bool LongWorkspace::causal() const
{
    const TraceTensor* t = trace_ ? trace_->find(tensor_->currentText().toStdString()) : nullptr;
    return view_->stats().causal || (t && t->store && t->store->causal());
}

void LongWorkspace::setSinkShare(double share) { sinkShare_->setValue(share); }

void LongWorkspace::updateSinks()
{
    const MatrixStats& s = view_->stats();
    if (!view_->matrix()) {
        sinks_->clear();
        return;
    }
    if (s.empty()) {
        sinks_->setText(tr("<i>known once the overview pass is done</i>"));
        return;
    }
    const auto sinks = findSinks(s, float(sinkShare_->value()), 12);
    if (sinks.empty()) {
        sinks_->setText(tr("No key takes ≥ %1 of every row's mass. Lower the share to see the strongest keys.")
                            .arg(sinkShare_->value(), 0, 'g', 3));
        return;
    }
    QString html = tr("Keys taking ≥ %1 of every row's mass%2:<br>").arg(sinkShare_->value(), 0, 'g', 3).arg(s.causal ? tr(" (rows that see them)") : QString());
    for (const AttentionSink& k : sinks) {
        const QString token = view_->columnLabels().isEmpty() ? QString() : QStringLiteral(" “%1”").arg(view_->columnLabels()[int(k.key)].toHtmlEscaped());
        html += QStringLiteral("<a href=\"key:%1\">key %2</a>%3: min %4, mean %5<br>")
                    .arg(k.key)
                    .arg(countText(k.key), token, weightText(k.minShare), weightText(k.meanShare));
    }
    sinks_->setText(html);
}

bool LongWorkspace::goToToken(const QString& what)
{
    const MatrixPtr m = view_->matrix();
    const QString text = what.trimmed();
    if (!m || text.isEmpty()) return false;
    bool isIndex = false;
    int64_t row = text.toLongLong(&isIndex);
    if (isIndex && (row < 0 || row >= m->rows())) {
        banner()->showMessage(MessageBanner::Level::Warning,
                              tr("No token %1: the queries are numbered 0 to %2").arg(row).arg(m->rows() - 1));
        return false;
    }
    if (!isIndex) {  // the next row labelled so, after the one selected
        const QStringList& labels = view_->rowLabels();
        const int64_t n = labels.size(), from = view_->selectedRow() + 1;
        row = -1;
        for (int64_t k = 0; k < n && row < 0; ++k)
            if (labels[int((from + k) % n)] == text) row = (from + k) % n;
        if (row < 0) {
            banner()->showMessage(MessageBanner::Level::Warning,
                                  labels.isEmpty() ? tr("This trace has no token labels: give an index (from 0)")
                                                   : tr("No token \"%1\" among the %2 queries").arg(text).arg(n));
            return false;
        }
    }
    banner()->clearMessage();
    view_->centerOn(row, std::min(row, m->cols() - 1));
    view_->selectRow(row);
    return true;
}

void LongWorkspace::updateStatus()
{
    const MatrixPtr m = view_->matrix();
    if (!m) {
        status_->setText(tr("Encode a book or open a long trace or dump (.attn, .npy, .npz, .safetensors)"));
        return;
    }
    const TraceTensor* t = trace_ ? trace_->find(tensor_->currentText().toStdString()) : nullptr;
    QString storage = tr("in memory");
    if (t && t->store)
        storage = t->store->layout() == "qk" ? tr("queries and keys (d = %1, %2)").arg(t->store->headDim()).arg(mib(t->store->bytes()))
                                             : tr("%1 tiles with a pyramid (%2)").arg(storageTypeName(t->store->storageType())).arg(mib(t->store->bytes()));
    const int64_t b = std::min(view_->level(), view_->overviewBlock());
    QString text = tr("%1 × %2 · %3 · %4 · view cache %5")
                       .arg(countText(m->rows()), countText(m->cols()), storage,
                            b == 1 ? tr("cells") : tr("blocks of %1×%1").arg(b), mib(view_->cacheBytes()));
    if (view_->pendingTiles()) text += tr(" · reading %n tile(s)", nullptr, view_->pendingTiles());
    if (!view_->overviewExact() && view_->overviewReady()) text += tr(" · sampled overview (exact one computing)");
    status_->setText(text);
}

void LongWorkspace::applyPendingView()
{
    if (pendingView_.isEmpty() || !view_->overviewReady()) return;
    if (pendingView_.contains("view")) pendingCells_ = pendingView_["view"].toObject();
    if (pendingView_.contains("row")) view_->selectRow(pendingView_["row"].toInteger(-1));
    if (pendingView_.contains("column")) view_->selectColumn(pendingView_["column"].toInteger(-1));
    pendingView_ = {};
    applyPendingCells();
}

void LongWorkspace::applyPendingCells()
{
    // A hidden workspace's view has no size of its own yet: the view waits until it is shown.
    if (pendingCells_.isEmpty() || !view_->matrix() || !view_->isVisible()) return;
    const QJsonObject v = std::exchange(pendingCells_, {});
    // The view comes back as what it showed — the whole matrix, fitted again to this window and
    // on later resizes; in a plot of the same size exactly the same view; else the same cells —
    // never as pixels of a window of another size.
    const QJsonArray cells = v["cells"].toArray(), plot = v["plot"].toArray();
    const bool samePlot = plot.size() == 2 && QSize(plot[0].toInt(), plot[1].toInt()) == view_->plotRect().size();
    if (v["fitted"].toBool()) view_->fit();
    else if (cells.size() == 4 && !samePlot)
        view_->showCells(QRectF(cells[0].toDouble(), cells[1].toDouble(), cells[2].toDouble(), cells[3].toDouble()));
    else if (!v.isEmpty()) view_->setView(v["x0"].toDouble(), v["y0"].toDouble(), v["cpp"].toDouble(view_->cellsPerPixel()));
}

void LongWorkspace::showEvent(QShowEvent* e)
{
    Workspace::showEvent(e);
    QTimer::singleShot(0, this, [this] { applyPendingCells(); });  // after the layout has sized the view
}

BuiltFigure LongWorkspace::currentFigure()
{
    if (!view_->matrix()) return BuiltFigure::none(tr("Nothing to export yet: encode a book or open a long trace"));
    return BuiltFigure::of(view_);
}

ViewData LongWorkspace::currentData() const
{
    const MatrixPtr m = view_->matrix();
    if (!m || view_->overviewValues().empty()) return ViewData::none(tr("No matrix yet"));
    // The overview blocks under the view (each the max or mean of B₀ × B₀ weights).
    const int64_t b = view_->overviewBlock();
    const QRectF v = view_->visibleCells();
    const int C = view_->overviewColumns();
    const int64_t r0 = int64_t(v.top()) / b, r1 = std::min<int64_t>(view_->overviewRows(), int64_t(std::ceil(v.bottom() / double(b))));
    const int64_t c0 = int64_t(v.left()) / b, c1 = std::min<int64_t>(C, int64_t(std::ceil(v.right() / double(b))));
    ViewData d;
    const QString red = view_->reduce() == BlockReduce::Max ? tr("max") : tr("mean");
    d.table.corner = tr("queries \\ keys (%1 of %2×%2)").arg(red).arg(b);
    for (int64_t r = r0; r < r1; ++r) d.table.rowLabels << (b == 1 ? countText(r) : QStringLiteral("%1–%2").arg(r * b).arg(std::min((r + 1) * b, m->rows()) - 1));
    for (int64_t c = c0; c < c1; ++c) d.table.columnLabels << (b == 1 ? countText(c) : QStringLiteral("%1–%2").arg(c * b).arg(std::min((c + 1) * b, m->cols()) - 1));
    for (int64_t r = r0; r < r1; ++r)
        for (int64_t c = c0; c < c1; ++c) d.table.values.push_back(view_->overviewValues()[size_t(r * C + c)]);
    d.fileName = QStringLiteral("long-attention.csv");
    d.description = tr("blocks of %1×%1 weights under the view (%2)").arg(b).arg(red);
    return d;
}

void LongWorkspace::setColorMap(const QString& name)
{
    view_->setColorMap(name);
    strips_->updateColors();
}

WorkspaceSection LongWorkspace::saveState() const
{
    // The trace stays in its file (a long trace is never copied into the workspace file).
    WorkspaceSection s;
    QJsonObject o{{"source", source_},
                  {"file", file_},
                  {"book", book_->currentText()},
                  {"tensor", tensor_->currentText()},
                  {"layer", layer_->value()},
                  {"head", head_->value()},
                  {"scale", scaleModeName(ScaleMode(scale_->currentData().toInt()))},
                  {"percentile", percentile_->value()},
                  {"reduce", reduce_->currentIndex()},
                  {"sink_share", sinkShare_->value()}};
    if (view_->matrix()) {
        const QRectF c = view_->visibleCells();
        o["view"] = !pendingCells_.isEmpty()  // restored while hidden: the view it will show
                        ? pendingCells_
                        : QJsonObject{{"x0", view_->x0()}, {"y0", view_->y0()}, {"cpp", view_->cellsPerPixel()},
                                      {"fitted", view_->isFitted()}, {"cells", QJsonArray{c.x(), c.y(), c.width(), c.height()}},
                                      {"plot", QJsonArray{view_->plotRect().width(), view_->plotRect().height()}}};
        o["row"] = qint64(view_->selectedRow());
        o["column"] = qint64(view_->selectedColumn());
    }
    s.state = o;
    return s;
}

bool LongWorkspace::restoreState(const WorkspaceSection& section, QString* error)
{
    const QJsonObject& o = section.state;
    ScaleMode mode = ScaleMode::Log;
    parseScaleMode(o["scale"].toString("log"), mode);
    for (QWidget* w : std::initializer_list<QWidget*>{scale_, percentile_, reduce_, sinkShare_}) w->blockSignals(true);
    scale_->setCurrentIndex(std::max(0, scale_->findData(int(mode))));
    percentile_->setValue(o["percentile"].toDouble(99));
    percentile_->setEnabled(mode == ScaleMode::Percentile);
    reduce_->setCurrentIndex(std::clamp(o["reduce"].toInt(), 0, 1));
    sinkShare_->setValue(o["sink_share"].toDouble(0.2));
    for (QWidget* w : std::initializer_list<QWidget*>{scale_, percentile_, reduce_, sinkShare_}) w->blockSignals(false);
    view_->setScale(mode, percentile_->value());
    view_->setReduce(BlockReduce(reduce_->currentData().toInt()));
    book_->setCurrentText(o["book"].toString("Ruth"));
    pendingView_ = o;
    source_ = o["source"].toString();
    const QString file = o["file"].toString();
    if (!file.isEmpty() && QFileInfo::exists(file)) {
        openTrace(file);
        source_ = o["source"].toString();
        return true;
    }
    // The cached file is gone: redo what made it.
    if (source_.startsWith(QLatin1String("book:"))) encodeBook(source_.mid(5));
    else if (!source_.isEmpty() && QFileInfo::exists(source_)) openFile(source_);
    else if (!file.isEmpty() && error) *error = tr("the long trace %1 is gone").arg(file);
    return file.isEmpty() || QFileInfo::exists(file) || !source_.isEmpty();
}

} // namespace attnscope::ui
