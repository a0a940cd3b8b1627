#pragma once
// Stop and Pause for one training run, shared by the GUI thread (which pauses, resumes and
// stops) and the training thread (which polls and waits). Stop is the core's CancelToken, which
// the trainer checks every batch; Pause blocks the training thread inside the observer's
// onBatch until resumed or stopped, so a paused run holds its place and uses no CPU.
// Thread-safe.

#include <QMutex>
#include <QWaitCondition>

#include "core/common/Progress.h"

namespace recscope::ui {

class TrainingControl {
public:
    void pause();
    void resume();
    // Also ends a pause. Irreversible for this run.
    void stop();

    bool isPaused() const;
    bool isStopped() const { return m_cancel.cancelled(); }
    const CancelToken* cancelToken() const { return &m_cancel; }

    // Training thread: returns at once unless paused; otherwise blocks until resumed or
    // stopped. Returns true if it blocked.
    bool waitWhilePaused();

private:
    mutable QMutex m_mutex;
    QWaitCondition m_resumed;
    bool m_paused = false;
    CancelToken m_cancel;
};

}  // namespace recscope::ui
