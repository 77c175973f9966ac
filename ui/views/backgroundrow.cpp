#include "views/backgroundrow.h"

#include "jobs/jobtracker.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

#include <cmath>

namespace attnscope::ui {

namespace {
/// "12 s", "3 min 20 s", "1 h 5 min".
QString duration(double seconds)
{
    const qint64 s = qint64(std::lround(seconds));
    if (s < 60) return QObject::tr("%1 s").arg(s);
    if (s < 3600) return QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QObject::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}
} // namespace

BackgroundRow::BackgroundRow(const QString& button, const QString& unit, QWidget* parent) : QWidget(parent), unit_(unit)
{
    jobs_ = new JobTracker(this, JobLane::Background);
    button_ = new QPushButton(button, this);
    progress_ = new QProgressBar(this);
    progress_->setVisible(false);
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setVisible(false);
    status_ = new QLabel(this);
    status_->setWordWrap(true);
    row_ = new QHBoxLayout(this);
    row_->setContentsMargins(0, 0, 0, 0);
    row_->addWidget(button_);
    row_->addWidget(progress_, 1);
    row_->addWidget(cancel_);
    row_->addWidget(status_, 2);
    connect(cancel_, &QPushButton::clicked, this, [this] {
        jobs_->cancel();
        idle();
        emit cancelled();
    });
    connect(jobs_, &JobTracker::progress, this, [this](int done, int total) {
        if (done == 0) clock_.restart();  // the estimate starts with the counted work, not the loading
        progress_->setRange(0, total);
        progress_->setValue(done);
        QString format = unit_ + tr(" %v of %m");
        if (done > 0 && done < total) format += tr(" · %1 left").arg(duration(clock_.elapsed() / 1000.0 * (total - done) / done));
        progress_->setFormat(format);
    });
}

bool BackgroundRow::running() const { return jobs_->running(); }

void BackgroundRow::setUnit(const QString& unit) { unit_ = unit; }

void BackgroundRow::busy(const QString& text)
{
    button_->setEnabled(false);
    progress_->setRange(0, 0);  // busy until the first count
    progress_->setVisible(true);
    cancel_->setVisible(true);
    status_->setText(text);
    clock_.start();
}

void BackgroundRow::idle()
{
    progress_->setVisible(false);
    cancel_->setVisible(false);
    button_->setEnabled(true);
}

} // namespace attnscope::ui
