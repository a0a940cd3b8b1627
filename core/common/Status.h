#pragma once
// Error values at the core's public edge. Inside the core, code may throw; every function a
// caller outside core/ uses returns Status or Result<T> instead, so the GUI never sees an
// exception.

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace recscope {

struct Error {
    std::string message;  // what went wrong and, for bad input, what was expected
    std::string file;     // file path, or "archive.zip:entry"; empty when not tied to a file
    int64_t line = 0;     // 1-based line in `file`; 0 when not tied to a line

    // "file:line: message", "file: message" or "message".
    std::string toString() const;
};

class Status {
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
class Result {
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
    return Error{std::move(message), std::move(file), line};
}

}  // namespace recscope
