#include "workspaces/video/videoworkspace.h"

#include "attnscope/kinds.h"

#include "attnscope/pipelines.h"
#include "attnscope/resources.h"
#include "attnscope/schema.h"
#include "jobs/jobtracker.h"
#include "jobs/models.h"
#include "jobs/pipelinejob.h"
#include "views/askbar.h"
#include "views/captionwordsview.h"
#include "views/datawriter.h"
#include "views/figurewriter.h"
#include "views/messagebanner.h"
#include "views/testitempicker.h"
#include "views/timelineview.h"
#include "views/wordframeview.h"
#include "workspaces/ablatedruns.h"
#include "workspaces/ablationcontrol.h"
#include "workspaces/video/videofigure.h"
#include "workspaces/video/videosource.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QJsonObject>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace attnscope::ui {

namespace {
/// resources/… path of shipped test clip `index`.
std::string testClipFile(int index) { return "clips/clip-" + QStringLiteral("%1").arg(index, 3, 10, QChar('0')).toStdString() + ".avi"; }
} // namespace

FrameView::FrameView(QWidget* parent) : QWidget(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(200, 150);
    setToolTip(tr("The current frame; Left / Right step one frame, Space plays or pauses"));
}

void FrameView::setFrame(const QImage& image, int index)
{
    image_ = image;
    index_ = index;
    update();
}

void FrameView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), Qt::black);
    if (image_.isNull()) return;
    const QSize s = image_.size().scaled(size(), Qt::KeepAspectRatio);
    p.setRenderHint(QPainter::SmoothPixmapTransform, s.width() < image_.width());
    p.drawImage(QRect(QPoint((width() - s.width()) / 2, (height() - s.height()) / 2), s), image_);
}

void FrameView::keyPressEvent(QKeyEvent* e)
{
    if (e->key() == Qt::Key_Left) emit step(-1);
    else if (e->key() == Qt::Key_Right) emit step(1);
    else QWidget::keyPressEvent(e);
}

VideoWorkspace::VideoWorkspace(QWidget* parent)
    : Workspace({kinds::kVideo, {}, {},
                 {{tr("Videos"), {"avi", "mp4", "mkv", "webm", "mov", "mpg", "mpeg", "ogv", "m4v"}, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V)}}},
                parent)
{
    source_ = new VideoSource(this);
    analysis_ = new JobTracker(this, JobLane::Background);

    auto* outer = new QVBoxLayout(this);
    outer->addWidget(banner_);
    outer->addLayout(createControls());
    ask_ = new AskBar(tr("Type a caption to force-decode, e.g. “a bag moves left” — where in time does each word sit?"), this);
    outer->addWidget(ask_);
    effect_ = new QLabel(this);
    effect_->setWordWrap(true);
    effect_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    effect_->hide();
    outer->addWidget(effect_);
    words_ = new CaptionWordsView(this);
    words_->setToolTip(tr("Select a word to draw its attention on the timeline; highlighted words drew on the current frame"));
    outer->addWidget(words_);

    outer->addWidget(createViews(), 1);
    connectControls();
    connectSource();
}

QHBoxLayout* VideoWorkspace::createControls()
{
    auto* bar = new QHBoxLayout;
    auto* open = new QPushButton(tr("Open video…"), this);
    open->setToolTip(tr("AVI, MP4, MKV, WebM, … as OpenCV's FFmpeg backend decodes them"));
    picker_ = new TestItemPicker(tr("test clip #"), 20, tr("A generated test clip shipped in resources/clips/ (opened like any video file)"), this);
    picker_->setObjectName("testItem");
    progress_ = new QProgressBar(this);
    progress_->setMaximumWidth(160);
    progress_->setFormat(tr("analysing %p%"));
    progress_->hide();
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->hide();
    info_ = new QLabel(this);
    ablation_ = new AblationControl(this);
    ablate_ = ablation_->singleHeadChooser(QString::fromLatin1(schema::caption::kAttention), this);
    ablate_->setObjectName("ablation");
    for (QWidget* w : std::initializer_list<QWidget*>{open, picker_, ablate_, progress_, cancel_, info_}) bar->addWidget(w);
    bar->addStretch(1);

    connect(open, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open video"), {}, tr("Videos (*.avi *.mp4 *.mkv *.webm *.mov *.mpg *.ogv);;All files (*)"));
        if (!p.isEmpty()) openVideo(p);
    });
    return bar;
}

QWidget* VideoWorkspace::createViews()
{
    auto* split = new QSplitter(Qt::Vertical, this);
    auto* top = new QWidget(split);
    auto* tl = new QVBoxLayout(top);
    tl->setContentsMargins(0, 0, 0, 0);
    frame_ = new FrameView(top);
    tl->addWidget(frame_, 1);
    auto* transport = new QHBoxLayout;
    play_ = new QPushButton(tr("Play"), top);
    play_->setCheckable(true);
    play_->setToolTip(tr("Play / pause at the video's frame rate (Space)"));
    slider_ = new QSlider(Qt::Horizontal, top);
    slider_->setRange(0, 0);
    slider_->setToolTip(tr("Scrub through the video (Left / Right: one frame; Page Up / Down: ten)"));
    position_ = new QLabel(top);
    position_->setMinimumWidth(170);
    transport->addWidget(play_);
    transport->addWidget(slider_, 1);
    transport->addWidget(position_);
    tl->addLayout(transport);
    timeline_ = new TimelineView(top);
    tl->addWidget(timeline_);
    heat_ = new WordFrameView(split);
    heat_->setToolTip(tr("Word × frame attention over the sampled frames; the red column is the current frame; click a cell to go to its frame"));
    split->addWidget(top);
    split->addWidget(heat_);
    split->setSizes({460, 260});

    return split;
}

void VideoWorkspace::connectControls()
{
    connect(ablation_, &AblationControl::changed, this, [this] {
        if (!path_.isEmpty()) analyse();
    });
    timer_ = new QTimer(this);
    connect(timer_, &QTimer::timeout, this, [this] {
        if (slider_->value() + 1 >= frames_) return setPlaying(false);
        seek(slider_->value() + 1);
    });
    connect(picker_, &TestItemPicker::itemPicked, this, &VideoWorkspace::openTestClip);
    connect(ask_, &AskBar::asked, this, [this](const QString& c) { forceCaption(c); });
    connect(play_, &QPushButton::toggled, this, &VideoWorkspace::setPlaying);
    connect(slider_, &QSlider::valueChanged, this, &VideoWorkspace::requestFrame);
    connect(frame_, &FrameView::step, this, [this](int d) { seek(slider_->value() + d); });
    connect(timeline_, &TimelineView::seekRequested, this, &VideoWorkspace::seek);
    connect(heat_, &WordFrameView::cellClicked, this, [this](int word, int column) {
        selectWord(word);
        seek(heat_->columnFrame(column));
    });
    connect(words_, &CaptionWordsView::wordSelected, this, &VideoWorkspace::showWord);
    connect(addCommand(tr("&Play / pause"), QKeySequence(Qt::Key_Space), tr("Play or pause at the video's frame rate")),
            &QAction::triggered, this, [this] { setPlaying(!play_->isChecked()); });
    connect(addCommand(tr("&Next frame"), QKeySequence(Qt::ALT | Qt::Key_Right), tr("One frame forward")), &QAction::triggered,
            this, [this] { seek(slider_->value() + 1); });
    connect(addCommand(tr("P&revious frame"), QKeySequence(Qt::ALT | Qt::Key_Left), tr("One frame back")), &QAction::triggered,
            this, [this] { seek(slider_->value() - 1); });
    connect(cancel_, &QPushButton::clicked, analysis_, &JobTracker::cancel);
    connect(cancel_, &QPushButton::clicked, this, [this] {
        progress_->hide();
        cancel_->hide();
        emit logMessage(tr("Video analysis cancelled"));
    });
}

void VideoWorkspace::connectSource()
{
    connect(source_, &VideoSource::opened, this, [this](const VideoInfo& vi) {
        // The picker says what is on screen: a shipped test clip's number, or the file.
        const int clip = QFileInfo(path_).completeBaseName().mid(5).toInt();
        if (path_ == QString::fromStdString(resourcePath(testClipFile(clip)))) picker_->showItem(clip);
        else picker_->showFile(path_);
        frames_ = vi.frameCount;
        fps_ = vi.fps;
        timeline_->setFrameCount(frames_);
        slider_->blockSignals(true);
        slider_->setRange(0, std::max(0, frames_ - 1));
        slider_->setValue(0);
        slider_->blockSignals(false);
        QString text = tr("%1 · %2×%3 · %4 frames · %5 fps · %6")
                           .arg(QFileInfo(QString::fromStdString(vi.path)).fileName())
                           .arg(vi.width)
                           .arg(vi.height)
                           .arg(vi.frameCount)
                           .arg(vi.fps, 0, 'f', 2)
                           .arg(QString::fromStdString(vi.codec));
        info_->setText(text);
        for (const auto& n : vi.notes) emit logMessage(QString::fromStdString(n));
        if (!vi.notes.empty()) banner_->showMessage(MessageBanner::Level::Warning, QString::fromStdString(vi.notes.front()));
        const int frame = std::clamp(restoredFrame_, 0, std::max(0, frames_ - 1));
        restoredFrame_ = -1;
        if (frame > 0) seek(frame);
        else requestFrame(0);
        analyse();
    });
    connect(source_, &VideoSource::failed, this, [this](const QString& m) {
        showError(m);
    });
    connect(source_, &VideoSource::frameReady, this, [this](int index, const QImage& img) {
        frame_->setFrame(img, index);
        emit frameShown(index);
    });
    connect(source_, &VideoSource::thumbnail, timeline_, &TimelineView::addThumbnail);
    connect(source_, &VideoSource::log, this, &VideoWorkspace::logMessage);
    connect(analysis_, &JobTracker::progress, this, [this](int done, int total) {
        progress_->setRange(0, std::max(1, total));
        progress_->setValue(done);
    });
}

void VideoWorkspace::onAnalysed(const TracePtr& t, const QVector<QImage>& frames)
{
    progress_->hide();
    cancel_->hide();
    trace_ = t;
    sampled_ = frames;
    showResultWarning(*trace_);
    QStringList words;
    std::vector<int> cols;
    std::vector<float> values;
    wordFrameAttention(*t, words, cols, values);
    heat_->setAttention(words, cols, values);
    heat_->setThumbnails(frames);
    heat_->setCurrentFrame(slider_->value());
    words_->setWords(words);
    int first = 0;
    while (first < words.size() && itemLabel(words[first].toStdString()) < 0) ++first;
    if (restoredWord_ >= 0 && restoredWord_ < words.size()) first = restoredWord_;
    restoredWord_ = -1;
    if (first < words.size()) words_->setSelected(first);
    else showWord(0);
    updateActiveWords();
    emit logMessage(tr("%1 → “%2”").arg(QString::fromStdString(t->meta(schema::kInputMeta)),
                                         QString::fromStdString(t->meta(schema::caption::kCaptionMeta))));
    emit resultShown();
    emit traceShown();
}

VideoWorkspace::~VideoWorkspace() = default;

void VideoWorkspace::openVideo(const QString& path)
{
    setPlaying(false);
    path_ = path;
    trace_.reset();
    banner_->clearMessage();
    timeline_->clearThumbnails();
    timeline_->setCurve({}, {}, {});
    heat_->setAttention({}, {}, {});
    words_->setWords({});
    analysis_->cancel();
    source_->open(path, 40);
}


void VideoWorkspace::openTestClip(int index)
{
    const std::string rel = testClipFile(index);
    const std::string p = resourcePath(rel);
    if (p.empty()) {
        banner_->showMessage(MessageBanner::Level::Error, tr("resources/%1 is missing").arg(QString::fromStdString(rel)));
        return;
    }
    openVideo(QString::fromStdString(p));
}

void VideoWorkspace::setModel(const QString& nameOrPath)
{
    model_ = nameOrPath;
    if (!path_.isEmpty()) analyse();
}

void VideoWorkspace::forceCaption(const QString& caption)
{
    target_ = caption.trimmed();
    ask_->setText(caption);
    if (!path_.isEmpty()) analyse();
}

void VideoWorkspace::analyse()
{
    progress_->setValue(0);
    progress_->show();
    cancel_->show();
    VideoCaptionRequest r;
    r.model = model_.toStdString();
    r.path = path_.toStdString();
    r.options.target = target_.toStdString();
    r.options.beamWidth = 1;
    r.options.ablation = ablation_->ablation();
    runPipeline<AblatedRuns<VideoCaptionResult>>(
        analysis_, r, runVideoAblated,
        [this](const AblatedRuns<VideoCaptionResult>& runs, double) {
            const VideoCaptionResult& result = runs.result;
            QVector<QImage> frames;  // what the model read: one 64×64 grey image per sampled frame
            for (const auto& f : result.input.frames) frames.append(greyImage(f));
            onAnalysed(result.trace, frames);
            effect_->setVisible(bool(runs.baseline.trace));
            if (!runs.baseline.trace) return;  // nothing ablated
            ablation_->remember({}, QString::fromStdString(runs.baseline.trace->meta(schema::caption::kCaptionMeta)), runs.baseline.trace);
            effect_->setText(ablation_->describe(tr("Caption"), QString::fromStdString(result.trace->meta(schema::caption::kCaptionMeta)),
                                                 *result.trace));
        },
        [this](const QString& message) {
            progress_->hide();
            cancel_->hide();
            showError(message);
        });
}

void VideoWorkspace::seek(int frame)
{
    if (frames_ <= 0) return;
    slider_->setValue(std::clamp(frame, 0, frames_ - 1));  // → requestFrame
}

void VideoWorkspace::requestFrame(int index)
{
    if (frames_ <= 0) return;
    heat_->setCurrentFrame(index);
    timeline_->setCurrentFrame(index);
    position_->setText(tr("frame %1 / %2 · %3 s").arg(index).arg(frames_ - 1).arg(index / std::max(1e-6, fps_), 0, 'f', 2));
    updateActiveWords();
    source_->requestFrame(index);
}

void VideoWorkspace::setPlaying(bool playing)
{
    if (play_->isChecked() != playing) return play_->setChecked(playing);
    play_->setText(playing ? tr("Pause") : tr("Play"));
    if (playing) {
        if (slider_->value() + 1 >= frames_) seek(0);
        timer_->start(int(1000.0 / std::clamp(fps_, 1.0, 120.0)));
    } else {
        timer_->stop();
    }
}

void VideoWorkspace::selectWord(int word) { words_->setSelected(word); }

void VideoWorkspace::showWord(int word)
{
    heat_->setSelectedWord(word);
    if (!trace_) return;
    QStringList words;
    std::vector<int> cols;
    std::vector<float> values;
    if (!wordFrameAttention(*trace_, words, cols, values) || word < 0 || word >= words.size()) return;
    const size_t C = cols.size();
    timeline_->setCurve(cols, std::vector<float>(values.begin() + ptrdiff_t(word * C), values.begin() + ptrdiff_t((word + 1) * C)), words[word]);
}

void VideoWorkspace::updateActiveWords()
{
    QVector<int> marks(words_->count(), 0);
    for (int w : heat_->wordsAtPlayhead()) if (w < marks.size()) marks[w] = 1;
    words_->setMarks(marks);
}

void VideoWorkspace::showDefault() { openTestClip(0); }

bool VideoWorkspace::hasInput() const { return !path_.isEmpty(); }

bool VideoWorkspace::openFile(const QString& path)
{
    openVideo(path);
    return true;
}

QList<ShortcutInfo> VideoWorkspace::viewKeys() const
{
    return {{tr("Left / Right"), tr("Frame: one frame back / forward")},
            {tr("Page Up / Page Down"), tr("Slider: ten frames")},
            {tr("Click a heatmap cell"), tr("Go to its frame and select its word")},
            {tr("Click / drag the timeline"), tr("Go to that frame")}};
}

BuiltFigure VideoWorkspace::currentFigure()
{
    if (!trace_) return BuiltFigure::none(tr("Nothing to export yet."));
    return buildVideoFigure(*trace_, sampled_, heat_->colorMap());
}

ViewData VideoWorkspace::currentData() const
{
    QStringList words;
    std::vector<int> frames;
    std::vector<float> values;
    if (!trace_ || !wordFrameAttention(*trace_, words, frames, values)) return ViewData::none(tr("Nothing to export yet."));
    ViewData d;
    d.table.corner = tr("word \\ frame");
    d.table.rowLabels = words;
    for (int f : frames) d.table.columnLabels << QStringLiteral("f%1").arg(f);
    d.table.values = values;
    d.fileName = QStringLiteral("word-frame-attention.csv");
    d.description = tr("The word × frame attention (rows: caption words; columns: the sampled video frames)");
    return d;
}

void VideoWorkspace::setColorMap(const QString& name)
{
    heat_->setColorMap(name);
}

WorkspaceSection VideoWorkspace::saveState() const
{
    WorkspaceSection s;
    s.state = QJsonObject{{"file", path_},
                          {"model", model_},
                          {"frame", slider_->value()},
                          {"word", words_->selected()},
                          {"caption", target_},
                          {"ablation", ablation_->toJson()}};
    return s;
}

bool VideoWorkspace::restoreState(const WorkspaceSection& section, QString* error)
{
    Q_UNUSED(error);
    const QJsonObject& o = section.state;
    model_ = o["model"].toString(model_);
    target_ = o["caption"].toString();
    ask_->setText(target_);
    ablation_->fromJson(o["ablation"].toObject(), false);  // the video's analysis, below
    const QString file = o["file"].toString();
    if (file.isEmpty()) return true;
    restoredFrame_ = o["frame"].toInt();
    restoredWord_ = o["word"].toInt(-1);
    openVideo(file);
    return true;
}

} // namespace attnscope::ui
