// Training loop for the built-in translators (GRU seq2seq, Transformer): fixed seed, length-bucketed batches,
// Adam, gradient clipping, checkpoints every N batches (atomic), resume, dev AER per epoch.
#include "attnscope/train.h"

#include "attnscope/alignment.h"
#include "attnscope/corpus.h"
#include "attnscope/resources.h"
#include "models/decode.h"
#include "models/bundle.h"
#include "train/checkpoint.h"
#include "train/trainimage.h"
#include "attnscope/imagemodel.h"
#include "attnscope/stn.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <random>
#include <sstream>

namespace attnscope {

namespace {
struct Example {
    std::vector<int64_t> src, tgt;
    std::vector<AlignmentLink> links;  ///< train-split gold (content words), for guided alignment
};

std::vector<std::vector<size_t>> makeBatches(const std::vector<Example>& data, int batchSize)
{
    std::vector<size_t> order(data.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return data[a].src.size() < data[b].src.size(); });
    std::vector<std::vector<size_t>> batches;
    for (size_t i = 0; i < order.size(); i += size_t(batchSize))
        batches.emplace_back(order.begin() + long(i), order.begin() + long(std::min(order.size(), i + size_t(batchSize))));
    return batches;
}

double devAer(ModelBundle& b, const std::vector<const Verse*>& dev)
{
    AlignmentScore s;
    for (const Verse* v : dev) {
        AttentionTrace t;
        if (!decodeTokens(b, v->sourceWords(), v->targetWords(), t, {})) continue;
        attachGold(*v, t);
        s.add(scoreTrace(t));
    }
    return s.aer();
}
} // namespace

Status train(const TrainConfig& cfg, TrainReport& report, const ProgressFn& progress, const LogFn& log)
{
    auto say = [&](const std::string& s) {
        if (log) log(s);
    };
    if (isImageModel(cfg.model) || isStnModel(cfg.model)) return trainImageClassifier(cfg, report, progress, log);
    if (cfg.model == "scene-captioner") return trainSceneCaptioner(cfg, report, progress, log);
    if (cfg.model == "clip-captioner") return trainClipCaptioner(cfg, report, progress, log);
    const bool transformer = cfg.model == "transformer";
    if (cfg.model != "gru-bahdanau" && !transformer)
        return Status::error("unknown model to train: " + cfg.model + " (built-in: gru-bahdanau, transformer, fmnist-cnn, fmnist-se, fmnist-eca, fmnist-cbam, fmnist-stn-r|rts|cluttered, fmnist-cnn-r|rts|cluttered, scene-captioner, clip-captioner)");
    if (transformer && (cfg.embedding % cfg.heads != 0 || cfg.embedding % 2 != 0))
        return Status::error("d_model (--embedding) must be even and a multiple of --heads");
    ScoreFunction score;
    if (!parseScore(cfg.scoreFunction, score))
        return Status::error("unknown score function " + cfg.scoreFunction + " (dot, scaled-dot, general, additive, cosine)");
    if (cfg.out.empty()) return Status::error("no output path for the weights (--out)");
    initEngineThreads();
    const std::string ckpt = cfg.checkpoint.empty() ? cfg.out + ".ckpt" : cfg.checkpoint;

    Corpus corpus;
    say("reading the SWORD modules (train and dev splits)...");
    if (auto st = loadBibleCorpus(corpus, {Split::Train, Split::Dev}); !st) return st;
    auto trainVerses = corpus.split(Split::Train);
    const auto devVerses = corpus.split(Split::Dev);
    if (cfg.maxTrainVerses > 0 && int(trainVerses.size()) > cfg.maxTrainVerses) trainVerses.resize(size_t(cfg.maxTrainVerses));
    std::vector<std::vector<std::string>> srcSents, tgtSents;
    for (const Verse* v : trainVerses) {
        srcSents.push_back(v->sourceWords());
        tgtSents.push_back(v->targetWords());
    }
    ModelBundle b;
    b.name = cfg.model;
    b.source = Vocab::build(srcSents, cfg.vocabSize);
    b.target = Vocab::build(tgtSents, cfg.vocabSize);
    std::vector<Example> data;
    for (size_t k = 0; k < srcSents.size(); ++k) {
        if (int(srcSents[k].size()) > cfg.maxLength || int(tgtSents[k].size()) > cfg.maxLength) continue;
        Example e;
        for (const auto& w : srcSents[k]) e.src.push_back(b.source.id(w));
        e.src.push_back(Vocab::kEos);
        for (const auto& w : tgtSents[k]) e.tgt.push_back(b.target.id(w));
        e.tgt.push_back(Vocab::kEos);
        if (cfg.guidedAlignment > 0) e.links = goldLinks(*trainVerses[k]);
        data.push_back(std::move(e));
    }
    {
        std::ostringstream os;
        os << "train verses " << trainVerses.size() << ", used (≤ " << cfg.maxLength << " tokens) " << data.size()
           << ", dev verses " << devVerses.size() << ", vocab es " << b.source.size() << " en " << b.target.size();
        say(os.str());
    }
    if (data.empty()) return Status::error("no training examples");

    torch::manual_seed(cfg.seed);
    if (transformer) {
        TransformerConfig tc;
        tc.sourceVocab = b.source.size();
        tc.targetVocab = b.target.size();
        tc.dModel = cfg.embedding;
        tc.heads = cfg.heads;
        tc.encoderLayers = tc.decoderLayers = cfg.layers;
        tc.feedForward = cfg.feedForward;
        tc.dropout = cfg.dropout;
        tc.alignLayer = std::max(0, cfg.layers - 2);  // penultimate layer (Garg et al. 2019)
        tc.alignHead = 0;
        b.transformer = TransformerNMT(tc);
    } else {
        Seq2SeqConfig mc;
        mc.sourceVocab = b.source.size();
        mc.targetVocab = b.target.size();
        mc.embedding = cfg.embedding;
        mc.hidden = cfg.hidden;
        mc.score = score;
        mc.dropout = cfg.dropout;
        b.gru = Seq2Seq(mc);
    }
    auto& net = b.module();
    torch::optim::Adam opt(net.parameters(), torch::optim::AdamOptions(cfg.learningRate));
    const auto save = [&b](const std::string& path) { saveBundle(b, path, /*half=*/false); };

    const auto batches = makeBatches(data, cfg.batchSize);
    const int64_t perEpoch = int64_t(batches.size());
    const int64_t total = perEpoch * cfg.epochs;
    TrainProgress resumed;
    if (cfg.resume) {
        const auto restore = [&](const std::string& path) {
            auto saved = loadBundle(path);
            if (saved.source.serialize() != b.source.serialize() || saved.target.serialize() != b.target.serialize())
                return Status::error("checkpoint " + path + " was made with another vocabulary; delete it to start over");
            if (saved.isTransformer() != transformer)
                return Status::error("checkpoint " + path + " holds another kind of model; delete it to start over");
            if (!copyWeights(saved.module(), net))
                return Status::error("checkpoint " + path + " has another model configuration; delete it to start over");
            return Status::success();
        };
        if (auto st = resumeFromCheckpoint(ckpt, restore, opt, resumed, log); !st) return st;
    }
    const int startEpoch = resumed.epoch, startBatch = resumed.batch;
    int64_t step = resumed.step;

    report = TrainReport{};
    const auto t0 = std::chrono::steady_clock::now();
    double running = 0, runningGuided = 0;
    int runningN = 0;
    for (int epoch = startEpoch; epoch < cfg.epochs; ++epoch) {
        // Learning rate: constant for the first half, then halved every epoch.
        const int half = cfg.epochs / 2;
        const double epochLr = cfg.learningRate * (epoch < half ? 1.0 : std::pow(0.5, epoch - half + 1));
        double lr = epochLr;
        std::vector<size_t> order(batches.size());
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), std::mt19937(cfg.seed + unsigned(epoch)));
        net.train();
        for (int bi = (epoch == startEpoch ? startBatch : 0); bi < int(order.size()); ++bi) {
            if (!keepGoing(progress, step, total)) {
                writeCheckpoint(ckpt, save, opt, {epoch, bi, step});
                say("cancelled; checkpoint written to " + ckpt);
                return Status::error("cancelled");
            }
            // Linear warm-up over the first batches, then the per-epoch rate.
            lr = cfg.warmupSteps > 0 && step < cfg.warmupSteps ? epochLr * double(step + 1) / cfg.warmupSteps : epochLr;
            for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
            torch::manual_seed(cfg.seed * 1000003ull + uint64_t(step));  // dropout masks reproducible on resume
            const auto& idx = batches[order[size_t(bi)]];
            int64_t S = 0, T = 0;
            for (size_t k : idx) {
                S = std::max<int64_t>(S, int64_t(data[k].src.size()));
                T = std::max<int64_t>(T, int64_t(data[k].tgt.size()));
            }
            const int64_t B = int64_t(idx.size());
            auto src = torch::zeros({B, S}, torch::kInt64), lens = torch::zeros({B}, torch::kInt64);
            auto tin = torch::zeros({B, T}, torch::kInt64), tout = torch::zeros({B, T}, torch::kInt64);
            auto srcA = src.accessor<int64_t, 2>(), tinA = tin.accessor<int64_t, 2>(), toutA = tout.accessor<int64_t, 2>();
            auto lensA = lens.accessor<int64_t, 1>();
            for (int64_t r = 0; r < B; ++r) {
                const auto& e = data[idx[size_t(r)]];
                for (size_t c = 0; c < e.src.size(); ++c) srcA[r][int64_t(c)] = e.src[c];
                lensA[r] = int64_t(e.src.size());
                tinA[r][0] = Vocab::kBos;
                for (size_t c = 0; c < e.tgt.size(); ++c) {
                    toutA[r][int64_t(c)] = e.tgt[c];
                    if (c + 1 < e.tgt.size()) tinA[r][int64_t(c) + 1] = e.tgt[c];
                }
            }
            opt.zero_grad();
            torch::Tensor logits, alpha;  // alpha [B, T, S]: the attention that guided alignment supervises
            if (transformer) {
                TransformerAttention att;
                logits = b.transformer->forward(src, tin, &att);
                const auto& tc = b.transformer->config();
                alpha = att.cross[size_t(tc.alignLayer)].select(1, tc.alignHead);
            } else {
                std::tie(logits, alpha) = b.gru->forward(src, lens, tin);
            }
            auto loss = torch::nn::functional::cross_entropy(
                logits.reshape({-1, logits.size(2)}), tout.reshape({-1}),
                torch::nn::functional::CrossEntropyFuncOptions().ignore_index(Vocab::kPad).label_smoothing(cfg.labelSmoothing));
            double guidedValue = 0;
            if (cfg.guidedAlignment > 0 && step >= cfg.guidedFromStep) {
                // g [B, T, S]: uniform over each target word's gold source positions.
                auto guide = torch::zeros({B, T, S});
                auto rows = torch::zeros({B, T});
                auto ga = guide.accessor<float, 3>();
                auto ra = rows.accessor<float, 2>();
                for (int64_t r = 0; r < B; ++r) {
                    std::vector<int> count(size_t(T), 0);
                    const auto& links = data[idx[size_t(r)]].links;
                    for (const auto& l : links) ++count[size_t(l.target)];
                    for (const auto& l : links) {
                        ga[r][l.target][l.source] = 1.0f / float(count[size_t(l.target)]);
                        ra[r][l.target] = 1.0f;
                    }
                }
                const auto ce = -(guide * torch::log(alpha + 1e-8)).sum(-1);  // [B, T]
                const auto guided = (ce * rows).sum() / rows.sum().clamp_min(1.0);
                loss = loss + cfg.guidedAlignment * guided;
                guidedValue = guided.item<double>();
            }
            loss.backward();
            torch::nn::utils::clip_grad_norm_(net.parameters(), 1.0);
            opt.step();
            const double l = loss.item<double>() - cfg.guidedAlignment * guidedValue;  // report the translation loss
            if (report.stepsRun == 0) report.firstLoss = l;
            report.lastLoss = l;
            ++report.stepsRun;
            ++step;
            running += l;
            runningGuided += guidedValue;
            ++runningN;
            if (step % 50 == 0) {
                const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                char buf[240];
                std::snprintf(buf, sizeof buf, "epoch %d/%d batch %d/%lld loss %.3f guided %.3f lr %.2g  %.2f s/batch",
                              epoch + 1, cfg.epochs, bi + 1, (long long)perEpoch, running / runningN,
                              runningGuided / runningN, lr, secs / report.stepsRun);
                say(buf);
                running = runningGuided = 0;
                runningN = 0;
            }
            if (checkpointAfterStep(ckpt, save, opt, {epoch, bi + 1, step}, cfg.checkpointEvery, cfg.maxSteps, report.stepsRun))
                return Status::success();
        }
        writeCheckpoint(ckpt, save, opt, {epoch + 1, 0, step});
        char buf[120];
        std::snprintf(buf, sizeof buf, "epoch %d done; dev AER %.1f%%", epoch + 1, 100.0 * devAer(b, devVerses));
        say(buf);
    }
    writeFinalWeights(cfg.out, [&](const std::string& path) { saveBundle(b, path, /*half=*/true); }, log);
    report.finished = true;
    return Status::success();
}

} // namespace attnscope
