#include "ui/training/TrainingControl.h"

namespace recscope::ui {

void TrainingControl::pause() {
    QMutexLocker lock(&m_mutex);
    m_paused = true;
}

void TrainingControl::resume() {
    QMutexLocker lock(&m_mutex);
    m_paused = false;
    m_resumed.wakeAll();
}

void TrainingControl::stop() {
    QMutexLocker lock(&m_mutex);
    m_cancel.cancel();
    m_paused = false;
    m_resumed.wakeAll();
}

bool TrainingControl::isPaused() const {
    QMutexLocker lock(&m_mutex);
    return m_paused;
}

bool TrainingControl::waitWhilePaused() {
    QMutexLocker lock(&m_mutex);
    bool blocked = false;
    while (m_paused && !m_cancel.cancelled()) {
        blocked = true;
        m_resumed.wait(&m_mutex);
    }
    return blocked;
}

}  // namespace recscope::ui
