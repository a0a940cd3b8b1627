#pragma once
// A prepared SQLite statement with typed binds and column reads; finalised on destruction.
// Used by Workspace only (one thread at a time, like the Workspace that owns the connection).

#include <sqlite3.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/common/Status.h"

namespace recscope {

class SqlStatement {
public:
    SqlStatement(sqlite3* db, const char* sql) : m_db(db) {
        m_rc = sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr);
    }
    ~SqlStatement() { sqlite3_finalize(m_stmt); }
    SqlStatement(const SqlStatement&) = delete;
    SqlStatement& operator=(const SqlStatement&) = delete;

    bool prepared() const { return m_rc == SQLITE_OK; }
    SqlStatement& bind(int i, const std::string& v) {
        sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    SqlStatement& bind(int i, int64_t v) {
        sqlite3_bind_int64(m_stmt, i, v);
        return *this;
    }
    SqlStatement& bindDouble(int i, double v) {  // NaN is stored as NULL
        if (std::isnan(v))
            sqlite3_bind_null(m_stmt, i);
        else
            sqlite3_bind_double(m_stmt, i, v);
        return *this;
    }
    SqlStatement& bindBlob(int i, const void* data, size_t bytes) {
        sqlite3_bind_blob64(m_stmt, i, bytes ? data : "", bytes, SQLITE_TRANSIENT);
        return *this;
    }
    // SQLITE_ROW, SQLITE_DONE or an error code.
    int step() { return m_rc == SQLITE_OK ? sqlite3_step(m_stmt) : m_rc; }
    Status run() {
        const int rc = step();
        return rc == SQLITE_DONE || rc == SQLITE_ROW ? Status() : Status(error());
    }
    Error error() const { return makeError(std::string("database: ") + sqlite3_errmsg(m_db)); }

    std::string text(int c) const {
        const auto* p = sqlite3_column_text(m_stmt, c);
        return p ? std::string(reinterpret_cast<const char*>(p),
                               static_cast<size_t>(sqlite3_column_bytes(m_stmt, c)))
                 : std::string();
    }
    int64_t integer(int c) const { return sqlite3_column_int64(m_stmt, c); }
    double real(int c) const {
        return sqlite3_column_type(m_stmt, c) == SQLITE_NULL
                   ? std::numeric_limits<double>::quiet_NaN()
                   : sqlite3_column_double(m_stmt, c);
    }
    template <typename T>
    std::vector<T> blob(int c) const {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(m_stmt, c));
        const size_t bytes = static_cast<size_t>(sqlite3_column_bytes(m_stmt, c));
        std::vector<T> v(bytes / sizeof(T));
        if (p && !v.empty())
            std::memcpy(v.data(), p, v.size() * sizeof(T));
        return v;
    }

private:
    sqlite3* m_db;
    sqlite3_stmt* m_stmt = nullptr;
    int m_rc;
};

}  // namespace recscope
