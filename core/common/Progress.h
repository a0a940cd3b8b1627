#pragma once
// Progress reporting and cooperative cancellation for long core jobs. A job calls the sink from
// its own (worker) thread; the UI forwards it as a queued signal. The token is set from any
// thread and polled by the job at least once per batch / chunk.

#include <atomic>
#include <functional>
#include <string>

namespace recscope {

struct Progress {
    std::string stage;     // short human text: "Parsing ratings.csv", "Epoch 3/20"
    double fraction = -1;  // 0..1 overall, or < 0 when unknown
};

using ProgressFn = std::function<void(const Progress&)>;

class CancelToken {
public:
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    void reset() { m_cancelled.store(false, std::memory_order_relaxed); }
    bool cancelled() const { return m_cancelled.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> m_cancelled{false};
};

// Helpers that tolerate null sinks/tokens, so callers may pass nothing.
inline void report(const ProgressFn& fn, std::string stage, double fraction) {
    if (fn)
        fn(Progress{std::move(stage), fraction});
}
inline bool isCancelled(const CancelToken* token) {
    return token && token->cancelled();
}

}  // namespace recscope
