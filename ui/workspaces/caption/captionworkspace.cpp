#include "workspaces/caption/captionworkspace.h"

#include "attnscope/kinds.h"

#include "attnscope/pipelines.h"
#include "attnscope/schema.h"
#include "jobs/jobtracker.h"
#include "jobs/models.h"
#include "jobs/pipelinejob.h"
#include "views/askbar.h"
#include "views/captionwordsview.h"
#include "views/datawriter.h"
#include "views/figurewriter.h"
#include "views/mapstripview.h"
#include "views/messagebanner.h"
#include "views/spatialoverlayview.h"
#include "views/testitempicker.h"
#include "workspaces/ablatedruns.h"
#include "workspaces/ablationcontrol.h"
#include "workspaces/caption/captionfigure.h"

#include <QAction>
#include <QComboBox>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QFileDialog>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScrollArea>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

CaptionWorkspace::CaptionWorkspace(QWidget* parent)
    : Workspace({kinds::kCaption, {}, {},
                 {imageFiles()}},
                parent)
{
    jobs_ = new JobTracker(this);
    auto* outer = new QVBoxLayout(this);
    outer->addWidget(banner_);

    outer->addLayout(createControls());

    ask_ = new AskBar(tr("Type a caption to force-decode, e.g. “a bag top left” — where would it look for each word?"), this);
    outer->addWidget(ask_);

    words_ = new CaptionWordsView(this);
    words_->setToolTip(tr("Click a word (or use Left / Right) to see where the model looked while writing it"));
    outer->addWidget(words_);

    outer->addWidget(createViews(), 1);
    connectViews();
}

QHBoxLayout* CaptionWorkspace::createControls()
{
    auto* bar = new QHBoxLayout;
    picker_ = new TestItemPicker(tr("scene #"), 100000,
                                 tr("A generated test scene (Fashion-MNIST test items); scenes 0–199 are also in "
                                    "resources/scenes/ as PNG files"),
                                 this);
    picker_->setObjectName("testItem");
    auto* open = new QPushButton(tr("Open scene…"), this);
    open->setToolTip(tr("Any image: grey, light backgrounds inverted, fitted into 84×84"));
    mode_ = new QComboBox(this);
    mode_->addItem(tr("Soft attention"), int(AttentionMode::Soft));
    mode_->addItem(tr("Hard attention (arg-max)"), int(AttentionMode::HardArgmax));
    mode_->addItem(tr("Hard attention (sampled)"), int(AttentionMode::HardSample));
    mode_->setToolTip(tr("Soft: the context is the α-weighted mean of the 49 annotation vectors (Xu et al. §4.2).\n"
                         "Hard: the decoder reads one location — the most probable, or one sampled from α (§4.1) — "
                         "with the same trained weights."));
    ablation_ = new AblationControl(this);
    ablate_ = ablation_->singleHeadChooser(QString::fromLatin1(schema::caption::kAttention), this);
    ablate_->setObjectName("ablation");
    beam_ = new QSpinBox(this);
    beam_->setRange(1, 10);
    beam_->setPrefix(tr("beam "));
    beam_->setToolTip(tr("Beam width (1 = greedy decoding)"));
    opacity_ = new QSlider(Qt::Horizontal, this);
    opacity_->setRange(0, 100);
    opacity_->setValue(60);
    opacity_->setMaximumWidth(140);
    opacity_->setToolTip(tr("Opacity of the attention map over the scene"));
    for (QWidget* w : std::initializer_list<QWidget*>{picker_, open, mode_, ablate_, beam_, new QLabel(tr("Opacity:"), this), opacity_})
        bar->addWidget(w);
    bar->addStretch(1);
    connect(open, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open scene"), {}, tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;All files (*)"));
        if (!p.isEmpty()) openFile(p);
    });
    return bar;
}

QWidget* CaptionWorkspace::createViews()
{
    auto* split = new QSplitter(Qt::Vertical, this);
    auto* top = new QWidget(split);
    auto* tl = new QHBoxLayout(top);
    tl->setContentsMargins(0, 0, 0, 0);
    overlay_ = new SpatialOverlayView(top);
    overlay_->setSmoothing(0.5);
    overlay_->setValueName(tr("attention α"));
    tl->addWidget(overlay_, 3);
    auto* side = new QGroupBox(tr("Caption"), top);
    auto* sl = new QVBoxLayout(side);
    info_ = new QLabel(side);
    info_->setWordWrap(true);
    info_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    wordInfo_ = new QLabel(side);
    wordInfo_->setWordWrap(true);
    sl->addWidget(info_);
    sl->addWidget(wordInfo_);
    sl->addStretch(1);
    side->setMinimumWidth(280);
    tl->addWidget(side, 2);
    strip_ = new MapStripView(split);
    strip_->setGrey(false);
    strip_->setColumns(10);
    strip_->setToolTip(tr("Every word's attention over the scene (Xu et al. Fig. 2); click a tile to select its word"));
    auto* scroll = new QScrollArea(split);
    scroll->setWidget(strip_);
    scroll->setWidgetResizable(true);
    split->addWidget(top);
    split->addWidget(scroll);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({440, 260});
    return split;
}

void CaptionWorkspace::connectViews()
{
    connect(addCommand(tr("&Random scene"), QKeySequence(Qt::CTRL | Qt::Key_R), tr("A random generated test scene")),
            &QAction::triggered, picker_->randomButton(), &QPushButton::click);
    connect(addCommand(tr("&Next word"), QKeySequence(Qt::ALT | Qt::Key_Right), tr("Select the next word of the caption")),
            &QAction::triggered, this, [this] { selectWord(std::min(words_->selected() + 1, words_->count() - 1)); });
    connect(addCommand(tr("&Previous word"), QKeySequence(Qt::ALT | Qt::Key_Left), tr("Select the previous word of the caption")),
            &QAction::triggered, this, [this] { selectWord(std::max(words_->selected() - 1, 0)); });
    connect(picker_, &TestItemPicker::itemPicked, this, &CaptionWorkspace::showTestScene);
    connect(mode_, &QComboBox::currentIndexChanged, this, [this] { request(); });
    connect(beam_, &QSpinBox::valueChanged, this, [this] { request(); });
    connect(ablation_, &AblationControl::changed, this, [this] { request(); });
    connect(opacity_, &QSlider::valueChanged, this, [this](int v) {
        overlay_->setOpacity(v / 100.0);
        strip_->setUnderlay(sceneImage_, v / 100.0);
    });
    connect(ask_, &AskBar::asked, this, [this](const QString& c) { forceCaption(c); });
    connect(words_, &CaptionWordsView::wordSelected, this, &CaptionWorkspace::showWord);
    connect(strip_, &MapStripView::tileClicked, this, &CaptionWorkspace::selectWord);
}

void CaptionWorkspace::showTestScene(int index)
{
    sceneIndex_ = index;
    path_.clear();
    request();
}

bool CaptionWorkspace::openFile(const QString& path)
{
    path_ = path;
    request();
    return true;
}

void CaptionWorkspace::setModel(const QString& nameOrPath)
{
    model_ = nameOrPath;
    request();
}

void CaptionWorkspace::setAttentionMode(AttentionMode mode) { mode_->setCurrentIndex(mode_->findData(int(mode))); }

void CaptionWorkspace::setBeamWidth(int width) { beam_->setValue(width); }

void CaptionWorkspace::forceCaption(const QString& caption)
{
    target_ = caption.trimmed();
    ask_->setText(caption);
    request();
}

void CaptionWorkspace::selectWord(int index) { words_->setSelected(index); }

void CaptionWorkspace::setOpacity(double opacity) { opacity_->setValue(int(std::lround(opacity * 100))); }

int CaptionWorkspace::selectedWord() const { return words_->selected(); }

void CaptionWorkspace::request()
{
    CaptionRequest r;
    r.model = model_.toStdString();
    r.path = path_.toStdString();
    r.sceneIndex = sceneIndex_;
    r.options.mode = attentionMode();
    r.options.beamWidth = beam_->value();
    r.options.sampleSeed = 1;
    r.options.target = target_.toStdString();
    r.options.ablation = ablation_->ablation();
    runPipeline<AblatedRuns<CaptionResult>>(
        jobs_, r, runCaptionAblated,
        [this, path = path_, index = sceneIndex_](const AblatedRuns<CaptionResult>& runs, double ms) {
            if (path.isEmpty()) picker_->showItem(index);
            else picker_->showFile(path);
            onResult(runs.result, ms, runs.baseline.trace ? &runs.baseline : nullptr);
        },
        [this](const QString& message) { showError(message); });
}

AttentionMode CaptionWorkspace::attentionMode() const { return AttentionMode(mode_->currentData().toInt()); }

int CaptionWorkspace::beamWidth() const { return beam_->value(); }

int CaptionWorkspace::itemOfWord(int word) const
{
    if (!trace_ || !gold_) return -1;
    const QStringList words = captionWordsOf(*trace_);
    int k = 0;
    for (int w = 0; w < words.size(); ++w) {
        if (itemLabel(words[w].toStdString()) < 0) continue;
        if (w == word) return k < int(gold_->items.size()) ? k : -1;
        ++k;
    }
    return -1;
}

void CaptionWorkspace::onResult(const CaptionResult& r, double milliseconds, const CaptionResult* baseline)
{
    banner_->clearMessage();
    const int keep = restoredWord_ >= 0 ? restoredWord_ : words_->selected();
    const bool restored = restoredWord_ >= 0;
    restoredWord_ = -1;
    const bool sameWords = trace_ && captionWordsOf(*trace_) == captionWordsOf(*r.trace);
    trace_ = r.trace;
    gold_ = r.gold;
    showResultWarning(*trace_);
    sceneImage_ = sceneImage(*trace_);
    overlay_->setImage(sceneImage_);
    overlay_->setTitle(QString::fromStdString(r.source));
    QVector<QRect> boxes;
    if (gold_)
        for (const auto& it : gold_->items) boxes.append(QRect(it.x, it.y, it.width, it.height));
    overlay_->setBoxes(boxes);

    const QStringList words = captionWordsOf(*trace_);
    words_->setWords(words, wordTooltips(*trace_));
    strip_->setUnderlay(sceneImage_, opacity_->value() / 100.0);
    strip_->setTiles(wordAttentionTiles(*trace_));

    // Hit (green) / miss (red) per item word, when the caption names the gold items in order.
    QString score;
    if (gold_) {
        std::vector<int> labels;
        for (const auto& w : words)
            if (int l = itemLabel(w.toStdString()); l >= 0) labels.push_back(l);
        std::vector<int> goldLabels;
        for (const auto& it : gold_->items) goldLabels.push_back(it.label);
        if (labels.size() == goldLabels.size()) {
            QVector<int> marks(words.size(), 0);
            const TraceTensor* att = trace_->find(schema::caption::kAttention);
            const int L = int(att->shape[1]), g = int(std::lround(std::sqrt(double(L))));
            const double cell = double(kSceneSize) / g;
            for (int w = 0; w < words.size(); ++w) {
                const int k = itemOfWord(w);
                if (k < 0) continue;
                const auto row = att->values.begin() + ptrdiff_t(w) * L;
                const int best = int(std::max_element(row, row + L) - row);
                marks[w] = gold_->items[size_t(k)].contains((best % g + 0.5) * cell, (best / g + 0.5) * cell) ? 1 : 2;
            }
            words_->setMarks(marks);
            const CaptionScore s = scoreCaptionAttention(*trace_, *gold_);
            score = tr("<br>Item words whose attention peak is inside the item's box: <b>%1 of %2</b> "
                       "(green underline = hit, red = miss); attention mass inside the boxes %3 (uniform attention: %4)")
                        .arg(s.peakHits)
                        .arg(s.itemWords)
                        .arg(s.mass / std::max(1, s.itemWords), 0, 'f', 2)
                        .arg(s.uniformMass / std::max(1, s.itemWords), 0, 'f', 2);
        }
    }
    const bool forced = trace_->meta(schema::kModeMeta) == schema::kForced;
    const QString caption = QString::fromStdString(trace_->meta(schema::caption::kCaptionMeta)).toHtmlEscaped();
    QString text = tr("<b>%1</b>: “%2”").arg(forced ? tr("Your caption") : tr("Model"), caption);
    if (baseline) {  // the ablated caption, its changed words and Δ log p against the unablated run
        ablation_->remember({}, QString::fromStdString(baseline->trace->meta(schema::caption::kCaptionMeta)), baseline->trace);
        text = ablation_->describe(forced ? tr("Your caption") : tr("Model"),
                                   QString::fromStdString(trace_->meta(schema::caption::kCaptionMeta)), *trace_);
    }
    if (gold_) {
        const bool exact = captionWords(trace_->meta(schema::caption::kCaptionMeta)) == captionWords(gold_->caption);
        text += tr("<br><b>Generated from the layout</b>: “%1”%2")
                    .arg(QString::fromStdString(gold_->caption).toHtmlEscaped(), exact ? tr(" ✓ same") : QString());
    }
    text += tr("<br>%1 · %2 attention · log p = %3 · %4 ms")
                .arg(forced ? tr("forced decoding") : QString::fromStdString(trace_->meta(schema::caption::kDecodingMeta)),
                     QString::fromStdString(trace_->meta(schema::caption::kAttentionMeta)),
                     QString::fromStdString(trace_->meta(schema::caption::kLogProbabilityMeta)))
                .arg(milliseconds, 0, 'f', 0);
    if (r.image && !r.image->notes.empty()) {
        QStringList notes;
        for (const auto& n : r.image->notes) notes << QString::fromStdString(n).toHtmlEscaped();
        text += tr("<br><i>Input</i>: %1").arg(notes.join(QStringLiteral("; ")));
    }
    info_->setText(text + score);
    if (words.isEmpty()) {
        overlay_->clearMap();
        wordInfo_->setText(tr("The model ended the caption at once (no words)."));
    } else {
        // Keep the selected position when only the attention changed (e.g. soft → hard); else
        // start on the first item word, the most telling map.
        int first = 0;
        while (first < words.size() && itemLabel(words[first].toStdString()) < 0) ++first;
        const int sel = (sameWords || restored) && keep >= 0 ? std::min(keep, int(words.size()) - 1) : first < words.size() ? first : 0;
        if (sel != words_->selected()) words_->setSelected(sel);
        else showWord(sel);
    }
    emit resultShown();
    emit traceShown();
}

void CaptionWorkspace::showWord(int index)
{
    if (!trace_) return;
    const MapTile tile = wordAttentionTile(*trace_, index);
    if (tile.rows == 0) return;
    overlay_->setMap(tile.values, tile.rows, tile.cols);
    strip_->setSelected(index);
    const int item = itemOfWord(index);
    QVector<QRect> boxes;
    if (gold_)
        for (const auto& it : gold_->items) boxes.append(QRect(it.x, it.y, it.width, it.height));
    overlay_->setBoxes(boxes, item);
    const QStringList tips = wordTooltips(*trace_);
    QString text = tips.value(index);
    if (trace_->find(schema::caption::kSoftAttention)) {
        const MapTile s = wordAttentionTile(*trace_, index, schema::caption::kSoftAttention);
        const auto used = std::max_element(tile.values.begin(), tile.values.end()) - tile.values.begin();
        if (size_t(used) < s.values.size())
            text += tr("<br>hard attention read the cell shown; the soft α there was %1").arg(double(s.values[size_t(used)]), 0, 'f', 3);
    }
    if (item >= 0) text += tr("<br>names item %1 of the scene (box outlined in red)").arg(item + 1);
    wordInfo_->setText(text);
}

bool CaptionWorkspace::hasInput() const { return trace_ || jobs_->running(); }

void CaptionWorkspace::showDefault() { showTestScene(0); }

QList<ShortcutInfo> CaptionWorkspace::viewKeys() const
{
    return {{tr("Left / Right, Home / End"), tr("Caption: select the previous / next / first / last word")},
            {tr("Click a word or a tile"), tr("Show where the model looked for that word")}};
}

BuiltFigure CaptionWorkspace::currentFigure()
{
    if (!trace_) return BuiltFigure::none(tr("Nothing to export yet."));
    CaptionFigureOptions o;
    o.opacity = opacity_->value() / 100.0;
    o.colorMap = overlay_->colorMap();
    return buildCaptionFigure(*trace_, o);
}

ViewData CaptionWorkspace::currentData() const
{
    const TraceTensor* a = trace_ ? trace_->find(schema::caption::kAttention) : nullptr;
    if (!a || a->shape.size() != 2 || a->labels.size() != 2) return ViewData::none(tr("Nothing to export yet."));
    ViewData d;
    d.table.corner = tr("word \\ region");
    for (const auto& w : a->labels[0]) d.table.rowLabels << QString::fromStdString(w);
    for (const auto& r : a->labels[1]) d.table.columnLabels << QString::fromStdString(r);
    d.table.values = a->values;
    const int g = int(std::lround(std::sqrt(double(a->shape[1]))));
    if (g * g == a->shape[1]) d.table.npyShape = {a->shape[0], g, g};
    d.fileName = QStringLiteral("caption-attention.csv");
    d.description = tr("Every word's attention α over the grid regions [word × region] (.npy: [word, row, col])");
    return d;
}

void CaptionWorkspace::setColorMap(const QString& name)
{
    overlay_->setColorMap(name);
    strip_->setColorMap(name);
}

WorkspaceSection CaptionWorkspace::saveState() const
{
    WorkspaceSection s;
    const QJsonObject input = path_.isEmpty() ? QJsonObject{{"scene", sceneIndex_}} : QJsonObject{{"file", path_}};
    s.state = QJsonObject{{"model", model_},
                          {"input", input},
                          {"caption", target_},
                          {"word", words_->selected()},
                          {"attention", int(attentionMode())},
                          {"beam", beam_->value()},
                          {"opacity", opacity_->value()},
                          {"ablation", ablation_->toJson()}};
    return s;
}

bool CaptionWorkspace::restoreState(const WorkspaceSection& section, QString* error)
{
    Q_UNUSED(error);
    const QJsonObject& o = section.state;
    for (QWidget* w : std::initializer_list<QWidget*>{mode_, beam_, opacity_}) w->blockSignals(true);
    mode_->setCurrentIndex(std::max(0, mode_->findData(o["attention"].toInt())));
    beam_->setValue(std::max(1, o["beam"].toInt(1)));
    opacity_->setValue(o["opacity"].toInt(opacity_->value()));
    for (QWidget* w : std::initializer_list<QWidget*>{mode_, beam_, opacity_}) w->blockSignals(false);
    overlay_->setOpacity(opacity_->value() / 100.0);
    model_ = o["model"].toString(model_);
    const QJsonObject in = o["input"].toObject();
    if (!in.contains("file") && !in.contains("scene")) {
        // The picture it named was refused (outside the workspace file's folder, or gone; the
        // window's banner says which): nothing is captioned in its place — never test scene 0
        // with the caption asked of the picture.
        ask_->setText(QString());
        target_.clear();
        showError(tr("The workspace's picture was not opened: pick a test scene or open a picture"));
        return true;
    }
    path_ = in["file"].toString();
    sceneIndex_ = in["scene"].toInt();
    target_ = o["caption"].toString();
    ask_->setText(target_);
    restoredWord_ = o["word"].toInt(-1);
    ablation_->fromJson(o["ablation"].toObject(), false);  // one request, below
    request();
    return true;
}

} // namespace attnscope::ui
