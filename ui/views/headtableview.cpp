#include "views/headtableview.h"

#include "attnscope/alignment.h"
#include "attnscope/headstats.h"

#include <QHeaderView>
#include <QString>

#include <cmath>

namespace attnscope::ui {

namespace {
QTableWidgetItem* number(double v, int decimals)
{
    auto* item = new QTableWidgetItem;
    item->setData(Qt::DisplayRole, std::isnan(v) ? QVariant(QStringLiteral("—")) : QVariant(std::round(v * std::pow(10, decimals)) / std::pow(10, decimals)));
    item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

bool isPunctuation(const std::string& label)
{
    const QString s = QString::fromStdString(label);
    if (s.isEmpty() || s == "</s>") return false;
    for (QChar c : s)
        if (c.isLetterOrNumber()) return false;
    return true;
}
} // namespace

HeadTableView::HeadTableView(QWidget* parent) : QTableWidget(parent)
{
    setColumnCount(9);
    setHorizontalHeaderLabels({tr("layer"), tr("head"), tr("entropy (bits)"), tr("same"), tr("previous"), tr("next"),
                               tr("punctuation"), tr("end of sentence"), tr("AER")});
    horizontalHeaderItem(2)->setToolTip(tr("Mean entropy of the head's attention rows"));
    horizontalHeaderItem(3)->setToolTip(tr("Mean attention to the query's own position"));
    horizontalHeaderItem(6)->setToolTip(tr("Mean attention to punctuation tokens"));
    horizontalHeaderItem(7)->setToolTip(tr("Mean attention to the final </s> / [SEP] token"));
    horizontalHeaderItem(8)->setToolTip(tr("Alignment error rate of the head's argmax links against gold (when known)"));
    verticalHeader()->hide();
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSortingEnabled(true);
    horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    connect(this, &QTableWidget::cellClicked, this, [this](int row, int) {
        emit headActivated(item(row, 0)->data(Qt::DisplayRole).toInt() - 1, item(row, 1)->data(Qt::DisplayRole).toInt() - 1);
    });
}

void HeadTableView::setTensor(const TraceTensor& t, const AttentionTrace* gold)
{
    setSortingEnabled(false);
    clearContents();
    setRowCount(0);
    if (t.shape.size() != 4) return;
    const int L = int(t.shape[0]), H = int(t.shape[1]), Q = int(t.shape[2]), K = int(t.shape[3]);
    std::vector<bool> punct(size_t(K), false);
    int eos = -1;
    if (t.labels.size() == 4 && int(t.labels[3].size()) == K) {
        for (int k = 0; k < K; ++k) punct[size_t(k)] = isPunctuation(t.labels[3][size_t(k)]);
        const std::string& last = t.labels[3].back();
        if (last == "</s>" || last == "[SEP]" || last == "<eos>" || last == "<|endoftext|>") eos = K - 1;
    }
    setRowCount(L * H);
    for (int l = 0; l < L; ++l)
        for (int h = 0; h < H; ++h) {
            const int row = l * H + h;
            TraceTensor head;
            sliceHead(t, l, h, "cross", head);
            const auto s = positionStats(head.values.data(), Q, K, punct, eos);
            AlignmentScore score;
            const double aer = gold && scoreHead(head, *gold, score) ? score.aer() : std::nan("");
            setItem(row, 0, number(l + 1, 0));
            setItem(row, 1, number(h + 1, 0));
            setItem(row, 2, number(meanEntropy(head.values.data(), Q, K), 3));
            setItem(row, 3, number(s.same, 3));
            setItem(row, 4, number(s.previous, 3));
            setItem(row, 5, number(s.next, 3));
            setItem(row, 6, number(s.punctuation, 3));
            setItem(row, 7, number(eos >= 0 ? s.eos : std::nan(""), 3));
            setItem(row, 8, number(aer, 3));
        }
    setSortingEnabled(true);
}

} // namespace attnscope::ui
