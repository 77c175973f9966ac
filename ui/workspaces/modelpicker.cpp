#include "workspaces/modelpicker.h"

#include "attnscope/kinds.h"
#include "settings.h"
#include "workspaces/registry.h"

#include <QComboBox>
#include <QSignalBlocker>

namespace attnscope::ui {

void fillModelPicker(QComboBox* picker, const char* kindId)
{
    const QString keep = picker->currentData().toString();
    const QSignalBlocker block(picker);
    picker->clear();
    registerBuiltinKinds();
    std::vector<std::string> user;
    for (const QString& path : settings::get(settings::UserModels)) user.push_back(path.toStdString());
    for (const OfferedModel& m : KindCatalogue::global().modelsFor(kindId, user)) {
        picker->addItem(QString::fromStdString(m.label), QString::fromStdString(m.id));
        picker->setItemData(picker->count() - 1, QString::fromStdString(m.description), Qt::ToolTipRole);
    }
    const int i = picker->findData(keep);
    if (i >= 0) picker->setCurrentIndex(i);
}

} // namespace attnscope::ui
