// The paired Bible corpus kept on disk (corpuscache.h).
#include "data/corpuscache.h"

#include "attnscope/savefile.h"

#include <QCryptographicHash>
#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QStandardPaths>

namespace attnscope::corpuscache {

namespace {
constexpr quint32 kMagic = 0x41534243;  // "ASBC"
constexpr quint32 kFormat = 1;          // bump when Verse or the pairing changes

QString qs(const std::string& s) { return QString::fromStdString(s); }

/// A list: its length, then each element by `one` (false: unreadable). Refuses lengths over
/// `limit`, so a damaged file cannot make it allocate without bound.
template <typename T, typename One> bool getList(QDataStream& in, std::vector<T>& list, quint32 limit, One one)
{
    quint32 n = 0;
    in >> n;
    if (in.status() != QDataStream::Ok || n > limit) return false;
    list.resize(n);
    for (auto& x : list)
        if (!one(x)) return false;
    return in.status() == QDataStream::Ok;
}

void put(QDataStream& o, const std::vector<Token>& tokens)
{
    o << quint32(tokens.size());
    for (const auto& t : tokens) {
        o << qs(t.text) << t.evaluated << quint32(t.strongs.size());
        for (int s : t.strongs) o << qint32(s);
    }
}
bool get(QDataStream& in, std::vector<Token>& tokens)
{
    return getList(in, tokens, 100000, [&in](Token& t) {
        QString text;
        in >> text >> t.evaluated;
        t.text = text.toStdString();
        return getList(in, t.strongs, 64, [&in](int& s) {
            qint32 v = 0;
            in >> v;
            s = v;
            return true;
        });
    });
}
void put(QDataStream& o, const std::vector<AlignmentLink>& links)
{
    o << quint32(links.size());
    for (const auto& l : links) o << qint32(l.source) << qint32(l.target);
}
bool get(QDataStream& in, std::vector<AlignmentLink>& links)
{
    return getList(in, links, 100000, [&in](AlignmentLink& l) {
        qint32 s = 0, t = 0;
        in >> s >> t;
        l.source = s;
        l.target = t;
        return true;
    });
}
} // namespace

std::string pathFor(const std::string& modules, const std::set<Split>& splits)
{
    std::string key = modules;
    for (Split s : splits) key += "|" + splitName(s);
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    QDir().mkpath(dir);
    const QByteArray hash = QCryptographicHash::hash(QByteArray::fromStdString(key), QCryptographicHash::Sha1).toHex().left(16);
    return (dir + "/bible-" + QString::fromLatin1(hash) + ".corpus").toStdString();
}

bool read(const std::string& path, const std::string& key, Corpus& out)
{
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly)) return false;
    QDataStream in(&f);
    in.setVersion(QDataStream::Qt_6_0);
    quint32 magic = 0, format = 0, count = 0;
    QString storedKey;
    qint32 changed = 0;
    in >> magic >> format >> storedKey >> changed >> count;
    if (in.status() != QDataStream::Ok || magic != kMagic || format != kFormat || storedKey != qs(key) || count > 100000)
        return false;
    Corpus c;
    c.pairsChanged = changed;
    c.verses.resize(count);
    for (auto& v : c.verses) {
        QString ref, targetRef, book;
        qint32 chapter = 0, verse = 0;
        in >> ref >> targetRef >> book >> chapter >> verse >> v.explicitGold;
        v.ref = ref.toStdString();
        v.targetRef = targetRef.toStdString();
        v.book = book.toStdString();
        v.chapter = chapter;
        v.verse = verse;
        if (!get(in, v.source) || !get(in, v.target) || !get(in, v.sure) || !get(in, v.possible)) return false;
    }
    if (in.status() != QDataStream::Ok || !in.atEnd()) return false;
    out = std::move(c);
    return true;
}

Status write(const std::string& path, const std::string& key, const Corpus& corpus)
{
    QByteArray bytes;
    QDataStream o(&bytes, QIODevice::WriteOnly);
    o.setVersion(QDataStream::Qt_6_0);
    o << kMagic << kFormat << qs(key) << qint32(corpus.pairsChanged) << quint32(corpus.verses.size());
    for (const auto& v : corpus.verses) {
        o << qs(v.ref) << qs(v.targetRef) << qs(v.book) << qint32(v.chapter) << qint32(v.verse) << v.explicitGold;
        put(o, v.source);
        put(o, v.target);
        put(o, v.sure);
        put(o, v.possible);
    }
    return saveFileAtomically(path, bytes.constData(), size_t(bytes.size()));
}

} // namespace attnscope::corpuscache
