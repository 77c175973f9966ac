// Corpus: tokeniser, OSIS parsing, Strong's gold links on Genesis 1:1, fixed book splits.
#include "attnscope/corpus.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QtTest>

#include <algorithm>
#include <set>

using namespace attnscope;

namespace {
bool linked(const Verse& v, const std::string& es, const std::string& en)
{
    for (const auto& l : goldLinks(v))
        if (v.source[size_t(l.source)].text == es && v.target[size_t(l.target)].text == en) return true;
    return false;
}
} // namespace

class TestCorpus : public QObject {
    Q_OBJECT
    Corpus all_;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);  // the corpus cache goes to a test folder
        const auto st = loadBibleCorpus(all_, {Split::Train, Split::Dev, Split::Test});
        QVERIFY2(st.ok, st.message.c_str());
    }
    void tokenizer()
    {
        const auto t = tokenize("“Don’t urge me,” said Ruth; ¡Dios mío! O'Brien");
        const std::vector<std::string> want{"“", "Don’t", "urge", "me", ",", "”", "said", "Ruth", ";", "¡",
                                            "Dios", "mío", "!", "O'Brien"};
        QCOMPARE(t, want);
        QVERIFY(tokenize("   ").empty());
    }
    void osisMarkupIsStripped()
    {
        const std::string osis =
            R"(<w lemma="strong:H0430">God</w><note placement="foot">The Hebrew “Elohim”.</note>)"
            R"(<w lemma="strong:H1254 strong:G0002">created</w> <title>Heading</title>)"
            R"(<div type="x-milestone" sID="x"/>and &amp; more.)";
        const auto toks = parseOsis(osis);
        std::vector<std::string> words;
        for (const auto& t : toks) words.push_back(t.text);
        QCOMPARE(words, (std::vector<std::string>{"God", "created", "and", "&", "more", "."}));
        QCOMPARE(toks[0].strongs, std::vector<int>{430});  // H0430 == H430
        QCOMPARE(toks[1].strongs, (std::vector<int>{1254, 100002}));
        QVERIFY(toks[2].strongs.empty());
    }
    void genesis11Gold()
    {
        const Verse* v = all_.findRef("Genesis 1:1");
        QVERIFY(v);
        QCOMPARE(QString::fromStdString(v->source[0].text), QString("EN"));
        QVERIFY(linked(*v, "crió", "created"));
        QVERIFY(linked(*v, "Dios", "God"));
        QVERIFY(linked(*v, "cielos", "heavens"));
        QVERIFY(linked(*v, "tierra", "earth"));
        // Function words are never evaluated (noisy English tagging: "In" carries H430).
        QVERIFY(!linked(*v, "Dios", "In"));
        QVERIFY(!linked(*v, "los", "the"));
    }
    void splitsAreFixedAndDisjoint()
    {
        const std::set<std::string> test{"Ruth", "Jonah", "Philippians", "Titus", "Jude"};
        const std::set<std::string> dev{"Obadiah", "Haggai", "Colossians", "Philemon"};
        std::set<std::string> seen[3];
        for (const auto& v : all_.verses) {
            const Split s = splitOfBook(v.book);
            seen[int(s)].insert(v.ref);
            if (test.count(v.book)) QCOMPARE(s, Split::Test);
            else if (dev.count(v.book)) QCOMPARE(s, Split::Dev);
            else QCOMPARE(s, Split::Train);
        }
        for (const auto& r : seen[int(Split::Train)]) {
            QVERIFY(!seen[int(Split::Dev)].count(r));
            QVERIFY(!seen[int(Split::Test)].count(r));
        }
        QVERIFY(all_.split(Split::Test).size() > 250);
        QVERIFY(all_.split(Split::Dev).size() > 150);
        QVERIFY(all_.split(Split::Train).size() > 30000);
    }
    void pairVersesHandMade()
    {
        // Source verses with contents {1} {2} {3} {4}; the target has an extra verse first and
        // joins 3 and 4 in one verse. Similarity: Dice of the content sets (merged sides: union).
        const std::vector<std::set<int>> source{{1}, {2}, {3}, {4}}, target{{9}, {1}, {2}, {3, 4}};
        const std::vector<std::string> keys{"1:1", "1:2", "1:3", "1:4"};
        auto side = [](const std::vector<std::set<int>>& v, int first, int count) {
            std::set<int> u = v[size_t(first)];
            if (count == 2) u.insert(v[size_t(first + 1)].begin(), v[size_t(first + 1)].end());
            return u;
        };
        const auto dice = [&](int s0, int ns, int t0, int nt) {
            const auto a = side(source, s0, ns), b = side(target, t0, nt);
            int shared = 0;
            for (int x : a) shared += int(b.count(x));
            return 2.0 * shared / double(a.size() + b.size());
        };
        const auto beads = pairVerses(keys, keys, dice);
        QCOMPARE(int(beads.size()), 4);
        auto is = [](const VersePairing& p, int s, int ns, int t, int nt) {
            return p.source == s && p.sourceCount == ns && p.target == t && p.targetCount == nt;
        };
        QVERIFY(is(beads[0], 0, 0, 0, 1));  // the extra target verse stays unpaired
        QVERIFY(is(beads[1], 0, 1, 1, 1));
        QVERIFY(is(beads[2], 1, 1, 2, 1));
        QVERIFY(is(beads[3], 2, 2, 3, 1));  // two source verses to one
        // When nothing is shared, verses keep their reference pairing.
        const auto flat = pairVerses(keys, keys, [](int, int, int, int) { return 0.0; });
        QCOMPARE(int(flat.size()), 4);
        for (int k = 0; k < 4; ++k) QVERIFY(is(flat[size_t(k)], k, 1, k, 1));
    }
    void versesPairedByContent()
    {
        // Jonah: the Spanish module numbers as the Hebrew does — its 2:1 is the English 1:17
        // and "Y oró Jonás…" (2:2) is "Then Jonah prayed…" (English 2:1).
        const Verse* v = all_.findRef("Jonah 2:1");
        QVERIFY(v);
        QCOMPARE(v->targetRef, std::string("Jonah 1:17"));
        QVERIFY(QString::fromStdString(v->targetText()).startsWith("Yahweh prepared a huge fish"));
        v = all_.findRef("Jonah 2:2");
        QVERIFY(v);
        QVERIFY(QString::fromStdString(v->sourceText()).startsWith("Y oró Jonás"));
        QVERIFY2(QString::fromStdString(v->targetText()).startsWith("Then Jonah prayed"), v->targetText().c_str());
        QCOMPARE(v->targetRef, std::string("Jonah 2:1"));
        QVERIFY(linked(*v, "Jonás", "Jonah"));
        v = all_.findRef("Jonah 2:10");  // the last Spanish verse holds two English ones
        QVERIFY(v);
        QCOMPARE(v->targetRef, std::string("Jonah 2:9–10"));
        QVERIFY2(QString::fromStdString(v->targetText()).contains("dry land"), v->targetText().c_str());
        QVERIFY(all_.findRef("Jonah 3:1")->targetRef.empty());
        QVERIFY(all_.findRef("Ruth 1:16")->targetRef.empty());
        // A Psalm: the Spanish module puts the title into verse 1, as the English text is
        // numbered, so Psalm 51 keeps its pairing although the English Strong's numbers follow
        // the Hebrew verses (where the title is verses 1–2).
        v = all_.findRef("Psalms 51:1");
        QVERIFY(v);
        QVERIFY(v->targetRef.empty());
        QVERIFY(QString::fromStdString(v->targetText()).startsWith("Have mercy on me"));
        QVERIFY(QString::fromStdString(all_.findRef("Psalms 51:19")->targetText()).startsWith("Then you will delight"));
        // Numbers 13: the Spanish is one verse ahead from verse 6 on.
        v = all_.findRef("Numbers 13:6");
        QCOMPARE(v->targetRef, std::string("Numbers 13:5"));
        QVERIFY(linked(*v, "Simeón", "Simeon"));
        QVERIFY2(all_.pairsChanged > 100 && all_.pairsChanged < 400, qPrintable(QString::number(all_.pairsChanged)));
    }
    void theCorpusIsKeptAndReadBack()
    {
        // Issue 28, item 16: the paired corpus is built once and kept in the cache folder; the
        // next load reads it back — the same verses, tokens, Strong's numbers and scored words —
        // and a damaged file is rebuilt, never trusted.
        QDir cache(QStandardPaths::writableLocation(QStandardPaths::CacheLocation));
        for (const QString& f : cache.entryList({"bible-*.corpus"})) cache.remove(f);
        Corpus built, kept, again;
        QVERIFY(loadBibleCorpus(built, {Split::Test}).ok);
        const QStringList files = cache.entryList({"bible-*.corpus"});
        QCOMPARE(files.size(), 1);
        QVERIFY(loadBibleCorpus(kept, {Split::Test}).ok);
        const auto same = [](const Corpus& a, const Corpus& b) {
            if (a.verses.size() != b.verses.size() || a.pairsChanged != b.pairsChanged) return false;
            for (size_t i = 0; i < a.verses.size(); ++i) {
                const Verse &x = a.verses[i], &y = b.verses[i];
                if (x.ref != y.ref || x.targetRef != y.targetRef || x.book != y.book || x.chapter != y.chapter ||
                    x.source.size() != y.source.size() || x.target.size() != y.target.size())
                    return false;
                for (size_t k = 0; k < x.source.size(); ++k)
                    if (x.source[k].text != y.source[k].text || x.source[k].strongs != y.source[k].strongs ||
                        x.source[k].evaluated != y.source[k].evaluated)
                        return false;
                if (goldLinks(x) != goldLinks(y)) return false;
            }
            return true;
        };
        QVERIFY(same(built, kept));
        QVERIFY(kept.findRef("Ruth 1:16"));
        // Truncated: not read, built again and written whole.
        QFile f(cache.filePath(files.first()));
        QVERIFY(f.open(QIODevice::ReadWrite));
        const qint64 size = f.size();
        QVERIFY(f.resize(size / 2));
        f.close();
        QVERIFY(loadBibleCorpus(again, {Split::Test}).ok);
        QVERIFY(same(built, again));
        QCOMPARE(QFileInfo(cache.filePath(files.first())).size(), size);
    }
    void loadingTrainNeverReadsDevOrTest()
    {
        Corpus train;
        QVERIFY(loadBibleCorpus(train, {Split::Train}).ok);
        for (const auto& v : train.verses) QCOMPARE(splitOfBook(v.book), Split::Train);
        QVERIFY(!train.findRef("Ruth 1:16"));
        QVERIFY(!train.findRef("Colossians 1:1"));
    }
};

QTEST_GUILESS_MAIN(TestCorpus)
#include "test_corpus.moc"
