#pragma once
// Error values at the core's public edge. Inside the core, code may throw; every function a
// caller outside core/ uses returns Status or Result<T> instead, so the GUI never sees an
// exception.

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace recscope {

// What kind of failure an Error is, for callers that act on it (a cancelled job is not a
// failure to report; bad input is the user's to fix; unsupported is a model's or a build's
// limit). The message stays the text a person reads.
enum class ErrorCode {
    Failed,       // anything else: a computation or an internal step went wrong
    Cancelled,    // the user asked to stop (message "cancelled")
    BadInput,     // a file, a parameter or a request is malformed or out of range
    Io,           // a file or a connection could not be read or written
    Unsupported,  // this model, build or device cannot do what was asked
};

struct Error {
    std::string message;  // what went wrong and, for bad input, what was expected
    std::string file;     // file path, or "archive.zip:entry"; empty when not tied to a file
    int64_t line = 0;     // 1-based line in `file`; 0 when not tied to a line
    ErrorCode code = ErrorCode::Failed;

    bool cancelled() const { return code == ErrorCode::Cancelled; }

    // "file:line: message", "file: message" or "message".
    std::string toString() const;
};

class [[nodiscard]] Status {
public:
    Status() = default;  // success
    Status(Error error)
        : m_failed(true), m_error(std::move(error)) {}  // NOLINT: implicit by design

    static Status success() { return {}; }
    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return m_error; }

private:
    bool m_failed = false;
    Error m_error;
};

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::move(value)) {}             // NOLINT: implicit by design
    Result(Error error) : m_v(std::move(error)) {}         // NOLINT
    Result(const Status& failed) : m_v(failed.error()) {}  // NOLINT: only for failed statuses

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    const T& value() const& { return std::get<0>(m_v); }
    T& value() & { return std::get<0>(m_v); }
    T&& value() && { return std::get<0>(std::move(m_v)); }
    const T* operator->() const { return &value(); }
    T* operator->() { return &value(); }
    const Error& error() const { return std::get<1>(m_v); }
    Status status() const { return ok() ? Status() : Status(error()); }

private:
    std::variant<T, Error> m_v;
};

inline Error makeError(std::string message, std::string file = {}, int64_t line = 0) {
    return Error{std::move(message), std::move(file), line, ErrorCode::Failed};
}

inline Error makeError(ErrorCode code, std::string message, std::string file = {},
                       int64_t line = 0) {
    return Error{std::move(message), std::move(file), line, code};
}

// The one error a cancelled job returns.
inline Error cancelledError() {
    return makeError(ErrorCode::Cancelled, "cancelled");
}

}  // namespace recscope
