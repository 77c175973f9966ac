// `attnscope prune RECOGNISER|CLASSIFIER`: pruning curves of a vision model's attention heads
// (Michel et al. 2019, §4): lines of text rendered here (DejaVu Sans, fixed seed) read by a
// recogniser, or labelled images (one folder per class) through an ONNX classifier, with 0, 10,
// …, 100 % of the heads zeroed — in importance order (each head alone zeroed: how much accuracy
// drops, then the confidence) and in random orders — scored by character or top-1 accuracy.
#include "workspaces/vision/visioncli.h"
#include "cli/clicommon.h"
#include "cli/clipruning.h"

#include "attnscope/ablation.h"
#include "attnscope/schema.h"
#include "attnscope/visionmodel.h"
#include "workspaces/ablationcontrol.h"
#include "workspaces/vision/visionmaps.h"

#include <QCommandLineParser>
#include <QDir>
#include <QImage>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>

namespace attnscope::cli {

namespace {
/// Common English words: the rendered lines are drawn from them.
const char* const kWords[] = {
    "the",    "light",  "river",  "stone",  "garden", "seven",  "house",  "market", "window", "paper",  "morning", "bread",
    "city",   "north",  "water",  "green",  "letter", "summer", "winter", "number", "table",  "people", "road",    "bridge",
    "music",  "silver", "orange", "horse",  "school", "travel", "simple", "little", "public", "street", "village", "yellow",
    "forest", "island", "mother", "father", "friend", "answer", "window", "corner", "minute", "record", "station", "camera",
    "2026",   "48",     "315",    "Monday", "Paris",  "London", "Alpha",  "Delta",  "Harbor", "Oxford", "Quartz",  "Zebra"};

/// `count` lines of 2–4 words, the same on every machine (mt19937's values are specified; the
/// distributions of <random> are not, so none is used).
std::vector<std::string> renderedTexts(int count)
{
    std::mt19937 rng{20261207u};
    const uint32_t n = uint32_t(sizeof kWords / sizeof kWords[0]);
    std::vector<std::string> out;
    for (int i = 0; i < count; ++i) {
        const uint32_t words = 2 + rng() % 3;
        std::string line;
        for (uint32_t w = 0; w < words; ++w) line += (w ? " " : "") + std::string(kWords[rng() % n]);
        out.push_back(line);
    }
    return out;
}

/// A rendered line (renderedLine, 800×60) as 8-bit BGR rows.
std::vector<uint8_t> renderLine(const std::string& text)
{
    const QImage img = ui::renderedLine(QString::fromStdString(text), 800).convertToFormat(QImage::Format_RGB888);
    std::vector<uint8_t> bgr;
    bgr.reserve(size_t(800 * 60 * 3));
    for (int y = 0; y < img.height(); ++y) {
        const uchar* row = img.constScanLine(y);
        for (int x = 0; x < img.width(); ++x) bgr.insert(bgr.end(), {row[3 * x + 2], row[3 * x + 1], row[3 * x]});
    }
    return bgr;
}

/// Levenshtein distance between two strings of characters (Unicode code points).
size_t editDistance(const QString& a, const QString& b)
{
    const auto x = a.toUcs4(), y = b.toUcs4();
    std::vector<size_t> prev(size_t(y.size()) + 1), cur(prev.size());
    std::iota(prev.begin(), prev.end(), size_t(0));
    for (qsizetype i = 1; i <= x.size(); ++i) {
        cur[0] = size_t(i);
        for (qsizetype j = 1; j <= y.size(); ++j)
            cur[size_t(j)] = std::min({prev[size_t(j)] + 1, cur[size_t(j - 1)] + 1, prev[size_t(j - 1)] + (x[i - 1] == y[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev.back();
}

struct Reading {
    double accuracy = 0;    ///< character accuracy over every line, % (100 · (1 − Σ edits / Σ characters)); classifiers: top-1, %
    double confidence = 0;  ///< mean best-class CTC score per step; classifiers: mean p(true class)
};
} // namespace

namespace {
/// A classifier's test images in the ImageFolder layout: DIR/<class name>/<image>, sorted.
Status imageFolder(const QString& dir, std::vector<std::pair<std::string, std::string>>& out)
{
    out.clear();
    const QDir root(dir);
    if (!root.exists()) return Status::error(dir.toStdString() + " is not a folder");
    const QStringList images{"*.png", "*.jpg", "*.jpeg", "*.bmp", "*.tif", "*.tiff", "*.webp"};
    for (const QString& cls : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QDir sub(root.filePath(cls));
        for (const QString& f : sub.entryList(images, QDir::Files, QDir::Name)) out.emplace_back(sub.filePath(f).toStdString(), cls.toStdString());
    }
    if (out.empty())
        return Status::error(dir.toStdString() + " holds no images in class folders (DIR/<class name>/<image>.png, as ImageFolder reads them)");
    return Status::success();
}
} // namespace

int cmdPruneVision(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "a text recogniser (ppocr-rec, or an ONNX model whose sidecar has \"ctc\") or an ONNX "
                                     "classifier (sidecar \"classes\")");
    p.addOption({"lines", "recognisers: rendered lines to read", "N", "60"});
    p.addOption({"images", "classifiers: the test images, one folder per class named as its label (DIR/Bag/1.png, …)", "DIR"});
    p.addOption({"seeds", "random orders for contrast", "N", "3"});
    p.addOption({"out", "output: .csv, or a chart as .png .svg .pdf", "file"});
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    if (p.positionalArguments().size() != 1 || !p.isSet("out")) return usage("prune takes MODEL --out FILE.csv|.png");
    const QString out = p.value("out");
    if (!isPruningOutput(out)) return usage("--out " + out.toStdString() + ": .csv, .png, .svg or .pdf");
    bool ok = false, ok2 = false;
    const int lines = p.value("lines").toInt(&ok), seeds = p.value("seeds").toInt(&ok2);
    if (!ok || lines < 1 || lines > 10000) return usage("--lines must be a whole number 1…10000");
    if (!ok2 || seeds < 0 || seeds > 20) return usage("--seeds must be a whole number 0…20");
    const std::string name = p.positionalArguments()[0].toStdString();
    VisionModel model;
    if (auto st = model.load(name); !st) return fail(st.message);
    const bool classifier = !model.spec().classOutput.empty();
    if (!classifier && model.spec().ctcOutput.empty())
        return fail(name + " neither reads text nor classifies (its sidecar has no \"ctc\" and no \"classes\"): pruning curves of "
                           "vision models score a recogniser's character accuracy or a classifier's accuracy");
    if (classifier && !p.isSet("images"))
        return usage("a classifier's pruning curve needs --images DIR: its test images, one folder per class named as its label");

    // What is read and how it is scored: rendered lines (character accuracy, mean CTC
    // confidence) or labelled images (top-1 accuracy, mean probability of the true class).
    std::vector<std::string> texts;
    std::vector<std::vector<uint8_t>> pictures;
    std::vector<std::pair<std::string, std::string>> labelled;
    if (classifier) {
        if (auto st = imageFolder(p.value("images"), labelled); !st) return fail(st.message);
    } else {
        texts = renderedTexts(lines);
        for (const auto& t : texts) pictures.push_back(renderLine(t));
    }
    const size_t items = classifier ? labelled.size() : texts.size();
    const auto runItem = [&](size_t i, const HeadAblation* ablation, AttentionTrace& trace) {
        return classifier ? model.run(labelled[i].first, trace, {}, ablation)
                          : model.runPicture(pictures[i], 800, 60, "line " + std::to_string(i + 1), trace, {}, ablation);
    };
    // Every item read once with `ablation` (null: the model as it is).
    const auto read = [&](const HeadAblation* ablation, Reading& r, AttentionTrace* first) -> Status {
        size_t edits = 0, characters = 0, correct = 0;
        double confidence = 0;
        size_t steps = 0;
        for (size_t i = 0; i < items; ++i) {
            AttentionTrace trace;
            if (auto st = runItem(i, ablation, trace); !st) return st;
            if (classifier) {
                const std::string& want = labelled[i].second;
                const double pTrue = ui::classProbability(trace, want);
                if (std::isnan(pTrue)) return Status::error("the folder '" + want + "' is not one of " + name + "'s classes");
                correct += trace.meta(schema::vision::kPredictionMeta) == want;
                confidence += pTrue, ++steps;
            } else {
                const QString got = QString::fromStdString(trace.meta(schema::vision::kTextMeta)).trimmed();
                const QString want = QString::fromStdString(texts[i]);
                edits += editDistance(got, want);
                characters += size_t(want.toUcs4().size());
                if (const TraceTensor* c = trace.find(schema::vision::kCtc))
                    for (float v : c->values) confidence += v, ++steps;
            }
            if (first && i == 0) *first = std::move(trace);
        }
        r.accuracy = classifier ? 100.0 * double(correct) / double(items)
                                : std::max(0.0, 100.0 * (1.0 - double(edits) / double(std::max<size_t>(characters, 1))));
        r.confidence = steps ? confidence / double(steps) : 0;
        return Status::success();
    };
    const auto progress = progressPrinter("pruning");
    AttentionTrace probe;
    Reading base;
    if (auto st = read(nullptr, base, &probe); !st) return fail(st.message);
    const TraceTensor* attention = probe.find(schema::vision::kAttention);
    if (!attention || attention->shape.size() != 4) return fail(name + ": no attention heads found in the graph");
    const int L = int(attention->shape[0]), H = int(attention->shape[1]), N = L * H;
    constexpr int kSteps = 10;
    const int64_t total = int64_t(N) + int64_t(1 + seeds) * (kSteps + 1);
    int64_t done = 0;

    // Importance: each head alone zeroed; the least important loses the least accuracy (then confidence).
    struct Head {
        int layer, head;
        double deltaAccuracy, deltaConfidence;
    };
    std::vector<Head> heads;
    for (int l = 0; l < L; ++l)
        for (int h = 0; h < H; ++h) {
            if (!keepGoing(progress, done++, total)) return fail("cancelled");
            HeadAblation one;
            one.heads[schema::vision::kAttention][l] = {h};
            Reading r;
            if (auto st = read(&one, r, nullptr); !st) return fail(st.message);
            heads.push_back({l, h, r.accuracy - base.accuracy, r.confidence - base.confidence});
        }
    std::vector<std::vector<Head>> orders{heads};
    std::stable_sort(orders[0].begin(), orders[0].end(), [](const Head& a, const Head& b) {
        return a.deltaAccuracy != b.deltaAccuracy ? a.deltaAccuracy > b.deltaAccuracy : a.deltaConfidence > b.deltaConfidence;
    });
    PruningTable table;
    table.model = name;
    table.corpus = classifier ? p.value("images").toStdString() + " (images by class folder)" : "lines rendered in DejaVu Sans 36 px";
    table.items = items;
    table.heads = size_t(N);
    table.ranking = classifier ? "ablation (Δ top-1 accuracy)" : "ablation (Δ character accuracy)";
    table.metric = "accuracy";
    table.metricLabel = classifier ? "top-1 accuracy (%)" : "character accuracy (%)";
    table.curves.push_back({"importance", {}});
    for (int s = 1; s <= seeds; ++s) {
        std::vector<Head> shuffled = heads;
        std::mt19937 rng{static_cast<uint32_t>(s)};
        for (size_t i = shuffled.size(); i > 1; --i) std::swap(shuffled[i - 1], shuffled[rng() % i]);  // Fisher–Yates
        orders.push_back(std::move(shuffled));
        table.curves.push_back({"random (seed " + std::to_string(s) + ")", {}});
    }
    for (int step = 0; step <= kSteps; ++step) {
        table.fractions.push_back(double(step) / kSteps);
        table.removed.push_back(int(std::lround(double(N) * step / kSteps)));
    }
    for (size_t o = 0; o < orders.size(); ++o)
        for (int step = 0; step <= kSteps; ++step) {
            if (!keepGoing(progress, done++, total)) return fail("cancelled");
            HeadAblation a;
            for (int i = 0; i < table.removed[size_t(step)]; ++i)
                a.heads[schema::vision::kAttention][orders[o][size_t(i)].layer].push_back(orders[o][size_t(i)].head);
            for (auto& [layer, hs] : a.heads[schema::vision::kAttention]) std::sort(hs.begin(), hs.end());
            Reading r;
            if (auto st = read(a.empty() ? nullptr : &a, r, nullptr); !st) return fail(st.message);
            table.curves[o].second.push_back(r.accuracy);
        }
    keepGoing(progress, total, total);
    if (classifier)
        std::printf("unablated: top-1 accuracy %.1f%%, mean probability of the true class %.4f over %zu images\n", base.accuracy,
                    base.confidence, items);
    else
        std::printf("unablated: character accuracy %.1f%%, mean CTC confidence %.4f over %d lines\n", base.accuracy, base.confidence, lines);
    for (size_t i = 0; i < orders[0].size(); ++i)
        if (i < 3 || i + 3 >= orders[0].size())
            std::printf("%s layer %d head %d  Δ accuracy %+.1f points, Δ confidence %+.4f\n", i < 3 ? "least" : "most ",
                        orders[0][i].layer + 1, orders[0][i].head + 1, orders[0][i].deltaAccuracy, orders[0][i].deltaConfidence);
    return finishPruningTable(table, out);
}

} // namespace attnscope::cli
