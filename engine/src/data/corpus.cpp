// Spanish→English Bible corpus from the SWORD modules, with Strong's-number gold links.
#include "attnscope/corpus.h"

#include "attnscope/resources.h"

#include <QFile>
#include <QRegularExpression>
#include <QString>

#include <swlog.h>
#include <swmgr.h>
#include <swmodule.h>
#include <versekey.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <map>
#include <mutex>

namespace attnscope {

namespace {
constexpr const char* kSourceModule = "spaRV1909eb";
constexpr const char* kTargetModule = "engWEB2015eb";

const QRegularExpression& tokenRegex()
{
    static const QRegularExpression re(QStringLiteral("\\w+(?:['\u2019]\\w+)*|[^\\w\\s]"),
                                       QRegularExpression::UseUnicodePropertiesOption);
    return re;
}

std::string decodeEntities(const std::string& in)
{
    if (in.find('&') == std::string::npos) return in;
    static const std::pair<const char*, const char*> table[] = {
        {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}};
    std::string out;
    out.reserve(in.size());
    for (size_t i = 0; i < in.size();) {
        bool replaced = false;
        if (in[i] == '&')
            for (const auto& [from, to] : table)
                if (in.compare(i, std::strlen(from), from) == 0) {
                    out += to;
                    i += std::strlen(from);
                    replaced = true;
                    break;
                }
        if (!replaced) out += in[i++];
    }
    return out;
}

std::vector<int> parseLemma(const std::string& tag)
{
    std::vector<int> numbers;
    const auto pos = tag.find("lemma=\"");
    if (pos == std::string::npos) return numbers;
    const auto end = tag.find('"', pos + 7);
    const std::string lemma = tag.substr(pos + 7, end == std::string::npos ? std::string::npos : end - pos - 7);
    size_t i = 0;
    while ((i = lemma.find("strong:", i)) != std::string::npos) {
        i += 7;
        if (i >= lemma.size()) break;
        const char lang = lemma[i];
        if (lang != 'H' && lang != 'G') continue;
        ++i;
        int n = 0;
        bool any = false;
        while (i < lemma.size() && std::isdigit(static_cast<unsigned char>(lemma[i]))) {
            n = n * 10 + (lemma[i] - '0');  // leading zeros vanish: H0430 == H430
            ++i;
            any = true;
            if (n > 99999) break;
        }
        if (any) numbers.push_back(lang == 'G' ? 100000 + n : n);
    }
    return numbers;
}

std::string tagName(const std::string& tag)  // tag without '<' '>'
{
    size_t b = (tag[0] == '/') ? 1 : 0, e = b;
    while (e < tag.size() && !std::isspace(static_cast<unsigned char>(tag[e])) && tag[e] != '/') ++e;
    return tag.substr(b, e - b);
}

bool alphabetic(const std::string& text)
{
    const QString s = QString::fromStdString(text);
    if (s.isEmpty() || !s.front().isLetter() || !s.back().isLetter()) return false;
    for (QChar c : s)
        if (!c.isLetter() && c != QLatin1Char('\'') && c != QChar(0x2019)) return false;
    return true;
}

std::set<std::string> readStopWords(const char* file)
{
    std::set<std::string> words;
    QFile f(QString::fromStdString(resourcePath(std::string("stopwords/") + file)));
    if (!f.open(QIODevice::ReadOnly)) return words;
    while (!f.atEnd()) {
        const QString line = QString::fromUtf8(f.readLine()).trimmed();
        if (!line.isEmpty() && !line.startsWith('#')) words.insert(line.toLower().toStdString());
    }
    return words;
}

std::string joinTokens(const std::vector<Token>& tokens)
{
    // Detokenise for display: no space before closing punctuation, none after opening.
    static const std::set<std::string> closing{".", ",", ";", ":", "!", "?", ")", "]", "\u201d", "\u2019"};
    static const std::set<std::string> opening{"(", "[", "\u201c", "\u2018", "\u00bf", "\u00a1"};
    std::string out;
    bool glue = true;
    for (const auto& t : tokens) {
        if (!glue && !closing.count(t.text)) out += ' ';
        out += t.text;
        glue = opening.count(t.text) > 0;
    }
    return out;
}
} // namespace

std::string toLower(const std::string& s) { return QString::fromStdString(s).toLower().toStdString(); }

std::vector<std::string> Verse::sourceWords() const
{
    std::vector<std::string> w;
    for (const auto& t : source) w.push_back(t.text);
    return w;
}
std::vector<std::string> Verse::targetWords() const
{
    std::vector<std::string> w;
    for (const auto& t : target) w.push_back(t.text);
    return w;
}
std::string Verse::sourceText() const { return joinTokens(source); }
std::string Verse::targetText() const { return joinTokens(target); }

std::string splitName(Split s)
{
    switch (s) {
    case Split::Train: return "train";
    case Split::Dev: return "dev";
    case Split::Test: return "test";
    }
    return "?";
}

bool parseSplit(const std::string& name, Split& out)
{
    if (name == "train") out = Split::Train;
    else if (name == "dev") out = Split::Dev;
    else if (name == "test") out = Split::Test;
    else return false;
    return true;
}

Split splitOfBook(const std::string& book)
{
    static const std::set<std::string> test{"Ruth", "Jonah", "Philippians", "Titus", "Jude"};
    static const std::set<std::string> dev{"Obadiah", "Haggai", "Colossians", "Philemon"};
    if (test.count(book)) return Split::Test;
    if (dev.count(book)) return Split::Dev;
    return Split::Train;
}

std::vector<std::string> tokenize(const std::string& text)
{
    std::vector<std::string> out;
    auto it = tokenRegex().globalMatch(QString::fromStdString(text));
    while (it.hasNext()) out.push_back(it.next().captured(0).toStdString());
    return out;
}

std::vector<Token> parseOsis(const std::string& osis)
{
    std::vector<Token> tokens;
    std::vector<std::vector<int>> wStack;  // Strong's numbers of open <w> elements
    int skipDepth = 0;                      // inside <note> or <title>
    size_t i = 0;
    auto flushText = [&](const std::string& text) {
        if (skipDepth > 0 || text.empty()) return;
        for (auto& word : tokenize(decodeEntities(text))) {
            Token t;
            t.text = std::move(word);
            if (!wStack.empty()) t.strongs = wStack.back();
            tokens.push_back(std::move(t));
        }
    };
    while (i < osis.size()) {
        const size_t lt = osis.find('<', i);
        flushText(osis.substr(i, lt == std::string::npos ? std::string::npos : lt - i));
        if (lt == std::string::npos) break;
        const size_t gt = osis.find('>', lt);
        if (gt == std::string::npos) break;  // unterminated tag: ignore the rest
        const std::string tag = osis.substr(lt + 1, gt - lt - 1);
        i = gt + 1;
        if (tag.empty()) continue;
        const bool closing = tag[0] == '/';
        const bool selfClosing = tag.back() == '/';
        const std::string name = tagName(tag);
        if (name == "note" || name == "title") {
            if (selfClosing) continue;
            skipDepth += closing ? -1 : 1;
            skipDepth = std::max(skipDepth, 0);
        } else if (name == "w" && !selfClosing) {
            if (closing) {
                if (!wStack.empty()) wStack.pop_back();
            } else {
                wStack.push_back(parseLemma(tag));
            }
        }
    }
    return tokens;
}

const std::set<std::string>& stopWords(bool spanish)
{
    static const std::set<std::string> es = readStopWords("es.txt");
    static const std::set<std::string> en = readStopWords("en.txt");
    return spanish ? es : en;
}

bool isEvaluated(const Token& t, bool spanish)
{
    return !t.strongs.empty() && alphabetic(t.text) && !stopWords(spanish).count(toLower(t.text));
}

void markEvaluated(Verse& v)
{
    for (auto& t : v.source) t.evaluated = isEvaluated(t, true);
    for (auto& t : v.target) t.evaluated = isEvaluated(t, false);
}

std::vector<AlignmentLink> goldLinks(const Verse& v)
{
    if (v.explicitGold) return v.sure;
    std::vector<AlignmentLink> links;
    for (int j = 0; j < int(v.target.size()); ++j) {
        const Token& tt = v.target[size_t(j)];
        if (!tt.evaluated) continue;
        for (int i = 0; i < int(v.source.size()); ++i) {
            const Token& st = v.source[size_t(i)];
            if (!st.evaluated) continue;
            const bool shared = std::any_of(st.strongs.begin(), st.strongs.end(), [&](int n) {
                return std::find(tt.strongs.begin(), tt.strongs.end(), n) != tt.strongs.end();
            });
            if (shared) links.push_back({i, j});
        }
    }
    return links;
}

void attachGold(const Verse& v, AttentionTrace& trace)
{
    trace.goldLinks = goldLinks(v);
    trace.possibleLinks = v.explicitGold ? v.possible : std::vector<AlignmentLink>{};
    trace.sourceEvaluated.clear();
    trace.targetEvaluated.clear();
    for (const auto& t : v.source) trace.sourceEvaluated.push_back(t.evaluated);
    for (const auto& t : v.target) trace.targetEvaluated.push_back(t.evaluated);
    trace.sourceEvaluated.push_back(0);  // </s>
    trace.targetEvaluated.push_back(0);
}

std::vector<const Verse*> Corpus::split(Split s) const
{
    std::vector<const Verse*> out;
    for (const auto& v : verses)
        if (splitOfBook(v.book) == s) out.push_back(&v);
    return out;
}

const Verse* Corpus::findRef(const std::string& ref) const
{
    for (const auto& v : verses)
        if (v.ref == ref) return &v;
    return nullptr;
}

Status loadBibleCorpus(Corpus& out, const std::set<Split>& splits, const ProgressFn& progress)
{
    static std::mutex swordMutex;  // libsword's global state is not thread-safe
    std::lock_guard<std::mutex> lock(swordMutex);
    sword::SWLog::getSystemLog()->setLogLevel(sword::SWLog::LOG_ERROR);
    sword::SWMgr mgr;
    sword::SWModule* src = mgr.getModule(kSourceModule);
    sword::SWModule* tgt = mgr.getModule(kTargetModule);
    if (!src) return Status::error("SWORD module spaRV1909eb (Reina-Valera 1909) not found: install the Debian package sword-text-sparv");
    if (!tgt) return Status::error("SWORD module engWEB2015eb (World English Bible) not found: install the Debian package sword-text-web");

    // English entries by reference; the two modules use different versifications, so
    // verses are paired by their reference text.
    std::map<std::string, std::string> english;
    for ((*tgt) = sword::TOP; !tgt->popError(); (*tgt)++) {
        auto* vk = dynamic_cast<sword::VerseKey*>(tgt->getKey());
        if (!vk || !splits.count(splitOfBook(vk->getBookName()))) continue;
        english[tgt->getKeyText()] = tgt->getRawEntry();
    }
    out.verses.clear();
    int64_t done = 0;
    const int64_t total = 31102;  // verses in the KJV versification of the Spanish module
    for ((*src) = sword::TOP; !src->popError(); (*src)++) {
        if (!keepGoing(progress, ++done, total)) return Status::error("cancelled");
        auto* vk = dynamic_cast<sword::VerseKey*>(src->getKey());
        if (!vk || !splits.count(splitOfBook(vk->getBookName()))) continue;
        auto it = english.find(src->getKeyText());
        if (it == english.end()) continue;
        Verse v;
        v.ref = src->getKeyText();
        v.book = vk->getBookName();
        v.chapter = vk->getChapter();
        v.verse = vk->getVerse();
        v.source = parseOsis(src->getRawEntry());
        v.target = parseOsis(it->second);
        if (v.source.empty() || v.target.empty()) continue;
        markEvaluated(v);
        out.verses.push_back(std::move(v));
    }
    if (out.verses.empty()) return Status::error("the SWORD modules yielded no verses for the requested split");
    if (stopWords(true).empty() || stopWords(false).empty())
        return Status::error("stop-word lists not found under resources/stopwords (set ATTNSCOPE_RESOURCES)");
    return Status::success();
}

} // namespace attnscope

namespace attnscope {

Status parsePharaohLine(const std::string& line, bool oneBased, std::vector<AlignmentLink>& sure,
                        std::vector<AlignmentLink>& possible)
{
    sure.clear();
    possible.clear();
    std::istringstream in(line);
    std::string tok;
    const std::regex re(R"((\d+)(?:([-?p])(\d+)(?:-([spSP]))?))");
    while (in >> tok) {
        std::smatch m;
        if (!std::regex_match(tok, m, re) || (m[2] != "-" && m[4].matched))
            return Status::error("'" + tok + "' is not a Pharaoh link (i-j sure, i?j, ipj or i-j-p possible)");
        const long long i = std::stoll(m[1].str().substr(0, 9)) - (oneBased ? 1 : 0);
        const long long j = std::stoll(m[3].str().substr(0, 9)) - (oneBased ? 1 : 0);
        if (i < 0 || j < 0)
            return Status::error("'" + tok + "' has index 0 but the links are 1-based (drop --one-based for 0-based links)");
        const bool isPossible = m[2] != "-" || (m[4].matched && (m[4] == "p" || m[4] == "P"));
        (isPossible ? possible : sure).push_back({int(i), int(j)});
    }
    return Status::success();
}

Status loadPharaohCorpus(const std::string& sourcePath, const std::string& targetPath, const std::string& goldPath,
                         bool oneBased, Corpus& out)
{
    auto readLines = [](const std::string& path, std::vector<std::string>& lines) -> Status {
        std::ifstream f(path, std::ios::binary);
        if (!f) return Status::error(path + ": cannot open (" + std::strerror(errno) + ")");
        lines.clear();
        for (std::string l; std::getline(f, l);) {
            if (!l.empty() && l.back() == '\r') l.pop_back();
            lines.push_back(l);
        }
        while (!lines.empty() && lines.back().find_first_not_of(" \t") == std::string::npos) lines.pop_back();
        return Status::success();
    };
    std::vector<std::string> src, tgt, gold;
    if (auto st = readLines(sourcePath, src); !st) return st;
    if (auto st = readLines(targetPath, tgt); !st) return st;
    if (auto st = readLines(goldPath, gold); !st) return st;
    if (src.empty()) return Status::error(sourcePath + ": no sentences");
    if (src.size() != tgt.size())
        return Status::error("the source has " + std::to_string(src.size()) + " lines but the target " +
                             std::to_string(tgt.size()) + " (" + sourcePath + ", " + targetPath + ")");
    if (gold.size() > src.size())
        return Status::error(goldPath + " has " + std::to_string(gold.size()) + " lines but the corpus " +
                             std::to_string(src.size()) + " sentence pairs");
    gold.resize(src.size());  // trailing pairs without links: no gold links
    std::string stem = sourcePath.substr(sourcePath.find_last_of('/') + 1);
    stem = stem.substr(0, stem.find('.'));
    Corpus c;
    for (size_t k = 0; k < src.size(); ++k) {
        const std::string where = " line " + std::to_string(k + 1);
        Verse v;
        v.book = stem;
        v.chapter = 1;
        v.verse = int(k + 1);
        v.ref = stem + " " + std::to_string(k + 1);
        v.explicitGold = true;
        auto words = [](const std::string& line, std::vector<Token>& out) {
            std::istringstream in(line);
            for (std::string w; in >> w;) out.push_back(Token{w, {}, true});
        };
        words(src[k], v.source);
        words(tgt[k], v.target);
        if (v.source.empty()) return Status::error(sourcePath + where + ": empty sentence");
        if (v.target.empty()) return Status::error(targetPath + where + ": empty sentence");
        if (auto st = parsePharaohLine(gold[k], oneBased, v.sure, v.possible); !st)
            return Status::error(goldPath + where + ": " + st.message);
        for (const auto* links : {&v.sure, &v.possible})
            for (const auto& l : *links) {
                if (size_t(l.source) >= v.source.size())
                    return Status::error(goldPath + where + ": source index " + std::to_string(l.source + oneBased) +
                                         " but the source sentence has " + std::to_string(v.source.size()) + " words" +
                                         (oneBased ? "" : " (indices from 0; --one-based if they start at 1)"));
                if (size_t(l.target) >= v.target.size())
                    return Status::error(goldPath + where + ": target index " + std::to_string(l.target + oneBased) +
                                         " but the target sentence has " + std::to_string(v.target.size()) + " words" +
                                         (oneBased ? "" : " (indices from 0; --one-based if they start at 1)"));
            }
        // A link marked both sure and possible is sure.
        std::set<AlignmentLink> sureSet(v.sure.begin(), v.sure.end());
        v.possible.erase(std::remove_if(v.possible.begin(), v.possible.end(),
                                        [&](const AlignmentLink& l) { return sureSet.count(l) > 0; }),
                         v.possible.end());
        c.verses.push_back(std::move(v));
    }
    out = std::move(c);
    return Status::success();
}

} // namespace attnscope
