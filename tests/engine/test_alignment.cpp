// AER, precision, recall on hand-made cases; diagonal baseline; Pharaoh format; BLEU.
#include "attnscope/alignment.h"
#include "attnscope/corpus.h"
#include "attnscope/subwords.h"
#include "attnscope/translator.h"

#include <QTemporaryDir>
#include <fstream>

#include <QtTest>

using namespace attnscope;

class TestAlignment : public QObject {
    Q_OBJECT
private slots:
    void aerHandMade()
    {
        // A = {0-0, 1-1, 2-1}, G = {0-0, 1-1, 1-2}: |A∩G| = 2 → P = R = 2/3, AER = 1 − 4/6.
        const std::vector<AlignmentLink> a{{0, 0}, {1, 1}, {2, 1}}, g{{0, 0}, {1, 1}, {1, 2}};
        const std::vector<uint8_t> se{1, 1, 1}, te{1, 1, 1};
        const auto s = scoreLinks(a, g, se, te);
        QCOMPARE(s.hits, 2LL);
        QCOMPARE(s.predicted, 3LL);
        QCOMPARE(s.gold, 3LL);
        QVERIFY(qFuzzyCompare(s.precision(), 2.0 / 3.0));
        QVERIFY(qFuzzyCompare(s.recall(), 2.0 / 3.0));
        QVERIFY(qFuzzyCompare(s.aer(), 1.0 / 3.0));
    }
    void onlyEvaluatedTokensCount()
    {
        // Source token 2 is a stop word: the link 2-1 is not scored.
        const std::vector<AlignmentLink> a{{0, 0}, {2, 1}}, g{{0, 0}};
        const auto s = scoreLinks(a, g, {1, 1, 0}, {1, 1});
        QCOMPARE(s.predicted, 1LL);
        QVERIFY(qFuzzyIsNull(s.aer()));
        AlignmentScore sum;
        sum.add(s);
        sum.add(scoreLinks({{1, 1}}, {{0, 1}}, {1, 1}, {1, 1}));
        QCOMPARE(sum.hits, 1LL);
        QCOMPARE(sum.predicted, 2LL);
        QVERIFY(qFuzzyCompare(sum.aer(), 0.5));
    }
    void argmaxAndDiagonal()
    {
        const float m[] = {0.1f, 0.8f, 0.1f, /**/ 0.6f, 0.3f, 0.1f};
        const auto links = argmaxLinks(m, 2, 3, 3);
        QCOMPARE(toPharaoh(links), std::string("1-0 0-1"));
        // 4 source, 2 target, all evaluated: target 0 at 0.25 → source 0.375 (i=1), target 1 at .75 → i=2 (0.625)… nearest
        const auto d = diagonalLinks({1, 1, 1, 1}, {1, 1});
        QCOMPARE(toPharaoh(d), std::string("0-0 2-1"));
        const auto d2 = diagonalLinks({0, 1, 1, 0}, {1, 0, 1});
        QCOMPARE(toPharaoh(d2), std::string("1-0 2-2"));
    }
    void traceLinksDropEos()
    {
        AttentionTrace t;
        TraceTensor x;
        x.name = "cross";
        x.axes = {"target", "source"};
        x.shape = {2, 3};
        x.values = {0.1f, 0.2f, 0.7f, 0.0f, 0.0f, 1.0f};  // row 0 peaks on </s>, which is excluded
        x.labels = {{"light", "</s>"}, {"sea", "luz", "</s>"}};
        t.tensors.push_back(x);
        QCOMPARE(toPharaoh(traceLinks(t)), std::string("1-0"));
        // Without </s> labels (e.g. an imported dump) every row and column counts.
        t.tensors[0].labels = {{"a", "b"}, {"x", "y", "z"}};
        QCOMPARE(toPharaoh(traceLinks(t)), std::string("2-0 2-1"));
    }
    void goldFitsOnlyTheTranslationTokens()
    {
        // A 2×2 translation with gold; a self-attention head of the same size but over the
        // source tokens must not be scored against that gold.
        AttentionTrace t;
        TraceTensor x;
        x.name = "cross";
        x.axes = {"target", "source"};
        x.shape = {2, 2};
        x.labels = {{"light", "</s>"}, {"luz", "</s>"}};
        x.values = {1, 0, 0, 1};
        t.tensors.push_back(x);
        t.sourceEvaluated = {1, 0};
        t.targetEvaluated = {1, 0};
        t.goldLinks = {{0, 0}};
        QVERIFY(goldFits(t, x));
        AlignmentScore s;
        QVERIFY(scoreHead(x, t, s));
        QCOMPARE(s.aer(), 0.0);
        TraceTensor self = x;
        self.labels = {{"luz", "</s>"}, {"luz", "</s>"}};
        QVERIFY(!goldFits(t, self));
        QVERIFY(!scoreHead(self, t, s));
        self.labels.clear();  // unlabelled heads of the right size are taken at their word
        QVERIFY(goldFits(t, self));
        self.shape = {1, 2};
        QVERIFY(!goldFits(t, self));
    }
    void thresholdColumnAndShift()
    {
        // rows = target steps, columns = source words.
        const float m[] = {0.6f, 0.3f, 0.1f, /**/ 0.05f, 0.15f, 0.8f, /**/ 0.5f, 0.45f, 0.05f};
        QCOMPARE(toPharaoh(thresholdLinks(m, 3, 3, 3, 0.3)), std::string("0-0 1-0 2-1 0-2 1-2"));
        QCOMPARE(toPharaoh(thresholdLinks(m, 3, 3, 3, 0.9)), std::string(""));
        // Column argmax: source 0 → row 0 (0.6), source 1 → row 2 (0.45), source 2 → row 1.
        QCOMPARE(toPharaoh(columnArgmaxLinks(m, 3, 3, 3)), std::string("0-0 1-2 2-1"));
        // Shift (Chen et al. 2020): word j is read from row j+1; with 2 words rows 1 and 2.
        QCOMPARE(toPharaoh(shiftLinks(m, 3, 2, 3, 3)), std::string("2-0 0-1"));
        // No row after the last word: it gets no link.
        QCOMPARE(toPharaoh(shiftLinks(m, 2, 2, 3, 3)), std::string("2-0"));
    }
    void growDiagFinalAndHandMade()
    {
        // A ∩ B = {0-0, 1-1}; grow-diag adds 2-2 (diagonal neighbour of 1-1, both words new),
        // then 3-2 (neighbour of 2-2, source 3 new); 4-4 touches no kept link but both its
        // words are unaligned, so final-and adds it from A; B's 2-4 is left out (source 2 is
        // aligned by then).
        const std::vector<AlignmentLink> a{{0, 0}, {1, 1}, {2, 2}, {4, 4}}, b{{0, 0}, {1, 1}, {3, 2}, {2, 4}};
        const auto g = growDiagFinalAnd(a, b, 5, 5);
        std::vector<AlignmentLink> sorted(g.begin(), g.end());
        std::sort(sorted.begin(), sorted.end());
        QCOMPARE(toPharaoh(sorted), std::string("0-0 1-1 2-2 3-2 4-4"));
        // Symmetric in its arguments apart from final-and's order.
        QCOMPARE(toPharaoh(growDiagFinalAnd(a, a, 5, 5)), toPharaoh(a));
        // Links outside the sentence are ignored.
        QCOMPARE(toPharaoh(growDiagFinalAnd({{9, 0}}, {{9, 0}}, 5, 5)), std::string(""));
    }
    void headLinksByMethod()
    {
        TraceTensor x;
        x.name = "cross";
        x.shape = {3, 3};
        x.labels = {{"light", "be", "</s>"}, {"sea", "luz", "</s>"}};
        // Row 2 (</s>) is read only by shift, for the last word.
        x.values = {0.7f, 0.2f, 0.1f, /**/ 0.1f, 0.6f, 0.3f, /**/ 0.8f, 0.1f, 0.1f};
        QCOMPARE(toPharaoh(headLinks(x)), std::string("0-0 1-1"));
        QCOMPARE(toPharaoh(headLinks(x, {LinkMethod::Shift, 0.1})), std::string("1-0 0-1"));
        QCOMPARE(toPharaoh(headLinks(x, {LinkMethod::Threshold, 0.15})), std::string("0-0 1-0 1-1"));
        QCOMPARE(toPharaoh(headLinks(x, {LinkMethod::Gdfa, 0.1})), std::string("0-0 1-1"));
        for (LinkMethod m : linkMethods()) {
            LinkMethod back;
            QVERIFY(parseLinkMethod(linkMethodName(m), back));
            QCOMPARE(int(back), int(m));
        }
        LinkMethod unused;
        QVERIFY(!parseLinkMethod("intersect", unused));
        // Symmetrised: forward row argmax {0-0, 1-1}; reverse [source, target] argmax says
        // source 1 → target 0: gdfa of {0-0, 1-1} and {0-0, 1-0} starts from 0-0, grows
        // 1-0 (source 1 new), then 1-1 (diagonal neighbour, target 1 new).
        TraceTensor r;
        r.shape = {3, 3};
        r.labels = {{"sea", "luz", "</s>"}, {"light", "be", "</s>"}};
        r.values = {0.9f, 0.05f, 0.05f, /**/ 0.6f, 0.3f, 0.1f, /**/ 0.3f, 0.3f, 0.4f};
        QCOMPARE(toPharaoh(symmetrizedLinks(x, r)), std::string("0-0 1-0 1-1"));
        r.shape = {2, 3};  // another word count: nothing
        r.values.resize(6);
        r.labels = {{"sea", "</s>"}, {"light", "be", "</s>"}};
        QVERIFY(symmetrizedLinks(x, r).empty());
    }
    void aerWithPossibleLinks()
    {
        // Och & Ney 2003: S = {0-0, 1-1}, P = S ∪ {2-1}; A = {0-0, 2-1, 2-2}.
        // |A∩S| = 1, |A∩P| = 2: precision 2/3, recall 1/2, AER = 1 − (1 + 2)/(3 + 2) = 0.4.
        const std::vector<uint8_t> all{1, 1, 1};
        const auto s = scoreLinks({{0, 0}, {2, 1}, {2, 2}}, {{0, 0}, {1, 1}}, all, all, {{2, 1}});
        QCOMPARE(s.hits, 1LL);
        QCOMPARE(s.possibleHits, 2LL);
        QVERIFY(qFuzzyCompare(s.precision(), 2.0 / 3.0));
        QVERIFY(qFuzzyCompare(s.recall(), 0.5));
        QVERIFY(qFuzzyCompare(s.aer(), 0.4));
        // A = S: AER 0 even though possible links were not predicted.
        QCOMPARE(scoreLinks({{0, 0}, {1, 1}}, {{0, 0}, {1, 1}}, all, all, {{2, 1}}).aer(), 0.0);
    }
    void pharaohCorpus()
    {
        std::vector<AlignmentLink> sure, possible;
        QVERIFY(parsePharaohLine("0-0 1?2 2p3 3-4-p 4-5-S", false, sure, possible).ok);
        QCOMPARE(toPharaoh(sure), std::string("0-0 4-5"));
        QCOMPARE(toPharaoh(possible), std::string("1-2 2-3 3-4"));
        QVERIFY(parsePharaohLine("1-1 2-3", true, sure, possible).ok);
        QCOMPARE(toPharaoh(sure), std::string("0-0 1-2"));
        QVERIFY(!parsePharaohLine("0-0 zero-one", false, sure, possible).ok);
        QVERIFY(parsePharaohLine("0-1", true, sure, possible).message.find("1-based") != std::string::npos);

        QTemporaryDir dir;
        const std::string d = dir.path().toStdString() + "/";
        auto write = [&](const std::string& name, const std::string& text) {
            std::ofstream(d + name) << text;
        };
        write("es.txt", "la casa verde\nsí\n");
        write("en.txt", "the green house\nyes\n");
        write("gold.txt", "0-0 1-2 2-1\n0?0\n");
        Corpus c;
        QVERIFY(loadPharaohCorpus(d + "es.txt", d + "en.txt", d + "gold.txt", false, c).ok);
        QCOMPARE(int(c.verses.size()), 2);
        QCOMPARE(c.verses[0].ref, std::string("es 1"));
        QCOMPARE(c.verses[0].targetWords(), (std::vector<std::string>{"the", "green", "house"}));
        QCOMPARE(toPharaoh(goldLinks(c.verses[0])), std::string("0-0 1-2 2-1"));
        QVERIFY(c.verses[1].sure.empty());
        QCOMPARE(toPharaoh(c.verses[1].possible), std::string("0-0"));
        // The gold reaches a trace with its </s> masks, possible links included.
        AttentionTrace t;
        attachGold(c.verses[1], t);
        QCOMPARE(t.sourceEvaluated, (std::vector<uint8_t>{1, 0}));
        QCOMPARE(toPharaoh(t.possibleLinks), std::string("0-0"));

        write("en3.txt", "the green house\nyes\nno\n");
        auto st = loadPharaohCorpus(d + "es.txt", d + "en3.txt", d + "gold.txt", false, c);
        QVERIFY(!st.ok);
        QVERIFY2(st.message.find("2 lines") != std::string::npos && st.message.find("3") != std::string::npos,
                 st.message.c_str());
        write("bad.txt", "0-0 1-7\n");
        st = loadPharaohCorpus(d + "es.txt", d + "en.txt", d + "bad.txt", false, c);
        QVERIFY(!st.ok);
        QVERIFY2(st.message.find("line 1") != std::string::npos && st.message.find("target index 7") != std::string::npos &&
                     st.message.find("3 words") != std::string::npos,
                 st.message.c_str());
        QVERIFY(!loadPharaohCorpus(d + "missing.txt", d + "en.txt", d + "gold.txt", false, c).ok);
    }
    void subwordsToWords()
    {
        const std::string u = "\u2581", g = "\u0120";
        // Detection and grouping for each scheme; special tokens are words of their own.
        const std::vector<std::string> spm{"<s>", u + "Dio", "s", u + "es", u, "\u00C1", "mor", "</s>"};
        QCOMPARE(int(detectSubwords(spm)), int(SubwordScheme::SentencePiece));
        auto w = groupPieces(spm, SubwordScheme::SentencePiece);
        QCOMPARE(w.words, (std::vector<std::string>{"<s>", "Dios", "es", "\u00C1mor", "</s>"}));
        QCOMPARE(w.wordOf, (std::vector<int>{0, 1, 1, 2, 3, 3, 3, 4}));
        const std::vector<std::string> wp{"[CLS]", "god", "##s", "love", "[SEP]"};
        QCOMPARE(int(detectSubwords(wp)), int(SubwordScheme::WordPiece));
        QCOMPARE(groupPieces(wp, SubwordScheme::WordPiece).words, (std::vector<std::string>{"[CLS]", "gods", "love", "[SEP]"}));
        const std::vector<std::string> bpe{"God", g + "is", g + "lo", "ve"};
        QCOMPARE(int(detectSubwords(bpe)), int(SubwordScheme::ByteBpe));
        QCOMPARE(groupPieces(bpe, SubwordScheme::ByteBpe).words, (std::vector<std::string>{"God", "is", "love"}));
        QCOMPARE(int(detectSubwords({"god", "is", "love"})), int(SubwordScheme::None));

        // Word-level attention by hand: queries [▁lo, ve, </s>] → [love, </s>]; keys
        // [▁a, mor, </s>] → [amor, </s>]. Sum over a key word's pieces, mean over a query word's.
        TraceTensor t;
        t.name = "cross";
        t.shape = {3, 3};
        t.labels = {{u + "lo", "ve", "</s>"}, {u + "a", "mor", "</s>"}};
        t.values = {0.5f, 0.3f, 0.2f, /**/ 0.1f, 0.7f, 0.2f, /**/ 0.0f, 0.4f, 0.6f};
        const auto q = groupPieces(t.labels[0], SubwordScheme::SentencePiece);
        const auto k = groupPieces(t.labels[1], SubwordScheme::SentencePiece);
        TraceTensor out;
        QVERIFY(wordLevelTensor(t, q, k, out).ok);
        QCOMPARE(out.shape, (std::vector<int64_t>{2, 2}));
        QVERIFY(qFuzzyCompare(out.at(0, 0), 0.8f));  // ((0.5 + 0.3) + (0.1 + 0.7)) / 2
        QVERIFY(qFuzzyCompare(out.at(0, 1), 0.2f));
        QVERIFY(qFuzzyCompare(out.at(1, 0), 0.4f));
        QVERIFY(qFuzzyCompare(out.at(1, 1), 0.6f));
        QCOMPARE(out.labels[0], (std::vector<std::string>{"love", "</s>"}));
        QCOMPARE(out.labels[1], (std::vector<std::string>{"amor", "</s>"}));
        // A 4-D tensor keeps its layer and head axes.
        TraceTensor t4 = t;
        t4.shape = {1, 1, 3, 3};
        t4.labels = {{}, {}, t.labels[0], t.labels[1]};
        QVERIFY(wordLevelTensor(t4, q, k, out).ok);
        QCOMPARE(out.shape, (std::vector<int64_t>{1, 1, 2, 2}));
        QVERIFY(!wordLevelTensor(t4, q, groupPieces({"a"}, SubwordScheme::None), out).ok);

        // Gold over words: a piece trace gets word-level gold (attachWordGold converts it).
        AttentionTrace trace;
        trace.model = "pieces";
        trace.tensors.push_back(t);
        Corpus c;
        Verse v;
        v.explicitGold = true;
        v.source = {Token{"amor", {}, true}};
        v.target = {Token{"love", {}, true}};
        v.sure = {{0, 0}};
        QVERIFY(attachWordGold(v, trace));
        QCOMPARE(trace.find("cross")->shape, (std::vector<int64_t>{2, 2}));
        QCOMPARE(trace.meta("units"), std::string("words"));
        QCOMPARE(scoreTrace(trace).aer(), 0.0);
    }
    void twoTokenisationsMeetOnSharedWords()
    {
        // Issue 28, item 1: a built-in model's head (cased, with </s>) against a user model's
        // (lower-cased SentencePiece pieces, no </s>) on one sentence: compared on the words both
        // share, rows renormalised, and the note says what was merged and dropped.
        TraceTensor a;
        a.name = "cross";
        a.shape = {4, 4};
        a.labels = {{"God", "is", "love", "</s>"}, {"Dios", "es", "amor", "</s>"}};
        a.values = {0.7f, 0.1f, 0.1f, 0.1f,  //
                    0.1f, 0.7f, 0.1f, 0.1f,  //
                    0.1f, 0.1f, 0.7f, 0.1f,  //
                    0.0f, 0.0f, 0.0f, 1.0f};
        TraceTensor b;
        b.name = "cross_attention";
        b.shape = {3, 4};
        b.labels = {{"\u2581god", "\u2581is", "\u2581love"}, {"\u2581di", "os", "\u2581es", "\u2581amor"}};
        b.values = {0.3f, 0.3f, 0.2f, 0.2f,  //
                    0.0f, 0.0f, 1.0f, 0.0f,  //
                    0.1f, 0.1f, 0.0f, 0.8f};
        TraceTensor x, y;
        std::string note;
        QVERIFY(sharedWordGrid(a, b, x, y, note).ok);
        QCOMPARE(x.shape, (std::vector<int64_t>{3, 3}));
        QCOMPARE(y.shape, (std::vector<int64_t>{3, 3}));
        QCOMPARE(x.labels[1], (std::vector<std::string>{"Dios", "es", "amor"}));
        QCOMPARE(y.labels[1], (std::vector<std::string>{"dios", "es", "amor"}));
        // A's row "God" without its </s> column, renormalised: 0.7 / 0.9.
        QVERIFY(std::abs(x.values[0] - 0.7f / 0.9f) < 1e-6);
        // B's "god" row: its two pieces of "dios" summed (0.6), over 0.6 + 0.2 + 0.2.
        QVERIFY(std::abs(y.values[0] - 0.6f) < 1e-6);
        QVERIFY2(note.find("A's row </s>") != std::string::npos && note.find("A's column </s>") != std::string::npos &&
                     note.find("B's subword pieces merged") != std::string::npos,
                 note.c_str());
        // No word in common: refused, saying so.
        b.labels[1] = {"\u2581deus", "\u2581est", "\u2581amor", "\u2581x"};
        b.labels[0] = {"\u2581deus", "\u2581est", "\u2581amor"};
        QVERIFY(!sharedWordGrid(a, b, x, y, note).ok);
    }
    void bleu()
    {
        const std::vector<std::vector<std::string>> ref{{"the", "cat", "sat", "on", "the", "mat"}};
        QVERIFY(qFuzzyCompare(corpusBleu(ref, ref), 100.0));
        QCOMPARE(corpusBleu({{"dog"}}, ref), 0.0);
        const double partial = corpusBleu({{"the", "cat", "sat", "on", "a", "mat"}}, ref);
        QVERIFY(partial > 20 && partial < 80);
    }
};

QTEST_GUILESS_MAIN(TestAlignment)
#include "test_alignment.moc"
