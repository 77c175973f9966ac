#pragma once
// Edit → Preferences: the settings of ui/settings.h that have no menu of their own
// (default model, PNG export resolution, engine threads, dev-split scoring size, session).
#include <QDialog>

class QCheckBox;
class QComboBox;
class QSpinBox;

namespace attnscope::ui {

class PreferencesDialog : public QDialog {
    Q_OBJECT
public:
    explicit PreferencesDialog(QWidget* parent = nullptr);
    /// Writes the dialog's values to the settings (called on OK).
    void save() const;

private:
    QComboBox* model_;
    QSpinBox* dpi_;
    QSpinBox* threads_;
    QSpinBox* devVerses_;
    QSpinBox* modelsKept_;
    QCheckBox* restoreSession_;
};

} // namespace attnscope::ui
