#include "workspaces/text/versepicker.h"

#include "attnscope/corpus.h"
#include "attnscope/pipelines.h"
#include "jobs/jobtracker.h"
#include "jobs/models.h"

#include <QCompleter>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLineEdit>

namespace attnscope::ui {

VersePicker::VersePicker(QWidget* parent) : QComboBox(parent)
{
    verseJobs_ = new JobTracker(this, JobLane::Background);
    goldJobs_ = new JobTracker(this, JobLane::Background);
    setObjectName("versePicker");
    setEditable(true);
    setInsertPolicy(QComboBox::NoInsert);
    setMinimumContentsLength(18);
    setToolTip(tr("Pick a dev or test verse: brings its Spanish text, the English reference and the gold alignment (type to search)"));
    lineEdit()->setPlaceholderText(tr("reading verses…"));
    completer()->setFilterMode(Qt::MatchContains);
    completer()->setCompletionMode(QCompleter::PopupCompletion);
    connect(this, &QComboBox::activated, this, [this](int index) {
        if (const VerseEntry* v = entry(itemData(index).toString())) {
            current_ = v->ref;
            emit versePicked(*v);
        }
    });
}

void VersePicker::load()
{
    if (requested_) return;
    requested_ = true;
    lineEdit()->setPlaceholderText(tr("reading verses…"));
    struct Out {
        Status status;
        QList<VerseEntry> verses;
        qint64 ms = 0;
    };
    verseJobs_->start(
        [](const JobContext& job) {
            QElapsedTimer timer;
            timer.start();
            Out out;
            auto corpus = bibleCorpus(sharedModels(), {Split::Dev, Split::Test}, out.status,
                                      [&job](int64_t, int64_t) { return !job.cancelled(); });
            if (!corpus) return out;
            for (const auto& v : corpus->verses)
                out.verses.append({QString::fromStdString(v.ref), QString::fromStdString(splitName(splitOfBook(v.book))),
                                   QString::fromStdString(v.sourceText()), QString::fromStdString(v.targetText()),
                                   QString::fromStdString(v.targetRef)});
            out.ms = timer.elapsed();
            return out;
        },
        [this](Out out) {
            if (!out.status) {
                requested_ = false;
                if (out.status.message == "cancelled") return;
                lineEdit()->setPlaceholderText(tr("verses unavailable — see the log"));
                return emit unavailable(tr("Verse picker unavailable: %1").arg(QString::fromStdString(out.status.message)));
            }
            emit logMessage(tr("Read %1 dev/test verses from the SWORD modules in %2 ms").arg(out.verses.size()).arg(out.ms));
            bibleVerses_ = out.verses;
            QList<VerseEntry> all = bibleVerses_;
            for (const auto& v : verses_)
                if (v.split == tr("your corpus")) all.append(v);
            show(all);
        });
}

void VersePicker::openGoldCorpus(const QString& source, const QString& target, const QString& gold, bool oneBased, bool pickFirst)
{
    struct Out {
        Status status;
        std::shared_ptr<const Corpus> corpus;
    };
    goldJobs_->start(
        [s = source.toStdString(), t = target.toStdString(), g = gold.toStdString(), oneBased](const JobContext&) {
            Out out;
            auto c = std::make_shared<Corpus>();
            out.status = loadPharaohCorpus(s, t, g, oneBased, *c);
            if (out.status) out.corpus = std::move(c);
            return out;
        },
        [this, source, target, gold, oneBased, pickFirst](Out out) {
            if (!out.status) return emit failed(tr("Gold corpus not opened: %1").arg(QString::fromStdString(out.status.message)));
            ownCorpus_ = out.corpus;
            ownCorpusFiles_ = QJsonObject{{"source", source}, {"target", target}, {"gold", gold}, {"one_based", oneBased}};
            QList<VerseEntry> all = bibleVerses_;
            for (const auto& v : ownCorpus_->verses)
                all.append({QString::fromStdString(v.ref), tr("your corpus"), QString::fromStdString(v.sourceText()),
                            QString::fromStdString(v.targetText()), QString()});
            show(all);
            const int n = int(ownCorpus_->verses.size());
            emit logMessage(tr("Opened %1 sentence pairs with Pharaoh gold from %2").arg(n).arg(QFileInfo(gold).fileName()));
            if (pickFirst && n > 0) select(QString::fromStdString(ownCorpus_->verses.front().ref));
            else if (!current_.isEmpty() && findData(current_) >= 0) setCurrentIndex(findData(current_));  // restoring: no translation
            emit goldCorpusOpened(n);
        });
}

void VersePicker::show(const QList<VerseEntry>& verses)
{
    verses_ = verses;
    clear();
    for (const auto& v : verses) {
        const QString english = v.targetRef.isEmpty() ? QString() : tr(" (English %1)").arg(v.targetRef);
        addItem(QStringLiteral("%1%2 · %3").arg(v.ref, english, v.split), v.ref);
    }
    setCurrent(current_);  // a verse restored before the list arrived
    lineEdit()->setPlaceholderText(tr("pick a dev/test verse…"));
    emit logMessage(tr("%1 dev/test verses available in the verse picker").arg(verses.size()));
    emit versesShown();
}

void VersePicker::setCurrent(const QString& ref)
{
    // Shown at once when the verses are listed, else when they arrive (show): the picker never
    // names another verse than the text under it. No versePicked: nothing is translated.
    current_ = ref;
    const int index = ref.isEmpty() ? -1 : findData(ref);
    setCurrentIndex(index);
    if (index < 0) lineEdit()->clear();
}

bool VersePicker::select(const QString& ref)
{
    const int index = findData(ref);
    const VerseEntry* v = entry(ref);
    if (index < 0 || !v) return false;
    setCurrentIndex(index);
    current_ = v->ref;
    emit versePicked(*v);
    return true;
}

void VersePicker::leave()
{
    current_.clear();
    setCurrentIndex(-1);
    lineEdit()->clear();
}

const VerseEntry* VersePicker::entry(const QString& ref) const
{
    for (const auto& v : verses_)
        if (v.ref == ref) return &v;
    return nullptr;
}

} // namespace attnscope::ui
