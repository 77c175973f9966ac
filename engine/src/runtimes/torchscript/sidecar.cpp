// The JSON sidecar of user models (attnscope/scriptmodel.h): what a TorchScript or ONNX model
// takes (tokens, seq2seq, decoder, image, video) and which outputs are attention. Qt JSON only.
#include "attnscope/scriptmodel.h"
#include "io/confined.h"
#include "sidecarjson.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <map>
#include <limits>
#include <tuple>
#include <QJsonDocument>
#include <QJsonObject>

namespace attnscope {

std::string ScriptModelSpec::takes() const
{
    if (image && resize == "limit")
        return "an image → longest side ≤ " + std::to_string(maxSide) + ", sides multiples of " + std::to_string(multiple) +
               (bgr ? ", BGR" : "");
    if (video)
        return "a video → " + std::to_string(frames) + " frames sampled evenly, " + std::to_string(width) + "×" + std::to_string(height) +
               ", " + std::to_string(channels) + (channels == 1 ? " channel" : " channels");
    if (image)
        return "an image → " + std::to_string(width) + "×" + std::to_string(height) + ", " + std::to_string(channels) +
               (channels == 1 ? " channel" : " channels") +
               (patchHeight > 0 ? ", " + std::to_string(patchHeight) + "×" + std::to_string(patchWidth) + " patches" + (cls ? " + CLS" : "") : "") +
               (resize == "keep_aspect" ? ", width by aspect ratio" : "") + (bgr ? ", BGR" : "");
    std::string s = sentencePiecePath.empty() ? "text → word tokens via " : "text → SentencePiece pieces via ";
    s += QFileInfo(QString::fromStdString(sentencePiecePath.empty() ? vocabularyPath : sentencePiecePath)).fileName().toStdString();
    if (lowercase) s += " (lower-cased)";
    s += ", at most " + std::to_string(maxTokens);
    return s;
}

std::string ScriptModelSpec::produces() const
{
    std::string s;
    for (const auto& a : attention) s += (s.empty() ? "" : "; ") + a.name + " [layer, head, query, key]";
    return s.empty() ? std::string("attention found in the model's graph") : s;
}

std::string onnxPairFolder(const std::string& path)
{
    const QFileInfo fi(QString::fromStdString(path));
    const QDir dir = fi.isDir() ? QDir(fi.absoluteFilePath()) : fi.absoluteDir();
    if (!fi.isDir() && fi.fileName() != QLatin1String("encoder_model.onnx")) return {};
    if (dir.exists(QStringLiteral("encoder_model.onnx")) && dir.exists(QStringLiteral("decoder_model.onnx")))
        return dir.absolutePath().toStdString();
    // Graphs under other names: an attnscope.json naming them (or saying seq2seq).
    QJsonObject o;
    if (dir.exists(QStringLiteral("attnscope.json")) && readSidecarObject(dir.filePath(QStringLiteral("attnscope.json")).toStdString(), o).ok &&
        (o.contains(QLatin1String("encoder")) || o.contains(QLatin1String("decoder")) ||
         o["input"].toObject()["type"].toString() == QLatin1String("seq2seq")))
        return dir.absolutePath().toStdString();
    return {};
}

std::string sidecarPath(const std::string& modulePath)
{
    if (const std::string pair = onnxPairFolder(modulePath); !pair.empty()) {
        const QString p = QDir(QString::fromStdString(pair)).filePath(QStringLiteral("attnscope.json"));
        return QFileInfo(p).isFile() ? p.toStdString() : std::string();
    }
    const QFileInfo fi(QString::fromStdString(modulePath));
    for (const QString& p : {fi.dir().filePath(fi.completeBaseName() + ".json"), fi.filePath() + ".json"})
        if (QFileInfo(p).isFile()) return p.toStdString();
    return {};
}

Status parseAttention(const std::string& jsonPath, const QJsonObject& o, ScriptModelSpec& out);

namespace {
/// An integer field: absent → `fallback`; present → a whole number in lo…hi, else an error
/// naming the field, the range and the value given (Qt's toInt would turn 1e12 into the
/// default and let it pass).
Status intField(const std::string& jsonPath, const QJsonObject& o, const char* key, int fallback, int lo, int hi, int& out)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull()) {
        out = fallback;
        return Status::success();
    }
    const double d = v.toDouble(std::numeric_limits<double>::quiet_NaN());
    if (!v.isDouble() || !(d >= lo && d <= hi) || d != std::floor(d)) {
        const std::string given = v.isDouble() ? QString::number(d, 'g', 12).toStdString() : "a " + std::string(v.isString() ? "string" : "non-number");
        return Status::error(jsonPath + ": \"" + key + "\" must be a whole number " + std::to_string(lo) + "…" + std::to_string(hi) +
                             ", not " + given);
    }
    out = int(d);
    return Status::success();
}

/// "size", "channels", "mean", "std" of an image or video input.
Status parsePixels(const std::string& jsonPath, const QJsonObject& in, ScriptModelSpec& out)
{
    const QJsonArray size = in["size"].toArray();
    if (size.size() != 2) return Status::error(jsonPath + ": an image input needs \"size\": [height, width]");
    out.height = size[0].toInt();
    out.width = size[1].toInt();
    if (out.height < 1 || out.width < 1 || out.height > 4096 || out.width > 4096)
        return Status::error(jsonPath + ": image size must be 1…4096 pixels per side");
    if (auto st = intField(jsonPath, in, "channels", 3, 1, 3, out.channels); !st) return st;
    if (out.channels != 1 && out.channels != 3) return Status::error(jsonPath + ": \"channels\" must be 1 or 3");
    for (const char* key : {"mean", "std"}) {
        std::vector<double>& v = std::string(key) == "mean" ? out.mean : out.std;
        const QJsonArray a = in[key].toArray();
        for (const auto& x : a) v.push_back(x.toDouble());
        if (v.empty()) v.assign(size_t(out.channels), std::string(key) == "mean" ? 0.0 : 1.0);
        if (int(v.size()) != out.channels)
            return Status::error(jsonPath + ": \"" + key + "\" needs one value per channel (" + std::to_string(out.channels) + ")");
    }
    for (double x : out.std)
        if (!(x > 0)) return Status::error(jsonPath + ": \"std\" values must be positive");
    return Status::success();
}

Status parseVideoInput(const std::string& jsonPath, const QJsonObject& in, const QJsonObject& o, ScriptModelSpec& out)
{
    out.video = true;
    if (auto st = parsePixels(jsonPath, in, out); !st) return st;
    if (auto st = intField(jsonPath, in, "frames", 0, 0, 512, out.frames); !st) return st;
    if (out.frames < 1 || out.frames > 512) return Status::error(jsonPath + ": a video input needs \"frames\": 1…512 (how many frames the model reads)");
    out.maxTokens = out.frames;
    return parseAttention(jsonPath, o, out);
}

Status parseImageInput(const std::string& jsonPath, const QDir& base, const QJsonObject& in, const QJsonObject& o,
                       ScriptModelSpec& out)
{
    out.image = true;
    out.resize = in["resize"].toString("stretch").toStdString();
    if (out.resize != "stretch" && out.resize != "keep_aspect" && out.resize != "limit")
        return Status::error(jsonPath + ": \"resize\" must be \"stretch\", \"keep_aspect\" or \"limit\"");
    if (auto st = intField(jsonPath, in, "max_side", out.resize == "keep_aspect" ? 3200 : 960, 8, 8192, out.maxSide); !st) return st;
    if (auto st = intField(jsonPath, in, "multiple", 32, 1, 512, out.multiple); !st) return st;
    if (out.maxSide < 8 || out.maxSide > 8192 || out.multiple < 1 || out.multiple > 512)
        return Status::error(jsonPath + ": \"max_side\" must be 8…8192 and \"multiple\" 1…512");
    QJsonObject pixels = in;
    if (out.resize == "limit" && !in.contains("size")) pixels["size"] = QJsonArray{out.multiple, out.multiple};
    if (auto st = parsePixels(jsonPath, pixels, out); !st) return st;
    const QString order = in["order"].toString("RGB").toUpper();
    if (order != "RGB" && order != "BGR") return Status::error(jsonPath + ": \"order\" must be \"RGB\" or \"BGR\"");
    out.bgr = order == "BGR";
    const QJsonValue patch = in["patch"];
    if (patch.isArray() && patch.toArray().size() == 2) {
        out.patchHeight = patch.toArray()[0].toInt();
        out.patchWidth = patch.toArray()[1].toInt();
    } else {
        out.patchHeight = out.patchWidth = patch.toInt(0);
    }
    if (out.patchHeight < 0 || out.patchWidth < 0 || (out.patchHeight > 0 && out.height % out.patchHeight != 0) ||
        (out.patchWidth > 0 && out.resize == "stretch" && out.width % out.patchWidth != 0))
        return Status::error(jsonPath + ": \"patch\" must divide the image size");
    out.cls = in["cls"].toBool(false);
    if (out.patchHeight > 0) out.maxTokens = (out.height / out.patchHeight) * (out.width / std::max(1, out.patchWidth)) + (out.cls ? 1 : 0);
    // ONNX outputs that are not attention: CTC text and maps over the picture.
    const QJsonObject ctc = o["ctc"].toObject();
    if (!ctc.isEmpty()) {
        out.ctcOutput = ctc["output"].toString().toStdString();
        if (auto st = resolveInside(base, ctc["characters"].toString(), jsonPath, "\"ctc\".\"characters\"", out.ctcCharacters); !st)
            return st;
        if (auto st = intField(jsonPath, ctc, "blank", 0, 0, 1 << 24, out.ctcBlank); !st) return st;
        out.ctcSpace = ctc["space"].toBool(false);
        if (out.ctcOutput.empty() || ctc["characters"].toString().isEmpty())
            return Status::error(jsonPath + ": \"ctc\" needs \"output\" (a graph output) and \"characters\" (one per line)");
        if (!QFileInfo::exists(QString::fromStdString(out.ctcCharacters)))
            return Status::error(jsonPath + ": the CTC characters file " + out.ctcCharacters + " is missing");
    }
    const QJsonObject classes = o["classes"].toObject();
    if (!classes.isEmpty()) {
        out.classOutput = classes["output"].toString().toStdString();
        if (out.classOutput.empty()) return Status::error(jsonPath + ": \"classes\" needs \"output\" (the graph output holding the logits)");
        if (classes.contains("labels")) {
            if (auto st = resolveInside(base, classes["labels"].toString(), jsonPath, "\"classes\".\"labels\"", out.classLabels); !st)
                return st;
            if (!QFileInfo::exists(QString::fromStdString(out.classLabels)))
                return Status::error(jsonPath + ": the class labels file " + out.classLabels + " is missing");
        }
    }
    for (const auto& v : o["maps"].toArray()) {
        const QJsonObject m = v.toObject();
        if (m["output"].toString().isEmpty()) return Status::error(jsonPath + ": a \"maps\" entry needs \"output\"");
        out.maps.emplace_back(m["output"].toString().toStdString(), m["name"].toString(m["output"].toString()).toStdString());
    }
    // An ONNX model's attention is found in its graph; a TorchScript model lists it.
    if (!o.contains("attention")) return Status::success();
    if (out.patchHeight == 0) return Status::error(jsonPath + ": an image input needs \"patch\" (the side of the patches attention runs over)");
    return parseAttention(jsonPath, o, out);
}
} // namespace

namespace {
/// "vocabulary" or "sentencepiece" and the options of one side of the text.
Status parseTokenizer(const std::string& jsonPath, const QString& field, const QDir& base, const QJsonObject& in,
                      ScriptTokenizer& out)
{
    if (in.contains("vocabulary"))
        if (auto st = resolveInside(base, in["vocabulary"].toString(), jsonPath, field.toStdString() + ".\"vocabulary\"", out.vocabularyPath); !st)
            return st;
    if (in.contains("sentencepiece"))
        if (auto st = resolveInside(base, in["sentencepiece"].toString(), jsonPath, field.toStdString() + ".\"sentencepiece\"",
                                    out.sentencePiecePath);
            !st)
            return st;
    if (out.vocabularyPath.empty() && out.sentencePiecePath.empty())
        return Status::error(jsonPath + ": " + field.toStdString() +
                             " needs a \"vocabulary\" file (one token per line) or a \"sentencepiece\" model");
    out.lowercase = in["lowercase"].toBool(false);
    out.unknown = in["unknown"].toString("[UNK]").toStdString();
    for (const auto& v : in["prepend"].toArray()) out.prepend.push_back(v.toString().toStdString());
    for (const auto& v : in["append"].toArray()) out.append.push_back(v.toString().toStdString());
    return Status::success();
}

/// The source (or only) side's tokenizer into the spec's own fields.
void setSourceTokenizer(const ScriptTokenizer& tk, ScriptModelSpec& out)
{
    out.vocabularyPath = tk.vocabularyPath;
    out.sentencePiecePath = tk.sentencePiecePath;
    out.lowercase = tk.lowercase;
    out.unknown = tk.unknown;
    out.prepend = tk.prepend;
    out.append = tk.append;
}

/// The fields of generating models (seq2seq and decoder): pad_to, pad, eos, logits,
/// max_new_tokens, and the top-level "alignment".
Status parseGeneration(const std::string& jsonPath, const QJsonObject& in, const QJsonObject& o, int defaultMaxTokens,
                       int defaultMaxNew, ScriptModelSpec& out)
{
    if (auto st = intField(jsonPath, in, "pad_to", 0, 0, 4096, out.padTo); !st) return st;
    int maxTokens = defaultMaxTokens;
    if (auto st = intField(jsonPath, in, "max_tokens", defaultMaxTokens, 1, 131072, maxTokens); !st) return st;
    out.maxTokens = out.padTo > 0 ? out.padTo : maxTokens;
    out.pad = in["pad"].toString("<pad>").toStdString();
    out.eos = in["eos"].toString("</s>").toStdString();
    if (in["logits"].isDouble()) out.logits = {in["logits"].toInt(), {}};
    else if (in["logits"].isString()) out.logits = {-1, in["logits"].toString().toStdString()};
    if (auto st = intField(jsonPath, in, "max_new_tokens", defaultMaxNew, 1, 1024, out.maxNewTokens); !st) return st;
    const QJsonObject al = o["alignment"].toObject();
    out.alignmentTensor = al["tensor"].toString().toStdString();
    out.alignmentLayer = al.contains("layer") ? al["layer"].toInt() - 1 : -1;
    out.alignmentHead = al["head"].isDouble() ? al["head"].toInt() - 1 : -1;
    return Status::success();
}

/// The head-mask arguments named in out.arguments: their shapes and kinds from the input's
/// "head_mask" object; `kinds`: each argument's default kind.
Status parseHeadMasks(const std::string& jsonPath, const QJsonObject& in, const std::map<std::string, std::string>& kinds,
                      ScriptModelSpec& out)
{
    const QJsonObject masks = in["head_mask"].toObject();
    if (in.contains("head_mask") && !in["head_mask"].isObject())
        return Status::error(jsonPath + ": \"head_mask\" is an object: {\"head_mask\": [layers, heads], …}");
    for (const auto& argument : out.arguments) {
        if (!kinds.count(argument)) continue;
        const QJsonValue v = masks[QString::fromStdString(argument)];
        const QJsonArray shape = v.isArray() ? v.toArray() : v.toObject()["shape"].toArray();
        const auto whole = [](const QJsonValue& x) { return x.isDouble() && x.toDouble() >= 1 && x.toDouble() <= 4096 && x.toDouble() == std::floor(x.toDouble()); };
        if (shape.size() != 2 || !whole(shape[0]) || !whole(shape[1]))
            return Status::error(jsonPath + ": the argument " + argument + " needs its shape: \"head_mask\": {\"" + argument +
                                 "\": [layers, heads]} in the input (whole numbers 1…4096)");
        ScriptHeadMask m{argument, kinds.at(argument), int64_t(shape[0].toDouble()), int64_t(shape[1].toDouble())};
        if (v.isObject() && v.toObject().contains("kind")) m.kind = v.toObject()["kind"].toString().toStdString();
        if (m.kind.empty()) return Status::error(jsonPath + ": \"head_mask\" " + argument + ": \"kind\" is empty");
        out.headMasks.push_back(m);
    }
    for (auto it = masks.begin(); it != masks.end(); ++it)
        if (std::find(out.arguments.begin(), out.arguments.end(), it.key().toStdString()) == out.arguments.end())
            return Status::error(jsonPath + ": \"head_mask\" names " + it.key().toStdString() + ", which is not in \"arguments\"");
    return Status::success();
}

Status parseSeq2SeqInput(const std::string& jsonPath, const QDir& base, const QJsonObject& in, const QJsonObject& o,
                         ScriptModelSpec& out)
{
    out.seq2seq = true;
    ScriptTokenizer source;
    if (!in["source"].isObject()) return Status::error(jsonPath + ": a seq2seq input needs \"source\": {vocabulary or sentencepiece}");
    if (!in["target"].isObject()) return Status::error(jsonPath + ": a seq2seq input needs \"target\": {vocabulary or sentencepiece}");
    if (auto st = parseTokenizer(jsonPath, "\"source\"", base, in["source"].toObject(), source); !st) return st;
    if (auto st = parseTokenizer(jsonPath, "\"target\"", base, in["target"].toObject(), out.target); !st) return st;
    setSourceTokenizer(source, out);
    static const QStringList known{"input_ids",      "attention_mask",    "decoder_input_ids",   "decoder_attention_mask",
                                   "token_type_ids", "head_mask",         "decoder_head_mask",   "cross_attn_head_mask"};
    for (const auto& v : in["arguments"].toArray()) {
        if (!known.contains(v.toString()))
            return Status::error(jsonPath + ": \"arguments\" names '" + v.toString().toStdString() + "' (known: " +
                                 known.join(", ").toStdString() + ")");
        out.arguments.push_back(v.toString().toStdString());
    }
    if (out.arguments.empty()) out.arguments = {"input_ids", "attention_mask", "decoder_input_ids"};
    for (const char* need : {"input_ids", "decoder_input_ids"})
        if (std::find(out.arguments.begin(), out.arguments.end(), need) == out.arguments.end())
            return Status::error(jsonPath + ": \"arguments\" must include " + need);
    if (auto st = parseHeadMasks(jsonPath, in,
                                 {{"head_mask", "encoder_self"}, {"decoder_head_mask", "decoder_self"}, {"cross_attn_head_mask", "cross_attention"}},
                                 out);
        !st)
        return st;
    if (auto st = parseGeneration(jsonPath, in, o, 512, 60, out); !st) return st;
    out.decoderStart = in["decoder_start"].toString(QString::fromStdString(out.pad)).toStdString();
    // An ONNX encoder–decoder folder names its two graphs (Optimum's defaults otherwise).
    for (const auto& [key, fallback, target] : {std::tuple<const char*, const char*, std::string*>{"encoder", "encoder_model.onnx", &out.encoderGraph},
                                                {"decoder", "decoder_model.onnx", &out.decoderGraph}})
        if (o.contains(key) || QFileInfo(base.filePath(fallback)).isFile())
            if (auto st = resolveInside(base, o[key].toString(fallback), jsonPath, std::string("\"") + key + "\"", *target); !st)
                return st;
    if (auto st = parseAttention(jsonPath, o, out); !st) return st;
    for (const auto& a : out.attention) {
        if (a.qk) return Status::error(jsonPath + ": '" + a.name + "': queries/keys entries are for \"tokens\" models");
        for (const auto* side : {&a.querySide, &a.keySide})
            if (*side != "source" && *side != "target")
                return Status::error(jsonPath + ": '" + a.name + "' needs \"query\" and \"key\": \"source\" or \"target\"");
    }
    return Status::success();
}
} // namespace

namespace {
Status parseDecoderInput(const std::string& jsonPath, const QDir& base, const QJsonObject& in, const QJsonObject& o,
                         ScriptModelSpec& out)
{
    out.decoderOnly = true;
    ScriptTokenizer tk;
    if (auto st = parseTokenizer(jsonPath, "input", base, in, tk); !st) return st;
    setSourceTokenizer(tk, out);
    for (const auto& v : in["arguments"].toArray()) {
        if (v.toString() != "input_ids" && v.toString() != "attention_mask" && v.toString() != "token_type_ids" && v.toString() != "head_mask")
            return Status::error(jsonPath + ": \"arguments\" names '" + v.toString().toStdString() +
                                 "' (a decoder takes input_ids, attention_mask, token_type_ids, head_mask)");
        out.arguments.push_back(v.toString().toStdString());
    }
    if (out.arguments.empty()) out.arguments = {"input_ids", "attention_mask"};
    if (std::find(out.arguments.begin(), out.arguments.end(), "input_ids") == out.arguments.end())
        return Status::error(jsonPath + ": \"arguments\" must include input_ids");
    if (auto st = parseHeadMasks(jsonPath, in, {{"head_mask", "self"}}, out); !st) return st;
    if (auto st = parseGeneration(jsonPath, in, o, 1024, 40, out); !st) return st;
    if (auto st = parseAttention(jsonPath, o, out); !st) return st;
    for (auto& a : out.attention) {
        if (a.qk) return Status::error(jsonPath + ": '" + a.name + "': queries/keys entries are for \"tokens\" models");
        a.querySide = a.keySide = "target";
    }
    return Status::success();
}
} // namespace

Status readSidecarObject(const std::string& jsonPath, QJsonObject& out)
{
    QFile f(QString::fromStdString(jsonPath));
    if (!f.open(QIODevice::ReadOnly)) return Status::error("cannot read the sidecar " + jsonPath);
    if (f.size() > 1 << 20) return Status::error(jsonPath + ": the sidecar is larger than 1 MiB");
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (!doc.isObject()) return Status::error(jsonPath + ": not a JSON object (" + err.errorString().toStdString() + ")");
    out = doc.object();
    return Status::success();
}

QJsonObject overlaySidecar(const QJsonObject& implied, const QJsonObject& over)
{
    const auto merge = [](QJsonObject base, const QJsonObject& top, auto&& self, int depth) -> QJsonObject {
        for (auto it = top.begin(); it != top.end(); ++it) {
            const bool deeper = (depth == 0 && it.key() == QLatin1String("input")) ||
                                (depth == 1 && (it.key() == QLatin1String("source") || it.key() == QLatin1String("target")));
            if (deeper && it.value().isObject() && base.value(it.key()).isObject())
                base[it.key()] = self(base.value(it.key()).toObject(), it.value().toObject(), self, depth + 1);
            else base[it.key()] = it.value();
        }
        return base;
    };
    return merge(implied, over, merge, 0);
}

Status parseSidecar(const std::string& jsonPath, ScriptModelSpec& out)
{
    QJsonObject o;
    if (auto st = readSidecarObject(jsonPath, o); !st) return st;
    const QFileInfo f(QString::fromStdString(jsonPath));
    if (!o.contains("name")) o["name"] = f.completeBaseName();
    return parseSidecarObject(jsonPath, f.dir(), o, out);
}

Status parseSidecarObject(const std::string& jsonPath, const QDir& base, const QJsonObject& o, ScriptModelSpec& out)
{
    out = ScriptModelSpec{};
    out.name = o["name"].toString(QStringLiteral("model")).toStdString();
    out.description = o["description"].toString().toStdString();
    const QJsonObject in = o["input"].toObject();
    if (in.isEmpty()) return Status::error(jsonPath + ": \"input\" is missing");
    const QString type = in["type"].toString("tokens");
    if (type != "tokens" && type != "image" && type != "video" && type != "seq2seq" && type != "decoder")
        return Status::error(jsonPath + ": input type '" + type.toStdString() +
                             "' is not supported (supported: tokens, seq2seq, decoder, image, video)");
    if (type == "image") return parseImageInput(jsonPath, base, in, o, out);
    if (type == "video") return parseVideoInput(jsonPath, in, o, out);
    if (type == "seq2seq") return parseSeq2SeqInput(jsonPath, base, in, o, out);
    if (type == "decoder") return parseDecoderInput(jsonPath, base, in, o, out);
    if (in.contains("vocabulary"))
        if (auto st = resolveInside(base, in["vocabulary"].toString(), jsonPath, "\"input\".\"vocabulary\"", out.vocabularyPath); !st)
            return st;
    if (in.contains("sentencepiece"))
        if (auto st = resolveInside(base, in["sentencepiece"].toString(), jsonPath, "\"input\".\"sentencepiece\"", out.sentencePiecePath);
            !st)
            return st;
    if (out.vocabularyPath.empty() && out.sentencePiecePath.empty())
        return Status::error(jsonPath + ": input needs a \"vocabulary\" file (one token per line) or a \"sentencepiece\" model");
    out.lowercase = in["lowercase"].toBool(false);
    out.unknown = in["unknown"].toString("[UNK]").toStdString();
    for (const auto& v : in["prepend"].toArray()) out.prepend.push_back(v.toString().toStdString());
    for (const auto& v : in["append"].toArray()) out.append.push_back(v.toString().toStdString());
    if (auto st = intField(jsonPath, in, "max_tokens", 512, 1, 131072, out.maxTokens); !st) return st;
    return parseAttention(jsonPath, o, out);
}

Status parseAttention(const std::string& jsonPath, const QJsonObject& o, ScriptModelSpec& out)
{
    // Absent: the model's file says where its attention is (ONNX: the graph's Softmax nodes);
    // ScriptModel::load asks a TorchScript model for the list.
    if (!o.contains("attention")) return Status::success();
    const QJsonArray att = o["attention"].toArray();
    if (att.isEmpty()) return Status::error(jsonPath + ": \"attention\" lists no outputs");
    for (const auto& v : att) {
        const QJsonObject a = v.toObject();
        ScriptAttentionSpec s;
        s.name = a["name"].toString().toStdString();
        if (s.name.empty()) return Status::error(jsonPath + ": an attention entry has no \"name\"");
        if (a.contains("queries") || a.contains("keys")) {
            // Q/K mode: two outputs, token and head-dimension axes.
            s.qk = true;
            for (const auto& [field, target] : {std::pair<const char*, ScriptOutput*>{"queries", &s.queries}, {"keys", &s.keys}}) {
                const QJsonValue v = a[field];
                if (v.isDouble()) target->index = v.toInt();
                else if (v.isString()) target->key = v.toString().toStdString();
                else return Status::error(jsonPath + ": '" + s.name + "' needs \"queries\" and \"keys\" (an output index or key each)");
            }
            s.perLayer = a["per_layer"].toBool(false);
            s.causal = a["causal"].toBool(false);
            s.scale = a["scale"].toDouble(0);
            for (const auto& x : a["axes"].toArray()) s.axes.push_back(x.toString().toStdString());
            bool token = false, dim = false;
            for (const auto& x : s.axes) {
                if (x != "layer" && x != "head" && x != "token" && x != "dim" && x != "batch")
                    return Status::error(jsonPath + ": '" + s.name + "' (queries and keys) has an unknown axis '" + x +
                                         "' (layer, head, token, dim, batch)");
                token = token || x == "token";
                dim = dim || x == "dim";
            }
            if (!token || !dim) return Status::error(jsonPath + ": '" + s.name + "' (queries and keys) needs axes \"token\" and \"dim\"");
            out.attention.push_back(std::move(s));
            continue;
        }
        if (a["output"].isDouble()) s.outputIndex = a["output"].toInt();
        else if (a["output"].isString()) s.outputKey = a["output"].toString().toStdString();
        else if (!a["output"].isUndefined()) return Status::error(jsonPath + ": \"output\" of '" + s.name + "' must be an index or a key");
        if (a["value_norms"].isDouble()) s.valueNorms.index = a["value_norms"].toInt();
        else if (a["value_norms"].isString()) s.valueNorms.key = a["value_norms"].toString().toStdString();
        else if (!a["value_norms"].isUndefined())
            return Status::error(jsonPath + ": \"value_norms\" of '" + s.name + "' must be an output index or key");
        s.perLayer = a["per_layer"].toBool(false);
        s.querySide = a["query"].toString().toStdString();
        s.keySide = a["key"].toString().toStdString();
        for (const auto& x : a["axes"].toArray()) s.axes.push_back(x.toString().toStdString());
        if (s.axes.empty()) return Status::error(jsonPath + ": '" + s.name + "' has no \"axes\"");
        for (const auto& x : s.axes)
            if (x != "layer" && x != "head" && x != "query" && x != "key" && x != "batch")
                return Status::error(jsonPath + ": '" + s.name + "' has an unknown axis '" + x + "' (layer, head, query, key, batch)");
        out.attention.push_back(std::move(s));
    }
    return Status::success();
}

} // namespace attnscope
