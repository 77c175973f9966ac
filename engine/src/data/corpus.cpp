// Spanish→English Bible corpus from the SWORD modules, with Strong's-number gold links.
#include "attnscope/corpus.h"

#include "attnscope/resources.h"
#include "data/corpuscache.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QString>

#include <swlog.h>
#include <swmgr.h>
#include <swmodule.h>
#include <versekey.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
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


std::vector<VersePairing> pairVerses(const std::vector<std::string>& sourceKeys, const std::vector<std::string>& targetKeys,
                                     const BeadSimilarity& similarity)
{
    const int n = int(sourceKeys.size()), m = int(targetKeys.size());
    constexpr int kBand = 24;
    constexpr double kSameReference = 0.05;  // keeps the reference pairing unless content disagrees
    constexpr double kOneToOne = 0.01;       // a 1–1 bead beats two unpaired verses when nothing is shared
    constexpr double kNone = -1e18;
    // dp over (i source verses, j target verses) within a band around the diagonal i·m/n.
    auto center = [&](int i) { return n ? int((int64_t(i) * m) / n) : 0; };
    const int width = 2 * kBand + 1;
    std::vector<double> dp(size_t(n + 1) * size_t(width), kNone);
    std::vector<uint8_t> from(dp.size(), 0);
    auto slot = [&](int i, int j) -> int64_t {
        const int k = j - center(i) + kBand;
        return (i < 0 || j < 0 || j > m || k < 0 || k >= width) ? -1 : int64_t(i) * width + k;
    };
    static const int kBeads[5][2] = {{1, 1}, {1, 2}, {2, 1}, {1, 0}, {0, 1}};
    dp[size_t(slot(0, 0))] = 0;
    for (int i = 0; i <= n; ++i)
        for (int j = std::max(0, center(i) - kBand); j <= std::min(m, center(i) + kBand); ++j) {
            const int64_t here = slot(i, j);
            if (here < 0 || (i == 0 && j == 0)) continue;
            double best = kNone;
            uint8_t bestBead = 0;
            for (uint8_t b = 0; b < 5; ++b) {
                const int a = kBeads[b][0], c = kBeads[b][1];
                const int64_t prev = slot(i - a, j - c);
                if (prev < 0 || dp[size_t(prev)] == kNone) continue;
                double score = 0;
                if (a && c) score = similarity(i - a, a, j - c, c);
                if (a == 1 && c == 1)
                    score += kOneToOne + (sourceKeys[size_t(i - 1)] == targetKeys[size_t(j - 1)] ? kSameReference : 0.0);
                const double total = dp[size_t(prev)] + score;
                if (total > best) best = total, bestBead = b;
            }
            dp[size_t(here)] = best;
            from[size_t(here)] = bestBead;
        }
    std::vector<VersePairing> beads;
    if (slot(n, m) < 0 || dp[size_t(slot(n, m))] == kNone) {
        // The two books differ by more than the band: pair by position, the rest unpaired.
        for (int k = 0; k < std::min(n, m); ++k) beads.push_back({k, 1, k, 1});
        return beads;
    }
    for (int i = n, j = m; i > 0 || j > 0;) {
        const uint8_t b = from[size_t(slot(i, j))];
        const int a = kBeads[b][0], c = kBeads[b][1];
        beads.push_back({i - a, a, j - c, c});
        i -= a;
        j -= c;
    }
    std::reverse(beads.begin(), beads.end());
    return beads;
}

namespace {
/// Weighted bag of English word ids, sorted by id.
using WordBag = std::vector<std::pair<int, float>>;

WordBag mergeMax(const WordBag& a, const WordBag& b)
{
    WordBag out;
    size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        if (j == b.size() || (i < a.size() && a[i].first < b[j].first)) out.push_back(a[i++]);
        else if (i == a.size() || b[j].first < a[i].first) out.push_back(b[j++]);
        else out.push_back({a[i].first, std::max(a[i].second, b[j].second)}), ++i, ++j;
    }
    return out;
}

std::vector<int> mergeSet(const std::vector<int>& a, const std::vector<int>& b)
{
    std::vector<int> u;
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(u));
    return u;
}

/// Lexical similarity of a Spanish side (the English words its Strong's numbers translate
/// to, `expected`, from `strongsCount` numbers) and an English side (its content word ids):
/// 2·Σ weights of expected words present / (Strong's numbers + English words), a soft Dice.
double lexicalSimilarity(const WordBag& expected, int strongsCount, const std::vector<int>& words)
{
    if (strongsCount + int(words.size()) == 0) return 0;
    double matched = 0;
    size_t i = 0, j = 0;
    while (i < expected.size() && j < words.size()) {
        if (expected[i].first < words[size_t(j)]) ++i;
        else if (words[j] < expected[i].first) ++j;
        else matched += expected[i].second, ++i, ++j;
    }
    return 2.0 * matched / double(strongsCount + int(words.size()));
}
} // namespace

namespace {
/// The text of a SWORD module's .conf where libsword looks for it ($SWORD_PATH, ~/.sword,
/// /usr/share/sword, /usr/local/share/sword: mods.d/<name>.conf, any case); empty when absent.
std::string swordModuleConf(const std::string& name)
{
    QStringList roots;
    if (const char* env = std::getenv("SWORD_PATH"); env && *env) roots << QString::fromLocal8Bit(env);
    roots << QDir::homePath() + "/.sword" << "/usr/share/sword" << "/usr/local/share/sword";
    for (const QString& root : roots)
        for (const QString& file : {QString::fromStdString(name), QString::fromStdString(name).toLower()}) {
            QFile f(root + "/mods.d/" + file + ".conf");
            if (f.open(QIODevice::ReadOnly)) return f.readAll().toStdString();
        }
    return {};
}
} // namespace

Status loadBibleCorpus(Corpus& out, const std::set<Split>& splits, const ProgressFn& progress)
{
    static std::mutex swordMutex;  // libsword's global state is not thread-safe
    std::lock_guard<std::mutex> lock(swordMutex);
    // The paired corpus is built once per module version and kept in the cache folder (5–8 s to
    // build, milliseconds to read back). The key is both modules' .conf files (name, version,
    // data path) and the stop-word lists, read before libsword opens every installed module.
    std::string modules;
    for (const char* name : {kSourceModule, kTargetModule}) {
        const std::string conf = swordModuleConf(name);
        modules = conf.empty() ? std::string() : modules + conf + "\n";
        if (conf.empty()) break;  // not where SWORD keeps it: no cache, libsword says what is missing
    }
    for (bool spanish : {true, false})  // the stop words decide which tokens are scored
        for (const auto& w : stopWords(spanish)) modules += modules.empty() ? std::string() : " " + w;
    const std::string cachePath = modules.empty() ? std::string() : corpuscache::pathFor(modules, splits);
    if (!cachePath.empty() && corpuscache::read(cachePath, modules, out)) {
        keepGoing(progress, 1, 1);
        return Status::success();
    }
    sword::SWLog::getSystemLog()->setLogLevel(sword::SWLog::LOG_ERROR);
    sword::SWMgr mgr;
    sword::SWModule* src = mgr.getModule(kSourceModule);
    sword::SWModule* tgt = mgr.getModule(kTargetModule);
    if (!src) return Status::error("SWORD module spaRV1909eb (Reina-Valera 1909) not found: install the Debian package sword-text-sparv");
    if (!tgt) return Status::error("SWORD module engWEB2015eb (World English Bible) not found: install the Debian package sword-text-web");

    // Both modules' verses, in order. Every book is read: the lexicon that compares the two
    // sides learns from the whole Bible; only the requested books are paired and kept.
    struct Entry {
        std::string ref, key;  // "Jonah 2:1", "2:1"
        int chapter = 0, verse = 0;
        std::vector<Token> tokens;
        std::vector<int> strongs;  // Spanish: sorted, unique
        std::vector<int> words;    // English: content word ids, sorted, unique
    };
    struct Book {
        std::vector<Entry> source, target;
    };
    std::vector<std::string> order;
    std::map<std::string, Book> books;
    std::map<std::string, int> wordIds;
    const auto& englishStops = stopWords(false);
    auto read = [&](sword::SWModule* m, bool source, int64_t& done, int64_t total) -> bool {
        for ((*m) = sword::TOP; !m->popError(); (*m)++) {
            if (!keepGoing(progress, ++done, total)) return false;
            auto* vk = dynamic_cast<sword::VerseKey*>(m->getKey());
            if (!vk) continue;
            Entry e;
            e.tokens = parseOsis(m->getRawEntry());
            if (e.tokens.empty()) continue;  // e.g. the Spanish Jonah 1:17, moved into 2:1
            e.ref = m->getKeyText();
            e.chapter = vk->getChapter();
            e.verse = vk->getVerse();
            e.key = std::to_string(e.chapter) + ":" + std::to_string(e.verse);
            if (source) {
                for (const auto& t : e.tokens) e.strongs.insert(e.strongs.end(), t.strongs.begin(), t.strongs.end());
                std::sort(e.strongs.begin(), e.strongs.end());
                e.strongs.erase(std::unique(e.strongs.begin(), e.strongs.end()), e.strongs.end());
            } else {
                for (const auto& t : e.tokens) {
                    if (!alphabetic(t.text)) continue;
                    const std::string w = toLower(t.text);
                    if (englishStops.count(w)) continue;
                    e.words.push_back(wordIds.emplace(w, int(wordIds.size())).first->second);
                }
                std::sort(e.words.begin(), e.words.end());
                e.words.erase(std::unique(e.words.begin(), e.words.end()), e.words.end());
            }
            const std::string book = vk->getBookName();
            if (!books.count(book)) order.push_back(book);
            (source ? books[book].source : books[book].target).push_back(std::move(e));
        }
        return true;
    };
    int64_t done = 0;
    const int64_t total = 2 * 31102;  // verses in the KJV versification of each module
    if (stopWords(true).empty() || englishStops.empty())
        return Status::error("stop-word lists not found under resources/stopwords (set ATTNSCOPE_RESOURCES)");
    if (!read(src, true, done, total) || !read(tgt, false, done, total)) return Status::error("cancelled");

    // Lexicon: Dice association of each Spanish Strong's number with each English content
    // word over the verses paired by reference (most of them are right), the best three
    // words per number (Melamed 2000's "competitive linking" idea, kept simple).
    std::map<int, int> strongsCount;
    std::vector<int> wordCount(wordIds.size(), 0);
    std::vector<uint64_t> pairs;
    for (const auto& [name, b] : books) {
        std::map<std::string, const Entry*> byKey;
        for (const auto& e : b.target) byKey[e.key] = &e;
        for (const auto& e : b.source) {
            auto it = byKey.find(e.key);
            if (it == byKey.end()) continue;
            for (int sn : e.strongs) ++strongsCount[sn];
            for (int w : it->second->words) ++wordCount[size_t(w)];
            for (int sn : e.strongs)
                for (int w : it->second->words) pairs.push_back((uint64_t(uint32_t(sn)) << 32) | uint32_t(w));
        }
    }
    std::sort(pairs.begin(), pairs.end());
    std::map<int, WordBag> lexicon;  // Strong's number → its best English words (weights: Dice)
    for (size_t k = 0; k < pairs.size();) {
        size_t e = k;
        while (e < pairs.size() && pairs[e] == pairs[k]) ++e;
        const int sn = int(pairs[k] >> 32), w = int(pairs[k] & 0xffffffffu);
        const double joint = double(e - k);
        if (joint >= 2) {
            const float dice = float(2.0 * joint / double(strongsCount[sn] + wordCount[size_t(w)]));
            auto& bag = lexicon[sn];
            bag.push_back({w, dice});
            std::sort(bag.begin(), bag.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
            if (bag.size() > 3) bag.pop_back();
        }
        k = e;
    }
    for (auto& [sn, bag] : lexicon) std::sort(bag.begin(), bag.end());

    out.verses.clear();
    out.pairsChanged = 0;
    for (const auto& name : order) {
        if (!splits.count(splitOfBook(name))) continue;
        const Book& b = books[name];
        std::vector<std::string> sk, tk;
        std::vector<WordBag> expected;
        std::vector<std::vector<int>> known;  // the Strong's numbers the lexicon knows
        for (const auto& e : b.source) {
            sk.push_back(e.key);
            WordBag bag;
            std::vector<int> k;
            for (int sn : e.strongs)
                if (auto it = lexicon.find(sn); it != lexicon.end()) bag = mergeMax(bag, it->second), k.push_back(sn);
            expected.push_back(std::move(bag));
            known.push_back(std::move(k));
        }
        for (const auto& e : b.target) tk.push_back(e.key);
        const auto similarity = [&](int s0, int ns, int t0, int nt) {
            const WordBag bag = ns == 1 ? expected[size_t(s0)] : mergeMax(expected[size_t(s0)], expected[size_t(s0 + 1)]);
            const int count = ns == 1 ? int(known[size_t(s0)].size())
                                      : int(mergeSet(known[size_t(s0)], known[size_t(s0 + 1)]).size());
            const std::vector<int> words = nt == 1 ? b.target[size_t(t0)].words
                                                   : mergeSet(b.target[size_t(t0)].words, b.target[size_t(t0 + 1)].words);
            return lexicalSimilarity(bag, count, words);
        };
        for (const VersePairing& p : pairVerses(sk, tk, similarity)) {
            if (p.sourceCount == 0 || p.targetCount == 0) continue;
            const Entry& first = b.source[size_t(p.source)];
            Verse v;
            v.ref = first.ref;
            v.book = name;
            v.chapter = first.chapter;
            v.verse = first.verse;
            for (int k = 0; k < p.sourceCount; ++k) {
                const auto& t = b.source[size_t(p.source + k)].tokens;
                v.source.insert(v.source.end(), t.begin(), t.end());
            }
            for (int k = 0; k < p.targetCount; ++k) {
                const auto& t = b.target[size_t(p.target + k)].tokens;
                v.target.insert(v.target.end(), t.begin(), t.end());
            }
            if (p.sourceCount == 2) v.ref += "–" + std::to_string(b.source[size_t(p.source + 1)].verse);
            const Entry& t0 = b.target[size_t(p.target)];
            const bool same = p.sourceCount == 1 && p.targetCount == 1 && t0.key == first.key;
            if (!same) {
                v.targetRef = t0.ref;
                if (p.targetCount == 2) {
                    const Entry& t1 = b.target[size_t(p.target + 1)];
                    v.targetRef += t1.chapter == t0.chapter ? "–" + std::to_string(t1.verse) : "–" + t1.key;
                }
                ++out.pairsChanged;
            }
            markEvaluated(v);
            out.verses.push_back(std::move(v));
        }
    }
    if (out.verses.empty()) return Status::error("the SWORD modules yielded no verses for the requested split");
    if (!cachePath.empty()) corpuscache::write(cachePath, modules, out);  // a failed write: built again next time
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
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) return Status::error(path + ": file not found");
        if (!std::filesystem::is_regular_file(path, ec))  // a folder would read as empty, a FIFO would block
            return Status::error(path + ": not a regular file" + (std::filesystem::is_directory(path, ec) ? " (a folder)" : ""));
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
    if (std::all_of(gold.begin(), gold.end(), [](const std::string& l) { return l.find_first_not_of(" \t") == std::string::npos; }))
        return Status::error(goldPath + ": no alignment links on any line (nothing to score against)");
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
