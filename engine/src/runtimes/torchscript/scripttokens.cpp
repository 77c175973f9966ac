// How text becomes token ids for user models (scripttokens.h).
#include "scripttokens.h"

#include "attnscope/corpus.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

namespace attnscope {

namespace {
/// Runs a SentencePiece command-line tool (Debian package sentencepiece). SentencePiece runs
/// in its own process because Debian's libsentencepiece embeds a protobuf that clashes with
/// LibTorch's when both are loaded into one process.
Status runSentencePiece(const char* tool, const QStringList& args, const QByteArray& input, QByteArray& output)
{
    const QString exe = QStandardPaths::findExecutable(tool);
    if (exe.isEmpty())
        return Status::error(std::string("SentencePiece input needs the ") + tool +
                             " tool (Debian package sentencepiece); it is not on the PATH");
    QProcess p;
    p.start(exe, args);
    if (!p.waitForStarted(5000)) return Status::error(std::string("cannot start ") + tool);
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(30000)) {
        p.kill();
        return Status::error(std::string(tool) + " did not finish within 30 s");
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return Status::error(std::string(tool) + " failed: " + QString::fromUtf8(p.readAllStandardError()).trimmed().left(300).toStdString());
    output = p.readAllStandardOutput();
    return Status::success();
}
} // namespace

Status loadVocabulary(const ScriptTokenizer& tk, Vocabulary& out)
{
    out = Vocabulary{};
    // Both given: SentencePiece cuts the pieces, the vocabulary file numbers them (Marian).
    if (!tk.sentencePiecePath.empty() && tk.vocabularyPath.empty()) {
        // The piece ↔ id table of the SentencePiece model: one "piece<TAB>score" line per id.
        if (!QFileInfo(QString::fromStdString(tk.sentencePiecePath)).isFile())
            return Status::error("cannot read the SentencePiece model " + tk.sentencePiecePath);
        QByteArray table;
        if (auto st = runSentencePiece("spm_export_vocab", {"--model=" + QString::fromStdString(tk.sentencePiecePath)}, {}, table); !st)
            return Status::error(tk.sentencePiecePath + ": " + st.message);
        for (const QByteArray& line : table.split('\n'))
            if (!line.isEmpty()) {
                out.ids.emplace(line.left(line.indexOf('\t')).toStdString(), int64_t(out.tokens.size()));
                out.tokens.push_back(line.left(line.indexOf('\t')).toStdString());
            }
        if (out.tokens.empty()) return Status::error("the SentencePiece model " + tk.sentencePiecePath + " has no pieces");
        return Status::success();
    }
    QFile v(QString::fromStdString(tk.vocabularyPath));
    if (!v.open(QIODevice::ReadOnly)) return Status::error("cannot read the vocabulary " + tk.vocabularyPath);
    if (tk.vocabularyPath.size() > 5 && tk.vocabularyPath.compare(tk.vocabularyPath.size() - 5, 5, ".json") == 0) {
        // HuggingFace's vocab.json (Marian's shared one): {"token": id, …}; or a tokenizers
        // tokenizer.json: "model": {"vocab": {"piece": id, …} or [[piece, score], …]} and
        // "added_tokens": [{"id": …, "content": …}] (NLLB's specials and language codes).
        QJsonParseError err{};
        const QJsonDocument doc = QJsonDocument::fromJson(v.readAll(), &err);
        if (!doc.isObject()) return Status::error(tk.vocabularyPath + ": not a JSON object of token → id (" + err.errorString().toStdString() + ")");
        const auto add = [&](const QString& token, const QJsonValue& idValue) -> Status {
            const qint64 id = idValue.toInteger(-1);
            if (id < 0 || id >= (qint64(1) << 24) || !idValue.isDouble())
                return Status::error(tk.vocabularyPath + ": the id of '" + token.toStdString() + "' is not a number 0…16777215");
            if (size_t(id) >= out.tokens.size()) out.tokens.resize(size_t(id) + 1);
            out.tokens[size_t(id)] = token.toStdString();
            out.ids[token.toStdString()] = id;
            return Status::success();
        };
        const QJsonObject top = doc.object();
        const bool tokenizers = top["model"].isObject();
        const QJsonValue vocabValue = tokenizers ? top["model"].toObject()["vocab"] : QJsonValue(top);
        if (vocabValue.isArray()) {
            const QJsonArray a = vocabValue.toArray();
            for (qsizetype i = 0; i < a.size(); ++i)
                if (auto st = add(a[i].toArray().first().toString(), QJsonValue(double(i))); !st) return st;
        } else {
            const QJsonObject o = vocabValue.toObject();
            for (auto it = o.begin(); it != o.end(); ++it)
                if (auto st = add(it.key(), it.value()); !st) return st;
        }
        for (const auto& t : top["added_tokens"].toArray())
            if (auto st = add(t.toObject()["content"].toString(), t.toObject()["id"]); !st) return st;
        if (!tokenizers) {
            // HuggingFace keeps the tokens added to a vocab.json beside it (M2M100's language
            // codes): tokenizer_config.json's "added_tokens_decoder" {id: {"content"}}, or else
            // special_tokens_map.json's "additional_special_tokens", numbered after the
            // vocabulary as M2M100's tokenizer numbers them. Tokens already known keep their id.
            const QDir dir = QFileInfo(v).dir();
            const auto readObject = [&](const char* name) {
                QFile f(dir.filePath(QLatin1String(name)));
                return f.size() < (1 << 22) && f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
            };
            const QJsonObject decoder = readObject("tokenizer_config.json")["added_tokens_decoder"].toObject();
            for (auto it = decoder.begin(); it != decoder.end(); ++it) {
                const QString token = it.value().toObject()["content"].toString();
                bool ok = false;
                const qint64 id = it.key().toLongLong(&ok);
                if (ok && !token.isEmpty() && !out.ids.count(token.toStdString()))
                    if (auto st = add(token, QJsonValue(double(id))); !st) return st;
            }
            if (decoder.isEmpty()) {
                const qint64 base = qint64(out.tokens.size());
                const QJsonArray extra = readObject("special_tokens_map.json")["additional_special_tokens"].toArray();
                for (qsizetype i = 0; i < extra.size(); ++i)
                    if (!out.ids.count(extra[i].toString().toStdString()))
                        if (auto st = add(extra[i].toString(), QJsonValue(double(base + i))); !st) return st;
            }
        }
        if (out.tokens.empty()) return Status::error("the vocabulary " + tk.vocabularyPath + " is empty");
        return Status::success();
    }
    while (!v.atEnd()) {
        QByteArray word = v.readLine();
        while (word.endsWith('\n') || word.endsWith('\r')) word.chop(1);
        out.ids.emplace(word.toStdString(), int64_t(out.tokens.size()));
        out.tokens.push_back(word.toStdString());
    }
    if (out.tokens.empty()) return Status::error("the vocabulary " + tk.vocabularyPath + " is empty");
    return Status::success();
}

/// Tokens and ids of `text` by one side's tokenizer; an error for an unknown word when the
/// vocabulary has no unknown token.
Status encodeWith(const ScriptTokenizer& tk, const Vocabulary& vocab, const std::string& text, std::vector<std::string>& tokens,
                  std::vector<int64_t>& ids)
{
    tokens = tk.prepend;
    if (!tk.sentencePiecePath.empty()) {
        // One line in, the pieces of that line out ("▁" marks a word start).
        QByteArray line = QByteArray::fromStdString(text).replace('\n', ' ').replace('\r', ' ');
        QByteArray pieces;
        if (auto st = runSentencePiece("spm_encode", {"--model=" + QString::fromStdString(tk.sentencePiecePath), "--output_format=piece"},
                                       line + '\n', pieces);
            !st)
            return st;
        for (const QByteArray& p : pieces.trimmed().split(' '))
            if (!p.isEmpty()) tokens.push_back(p.toStdString());
    } else {
        for (const auto& w : tokenize(text)) tokens.push_back(tk.lowercase ? toLower(w) : w);
    }
    tokens.insert(tokens.end(), tk.append.begin(), tk.append.end());
    ids.clear();
    for (const auto& t : tokens) {
        auto it = vocab.ids.find(t);
        if (it == vocab.ids.end()) it = vocab.ids.find(tk.unknown);
        if (it == vocab.ids.end())
            return Status::error("the word '" + t + "' is not in the vocabulary and it has no '" + tk.unknown + "' token");
        ids.push_back(it->second);
    }
    return Status::success();
}

} // namespace attnscope
