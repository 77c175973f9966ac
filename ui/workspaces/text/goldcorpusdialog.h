#pragma once
// "Open gold corpus…": your own parallel corpus with Pharaoh gold alignments (source and
// target sentences, one per line, and a Pharaoh file) as the verse picker's source.
#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QFormLayout;
class QLineEdit;

namespace attnscope::ui {

class GoldCorpusDialog : public QDialog {
    Q_OBJECT
public:
    explicit GoldCorpusDialog(QWidget* parent = nullptr);
    QString sourcePath() const;
    QString targetPath() const;
    QString goldPath() const;
    /// The Pharaoh indices start at 1.
    bool oneBased() const;

private:
    QLineEdit* row(const QString& objectName, const QString& label, const QString& tip, QFormLayout* form);
    void updateOk();

    QLineEdit* source_;
    QLineEdit* target_;
    QLineEdit* gold_;
    QCheckBox* oneBased_;
    QDialogButtonBox* buttons_;
};

} // namespace attnscope::ui
