// Corpus: tokeniser, OSIS parsing, Strong's gold links on Genesis 1:1, fixed book splits.
#include "attnscope/corpus.h"

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
