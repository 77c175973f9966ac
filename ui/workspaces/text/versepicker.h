#pragma once
// The Text workspace's verse picker: the dev and test verses of the Bible corpus (read once, in
// the background, into the shared cache) and, after them, the sentence pairs of your own gold
// corpus (Pharaoh links, loadPharaohCorpus). Picking one hands its texts to the workspace; the
// picker remembers which verse is in use so the translation keeps its gold.
#include <QComboBox>
#include <QJsonObject>
#include <QList>

#include <memory>

namespace attnscope {
struct Corpus;
}

namespace attnscope::ui {

class JobTracker;

/// A verse from the dev/test splits (or your corpus) for the verse picker.
struct VerseEntry {
    QString ref, split, source, target;
    QString targetRef;  ///< the English verse(s) when numbered otherwise ("Jonah 2:1")
};

class VersePicker : public QComboBox {
    Q_OBJECT
public:
    explicit VersePicker(QWidget* parent = nullptr);

    /// Reads the dev and test verses (once; in the background): versesShown, or unavailable.
    void load();
    /// Your own corpus with Pharaoh gold, listed after the dev/test verses; picks its first
    /// pair when `pickFirst`, else shows the verse in use again (restoring). goldCorpusOpened,
    /// or failed.
    void openGoldCorpus(const QString& source, const QString& target, const QString& gold, bool oneBased, bool pickFirst);
    /// Picks a verse by reference ("Ruth 1:16"): versePicked follows. False when it is not listed.
    bool select(const QString& ref);
    /// The verse whose texts are in use ("" once the text was edited away from it).
    QString current() const { return current_; }
    /// Sets the verse in use without picking it (restoring a workspace).
    void setCurrent(const QString& ref);
    /// Leaves the verse in use: nothing shown as picked.
    void leave();
    /// The listed verse `ref`, or null.
    const VerseEntry* entry(const QString& ref) const;
    /// Your corpus (null when none is open) and its files, for the saved workspace.
    std::shared_ptr<const Corpus> ownCorpus() const { return ownCorpus_; }
    QJsonObject ownCorpusFiles() const { return ownCorpusFiles_; }

signals:
    void versePicked(const VerseEntry& verse);
    void versesShown();
    /// The dev/test verses could not be read (e.g. SWORD modules missing).
    void unavailable(const QString& message);
    void goldCorpusOpened(int sentences);
    void failed(const QString& message);
    void logMessage(const QString& line);

private:
    void show(const QList<VerseEntry>& verses);

    JobTracker* verseJobs_;
    JobTracker* goldJobs_;
    QList<VerseEntry> verses_;       ///< everything listed
    QList<VerseEntry> bibleVerses_;  ///< the dev/test verses
    std::shared_ptr<const Corpus> ownCorpus_;
    QJsonObject ownCorpusFiles_;
    QString current_;
    bool requested_ = false;
};

} // namespace attnscope::ui
