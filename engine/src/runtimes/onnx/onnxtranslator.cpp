// An encoder–decoder translator exported as two ONNX graphs (Optimum's layout:
// encoder_model.onnx: input_ids, attention_mask → last_hidden_state; decoder_model.onnx:
// input_ids, encoder_attention_mask, encoder_hidden_states → logits), run on the ATen
// interpreter. The attention exists only as the graphs' Softmax nodes (OnnxModel finds them);
// it is named as for a TorchScript translator: the encoder's Softmax nodes are encoder_self,
// the decoder's are cross_attention when their keys are the source, else decoder_self; layers
// numbered in graph order within each kind, heads from the run, [layer, head, query, key].
// Forced decoding is one decoder call over the whole target; greedy generation one call per
// token until eos or max_new_tokens.
#include "runtimes/torchscript/scriptmodelimpl.h"

#include "attnscope/corpus.h"
#include "attnscope/headstats.h"
#include "attnscope/resources.h"
#include "attnscope/schema.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <tuple>

namespace attnscope {

namespace {
bool hasInput(const OnnxModel& m, const char* name)
{
    for (const auto& v : m.inspection().inputs)
        if (v.name == name) return true;
    return false;
}

OnnxTensor int64Row(const std::vector<int64_t>& ids)
{
    OnnxTensor t;
    t.shape = {1, int64_t(ids.size())};
    t.int64Values = ids;
    return t;
}

/// One found Softmax of a run as [heads, query, key] values (batch 1).
struct FoundHead {
    std::string node;
    int64_t heads = 0, queries = 0, keys = 0;
    const std::vector<float>* values = nullptr;
};

std::vector<FoundHead> softmaxes(const OnnxRunResult& r)
{
    std::vector<FoundHead> out;
    for (const auto& a : r.attention) {
        if (a.kind != OnnxAttention::Kind::Softmax || a.shape.size() < 3) continue;
        const auto it = r.values.find(a.output);
        if (it == r.values.end()) continue;
        FoundHead f;
        f.node = a.node;
        f.queries = a.shape[a.shape.size() - 2];
        f.keys = a.shape.back();
        f.heads = a.heads > 0 ? a.heads : (a.shape.size() == 4 ? a.shape[1] : a.shape[0]);
        f.values = &it->second.values;
        if (f.heads * f.queries * f.keys != int64_t(f.values->size())) continue;  // a batch > 1 is not ours
        out.push_back(f);
    }
    return out;
}

/// Softmax outputs of one kind stacked as [layer, head, query, key], labelled.
Status stack(const std::string& name, const std::vector<FoundHead>& layers, const std::vector<std::string>& queries,
             const std::vector<std::string>& keys, TraceTensor& out)
{
    out = TraceTensor{};
    out.name = name;
    out.axes = {"layer", "head", "query", "key"};
    const int64_t H = layers.front().heads;
    std::vector<std::string> layerNames, headNames;
    for (const auto& l : layers) {
        if (l.heads != H)
            return Status::error(name + ": the Softmax nodes have different head counts (" + std::to_string(H) + " and " +
                                 std::to_string(l.heads) + " at " + l.node + ")");
        out.values.insert(out.values.end(), l.values->begin(), l.values->end());
        layerNames.push_back(l.node);
    }
    for (int64_t h = 0; h < H; ++h) headNames.push_back("h" + std::to_string(h + 1));
    out.shape = {int64_t(layers.size()), H, int64_t(queries.size()), int64_t(keys.size())};
    out.labels = {layerNames, headNames, queries, keys};
    return out.validate();
}
} // namespace

namespace {
QJsonObject readJson(const QDir& dir, const char* name, std::string& error)
{
    QFile f(dir.filePath(QLatin1String(name)));
    if (!f.exists()) return {};
    if (!f.open(QIODevice::ReadOnly) || f.size() > (1 << 22)) {
        error = f.fileName().toStdString() + " cannot be read";
        return {};
    }
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (!doc.isObject()) error = f.fileName().toStdString() + " is not a JSON object (" + err.errorString().toStdString() + ")";
    return doc.object();
}
} // namespace

Status synthesizeSeq2SeqSpec(const std::string& folder, ScriptModelSpec& spec)
{
    const QDir dir(QString::fromStdString(folder));
    std::string error;
    const QJsonObject config = readJson(dir, "config.json", error);
    if (!error.empty()) return Status::error(error);
    const QJsonObject generation = readJson(dir, "generation_config.json", error);
    if (!error.empty()) return Status::error(error);
    if (config.isEmpty())
        return Status::error(folder + " is an encoder–decoder ONNX export without config.json or attnscope.json: write "
                                      "attnscope.json beside its graphs naming its tokenizers (docs/manual/onnx.md)");
    const std::string type = config["model_type"].toString().toStdString();
    spec = ScriptModelSpec{};
    spec.name = dir.dirName().toStdString();
    spec.seq2seq = true;
    spec.unknown = "<unk>";
    spec.append = {"</s>"};  // Marian and T5 end the source with eos
    const auto file = [&](const char* name) { return dir.filePath(QLatin1String(name)).toStdString(); };
    const auto need = [&](const char* name) -> Status {
        return QFileInfo(dir.filePath(QLatin1String(name))).isFile()
                   ? Status::success()
                   : Status::error(folder + ": a " + type + " export needs " + name + " beside its graphs (or an attnscope.json)");
    };
    if (type == "marian") {
        for (const char* n : {"source.spm", "target.spm", "vocab.json"})
            if (auto st = need(n); !st) return st;
        spec.sentencePiecePath = file("source.spm");
        spec.vocabularyPath = file("vocab.json");
        spec.target.sentencePiecePath = file("target.spm");
        spec.target.vocabularyPath = file("vocab.json");
    } else if (type == "t5" || type == "mt5") {
        if (auto st = need("spiece.model"); !st) return st;
        spec.sentencePiecePath = spec.target.sentencePiecePath = file("spiece.model");
    } else {
        return Status::error(folder + ": config.json says model_type '" + type + "'; AttnScope reads Marian and T5 exports "
                                      "without a sidecar (NLLB/M2M and others: write attnscope.json, docs/manual/onnx.md)");
    }
    spec.target.unknown = "<unk>";
    // Token ids: generation_config.json first, then config.json.
    const auto id = [&](const char* key) -> int64_t {
        const QJsonValue v = generation.contains(QLatin1String(key)) ? generation[QLatin1String(key)] : config[QLatin1String(key)];
        return v.isDouble() ? v.toInteger(-1) : -1;
    };
    Vocabulary target;
    if (auto st = loadVocabulary(spec.target, target); !st) return st;
    for (const auto& [key, token] : {std::pair<const char*, std::string*>{"decoder_start_token_id", &spec.decoderStart},
                                     {"eos_token_id", &spec.eos},
                                     {"pad_token_id", &spec.pad}}) {
        const int64_t i = id(key);
        if (i < 0 || i >= int64_t(target.tokens.size()) || target.tokens[size_t(i)].empty())
            return Status::error(folder + ": config.json's " + key + " (" + std::to_string(i) + ") is not a token of the target "
                                 "vocabulary (" + std::to_string(target.tokens.size()) + " tokens)");
        *token = target.tokens[size_t(i)];
    }
    const int64_t maxLength = id("max_length");
    spec.maxNewTokens = maxLength > 0 ? int(std::min<int64_t>(maxLength, 1024)) : 60;
    spec.encoderGraph = file("encoder_model.onnx");
    spec.decoderGraph = file("decoder_model.onnx");
    spec.description = "an Optimum " + type + " export (config.json, tokenizers from the folder)";
    return Status::success();
}

Status ScriptModel::Impl::loadOnnxPair(const std::string& folder)
{
    const std::string sidecar = sidecarPath(folder);
    if (sidecar.empty()) {
        if (auto st = synthesizeSeq2SeqSpec(folder, spec); !st) return st;
    } else if (auto st = parseSidecar(sidecar, spec); !st) {
        return st;
    }
    const std::string where = sidecar.empty() ? folder + "/config.json" : sidecar;
    if (!spec.seq2seq) return Status::error(sidecar + ": an encoder–decoder export needs \"input\": {\"type\": \"seq2seq\", …}");
    if (spec.encoderGraph.empty() || spec.decoderGraph.empty())
        return Status::error(folder + ": the encoder or decoder graph is missing (encoder_model.onnx and decoder_model.onnx, or "
                                      "\"encoder\" / \"decoder\" in attnscope.json)");
    if (spec.padTo > 0) return Status::error(where + ": an ONNX pair takes any length; drop \"pad_to\"");
    initEngineThreads();
    const auto open = [&](const std::string& path, std::unique_ptr<OnnxModel>& m) -> Status {
        if (QFileInfo(QString::fromStdString(path)).fileName() == QLatin1String("decoder_model_merged.onnx"))
            return Status::error(path + " is Optimum's merged decoder (an If over two subgraphs, for the KV cache), which "
                                        "AttnScope does not run: name decoder_model.onnx as \"decoder\"");
        if (!QFileInfo::exists(QString::fromStdString(path))) return Status::error(path + " is missing");
        m = std::make_unique<OnnxModel>();
        return m->load(path);
    };
    if (auto st = open(spec.encoderGraph, encoderGraph); !st) return st;
    if (auto st = open(spec.decoderGraph, decoderGraph); !st) return st;
    if (!hasInput(*encoderGraph, "input_ids"))
        return Status::error(spec.encoderGraph + " has no input 'input_ids': not an Optimum encoder graph");
    for (const auto& v : encoderGraph->inspection().inputs)
        if (v.name != "input_ids" && v.name != "attention_mask")
            return Status::error(spec.encoderGraph + ": the input '" + v.name + "' is not one AttnScope fills (input_ids, attention_mask)");
    for (const char* need : {"input_ids", "encoder_hidden_states"})
        if (!hasInput(*decoderGraph, need))
            return Status::error(spec.decoderGraph + " has no input '" + need + "': not an Optimum decoder graph" +
                                 (hasInput(*decoderGraph, "past_key_values.0.key") ? " (it is the one with past key values)" : ""));
    for (const auto& v : decoderGraph->inspection().inputs)
        if (v.name != "input_ids" && v.name != "encoder_attention_mask" && v.name != "encoder_hidden_states" && v.name != "attention_mask")
            return Status::error(spec.decoderGraph + ": the input '" + v.name +
                                 "' is not one AttnScope fills (input_ids, encoder_attention_mask, encoder_hidden_states)");
    if (auto st = loadVocabulary(sourceTokenizer(), vocab); !st) return st;
    if (auto st = loadVocabulary(spec.target, targetVocab); !st) return st;
    for (const auto& [field, token] : {std::pair<const char*, const std::string*>{"decoder_start", &spec.decoderStart}, {"eos", &spec.eos}})
        if (!targetVocab.ids.count(*token))
            return Status::error(where + ": \"" + field + "\" '" + *token + "' is not in the target vocabulary (" +
                                 std::to_string(targetVocab.tokens.size()) + " tokens)");
    loaded = true;
    return Status::success();
}

Status ScriptModel::Impl::decodeOnnxPair(const std::string& source, const std::string* reference, AttentionTrace& out,
                                         std::string* translation, const ProgressFn& cancel) const
{
    std::vector<std::string> srcTok;
    std::vector<int64_t> srcIds;
    if (auto st = encodeSource(source, srcTok, srcIds); !st) return st;
    const int64_t S = int64_t(srcIds.size());
    // The encoder once.
    std::map<std::string, OnnxTensor> encIn{{"input_ids", int64Row(srcIds)}};
    if (hasInput(*encoderGraph, "attention_mask")) encIn["attention_mask"] = int64Row(std::vector<int64_t>(size_t(S), 1));
    OnnxRunResult enc;
    if (auto st = encoderGraph->run(encIn, enc); !st) return Status::error("encoder: " + st.message);
    const std::string hiddenName = encoderGraph->inspection().outputs.at(0).name;
    const OnnxTensor& hidden = enc.values.at(hiddenName);
    const std::string logitsName = [&] {
        for (const auto& o : decoderGraph->inspection().outputs)
            if (o.name == "logits") return o.name;
        return decoderGraph->inspection().outputs.at(0).name;
    }();
    const int64_t startId = targetVocab.ids.at(spec.decoderStart), eosId = targetVocab.ids.at(spec.eos);
    // One decoder call over the decoder inputs so far.
    const auto decode = [&](const std::vector<int64_t>& dec, OnnxRunResult& r) -> Status {
        std::map<std::string, OnnxTensor> in{{"input_ids", int64Row(dec)}, {"encoder_hidden_states", hidden}};
        if (hasInput(*decoderGraph, "encoder_attention_mask"))
            in["encoder_attention_mask"] = int64Row(std::vector<int64_t>(size_t(S), 1));
        if (hasInput(*decoderGraph, "attention_mask")) in["attention_mask"] = int64Row(std::vector<int64_t>(dec.size(), 1));
        if (auto st = decoderGraph->run(in, r); !st) return Status::error("decoder: " + st.message);
        return Status::success();
    };
    std::vector<int64_t> tgtIds;
    std::vector<std::string> tgtTok;
    OnnxRunResult last;
    bool haveLast = false;
    if (reference) {
        if (auto st = encodeWith(spec.target, targetVocab, *reference, tgtTok, tgtIds); !st) return Status::error("target: " + st.message);
        if (!tgtIds.empty() && tgtIds.back() == eosId) tgtIds.pop_back(), tgtTok.pop_back();
        if (tgtIds.empty()) return Status::error("forced decoding needs a target: the reference is empty");
    } else {
        // Greedy: one call per generated token, the argmax of the last step's logits.
        for (int step = 0; step < spec.maxNewTokens; ++step) {
            if (!keepGoing(cancel, step, spec.maxNewTokens)) return Status::error("cancelled");
            std::vector<int64_t> dec{startId};
            dec.insert(dec.end(), tgtIds.begin(), tgtIds.end());
            if (auto st = decode(dec, last); !st) return st;
            haveLast = true;
            const OnnxTensor& logits = last.values.at(logitsName);
            const int64_t V = logits.shape.empty() ? 0 : logits.shape.back();
            if (V != int64_t(targetVocab.tokens.size()) || logits.values.size() < size_t(V) * dec.size())
                return Status::error(spec.name + ": the decoder's logits are " + std::to_string(V) + " wide but the target vocabulary has " +
                                     std::to_string(targetVocab.tokens.size()) + " tokens");
            const float* row = logits.values.data() + (dec.size() - 1) * size_t(V);
            const int64_t next = int64_t(std::max_element(row, row + V) - row);
            if (next == eosId) break;
            tgtIds.push_back(next);
            tgtTok.push_back(targetVocab.tokens[size_t(next)]);
            haveLast = false;  // the final call must see this token too
        }
    }
    std::vector<int64_t> dec{startId};
    dec.insert(dec.end(), tgtIds.begin(), tgtIds.end());
    if (!haveLast)
        if (auto st = decode(dec, last); !st) return st;  // forced: the one call over the whole target
    const int64_t T = int64_t(dec.size());

    std::vector<std::string> rowLabels = tgtTok;
    rowLabels.push_back(spec.eos);  // step t predicts target token t; the last step predicts eos
    std::vector<std::string> decoderInputs{spec.decoderStart};
    decoderInputs.insert(decoderInputs.end(), tgtTok.begin(), tgtTok.end());
    AttentionTrace trace;
    trace.model = spec.name;
    trace.scoreFunction = "onnx";
    trace.metadata[schema::kInputMeta] = source;
    trace.metadata[schema::kModeMeta] = reference ? schema::kForced : schema::kFree;
    if (reference) trace.metadata[schema::translation::kReferenceMeta] = *reference;
    // Name the decoder's Softmax nodes by their keys: the source (cross) or the decoder inputs
    // (self). When S = T the extents cannot tell: a node name saying encoder/cross decides,
    // else the layers' usual order (self, then cross).
    std::vector<FoundHead> encSelf, decSelf, cross;
    for (const auto& f : softmaxes(enc))
        if (f.queries == S && f.keys == S) encSelf.push_back(f);
    bool nextIsSelf = true;
    for (const auto& f : softmaxes(last)) {
        if (f.queries != T || (f.keys != S && f.keys != T)) continue;
        bool isCross = f.keys == S && S != T;
        if (S == T) {
            QString n = QString::fromStdString(f.node).toLower();
            isCross = n.contains("encoder_attn") || n.contains("cross") || n.contains("encdec") ? true
                      : n.contains("self_attn")                                                 ? false
                                                                                                : !nextIsSelf;
        }
        (isCross ? cross : decSelf).push_back(f);
        nextIsSelf = isCross;
    }
    if (cross.empty())
        return Status::error(spec.name + ": the decoder graph has no Softmax over the " + std::to_string(S) +
                             " source tokens (no cross-attention found; `attnscope inspect` lists what it found)");
    for (const auto& [name, found, queries, keys] :
         {std::tuple<const char*, const std::vector<FoundHead>*, const std::vector<std::string>*, const std::vector<std::string>*>{
              "encoder_self", &encSelf, &srcTok, &srcTok},
          {"decoder_self", &decSelf, &rowLabels, &decoderInputs},
          {"cross_attention", &cross, &rowLabels, &srcTok}}) {
        if (found->empty()) continue;
        TraceTensor x;
        if (auto st = stack(name, *found, *queries, *keys, x); !st) return st;
        trace.tensors.push_back(std::move(x));
    }
    // The 2-D alignment the matrix shows and gold scores: the penultimate cross-attention
    // layer's mean over heads (Garg et al. 2019), as for TorchScript translators.
    if (auto st = scriptmodel::insertAlignment(trace, "cross_attention", spec); !st) return st;
    addTraceWarning(trace, nonFiniteReport(trace));
    if (translation) *translation = scriptmodel::joinTokens(tgtTok);
    out = std::move(trace);
    return Status::success();
}

} // namespace attnscope
