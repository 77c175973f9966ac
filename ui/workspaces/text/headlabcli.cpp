// The head lab's corpus commands: `heads --importance`, `prune`, and `merge` — each measurement
// can run as shards (`--shard K/N`, e.g. a Slurm array job) that write partial results, and
// `merge` combines the shards' partials into exactly the table or chart one run writes.
#include "workspaces/text/textcli.h"
#include "cli/clicommon.h"
#include "cli/clipruning.h"

#include "attnscope/corpus.h"
#include "attnscope/savefile.h"
#include "attnscope/translator.h"


#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace attnscope::cli {

namespace {
constexpr int kPartialVersion = 1;

QJsonValue number(double x) { return std::isnan(x) ? QJsonValue() : QJsonValue(x); }
double numberOf(const QJsonValue& v) { return v.isDouble() ? v.toDouble() : std::nan(""); }

/// What every partial says of its run, checked by `merge`: the measurement, model, corpus, method, shard.
QJsonObject partialHeader(const char* what, const std::string& model, const std::string& corpus, size_t splitVerses,
                          const QString& method, const Shard& shard, int verses)
{
    return {{"attnscope_partial", what},
            {"version", kPartialVersion},
            {"model", QString::fromStdString(model)},
            {"corpus", QString::fromStdString(corpus)},
            {"split_verses", qint64(splitVerses)},
            {"method", method},
            {"shard", QJsonArray{shard.index, shard.count}},
            {"verses", verses}};
}

Status writePartial(const QString& path, const QJsonObject& o)
{
    const QByteArray json = QJsonDocument(o).toJson(QJsonDocument::Compact);
    return saveFileAtomically(path.toStdString(), json.constData(), size_t(json.size()));
}

/// A shard's output must be a .json partial (for `merge`), never the final table's name.
Status checkPartialPath(const QString& out)
{
    if (!out.endsWith(".json", Qt::CaseInsensitive))
        return Status::error("--shard writes a partial result for `attnscope merge`: give --out FILE.json (not " + out.toStdString() + ")");
    return Status::success();
}

const char* methodName(bool ablation) { return ablation ? "ablation" : "gradient"; }

/// The importance table as one run writes it: CSV to `out`, the five most and least important printed.
int finishImportance(const std::vector<HeadImportance>& out, const std::string& model, const std::string& corpus, size_t verses,
                     bool ablation, const QString& path)
{
    const std::string csv = importanceCsv(out, ablation ? ImportanceMethod::Ablation : ImportanceMethod::Gradient);
    // Most important first: the largest loss of log-likelihood, or the largest gradient score.
    std::vector<HeadImportance> sorted = out;
    std::sort(sorted.begin(), sorted.end(), [&](const HeadImportance& a, const HeadImportance& b) {
        return ablation ? a.deltaLogLikelihood < b.deltaLogLikelihood : a.gradient > b.gradient;
    });
    std::printf("model %s, %s, %zu verses, importance by %s\n", model.c_str(), corpus.c_str(), verses,
                ablation ? "ablation (Δ log-likelihood per verse and ΔBLEU, head zeroed)" : "gradient (Michel et al. 2019, per-layer l2)");
    for (size_t i = 0; i < sorted.size(); ++i)
        if (i < 5 || i + 5 >= sorted.size())
            std::printf("%s %-16s layer %d head %d  %+.4f%s\n", i < 5 ? "most " : "least", sorted[i].kind.c_str(), sorted[i].layer + 1,
                        sorted[i].head + 1, ablation ? sorted[i].deltaLogLikelihood : sorted[i].gradient,
                        ablation && !std::isnan(sorted[i].deltaBleu) ? QStringLiteral("  ΔBLEU %1").arg(sorted[i].deltaBleu, 0, 'f', 2).toUtf8().constData() : "");
    if (auto st = saveFileAtomically(path.toStdString(), csv); !st) return fail(st.message);
    std::cerr << "wrote " << path.toStdString() << "\n";
    return 0;
}

/// The pruning curves as one run writes them (cli/clipruning.h): BLEU at each share of heads zeroed.
int finishPruning(const std::vector<PruningCurve>& curves, const std::string& model, const std::string& corpus, size_t verses,
                  size_t heads, const QString& method, const QString& out)
{
    PruningTable table;
    table.model = model;
    table.corpus = corpus;
    table.items = verses;
    table.heads = heads;
    table.ranking = method.toStdString();
    table.metric = "bleu";
    table.metricLabel = "BLEU";
    if (!curves.empty()) {
        table.fractions = curves.front().fractions;
        table.removed = curves.front().removed;
    }
    for (const auto& c : curves) table.curves.push_back({c.order, c.bleu});
    return finishPruningTable(table, out);
}

/// A head's row of a partial: [kind, layer, head (1-based), Δ log-likelihood, ΔBLEU (null: not measured)].
QJsonArray headRow(const HeadImportance& h)
{
    return {QString::fromStdString(h.kind), h.layer + 1, h.head + 1, number(h.deltaLogLikelihood), number(h.deltaBleu)};
}

QJsonArray statsRow(const BleuStats& s)
{
    QJsonArray a;
    for (double m : s.matches) a.append(m);
    for (double t : s.totals) a.append(t);
    a.append(s.hypothesisLength);
    a.append(s.referenceLength);
    return a;
}

/// An importance ranking written by `heads --importance` (or `merge`): its heads and method.
Status readRanking(const QString& path, std::vector<HeadImportance>& out, ImportanceMethod& method)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return Status::error(path.toStdString() + ": " + f.errorString().toStdString());
    const QStringList lines = QString::fromUtf8(f.read(16 << 20)).split('\n', Qt::SkipEmptyParts);
    const QString header = lines.value(0).trimmed();
    if (header == "kind,layer,head,delta_log_likelihood,delta_bleu" || header == "kind,layer,head,delta_log_likelihood")
        method = ImportanceMethod::Ablation;
    else if (header == "kind,layer,head,gradient_importance") method = ImportanceMethod::Gradient;
    else return Status::error(path.toStdString() + ": not an importance table (`attnscope heads --importance … --out FILE.csv` writes one)");
    out.clear();
    for (int i = 1; i < lines.size(); ++i) {
        const QStringList f = lines[i].trimmed().split(',');
        bool ok[3] = {false, false, false};
        HeadImportance h{f.value(0).toStdString(), f.value(1).toInt(&ok[0]) - 1, f.value(2).toInt(&ok[1]) - 1, std::nan(""), std::nan("")};
        const double v = f.value(3).toDouble(&ok[2]);
        if (f.size() != header.count(',') + 1 || !ok[0] || !ok[1] || !ok[2] || h.layer < 0 || h.head < 0)
            return Status::error(path.toStdString() + " line " + std::to_string(i + 1) + ": expected " + header.toStdString());
        (method == ImportanceMethod::Ablation ? h.deltaLogLikelihood : h.gradient) = v;
        out.push_back(h);
    }
    if (out.empty()) return Status::error(path.toStdString() + ": no head in the table");
    return Status::success();
}
} // namespace

int runImportance(const QCommandLineParser& p, VerseDecoder& model, const std::vector<const Verse*>& verses, bool ablation)
{
    const ImportanceMethod method = ablation ? ImportanceMethod::Ablation : ImportanceMethod::Gradient;
    Shard shard;
    if (p.isSet("shard")) {
        if (auto st = parseShard(p.value("shard").toStdString(), shard); !st) return usage(st.message);
        if (auto st = checkPartialPath(p.value("out")); !st) return usage(st.message);
    }
    ImportancePartial part;
    if (auto st = model.headImportanceShard(verses, method, shard, part,
                                            progressPrinter(ablation ? "importance (heads)" : "importance (verses)"));
        !st)
        return fail(st.message);
    if (p.isSet("shard")) {
        QJsonObject o = partialHeader("importance", model.modelName(), corpusName(p), verses.size(), methodName(ablation), shard, part.verses);
        QJsonArray heads, gradients;
        for (const auto& h : part.heads) heads.append(headRow(h));
        for (const auto& [verse, values] : part.gradients) {
            QJsonArray row;
            for (float g : values) row.append(double(g));
            gradients.append(QJsonArray{verse, row});
        }
        o["heads"] = heads;
        o["gradients"] = gradients;
        if (auto st = writePartial(p.value("out"), o); !st) return fail(st.message);
        std::cerr << "wrote shard " << shard.index << "/" << shard.count << " of the importance to " << p.value("out").toStdString()
                  << " (combine the shards with `attnscope merge`)\n";
        return 0;
    }
    std::vector<HeadImportance> out;
    if (auto st = mergeImportance({part}, out); !st) return fail(st.message);
    return finishImportance(out, model.modelName(), corpusName(p), verses.size(), ablation, p.value("out"));
}

int cmdPrune(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "a Transformer translator, or your own whose heads can be ablated (ONNX, TorchScript with head masks)");
    addCorpusOptions(p, "dev");
    p.addOption({"importance", "the order heads go in: gradient (default) or ablation", "method", "gradient"});
    p.addOption({"ranking", "the order from an importance table (`heads --importance … --out FILE.csv`, or merged) "
                            "instead of measuring it", "FILE.csv"});
    p.addOption({"seeds", "random orders for contrast", "N", "3"});
    p.addOption({"shard", "measure shard K (from 0) of N and write a partial result for `attnscope merge`", "K/N"});
    p.addOption({"out", "output: .csv, or a chart as .png .svg .pdf; with --shard a partial .json", "file"});
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    if (p.positionalArguments().size() != 1 || !p.isSet("out")) return usage("prune takes MODEL [--split S] --out FILE.csv|.png");
    const QString out = p.value("out");
    Shard shard;
    if (p.isSet("shard")) {
        if (auto st = parseShard(p.value("shard").toStdString(), shard); !st) return usage(st.message);
        if (auto st = checkPartialPath(out); !st) return usage(st.message);
    } else if (!isPruningOutput(out)) {
        return usage("--out " + out.toStdString() + ": .csv, .png, .svg or .pdf");
    }
    QString method = p.value("importance");
    if (method != "ablation" && method != "gradient") return usage("--importance '" + method.toStdString() + "': ablation or gradient");
    bool ok = false;
    const int seeds = p.value("seeds").toInt(&ok);
    if (!ok || seeds < 0 || seeds > 20) return usage("--seeds must be a whole number 0…20");
    ImportanceMethod ranked = method == "ablation" ? ImportanceMethod::Ablation : ImportanceMethod::Gradient;
    std::vector<HeadImportance> importance;
    if (p.isSet("ranking")) {
        if (auto st = readRanking(p.value("ranking"), importance, ranked); !st) return fail(st.message);
        const QString from = methodName(ranked == ImportanceMethod::Ablation);
        if (p.isSet("importance") && from != method)
            return usage("--ranking " + p.value("ranking").toStdString() + " ranks by " + from.toStdString() + ", not " + method.toStdString());
        method = from;
    }
    std::unique_ptr<VerseDecoder> t;
    Corpus corpus;
    std::vector<const Verse*> verses;
    if (auto st = openModelAndSplit(p, t, corpus, verses); !st) return fail(st.message);
    if (importance.empty())
        if (auto st = t->headImportance(verses, ranked, importance, progressPrinter("importance")); !st) return fail(st.message);
    PruningPartial part;
    if (auto st = t->pruningCurvesShard(verses, importance, ranked, seeds, shard, part, progressPrinter("pruning")); !st)
        return fail(st.message);
    if (p.isSet("shard")) {
        QJsonObject o = partialHeader("pruning", t->modelName(), corpusName(p), verses.size(), method, shard, part.verses);
        QJsonArray orders, fractions, removed, stats;
        for (const auto& name : part.orders) orders.append(QString::fromStdString(name));
        for (double f : part.fractions) fractions.append(f);
        for (int r : part.removed) removed.append(r);
        for (const auto& order : part.stats) {
            QJsonArray steps;
            for (const auto& s : order) steps.append(statsRow(s));
            stats.append(steps);
        }
        o["heads"] = qint64(importance.size());
        o["orders"] = orders;
        o["fractions"] = fractions;
        o["removed"] = removed;
        o["stats"] = stats;
        if (auto st = writePartial(out, o); !st) return fail(st.message);
        std::cerr << "wrote shard " << shard.index << "/" << shard.count << " of the pruning curves to " << out.toStdString()
                  << " (combine the shards with `attnscope merge`)\n";
        return 0;
    }
    std::vector<PruningCurve> curves;
    if (auto st = mergePruning({part}, curves); !st) return fail(st.message);
    return finishPruning(curves, t->modelName(), corpusName(p), verses.size(), importance.size(), method, out);
}

namespace {
/// One partial file: its header checked against the first's (same measurement, model, corpus, method).
Status readPartial(const QString& path, QJsonObject& o, const QJsonObject* first)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return Status::error(path.toStdString() + ": " + f.errorString().toStdString());
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(f.read(256 << 20), &error);
    if (!doc.isObject()) return Status::error(path.toStdString() + ": not JSON (" + error.errorString().toStdString() + ")");
    o = doc.object();
    const QString what = o.value("attnscope_partial").toString();
    if (what != "importance" && what != "pruning")
        return Status::error(path.toStdString() + ": not a partial result of `heads --importance --shard` or `prune --shard`");
    if (o.value("version").toInt() != kPartialVersion)
        return Status::error(path.toStdString() + ": written by another version of attnscope (partial format " +
                             std::to_string(o.value("version").toInt()) + ", this one reads " + std::to_string(kPartialVersion) + ")");
    const QJsonArray shard = o.value("shard").toArray();
    if (shard.size() != 2 || !o.value("verses").isDouble() || !o.value("method").isString())
        return Status::error(path.toStdString() + ": the partial's header is incomplete");
    if (first)
        for (const char* key : {"attnscope_partial", "model", "corpus", "method"})
            if (o.value(key) != first->value(key))
                return Status::error(path.toStdString() + ": its " + key + " is " + o.value(key).toString().toStdString() +
                                     ", the first part's is " + first->value(key).toString().toStdString() + " — parts of different runs");
    return Status::success();
}
} // namespace

int cmdMerge(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("parts", "the shards' partial results (.json), every shard of one run", "PART.json…");
    p.addOption({"out", "the merged result: importance as .csv; pruning curves as .csv or a chart (.png .svg .pdf)", "file"});
    if (!p.parse(args)) return usage(p.errorText().toStdString());
    const QStringList files = p.positionalArguments();
    if (files.isEmpty() || !p.isSet("out")) return usage("merge takes PART.json… --out FILE");
    std::vector<QJsonObject> objects(size_t(files.size()));
    for (int i = 0; i < files.size(); ++i)
        if (auto st = readPartial(files[i], objects[size_t(i)], i ? &objects[0] : nullptr); !st) return fail(st.message);
    const QJsonObject& first = objects.front();
    const std::string model = first.value("model").toString().toStdString(), corpus = first.value("corpus").toString().toStdString();
    const size_t splitVerses = size_t(first.value("split_verses").toInteger());
    const QString method = first.value("method").toString();
    const QString out = p.value("out");
    const auto shardOf = [](const QJsonObject& o) {
        const QJsonArray a = o.value("shard").toArray();
        return Shard{a[0].toInt(), a[1].toInt()};
    };
    if (first.value("attnscope_partial").toString() == "importance") {
        if (!out.endsWith(".csv", Qt::CaseInsensitive)) return usage("--out " + out.toStdString() + ": head importance merges into a .csv");
        std::vector<ImportancePartial> parts;
        for (const auto& o : objects) {
            ImportancePartial part;
            part.method = method == "ablation" ? ImportanceMethod::Ablation : ImportanceMethod::Gradient;
            part.shard = shardOf(o);
            part.verses = o.value("verses").toInt();
            for (const auto& row : o.value("heads").toArray()) {
                const QJsonArray h = row.toArray();
                part.heads.push_back({h[0].toString().toStdString(), h[1].toInt() - 1, h[2].toInt() - 1, numberOf(h[3]), std::nan(""),
                                      numberOf(h[4])});
            }
            for (const auto& row : o.value("gradients").toArray()) {
                std::vector<float> values;
                for (const auto& g : row.toArray()[1].toArray()) values.push_back(float(g.toDouble()));
                part.gradients[row.toArray()[0].toInt()] = std::move(values);
            }
            parts.push_back(std::move(part));
        }
        std::vector<HeadImportance> merged;
        if (auto st = mergeImportance(parts, merged); !st) return fail(st.message);
        return finishImportance(merged, model, corpus, splitVerses, method == "ablation", out);
    }
    if (!isPruningOutput(out)) return usage("--out " + out.toStdString() + ": .csv, .png, .svg or .pdf");
    std::vector<PruningPartial> parts;
    for (const auto& o : objects) {
        PruningPartial part;
        part.shard = shardOf(o);
        part.verses = o.value("verses").toInt();
        for (const auto& v : o.value("orders").toArray()) part.orders.push_back(v.toString().toStdString());
        for (const auto& v : o.value("fractions").toArray()) part.fractions.push_back(v.toDouble());
        for (const auto& v : o.value("removed").toArray()) part.removed.push_back(v.toInt());
        for (const auto& order : o.value("stats").toArray()) {
            part.stats.emplace_back();
            for (const auto& step : order.toArray()) {
                const QJsonArray a = step.toArray();
                if (a.size() != 10) return fail("a pruning partial's statistics are malformed (10 numbers a step)");
                BleuStats s;
                for (int n = 0; n < 4; ++n) {
                    s.matches[n] = a[n].toDouble();
                    s.totals[n] = a[4 + n].toDouble();
                }
                s.hypothesisLength = a[8].toDouble();
                s.referenceLength = a[9].toDouble();
                part.stats.back().push_back(s);
            }
        }
        parts.push_back(std::move(part));
    }
    std::vector<PruningCurve> curves;
    if (auto st = mergePruning(parts, curves); !st) return fail(st.message);
    if (curves.empty() || curves.front().fractions.empty()) return fail("the parts hold no pruning point");
    return finishPruning(curves, model, corpus, splitVerses, size_t(first.value("heads").toInteger()), method, out);
}

} // namespace attnscope::cli
