#include "dialogs/preferencesdialog.h"

#include "attnscope/kinds.h"

#include "attnscope/translator.h"
#include "settings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>
#include <QThread>

namespace attnscope::ui {

PreferencesDialog::PreferencesDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Preferences"));
    model_ = new QComboBox(this);
    model_->setObjectName("prefModel");
    for (const OfferedModel& m : KindCatalogue::global().modelsFor(kinds::kText, {}))
        model_->addItem(QString::fromStdString(m.id));
    model_->setToolTip(tr("The translation model selected when AttnScope starts"));
    const QString model = settings::get(settings::DefaultModel);
    if (model_->findText(model) >= 0) model_->setCurrentText(model);

    dpi_ = new QSpinBox(this);
    dpi_->setObjectName("prefDpi");
    dpi_->setRange(48, 1200);
    dpi_->setSuffix(tr(" dpi"));
    dpi_->setValue(settings::get(settings::ExportDpi));
    dpi_->setToolTip(tr("Resolution of PNG exports (96 = screen, 300 = print); SVG and PDF are vector"));

    threads_ = new QSpinBox(this);
    threads_->setObjectName("prefThreads");
    threads_->setRange(0, std::max(1, QThread::idealThreadCount()));
    threads_->setSpecialValueText(tr("all cores (%1)").arg(QThread::idealThreadCount()));
    threads_->setValue(settings::get(settings::EngineThreads));
    threads_->setToolTip(tr("Threads the engine may use; fewer keeps a shared machine responsive. Applies at the next start."));

    devVerses_ = new QSpinBox(this);
    devVerses_->setObjectName("prefDevVerses");
    devVerses_->setRange(0, 100000);
    devVerses_->setSpecialValueText(tr("the whole dev split"));
    devVerses_->setValue(settings::get(settings::DevScoreLimit));
    devVerses_->setToolTip(tr("How many dev verses the head table's background scoring decodes per model"));

    modelsKept_ = new QSpinBox(this);
    modelsKept_->setObjectName("prefModelsKept");
    modelsKept_->setRange(1, 16);
    modelsKept_->setValue(settings::get(settings::ModelsKept));
    modelsKept_->setToolTip(tr("How many loaded models stay in memory; the least recently used is unloaded first"));

    restoreSession_ = new QCheckBox(tr("Open the last session at start"), this);
    restoreSession_->setObjectName("prefRestoreSession");
    restoreSession_->setChecked(settings::get(settings::RestoreSession));
    restoreSession_->setToolTip(tr("On a clean quit the workspaces are kept and opened again at the next start, as you left "
                                   "them; unchecked, every start is fresh, with the demo verse"));

    auto* form = new QFormLayout(this);
    form->addRow(tr("Default &model:"), model_);
    form->addRow(tr("PNG &export resolution:"), dpi_);
    form->addRow(tr("Engine &threads:"), threads_);
    form->addRow(tr("&Dev verses for head scores:"), devVerses_);
    form->addRow(tr("Models kept &loaded:"), modelsKept_);
    form->addRow(tr("&Session:"), restoreSession_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        save();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void PreferencesDialog::save() const
{
    settings::set(settings::DefaultModel, model_->currentText());
    settings::set(settings::ExportDpi, dpi_->value());
    settings::set(settings::EngineThreads, threads_->value());
    settings::set(settings::DevScoreLimit, devVerses_->value());
    settings::set(settings::ModelsKept, modelsKept_->value());
    settings::set(settings::RestoreSession, restoreSession_->isChecked());
}

} // namespace attnscope::ui
