// A workspace's head ablation (ablationcontrol.h).
#include "workspaces/ablationcontrol.h"

#include "attnscope/alignment.h"
#include "attnscope/schema.h"

#include <QComboBox>
#include <QJsonObject>
#include <QSignalBlocker>
#include <QStringList>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

double classProbability(const AttentionTrace& trace, const std::string& name)
{
    const TraceTensor* p = trace.find(schema::vision::kClassProbability);
    if (!p || p->labels.empty()) return std::nan("");
    const auto& names = p->labels[0];
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? std::nan("") : double(p->values[size_t(it - names.begin())]);
}

namespace {
/// The attention a shown entry reads: a lens ("cross_attention.norm") is read off its attention,
/// so ablating the lens's head ablates that attention's head.
QString attentionKind(const QString& shown)
{
    QString kind = shown;
    const QString base = shown.section(QStringLiteral(" · "), 0, 0);
    if (schema::isLens(base.toStdString())) kind.replace(0, base.size(), QString::fromStdString(schema::lensBase(base.toStdString())));
    return kind;
}
} // namespace

bool AblationControl::toggle(const QString& shownKind, int layer, int head, QString* why)
{
    const QString kind = attentionKind(shownKind);
    const std::string lens = schema::lensOf(shownKind.section(QStringLiteral(" · "), 0, 0).toStdString());
    if (lens == schema::kRolloutLens || lens == schema::kNormRolloutLens || lens == schema::kAltiLens) {
        if (why) *why = tr("Heads are ablated one at a time: a rollout or ALTI mixes layers (and heads); choose the raw lens.");
        return false;
    }
    if (kind.contains(QStringLiteral(" · "))) {
        if (why) *why = tr("Heads are ablated one at a time: choose %1 itself (not its mean) in the selector.").arg(kind.section(" · ", 0, 0));
        return false;
    }
    std::vector<int>& heads = ablation_.heads[kind.toStdString()][layer];
    const auto it = std::find(heads.begin(), heads.end(), head);
    if (it != heads.end()) heads.erase(it);
    else heads.insert(std::upper_bound(heads.begin(), heads.end(), head), head);
    // Drop emptied layers and kinds, so that restoring every head is "nothing ablated".
    auto& layers = ablation_.heads[kind.toStdString()];
    if (heads.empty()) layers.erase(layer);
    if (layers.empty()) ablation_.heads.erase(kind.toStdString());
    emit changed();
    return true;
}

void AblationControl::reset()
{
    if (ablation_.empty()) return;
    ablation_.heads.clear();
    emit changed();
}

void AblationControl::setMode(HeadAblation::Mode mode)
{
    if (ablation_.mode == mode) return;
    ablation_.mode = mode;
    if (!ablation_.empty()) emit changed();
}

QComboBox* AblationControl::singleHeadChooser(const QString& kind, QWidget* parent)
{
    auto* box = new QComboBox(parent);
    box->addItem(tr("Attention as trained"));
    box->addItem(tr("Ablated: zero"));
    box->addItem(tr("Ablated: uniform"));
    box->setToolTip(tr("Head ablation (Michel et al. 2019): zero — the attention weights are multiplied by 0, so the "
                       "context vector is 0; uniform — every region (frame) gets 1/L. The output is compared with the "
                       "unablated run: the words that changed and Δ log p."));
    const auto sync = [this, box, kind] {
        const QSignalBlocker quiet(box);
        box->setCurrentIndex(headsOf(kind).empty() ? 0 : ablation_.mode == HeadAblation::Mode::Zero ? 1 : 2);
    };
    connect(this, &AblationControl::changed, box, sync);
    connect(this, &AblationControl::restored, box, sync);
    connect(box, &QComboBox::currentIndexChanged, this, [this, kind](int i) {
        const bool was = !headsOf(kind).empty();
        if (i > 0) {
            const QSignalBlocker quiet(this);
            setMode(i == 1 ? HeadAblation::Mode::Zero : HeadAblation::Mode::Uniform);
        }
        if ((i > 0) != was) toggle(kind, 0, 0, nullptr);  // emits changed
        else if (i > 0) emit changed();                // the mode changed
    });
    sync();
    return box;
}

std::set<std::pair<int, int>> AblationControl::headsOf(const QString& kind) const
{
    std::set<std::pair<int, int>> out;
    const auto k = ablation_.heads.find(attentionKind(kind).toStdString());
    if (k == ablation_.heads.end()) return out;
    for (const auto& [layer, heads] : k->second)
        for (int h : heads) out.insert({layer, h});
    return out;
}

void AblationControl::remember(const QString& key, const QString& translation, const std::shared_ptr<const AttentionTrace>& trace)
{
    key_ = key;
    translation_ = translation;
    trace_ = trace;
}

QString AblationControl::describe(const QString& label, const QString& translation, const AttentionTrace& ablated) const
{
    // Words of the ablated translation that the unablated one does not have at that place (a
    // longest-common-subsequence alignment of the two word lists) are highlighted.
    const QStringList now = translation.split(' ', Qt::SkipEmptyParts), before = translation_.split(' ', Qt::SkipEmptyParts);
    const int n = int(now.size()), m = int(before.size());
    std::vector<std::vector<int>> lcs(size_t(n + 1), std::vector<int>(size_t(m + 1), 0));
    for (int i = n - 1; i >= 0; --i)
        for (int j = m - 1; j >= 0; --j)
            lcs[size_t(i)][size_t(j)] = now[i] == before[j] ? lcs[size_t(i + 1)][size_t(j + 1)] + 1
                                                             : std::max(lcs[size_t(i + 1)][size_t(j)], lcs[size_t(i)][size_t(j + 1)]);
    QStringList words;
    int changed = 0;
    for (int i = 0, j = 0; i < n;) {
        if (j < m && now[i] == before[j]) {
            words << now[i].toHtmlEscaped();
            ++i, ++j;
        } else if (j < m && lcs[size_t(i)][size_t(j + 1)] >= lcs[size_t(i + 1)][size_t(j)]) {
            ++j;
        } else {
            words << QStringLiteral("<span style=\"background:#ffcdd2\">%1</span>").arg(now[i].toHtmlEscaped());
            ++changed;
            ++i;
        }
    }
    QString html = tr("<b>%1</b> (ablated): %2").arg(label.toHtmlEscaped(), words.join(' '));
    QString effect = changed == 0 && n == m ? tr("the same words as unablated") : tr("%n word(s) changed", nullptr, changed);
    if (trace_ && trace_->hasGold() && ablated.hasGold()) {
        const double a = scoreTrace(ablated).aer(), b = scoreTrace(*trace_).aer();
        effect += tr(" · AER %1% (unablated %2%, Δ %3 points)").arg(100 * a, 0, 'f', 1).arg(100 * b, 0, 'f', 1).arg(100 * (a - b), 0, 'f', 1);
    }
    const std::string llNow = ablated.meta(schema::translation::kLogLikelihoodMeta);
    const std::string llBefore = trace_ ? trace_->meta(schema::translation::kLogLikelihoodMeta) : std::string();
    if (!llNow.empty() && !llBefore.empty()) {
        const double a = std::stod(llNow), b = std::stod(llBefore);
        effect += tr(" · log p(reference) %1 nats (unablated %2, Δ %3)").arg(a, 0, 'f', 2).arg(b, 0, 'f', 2).arg(a - b, 0, 'f', 2);
    }
    const TraceTensor* ctcNow = ablated.find(schema::vision::kCtc);
    const TraceTensor* ctcBefore = trace_ ? trace_->find(schema::vision::kCtc) : nullptr;
    if (ctcNow && ctcBefore && !ctcNow->values.empty() && !ctcBefore->values.empty()) {
        const auto mean = [](const TraceTensor& t) {
            double sum = 0;
            for (float v : t.values) sum += v;
            return sum / double(t.values.size());
        };
        const double a = mean(*ctcNow), b = mean(*ctcBefore);
        effect += tr(" · CTC confidence %1 (unablated %2, Δ %3)").arg(a, 0, 'f', 3).arg(b, 0, 'f', 3).arg(a - b, 0, 'f', 3);
    }
    const std::string predicted = trace_ ? trace_->meta(schema::vision::kPredictionMeta) : std::string();
    if (!predicted.empty()) {  // the unablated prediction's probability
        const double a = classProbability(ablated, predicted), b = classProbability(*trace_, predicted);
        if (!std::isnan(a) && !std::isnan(b))
            effect += tr(" · p(%1) %2% (unablated %3%, Δ %4 points)")
                          .arg(QString::fromStdString(predicted).toHtmlEscaped())
                          .arg(100 * a, 0, 'f', 1)
                          .arg(100 * b, 0, 'f', 1)
                          .arg(100 * (a - b), 0, 'f', 1);
    }
    const std::string lpNow = ablated.meta(schema::caption::kLogProbabilityMeta);
    const std::string lpBefore = trace_ ? trace_->meta(schema::caption::kLogProbabilityMeta) : std::string();
    if (!lpNow.empty() && !lpBefore.empty()) {
        const double a = std::stod(lpNow), b = std::stod(lpBefore);
        effect += tr(" · log p %1 nats (unablated %2, Δ %3)").arg(a, 0, 'f', 2).arg(b, 0, 'f', 2).arg(a - b, 0, 'f', 2);
    }
    return html + QStringLiteral("<br><small>") + tr("Ablated %1 · %2").arg(QString::fromStdString(ablation_.describe()).toHtmlEscaped(), effect) +
           QStringLiteral("</small>");
}

QJsonObject AblationControl::toJson() const
{
    QJsonArray heads;
    for (const auto& [kind, layers] : ablation_.heads)
        for (const auto& [layer, hs] : layers)
            for (int h : hs) heads.append(QStringLiteral("%1:%2:%3").arg(QString::fromStdString(kind)).arg(layer + 1).arg(h + 1));
    return QJsonObject{{"heads", heads}, {"mode", ablation_.mode == HeadAblation::Mode::Uniform ? "uniform" : "zero"}};
}

void AblationControl::fromJson(const QJsonObject& o, bool notify)
{
    HeadAblation a;
    for (const auto& v : o["heads"].toArray())
        if (!parseAblation(v.toString().toStdString(), a)) return;  // a hand-edited file: keep what was there
    if (!parseAblationMode(o["mode"].toString("zero").toStdString(), a.mode)) return;
    ablation_ = a;
    if (notify) emit changed();
    else emit restored();
}

} // namespace attnscope::ui
