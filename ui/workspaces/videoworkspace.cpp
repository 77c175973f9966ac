#include "workspaces/videoworkspace.h"

#include "attnscope/resources.h"
#include "videofigure.h"
#include "views/captionwordsview.h"
#include "views/messagebanner.h"
#include "workspaces/askbar.h"
#include "views/timelineview.h"
#include "views/wordframeview.h"
#include "workers/videoworker.h"

#include <QFileDialog>
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

VideoWorkspace::VideoWorkspace(QWidget* parent) : QWidget(parent)
{
    worker_ = new VideoFrameWorker;
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_.setObjectName("video");
    thread_.start();
    analysis_ = new VideoAnalysis(this);

    auto* outer = new QVBoxLayout(this);
    banner_ = new MessageBanner(this);
    outer->addWidget(banner_);
    auto* bar = new QHBoxLayout;
    auto* open = new QPushButton(tr("Open video…"), this);
    open->setToolTip(tr("AVI, MP4, MKV, WebM, … as OpenCV's FFmpeg backend decodes them"));
    clip_ = new QSpinBox(this);
    clip_->setRange(0, 19);
    clip_->setPrefix(tr("test clip #"));
    clip_->setToolTip(tr("A generated test clip shipped in resources/clips/ (opened like any video file)"));
    progress_ = new QProgressBar(this);
    progress_->setMaximumWidth(160);
    progress_->setFormat(tr("analysing %p%"));
    progress_->hide();
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->hide();
    info_ = new QLabel(this);
    for (QWidget* w : std::initializer_list<QWidget*>{open, clip_, progress_, cancel_, info_}) bar->addWidget(w);
    bar->addStretch(1);
    outer->addLayout(bar);

    ask_ = new AskBar(tr("Type a caption to force-decode, e.g. “a bag moves left” — where in time does each word sit?"), this);
    outer->addWidget(ask_);
    words_ = new CaptionWordsView(this);
    words_->setToolTip(tr("Select a word to draw its attention on the timeline; highlighted words drew on the current frame"));
    outer->addWidget(words_);

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
    outer->addWidget(split, 1);

    timer_ = new QTimer(this);
    connect(timer_, &QTimer::timeout, this, [this] {
        if (slider_->value() + 1 >= frames_) return setPlaying(false);
        seek(slider_->value() + 1);
    });
    connect(open, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open video"), {}, tr("Videos (*.avi *.mp4 *.mkv *.webm *.mov *.mpg *.ogv);;All files (*)"));
        if (!p.isEmpty()) openVideo(p);
    });
    connect(clip_, &QSpinBox::editingFinished, this, [this] { openTestClip(clip_->value()); });
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
    auto* space = new QShortcut(QKeySequence(Qt::Key_Space), this, [this] { setPlaying(!play_->isChecked()); });
    space->setContext(Qt::WidgetWithChildrenShortcut);
    connect(cancel_, &QPushButton::clicked, analysis_, &VideoAnalysis::cancel);
    connect(cancel_, &QPushButton::clicked, this, [this] {
        progress_->hide();
        cancel_->hide();
        emit logMessage(tr("Video analysis cancelled"));
    });

    connect(worker_, &VideoFrameWorker::opened, this, [this](quint64 g, const VideoInfo& vi) {
        if (g != openGen_) return;
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
        requestFrame(0);
        analyse();
    }, Qt::QueuedConnection);
    connect(worker_, &VideoFrameWorker::failed, this, [this](quint64 g, const QString& m) {
        if (g != openGen_ && g != frameGen_) return;
        banner_->showMessage(MessageBanner::Level::Error, m);
        emit errorShown(m);
    }, Qt::QueuedConnection);
    connect(worker_, &VideoFrameWorker::frameReady, this, [this](quint64 g, int index, const QImage& img) {
        if (g != frameGen_) return;
        frame_->setFrame(img, index);
        emit frameShown(index);
    }, Qt::QueuedConnection);
    connect(worker_, &VideoFrameWorker::thumbnail, this, [this](quint64 g, int index, const QImage& img) {
        if (g == openGen_) timeline_->addThumbnail(index, img);
    }, Qt::QueuedConnection);
    connect(worker_, &VideoFrameWorker::log, this, &VideoWorkspace::logMessage, Qt::QueuedConnection);
    connect(analysis_, &VideoAnalysis::progress, this, [this](int done, int total) {
        progress_->setRange(0, std::max(1, total));
        progress_->setValue(done);
    });
    connect(analysis_, &VideoAnalysis::failed, this, [this](const QString& m) {
        progress_->hide();
        cancel_->hide();
        banner_->showMessage(MessageBanner::Level::Error, m);
        emit errorShown(m);
    });
    connect(analysis_, &VideoAnalysis::finished, this, [this](const TracePtr& t, const QVector<QImage>& frames) {
        progress_->hide();
        cancel_->hide();
        trace_ = t;
        sampled_ = frames;
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
        if (first < words.size()) words_->setSelected(first);
        else showWord(0);
        updateActiveWords();
        emit logMessage(tr("%1 → “%2”").arg(QString::fromStdString(t->meta("input")), QString::fromStdString(t->meta("caption"))));
        emit resultShown();
        emit traceShown();
    });
}

VideoWorkspace::~VideoWorkspace()
{
    analysis_->stop();
    thread_.quit();
    thread_.wait();
}

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
    ++openGen_;
    QMetaObject::invokeMethod(worker_, "open", Qt::QueuedConnection, Q_ARG(QString, path), Q_ARG(quint64, openGen_), Q_ARG(int, 40));
}

void VideoWorkspace::openTestClip(int index)
{
    clip_->setValue(index);
    const std::string rel = "clips/clip-" + QStringLiteral("%1").arg(index, 3, 10, QChar('0')).toStdString() + ".avi";
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
    analysis_->start(model_, path_, target_, 1);
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
    ++frameGen_;
    worker_->supersede(frameGen_);
    QMetaObject::invokeMethod(worker_, "frame", Qt::QueuedConnection, Q_ARG(int, index), Q_ARG(quint64, frameGen_));
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

bool VideoWorkspace::exportCurrentView(const QString& path, int dpi, QString* error)
{
    if (!trace_) {
        if (error) *error = tr("Nothing to export yet.");
        return false;
    }
    return exportVideoFigure(*trace_, sampled_, dpi, path, error);
}

} // namespace attnscope::ui
