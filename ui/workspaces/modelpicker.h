#pragma once
// A workspace's model picker filled from the kind catalogue: the models kind `kindId` offers
// (its built-in ones, then the Model manager's files it takes), so no workspace has a rule of
// its own for which models it lists.
class QComboBox;

namespace attnscope::ui {
/// Refills `picker` (text = label, data = model id, tooltip = description) and keeps the
/// current model when it is still offered. Signals are blocked while it refills.
void fillModelPicker(QComboBox* picker, const char* kindId);
} // namespace attnscope::ui
