// Translator facade over the internal seq2seq model.
#include "attnscope/translator.h"
#include "attnscope/schema.h"
#include "attnscope/kinds.h"
#include "attnscope/scriptmodel.h"
#include "attnscope/subwords.h"

#include "attnscope/qk.h"

#include "attnscope/ablation.h"
#include "attnscope/alignment.h"
#include "attnscope/resources.h"
#include "models/decode.h"
#include "models/importance.h"

#include <QRegularExpression>
#include <QString>

#include <filesystem>
#include <mutex>
#include <sstream>

namespace attnscope {

const std::vector<ModelInfo>& builtinModels()
{
    static const std::vector<ModelInfo> models{
        {"gru-bahdanau", kinds::kText,
         "Spanish→English, bidirectional GRU encoder + GRU decoder with additive (Bahdanau) attention, "
         "word level, trained on the Bible train split",
         "models/gru-bahdanau.pt", "Spanish text (word level)", "cross [target, source]"},
        {"transformer", kinds::kText,
         "Spanish→English Transformer encoder–decoder (3+3 layers, 4 heads, d_model 256), word level, "
         "trained on the Bible train split; records encoder self, decoder self and cross attention of every head",
         "models/transformer.pt", "Spanish text (word level)",
         "cross [target, source]; encoder_self, decoder_self, cross_attention [layer, head, query, key]"},
        {"fmnist-cnn", kinds::kImage,
         "Fashion-MNIST CNN, 3 conv stages (32/64/128 channels), no attention block: the baseline",
         "models/fmnist-cnn.pt", "an image (28×28 grey after conversion; any size, colour, 16-bit or alpha)",
         "per block: excitation [channel], features [channel, row, col]; probabilities [class]"},
        {"fmnist-se", kinds::kImage,
         "Fashion-MNIST CNN with a squeeze-and-excitation block (Hu et al. 2018, r = 8) after each conv stage",
         "models/fmnist-se.pt", "an image (28×28 grey after conversion; any size, colour, 16-bit or alpha)",
         "per block: excitation [channel], features [channel, row, col]; probabilities [class]"},
        {"fmnist-eca", kinds::kImage,
         "Fashion-MNIST CNN with an efficient channel attention block (Wang et al. 2020, adaptive k) after each conv stage",
         "models/fmnist-eca.pt", "an image (28×28 grey after conversion; any size, colour, 16-bit or alpha)",
         "per block: excitation [channel], features [channel, row, col]; probabilities [class]"},
        {"fmnist-cbam", kinds::kImage,
         "Fashion-MNIST CNN with a CBAM block (Woo et al. 2018: channel then 7×7 spatial attention) after each conv stage",
         "models/fmnist-cbam.pt", "an image (28×28 grey after conversion; any size, colour, 16-bit or alpha)",
         "per block: excitation [channel], spatial [row, col], features [channel, row, col]; probabilities [class]"},
        {"fmnist-stn-r", kinds::kStn,
         "ST-CNN (Jaderberg et al. 2015) on distorted Fashion-MNIST (rotated ±90°, 28×28): localisation net → affine θ → bilinear sampler → CNN",
         "models/fmnist-stn-r.pt", "a grey image (resized to 28×28)",
         "θ [2, 3]; input [row, col]; warped [row, col] 28×28; probabilities [class]"},
        {"fmnist-cnn-r", kinds::kStn,
         "Plain CNN baseline for the ST-CNN on distorted Fashion-MNIST (rotated ±90°, 28×28), same training budget",
         "models/fmnist-cnn-r.pt", "a grey image (resized to 28×28)", "input [row, col]; probabilities [class]"},
        {"fmnist-stn-rts", kinds::kStn,
         "ST-CNN (Jaderberg et al. 2015) on distorted Fashion-MNIST (rotated ±45°, scaled 0.7–1.2, placed at random on 42×42): localisation net → affine θ → bilinear sampler → CNN",
         "models/fmnist-stn-rts.pt", "a grey image (resized to 42×42)",
         "θ [2, 3]; input [row, col]; warped [row, col] 28×28; probabilities [class]"},
        {"fmnist-cnn-rts", kinds::kStn,
         "Plain CNN baseline for the ST-CNN on distorted Fashion-MNIST (rotated ±45°, scaled 0.7–1.2, placed at random on 42×42), same training budget",
         "models/fmnist-cnn-rts.pt", "a grey image (resized to 42×42)", "input [row, col]; probabilities [class]"},
        {"fmnist-stn-cluttered", kinds::kStn,
         "ST-CNN (Jaderberg et al. 2015) on distorted Fashion-MNIST (at random on 60×60 with 4–6 clutter crops): localisation net → affine θ → bilinear sampler → CNN",
         "models/fmnist-stn-cluttered.pt", "a grey image (resized to 60×60)",
         "θ [2, 3]; input [row, col]; warped [row, col] 28×28; probabilities [class]"},
        {"fmnist-cnn-cluttered", kinds::kStn,
         "Plain CNN baseline for the ST-CNN on distorted Fashion-MNIST (at random on 60×60 with 4–6 clutter crops), same training budget",
         "models/fmnist-cnn-cluttered.pt", "a grey image (resized to 60×60)", "input [row, col]; probabilities [class]"},
        {"scene-captioner", kinds::kCaption,
         "Show, Attend and Tell (Xu et al. 2015) on generated Fashion-MNIST scenes: CNN encoder → 7×7 annotation grid → LSTM decoder with soft additive attention",
         "models/scene-captioner.pt", "a grey scene (resized to fit 84×84), optionally a caption to force-decode",
         "attention [word, region] 7×7 grid; gate [word]; word_probability [word]; coverage [region]; input [row, col]"},
        {"clip-captioner", kinds::kVideo,
         "Soft temporal attention (Yao et al. 2015) on generated Fashion-MNIST clips: per-frame CNN (frame + motion) → LSTM decoder attending over 16 sampled frames",
         "models/clip-captioner.pt", "a video (16 frames sampled evenly, fitted into 64×64 grey), optionally a caption to force-decode",
         "attention [word, frame]; gate [word]; word_probability [word]; coverage [frame]"},
    };
    return models;
}

const ModelInfo* findModel(const std::string& name)
{
    for (const auto& m : builtinModels())
        if (m.name == name) return &m;
    return nullptr;
}

std::vector<const ModelInfo*> builtinModelsOf(const std::string& kindId)
{
    std::vector<const ModelInfo*> out;
    for (const auto& m : builtinModels())
        if (m.kind == kindId) out.push_back(&m);
    return out;
}

struct Translator::Impl {
    ModelBundle bundle;
    bool loaded = false;
    mutable std::mutex mutex;  // the network keeps no per-call state, but be safe across threads
};

Translator::Translator() : d(std::make_unique<Impl>()) {}
Translator::~Translator() = default;

Status Translator::load(const std::string& nameOrPath)
{
    std::string path = nameOrPath;
    if (const ModelInfo* m = findModel(nameOrPath)) {
        if (std::string(m->kind) != kinds::kText)
            return Status::error(nameOrPath + " is not a translator (" + m->kind + " model; it takes " + m->takes + ")");
        path = resourcePath(m->weightsFile);
        if (path.empty())
            return Status::error("weights of model '" + nameOrPath + "' (" + m->weightsFile +
                                 ") not found under resources/; reproduce them with `attnscope train " +
                                 nameOrPath + "`");
    } else if (!std::filesystem::exists(path)) {
        return Status::error("unknown model or missing weights file: " + nameOrPath +
                             " (`attnscope models` lists the built-in models)");
    }
    initEngineThreads();
    try {
        auto b = loadBundle(path);
        if (b.name.empty()) b.name = std::filesystem::path(path).stem().string();
        std::lock_guard<std::mutex> lock(d->mutex);
        d->bundle = std::move(b);
        d->loaded = true;
    } catch (const std::exception& e) {
        return Status::error(e.what());
    }
    return Status::success();
}

bool Translator::loaded() const { return d->loaded; }

Status Translator::headImportanceShard(const std::vector<const Verse*>& verses, ImportanceMethod method, const Shard& shard,
                                       ImportancePartial& out, const ProgressFn& progress) const
{
    if (!d->loaded) return Status::error("no model loaded");
    std::lock_guard<std::mutex> lock(d->mutex);
    return headImportanceOf(d->bundle, verses, method, shard, out, progress);
}

Status Translator::pruningCurvesShard(const std::vector<const Verse*>& verses, const std::vector<HeadImportance>& importance,
                                      ImportanceMethod ranked, int randomSeeds, const Shard& shard, PruningPartial& out,
                                      const ProgressFn& progress) const
{
    if (!d->loaded) return Status::error("no model loaded");
    std::lock_guard<std::mutex> lock(d->mutex);
    return pruningCurvesOf(d->bundle, verses, importance, ranked, randomSeeds, shard, out, progress);
}

Status Translator::setAblation(const HeadAblation& ablation)
{
    if (!d->loaded) return Status::error("no model loaded");
    std::lock_guard<std::mutex> lock(d->mutex);
    if (!d->bundle.isTransformer())
        return ablation.empty() ? Status::success()
                                : Status::error(d->bundle.name + " (GRU with additive attention) has one attention per step, not heads: "
                                                                 "ablation needs a Transformer");
    return d->bundle.transformer->setAblation(ablation);
}
Status Translator::enableLens(const std::string& lens)
{
    if (!d->loaded) return Status::error("no model loaded");
    const bool raw = lens == "raw", grad = lens == schema::kGradLens;
    if (!raw && !grad && !schema::isLens("x." + lens))
        return Status::error("unknown lens '" + lens + "': raw, norm, grad, rollout, norm_rollout or alti");
    if (grad && !d->bundle.isTransformer()) return VerseDecoder::enableLens(lens);
    std::lock_guard<std::mutex> lock(d->mutex);
    d->bundle.lenses = !raw;
    d->bundle.gradLens = grad;
    return Status::success();
}

std::string Translator::modelName() const { return d->loaded ? d->bundle.name : std::string(); }
std::string Translator::scoreFunction() const
{
    return d->loaded ? d->bundle.scoreFunction() : std::string();
}

namespace {
Status checkInput(const std::vector<std::string>& tokens, const char* what)
{
    if (tokens.empty()) return Status::error(std::string("Nothing to translate: the ") + what + " is empty.");
    static const QRegularExpression word(QStringLiteral("\\w"), QRegularExpression::UseUnicodePropertiesOption);
    const bool anyWord = std::any_of(tokens.begin(), tokens.end(),
                                     [](const std::string& t) { return QString::fromStdString(t).contains(word); });
    if (!anyWord) return Status::error(std::string("The ") + what + " has only punctuation: there are no words to translate.");
    if (int(tokens.size()) > kMaxSourceTokens)
        return Status::error(std::string("The ") + what + " has " + std::to_string(tokens.size()) +
                             " tokens; the model takes at most " + std::to_string(kMaxSourceTokens) +
                             ". Split it into sentences or verses.");
    return Status::success();
}
} // namespace

Status Translator::translate(const std::string& source, AttentionTrace& out, const ProgressFn& cancel) const
{
    if (!d->loaded) return Status::error("no model loaded");
    const auto tokens = tokenize(source);
    if (auto st = checkInput(tokens, "input"); !st) return st;
    std::lock_guard<std::mutex> lock(d->mutex);
    if (auto st = decodeTokens(d->bundle, tokens, std::nullopt, out, cancel); !st) return st;
    out.metadata["input"] = source;
    return Status::success();
}

Status Translator::forceDecode(const std::string& source, const std::string& reference, AttentionTrace& out,
                               const ProgressFn& cancel) const
{
    if (!d->loaded) return Status::error("no model loaded");
    const auto tokens = tokenize(source);
    if (auto st = checkInput(tokens, "input"); !st) return st;
    const auto ref = tokenize(reference);
    if (ref.empty()) return Status::error("Forced decoding needs a reference translation: the reference is empty.");
    if (int(ref.size()) > 2 * kMaxSourceTokens) return Status::error("The reference is too long.");
    std::lock_guard<std::mutex> lock(d->mutex);
    if (auto st = decodeTokens(d->bundle, tokens, ref, out, cancel); !st) return st;
    out.metadata["input"] = source;
    out.metadata["reference"] = reference;
    return Status::success();
}

Status Translator::decodeVerse(const Verse& v, bool forced, AttentionTrace& out, const ProgressFn& cancel) const
{
    if (!d->loaded) return Status::error("no model loaded");
    std::lock_guard<std::mutex> lock(d->mutex);
    std::optional<std::vector<std::string>> ref;
    if (forced) ref = v.targetWords();
    if (auto st = decodeTokens(d->bundle, v.sourceWords(), ref, out, cancel); !st) return st;
    out.metadata["input"] = v.sourceText();
    out.metadata["reference"] = v.targetText();
    out.metadata["verse"] = v.ref;
    if (!v.targetRef.empty()) out.metadata["english_verse"] = v.targetRef;
    if (forced) attachGold(v, out);
    if (forced && v.explicitGold) out.metadata[schema::translation::kGoldMeta] = schema::translation::kPharaohGold;
    return Status::success();
}

Status Translator::encodeLong(const std::vector<std::string>& tokens, AttentionTrace& out, const ProgressFn& progress) const
{
    if (!d->loaded) return Status::error("no model loaded");
    if (!d->bundle.isTransformer())
        return Status::error(d->bundle.name + " has no self-attention to read over a long input; use the Transformer");
    if (tokens.empty()) return Status::error("nothing to encode: the input is empty");
    std::lock_guard<std::mutex> lock(d->mutex);
    torch::NoGradGuard ng;
    auto& m = d->bundle.transformer;
    const int64_t layers = m->config().encoderLayers;
    std::vector<torch::Tensor> q, k, lse;
    const auto src = encodeIds(d->bundle.source, tokens, true);
    const bool done = m->encodeLong(src, 256, q, k, lse, [&](int64_t layer) { return keepGoing(progress, layer, layers); });
    if (!done) return Status::error("cancelled");
    QkArrays a;
    a.layers = layers;
    a.heads = a.kvHeads = q[0].size(0);
    a.tokens = q[0].size(1);
    a.headDim = q[0].size(2);
    a.scale = 1.0 / std::sqrt(double(a.headDim));
    const auto flat = [](const std::vector<torch::Tensor>& v) {
        const auto t = torch::stack(v).contiguous();
        return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    };
    a.q = flat(q);
    a.k = flat(k);
    a.lse = flat(lse);
    std::vector<std::string> labels = tokens;
    labels.push_back("</s>");
    out = AttentionTrace{};
    out.model = d->bundle.name;
    out.scoreFunction = d->bundle.scoreFunction();
    int unknownCount = 0;
    for (const auto& w : tokens)
        if (!d->bundle.source.known(w)) ++unknownCount;
    if (unknownCount) out.metadata["unknown_words"] = std::to_string(unknownCount) + " of " + std::to_string(tokens.size()) + " tokens";
    TraceTensor x;
    if (auto st = makeQkTensor(std::move(a), "encoder_self", labels, x); !st) return st;
    out.tensors.push_back(std::move(x));
    keepGoing(progress, layers, layers);
    return Status::success();
}

Status Translator::translateBatch(const std::vector<std::vector<std::string>>& sources,
                                  std::vector<std::vector<std::string>>& out, const ProgressFn& progress) const
{
    if (!d->loaded) return Status::error("no model loaded");
    std::lock_guard<std::mutex> lock(d->mutex);
    return greedyBatch(d->bundle, sources, out, progress);
}

Verse swappedVerse(const Verse& v)
{
    Verse r = v;
    std::swap(r.source, r.target);
    auto flip = [](std::vector<AlignmentLink>& links) {
        for (auto& l : links) std::swap(l.source, l.target);
    };
    flip(r.sure);
    flip(r.possible);
    return r;
}

Status symmetrizedVerseLinks(const VerseDecoder& forward, const VerseDecoder& reverse, const Verse& v,
                             AttentionTrace& forwardTrace, std::vector<AlignmentLink>& links)
{
    if (auto st = forward.decodeVerse(v, true, forwardTrace); !st) return st;
    AttentionTrace back;
    if (auto st = reverse.decodeVerse(swappedVerse(v), true, back); !st) return Status::error("reverse model: " + st.message);
    const TraceTensor* f = forwardTrace.find("cross");
    const TraceTensor* r = back.find("cross");
    if (!f || !r || f->shape.size() != 2 || r->shape.size() != 2)
        return Status::error("symmetrising needs a 2-D \"cross\" alignment from both models");
    links = symmetrizedLinks(*f, *r);
    return Status::success();
}

namespace {
std::string joinWords(const std::vector<std::string>& words)
{
    std::string s;
    for (const auto& w : words) s += (s.empty() ? "" : " ") + w;
    return s;
}
} // namespace

Status VerseDecoder::headImportanceShard(const std::vector<const Verse*>&, ImportanceMethod, const Shard&, ImportancePartial& out,
                                         const ProgressFn&) const
{
    out = ImportancePartial{};
    return Status::error(modelName() + ": its heads cannot be ablated, so their importance cannot be measured");
}

Status VerseDecoder::pruningCurvesShard(const std::vector<const Verse*>&, const std::vector<HeadImportance>&, ImportanceMethod, int,
                                        const Shard&, PruningPartial& out, const ProgressFn&) const
{
    out = PruningPartial{};
    return Status::error(modelName() + ": its heads cannot be ablated, so it cannot be pruned");
}

Status VerseDecoder::enableLens(const std::string& lens)
{
    if (lens != schema::kGradLens) return Status::success();  // recorded where the model allows, said in lens_note
    return Status::error(modelName() + ": the " + lens + " lens is computed for the built-in Transformer translators");
}

Status VerseDecoder::headImportance(const std::vector<const Verse*>& verses, ImportanceMethod method, std::vector<HeadImportance>& out,
                                    const ProgressFn& progress) const
{
    // One run is the single shard, merged: exactly what sharded runs merge into.
    ImportancePartial whole;
    if (auto st = headImportanceShard(verses, method, Shard{}, whole, progress); !st) return st;
    return mergeImportance({whole}, out);
}

Status VerseDecoder::pruningCurves(const std::vector<const Verse*>& verses, const std::vector<HeadImportance>& importance,
                                   ImportanceMethod ranked, int randomSeeds, std::vector<PruningCurve>& out, const ProgressFn& progress) const
{
    PruningPartial whole;
    if (auto st = pruningCurvesShard(verses, importance, ranked, randomSeeds, Shard{}, whole, progress); !st) return st;
    return mergePruning({whole}, out);
}

std::string VerseDecoder::cannotTake(const Verse& v) const
{
    if (v.sourceWords().empty() || v.targetWords().empty()) return "an empty verse";
    if (int(v.sourceWords().size()) > kMaxSourceTokens)
        return "the source has " + std::to_string(v.sourceWords().size()) + " words, more than the " +
               std::to_string(kMaxSourceTokens) + " a translator takes";
    return {};
}

std::string UserTranslator::cannotTake(const Verse& v) const
{
    if (auto why = VerseDecoder::cannotTake(v); !why.empty()) return why;
    const std::string reference = joinWords(v.targetWords());
    return model_->cannotDecode(joinWords(v.sourceWords()), &reference);
}

std::string batchSummary(int done, const std::vector<SkippedVerse>& skipped, const std::string& what)
{
    std::string s = std::to_string(done) + " of " + std::to_string(done + int(skipped.size())) + " verses " + what;
    if (skipped.empty()) return s;
    int longer = 0, empty = 0;
    for (const auto& k : skipped) (k.reason.find("empty") != std::string::npos ? empty : longer)++;
    s += "; " + std::to_string(skipped.size()) + " skipped:";
    if (longer) s += " " + std::to_string(longer) + " longer than the model takes";
    if (longer && empty) s += ",";
    if (empty) s += " " + std::to_string(empty) + " empty";
    return s;
}

Status decodeOrSkip(const VerseDecoder& t, const VerseDecoder* reverse, const Verse& v, const std::function<Status()>& decode,
                    std::vector<SkippedVerse>& skipped, bool& skip)
{
    skip = false;
    const Status st = decode();
    if (st || st.message == "cancelled") return st;
    std::string why = t.cannotTake(v);
    if (why.empty() && reverse) {
        why = reverse->cannotTake(swappedVerse(v));
        if (!why.empty()) why = "reverse model: " + why;
    }
    if (why.empty()) return st;  // not the verse: the model or a file is broken
    skipped.push_back({v.ref, why});
    skip = true;
    return Status::success();
}

Status evaluate(const VerseDecoder& t, const std::vector<const Verse*>& allVerses, EvalResult& out, bool computeBleu,
                const ProgressFn& progress, const LinkOptions& links, const VerseDecoder* reverse)
{
    out = EvalResult{};
    std::vector<const Verse*> verses;  // the ones the model took
    const int64_t total = int64_t(allVerses.size()) * (computeBleu ? 2 : 1);
    int64_t done = 0;
    for (const Verse* v : allVerses) {
        if (!keepGoing(progress, done++, total)) return Status::error("cancelled");
        AttentionTrace trace;
        std::vector<AlignmentLink> both;
        bool skip = false;
        const auto decode = [&] {
            return reverse ? symmetrizedVerseLinks(t, *reverse, *v, trace, both) : t.decodeVerse(*v, true, trace);
        };
        if (auto st = decodeOrSkip(t, reverse, *v, decode, out.skipped, skip); !st) return st;
        if (skip) continue;
        out.model.add(reverse ? scoreAgainstGold(both, trace) : scoreTrace(trace, links));
        out.diagonal.add(scoreDiagonal(trace));
        ++out.verses;
        verses.push_back(v);
    }
    if (computeBleu) {
        std::vector<std::vector<std::string>> sources, refs, hyps;
        for (const Verse* v : verses) {
            sources.push_back(v->sourceWords());
            std::vector<std::string> r;
            for (const auto& w : v->targetWords()) r.push_back(toLower(w));
            refs.push_back(std::move(r));
        }
        auto st = t.translateBatch(sources, hyps, [&](int64_t k, int64_t) { return keepGoing(progress, done + k, total); });
        if (!st) return st;
        out.bleu = corpusBleu(hyps, refs);
    }
    keepGoing(progress, total, total);
    return Status::success();
}

const HeadTableAccumulator* HeadTableResult::find(const std::string& name) const
{
    for (const auto& [n, acc] : tensors)
        if (n == name) return &acc;
    return nullptr;
}

Status headTable(const VerseDecoder& t, const std::vector<const Verse*>& allVerses, HeadTableResult& out,
                 const ProgressFn& progress, const LinkOptions& links)
{
    out = HeadTableResult{};
    const std::vector<const Verse*>& verses = allVerses;
    const auto accumulator = [&out](const std::string& name) -> HeadTableAccumulator& {
        for (auto& [n, acc] : out.tensors)
            if (n == name) return acc;
        out.tensors.emplace_back(name, HeadTableAccumulator{});
        return out.tensors.back().second;
    };
    int64_t done = 0;
    for (const Verse* v : verses) {
        if (!keepGoing(progress, done++, int64_t(verses.size()))) return Status::error("cancelled");
        AttentionTrace trace;
        bool skip = false;
        if (auto st = decodeOrSkip(t, nullptr, *v, [&] { return t.decodeVerse(*v, true, trace); }, out.skipped, skip); !st) return st;
        if (skip) continue;
        const AttentionTrace* gold = trace.hasGold() ? &trace : nullptr;
        bool multiHead = false;
        for (const auto& tensor : trace.tensors) {
            if (tensor.shape.size() != 4) continue;
            multiHead = true;
            // A lens is read as a distribution (its rows normalised): AER by argmax is the same.
            const TraceTensor x = schema::isLens(tensor.name) ? rowNormalised(tensor) : tensor;
            if (auto st = accumulator(x.name).add(x, gold, links); !st) return st;
            TraceTensor mean;
            if (auto st = meanOverHeads(x, mean); !st) return st;
            if (auto st = accumulator(x.name + " · mean over heads").add(mean, gold, links); !st) return st;
            if (x.shape[0] > 1) {
                TraceTensor all;
                if (auto st = meanOverLayers(mean, all); !st) return st;
                if (auto st = accumulator(x.name + " · mean of all heads").add(all, gold, links); !st) return st;
            }
        }
        if (!multiHead)  // one attention map (the GRU): it and its lenses as one layer × one head
            for (const auto& x : trace.tensors)
                if (x.shape.size() == 2 && (x.name == "cross" || (schema::isLens(x.name) && x.name.rfind("cross.", 0) == 0)))
                    if (auto st = accumulator(x.name).add(asMultiHead(schema::isLens(x.name) ? rowNormalised(x) : x), gold, links); !st)
                        return st;
        out.diagonal.add(scoreDiagonal(trace));
        ++out.verses;
    }
    keepGoing(progress, done, int64_t(verses.size()));
    return Status::success();
}

UserTranslator::UserTranslator() : model_(std::make_unique<ScriptModel>()) {}
UserTranslator::~UserTranslator() = default;
const ScriptModel& UserTranslator::model() const { return *model_; }
std::string UserTranslator::modelName() const { return model_->spec().name; }

Status UserTranslator::load(const std::string& modulePath)
{
    if (auto st = model_->load(modulePath); !st) return st;
    if (!model_->spec().seq2seq)
        return Status::error(modulePath + " is not an encoder–decoder model: its sidecar's input type is not \"seq2seq\" "
                                          "(eval, align and heads need a translator)");
    return Status::success();
}

Status UserTranslator::decodeVerse(const Verse& v, bool forced, AttentionTrace& out, const ProgressFn& cancel) const
{
    const std::string source = joinWords(v.sourceWords()), reference = joinWords(v.targetWords());
    if (auto st = model_->decode(source, forced ? &reference : nullptr, out, nullptr, cancel); !st) return st;
    out.metadata["verse"] = v.ref;
    if (!v.targetRef.empty()) out.metadata["english_verse"] = v.targetRef;
    if (forced) attachWordGold(v, out);
    return Status::success();
}

bool attachWordGold(const Verse& v, AttentionTrace& out)
{
    // Subword pieces (▁, ##, Ġ) become words first: gold is over words.
    if (const TraceTensor* x = out.find("cross"); x && x->labels.size() == 2 &&
        (detectSubwords(x->labels[0]) != SubwordScheme::None || detectSubwords(x->labels[1]) != SubwordScheme::None)) {
        AttentionTrace words;
        if (wordLevelTrace(out, words)) out = std::move(words);
    }
    const TraceTensor* cross = out.find("cross");
    // Gold is over words: it fits when each word is one token (a trailing eos column allowed).
    const bool rowsFit = cross && cross->shape.size() == 2 && int(cross->shape[0]) == int(v.target.size()) + 1;
    const int cols = rowsFit ? int(cross->shape[1]) : 0;
    const bool colsFit = rowsFit && (cols == int(v.source.size()) ||
                                     (cols == int(v.source.size()) + 1 && cross->labels.size() == 2 &&
                                      !cross->labels[1].empty() && cross->labels[1].back() == "</s>"));
    if (!colsFit) {
        out.metadata["warning"] = "no gold: " + out.model + "'s tokens do not group into the verse's words";
        return false;
    }
    attachGold(v, out);
    if (cols == int(v.source.size())) out.sourceEvaluated.pop_back();  // no eos column
    if (v.explicitGold) out.metadata[schema::translation::kGoldMeta] = schema::translation::kPharaohGold;
    return true;
}

Status UserTranslator::translateBatch(const std::vector<std::vector<std::string>>& sources,
                                      std::vector<std::vector<std::string>>& out, const ProgressFn& progress) const
{
    return greedyWords(sources, out, progress, nullptr);
}

Status UserTranslator::greedyWords(const std::vector<std::vector<std::string>>& sources, std::vector<std::vector<std::string>>& out,
                                   const ProgressFn& progress, const HeadAblation* ablation) const
{
    out.clear();
    for (size_t k = 0; k < sources.size(); ++k) {
        if (!keepGoing(progress, int64_t(k), int64_t(sources.size()))) return Status::error("cancelled");
        AttentionTrace trace;
        std::string translation;
        if (auto st = model_->decode(joinWords(sources[k]), nullptr, trace, &translation, {}, ablation); !st) return st;
        // The generated tokens (pieces, for a subword vocabulary) as lower-cased words.
        std::vector<std::string> pieces, words;
        std::istringstream in(translation);
        for (std::string p; in >> p;) pieces.push_back(p);
        for (const auto& w : groupPieces(pieces, detectSubwords(pieces)).words)
            for (const auto& t : tokenize(w)) words.push_back(toLower(t));
        out.push_back(std::move(words));
    }
    return Status::success();
}

Status loadVerseDecoder(const std::string& nameOrPath, std::unique_ptr<VerseDecoder>& out)
{
    if (!findModel(nameOrPath) && !sidecarPath(nameOrPath).empty()) {
        auto u = std::make_unique<UserTranslator>();
        if (auto st = u->load(nameOrPath); !st) return st;
        out = std::move(u);
        return Status::success();
    }
    auto t = std::make_unique<Translator>();
    if (auto st = t->load(nameOrPath); !st) return st;
    out = std::move(t);
    return Status::success();
}

} // namespace attnscope
