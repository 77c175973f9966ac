// ONNX export folders as Optimum writes them, read without model code: which files make a
// model (an encoder–decoder pair, or a decoder-only model.onnx), and the sidecar the folder's
// config.json, generation_config.json and tokenizer files imply, with an attnscope.json in
// the folder laid over it key by key (overlaySidecar).
#include "onnxtext.h"
#include "runtimes/torchscript/scripttokens.h"
#include "runtimes/torchscript/sidecarjson.h"

#include "attnscope/visionmodel.h"

#include <QFileInfo>
#include <QJsonArray>

#include <algorithm>

namespace attnscope {

using onnxtext::readJson;

namespace {
const char* const kSidecarName = "attnscope.json";

/// Whether config.json describes a generating decoder (HF architectures *ForCausalLM /
/// *LMHeadModel), or attnscope.json says "type": "decoder".
bool folderIsDecoder(const QDir& dir)
{
    std::string error;
    const QJsonObject own = readJson(dir, kSidecarName, error);
    const QString type = own["input"].toObject()["type"].toString();
    if (!type.isEmpty()) return type == QLatin1String("decoder");
    for (const auto& a : readJson(dir, "config.json", error)["architectures"].toArray())
        if (a.toString().endsWith(QLatin1String("ForCausalLM")) || a.toString().endsWith(QLatin1String("LMHeadModel"))) return true;
    return false;
}

/// The first file of `names` in `dir`, or "".
QString firstFile(const QDir& dir, std::initializer_list<const char*> names)
{
    for (const char* n : names)
        if (QFileInfo(dir.filePath(QLatin1String(n))).isFile()) return QLatin1String(n);
    return {};
}

/// The sidecar an export folder implies. `decoderOnly`: a model.onnx generator, else an
/// encoder–decoder pair. Token ids from generation_config.json, then config.json, turned into
/// the tokens the sidecar names by the folder's vocabulary.
Status impliedSidecar(const QDir& dir, bool decoderOnly, const QJsonObject& over, QJsonObject& out)
{
    const std::string folder = dir.absolutePath().toStdString();
    std::string error;
    const QJsonObject config = readJson(dir, "config.json", error);
    if (!error.empty()) return Status::error(error);
    const QJsonObject generation = readJson(dir, "generation_config.json", error);
    if (!error.empty()) return Status::error(error);
    const std::string what = decoderOnly ? "a decoder-only ONNX export" : "an encoder–decoder ONNX export";
    if (config.isEmpty())
        return Status::error(folder + " is " + what + " without config.json or attnscope.json: write attnscope.json beside its "
                                      "graphs naming its tokenizers (docs/manual/onnx.md)");
    const std::string type = config["model_type"].toString().toStdString();
    QJsonObject in, source, target;
    if (decoderOnly) {
        const QString spm = firstFile(dir, {"tokenizer.model", "spiece.model", "sentencepiece.bpe.model"});
        if (spm.isEmpty())
            return Status::error(folder + ": a " + type + " export whose tokenizer is not SentencePiece (no tokenizer.model): write "
                                 "attnscope.json with \"input\": {\"type\": \"decoder\", \"vocabulary\": …} (docs/manual/onnx.md)");
        in["type"] = "decoder";
        source["sentencepiece"] = spm;
    } else if (type == "marian") {
        for (const char* n : {"source.spm", "target.spm", "vocab.json"})
            if (!QFileInfo(dir.filePath(QLatin1String(n))).isFile())
                return Status::error(folder + ": a marian export needs " + n + " beside its graphs (or an attnscope.json)");
        in["type"] = "seq2seq";
        source = QJsonObject{{"sentencepiece", "source.spm"}, {"vocabulary", "vocab.json"}};
        target = QJsonObject{{"sentencepiece", "target.spm"}, {"vocabulary", "vocab.json"}};
    } else if (type == "m2m_100") {
        // NLLB and M2M100: SentencePiece cuts the pieces; NLLB's tokenizer.json numbers them
        // (fairseq's offset) and holds the language codes, M2M100's vocab.json numbers them and
        // its codes (__es__) are the tokens added beside it (loadVocabulary). The source starts
        // with its language code (as both tokenizers write it); the target's code is the first
        // token the decoder is given to produce (forced_bos_token_id), so it opens forced and
        // greedy decoding alike.
        const bool nllb = QFileInfo(dir.filePath(QStringLiteral("tokenizer.json"))).isFile();
        if (!QFileInfo(dir.filePath(QStringLiteral("sentencepiece.bpe.model"))).isFile() ||
            (!nllb && !QFileInfo(dir.filePath(QStringLiteral("vocab.json"))).isFile()))
            return Status::error(folder + ": an NLLB or M2M100 export needs sentencepiece.bpe.model and tokenizer.json (NLLB) or "
                                          "vocab.json (M2M100) beside its graphs (or an attnscope.json)");
        const QJsonObject tokenizerConfig = readJson(dir, "tokenizer_config.json", error);
        if (!error.empty()) return Status::error(error);
        const QJsonObject wanted = over["input"].toObject();
        QString from = wanted["source_language"].toString(tokenizerConfig["src_lang"].toString());
        QString to = wanted["target_language"].toString(tokenizerConfig["tgt_lang"].toString());
        if (!nllb) {  // M2M100 names languages "es" and writes them "__es__"
            for (QString* code : {&from, &to})
                if (!code->isEmpty() && !code->startsWith(QLatin1String("__"))) *code = "__" + *code + "__";
        }
        if (from.isEmpty() || to.isEmpty())
            return Status::error(folder + ": an NLLB or M2M100 export translates between the languages you name: write "
                                          "attnscope.json {\"input\": {\"source_language\": \"spa_Latn\", \"target_language\": "
                                          "\"eng_Latn\"}} (M2M100: \"es\", \"en\"), or src_lang / tgt_lang in tokenizer_config.json");
        in["type"] = "seq2seq";
        const QString numbers = nllb ? QStringLiteral("tokenizer.json") : QStringLiteral("vocab.json");
        source = QJsonObject{{"sentencepiece", "sentencepiece.bpe.model"}, {"vocabulary", numbers}, {"prepend", QJsonArray{from}}};
        target = QJsonObject{{"sentencepiece", "sentencepiece.bpe.model"}, {"vocabulary", numbers}, {"prepend", QJsonArray{to}}};
    } else if (type == "t5" || type == "mt5") {
        if (!QFileInfo(dir.filePath(QStringLiteral("spiece.model"))).isFile())
            return Status::error(folder + ": a " + type + " export needs spiece.model beside its graphs (or an attnscope.json)");
        in["type"] = "seq2seq";
        source = target = QJsonObject{{"sentencepiece", "spiece.model"}};
    } else {
        return Status::error(folder + ": config.json says model_type '" + type + "'; AttnScope reads Marian, T5, NLLB and "
                                      "M2M100 exports without a sidecar (others: write attnscope.json, docs/manual/onnx.md)");
    }
    source["unknown"] = target["unknown"] = "<unk>";
    // The vocabulary that numbers the generated tokens.
    const QJsonObject& side = decoderOnly ? source : target;
    ScriptTokenizer tk;
    if (side.contains("vocabulary")) tk.vocabularyPath = dir.filePath(side["vocabulary"].toString()).toStdString();
    else tk.sentencePiecePath = dir.filePath(side["sentencepiece"].toString()).toStdString();
    Vocabulary vocab;
    if (auto st = loadVocabulary(tk, vocab); !st) return st;
    for (const QJsonObject* s : {&source, &target})
        for (const auto& code : (*s)["prepend"].toArray())
            if (!vocab.ids.count(code.toString().toStdString()))
                return Status::error(folder + ": the language code '" + code.toString().toStdString() +
                                     "' is not a token of the vocabulary (NLLB's codes look like spa_Latn, M2M100's like es)");
    const auto number = [&](const char* key) -> int64_t {
        QJsonValue v = generation.contains(QLatin1String(key)) ? generation[QLatin1String(key)] : config[QLatin1String(key)];
        if (v.isArray()) v = v.toArray().first();  // several eos ids: the first
        return v.isDouble() ? v.toInteger(-1) : -1;
    };
    const auto token = [&](const char* key, QString& tok) -> Status {
        const int64_t i = number(key);
        if (i < 0 || i >= int64_t(vocab.tokens.size()) || vocab.tokens[size_t(i)].empty())
            return Status::error(folder + ": config.json's " + key + " (" + std::to_string(i) + ") is not a token of the " +
                                 (decoderOnly ? "" : "target ") + "vocabulary (" + std::to_string(vocab.tokens.size()) + " tokens)");
        tok = QString::fromStdString(vocab.tokens[size_t(i)]);
        return Status::success();
    };
    QString eos, pad, start;
    if (auto st = token("eos_token_id", eos); !st) return st;
    in["eos"] = eos;
    if (decoderOnly) {
        // Llama-style tokenizers begin every prompt with bos.
        QString bos;
        if (number("bos_token_id") >= 0 && token("bos_token_id", bos).ok) source["prepend"] = QJsonArray{bos};
        in["pad"] = token("pad_token_id", pad).ok ? pad : eos;
        const int64_t positions = number("max_position_embeddings");
        in["max_tokens"] = qint64(positions > 0 ? std::min<int64_t>(positions, 4096) : 1024);
        const int64_t maxNew = number("max_new_tokens");
        in["max_new_tokens"] = qint64(maxNew > 0 ? std::min<int64_t>(maxNew, 1024) : 40);
        for (auto it = source.begin(); it != source.end(); ++it) in[it.key()] = it.value();
    } else {
        source["append"] = QJsonArray{"</s>"};  // Marian and T5 end the source with eos
        if (auto st = token("decoder_start_token_id", start); !st) return st;
        if (auto st = token("pad_token_id", pad); !st) return st;
        in["decoder_start"] = start;
        in["pad"] = pad;
        const int64_t maxLength = number("max_length");
        in["max_new_tokens"] = qint64(maxLength > 0 ? std::min<int64_t>(maxLength, 1024) : 60);
        in["source"] = source;
        in["target"] = target;
    }
    out = QJsonObject{{"name", dir.dirName()},
                      {"description", QString::fromStdString("an Optimum " + type + " export (config.json, tokenizers from the folder)")},
                      {"input", in}};
    return Status::success();
}
} // namespace

std::string onnxDecoderModel(const std::string& path)
{
    const QFileInfo fi(QString::fromStdString(path));
    QString model;
    if (fi.isDir()) {
        const QDir dir(fi.absoluteFilePath());
        if (!QFileInfo(dir.filePath(QStringLiteral("model.onnx"))).isFile() || !onnxPairFolder(path).empty()) return {};
        model = dir.filePath(QStringLiteral("model.onnx"));
    } else if (fi.isFile() && isOnnxPath(path)) {
        model = fi.absoluteFilePath();
    } else {
        return {};
    }
    // Its own sidecar (MODEL.json) decides; else the folder's attnscope.json or config.json.
    if (const std::string own = sidecarPath(model.toStdString()); !own.empty()) {
        QJsonObject o;
        return readSidecarObject(own, o).ok && o["input"].toObject()["type"].toString() == QLatin1String("decoder")
                   ? model.toStdString()
                   : std::string();
    }
    return folderIsDecoder(QFileInfo(model).absoluteDir()) ? model.toStdString() : std::string();
}

Status exportFolderSpec(const std::string& folder, bool decoderOnly, ScriptModelSpec& out)
{
    const QDir dir(QString::fromStdString(folder));
    const std::string own = dir.filePath(QLatin1String(kSidecarName)).toStdString();
    QJsonObject over;
    const bool hasOwn = QFileInfo(QString::fromStdString(own)).isFile();
    if (hasOwn)
        if (auto st = readSidecarObject(own, over); !st) return st;
    QJsonObject implied;
    const Status fromFolder = impliedSidecar(dir, decoderOnly, over, implied);
    // A complete attnscope.json needs nothing from the folder; an incomplete one fails below
    // naming the missing field, with why the folder could not fill it.
    if (!fromFolder && !hasOwn) return fromFolder;
    const std::string where = hasOwn ? own : folder + "/config.json";
    if (auto st = parseSidecarObject(where, dir, overlaySidecar(implied, over), out); !st)
        return fromFolder ? st : Status::error(st.message + " (the folder itself does not say: " + fromFolder.message + ")");
    return Status::success();
}

Status readModelSpec(const std::string& path, ScriptModelSpec& out)
{
    if (const std::string pair = onnxPairFolder(path); !pair.empty()) return exportFolderSpec(pair, false, out);
    if (const std::string model = onnxDecoderModel(path); !model.empty()) {
        if (const std::string own = sidecarPath(model); !own.empty()) return parseSidecar(own, out);
        return exportFolderSpec(QFileInfo(QString::fromStdString(model)).absolutePath().toStdString(), true, out);
    }
    const std::string sidecar = sidecarPath(path);
    if (sidecar.empty())
        return Status::error(path + " has no sidecar: write MODEL.json next to it saying what the model takes and "
                                    "which outputs are attention (docs/manual/your-own-model.md)");
    return parseSidecar(sidecar, out);
}

} // namespace attnscope
