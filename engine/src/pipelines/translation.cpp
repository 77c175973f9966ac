// The translation pipeline: a sentence or a corpus verse through a built-in translator or a
// user model, with the rules that decide gold and forced decoding written once.
#include "attnscope/pipelines.h"

#include <QFileInfo>

#include "attnscope/schema.h"
#include "attnscope/scriptmodel.h"
#include "attnscope/translator.h"

namespace attnscope {

namespace {
std::string trimmed(const std::string& s)
{
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

Status runUserModel(ModelCache& cache, const TranslationRequest& req, const Verse* verse, TranslationResult& out,
                    const ProgressFn& cancel)
{
    Status st;
    auto m = cache.acquire<ScriptModel>(req.model, st);
    if (!m) return st;
    if (!keepGoing(cancel, 0, 1)) return Status::error("cancelled");
    auto trace = std::make_shared<AttentionTrace>();
    if (m->spec().seq2seq || m->spec().decoderOnly) {
        // An encoder–decoder (forced decoding of the reference, or greedy generation) or a
        // decoder-only generator (the input is the prompt; a reference is read as its continuation).
        if (req.forced && trimmed(req.reference).empty())
            return Status::error("forced decoding needs an English reference: give one, or decode freely");
        std::string translation;
        const HeadAblation* ablation = req.ablation.empty() ? nullptr : &req.ablation;
        if (req.forced && req.freeTranslation) {
            AttentionTrace free;
            if (auto ds = m->decode(req.source, nullptr, free, &translation, cancel, ablation); !ds) return ds;
        }
        if (auto ds = m->decode(req.source, req.forced ? &req.reference : nullptr, *trace, req.forced ? nullptr : &translation, cancel,
                                ablation);
            !ds)
            return ds;
        if (verse && m->spec().seq2seq) {
            trace->metadata[schema::translation::kVerseMeta] = verse->ref;
            if (req.forced && trimmed(req.source) == verse->sourceText() && trimmed(req.reference) == verse->targetText())
                attachWordGold(*verse, *trace);
        }
        out.translation = translation;
        out.gold = trace->hasGold();
        out.trace = std::move(trace);
        return Status::success();
    }
    if (auto rs = m->run(req.source, *trace, req.ablation.empty() ? nullptr : &req.ablation); !rs) return rs;
    std::string tokens;
    const auto toks = m->tokens(req.source);
    for (size_t k = 0; k < toks.size(); ++k) tokens += (k ? " " : "") + toks[k];
    out.translation = "(" + m->spec().name + " reads " + std::to_string(toks.size()) + " tokens: " + tokens + ")";
    out.trace = std::move(trace);
    out.gold = false;
    return Status::success();
}
} // namespace

Status runTranslation(ModelCache& cache, const Corpus* corpus, const TranslationRequest& req, TranslationResult& out,
                      const ProgressFn& cancel)
{
    out = TranslationResult{};
    const bool userModel = isUserModelFile(req.model);
    if (!userModel && !findModel(req.model) && !QFileInfo(QString::fromStdString(req.model)).isFile())
        return Status::error("unknown model '" + req.model + "' (`attnscope models` lists the built-in ones)");
    const Verse* verse = nullptr;
    if (!req.verse.empty()) {
        verse = corpus ? corpus->findRef(req.verse) : nullptr;
        if (!verse)
            return Status::error("no verse '" + req.verse +
                                 "' in the corpus (references use English book names, e.g. \"John 3:16\", \"I Kings 2:3\")");
    }
    TranslationRequest r = req;
    if (verse && trimmed(r.source).empty()) r.source = verse->sourceText();
    if (verse && r.forced && trimmed(r.reference).empty()) r.reference = verse->targetText();
    if (trimmed(r.source).empty()) return Status::error("nothing to translate: the input is empty");
    if (userModel && r.gradLens) return Status::error("the grad lens is computed for the built-in Transformer translators");
    if (userModel) return runUserModel(cache, r, verse, out, cancel);
    if (!isTranslatorModel(req.model)) return Status::error(req.model + " is not a translator");
    if (r.forced && trimmed(r.reference).empty())
        return Status::error("forced decoding needs an English reference: give one, or decode freely");
    // A verse keeps its gold only while its text (and, forced, its reference) is left as is.
    if (verse && trimmed(r.source) != verse->sourceText()) verse = nullptr;
    if (verse && r.forced && trimmed(r.reference) != verse->targetText()) verse = nullptr;

    Status st;
    auto t = cache.acquire<Translator>(req.model, st);
    if (!t) return st;
    // Head ablation for this request only: the cached model is restored however it ends.
    if (!r.ablation.empty())
        if (auto as = t->setAblation(r.ablation); !as) return as;
    if (r.gradLens) {
        if (!r.forced) return Status::error("the grad lens reads the reference's log p: decode forced");
        if (auto gs = t->enableLens(schema::kGradLens); !gs) return gs;
    }
    struct Restore {
        Translator* t;
        bool ablated, grad;
        ~Restore()
        {
            if (ablated) t->setAblation(HeadAblation{});
            if (grad) t->enableLens(schema::kNormLens);
        }
    } restore{&*t, !r.ablation.empty(), r.gradLens};
    auto trace = std::make_shared<AttentionTrace>();
    if (!r.forced || r.freeTranslation) {
        AttentionTrace free;
        st = verse ? t->decodeVerse(*verse, false, free, cancel) : t->translate(r.source, free, cancel);
        if (!st) return st;
        if (const TraceTensor* x = free.find(schema::translation::kCross); x && !x->labels.empty())
            for (const auto& w : x->labels[0])
                if (w != schema::translation::kEndOfSentence) out.translation += (out.translation.empty() ? "" : " ") + w;
        if (!r.forced) *trace = std::move(free);
    }
    if (r.forced) {
        st = verse ? t->decodeVerse(*verse, true, *trace, cancel) : t->forceDecode(r.source, r.reference, *trace, cancel);
        if (!st) return st;
    }
    if (!r.ablation.empty()) trace->metadata[schema::kAblationMeta] = r.ablation.describe();
    out.gold = trace->hasGold();
    out.trace = std::move(trace);
    return Status::success();
}

Status runForcedTokens(ModelCache& cache, const std::string& model, const std::string& source, const std::string& target,
                       AttentionTrace& out, const ProgressFn& cancel)
{
    Status st;
    if (isUserModelFile(model)) {
        // An encoder–decoder user model decodes the same sentence and target, forced.
        auto m = cache.acquire<ScriptModel>(model, st);
        if (!m) return st;
        if (m->spec().seq2seq) return m->decode(source, &target, out, nullptr, cancel);
    }
    if (!isTranslatorModel(model))
        return Status::error(model + " is not a translator: another model's head needs one that decodes "
                                     "the same sentence and target (a built-in translator or a seq2seq user model)");
    auto t = cache.acquire<Translator>(model, st);
    if (!t) return st;
    return t->forceDecode(source, target, out, cancel);
}

Status runBookEncoder(ModelCache& cache, const BookRequest& req, AttentionTrace& out, const ProgressFn& progress)
{
    if (req.book.empty()) return Status::error("no book given (e.g. Ruth, Genesis)");
    if (!isTranslatorModel(req.model)) return Status::error(req.model + " is not a built-in translator");
    Status st;
    auto corpus = bibleCorpus(cache, {splitOfBook(req.book)}, st);
    if (!corpus) return st;
    std::vector<std::string> tokens;
    std::string starts;
    int verses = 0;
    for (const Verse& v : corpus->verses) {
        if (v.book != req.book) continue;
        starts += (starts.empty() ? "" : ",") + std::to_string(tokens.size());
        const auto words = v.sourceWords();
        tokens.insert(tokens.end(), words.begin(), words.end());
        ++verses;
    }
    if (verses == 0)
        return Status::error("no book '" + req.book + "' in the corpus (English book names, e.g. Ruth, Genesis, I Kings)");
    auto t = cache.acquire<Translator>(req.model, st);
    if (!t) return st;
    if (auto es = t->encodeLong(tokens, out, progress); !es) return es;
    out.metadata[schema::kInputMeta] = req.book + ", whole book: " + std::to_string(verses) + " verses, " +
                                       std::to_string(tokens.size()) + " tokens";
    out.metadata["book"] = req.book;
    out.metadata["verse_starts"] = starts;
    return Status::success();
}

} // namespace attnscope
