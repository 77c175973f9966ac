#include "views/headtableview.h"

#include "attnscope/alignment.h"
#include "attnscope/headstats.h"

#include <QContextMenuEvent>
#include <QHeaderView>
#include <QMenu>
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
} // namespace

HeadTableView::HeadTableView(QWidget* parent) : QTableWidget(parent)
{
    setColumnCount(ColumnCount);
    setHorizontalHeaderLabels({tr("layer"), tr("head"), tr("entropy (bits)"), tr("same"), tr("previous"), tr("next"),
                               tr("punctuation"), tr("end of sentence"), tr("AER % (sentence)"), tr("AER % (dev split)"), tr("importance")});
    horizontalHeaderItem(Entropy)->setToolTip(tr("Mean entropy of the head's attention rows"));
    horizontalHeaderItem(Same)->setToolTip(tr("Mean attention to the query's own position"));
    horizontalHeaderItem(Previous)->setToolTip(tr("Mean attention to the position before the query's"));
    horizontalHeaderItem(Next)->setToolTip(tr("Mean attention to the position after the query's"));
    horizontalHeaderItem(Punctuation)->setToolTip(tr("Mean attention to punctuation tokens"));
    horizontalHeaderItem(Eos)->setToolTip(tr("Mean attention to the final </s> / [SEP] token"));
    horizontalHeaderItem(Aer)->setToolTip(tr("Alignment error rate of the head's argmax links on this sentence (when gold is known)"));
    horizontalHeaderItem(DevAer)->setToolTip(tr("Alignment error rate of the head over the whole dev split (forced decoding of each verse; computed in the background)"));
    horizontalHeaderItem(Importance)->setToolTip(tr("How much the head matters over the dev split (Michel et al. 2019): "
                                                    "Heads → Head importance measures it"));
    verticalHeader()->hide();
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSortingEnabled(true);
    horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    // Room for six heads without scrolling, whatever the grid above it takes.
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    setMinimumHeight(horizontalHeader()->sizeHint().height() + 6 * verticalHeader()->defaultSectionSize() + 2 * frameWidth() + 4);
    connect(this, &QTableWidget::cellClicked, this, [this](int row, int) {
        emit headActivated(item(row, Layer)->data(Qt::DisplayRole).toInt() - 1, item(row, Head)->data(Qt::DisplayRole).toInt() - 1);
    });
}

void HeadTableView::setAnalysis(const HeadAnalysis& a)
{
    setSortingEnabled(false);
    clearContents();
    setRowCount(0);
    const int L = a.layers, H = a.heads;
    if (a.summaries.size() != size_t(L * H)) return;
    setRowCount(L * H);
    for (int l = 0; l < L; ++l)
        for (int h = 0; h < H; ++h) {
            const HeadSummary& s = a.at(l, h);
            const int row = l * H + h;
            setItem(row, Layer, number(l + 1, 0));
            setItem(row, Head, number(h + 1, 0));
            setItem(row, Entropy, number(s.entropy, 3));
            setItem(row, Same, number(s.same, 3));
            setItem(row, Previous, number(s.previous, 3));
            setItem(row, Next, number(s.next, 3));
            setItem(row, Punctuation, number(s.punctuation, 3));
            setItem(row, Eos, number(s.eos, 3));
            setItem(row, Aer, number(s.scored ? 100 * s.score.aer() : std::nan(""), 1));  // percent, as the summaries say
            setItem(row, DevAer, number(std::nan(""), 3));
            setItem(row, Importance, number(std::nan(""), 4));
        }
    setSortingEnabled(true);
}

void HeadTableView::setColumn(Column column, int layers, int heads, const std::vector<double>& values, int decimals)
{
    setSortingEnabled(false);
    for (int row = 0; row < rowCount(); ++row) {
        if (!item(row, Layer)) continue;
        const int l = item(row, Layer)->data(Qt::DisplayRole).toInt() - 1;
        const int h = item(row, Head)->data(Qt::DisplayRole).toInt() - 1;
        const bool known = l < layers && h < heads && size_t(l * heads + h) < values.size();
        setItem(row, column, number(known ? values[size_t(l * heads + h)] : std::nan(""), decimals));
    }
    setSortingEnabled(true);
}

void HeadTableView::setDevAer(int layers, int heads, const std::vector<double>& aer)
{
    std::vector<double> percent(aer);
    for (double& v : percent) v *= 100;
    setColumn(DevAer, layers, heads, percent, 1);
}

void HeadTableView::setImportance(int layers, int heads, const std::vector<double>& importance, const QString& header, const QString& tip)
{
    horizontalHeaderItem(Importance)->setText(importance.empty() ? tr("importance") : header);
    if (!tip.isEmpty()) horizontalHeaderItem(Importance)->setToolTip(tip);
    setColumn(Importance, layers, heads, importance, 4);
}

void HeadTableView::contextMenuEvent(QContextMenuEvent* e)
{
    const int row = rowAt(e->pos().y());
    if (row < 0 || !item(row, Layer) || !item(row, Head)) return;
    const int l = item(row, Layer)->data(Qt::DisplayRole).toInt() - 1, h = item(row, Head)->data(Qt::DisplayRole).toInt() - 1;
    QMenu menu(this);
    connect(menu.addAction(tr("Ablate or restore layer %1, head %2 (Alt+click in the grid)").arg(l + 1).arg(h + 1)), &QAction::triggered,
            this, [this, l, h] { emit headAblationToggled(l, h); });
    connect(menu.addAction(tr("Restore every head")), &QAction::triggered, this, &HeadTableView::ablationsReset);
    menu.exec(e->globalPos());
}

double HeadTableView::value(int layer, int head, Column column) const
{
    for (int row = 0; row < rowCount(); ++row) {
        const auto* l = item(row, Layer);
        const auto* h = item(row, Head);
        if (!l || !h || l->data(Qt::DisplayRole).toInt() != layer + 1 || h->data(Qt::DisplayRole).toInt() != head + 1) continue;
        bool ok = false;
        const double v = item(row, column) ? item(row, column)->data(Qt::DisplayRole).toDouble(&ok) : 0;
        return ok ? v : std::nan("");
    }
    return std::nan("");
}

} // namespace attnscope::ui
