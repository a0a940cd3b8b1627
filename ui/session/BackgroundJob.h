#pragma once
// The explorer's background work: one computation at a time per job, on Qt's thread pool,
// with a CancelToken; the answer of the latest computation reaches `done` on the owner's
// thread, and a superseded or cancelled one is dropped. Two ways to supersede:
//   Wait  start() and the destructor cancel the computation in flight and wait for it (it
//         stops at its next check, one batch), so none outlives the owner's state: the views.
//   Drop  they cancel it and go on at once; it finishes on the pool with what it captured and
//         its answer is dropped: the run cache, which must never block the GUI thread.
// nextGeneration() and isCurrent() let progress reports posted from the worker tell whether they
// are still about the latest computation.
//
// The work must not touch the owner: it gets the cancel token and what its lambda captured.

#include <QFutureWatcher>
#include <QObject>
#include <QtConcurrent>

#include <functional>
#include <memory>
#include <utility>

#include "core/common/Progress.h"

namespace recscope::ui {

enum class Superseded { Wait, Drop };

template <typename T>
class BackgroundJob {
public:
    BackgroundJob(QObject* owner, std::function<void(T)> done,
                  Superseded superseded = Superseded::Wait)
        : m_done(std::move(done)), m_superseded(superseded) {
        QObject::connect(&m_watcher, &QFutureWatcherBase::finished, owner, [this] {
            if (m_dropped || !m_watcher.future().isValid())
                return;
            Tagged answer = m_watcher.result();
            if (answer.generation == m_generation && m_done)
                m_done(std::move(answer.value));
        });
    }
    ~BackgroundJob() { stop(); }
    BackgroundJob(const BackgroundJob&) = delete;
    BackgroundJob& operator=(const BackgroundJob&) = delete;

    // work: T(const CancelToken&), run on the thread pool. Returns the job's generation.
    template <typename Work>
    quint64 start(Work work) {
        stop();
        m_dropped = false;
        const quint64 generation = ++m_generation;
        auto token = std::make_shared<CancelToken>();
        m_token = token;
        m_watcher.setFuture(QtConcurrent::run([token, generation, work = std::move(work)]() {
            return Tagged{generation, work(*token)};
        }));
        return generation;
    }

    // Stops the job in flight at its next check and drops its answer; does not wait.
    void cancel() {
        if (m_token)
            m_token->cancel();
        m_dropped = true;
    }
    // cancel(), then (Wait) wait until the computation has returned.
    void stop() {
        cancel();
        if (m_superseded == Superseded::Wait)
            m_watcher.waitForFinished();
    }

    // The generation the next start() gives its job (for progress closures built before it).
    quint64 nextGeneration() const { return m_generation + 1; }
    bool isCurrent(quint64 generation) const { return !m_dropped && generation == m_generation; }

private:
    struct Tagged {
        quint64 generation = 0;
        T value;
    };

    std::function<void(T)> m_done;
    Superseded m_superseded;
    QFutureWatcher<Tagged> m_watcher;
    std::shared_ptr<CancelToken> m_token;
    quint64 m_generation = 0;
    bool m_dropped = false;
};

}  // namespace recscope::ui
