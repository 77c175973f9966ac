#pragma once
// A row for long background work in a panel: a start button, a progress bar with the count and
// the time left, Cancel, and a status line. The job runs on its own JobTracker (the background
// lane); derived panels start it with jobs() and call idle() when its result arrives. Used by
// the Heads tab's dev-split scores (DevScoreBar) and head importance (ImportanceBar).
#include <QElapsedTimer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QHBoxLayout;

namespace attnscope::ui {

class JobTracker;

class BackgroundRow : public QWidget {
    Q_OBJECT
public:
    /// `button`: the start button's text; `unit`: what the progress counts ("dev verse").
    BackgroundRow(const QString& button, const QString& unit, QWidget* parent = nullptr);
    JobTracker* jobs() const { return jobs_; }
    bool running() const;
    QPushButton* button() const { return button_; }
    QLabel* status() const { return status_; }
    QProgressBar* progressBar() const { return progress_; }
    /// What the progress counts, e.g. "head" ("head 3 of 36 · 40 s left").
    void setUnit(const QString& unit);

    /// Shows the progress (busy until the first count), Cancel, and `text` in the status line.
    void busy(const QString& text);
    /// Hides the progress and Cancel; the button is enabled again.
    void idle();

signals:
    /// Cancel was pressed (the job is already cancelled and the row idle).
    void cancelled();

protected:
    /// The layout the row's widgets are in, for a panel's own controls.
    QHBoxLayout* row() const { return row_; }

private:
    JobTracker* jobs_;
    QHBoxLayout* row_;
    QPushButton* button_;
    QProgressBar* progress_;
    QPushButton* cancel_;
    QLabel* status_;
    QString unit_;
    QElapsedTimer clock_;
};

} // namespace attnscope::ui
