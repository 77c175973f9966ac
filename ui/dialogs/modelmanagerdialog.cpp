#include "dialogs/modelmanagerdialog.h"

#include "attnscope/resources.h"
#include "attnscope/scriptmodel.h"
#include "attnscope/translator.h"
#include "settings.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace attnscope::ui {

ModelManagerDialog::ModelManagerDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Model manager"));
    resize(980, 420);
    table_ = new QTableWidget(this);
    table_->setObjectName("modelTable");
    table_->setColumnCount(5);
    table_->setHorizontalHeaderLabels({tr("model"), tr("kind"), tr("takes"), tr("produces"), tr("status")});
    table_->verticalHeader()->hide();
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setWordWrap(true);
    auto* add = new QPushButton(tr("&Add TorchScript model…"), this);
    add->setToolTip(tr("A .pt saved with torch.jit.trace or torch.jit.script, with MODEL.json beside it (see the README)"));
    auto* remove = new QPushButton(tr("&Remove"), this);
    remove->setToolTip(tr("Forget the selected user model (the files stay where they are)"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(add, QDialogButtonBox::ActionRole);
    buttons->addButton(remove, QDialogButtonBox::ActionRole);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Built-in models ship with AttnScope; your models are TorchScript files with a JSON "
                                    "sidecar saying what they take and which outputs are attention."), this));
    layout->addWidget(table_, 1);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(add, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Add a TorchScript model"), {}, tr("TorchScript (*.pt *.pth *.ts)"));
        if (path.isEmpty()) return;
        QString error;
        if (!addModel(path, &error)) QMessageBox::warning(this, tr("Cannot add the model"), error);
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = table_->currentRow();
        if (row < 0) return;
        const QString path = table_->item(row, 0)->data(Qt::UserRole).toString();
        if (!path.isEmpty()) removeModel(path);
    });
    refresh();
}

bool ModelManagerDialog::addModel(const QString& path, QString* error)
{
    const QString abs = QFileInfo(path).absoluteFilePath();
    QStringList models = settings::get(settings::UserModels);
    if (models.contains(abs)) {
        if (error) *error = tr("%1 is already in the list").arg(abs);
        return false;
    }
    ScriptModel m;
    if (auto st = m.load(abs.toStdString()); !st) {
        if (error) *error = QString::fromStdString(st.message);
        return false;
    }
    models << abs;
    settings::set(settings::UserModels, models);
    refresh();
    emit modelsChanged();
    return true;
}

void ModelManagerDialog::removeModel(const QString& path)
{
    QStringList models = settings::get(settings::UserModels);
    models.removeAll(path);
    settings::set(settings::UserModels, models);
    refresh();
    emit modelsChanged();
}

void ModelManagerDialog::refresh()
{
    table_->setRowCount(0);
    const auto addRow = [this](const QString& name, const QString& kind, const QString& takes, const QString& produces,
                               const QString& status, const QString& path) {
        const int row = table_->rowCount();
        table_->insertRow(row);
        const QStringList cells{name, kind, takes, produces, status};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setToolTip(cells[c] + (path.isEmpty() ? QString() : "\n" + path));
            table_->setItem(row, c, item);
        }
        table_->item(row, 0)->setData(Qt::UserRole, path);
    };
    for (const auto& m : builtinModels()) {
        const bool ready = !resourcePath(m.weightsFile).empty();
        addRow(QString::fromStdString(m.name), tr("built-in %1").arg(QString::fromStdString(m.kind)),
               QString::fromStdString(m.takes), QString::fromStdString(m.produces),
               ready ? tr("ready") : tr("weights missing: attnscope train %1").arg(QString::fromStdString(m.name)), {});
    }
    for (const QString& path : settings::get(settings::UserModels)) {
        ScriptModelSpec spec;
        const std::string sidecar = sidecarPath(path.toStdString());
        Status st = QFileInfo(path).isFile() ? Status::success() : Status::error("the file is gone");
        if (st) st = sidecar.empty() ? Status::error("no sidecar") : parseSidecar(sidecar, spec);
        addRow(st ? QString::fromStdString(spec.name) : QFileInfo(path).fileName(), tr("your TorchScript model"),
               st ? QString::fromStdString(spec.takes()) : QString(), st ? QString::fromStdString(spec.produces()) : QString(),
               st ? tr("ready") : tr("unavailable: %1").arg(QString::fromStdString(st.message)), path);
    }
    table_->resizeColumnsToContents();
    table_->resizeRowsToContents();
}

} // namespace attnscope::ui
