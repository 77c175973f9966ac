// The Text workspace's files and state: traces and dumps it opens, the workspace file's section,
// and the view in front as a figure or numbers (Export view, Copy image, Export data).
#include "workspaces/ablationcontrol.h"
#include "workspaces/text/textworkspace.h"
#include "workspaces/text/flowpanel.h"
#include "workspaces/text/headspanel.h"
#include "workspaces/text/linkoptionsbar.h"
#include "workspaces/text/textinputpanel.h"
#include "workspaces/text/versepicker.h"
#include "attnscope/kinds.h"
#include "workspaces/modelpicker.h"
#include "attnscope/longattention.h"
#include "attnscope/alignment.h"
#include "attnscope/dumps.h"
#include "attnscope/headstats.h"
#include "attnscope/pipelines.h"
#include "attnscope/schema.h"
#include "attnscope/visionmodel.h"
#include "attnscope/scriptmodel.h"
#include "attnscope/subwords.h"
#include "attnscope/translator.h"
#include "dialogs/importdumpdialog.h"
#include "jobs/jobtracker.h"
#include "jobs/models.h"
#include "settings.h"
#include "views/alignmentmatrixview.h"
#include "views/figurewriter.h"
#include "views/headcompareview.h"
#include "views/headgridview.h"
#include "views/headtableview.h"
#include "views/messagebanner.h"
#include "views/tokenflowview.h"
#include "workspaces/text/comparepanel.h"
#include "workspaces/text/devscorebar.h"
#include "workspaces/text/goldcorpusdialog.h"
#include "workspaces/text/inputfilebutton.h"
#include <QButtonGroup>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QDir>
#include <QStandardPaths>
#include <QAction>
#include <QCompleter>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonObject>
#include <QMessageBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QCheckBox>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace attnscope::ui {

WorkspaceSection TextWorkspace::saveState() const
{
    WorkspaceSection s;
    const QRectF z = matrix_->zoomRanges();
    s.state = QJsonObject{{"source", source_->toPlainText()},
                          {"reference", reference_->toPlainText()},
                          {"verse", versePicker_->current()},
                          {"model", modelPicker_->currentData().toString()},
                          {"forced", forcedMode_->isChecked()},
                          {"head_kind", heads_->entry()},
                          {"links", QString::fromStdString(linkMethodName(links_.method))},
                          {"gold_corpus", versePicker_->ownCorpusFiles()},
                          {"link_threshold", links_.threshold},
                          {"tab", tabs_->currentIndex()},
                          {"pinned_row", matrix_->pinnedRow()},
                          {"zoom", QJsonObject{{"x_lower", z.left()}, {"x_upper", z.right()}, {"y_lower", z.top()}, {"y_upper", z.bottom()}}}};
    if (pieces_) s.traces["trace"] = pieces_;  // kept: a trace from a file cannot be computed again
    s.state["words"] = linkBar_->words();
    s.state["ablation"] = ablation_->toJson();
    return s;
}

bool TextWorkspace::restoreState(const WorkspaceSection& section, QString* error)
{
    Q_UNUSED(error);
    const QJsonObject& o = section.state;
    updatingInputs_ = true;  // no translation requests while the inputs are filled in
    source_->setPlainText(o["source"].toString());
    reference_->setPlainText(o["reference"].toString());
    (o["forced"].toBool() ? forcedMode_ : freeMode_)->setChecked(true);
    const QString model = o["model"].toString();
    if (modelPicker_->findData(model) >= 0) modelPicker_->setCurrentIndex(modelPicker_->findData(model));
    ablation_->fromJson(o["ablation"].toObject());  // the ablated heads, applied from the next run on
    updatingInputs_ = false;
    debounce_->stop();
    versePicker_->setCurrent(o["verse"].toString());
    LinkOptions links;
    if (!parseLinkMethod(o["links"].toString("argmax").toStdString(), links.method)) links.method = LinkMethod::Argmax;
    links.threshold = std::clamp(o["link_threshold"].toDouble(0.1), 0.01, 1.0);
    setLinkOptions(links);
    {
        linkBar_->setWords(o["words"].toBool(false));  // no signal: displayTrace below shows the right form
    }
    const QJsonObject gc = o["gold_corpus"].toObject();
    if (!gc.isEmpty())
        openGoldCorpus(gc["source"].toString(), gc["target"].toString(), gc["gold"].toString(), gc["one_based"].toBool(),
                       false);
    userEdited_ = true;  // the demo must not replace a restored workspace
    const auto it = section.traces.find("trace");
    if (it != section.traces.end() && it->second) {
        displayTrace(it->second);
        const QString kind = o["head_kind"].toString();
        if (!kind.isEmpty()) heads_->setEntry(kind);
        const QJsonObject z = o["zoom"].toObject();
        matrix_->setZoomRanges(QRectF(QPointF(z["x_lower"].toDouble(), z["y_lower"].toDouble()),
                                      QPointF(z["x_upper"].toDouble(), z["y_upper"].toDouble())));
        matrix_->setPinnedRow(o["pinned_row"].toInt(-1));
        const int tab = o["tab"].toInt();
        if (tabs_->isTabEnabled(tab)) tabs_->setCurrentIndex(tab);
    }
    return true;
}

void TextWorkspace::showTrace(TracePtr trace)
{
    // The inputs on screen belong to the previous sentence: show the trace's own (or none).
    updatingInputs_ = true;
    versePicker_->leave();
    source_->setPlainText(QString::fromStdString(trace->meta(schema::kInputMeta)));
    reference_->setPlainText(QString::fromStdString(trace->meta(schema::translation::kReferenceMeta)));
    (trace->meta(schema::kModeMeta) == schema::kForced ? forcedMode_ : freeMode_)->setChecked(true);
    // … and the model picker names the trace's model when it offers it (not the last one picked).
    if (const int i = modelPicker_->findData(QString::fromStdString(trace->model)); i >= 0) modelPicker_->setCurrentIndex(i);
    updatingInputs_ = false;
    debounce_->stop();
    userEdited_ = true;  // the demo must not replace an opened trace
    displayTrace(std::move(trace));
}

namespace {
/// An opened trace with the lenses derived from it (rollout, norm-based rollout, through the
/// encoder; addDerivedLenses) when it has none yet and is small enough to derive them at once
/// (≤ 128 tokens a side: well under a frame); larger ones offer the lenses they store.
TracePtr withDerivedLenses(TracePtr trace)
{
    bool small = false;
    for (const auto& t : trace->tensors) {
        if (t.shape.size() != 4) continue;
        if (t.shape[2] > 128 || t.shape[3] > 128 || schema::lensOf(t.name) == schema::kRolloutLens) return trace;
        small = true;
    }
    if (!small) return trace;
    auto copy = std::make_shared<AttentionTrace>(*trace);
    return addDerivedLenses(*copy) ? copy : trace;
}
} // namespace

void TextWorkspace::displayTrace(TracePtr trace)
{
    translateJobs_->cancel();  // drop any result still on its way
    if (handOffLongTrace(trace)) return;
    heads_->setGradComputable(false);  // an opened file: no model to differentiate
    inputNotice_.clear();
    trace_ = shownForm(withDerivedLenses(std::move(trace)));
    banner_->clearMessage();
    showInMatrix(*trace_);
    matrix_->setTitle(alignmentTitle());
    backToAlignment_->hide();
    updatePinned(-1);
    updateHeadsTab();
    QStringList about;  // only the fields the trace has
    for (const auto& [key, label] : {std::pair<const char*, QString>{schema::translation::kVerseMeta, tr("verse")},
                                     {schema::kModeMeta, tr("decoding")}, {schema::kInputMeta, tr("from")}})
        if (!trace_->meta(key).empty()) about << label + " " + QString::fromStdString(trace_->meta(key)).left(80);
    translation_->setText(tr("<b>Opened trace</b> · model %1%2")
                              .arg(QString::fromStdString(trace_->model).toHtmlEscaped(),
                                   about.isEmpty() ? QString() : " · " + about.join(" · ").toHtmlEscaped()));
    if (!trace_->meta(schema::kWarningMeta).empty())
        banner_->showMessage(MessageBanner::Level::Warning, QString::fromStdString(trace_->meta(schema::kWarningMeta)));
    updateMetrics();
    emit traceShown();
}

QString TextWorkspace::currentViewName() const
{
    static const char* names[] = {"alignment", "heads", "comparison", "token-flow"};
    const int i = tabs_->currentIndex();
    return QString::fromLatin1(i >= 0 && i < 4 ? names[i] : "view");
}

BuiltFigure TextWorkspace::currentFigure()
{
    QWidget* view = nullptr;
    switch (tabs_->currentIndex()) {
    case 1: view = heads_->grid()->layers() > 0 ? heads_->grid() : nullptr; break;
    case 2: view = compare_->view()->isEmpty() ? nullptr : compare_->view(); break;
    case 3: view = flow_->view(); break;
    default: break;
    }
    return view ? BuiltFigure::of(view) : BuiltFigure::none(tr("nothing to export: the %1 view is empty").arg(currentViewName()));
}

QImage TextWorkspace::renderCurrentView(int dpi, QString* error)
{
    if (tabs_->currentIndex() != 0) return Workspace::renderCurrentView(dpi, error);
    if (!matrix_->isEmpty()) return matrix_->renderImage(0, 0, dpi);
    if (error) *error = tr("nothing to export: the %1 view is empty").arg(currentViewName());
    return {};
}

bool TextWorkspace::exportCurrentView(const QString& path, int dpi, QString* error)
{
    if (tabs_->currentIndex() != 0) return Workspace::exportCurrentView(path, dpi, error);
    return matrix_->exportTo(path, 0, 0, error, dpi);
}

ViewData TextWorkspace::currentData() const
{
    if (matrix_->isEmpty()) return ViewData::none(tr("nothing to export: the matrix is empty"));
    return {matrix_->dataTable(), QStringLiteral("attention.csv"),
            tr("The matrix on screen (target rows × source columns) as CSV with token labels, or .npy"), {}};
}

bool TextWorkspace::acceptsFile(const QString& path) const
{
    return Workspace::acceptsFile(path) && !isLongAttentionFile(path.toStdString());
}

bool TextWorkspace::openFile(const QString& path)
{
    // Traces first (.attn, and .json in the trace format), then dumps (.npy .npz .safetensors
    // and .json dumps) with the default axis mapping.
    auto trace = std::make_shared<AttentionTrace>();
    const QString ext = QFileInfo(path).suffix().toLower();
    Status st = Status::error("not a trace");
    if (ext == "attn" || ext == "json") st = loadTraceAuto(path.toStdString(), *trace);
    const bool imported = !st && ext != "attn";
    if (imported) st = importDump(path.toStdString(), {}, *trace);
    if (!st) {
        const QString message = QString::fromStdString(st.message);
        showError(message);
        return false;
    }
    const QString labels = QString::fromStdString(trace->meta(schema::kLabelsMeta));
    showTrace(std::move(trace));
    emit logMessage((imported ? tr("Imported %1") : tr("Opened %1")).arg(path) + (labels.isEmpty() ? QString() : " — " + labels));
    return true;
}

void TextWorkspace::importDumpDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import attention dump"), {},
                                                      tr("Attention dumps (*.npy *.npz *.safetensors *.json)"));
    if (path.isEmpty()) return;
    ImportDumpDialog dialog(this);
    QString error;
    if (!dialog.load(path, &error)) {
        QMessageBox::warning(this, tr("Import failed"), error);
        return;
    }
    if (dialog.exec() != QDialog::Accepted || !dialog.trace()) return;
    showTrace(dialog.trace());
    emit logMessage(tr("Imported %1").arg(path));
}

} // namespace attnscope::ui
